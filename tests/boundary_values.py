"""The single-field rules a spec states, values at and just past each of them, and the spec's own
verdict on every value.

For every operation of a spec this finds the fields that carry a rule (``pattern``, ``minLength``
and ``maxLength``, ``minimum`` and ``maximum`` with their exclusive flags, ``format``, ``enum``,
``minItems`` and ``maxItems``) among its path, query and header parameters and its JSON body
(nested objects and array items too, through ``$ref``, ``allOf``, ``anyOf`` and ``oneOf``), and
string and number fields without a rule, which get a few probes: a rule the mock enforces there
is one the spec does not state.

The verdict comes from the spec alone: Draft 4 with OpenAPI's ``nullable`` (the validator the
mock's requests are judged by) and the mock's format checks (``FORMAT_CHECKER``, so that a format
means here what it means to the mock), never from the mock's answer.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mockserver.engine.jsonpointer import deref, inline_refs
from mockserver.web.validation import FORMAT_CHECKER, RequestValidator

METHODS = ("get", "put", "post", "patch", "delete")
RULES = frozenset({"pattern", "minLength", "maxLength", "minimum", "maximum", "format", "enum", "minItems", "maxItems"})
_COMPOSED = ("allOf", "anyOf", "oneOf")
#: Names and near-blanks that a person's data carries and a too-strict rule refuses.
PROBES = ("", " ", "\r", " x ", "Västerås", "Zoë", "O'Brien", "Smith-Jones")
#: Characters a class often leaves out: put in place of a valid value's last character.
STRANGERS = ("!", "'", "-", ".", "/", "Ö", "\u00a0", "\x00")
#: Valid and invalid values of each format the specs use (the verdict says which is which).
FORMATS: dict[str, tuple[str, ...]] = {
    "date": ("2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T10:00:00Z", "2024-01-01\n"),
    "date-time": (
        "2024-02-29T10:00:00Z",
        "2024-02-29T10:00:00.123+01:00",
        "2024-02-29t10:00:00z",
        "2024-02-29 10:00:00",
        "2024-02-29T25:00:00Z",
        "2024-02-29",
    ),
    "email": ("a@example.com", "zoë.o'brien@example.se", "a@b", "example.com", "a@example.com\n"),
    "uuid": ("c4c21e6d-f600-4060-a1cd-a975afc689ec", "c4c21e6df6004060a1cda975afc689ec", "c4c21e6d-f600"),
    "uri": ("https://example.com/a?b=c", "mailto:a@example.com", "example.com/a", "https://example.com/a b"),
    "ipv4": ("192.0.2.15", "255.255.255.255", "256.0.0.1", "192.0.2"),
    "ipv6": ("2001:db8::1", "::1", "2001:db8::g", "2001:db8::1%eth0"),
}


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    template: str
    #: Parameters with their references followed (path-level ones first, as the spec lists them).
    parameters: tuple[dict[str, Any], ...]
    #: The JSON request body's schema (references inlined), if the operation takes one.
    body: dict[str, Any] | None
    #: The body's documented example, if any.
    example: Any

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclasses.dataclass(frozen=True)
class Field:
    #: ``path``, ``query``, ``header`` or ``body``.
    where: str
    #: The parameter's name, or the body property's path (list items at index 0).
    steps: tuple[str | int, ...]
    schema: dict[str, Any]
    #: The schema of each value along ``steps`` (the field's own last): what a missing parent becomes.
    trail: tuple[dict[str, Any], ...] = ()

    @property
    def name(self) -> str:
        return ".".join(str(step) for step in self.steps)

    @property
    def label(self) -> str:
        return f"{self.where} {self.name}"


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for template, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            declared = [deref(spec, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
            parameters = tuple({**p, "schema": inline_refs(p.get("schema") or {}, spec)} for p in declared)
            body = example = None
            content = deref(spec, operation.get("requestBody") or {}).get("content") or {}
            media = next((m for name, m in content.items() if "json" in name), None)
            if media is not None:
                body = inline_refs(media.get("schema") or {}, spec)
                example = media.get("example", body.get("example"))
                if example is None and media.get("examples"):
                    example = next(iter(media["examples"].values())).get("value")
            yield Operation(method.upper(), template, parameters, body, copy.deepcopy(example))


# -- the fields ------------------------------------------------------------------------------------
def branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """``schema`` and every schema composed into it (``allOf``, ``anyOf``, ``oneOf``), flattened."""
    found = [schema]
    for keyword in _COMPOSED:
        for branch in schema.get(keyword) or []:
            if isinstance(branch, dict):
                found.extend(branches(branch))
    return found


def _is_null(schema: dict[str, Any]) -> bool:
    return schema.get("enum") == [None] or schema.get("type") == "null"


def kind(schema: dict[str, Any]) -> str | None:
    """The JSON type a field's value has when it is not null (``None``: any)."""
    for branch in branches(schema):
        if isinstance(branch.get("type"), str) and not _is_null(branch):
            return str(branch["type"])
    for branch in branches(schema):
        if {"pattern", "minLength", "maxLength", "format"} & set(branch):
            return "string"
        if {"minimum", "maximum"} & set(branch):
            return "number"
        if "properties" in branch:
            return "object"
    return None


def properties(schema: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for branch in branches(schema):
        for name, sub in (branch.get("properties") or {}).items():
            merged.setdefault(name, sub)
    return merged


def _body_fields(
    schema: dict[str, Any], steps: tuple[str | int, ...], trail: tuple[dict[str, Any], ...]
) -> Iterator[Field]:
    if len(steps) > 8:
        return
    for name, sub in properties(schema).items():
        if "$ref" in sub:  # a recursive schema: its own fields are listed once already
            continue
        here, along = (*steps, name), (*trail, sub)
        yield Field("body", here, sub, along)
        yield from _nested(sub, here, along)


def _nested(schema: dict[str, Any], steps: tuple[str | int, ...], trail: tuple[dict[str, Any], ...]) -> Iterator[Field]:
    if kind(schema) == "object":
        yield from _body_fields(schema, steps, trail)
    elif kind(schema) == "array":
        items = next((b["items"] for b in branches(schema) if isinstance(b.get("items"), dict)), None)
        if items is not None and "$ref" not in items:
            here, along = (*steps, 0), (*trail, items)
            if kind(items) not in ("object", "array"):
                yield Field("body", here, items, along)
            yield from _nested(items, here, along)


def fields(operation: Operation) -> Iterator[Field]:
    for parameter in operation.parameters:
        schema = parameter.get("schema") or {}
        if kind(schema) in ("string", "integer", "number"):
            yield Field(parameter["in"], (parameter["name"],), schema)
    if operation.body is not None:
        yield from _body_fields(operation.body, (), ())


def has_rule(field: Field) -> bool:
    return any(RULES & set(branch) for branch in branches(field.schema))


# -- examples --------------------------------------------------------------------------------------
@functools.cache
def matching(pattern: str, count: int = 4) -> tuple[str, ...]:
    """Strings that match ``pattern`` whole, the same on every run (a fixed derandomised search)."""
    found: list[str] = []

    @settings(
        derandomize=True,
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.from_regex(pattern, fullmatch=True))
    def collect(value: str) -> None:
        found.append(value)

    collect()
    return tuple(dict.fromkeys(found))


def sample(schema: dict[str, Any]) -> Any:
    """A value the schema accepts, its example where it has one (required properties only)."""
    for key in ("example", "default"):
        if key in schema and schema[key] is not None:
            return copy.deepcopy(schema[key])
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), None)
    for keyword in ("anyOf", "oneOf"):
        options = [b for b in schema.get(keyword) or [] if not _is_null(b)]
        if options:
            return sample(options[0])
    type_ = kind(schema)
    if type_ == "object":
        required = {name for b in branches(schema) for name in b.get("required") or []}
        return {name: sample(sub) for name, sub in properties(schema).items() if name in required}
    merged: dict[str, Any] = {}
    for branch in branches(schema):
        merged.update(branch)
    if type_ == "array":
        items = merged.get("items") or {}
        return [sample(items) for _ in range(max(merged.get("minItems", 1), 1))]
    if type_ in ("integer", "number"):
        if "minimum" in merged:
            return merged["minimum"] + 1 if merged.get("exclusiveMinimum") else max(merged["minimum"], 1)
        return min(merged.get("maximum", 1), 1)
    if type_ == "boolean":
        return False
    if merged.get("format") in FORMATS:
        return FORMATS[merged["format"]][0]
    if "pattern" in merged:
        return min(matching(merged["pattern"]), key=lambda s: (abs(len(s) - 6), s))
    return "x" * max(merged.get("minLength", 1), 1)


# -- values ----------------------------------------------------------------------------------------
Labelled = tuple[str, Any]


def _fits(branch: dict[str, Any]) -> Callable[[str], bool]:
    """Whether a string keeps ``branch``'s pattern and format (its lengths aside)."""
    pattern, format_ = branch.get("pattern"), branch.get("format")

    def fits(text: str) -> bool:
        if pattern is not None and not re.search(pattern, text):
            return False
        return format_ is None or bool(FORMAT_CHECKER.conforms(text, format_))

    return fits


def resize(text: str, length: int, fits: Callable[[str], bool]) -> str:
    """``text`` cut or grown to ``length`` characters, keeping its pattern and format if it can
    (by repeating one of its own characters at its end, before its last character or after its first)."""
    if len(text) >= length:
        for cut in (text[:length], text[len(text) - length :]):
            if fits(cut):
                return cut
        return text[:length]
    pad = length - len(text)
    for char in dict.fromkeys(text[::-1] + "x0"):
        for at in dict.fromkeys((len(text), max(len(text) - 1, 0), min(1, len(text)), 0)):
            grown = text[:at] + char * pad + text[at:]
            if fits(grown):
                return grown
    return text + "x" * pad


def _string_values(branch: dict[str, Any], base: str) -> Iterator[Labelled]:
    fits = _fits(branch)
    if not fits(base):
        own = sample(branch)
        base = own if isinstance(own, str) else base
    pattern = branch.get("pattern")
    if pattern is not None:
        yield "the request's own value", base
        examples = matching(pattern)
        for example in examples:
            yield "a generated match", example
        match = base if re.search(pattern, base) else (examples[0] if examples else base)
        yield "match + trailing newline", match + "\n"
        yield "match + trailing space", match + " "
        yield "leading space + match", " " + match
        for stranger in STRANGERS:
            yield f"last character replaced by {stranger!r}", match[:-1] + stranger
    if branch.get("format") in FORMATS:
        for value in FORMATS[branch["format"]]:
            yield f"format {branch['format']}", value
    if "minLength" in branch:
        low = branch["minLength"]
        yield f"minLength {low}", resize(base, low, fits)
        if low > 0:
            yield f"minLength {low} - 1", resize(base, low - 1, fits)
    if "maxLength" in branch:
        high = branch["maxLength"]
        yield f"maxLength {high}", resize(base, high, fits)
        yield f"maxLength {high} + 1", resize(base, high + 1, fits)


def _number_values(branch: dict[str, Any], integer: bool) -> Iterator[Labelled]:
    step = 1 if integer else 0.5
    for bound, sign in (("minimum", -1), ("maximum", 1)):
        if bound not in branch:
            continue
        limit = branch[bound]
        exclusive = bool(branch.get(f"exclusive{bound[0].upper()}{bound[1:]}"))
        yield f"{bound} {limit}{' (exclusive)' if exclusive else ''}", limit
        yield f"{bound} {limit} {'+' if sign > 0 else '-'} {step}", limit + sign * step
        yield f"{bound} {limit} {'-' if sign > 0 else '+'} {step}", limit - sign * step
        if not integer:
            yield f"{bound} {limit} {'+' if sign > 0 else '-'} 0.01", round(limit + sign * 0.01, 2)


def _enum_values(options: list[Any]) -> Iterator[Labelled]:
    for option in options:
        if option is None:
            continue
        yield "an enum value", option
        if isinstance(option, str):
            yield "an enum value, case changed", option.swapcase()
            yield "an enum value + trailing space", option + " "
        elif isinstance(option, int) and not isinstance(option, bool):
            yield "an enum value as a string", str(option)
    numbers = [o for o in options if isinstance(o, int) and not isinstance(o, bool)]
    if numbers:
        yield "below the enum", min(numbers) - 1
        yield "above the enum", max(numbers) + 1
    yield "empty string", ""


def _array_values(branch: dict[str, Any], base: list[Any], item: Any) -> Iterator[Labelled]:
    pool = base or [item]

    def sized(count: int) -> list[Any]:
        return [copy.deepcopy(pool[i % len(pool)]) for i in range(count)]

    if "minItems" in branch:
        low = branch["minItems"]
        yield f"minItems {low}", sized(low)
        if low > 0:
            yield f"minItems {low} - 1", sized(low - 1)
    if "maxItems" in branch:
        high = branch["maxItems"]
        yield f"maxItems {high}", sized(high)
        yield f"maxItems {high} + 1", sized(high + 1)


def values(field: Field, base: Any) -> list[Labelled]:
    """Values at and just past every rule on the field, probes of the sides no rule closes (and of
    every string), and null for a body field; deduplicated, in a fixed order. ``base`` is the
    field's value in the valid request, which lengths grow and cut where it keeps its pattern."""
    type_ = kind(field.schema)
    found: list[Labelled] = []
    for branch in branches(field.schema):
        if _is_null(branch):
            continue
        own = branch.get("type", type_)
        if branch.get("enum"):
            found.extend(_enum_values(branch["enum"]))
        if own == "string":
            text = base if isinstance(base, str) else sample(branch)
            found.extend(_string_values(branch, text if isinstance(text, str) else "x"))
        elif own in ("integer", "number"):
            found.extend(_number_values(branch, own == "integer"))
        elif own == "array":
            items = branch.get("items") if isinstance(branch.get("items"), dict) else {}
            found.extend(_array_values(branch, base if isinstance(base, list) else [], sample(items)))
    if type_ == "string":
        found.extend(("a probe", probe) for probe in PROBES)
    if type_ in ("integer", "number") and not any("enum" in b for b in branches(field.schema)):
        # The sides no bound closes: zero and below, and beyond 32 bits.
        if not any("minimum" in b for b in branches(field.schema)):
            found.extend((("no minimum: zero", 0), ("no minimum: below zero", -1)))
        if not any("maximum" in b for b in branches(field.schema)):
            found.append(("no maximum: 2 ** 31", 2**31))
    if field.where == "body":
        found.append(("null", None))
    unique: dict[str, Labelled] = {}
    for label, value in found:
        unique.setdefault(json.dumps(value, sort_keys=True), (label, value))
    return list(unique.values())


# -- the verdict -----------------------------------------------------------------------------------
_validators: dict[int, tuple[dict[str, Any], Any]] = {}


def valid(schema: dict[str, Any], value: Any) -> bool:
    """The spec's verdict: Draft 4 with ``nullable`` and the mock's format checks."""
    known = _validators.get(id(schema))
    if known is None or known[0] is not schema:
        # Kept with its schema, so that the id is not reused while the validator is known.
        known = _validators[id(schema)] = (schema, RequestValidator(schema, format_checker=FORMAT_CHECKER))
    return bool(known[1].is_valid(value))


# -- placing a value -------------------------------------------------------------------------------
def read(body: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(body, list) or len(body) <= step:
                return None
        elif not isinstance(body, dict) or step not in body:
            return None
        body = body[step]  # type: ignore[index]
    return body


def place(body: Any, field: Field, value: Any) -> Any:
    """A copy of ``body`` with ``value`` at the field's place; a missing (or null) parent becomes
    the sample of its schema first."""
    whole = copy.deepcopy(body) if body is not None else sample({"type": "object"})
    node = whole
    for index, step in enumerate(field.steps[:-1]):
        child = read(node, (step,))
        if not isinstance(child, (dict, list)):
            child = sample(field.trail[index])
            if isinstance(step, int):
                node.append(child)
            else:
                node[step] = child
        node = child
    last = field.steps[-1]
    if isinstance(last, int) and len(node) <= last:
        node.append(value)
    else:
        node[last] = value
    return whole
