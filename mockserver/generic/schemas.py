"""Reading a spec's schemas the way the generic engine needs them: references followed, ``allOf``
merged into one object schema, the JSON body of a request or response found, and an operation's
documented success."""

from __future__ import annotations

from typing import Any

from mockserver.engine.jsonpointer import deref

#: Success statuses in the order one is chosen to answer with.
SUCCESS_ORDER = ("200", "201", "202", "203", "204", "206", "2XX", "2xx")


def is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


#: :func:`flattened`'s answers, by the ids of the document and the schema (both kept, so that
#: neither id is reused while the entry lives). The documents never change once served.
_FLATTENED: dict[tuple[int, int], tuple[Any, Any, dict[str, Any]]] = {}


def flattened(document: dict[str, Any], schema: Any, depth: int = 0) -> dict[str, Any]:
    """``schema`` with references followed and ``allOf`` merged (properties and required joined),
    ``{}`` for anything that is not a schema object; worked out once per schema."""
    if not isinstance(schema, dict):
        return {}
    key = (id(document), id(schema))
    found = _FLATTENED.get(key)
    if found is None or found[0] is not document or found[1] is not schema:
        found = _FLATTENED[key] = (document, schema, _flattened(document, schema, depth))
    return found[2]


def _flattened(document: dict[str, Any], schema: Any, depth: int) -> dict[str, Any]:
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return {}
    if "allOf" not in schema or depth > 20:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in schema["allOf"]:
        flat = _flattened(document, part, depth + 1)
        properties.update(flat.get("properties") or {})
        required += [name for name in flat.get("required") or [] if name not in required]
        for key, value in flat.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
        merged.setdefault("type", "object")
    if required:
        merged["required"] = required
    return merged


def properties(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    found = flattened(document, schema).get("properties")
    return found if isinstance(found, dict) else {}


def is_object(document: dict[str, Any], schema: Any) -> bool:
    flat = flattened(document, schema)
    return flat.get("type") == "object" or bool(flat.get("properties"))


def is_array(document: dict[str, Any], schema: Any) -> bool:
    flat = flattened(document, schema)
    return flat.get("type") == "array" or "items" in flat


def json_content(document: dict[str, Any], holder: Any) -> tuple[str, Any] | None:
    """The JSON media type of a request body or response and its schema (``None`` when it has none)."""
    content = deref(document, holder).get("content") if isinstance(deref(document, holder), dict) else None
    for media_type, media in (content or {}).items():
        media = deref(document, media)
        if is_json(media_type) and isinstance(media, dict) and "schema" in media:
            return media_type, media["schema"]
    return None


def success(document: dict[str, Any], operation: dict[str, Any]) -> tuple[int, Any, str]:
    """The status an operation answers success with, its JSON schema (``None``: no JSON body) and
    the key of the response that documents it (``200``, ``2XX``, ``default``; ``""``: none does)."""
    responses = {str(code): value for code, value in (operation.get("responses") or {}).items()}
    code = next((c for c in SUCCESS_ORDER if c in responses), None)
    if code is None:
        code = next((c for c in responses if c.startswith("2")), None)
    if code is None:
        return (
            (200, None, "") if "default" not in responses else (200, _schema(document, responses["default"]), "default")
        )
    status = int(code) if code.isdigit() else 200
    return status, _schema(document, responses[code]), code


def _schema(document: dict[str, Any], response: Any) -> Any:
    found = json_content(document, response)
    return found[1] if found else None


def normalised_path(template: str) -> str:
    """``/pets/{id}/`` -> ``/pets/{id}``: a path template without empty segments."""
    return "/" + "/".join(s for s in template.strip("/").split("/") if s)


def path_parameter_schema(document: dict[str, Any], template: str, name: str) -> dict[str, Any] | None:
    """The schema of the path parameter ``name`` in any operation at ``template`` (as normalised)."""
    for raw, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict) or normalised_path(raw) != template:
            continue
        for holder in [item, *(op for op in item.values() if isinstance(op, dict))]:
            for parameter in holder.get("parameters") or []:
                parameter = flattened(document, parameter)
                if parameter.get("in") == "path" and parameter.get("name") == name:
                    return flattened(document, parameter.get("schema"))
    return None


def request_schema(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    found = json_content(document, operation.get("requestBody") or {})
    if found:
        return found[1]
    body = deref(document, operation.get("requestBody") or {})
    for media_type, media in ((body or {}).get("content") or {}).items():
        if "form" in media_type and isinstance(deref(document, media), dict):
            return deref(document, media).get("schema")
    return None
