"""The generic engine's model of an API: the resources it found in the spec and, for every
operation, what answers it (``generic.inference`` builds it, ``generic.handlers`` acts on it,
``generic.explain`` shows it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import Any

#: What an operation does to its resource's records.
LIST, CREATE, READ, REPLACE, UPDATE, DELETE = "list", "create", "read", "replace", "update", "delete"
#: ``POST`` on the collection with a list of records.
CREATE_MANY = "create-many"
#: ``PUT`` on the collection with the record's id in the body (the Petstore's ``updatePet``).
REPLACE_BY_BODY = "replace-by-body"
#: ``GET`` beside the collection answering a filtered list (the Petstore's ``findByStatus``).
SEARCH = "search"
#: An operation below a record (``/pets/{id}/photos``): the records its path names must exist,
#: then it is answered from the spec (an example, or data generated from the schema).
ACTION = "action"
#: Anything else: answered from the spec alone.
CANNED = "canned"
#: The kinds that keep records (the rest answer from the spec).
STATEFUL = frozenset({LIST, CREATE, CREATE_MANY, READ, REPLACE, UPDATE, DELETE, REPLACE_BY_BODY, SEARCH})


#: The "parent" of a record that belongs to the caller (a collection below ``/me``, ``/profile``):
#: the identity Connexion hands the handler (``user``), kept like a parent's key.
OWNER = "__owner"


@dataclasses.dataclass(frozen=True)
class Parent:
    """A path parameter before a nested collection (``ownerId`` of ``/owners/{ownerId}/pets``):
    kept on each record in a hidden field, so that the collection lists its parent's records only."""

    param: str
    #: The record field (hidden from answers) holding the parameter's value.
    field: str
    #: The resource whose records the parameter names, when the spec has one (``owners``).
    resource: str | None


@dataclasses.dataclass(frozen=True)
class Binding:
    """Where a hand-built package keeps a resource's records, so that the engine acts on them: its
    own table, the record fields holding the path parameters before the record (``apartment_id``
    -> ``apartment``), the problem a missing record is (``None``: the engine's), the order of its
    lists and how a stored record is shown."""

    table: str
    parents: Mapping[str, str] = dataclasses.field(default_factory=dict)
    missing: Callable[[Any], Exception] | None = None
    #: The fields lists are sorted by (``()``: the table's order, the order records were made in).
    order: tuple[str, ...] = ()
    #: The name of the package's handler method that turns a stored record into what is answered
    #: (then fitted to the answer's schema as any record is); ``None``: the record as stored.
    view: str | None = None
    #: The method that shows a record in a list, when a list shows less (``None``: :attr:`view`).
    list_view: str | None = None


@dataclasses.dataclass(frozen=True)
class Resource:
    """A kind of record: created at ``collection``, read, changed and deleted at ``item``."""

    #: The table's name (``pets``; ``owners_pets`` for a nested collection).
    name: str
    collection: str
    item: str
    #: The item path's last parameter (``petId``), which names the record.
    param: str
    #: The record field the key is kept in (``id``); hidden from answers when the schema has none.
    id_field: str
    id_hidden: bool
    #: The key's schema (the property's, else the path parameter's): how new keys are made.
    id_schema: dict[str, Any]
    #: The record's schema (a ``$ref`` or inline schema of the document), ``None`` when none is found.
    schema: Any
    parents: tuple[Parent, ...] = ()
    #: Where a package keeps the records (``None``: in the engine's own table).
    binding: Binding | None = None

    @property
    def owned(self) -> bool:
        """Whether each record belongs to one caller, who alone lists, reads and changes it."""
        return any(p.param == OWNER for p in self.parents)

    @property
    def integer_ids(self) -> bool:
        return self.id_schema.get("type") == "integer"


@dataclasses.dataclass(frozen=True)
class Scope:
    """What an override's rule (``engine_rule``) says of one request the engine answers: the
    fields the records it may list, read, change or delete have (``match``, also given to the
    records it creates), and the fields set on the records it creates (``created``)."""

    match: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    created: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Placement:
    """What answers one operation."""

    operation_id: str
    method: str
    path: str
    kind: str
    resource: str | None
    #: The documented success status answered, and its JSON schema (``None``: no JSON body).
    status: int
    schema: Any
    #: JSON pointer to where the record (or the list) sits in the answer (``""``: it is the answer;
    #: ``/data`` for ``{"data": {...}}``; ``None``: the answer carries none, it is made from the spec).
    envelope: str | None = None
    #: Why the operation was placed so, or why it could not be (``generic.explain`` shows it).
    reason: str = ""
    #: The key of the response that documents the answer (``200``, ``2XX``, ``default``; ``""``: none).
    response: str = ""

    @property
    def stateful(self) -> bool:
        return self.kind in STATEFUL


@dataclasses.dataclass(frozen=True)
class ApiModel:
    resources: dict[str, Resource]
    #: By operationId, in the spec's order.
    operations: dict[str, Placement]
    #: Put before each resource's name to name its table (:meth:`table`): a hand-built API's
    #: package keeps tables of its own in the same store (``generic.packaged``).
    table_prefix: str = ""

    def resource(self, name: str | None) -> Resource | None:
        return self.resources.get(name) if name else None

    def table(self, resource: Resource) -> str:
        """The name of the store's table that keeps ``resource``'s records."""
        return resource.binding.table if resource.binding is not None else self.table_prefix + resource.name

    @property
    def own_tables(self) -> tuple[str, ...]:
        """The tables the engine keeps and seeds (not those of a :class:`Binding`)."""
        return tuple(self.table(r) for r in self.resources.values() if r.binding is None)

    def serving(
        self, operation_ids: Collection[str], table_prefix: str, bindings: Mapping[str, Binding] | None = None
    ) -> ApiModel:
        """The model of ``operation_ids`` alone: their placements and the resources they act on,
        kept in tables named with ``table_prefix`` or in the tables ``bindings`` names by resource.
        A resource in the engine's own table comes with its parents' resources; a bound one with
        its bound parents' only (the package checks the others, ``Scope``)."""
        bindings = bindings or {}
        unknown = sorted(set(bindings) - set(self.resources))
        if unknown:
            raise ValueError(f"no resource {', '.join(unknown)} in the spec (known: {', '.join(self.resources)})")
        placements = {name: p for name, p in self.operations.items() if name in operation_ids}
        wanted: list[str | None] = [p.resource for p in placements.values() if p.resource in self.resources]
        kept: dict[str, Resource] = {}
        while wanted:
            name = wanted.pop()
            if name is None or name in kept or name not in self.resources:
                continue
            resource = self.resources[name]
            binding = bindings.get(name)
            if binding is None:
                wanted.extend(parent.resource for parent in resource.parents)
            else:
                fields = {p.param: binding.parents.get(p.param, p.field) for p in resource.parents}
                resource = dataclasses.replace(
                    resource,
                    binding=binding,
                    parents=tuple(
                        dataclasses.replace(
                            p, field=fields[p.param], resource=p.resource if p.resource in bindings else None
                        )
                        for p in resource.parents
                    ),
                )
                wanted.extend(p.resource for p in resource.parents)
            kept[name] = resource
        resources = {name: kept[name] for name in self.resources if name in kept}
        return ApiModel(resources, placements, table_prefix)
