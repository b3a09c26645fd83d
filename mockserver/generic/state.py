"""The state of an API served from its spec: its store of the resources the spec was found to have
(``generic.inference``), seeded from the schemas (``generic.data``), with its records, answers and
demo credentials. Each such API gets a state class of its own (:func:`state_class`), since what a
state is made of (:class:`~mockserver.engine.snapshots.Seeding`) belongs to its class."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.jsonpointer import deref
from mockserver.engine.registry import handler_name
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.generic.answers import Answers
from mockserver.generic.auth import DemoCredentials
from mockserver.generic.data import populate_from
from mockserver.generic.inference import operations
from mockserver.generic.model import ApiModel, Placement
from mockserver.generic.records import Records
from mockserver.generic.schemas import flattened, is_array, is_json, json_content, properties
from mockserver.generic.validity import Validity
from mockserver.settings import Settings


@dataclasses.dataclass(frozen=True)
class GenericSpec:
    """One served-from-spec API: its name, file, prepared document and model."""

    name: str
    path: Path
    document: dict[str, Any] = dataclasses.field(compare=False, hash=False, repr=False)
    model: ApiModel = dataclasses.field(compare=False, hash=False, repr=False)

    @functools.cached_property
    def by_handler(self) -> dict[str, Placement]:
        return {handler_name(p.operation_id): p for p in self.model.operations.values()}

    @functools.cached_property
    def digest(self) -> str:
        """What the seeded data is made from besides the code (``engine.snapshots``, whose key
        covers the package's source, and so how the spec is prepared): the spec file's bytes."""
        return hashlib.blake2b(self.path.read_bytes(), digest_size=16).hexdigest()

    @functools.cached_property
    def _requests(self) -> dict[str, Requests]:
        paths = self.document.get("paths") or {}
        return {
            str(operation["operationId"]): self._requests_of(paths[path], operation)
            for path, _, operation in operations(self.document)
        }

    def _requests_of(self, path_item: dict[str, Any], operation: dict[str, Any]) -> Requests:
        named: dict[str, list[str]] = {"path": [], "query": []}
        for parameter in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = flattened(self.document, parameter)
            if parameter.get("in") in named and parameter.get("name") not in named[parameter["in"]]:
                named[parameter["in"]].append(str(parameter["name"]))
        request_body = deref(self.document, operation.get("requestBody") or {})
        media_types = (request_body.get("content") if isinstance(request_body, dict) else None) or {}
        content = json_content(self.document, request_body)
        schema = flattened(self.document, content[1]) if content is not None else {}
        if is_array(self.document, schema):  # a list of records (``create-many``): each item's
            schema = flattened(self.document, schema.get("items"))
        fields = properties(self.document, schema)
        defaults = {}
        for name, sub in fields.items():
            sub = flattened(self.document, sub)
            if sub.get("default") is not None and not sub.get("readOnly"):
                defaults[name] = sub["default"]
        others = schema.get("additionalProperties")
        return Requests(
            path=tuple(named["path"]),
            query=tuple(named["query"]),
            defaults=defaults,
            fields=frozenset(fields) if fields and (others is None or others is False) else None,
            form=any(not is_json(media_type) for media_type in media_types),
        )

    def requests(self, placement: Placement) -> Requests:
        """What the operation's requests carry (:class:`Requests`)."""
        return self._requests.get(placement.operation_id, Requests())


@dataclasses.dataclass(frozen=True)
class Requests:
    """What an operation's requests carry, as the engine reads them."""

    #: The names of its path and query parameters.
    path: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    #: The request body's properties that have a ``default``: what a body that leaves them out means.
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: The fields the body declares, which are all a write keeps of it (``None``: it keeps any,
    #: the schema declaring none or allowing others).
    fields: frozenset[str] | None = None
    #: Whether it takes a body that is not JSON (a form, files: what Connexion may hand over as
    #: open files).
    form: bool = False


class EngineParts:
    """What the engine's handlers (``generic.handlers``) use of a state: the spec, and its records
    and answers, made on first use from the state's store, clock and seed. Mixed into a
    :class:`~mockserver.engine.snapshots.SeededState` (:class:`GenericState`, or a hand-built API's
    state on the engine, ``generic.packaged``)."""

    spec: GenericSpec
    locale: str
    store: Store
    clock: Clock
    settings: Settings

    @functools.cached_property
    def validity(self) -> Validity:
        return Validity(self.spec.document)

    @functools.cached_property
    def records(self) -> Records:
        return Records(self.store, self.spec.model, self.spec.document, self.clock, self.validity, self.locale)

    @functools.cached_property
    def answers(self) -> Answers:
        return Answers(self.spec.document, self.spec.model, self.settings.seed, self.locale, self.validity)


class GenericState(EngineParts, SeededState):
    """A served-from-spec API's state (see :func:`state_class`)."""

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        self.credentials = DemoCredentials(self.spec.name, self.spec.document)
        self.reset()

    def auth_description(self) -> dict[str, Any]:
        return self.credentials.description()


def state_class(spec: GenericSpec, locale: str) -> type[GenericState]:
    """A state class for ``spec`` whose records are made in ``locale``."""
    seeding = Seeding(
        spec.name,
        spec.model.own_tables,
        {},
        populate_from(spec.model, spec.document, locale),
        uses_fixtures=False,
        made_of=f"{spec.digest}/{locale}",
    )
    return type(
        f"GenericState_{spec.name.replace('-', '_')}",
        (GenericState,),
        {"seeding": seeding, "spec": spec, "locale": locale},
    )
