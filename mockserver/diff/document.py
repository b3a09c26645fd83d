"""One spec to compare: local ``$ref`` resolution (chains and cycles included) and ``allOf`` merged
into one schema, the way both sides of a diff read a schema."""

from __future__ import annotations

from typing import Any

from mockserver.engine.jsonpointer import resolve_pointer

_MAX_REF_CHAIN = 64


class Document:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def pointer(self, ref: str) -> Any:
        """What a local ``#/a/b`` reference points at, or ``None`` (an external or broken one)."""
        return resolve_pointer(self.data, ref) if ref.startswith("#") else None

    def resolve(self, node: Any) -> tuple[str | None, Any]:
        """The node a (chain of) ``$ref`` leads to, and the last reference followed. An external,
        broken or cyclic reference resolves to an empty node: nothing to compare inside."""
        ref: str | None = None
        for _ in range(_MAX_REF_CHAIN):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return ref, node
            ref = node["$ref"]
            node = self.pointer(ref)
        return ref, {}

    def schema(self, node: Any) -> tuple[str | None, dict[str, Any]]:
        """A schema resolved, with its ``allOf`` parts merged in (``properties`` joined, ``required``
        united, any other keyword from the first part that has it)."""
        ref, resolved = self.resolve(node)
        if not isinstance(resolved, dict):
            return ref, {}
        return ref, self._merged(resolved, frozenset({ref} if ref else ()))

    def _merged(self, schema: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
        parts = schema.get("allOf")
        if not isinstance(parts, list):
            return schema
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties") or {})
        required: list[Any] = list(merged.get("required") or [])
        for part in parts:
            ref, resolved = self.resolve(part)
            if ref in seen or not isinstance(resolved, dict):
                continue  # an allOf that includes itself adds nothing more
            resolved = self._merged(resolved, seen | ({ref} if ref else set()))
            for key, value in resolved.items():
                if key == "properties" and isinstance(value, dict):
                    for name, sub in value.items():
                        properties.setdefault(name, sub)
                elif key == "required" and isinstance(value, list):
                    required += [name for name in value if name not in required]
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged
