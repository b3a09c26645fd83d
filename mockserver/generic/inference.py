"""Finds an API's resources in its spec and places every operation on one (``generic.model``).

A resource is an item path ``<collection>/{param}`` whose record schema can be found: in the item
``GET``'s answer, the collection ``POST``'s answer, the collection ``GET``'s list, or a body that
writes it. Answers may wrap the record (``{"data": {...}}``) or the list (``{"items": [...]}``):
the wrapper is found from the property names people use and from where the record's key sits.
The key field is the path parameter's name when the record has that property (``username``), else
the property its name ends in (``petId`` -> ``id``), else ``id``; without one, the key is kept in
a hidden field. A collection below another record (``/owners/{ownerId}/pets``) keeps each
record's parent in a hidden field, and its parent resource is the one whose item path it is below,
or whose name the parameter names (``projectKey`` -> ``projects``).

Operations are placed by method and path: collection ``GET`` (a list) and ``POST``, item ``GET``,
``PUT``, ``PATCH``, ``POST`` and ``DELETE``, a collection ``PUT`` whose body carries the key, a
``GET`` beside the item path answering a list of the same records (a search), anything below a
record (an action: the record must exist), and the rest answered from the spec.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from mockserver.generic import model
from mockserver.generic.model import ApiModel, Parent, Placement, Resource
from mockserver.generic.schemas import (
    flattened,
    is_array,
    is_object,
    normalised_path,
    path_parameter_schema,
    properties,
    request_schema,
    success,
)

#: Property names a list is wrapped in, after the collection's own name.
LIST_WRAPPERS = ("data", "items", "results", "records", "content", "values", "entries", "list", "rows", "elements")
#: Property names a single record is wrapped in, after the resource's singular name.
ITEM_WRAPPERS = ("data", "item", "result", "resource", "record", "object")
#: Path segments that name the caller: a collection below one holds each caller's own records.
SELF_SEGMENTS = frozenset({"me", "my", "self", "profile", "account", "current-user", "currentuser", "mine"})
#: Property names a key is commonly kept in, for a parameter that ends in one (``petId``, ``flag_key``).
KEY_NAMES = ("id", "uuid", "key", "slug", "name", "code", "number")
_PARAM = re.compile(r"^\{([^{}/]+)\}$")
#: A path parameter's constraints a new key must keep.
_KEY_BOUNDS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "minLength", "maxLength", "enum"}
)
#: The kinds whose answer is the record they read or wrote.
_ANSWERS_RECORD = frozenset({model.CREATE, model.READ, model.REPLACE, model.UPDATE, model.REPLACE_BY_BODY})


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation as (path, method, operation), in the spec's order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "options", "head", "trace") and isinstance(
                operation, dict
            ):
                yield path, method, operation


def singular(word: str) -> str:
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith("ss") and len(word) > 1:
        return word[:-1]
    return word


def _segments(template: str) -> list[str]:
    return [s for s in template.strip("/").split("/") if s]


def _table_name(collection: str, taken: set[str]) -> str:
    words = [s for s in _segments(collection) if not _PARAM.match(s)] or ["root"]
    base = re.sub(r"[^0-9a-zA-Z]+", "_", "_".join(words)).strip("_").lower() or "records"
    if base[0].isdigit():
        base = "t_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


class _Inference:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.paths: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
        for path, method, operation in operations(document):
            self.paths.setdefault(normalised_path(path), {})[method] = (path, operation)
        self.resources: dict[str, Resource] = {}
        #: Whether any operation needs credentials (records below ``/me`` then belong to the caller).
        self.secured = bool(document.get("security")) or any(
            operation.get("security") for _, _, operation in operations(document)
        )
        #: Item path (normalised) -> resource name.
        self.by_item: dict[str, str] = {}
        self.by_collection: dict[str, str] = {}

    # -- resources ---------------------------------------------------------------------------------
    def find_resources(self) -> None:
        taken: set[str] = set()
        items = [p for p in self.paths if len(_segments(p)) >= 2 and _PARAM.match(_segments(p)[-1])]
        # ``/flags/{projectKey}`` with nothing at ``/flags`` and records at ``/flags/{projectKey}/{key}``
        # is a collection below a parent, not a record.
        items = [p for p in items if not self._collection_like(p, items)]
        for item in sorted(items, key=lambda p: (len(_segments(p)), p)):
            collection = "/" + "/".join(_segments(item)[:-1])
            if collection in self.by_collection:
                continue  # a second item path on one collection (``/pets/{name}`` beside ``/pets/{id}``)
            param = _PARAM.match(_segments(item)[-1]).group(1)  # type: ignore[union-attr]
            schema = self._record_schema(item, collection)
            if schema is None:
                continue
            fields = properties(self.document, schema)
            id_field = key_field(param, fields)
            hidden = id_field is None
            id_field = id_field or f"__{param}"
            id_schema = flattened(self.document, fields.get(id_field)) if not hidden else {}
            param_schema = path_parameter_schema(self.document, item, param) or {"type": "string"}
            if not id_schema.get("type"):
                id_schema = param_schema
            else:  # new keys must be ones the path takes (the Petstore's orderId: 1 to 10)
                id_schema = {**id_schema, **{k: v for k, v in param_schema.items() if k in _KEY_BOUNDS}}
            name = _table_name(collection, taken)
            parents = tuple(Parent(p, f"__{p}", self._parent_of(collection, p)) for p in _params(collection))
            if self.secured and any(s.lower() in SELF_SEGMENTS for s in _segments(collection)):
                parents += (Parent(model.OWNER, model.OWNER, None),)
            resource = Resource(name, collection, item, param, id_field, hidden, id_schema, schema, parents)
            self.resources[name] = resource
            self.by_item[item] = name
            self.by_collection[collection] = name

    def _collection_like(self, path: str, items: list[str]) -> bool:
        parent = "/" + "/".join(_segments(path)[:-1])
        deeper = any(
            p != path and p.startswith(path + "/") and len(_segments(p)) == len(_segments(path)) + 1 for p in items
        )
        return deeper and parent not in self.paths

    def _record_schema(self, item: str, collection: str) -> Any:
        item_ops = self.paths.get(item, {})
        coll_ops = self.paths.get(collection, {})
        candidates: list[Any] = []
        singular_name = singular(_segments(collection)[-1]) if _segments(collection) else ""
        if "get" in item_ops:
            candidates.append(self._unwrap_item(success(self.document, item_ops["get"][1])[1], singular_name))
        if "get" in coll_ops:
            candidates.append(self._unwrap_list(success(self.document, coll_ops["get"][1])[1], collection)[0])
        if "post" in coll_ops:
            candidates.append(self._unwrap_item(success(self.document, coll_ops["post"][1])[1], singular_name))
        for method in ("put", "patch"):
            if method in item_ops:
                candidates.append(request_schema(self.document, item_ops[method][1]))
        if "post" in coll_ops:
            candidates.append(request_schema(self.document, coll_ops["post"][1]))
        usable = [c for c in candidates if c is not None and properties(self.document, c)]
        return usable[0] if usable else None

    def _parent_of(self, collection: str, param: str) -> str | None:
        """The resource whose records ``param`` names: the one whose item path ends at it, or whose
        name it names (``projectKey`` -> ``projects``)."""
        segments = _segments(collection)
        index = segments.index("{" + param + "}")
        prefix = "/" + "/".join(segments[: index + 1])
        if prefix in self.by_item:
            return self.by_item[prefix]
        stem = re.sub(r"(?i)[_-]?(id|key|slug|name|uuid|code)$", "", param).lower()
        for name, resource in self.resources.items():
            words = [s for s in _segments(resource.collection) if not _PARAM.match(s)]
            named = bool(words) and singular(words[-1]).lower().replace("-", "").replace("_", "") == stem.replace(
                "_", ""
            )
            if named and not resource.parents:
                return name
        return None

    # -- wrappers ----------------------------------------------------------------------------------
    def _unwrap_item(self, schema: Any, singular_name: str) -> Any:
        return self._item_envelope(schema, singular_name, None)[0]

    def _item_envelope(self, schema: Any, singular_name: str, id_field: str | None) -> tuple[Any, str | None]:
        """(the record's schema, where it sits) in an answer carrying one record; ``(None, None)``
        when the answer carries none."""
        if schema is None or not is_object(self.document, schema):
            return None, None
        fields = properties(self.document, schema)
        if id_field is not None and id_field in fields:
            return schema, ""
        for name in (singular_name, *ITEM_WRAPPERS):
            if name in fields and is_object(self.document, fields[name]):
                return fields[name], "/" + name
        if id_field is None or id_field.startswith("__"):
            return schema, ""
        inner = [
            n for n, s in fields.items() if is_object(self.document, s) and id_field in properties(self.document, s)
        ]
        if len(inner) == 1:
            return fields[inner[0]], "/" + inner[0]
        return schema, ""

    def _unwrap_list(self, schema: Any, collection: str) -> tuple[Any, str | None]:
        """(the listed records' schema, where the list sits) in a list answer; ``(None, None)``
        when the answer is no list."""
        if schema is None:
            return None, None
        flat = flattened(self.document, schema)
        if is_array(self.document, flat):
            return flat.get("items"), ""
        fields = properties(self.document, flat)
        arrays = [n for n, s in fields.items() if is_array(self.document, s)]
        words = [s for s in _segments(collection) if not _PARAM.match(s)]
        plural = words[-1] if words else ""
        for name in (plural, *LIST_WRAPPERS):
            if name in arrays:
                return flattened(self.document, fields[name]).get("items"), "/" + name
        if len(arrays) == 1:
            return flattened(self.document, fields[arrays[0]]).get("items"), "/" + arrays[0]
        return None, None

    # -- placements --------------------------------------------------------------------------------
    def place(self, path: str, method: str, operation: dict[str, Any]) -> Placement:
        status, schema, response = success(self.document, operation)
        return dataclasses.replace(self._place(path, method, operation, status, schema), response=response)

    def _place(self, path: str, method: str, operation: dict[str, Any], status: int, schema: Any) -> Placement:
        norm = normalised_path(path)
        operation_id = str(operation["operationId"])

        documented = any(str(code).startswith("2") for code in operation.get("responses") or {})

        def placed(kind: str, resource: Resource | None, envelope: str | None, reason: str) -> Placement:
            if envelope is None and kind in (model.LIST, model.SEARCH, model.CREATE_MANY):
                return Placement(operation_id, method, path, model.CANNED, None, status, schema, None, reason)
            if not documented and resource is not None and kind in _ANSWERS_RECORD:
                # No success documented (the Petstore's addPet): the record, as the API's reads show it.
                reason += "; no success documented: answers the record"
                return Placement(operation_id, method, path, kind, resource.name, 200, resource.schema, "", reason)
            return Placement(
                operation_id, method, path, kind, resource.name if resource else None, status, schema, envelope, reason
            )

        if norm in self.by_collection:
            resource = self.resources[self.by_collection[norm]]
            if method == "get":
                envelope = self._unwrap_list(schema, resource.collection)[1]
                return placed(
                    model.LIST,
                    resource,
                    envelope,
                    f"lists {resource.name}"
                    if envelope is not None
                    else "a GET on the collection whose answer is no list: answered from the spec",
                )
            if method == "post" and is_array(self.document, request_schema(self.document, operation)):
                envelope = self._unwrap_list(schema, resource.collection)[1]
                return placed(model.CREATE_MANY, resource, envelope, f"creates {resource.name} records from a list")
            if method == "post":
                return placed(
                    model.CREATE, resource, self._envelope(resource, schema), f"creates a {resource.name} record"
                )
            if method == "put" and resource.id_field in properties(
                self.document, request_schema(self.document, operation)
            ):
                return placed(
                    model.REPLACE_BY_BODY,
                    resource,
                    self._envelope(resource, schema),
                    f"replaces the {resource.name} record its body's {resource.id_field} names",
                )
        if norm in self.by_item:
            resource = self.resources[self.by_item[norm]]
            kind = {
                "get": model.READ,
                "put": model.REPLACE,
                "patch": model.UPDATE,
                "post": model.UPDATE,
                "delete": model.DELETE,
            }.get(method)
            if kind is not None:
                return placed(kind, resource, self._envelope(resource, schema), f"{kind}s a {resource.name} record")
        parent_path = "/" + "/".join(_segments(norm)[:-1])
        if method == "get" and parent_path in self.by_collection and not _PARAM.match(_segments(norm)[-1]):
            resource = self.resources[self.by_collection[parent_path]]
            listed, envelope = self._unwrap_list(schema, resource.collection)
            if listed is not None and self._same_records(listed, resource):
                return placed(model.SEARCH, resource, envelope, f"searches {resource.name} by the query's fields")
        if method == "post" and parent_path in self.by_collection and not _PARAM.match(_segments(norm)[-1]):
            resource = self.resources[self.by_collection[parent_path]]
            body = flattened(self.document, request_schema(self.document, operation))
            if is_array(self.document, body) and self._same_records(body.get("items"), resource):
                envelope = self._unwrap_list(schema, resource.collection)[1] if schema is not None else None
                return Placement(
                    operation_id,
                    method,
                    path,
                    model.CREATE_MANY,
                    resource.name,
                    status,
                    schema,
                    envelope,
                    f"creates {resource.name} records from a list",
                )
        owner = self._deepest_item_above(norm)
        if owner is not None:
            singular_name = singular(_segments(owner.collection)[-1])
            answered, envelope = self._item_envelope(schema, singular_name, owner.id_field)
            if answered is not None and envelope is not None and self._same_records(answered, owner):
                return placed(model.ACTION, owner, envelope, f"below a {owner.name} record: answers that record")
            return placed(
                model.ACTION, owner, None, f"below a {owner.name} record: answered from the spec once it exists"
            )
        return placed(model.CANNED, None, None, "no resource found for this path: answered from the spec")

    def _envelope(self, resource: Resource, schema: Any) -> str | None:
        singular_name = singular(_segments(resource.collection)[-1]) if _segments(resource.collection) else ""
        return self._item_envelope(schema, singular_name, resource.id_field)[1]

    def _same_records(self, listed: Any, resource: Resource) -> bool:
        if isinstance(listed, dict) and isinstance(resource.schema, dict) and "$ref" in listed:
            return listed.get("$ref") == resource.schema.get("$ref") or self._similar(listed, resource)
        return self._similar(listed, resource)

    def _similar(self, listed: Any, resource: Resource) -> bool:
        mine = set(properties(self.document, resource.schema))
        theirs = set(properties(self.document, listed))
        return bool(mine) and len(mine & theirs) * 2 >= len(mine | theirs)

    def _deepest_item_above(self, norm: str) -> Resource | None:
        segments = _segments(norm)
        for end in range(len(segments) - 1, 0, -1):
            prefix = "/" + "/".join(segments[:end])
            if prefix in self.by_item:
                return self.resources[self.by_item[prefix]]
        return None


def key_field(param: str, fields: dict[str, Any]) -> str | None:
    """The record property a path parameter names: itself, else the key name it ends in, else ``id``."""
    if param in fields:
        return param
    lower = param.lower()
    for name in KEY_NAMES:
        for field in (name, "_" + name):
            if field in fields and lower.endswith(name):
                return field
    return "id" if "id" in fields else None


def _params(template: str) -> list[str]:
    return [m.group(1) for s in _segments(template) if (m := _PARAM.match(s))]


def infer(document: dict[str, Any]) -> ApiModel:
    """The model of ``document`` (whose operations all have an ``operationId``: ``generic.source``)."""
    inference = _Inference(document)
    inference.find_resources()
    placements = {
        str(operation["operationId"]): inference.place(path, method, operation)
        for path, method, operation in operations(document)
    }
    return ApiModel(inference.resources, placements)
