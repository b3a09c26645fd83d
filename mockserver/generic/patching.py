"""Changes a ``PATCH`` body asks for, as the record's new top-level fields: a merge (a JSON object
of fields), or a JSON Patch (RFC 6902: a list of ``add``/``replace``/``remove`` operations on JSON
pointers; also the ``{"patch": [...]}`` many APIs wrap it in, beside a comment). Operations on paths
the record does not have, and ``test``/``move``/``copy``, change nothing; a body that only names
instructions (a "semantic patch") changes no field.

Written here rather than taken from ``jsonpatch``: that package is not among our dependencies, and
the mock needs only the three operations on plain JSON values, without failing on any of them.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.engine.jsonpointer import pointer_tokens, resolve_pointer
from mockserver.engine.store import REMOVED

Record = dict[str, Any]


def operations_of(body: Any) -> list[dict[str, Any]] | None:
    """The JSON Patch operations of a body (``None``: the body is no JSON Patch)."""
    ops = body.get("patch") if isinstance(body, dict) and isinstance(body.get("patch"), list) else body
    if isinstance(ops, list) and all(isinstance(o, dict) and "op" in o and "path" in o for o in ops):
        return ops
    return None


def patched_fields(record: Record, ops: list[dict[str, Any]]) -> Record:
    """The top-level fields the operations change, with their new values (:data:`REMOVED` for one
    they remove)."""
    work = copy.deepcopy(record)
    touched: set[str] = set()
    for op in ops:
        path = str(op.get("path", ""))
        parts = pointer_tokens(path)
        if not parts or op.get("op") not in ("add", "replace", "remove"):
            continue
        parent = resolve_pointer(work, path.rpartition("/")[0])
        if parent is None or not _apply(parent, parts[-1], op):
            continue
        touched.add(parts[0])
    return {name: work.get(name, REMOVED) for name in touched}


def _apply(parent: Any, last: str, op: dict[str, Any]) -> bool:
    kind = op["op"]
    if isinstance(parent, dict):
        if kind == "remove":
            return parent.pop(last, REMOVED) is not REMOVED
        if kind == "replace" and last not in parent:
            return False
        parent[last] = copy.deepcopy(op.get("value"))
        return True
    if isinstance(parent, list):
        if last == "-" and kind == "add":
            parent.append(copy.deepcopy(op.get("value")))
            return True
        if not last.isdigit() or int(last) > len(parent) - (0 if kind == "add" else 1):
            return False
        index = int(last)
        if kind == "remove":
            parent.pop(index)
        elif kind == "add":
            parent.insert(index, copy.deepcopy(op.get("value")))
        else:
            parent[index] = copy.deepcopy(op.get("value"))
        return True
    return False
