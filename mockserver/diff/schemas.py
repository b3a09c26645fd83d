"""Two versions of one schema compared, keyword by keyword and down its properties, items and
alternatives; each change reported as its ``request-…`` or ``response-…`` rule (``rules``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from mockserver.diff.document import Document
from mockserver.diff.model import pointer

Flow = Literal["request", "response"]
# (rule id, location, message, old value, new value)
Emit = Callable[[str, str, str, Any, Any], None]

_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
_LENGTHS = (("minLength", "maxLength"), ("minItems", "maxItems"), ("minProperties", "maxProperties"))


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _variants(schema: dict[str, Any]) -> list[Any] | None:
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return list(schema[key])
    return None


def _is_null(schema: dict[str, Any]) -> bool:
    return schema.get("enum") == [None] or schema.get("type") == "null"


class SchemaComparer:
    """Compares schemas of one flow: in a request the client writes and the server reads, in a
    response the reverse. Each pair of references is followed once per walk, so recursive schemas
    end."""

    def __init__(self, old: Document, new: Document, flow: Flow, emit: Emit) -> None:
        self.old, self.new, self.flow = old, new, flow
        self._emit = emit

    def compare(self, old: Any, new: Any, location: str) -> None:
        self._walk(old, new, location, frozenset())

    def emit(self, aspect: str, location: str, message: str, old: Any = None, new: Any = None) -> None:
        self._emit(f"{self.flow}-{aspect}", location, message, old, new)

    def _walk(
        self,
        old_raw: Any,
        new_raw: Any,
        loc: str,
        seen: frozenset[tuple[str | None, str | None]],
        nullable_done: bool = False,
    ) -> None:
        old_ref, old = self.old.schema(old_raw)
        new_ref, new = self.new.schema(new_raw)
        if old_ref or new_ref:
            if (old_ref, new_ref) in seen:
                return
            seen = seen | {(old_ref, new_ref)}
        # Null is compared once, whatever its form: `nullable: true`, null in the enum, or an
        # alternative `{enum: [null]}` (`anyOf: [X, {enum: [null]}]` is X made nullable).
        old_null, old_variants = self._split(self.old, old)
        new_null, new_variants = self._split(self.new, new)
        if not nullable_done and old_null != new_null:
            self.emit(
                "nullable-added" if new_null else "nullable-removed",
                loc + "/nullable",
                "null allowed now" if new_null else "null no longer allowed",
                old_null,
                new_null,
            )
        if old_variants is not None or new_variants is not None:
            lone_old = old_variants[0] if old_variants is not None and len(old_variants) == 1 else None
            lone_new = new_variants[0] if new_variants is not None and len(new_variants) == 1 else None
            if (lone_old is not None or old_variants is None) and (lone_new is not None or new_variants is None):
                # One alternative left besides null: it is the schema.
                old_one = old_raw if lone_old is None else lone_old
                new_one = new_raw if lone_new is None else lone_new
                self._walk(old_one, new_one, loc, seen, nullable_done=True)
                return
            keyword = "oneOf" if "oneOf" in (new if new_variants is not None else old) else "anyOf"
            self._alternatives(
                [old_raw] if old_variants is None else old_variants,
                [new_raw] if new_variants is None else new_variants,
                f"{loc}/{keyword}",
                seen,
                wrapped=old_variants is None or new_variants is None,
            )
            if old_variants is None or new_variants is None:
                return
        if self._type(old, new, loc):
            return  # string to integer: its other keywords are not comparable
        self._enum(old, new, loc)
        self._format(old, new, loc)
        self._pattern(old, new, loc)
        self._range(old, new, loc)
        self._lengths(old, new, loc)
        if self.flow == "request":
            self._default(old, new, loc)
        self._properties(old, new, loc, seen)
        self._additional(old, new, loc, seen)
        if "items" in old or "items" in new:
            self._walk(old.get("items", {}), new.get("items", {}), loc + "/items", seen)

    @staticmethod
    def _split(doc: Document, schema: dict[str, Any]) -> tuple[bool, list[Any] | None]:
        """Whether a schema allows null, and its anyOf/oneOf alternatives other than null. Without
        a ``type`` (or enum, or alternatives) null is valid already: ``nullable`` adds nothing there."""
        enum = schema.get("enum")
        nullable = schema.get("nullable") is True or (isinstance(enum, list) and None in enum)
        variants = _variants(schema)
        if variants is None:
            return nullable or ("type" not in schema and enum is None), None
        others = [raw for raw in variants if not _is_null(doc.schema(raw)[1])]
        return nullable or len(others) < len(variants), others

    # Keywords.

    def _type(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> bool:
        was, now = old.get("type"), new.get("type")
        if was == now:
            return False
        where = loc + "/type"
        if was is None:
            self.emit("type-narrowed", where, f"type {now} where there was none", was, now)
        elif now is None:
            self.emit("type-widened", where, f"type {was} dropped", was, now)
        elif (was, now) == ("integer", "number"):
            self.emit("type-widened", where, "type integer widened to number", was, now)
        elif (was, now) == ("number", "integer"):
            self.emit("type-narrowed", where, "type number narrowed to integer", was, now)
        else:
            self.emit("type-changed", where, f"type changed from {was} to {now}", was, now)
            return True
        return False

    def _enum(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        # null in an enum is the schema's nullability, compared apart.
        was = [v for v in old["enum"] if v is not None] if isinstance(old.get("enum"), list) else None
        now = [v for v in new["enum"] if v is not None] if isinstance(new.get("enum"), list) else None
        where = loc + "/enum"
        if was is None and now is None:
            return
        if was is None:
            self.emit("enum-narrowed", where, f"values limited to {_canon(now)}", None, now)
        elif now is None:
            self.emit("enum-widened", where, f"enum {_canon(was)} dropped", was, None)
        else:
            now_keys, was_keys = {_canon(v) for v in now}, {_canon(v) for v in was}
            removed = [v for v in was if _canon(v) not in now_keys]
            added = [v for v in now if _canon(v) not in was_keys]
            if removed:
                self.emit("enum-narrowed", where, f"enum values removed: {_canon(removed)}", removed, None)
            if added:
                self.emit("enum-widened", where, f"enum values added: {_canon(added)}", None, added)

    def _format(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        was, now = old.get("format"), new.get("format")
        if was == now:
            return
        where = loc + "/format"
        if was is None or (now, was) in _WIDER_FORMATS:
            self.emit("format-narrowed", where, f"format {was or 'none'} narrowed to {now}", was, now)
        elif now is None or (was, now) in _WIDER_FORMATS:
            self.emit("format-widened", where, f"format {was} widened to {now or 'none'}", was, now)
        else:
            self.emit("format-changed", where, f"format changed from {was} to {now}", was, now)

    def _pattern(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        was, now = old.get("pattern"), new.get("pattern")
        if was == now:
            return
        where = loc + "/pattern"
        if was is None:
            self.emit("pattern-narrowed", where, f"pattern {now} where there was none", was, now)
        elif now is None:
            self.emit("pattern-widened", where, f"pattern {was} dropped", was, now)
        else:
            self.emit("pattern-changed", where, f"pattern changed from {was} to {now}", was, now)

    def _range(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        for key, exclusive, sign in (("minimum", "exclusiveMinimum", 1), ("maximum", "exclusiveMaximum", -1)):
            was, now = _number(old.get(key)), _number(new.get(key))
            was_ex, now_ex = old.get(exclusive) is True, new.get(exclusive) is True
            if (was, was_ex) == (now, now_ex) or (was is None and now is None):
                continue
            if was is None:
                narrower = True
            elif now is None:
                narrower = False
            elif was == now:
                narrower = now_ex
            else:
                narrower = (now - was) * sign > 0
            shown = f"{'exclusive ' if was_ex else ''}{was}", f"{'exclusive ' if now_ex else ''}{now}"
            self.emit(
                "range-narrowed" if narrower else "range-widened",
                f"{loc}/{key}",
                f"{key} {'narrowed' if narrower else 'widened'} from {shown[0]} to {shown[1]}",
                was,
                now,
            )
        was, now = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
        if was != now:
            where = loc + "/multipleOf"
            message = f"multipleOf changed from {was} to {now}"
            narrower = was is None or (now is not None and now % was == 0)
            wider = now is None or (was is not None and was % now == 0)
            if narrower or not wider:
                self.emit("range-narrowed", where, message, was, now)
            if wider or not narrower:
                self.emit("range-widened", where, message, was, now)

    def _lengths(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        for low, high in _LENGTHS:
            was, now = _number(old.get(low)) or 0, _number(new.get(low)) or 0
            if was != now:
                aspect = "length-narrowed" if now > was else "length-widened"
                self.emit(aspect, f"{loc}/{low}", f"{low} changed from {was} to {now}", was, now)
            was_max, now_max = _number(old.get(high)), _number(new.get(high))
            if was_max != now_max:
                narrower = was_max is None or (now_max is not None and now_max < was_max)
                aspect = "length-narrowed" if narrower else "length-widened"
                self.emit(aspect, f"{loc}/{high}", f"{high} changed from {was_max} to {now_max}", was_max, now_max)

    def _default(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        if "default" in old and _canon(old["default"]) != _canon(new.get("default")):
            now = new.get("default")
            shown = _canon(now) if "default" in new else "none"
            self.emit(
                "default-changed",
                loc + "/default",
                f"default {_canon(old['default'])} became {shown}",
                old["default"],
                now,
            )

    # Structure.

    def _visible(self, doc: Document, schema: dict[str, Any]) -> dict[str, Any]:
        """The properties of this flow: a read-only one is not part of a request, a write-only one
        not of a response."""
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return {}
        hidden = "readOnly" if self.flow == "request" else "writeOnly"
        return {name: sub for name, sub in properties.items() if doc.schema(sub)[1].get(hidden) is not True}

    def _properties(self, old: dict[str, Any], new: dict[str, Any], loc: str, seen: frozenset[Any]) -> None:
        was, now = self._visible(self.old, old), self._visible(self.new, new)
        was_required = set(old.get("required") or ()) if isinstance(old.get("required"), list) else set()
        now_required = set(new.get("required") or ()) if isinstance(new.get("required"), list) else set()
        for name in was:
            where = loc + pointer("properties", name)
            if name not in now:
                required = name in was_required
                aspect = "required-property-removed" if required and self.flow == "request" else "property-removed"
                self.emit(aspect, where, f"{'required ' if required else ''}property {name} removed")
            elif name in now_required and name not in was_required:
                self.emit("property-became-required", where, f"property {name} became required")
            elif name in was_required and name not in now_required:
                self.emit("property-became-optional", where, f"property {name} became optional")
        for name in now:
            if name not in was:
                required = name in now_required
                aspect = "property-added-required" if required else "property-added-optional"
                where = loc + pointer("properties", name)
                self.emit(aspect, where, f"{'required' if required else 'optional'} property {name} added")
        for name in was:
            if name in now:
                self._walk(was[name], now[name], loc + pointer("properties", name), seen)

    def _additional(self, old: dict[str, Any], new: dict[str, Any], loc: str, seen: frozenset[Any]) -> None:
        if "additionalProperties" not in old and "additionalProperties" not in new:
            return
        was, now = old.get("additionalProperties", True), new.get("additionalProperties", True)
        where = loc + "/additionalProperties"
        if isinstance(was, dict) and isinstance(now, dict):
            self._walk(was, now, where, seen)
            return
        # True (anything) is wider than a schema, which is wider than False (nothing).
        rank = {True: 2, False: 0}
        was_rank = 1 if isinstance(was, dict) else rank.get(was, 2)
        now_rank = 1 if isinstance(now, dict) else rank.get(now, 2)
        if was_rank == now_rank:
            return
        aspect = "additional-properties-narrowed" if now_rank < was_rank else "additional-properties-widened"
        shown = {0: "none", 1: "a schema", 2: "any"}
        message = f"properties not listed: {shown[was_rank]} before, {shown[now_rank]} now"
        self.emit(
            aspect,
            where,
            message,
            was if not isinstance(was, dict) else None,
            now if not isinstance(now, dict) else None,
        )

    def _key(self, doc: Document, raw: Any, index: int) -> str:
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            return f"ref:{raw['$ref']}"
        schema = doc.schema(raw)[1]
        if "type" in schema:
            return f"type:{schema['type']}"
        return f"#{index}"

    def _keyed(self, doc: Document, variants: list[Any]) -> dict[str, tuple[int, Any]]:
        keyed: dict[str, tuple[int, Any]] = {}
        for index, raw in enumerate(variants):
            key = self._key(doc, raw, index)
            while key in keyed:
                key += "'"
            keyed[key] = (index, raw)
        return keyed

    def _alternatives(self, old: list[Any], new: list[Any], loc: str, seen: frozenset[Any], wrapped: bool) -> None:
        """anyOf/oneOf alternatives (at ``loc``, the keyword's location) matched by their reference,
        else their type, else in order. ``wrapped``: one side had no alternatives, its schema is
        the one given (its nullability already compared)."""
        was, now = self._keyed(self.old, old), self._keyed(self.new, new)
        removed = [key for key in was if key not in now]
        added = [key for key in now if key not in was]
        pairs = [(was[key], now[key]) for key in was if key in now]
        # Alternatives whose reference changed (or inline ones without a type) are paired in order.
        for old_key, new_key in zip(
            [k for k in removed if k[0] in "r#"], [k for k in added if k[0] in "r#"], strict=False
        ):
            pairs.append((was[old_key], now[new_key]))
            removed.remove(old_key)
            added.remove(new_key)
        for key in removed:
            self.emit("variant-removed", f"{loc}/{was[key][0]}", f"alternative {key} removed")
        for key in added:
            self.emit("variant-added", f"{loc}/{now[key][0]}", f"alternative {key} added")
        for (_, old_raw), (index, new_raw) in pairs:
            self._walk(old_raw, new_raw, f"{loc}/{index}", seen, nullable_done=wrapped)
