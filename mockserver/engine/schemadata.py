"""Made-up instances of an OpenAPI 3.0 schema: a value a validator of that schema accepts, the same
one for the same seed.

Forced answers (``Prefer: code=...``) need a body for responses the spec gives no example for.
:func:`instance_of` builds one from the schema alone: local ``$ref`` s followed, ``allOf`` merged,
the first branch of ``anyOf``/``oneOf`` that is not a bare ``null``, a member of ``enum``; objects
with their required properties and, near the top, the others too; arrays of one item (or
``minItems``); strings within their lengths, formats (``date``, ``date-time``, ``email``, ``uuid``,
``uri``, ``ipv4``, ``ipv6``, ``byte``) and patterns (a string is built from the pattern's syntax
tree, then checked; where that fails, the schema's ``example`` or ``default`` stands in); numbers
within their bounds and ``multipleOf``. ``null`` (``nullable``, a ``null`` branch) only ends a
recursive schema. Properties a response must not carry (``writeOnly``) are left out.

Every draw comes from one ``random.Random`` seeded with the caller's key (the server's seed, the
operation and the status), so a forced answer is the same on every run and every machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import random
import re
import string
import uuid
from collections.abc import Callable
from typing import Any

from mockserver.engine.jsonpointer import deref

# The stdlib's regular expression parser (public as ``sre_parse`` until 3.11, which deprecates that
# name): the syntax tree a pattern's strings are built from.
_parser: Any = importlib.import_module("re._parser")

#: Below this depth an object gets its optional properties too and an array one item; deeper, only
#: what the schema requires, so that recursive and large schemas stay small.
FULL_DEPTH = 3
#: A schema nested deeper than this is given its simplest value (a recursive schema's way out).
MAX_DEPTH = 12
#: The day generated dates are drawn around (a fixed day: answers must not depend on today).
BASE_DAY = dt.date(2026, 1, 1)
_LETTERS = string.ascii_lowercase
_WORD_CHARS = string.ascii_letters + string.digits
#: Characters tried, in order, for a negated class (``[^...]``).
_PLAIN = string.ascii_lowercase + string.digits + string.ascii_uppercase + "-_. "
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": _LETTERS,
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": _WORD_CHARS,
    "CATEGORY_WORD": _WORD_CHARS,
    "CATEGORY_NOT_WORD": "-",
}
_CATEGORY_TEST: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}
#: Extra repetitions tried in turn when a pattern's shortest string is too short for ``minLength``.
_EXTRA_REPEATS = (0, 1, 2, 4, 8, 16, 32, 64)
#: The formats :meth:`SchemaData._formatted` writes, which a cut or a padding would break.
_FORMATS = frozenset({"date", "date-time", "email", "uuid", "uri", "url", "byte", "ipv4", "ipv6"})


class Unsatisfiable(ValueError):
    """No string this generator can build fits the schema."""


def instance_of(schema: Any, document: dict[str, Any], key: object) -> Any:
    """A value valid against ``schema`` (whose ``$ref`` s point into ``document``), the same for the
    same ``key`` (any value whose ``str`` is stable, e.g. ``(seed, operationId, status)``)."""
    return SchemaData(document, random.Random(str(key))).instance(schema)


class SchemaData:
    """Builds instances of the schemas of one document, drawing from one ``rng``."""

    def __init__(self, document: dict[str, Any], rng: random.Random) -> None:
        self.document = document
        self.rng = rng

    def instance(self, schema: Any, depth: int = 0) -> Any:
        schema = self._resolved(schema)
        if not isinstance(schema, dict):
            return "value"
        if "enum" in schema:
            return self._choice(schema)
        kind = schema.get("type") or implied_type(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return self._number(schema, integer=True)
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return "value"  # any value is valid: no type, no constraints this generator reads

    # -- schemas -----------------------------------------------------------------------------------
    def _resolved(self, schema: Any) -> Any:
        """``schema`` with references followed, ``allOf`` merged into one schema and the branch of
        an ``anyOf``/``oneOf`` taken."""
        schema = deref(self.document, schema)
        if not isinstance(schema, dict):
            return schema
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, self._resolved(part))
            schema = merged
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [self._resolved(b) for b in schema[key]]
                chosen = next((b for b in branches if not _null_only(b)), branches[0] if branches else {})
                rest = {k: v for k, v in schema.items() if k != key}
                schema = _merge(rest, chosen) if isinstance(chosen, dict) else chosen
                if isinstance(schema, dict) and any(_null_only(b) for b in branches):
                    schema = {**schema, "nullable": True}  # a recursive schema's way out
        return schema

    def _choice(self, schema: dict[str, Any]) -> Any:
        options = [v for v in schema["enum"] if v is not None] or list(schema["enum"])
        return self.rng.choice(options) if options else None

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = [name for name in schema.get("required") or [] if isinstance(name, str)]
        names = list(properties) if depth < FULL_DEPTH else [n for n in properties if n in required]
        body: dict[str, Any] = {}
        for name in names:
            sub = self._resolved(properties[name])
            if isinstance(sub, dict) and (sub.get("writeOnly") or sub.get("x-writeOnly")):
                continue
            body[name] = self._property(name, sub, depth)
        for name in required:
            if name not in body:
                extra = schema.get("additionalProperties")
                body[name] = self._nested(extra, depth) if isinstance(extra, dict) else "value"
        minimum = schema.get("minProperties") or 0
        extra = schema.get("additionalProperties")
        while len(body) < minimum:
            body[f"key{len(body)}"] = self._nested(extra, depth) if isinstance(extra, dict) else "value"
        return body

    def _property(self, name: str, schema: Any, depth: int) -> Any:
        """The value of the property ``name`` (a hook: a subclass may choose by the name)."""
        return self._nested(schema, depth)

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems") or 0)
        high = schema.get("maxItems")
        count = max(low, 1 if depth < FULL_DEPTH else 0)
        if high is not None:
            count = min(count, int(high))
        items = schema.get("items") or {}
        values: list[Any] = []
        attempts = 0
        while len(values) < count and attempts < count * 10 + 10:
            attempts += 1
            value = self._nested(items, depth)
            if schema.get("uniqueItems") and value in values:
                continue
            values.append(value)
        return values

    def _nested(self, schema: Any, depth: int) -> Any:
        if depth >= MAX_DEPTH:
            return self._simplest(schema, depth)
        return self.instance(schema, depth + 1)

    def _simplest(self, schema: Any, depth: int) -> Any:
        """The smallest value: an empty object or array, or ``null``, where the schema allows one."""
        schema = self._resolved(schema)
        if not isinstance(schema, dict):
            return "value"
        kind = schema.get("type") or implied_type(schema)
        if kind == "object" and not schema.get("required") and not schema.get("minProperties"):
            return {}
        if kind == "array" and not schema.get("minItems"):
            return []
        if schema.get("nullable"):
            return None
        if depth > 2 * MAX_DEPTH:
            raise Unsatisfiable("a schema that requires itself without end")
        return self.instance(schema, depth + 1)

    # -- scalars -----------------------------------------------------------------------------------
    def _string(self, schema: dict[str, Any]) -> str:
        low = int(schema.get("minLength") or 0)
        high = schema.get("maxLength")
        try:
            if high is not None and low > high:
                raise Unsatisfiable(f"minLength {low} > maxLength {high}")
            if "pattern" in schema:
                return self._patterned(schema, low, high)
            text = self._formatted(schema.get("format"))
            if schema.get("format") in _FORMATS and not low <= len(text) <= (high if high is not None else len(text)):
                raise Unsatisfiable(f"a {schema['format']} of {low} to {high} characters")
            if len(text) < low:
                text += _word(self.rng, low - len(text))
            return text if high is None else text[:high]
        except Unsatisfiable:
            for key in ("example", "default"):
                if isinstance(schema.get(key), str) and string_fits(schema, schema[key]):
                    return str(schema[key])
            raise

    def _formatted(self, name: Any) -> str:
        rng = self.rng
        if name == "date":
            return (BASE_DAY + dt.timedelta(days=rng.randrange(365))).isoformat()
        if name == "date-time":
            moment = dt.datetime.combine(BASE_DAY, dt.time(rng.randrange(8, 19), rng.choice((0, 15, 30, 45))))
            return (moment + dt.timedelta(days=rng.randrange(365))).isoformat() + "Z"
        if name == "email":
            return f"{_word(rng, 6)}@example.com"
        if name == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if name in ("uri", "url"):
            return f"https://example.com/{_word(rng, 8)}"
        if name == "ipv4":
            return f"192.0.2.{rng.randrange(1, 255)}"  # RFC 5737's documentation range
        if name == "ipv6":
            return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"  # RFC 3849's
        if name == "byte":
            return base64.b64encode(_word(rng, 6).encode()).decode()
        return _word(rng, 8).capitalize()  # no format, or one no validator here checks

    def _patterned(self, schema: dict[str, Any], low: int, high: Any) -> str:
        pattern = schema["pattern"]
        try:
            compiled = re.compile(pattern)
            tree = _parser.parse(pattern)
        except (re.error, RecursionError):
            raise Unsatisfiable(pattern) from None
        for extra in _EXTRA_REPEATS:
            try:
                text = _Pattern(self.rng, extra).build(tree)
            except Unsatisfiable:
                continue
            if compiled.search(text) and len(text) >= low and (high is None or len(text) <= high):
                return text
        raise Unsatisfiable(pattern)

    def _number(self, schema: dict[str, Any], *, integer: bool) -> int | float:
        low, high = schema.get("minimum"), schema.get("maximum")
        step = schema.get("multipleOf")
        # Draft 4's exclusive bounds (OpenAPI 3.0): flags beside minimum and maximum.
        if low is not None and schema.get("exclusiveMinimum"):
            low = low + (1 if integer else 0.01)
        if high is not None and schema.get("exclusiveMaximum"):
            high = high - (1 if integer else 0.01)
        if low is None:
            low = min(1, high) if high is not None else 1
        if high is None:
            high = low + 1000
        if integer or step:
            unit = int(step) if integer and step and float(step).is_integer() else step or 1
            first = -(-low // unit) if unit else low  # the first multiple of the unit at or above low
            last = high // unit
            if first > last:
                raise Unsatisfiable(f"no {'integer' if integer else 'multiple'} in [{low}, {high}]")
            multiple = self.rng.randint(int(first), int(min(last, first + 100))) * unit
            return int(multiple) if integer else multiple
        if low > high:
            raise Unsatisfiable(f"no number in [{low}, {high}]")
        drawn = round(self.rng.uniform(low, min(high, low + 1000)), 2)
        return drawn if low <= drawn <= high else low


class _Pattern:
    """A string matching a parsed regular expression: each repeat its minimum plus ``extra``
    (bounded by its maximum), each alternative and character drawn from ``rng``."""

    def __init__(self, rng: random.Random, extra: int) -> None:
        self.rng = rng
        self.extra = extra
        self.groups: dict[int, str] = {}

    def build(self, tree: Any) -> str:
        return "".join(self._piece(op.name, value) for op, value in tree)

    def _piece(self, op: str, value: Any) -> str:
        if op == "LITERAL":
            return chr(value)
        if op == "NOT_LITERAL":
            return next(c for c in _PLAIN if ord(c) != value)
        if op == "ANY":
            return self.rng.choice(_LETTERS)
        if op == "IN":
            return self._from_class(value)
        if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = value
            count = low + self.extra if high == _parser.MAXREPEAT else min(high, low + self.extra)
            return "".join(self.build(sub) for _ in range(count))
        if op == "SUBPATTERN":
            group, sub = value[0], value[-1]
            text = self.build(sub)
            if group is not None:
                self.groups[group] = text
            return text
        if op == "ATOMIC_GROUP":
            return self.build(value)
        if op == "BRANCH":
            return self.build(self.rng.choice(value[1]))
        if op == "GROUPREF":
            return self.groups.get(value, "")
        if op in ("AT", "ASSERT", "ASSERT_NOT"):
            return ""  # anchors and look-arounds take no characters; the final check judges them
        raise Unsatisfiable(op)

    def _from_class(self, items: list[tuple[Any, Any]]) -> str:
        if items and items[0][0].name == "NEGATE":
            rest = items[1:]
            for c in _PLAIN:
                if not any(_in_item(kind.name, value, c) for kind, value in rest):
                    return c
            raise Unsatisfiable("negated class")
        kind, value = self.rng.choice(items)
        name = kind.name
        if name == "LITERAL":
            return chr(value)
        if name == "RANGE":
            return chr(self.rng.randint(value[0], value[1]))
        if name == "CATEGORY":
            return self.rng.choice(_CATEGORY_CHARS.get(value.name, "a"))
        raise Unsatisfiable(name)


def _in_item(kind: str, value: Any, char: str) -> bool:
    if kind == "LITERAL":
        return bool(ord(char) == value)
    if kind == "RANGE":
        return bool(value[0] <= ord(char) <= value[1])
    if kind == "CATEGORY":
        test = _CATEGORY_TEST.get(value.name)
        return bool(test(char)) if test else True
    return True  # an item this generator cannot read: the character counts as excluded


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(length))


def string_fits(schema: dict[str, Any], value: str) -> bool:
    """Whether ``value`` keeps ``schema``'s lengths and pattern."""
    if len(value) < int(schema.get("minLength") or 0):
        return False
    if schema.get("maxLength") is not None and len(value) > int(schema["maxLength"]):
        return False
    pattern = schema.get("pattern")
    return pattern is None or re.search(pattern, value) is not None


def implied_type(schema: dict[str, Any]) -> str | None:
    """The type a schema without ``type`` implies by its keywords (``None``: any)."""
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "pattern" in schema or "minLength" in schema or "maxLength" in schema or "format" in schema:
        return "string"
    if "minimum" in schema or "maximum" in schema:
        return "number"
    return None


def _null_only(schema: Any) -> bool:
    """A branch that only admits ``null`` (``{enum: [null]}``, OpenAPI 3.0's nullable reference)."""
    return isinstance(schema, dict) and (schema.get("enum") == [None] or schema.get("type") == "null")


_LOWER_BOUNDS = frozenset({"minimum", "minLength", "minItems", "minProperties"})
_UPPER_BOUNDS = frozenset({"maximum", "maxLength", "maxItems", "maxProperties"})


def _merge(base: dict[str, Any], part: Any) -> dict[str, Any]:
    """``allOf``'s two schemas as one: properties of both (one property in both: both of its
    schemas), required of both, the tighter of two bounds, the other keywords of either."""
    if not isinstance(part, dict):
        return base
    merged = dict(base)
    for key, value in part.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties":
            properties = dict(merged[key])
            for name, sub in value.items():
                properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
            merged[key] = properties
        elif key == "required":
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key in _LOWER_BOUNDS:
            merged[key] = max(merged[key], value)
        elif key in _UPPER_BOUNDS:
            merged[key] = min(merged[key], value)
        elif key == "enum":
            merged[key] = [v for v in merged[key] if v in value] or value
        elif key == "nullable":
            merged[key] = bool(merged[key]) and bool(value)
        else:
            merged[key] = value
    return merged
