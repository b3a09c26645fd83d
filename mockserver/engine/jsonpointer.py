"""JSON pointers (RFC 6901) and local ``$ref`` s: the one walker the linter, the fault modes and
the contract command's login share."""

from __future__ import annotations

from typing import Any


def pointer_tokens(pointer: str) -> tuple[str, ...]:
    """The reference tokens of ``pointer`` (``/a/0/b``, or ``#/a/b`` as in a ``$ref``), unescaped."""
    parts = pointer.removeprefix("#").split("/")[1:]
    if "~" in pointer:
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in parts)
    return tuple(parts)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (``/a/0/b``, or ``#/a/b`` as in a ``$ref``); ``None`` if absent."""
    node = document
    for key in pointer_tokens(pointer):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def deref(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` (and the refs it leads to) followed; ``{}`` if one dangles
    or the chain comes back to a reference it followed (``A`` -> ``B`` -> ``A``: nothing at its end)."""
    followed: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in followed:
            return {}
        followed.add(ref)
        found = resolve_pointer(spec, ref)
        node = {} if found is None else found
    return node


#: Keywords whose value is a schema, a list of schemas or a map of names to schemas (Draft 4 and
#: OpenAPI 3.0): where :func:`inline_refs` looks for ``$ref`` s (not in examples, enums, defaults).
_ONE_SCHEMA = frozenset({"additionalProperties", "additionalItems", "items", "not"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "items"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependencies", "definitions"})


def inline_refs(schema: Any, document: dict[str, Any]) -> Any:
    """``schema`` with each local ``$ref`` replaced by what it points to in ``document`` (shared, not
    copied; its siblings ignored, as Draft 4 and OpenAPI 3.0 do), as Connexion resolves its spec:
    a validator then follows no references while it checks. A ``$ref`` inside the schema it points
    to (a recursive schema) and one that dangles stay as they are."""
    done: dict[int, Any] = {}

    def walk(node: Any, within: frozenset[int]) -> Any:
        if isinstance(node, list):
            return [walk(item, within) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = resolve_pointer(document, ref) if ref.startswith("#/") else None
            if target is None or id(target) in within:
                return node
            if id(target) not in done:
                done[id(target)] = walk(target, within | {id(target)})
            return done[id(target)]
        changed = {}
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                changed[key] = {name: walk(sub, within) for name, sub in value.items()}
            elif (key in _ONE_SCHEMA and isinstance(value, dict)) or (key in _SCHEMA_LISTS and isinstance(value, list)):
                changed[key] = walk(value, within)
        return {**node, **changed} if changed else node

    return walk(schema, frozenset())
