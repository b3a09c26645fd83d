"""The records of an API served from its spec: created, listed, read, replaced, changed and deleted
in the engine's store, knowing nothing of HTTP.

A write keeps what the client sent except what the server owns: the key, the parent, and the
record schema's ``readOnly`` properties; a value the record schema would not answer with (the
request body's schema may type a field otherwise) keeps the record's own. Properties named for a
creation or change moment (``created_at``, ``updatedAt``, ``modified``) with ``format: date-time``
are stamped with the mock's clock. A record named by a path whose parent record does not exist is
not found, as its own path would be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Conflict, NotFound
from mockserver.engine.store import REMOVED, Store, Table, json_copy
from mockserver.generic.data import new_key, seeded_record
from mockserver.generic.inference import singular
from mockserver.generic.model import ApiModel, Resource, Scope
from mockserver.generic.patching import operations_of, patched_fields
from mockserver.generic.schemas import flattened, properties
from mockserver.generic.validity import Validity

Record = dict[str, Any]
#: How many different sets of server-made fields a resource's creates take in turn.
POOL = 64
_CREATED = re.compile(r"(?i)^(created|creation|inserted)(_?(at|on|date|time|timestamp))?$|^date_?created$")
_CHANGED = re.compile(r"(?i)^(updated|modified|last_?modified|changed|last_?updated)(_?(at|on|date|time|timestamp))?$")


class Records:
    def __init__(
        self, store: Store, model: ApiModel, document: dict[str, Any], clock: Clock, validity: Validity, locale: str
    ) -> None:
        self.store = store
        self.model = model
        self.document = document
        self.clock = clock
        self.validity = validity
        self.locale = locale
        #: What :meth:`_server_fields` made, by resource, fields and number.
        self._made: dict[tuple[str, tuple[str, ...], int], Record] = {}

    def table(self, resource: Resource) -> Table:
        table: Table = getattr(self.store, self.model.table(resource))
        return table

    # -- keys --------------------------------------------------------------------------------------
    def key(self, resource: Resource, value: Any) -> Any:
        """The stored key a path's value names (``None``: it names none: a word for an integer key)."""
        if resource.integer_ids:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
        return None if value is None else str(value)

    def check_parents(self, resource: Resource, parents: Mapping[str, Any]) -> None:
        """Not found unless every parent record the path names exists."""
        for parent in resource.parents:
            owner = self.model.resource(parent.resource)
            if owner is None or parent.param not in parents:
                continue
            key = self.key(owner, parents[parent.param])
            if key is None or key not in self.table(owner):
                raise NotFound(f"No {_singular(owner)} {parents[parent.param]!r}.")

    def _mine(self, resource: Resource, parents: Mapping[str, Any], scope: Scope | None = None) -> dict[str, Any]:
        """The fields the records the path names have: their parents' keys, and the scope's."""
        mine = {p.field: parents.get(p.param) for p in resource.parents if p.param in parents}
        return {**mine, **scope.match} if scope is not None else mine

    # -- reads -------------------------------------------------------------------------------------
    def listed(
        self, resource: Resource, parents: Mapping[str, Any], filters: Mapping[str, Any], scope: Scope | None = None
    ) -> list[Record]:
        self.check_parents(resource, parents)
        mine = self._mine(resource, parents, scope)
        wanted: dict[Any, Any] = {}
        if filters:
            fields = properties(self.document, resource.schema)
            wanted = {_field(name, fields): value for name, value in filters.items() if value is not None}
            wanted.pop(None, None)

        def kept(r: Record) -> bool:
            return all(str(r.get(f)) == str(v) for f, v in mine.items()) and all(
                _matches(r.get(name), value) for name, value in wanted.items()
            )

        # The stored rows themselves: answers are new containers around them (``answers.fitted``).
        # A package's table may index a field the records are placed by (``model.Binding``).
        table = self.table(resource)
        by = next((f for f, v in mine.items() if v is not None and table.indexed(f)), None)
        found = [r for r in table.peek_find(**{by: mine[by]}) if kept(r)] if by else table.peek_where(kept)
        order = resource.binding.order if resource.binding is not None else ()
        if order:
            found.sort(key=lambda r: tuple(_sortable(r.get(f)) for f in order))
        return found

    def read(self, resource: Resource, parents: Mapping[str, Any], value: Any, scope: Scope | None = None) -> Record:
        self.check_parents(resource, parents)
        key = self.key(resource, value)
        record = self.table(resource).get(key) if key is not None else None
        mine = self._mine(resource, parents, scope)
        if record is None or any(str(record.get(f)) != str(v) for f, v in mine.items()):
            if resource.binding is not None and resource.binding.missing is not None:
                raise resource.binding.missing(value)
            raise NotFound(f"No {_singular(resource)} with {resource.param} {value!r}.")
        return record

    # -- writes ------------------------------------------------------------------------------------
    def create(self, resource: Resource, parents: Mapping[str, Any], body: Any, scope: Scope | None = None) -> Record:
        self.check_parents(resource, parents)
        table = self.table(resource)
        table.ensure_room()
        base = self._server_fields(resource, body, table.upcoming_id)
        record = {**base, **self._writable(resource, body, base), **self._mine(resource, parents, scope)}
        if scope is not None:
            record.update(scope.created)
        given = body.get(resource.id_field) if isinstance(body, dict) and not resource.id_hidden else None
        # A key the client chose is kept, unless it is one the item path cannot take (the Petstore's
        # order ids above 10): the record must be reachable.
        reachable = given is not None and self.validity.fits(resource.id_schema, self.key(resource, given))
        if reachable and not self._server_owned(resource, resource.id_field):
            key = self.key(resource, given)
            if key is not None and key in table:
                raise Conflict(f"A {_singular(resource)} with {resource.id_field} {given!r} exists already.")
            record[resource.id_field] = key
        else:
            record[resource.id_field] = new_key(
                resource, table, self.document, ("new", resource.name, table.upcoming_id)
            )
        self._stamp(resource, record, created=True)
        return table.insert(record, key_field=resource.id_field)

    def change(
        self,
        resource: Resource,
        parents: Mapping[str, Any],
        value: Any,
        body: Any,
        *,
        replace: bool,
        scope: Scope | None = None,
    ) -> Record:
        old = self.read(resource, parents, value, scope)
        ops = operations_of(body)
        if ops is not None:
            patched = patched_fields(old, ops)
            changes = self._writable(resource, {n: v for n, v in patched.items() if v is not REMOVED}, old)
            changes.update({n: REMOVED for n, v in patched.items() if v is REMOVED and self._removable(resource, n)})
            replace = False
        elif isinstance(body, dict) and isinstance(body.get("instructions"), list):
            changes = {}  # a semantic patch: instructions this mock cannot know the meaning of
        else:
            changes = self._writable(resource, body, old)
        # What places the record (its parents' keys, the scope's fields) is the server's.
        placed = {p.field for p in resource.parents} | set(scope.match if scope is not None else ())
        changes = {n: v for n, v in changes.items() if n not in placed}
        if replace:
            schema = flattened(self.document, resource.schema)
            required = set(schema.get("required") or [])
            owned = placed | {n for n in old if n.startswith("__") or self._server_owned(resource, n)}
            for name in old:
                if name not in changes and name not in required and name not in owned and name != resource.id_field:
                    changes[name] = REMOVED
        self._stamp(resource, changes, created=False)
        key = old[resource.id_field]
        return self.table(resource).update(key, changes) if changes else old

    def delete(self, resource: Resource, parents: Mapping[str, Any], value: Any, scope: Scope | None = None) -> Record:
        record = self.read(resource, parents, value, scope)
        self.table(resource).delete(record[resource.id_field])
        return record

    def _server_fields(self, resource: Resource, body: Any, number: int) -> Record:
        """What a new record has that its body does not give: the required and ``readOnly``
        properties, made from the record schema (the body's own fields are the client's). Made with
        Faker once for each of :data:`POOL` numbers per set of fields, then taken in turn: the same
        records for the same seed, without Faker's cost on every create (``bench/generic.py``)."""
        if resource.binding is not None:
            return {}  # a package's table (``model.Binding``): its rule says what the server sets
        schema = flattened(self.document, resource.schema)
        fields = properties(self.document, resource.schema)
        given = body if isinstance(body, dict) else {}
        required = set(schema.get("required") or [])
        missing = tuple(
            name
            for name, sub in fields.items()
            if name not in given and (name in required or flattened(self.document, sub).get("readOnly"))
        )
        if not missing:
            return {}
        slot = (resource.name, missing, number % POOL)
        made = self._made.get(slot)
        if made is None:
            schema = {"type": "object", "properties": {n: fields[n] for n in missing}, "required": list(missing)}
            key = ("new", resource.name, number % POOL)
            made = self._made[slot] = seeded_record(schema, self.document, key, self.locale)
        return json_copy(made)

    def create_many(
        self, resource: Resource, parents: Mapping[str, Any], body: Any, scope: Scope | None = None
    ) -> list[Record]:
        """Each item of a list body created (an API that creates several records at once)."""
        items = body if isinstance(body, list) else [body]
        self.table(resource).ensure_room(len(items))
        return [self.create(resource, parents, item, scope) for item in items]

    def _removable(self, resource: Resource, name: str) -> bool:
        required = flattened(self.document, resource.schema).get("required") or []
        return name != resource.id_field and name not in required and not self._server_owned(resource, name)

    def _server_owned(self, resource: Resource, name: str) -> bool:
        return bool(flattened(self.document, properties(self.document, resource.schema).get(name)).get("readOnly"))

    def _writable(self, resource: Resource, body: Any, current: Record) -> Record:
        if not isinstance(body, dict):
            return {}
        fields = properties(self.document, resource.schema)
        kept: Record = {}
        for name, value in body.items():
            if name.startswith("__") or name == resource.id_field or self._server_owned(resource, name):
                continue
            if name in fields and not self.validity.fits(fields[name], value):
                continue  # the record keeps its own (see the module's docstring)
            kept[name] = value
        return kept

    def _stamp(self, resource: Resource, record: Record, *, created: bool) -> None:
        now = self.clock.stamp()
        for name, schema in properties(self.document, resource.schema).items():
            if flattened(self.document, schema).get("format") != "date-time":
                continue
            if _CHANGED.match(name) or (created and _CREATED.match(name)):
                record[name] = now


def _singular(resource: Resource) -> str:
    return singular(resource.name.rsplit("_", 1)[-1])


def _field(name: str, fields: dict[str, Any]) -> Any:
    """The record field a query parameter filters: its namesake, or its singular's (``tags`` -> ``tag``)."""
    return name if name in fields else (singular(name) if singular(name) in fields else None)


def _matches(value: Any, wanted: Any) -> bool:
    """A field's value against a query's: equal (as text), one of a list, or, for a list field, one
    of its items (an object item by its ``name``)."""
    options = [str(w) for w in wanted] if isinstance(wanted, list) else [str(wanted)]
    if isinstance(value, list):
        names = [str(v.get("name")) if isinstance(v, dict) else str(v) for v in value]
        return any(o in names for o in options)
    if isinstance(value, bool):
        return str(value).lower() in [o.lower() for o in options]
    return str(value) in options


def _sortable(value: Any) -> tuple[int, Any]:
    """A field's value as a sort key: ``None`` first, then numbers, then text."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))
