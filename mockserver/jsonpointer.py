"""JSON pointers (RFC 6901) and local ``$ref`` s: the one walker the linter, the fault modes and
the contract command's login share."""

from __future__ import annotations

from typing import Any


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (``/a/0/b``, or ``#/a/b`` as in a ``$ref``); ``None`` if absent."""
    node = document
    for part in pointer.removeprefix("#").split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def deref(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` (and the refs it leads to) followed; ``{}`` if one dangles."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if not node["$ref"].startswith("#/"):
            return {}
        found = resolve_pointer(spec, node["$ref"])
        node = {} if found is None else found
    return node
