"""A scripted create -> list -> read -> update -> delete round trip over every resource a served-
from-spec API was found to have (``generic.explain``'s model), with request bodies made from the
spec's own request schemas."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from mockserver.engine.fakedata import fake_instance
from mockserver.engine.jsonpointer import deref, resolve_pointer
from mockserver.generic import model
from mockserver.generic.auth import kind_of, proves_identity, schemes, token_for
from mockserver.generic.schemas import flattened, properties, request_schema
from mockserver.generic.state import GenericSpec


def headers_for(spec: GenericSpec, user: str = "alice") -> dict[str, str]:
    """Every header credential the spec's schemes name, with the demo user's token (or any value)."""
    token = token_for(spec.name, user)
    found: dict[str, str] = {}
    for scheme in schemes(spec.document).values():
        kind = kind_of(scheme)
        if kind in ("bearer", "oauth2"):
            found["Authorization"] = f"Bearer {token}"
        elif kind == "apiKey" and scheme.get("in") == "header":
            found[str(scheme["name"])] = token if proves_identity(scheme) else "my-app"
    return found


def _query_credentials(spec: GenericSpec, user: str = "alice") -> dict[str, str]:
    return {
        str(s["name"]): token_for(spec.name, user)
        for s in schemes(spec.document).values()
        if kind_of(s) == "apiKey" and s.get("in") == "query"
    }


def _operation(spec: GenericSpec, operation_id: str) -> dict[str, Any]:
    for item in spec.document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise KeyError(operation_id)


def _url(spec: GenericSpec, base: str, placement: model.Placement, values: dict[str, Any]) -> str:
    path = re.sub(r"\{([^{}]+)\}", lambda m: str(values[m.group(1)]), placement.path)
    return base + path


def _body(spec: GenericSpec, placement: model.Placement, seed: object, resource: model.Resource) -> Any:
    """A body made from the operation's schema: without the key (the server numbers it), and for a
    JSON Patch, one that replaces the record's ``name`` (or first text field)."""
    schema = request_schema(spec.document, _operation(spec, placement.operation_id))
    if schema is None:
        return None
    body = fake_instance(schema, spec.document, seed)
    flat = flattened(spec.document, schema)
    patch_items = properties(spec.document, flat.get("items")) if flat.get("type") == "array" else {}
    if {"op", "path"} <= set(patch_items) or "patch" in properties(spec.document, schema):
        op_fields = patch_items or properties(
            spec.document, flattened(spec.document, properties(spec.document, schema)["patch"]).get("items")
        )
        kind = flattened(spec.document, op_fields.get("value")).get("type")
        fields = properties(spec.document, resource.schema)
        typed = [
            n
            for n, s in fields.items()
            if flattened(spec.document, s).get("type") == (kind or "string")
            and n != resource.id_field
            and not flattened(spec.document, s).get("readOnly")
        ]
        name = "name" if "name" in typed else typed[0]
        value = (
            "Changed by the round trip" if kind in (None, "string") else fake_instance(fields[name], spec.document, 3)
        )
        ops = [{"op": "add", "path": f"/{name}", "value": value}]
        return ops if patch_items else {**body, "patch": ops}
    required = flat.get("required") or []
    for item in body if isinstance(body, list) else [body]:
        if isinstance(item, dict) and resource.id_field not in required and resource.integer_ids:
            item.pop(resource.id_field, None)
    return body


def _send(
    client: TestClient, spec: GenericSpec, placement: model.Placement, url: str, body: Any, **options: Any
) -> Any:
    """The request, its body as the operation takes it: JSON, or a form where it takes only one."""
    content = (
        deref(spec.document, _operation(spec, placement.operation_id).get("requestBody") or {}).get("content") or {}
    )
    if body is not None and not any("json" in media for media in content):
        return client.request(placement.method, url, data=body, **options)
    return client.request(placement.method, url, json=body, **options)


def _record(body: Any, placement: model.Placement) -> Any:
    if placement.envelope in (None, ""):
        return body
    return resolve_pointer(body, placement.envelope)


def roundtrip(client: TestClient, spec: GenericSpec, base: str, resource: model.Resource) -> list[str]:
    """Walks ``resource``'s life; answers the steps taken (each asserted as it goes)."""
    kinds = {p.kind: p for p in spec.model.operations.values() if p.resource == resource.name}
    headers = headers_for(spec)
    params = _query_credentials(spec)
    values: dict[str, Any] = {}
    for parent in resource.parents:  # the first seeded parent record, or the seeded parent value
        owner = spec.model.resource(parent.resource)
        listing = next(
            (p for p in spec.model.operations.values() if owner and p.resource == owner.name and p.kind == model.LIST),
            None,
        )
        assert listing is None or not owner.parents, "nested parents of nested parents: not walked here"
        state_records = client.app.runtime.apis[spec.name].state.records  # type: ignore[attr-defined]
        table = state_records.table(owner) if owner else state_records.table(resource)
        first = table.all()[0]
        values[parent.param] = first[owner.id_field] if owner else first[parent.field]
    steps = []
    create = kinds.get(model.CREATE) or kinds[model.CREATE_MANY]
    response = _send(
        client,
        spec,
        create,
        _url(spec, base, create, values),
        _body(spec, create, 1, resource),
        headers=headers,
        params=params,
    )
    assert response.status_code == create.status, (create.operation_id, response.status_code, response.text)
    created = _record(response.json(), create)
    created = created[0] if create.kind == model.CREATE_MANY else created
    key = created[resource.id_field]
    values[resource.param] = key
    steps.append(f"created {key}")
    if model.LIST in kinds:
        listing = kinds[model.LIST]
        response = client.get(_url(spec, base, listing, values), headers=headers, params=params)
        assert response.status_code == listing.status, response.text
        listed = _record(response.json(), listing)
        assert key in [r.get(resource.id_field) for r in listed], (listing.operation_id, key)
        steps.append("listed")
    read = kinds[model.READ]
    response = client.get(_url(spec, base, read, values), headers=headers, params=params)
    assert response.status_code == read.status, response.text
    assert _record(response.json(), read)[resource.id_field] == key
    steps.append("read")
    change = kinds.get(model.UPDATE) or kinds.get(model.REPLACE)
    if change is not None:
        body = _body(spec, change, 2, resource)
        response = _send(client, spec, change, _url(spec, base, change, values), body, headers=headers, params=params)
        assert response.status_code == change.status, (change.operation_id, response.text)
        after = _record(client.get(_url(spec, base, read, values), headers=headers, params=params).json(), read)
        shown = properties(spec.document, read.schema if read.envelope == "" else None) or after
        ops = body if isinstance(body, list) else (body.get("patch") if isinstance(body, dict) else None)
        if isinstance(ops, list):
            body = {op["path"][1:]: op["value"] for op in ops}
        changed = [n for n, v in (body or {}).items() if n in shown and n != resource.id_field and after.get(n) == v]
        semantic = isinstance(body, dict) and "instructions" in body and "patch" not in body
        assert changed or semantic, (change.operation_id, body, after)
        steps.append(f"changed {len(changed)} fields")
    delete = kinds[model.DELETE]
    response = client.request(delete.method, _url(spec, base, delete, values), headers=headers, params=params)
    assert response.status_code == delete.status, response.text
    response = client.get(_url(spec, base, read, values), headers=headers, params=params)
    assert response.status_code == 404, response.text
    steps.append("deleted, then 404")
    return steps
