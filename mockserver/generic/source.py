"""Reading a spec a user names (``--spec``) into the document the generic engine serves.

Only OpenAPI 3.0 is served: Connexion 3.3, which routes and validates every request, reads no
other version, so Swagger 2.0 and OpenAPI 3.1 are refused with the way forward. An operation
without an ``operationId`` gets one made from its method and path (``get /pets/{id}`` ->
``getPetsById``), and one whose handler name would clash with another's is renamed, so that every
operation has its own handler. Everything else is served as written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import yaml

from mockserver.engine.fixtures import read_yaml
from mockserver.engine.jsonpointer import resolve_pointer
from mockserver.engine.registry import handler_name
from mockserver.generic.inference import operations


class SpecRefused(ValueError):
    """A spec the generic engine cannot serve, with why and what to do (a message, no traceback)."""


def read_spec(path: Path) -> dict[str, Any]:
    """The document at ``path`` (JSON or YAML), refused unless it is OpenAPI 3.0."""
    if not path.is_file():
        raise SpecRefused(f"no spec file {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8")) if path.suffix.lower() == ".json" else read_yaml(path)
    except (ValueError, OSError, yaml.YAMLError) as exc:
        raise SpecRefused(f"{path} is neither JSON nor YAML: {type(exc).__name__}") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecRefused(f"{path} is no OpenAPI document (it has no paths)")
    version = str(document.get("openapi") or document.get("swagger") or "")
    if document.get("swagger"):
        raise SpecRefused(
            f"{path} is Swagger {version}: convert it to OpenAPI 3.0 first (`npx swagger2openapi {path.name}`)"
        )
    if version.startswith("3.1"):
        raise SpecRefused(
            f"{path} is OpenAPI {version}: served specs must be OpenAPI 3.0.x, because Connexion 3.3, which "
            "validates every request, reads no later version; write it as 3.0 (nullable instead of type "
            "lists, example instead of examples in schemas)"
        )
    if not version.startswith("3.0"):
        raise SpecRefused(f"{path} says openapi {version or '(nothing)'}: only OpenAPI 3.0.x is served")
    return document


def prepared(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` in which every operation has an ``operationId`` of its own handler
    name, and no reference points outside ``components`` (:func:`inlined`)."""
    document = inlined(document)  # new containers throughout: ``document`` itself is not changed
    taken: set[str] = set()
    for path, method, operation in operations(document):
        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str) or not operation_id or handler_name(operation_id) in taken:
            base = operation_id if isinstance(operation_id, str) and operation_id else made_up_id(method, path)
            operation_id, n = base, 2
            while handler_name(operation_id) in taken:
                operation_id, n = f"{base}{n}", n + 1
            operation["operationId"] = operation_id
        taken.add(handler_name(operation_id))
    return document


def needs_preparing(document: dict[str, Any]) -> bool:
    """Whether :func:`prepared` would change ``document``: an operation without an operationId of
    its own handler name, or a local reference outside ``#/components/``."""
    taken: set[str] = set()
    for _, _, operation in operations(document):
        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str) or not operation_id or handler_name(operation_id) in taken:
            return True
        taken.add(handler_name(operation_id))

    def outside(node: Any) -> bool:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and not ref.startswith("#/components/"):
                return True
            return any(outside(value) for value in node.values())
        return isinstance(node, list) and any(outside(item) for item in node)

    return outside(document)


def made_up_id(method: str, path: str) -> str:
    """``get /pets/{id}`` -> ``getPetsById``: an operationId for an operation that has none."""
    words = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            segment = "by_" + segment[1:-1]
        words += [w for w in re.split(r"[^0-9A-Za-z]+", segment) if w]
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)


def inlined(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each local ``$ref`` that points outside ``#/components/`` replaced by (a
    copy of) what it points to. Bundlers write references into other operations (DigitalOcean's
    ``#/paths/~1v2~11-clicks/get/responses/401``, 289 times); the validators resolve references
    within the components only. A reference that would contain itself stays."""

    def resolve(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and not ref.startswith("#/components/"):
                if ref in trail:
                    return node
                target = resolve_pointer(document, unquote(ref[1:]))  # a URI fragment: %7B is {
                return resolve(target, (*trail, ref)) if target is not None else node  # rebuilt: a copy
            return {key: resolve(value, trail) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item, trail) for item in node]
        return node

    return cast(dict[str, Any], resolve(document, ()))
