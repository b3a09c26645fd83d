"""The generic engine's model of an API: the resources it found in the spec and, for every
operation, what answers it (``generic.inference`` builds it, ``generic.handlers`` acts on it,
``generic.explain`` shows it)."""

from __future__ import annotations

import dataclasses
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

    @property
    def owned(self) -> bool:
        """Whether each record belongs to one caller, who alone lists, reads and changes it."""
        return any(p.param == OWNER for p in self.parents)

    @property
    def integer_ids(self) -> bool:
        return self.id_schema.get("type") == "integer"


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

    @property
    def stateful(self) -> bool:
        return self.kind in STATEFUL


@dataclasses.dataclass(frozen=True)
class ApiModel:
    resources: dict[str, Resource]
    #: By operationId, in the spec's order.
    operations: dict[str, Placement]

    def resource(self, name: str | None) -> Resource | None:
        return self.resources.get(name) if name else None
