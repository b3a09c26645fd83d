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
    def _parameters(self) -> dict[str, dict[str, list[str]]]:
        found: dict[str, dict[str, list[str]]] = {}
        paths = self.document.get("paths") or {}
        for path, _, operation in operations(self.document):
            declared = [*(paths[path].get("parameters") or []), *(operation.get("parameters") or [])]
            where: dict[str, list[str]] = {"path": [], "query": []}
            for parameter in declared:
                parameter = flattened(self.document, parameter)
                if parameter.get("in") in where and parameter.get("name") not in where[parameter["in"]]:
                    where[parameter["in"]].append(str(parameter["name"]))
            found[str(operation["operationId"])] = where
        return found

    @functools.cached_property
    def _bodies(self) -> dict[str, tuple[dict[str, Any], frozenset[str] | None]]:
        found: dict[str, tuple[dict[str, Any], frozenset[str] | None]] = {}
        for _, _, operation in operations(self.document):
            content = json_content(self.document, operation.get("requestBody") or {})
            schema = flattened(self.document, content[1]) if content is not None else {}
            if is_array(self.document, schema):  # a list of records (``create-many``): each item's
                schema = flattened(self.document, schema.get("items"))
            fields = properties(self.document, schema)
            defaults = {name: flattened(self.document, sub).get("default") for name, sub in fields.items()}
            others = schema.get("additionalProperties")
            takes = frozenset(fields) if fields and (others is None or others is False) else None
            found[str(operation["operationId"])] = (
                {
                    name: value
                    for name, value in defaults.items()
                    if value is not None and not flattened(self.document, fields[name]).get("readOnly")
                },
                takes,
            )
        return found

    def body_defaults(self, placement: Placement) -> dict[str, Any]:
        """The request body's properties that have a ``default``, by name: what a body that leaves
        them out means."""
        return self._bodies.get(placement.operation_id, ({}, None))[0]

    def body_fields(self, placement: Placement) -> frozenset[str] | None:
        """The fields the operation's request body declares, which are all a write keeps of it
        (``None``: it keeps any, the schema declaring none or allowing others)."""
        return self._bodies.get(placement.operation_id, ({}, None))[1]

    @functools.cached_property
    def _forms(self) -> frozenset[str]:
        found = set()
        for _, _, operation in operations(self.document):
            body = deref(self.document, operation.get("requestBody") or {})
            content = body.get("content") if isinstance(body, dict) else None
            if any(not is_json(media) for media in content or {}):
                found.add(str(operation["operationId"]))
        return frozenset(found)

    def takes_form(self, placement: Placement) -> bool:
        """Whether the operation takes a body that is not JSON (a form, files: what Connexion may
        hand over as open files)."""
        return placement.operation_id in self._forms

    def parameters(self, placement: Placement) -> dict[str, list[str]]:
        """The names of the operation's path and query parameters."""
        return self._parameters.get(placement.operation_id, {"path": [], "query": []})


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
