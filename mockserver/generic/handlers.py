"""The handler object of an API served from its spec: one method per operation (named as
``web.binding`` looks them up), each acting on the API's records (``generic.records``) or
answering from the spec (``generic.answers``) as its placement says (``generic.model``).

Connexion hands a handler its path and query arguments under pythonic names (``petId`` ->
``pet_id``, ``id`` -> ``id_``) and the body as ``body``; :func:`pythonic` is its rule, so that the
arguments are found again under the spec's names. A list answers every matching record, or a page
of them where the operation declares paging parameters (``limit``/``per_page``/``page_size`` with
``offset``/``skip`` or ``page``); query parameters named like a record field filter it.

Overrides (``--overrides MODULE:NAME``, :func:`~mockserver.generic.definition.load_overrides`):
``NAME(state)`` builds an object whose ``async`` methods, named as the handlers are, answer their
operations instead (with the same arguments, returning ``(body, status[, headers])``); the state's
``records`` and ``answers`` are theirs to use. Every other operation stays generic.
"""

from __future__ import annotations

import builtins
import dataclasses
import keyword
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from mockserver.engine.registry import handler_name
from mockserver.generic import model
from mockserver.generic.model import OWNER, Placement, Resource, Scope

if TYPE_CHECKING:
    from mockserver.generic.state import EngineParts

Answer = tuple[Any, int]
#: An override's rule (``engine_rule``): called with the operationId, the handler's arguments and
#: the resource acted on (as ``--explain`` names it; ``None``: answered from the spec) before the
#: engine answers; it refuses a request by raising a problem, and says what the request's records
#: are (:class:`~mockserver.generic.model.Scope`, ``None``: any).
Rule = Callable[[str, dict[str, Any], str | None], Scope | None]
#: The kinds whose body makes a whole record, which takes the request schema's defaults.
_FILLED = frozenset({model.CREATE, model.REPLACE, model.REPLACE_BY_BODY})
#: The kinds that write a body's fields to a record (of which they keep those the body declares).
_WRITES = _FILLED | {model.CREATE_MANY, model.UPDATE}
#: What a handler returns: ``(body, status)``, or with the documented headers ``(body, status, headers)``.
Result = tuple[Any, ...]
#: Builds, from an API's state, the object whose methods override operations (``--overrides``).
Overrides = Callable[[Any], object]
_LIMITS = frozenset(
    {"limit", "per_page", "perpage", "page_size", "pagesize", "size", "max_results", "maxresults", "top"}
)
_OFFSETS = frozenset({"offset", "skip", "start"})
_PAGES = frozenset({"page", "page_number", "pagenumber"})


def pythonic(name: str) -> str:
    """Connexion's argument name for a parameter (``connexion.decorators.parameter.pythonic``)."""
    snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    snake = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", snake).replace("-", "_").lower()
    if snake in builtins.__dict__ or keyword.iskeyword(snake):
        snake += "_"
    return re.sub("^[^a-zA-Z_]+", "", re.sub("[^0-9a-zA-Z_]", "", re.sub(r"\[(?!])", "_", snake)))


@dataclasses.dataclass(frozen=True)
class _Call:
    """One request the engine answers: its operation's placement and resource, its path (with the
    caller for their own records, ``model.OWNER``), query and body, and its rule's scope."""

    placement: Placement
    resource: Any  # a Resource, but for an operation answered from the spec alone (``None``)
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    scope: Scope | None

    @property
    def key(self) -> Any:
        """The path's value naming the record."""
        return self.path.get(self.resource.param)


class GenericHandlers:
    def __init__(self, state: EngineParts, overrides: Overrides | None = None) -> None:
        self._state = state
        self._methods: dict[str, Callable[..., Awaitable[Result]]] = {}
        #: The object whose ``async`` methods answer operations in the generic ones' place.
        self._own = overrides(state) if overrides is not None else None

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Result]]:
        if name.startswith("_"):
            raise AttributeError(name)
        found = self._methods.get(name)
        if found is None and self._own is not None and callable(getattr(self._own, name, None)):
            found = self._methods[name] = getattr(self._own, name)
        if found is None:
            placement = self._state.spec.by_handler.get(name)
            if placement is None:
                raise AttributeError(name)
            found = self._methods[name] = self._method(placement)
        return found

    def _method(self, placement: Placement) -> Callable[..., Awaitable[Result]]:
        state = self._state
        resource = state.spec.model.resource(placement.resource)
        requests = state.spec.requests(placement)
        act = getattr(self, "_" + placement.kind.replace("-", "_"))
        rule: Rule | None = getattr(self._own, "engine_rule", None) if self._own is not None else None
        defaults = requests.defaults if placement.kind in _FILLED else {}
        takes = requests.fields if placement.kind in _WRITES else None
        forms = requests.form
        in_path = [(name, pythonic(name)) for name in requests.path]
        in_query = [(name, pythonic(name)) for name in requests.query]

        async def handle(**kwargs: Any) -> Result:
            path = {name: kwargs.get(argument) for name, argument in in_path}
            if resource is not None and resource.owned and kwargs.get("user") is not None:
                path[OWNER] = kwargs["user"]  # the caller's own records (``model.OWNER``)
            query = {name: kwargs[argument] for name, argument in in_query if argument in kwargs}
            body = kwargs.get("body")
            if forms:
                body = _plain(body)
                for value in kwargs.values():
                    _plain(value)  # files Connexion hands over as arguments: read no further, closed
            if takes is not None:
                body = _declared(body, takes)
            if defaults and isinstance(body, dict):
                body = {**defaults, **body}
            with state.store.lock:  # the rule's checks and the change, as one
                scope = rule(placement.operation_id, kwargs, placement.resource) if rule is not None else None
                answer, status = act(_Call(placement, resource, path, query, body, scope))
            headers = state.answers.headers(placement)
            return (answer, status, headers) if headers else (answer, status)

        handle.__name__ = handler_name(placement.operation_id)
        return handle

    # -- kinds -------------------------------------------------------------------------------------
    def _list(self, call: _Call) -> Answer:
        found = self._state.records.listed(call.resource, call.path, self._filters(call.query), call.scope)
        return self._records(call, _page(found, call.query))

    _search = _list

    def _create(self, call: _Call) -> Answer:
        return self._record(call, self._state.records.create(call.resource, call.path, call.body, call.scope))

    def _create_many(self, call: _Call) -> Answer:
        return self._records(call, self._state.records.create_many(call.resource, call.path, call.body, call.scope))

    def _read(self, call: _Call) -> Answer:
        return self._record(call, self._state.records.read(call.resource, call.path, call.key, call.scope))

    def _replace(self, call: _Call) -> Answer:
        return self._record(call, self._change(call, call.key, replace=True))

    def _update(self, call: _Call) -> Answer:
        return self._record(call, self._change(call, call.key, replace=False))

    def _replace_by_body(self, call: _Call) -> Answer:
        key = call.body.get(call.resource.id_field) if isinstance(call.body, dict) else None
        return self._record(call, self._change(call, key, replace=True))

    def _delete(self, call: _Call) -> Answer:
        return self._record(call, self._state.records.delete(call.resource, call.path, call.key, call.scope))

    def _action(self, call: _Call) -> Answer:
        record = self._state.records.read(call.resource, call.path, call.key, call.scope)
        if call.placement.envelope is not None:  # it answers the record it acts on
            return self._record(call, record)
        return self._state.answers.made(call.placement), call.placement.status

    def _canned(self, call: _Call) -> Answer:
        return self._state.answers.made(call.placement), call.placement.status

    def _change(self, call: _Call, key: Any, *, replace: bool) -> dict[str, Any]:
        return self._state.records.change(call.resource, call.path, key, call.body, replace=replace, scope=call.scope)

    # -- answers ----------------------------------------------------------------------------------
    def _record(self, call: _Call, record: dict[str, Any]) -> Answer:
        view = self._view(call.resource)
        shown = view(record) if view is not None else record
        return self._state.answers.record(call.placement, shown), call.placement.status

    def _records(self, call: _Call, records: list[dict[str, Any]]) -> Answer:
        view = self._view(call.resource, listed=True)
        shown = [view(r) for r in records] if view is not None else records
        return self._state.answers.records(call.placement, shown), call.placement.status

    def _view(self, resource: Resource, *, listed: bool = False) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """The overrides' method that shows ``resource``'s stored records (``model.Binding.view``),
        or shows them in a list."""
        binding = resource.binding
        name = None if binding is None else (binding.list_view or binding.view) if listed else binding.view
        if name is None:
            return None
        found = getattr(self._own, name, None)
        if not callable(found):
            raise TypeError(f"{resource.name}: the overrides have no method {name} to show its records")
        return cast(Callable[[dict[str, Any]], dict[str, Any]], found)

    def _filters(self, query: dict[str, Any]) -> dict[str, Any]:
        """The query's field filters: its parameters but paging ones, and the fields of an object
        parameter (``filter[status]=open``, a ``deepObject``)."""
        found: dict[str, Any] = {}
        for name, value in query.items():
            if name.lower() in _LIMITS | _OFFSETS | _PAGES:
                continue
            if isinstance(value, dict):
                found.update({field: v for field, v in value.items() if not isinstance(v, dict)})
            else:
                found[name] = value
        return found


def _plain(value: Any) -> Any:
    """A body with each uploaded file (a multipart part: an object with a ``file`` and a
    ``filename``) closed and kept as its file name, so that records hold JSON values only."""
    if isinstance(value, dict):
        return {name: _plain(v) for name, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    upload = getattr(value, "file", None)
    if upload is not None and hasattr(value, "filename") and hasattr(upload, "close"):
        upload.close()
        return str(value.filename or "")
    return value


def _page(records: list[dict[str, Any]], query: dict[str, Any]) -> list[dict[str, Any]]:
    if not query:
        return records
    lowered = {name.lower(): value for name, value in query.items()}
    limit = next((_count(lowered[n]) for n in _LIMITS if n in lowered), None)
    offset = next((_count(lowered[n]) for n in _OFFSETS if n in lowered), None) or 0
    page = next((_count(lowered[n]) for n in _PAGES if n in lowered), None)
    if page is not None and limit is not None and offset == 0:
        offset = max(page - 1, 0) * limit
    chosen = records[offset:]
    return chosen if limit is None else chosen[:limit]


def _count(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _declared(body: Any, fields: frozenset[str]) -> Any:
    """An object body (or each of a list body's objects) with only the ``fields`` its schema
    declares: what a server that documents its fields reads of it."""
    if isinstance(body, dict):
        return {name: value for name, value in body.items() if name in fields}
    if isinstance(body, list):
        return [_declared(item, fields) if isinstance(item, dict) else item for item in body]
    return body
