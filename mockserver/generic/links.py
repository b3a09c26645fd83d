"""OpenAPI links the mock infers between a resource's operations, added to the document it serves.

A spec rarely says that the ``id`` a create answers is what its read, update and delete take;
Schemathesis' stateful phase and ``mockserver contract``'s lifecycle pass follow links, and with
none they never reach a created record. For each resource whose create answers its key, the
create's success response gets a link to each item operation (``x-inferred``), passing the key
from the answer (``$response.body#/data/id``) and any parent from the create's own path. A response
that documents links of its own keeps them; a shared (``$ref``) response is copied into the
operation first, so that other operations' answers do not gain links.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.engine.jsonpointer import deref
from mockserver.generic import model
from mockserver.generic.inference import operations
from mockserver.generic.model import ApiModel, Placement, Resource

#: The item operations a create links to, in the order a record's life takes them.
_TARGETS = (model.READ, model.UPDATE, model.REPLACE, model.ACTION, model.DELETE)


def with_links(document: dict[str, Any], found: ApiModel) -> dict[str, Any]:
    """``document`` with the inferred links (changed in place: the caller's own copy)."""
    nodes = {str(op.get("operationId")): op for _, _, op in operations(document)}
    for resource in found.resources.values():
        if resource.id_hidden:
            continue
        creates = [p for p in found.operations.values() if p.resource == resource.name and p.kind == model.CREATE]
        targets = [
            p
            for kind in _TARGETS
            for p in found.operations.values()
            if p.resource == resource.name and p.kind == kind and _templates_item(p, resource)
        ]
        for create in creates:
            if create.envelope is None or not targets:
                continue
            response = _own_response(document, nodes[create.operation_id], create.response)
            if response is None or response.get("links"):
                continue
            key = f"$response.body#{create.envelope}/{resource.id_field}"
            response["links"] = {
                _name(target): {
                    "operationId": target.operation_id,
                    "parameters": {
                        resource.param: key,
                        **{p.param: f"$request.path.{p.param}" for p in resource.parents if p.param != model.OWNER},
                    },
                    "x-inferred": True,
                }
                for target in targets
            }
    return document


def _templates_item(placement: Placement, resource: Resource) -> bool:
    return "{" + resource.param + "}" in placement.path


def _name(target: Placement) -> str:
    return target.operation_id[:1].upper() + target.operation_id[1:]


def _own_response(document: dict[str, Any], operation: dict[str, Any], key: str) -> dict[str, Any] | None:
    responses = operation.get("responses") or {}
    code = next((c for c in responses if str(c) == key), None)
    if code is None:
        return None
    if isinstance(responses[code], dict) and "$ref" in responses[code]:
        responses[code] = copy.deepcopy(deref(document, responses[code]))
    response = responses[code]
    return response if isinstance(response, dict) else None
