"""The seeded records of an API served from its spec: ``volume`` records per resource, made from
the record schema with Faker (``engine.fakedata``: values chosen by field name and format, every
constraint kept) in the settings' locale; the same seed gives the same records.

A nested resource's records are spread over its parent's seeded records; where the parent is not a
resource here, they all sit under one parent value made from the parameter's schema (``--explain``
shows it). Keys are numbered for integer keys, and otherwise made to fit the key's schema
(:func:`new_key`).
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.fakedata import fake_instance
from mockserver.engine.problems import Conflict
from mockserver.engine.schemadata import Unsatisfiable, instance_of
from mockserver.engine.store import Store, Table
from mockserver.generic.auth import USERS
from mockserver.generic.model import OWNER, ApiModel, Resource
from mockserver.generic.schemas import path_parameter_schema


def populate_from(model: ApiModel, document: dict[str, Any], locale: str) -> Any:
    """The ``populate`` of :class:`~mockserver.engine.snapshots.Seeding` for ``model``."""

    def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Any = None) -> None:
        rng = random.Random(f"{seed}:generic")
        for resource in model.resources.values():
            if resource.binding is not None:
                continue  # a package's own table (``model.Binding``), which the package seeds
            table: Table = getattr(store, model.table(resource))
            parents = parent_choices(model, document, store, resource, seed)
            for index in range(volume):
                record = seeded_record(resource.schema, document, (seed, resource.name, index), locale)
                for parent in resource.parents:
                    choices = parents[parent.param]
                    # The demo users' records alternate, so that each has some.
                    record[parent.field] = (
                        choices[index % len(choices)] if parent.param == OWNER else rng.choice(choices)
                    )
                try:
                    record[resource.id_field] = new_key(resource, table, document, (seed, resource.name, index))
                except Conflict:
                    break  # every key the item path takes is used (the Petstore's orders: 1 to 10)
                table.insert(record, key_field=resource.id_field)

    return populate


def seeded_record(schema: Any, document: dict[str, Any], key: object, locale: str) -> dict[str, Any]:
    """A record made from ``schema`` with Faker (``{}`` where the schema cannot be satisfied)."""
    try:
        value = fake_instance(schema, document, key, locale=locale)
    except (Unsatisfiable, RecursionError):
        value = {}
    return value if isinstance(value, dict) else {}


def parent_value(document: dict[str, Any], resource: Resource, param: str, seed: int) -> Any:
    """The one parent value of a nested resource whose parent is no resource here."""
    schema = (
        path_parameter_schema(document, resource.item, param)
        or path_parameter_schema(document, resource.collection, param)
        or {"type": "string"}
    )
    if schema.get("type") == "integer":
        return 1
    try:
        value = instance_of(schema, document, (seed, "parent", param))
    except Unsatisfiable:
        value = None
    return value if isinstance(value, str | int) and value != "" else f"{param}-1"


def parent_choices(
    model: ApiModel, document: dict[str, Any], store: Store, resource: Resource, seed: int
) -> dict[str, list[Any]]:
    choices: dict[str, list[Any]] = {}
    for parent in resource.parents:
        if parent.param == OWNER:  # the demo users' own records, spread between them
            choices[parent.param] = list(USERS)
            continue
        owner = model.resource(parent.resource)
        keys = list(getattr(store, model.table(owner)).keys()) if owner is not None else []
        choices[parent.param] = keys or [parent_value(document, resource, parent.param, seed)]
    return choices


def _free_number(resource: Resource, table: Table) -> int | None:
    """``None`` (the table's next number) unless the key is bounded: then the least free number in
    bounds (a full range: :class:`~mockserver.engine.problems.Conflict`)."""
    schema = resource.id_schema
    # ``format: int32`` bounds a key as a maximum does (a client may have taken 2**31 - 1).
    implied = {"int32": 2**31 - 1, "int64": 2**63 - 1}.get(str(schema.get("format")))
    if "maximum" not in schema and implied is None:
        return None
    low = int(schema.get("minimum", 1)) + (1 if schema.get("exclusiveMinimum") else 0)
    ceiling: Any = schema.get("maximum", implied)
    high = int(ceiling) - (1 if schema.get("exclusiveMaximum") else 0)
    if implied is not None:
        high = min(high, implied)
    if low <= table.upcoming_id <= high:
        return None
    for number in range(low, min(high, low + 100_000) + 1):
        if number not in table:
            return number
    raise Conflict(f"Every {resource.id_field} from {low} to {high} is taken.")


def new_key(resource: Resource, table: Table, document: dict[str, Any], key: object) -> Any:
    """A key no record of ``table`` has: the next number for integer keys (``None``: the table numbers
    it), else a value of the key's schema (a UUID for ``format: uuid``), else the next number as text."""
    if resource.integer_ids:
        return _free_number(resource, table)
    schema = resource.id_schema
    if schema.get("format") == "uuid":
        # The table's counter moves on with each key (text keys take no number of their own).
        rng = random.Random(f"{key}:{table.next_id()}")
        made = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        while made in table:
            made = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return made
    if "enum" in schema:  # the keys the path takes are these: the first free one, or none left
        free = [v for v in schema["enum"] if isinstance(v, str) and v not in table]
        if not free:
            raise Conflict(f"Every {resource.id_field} the API takes ({', '.join(map(str, schema['enum']))}) is taken.")
        return free[0]
    constrained = any(k in schema for k in ("pattern", "minLength", "maxLength", "format"))
    if constrained:
        for attempt in range(20):
            try:
                value = instance_of(schema, document, (key, table.upcoming_id, attempt))
            except Unsatisfiable:
                break
            if isinstance(value, str) and value and value not in table:
                return value
    number = table.next_id()
    while str(number) in table:
        number = table.next_id()
    return str(number)
