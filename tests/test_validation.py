"""The compiled check in front of each schema validator (``web.validation.Validator``) may only
ever say "valid" where jsonschema, the judge, says so too.

Every schema of every spec (components, bodies, answers) that has an example is checked against
its example and against hundreds of variants of it (each field set to null, empty, too long,
mistyped, an impossible date, a big integer, or removed), as a request and as an answer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.apis import APIS
from mockserver.engine.fixtures import read_yaml
from mockserver.engine.jsonpointer import inline_refs
from mockserver.lint.rules import schemas
from mockserver.web.app import ADMIN_SPEC
from mockserver.web.validation import (
    RequestValidator,
    ResponseValidator,
    Validator,
    _is_type,
    compiled_validator,
    schema_errors,
)

PALETTE: tuple[Any, ...] = (
    None,
    "",
    "x",
    "x" * 300,
    "2020-13-45",
    "2026-03-02",
    "2026-03-02T10:00:00Z",
    "not a date",
    "a@b",
    "12345678-1234-1234-1234-123456789abc",
    "http://example.com/a",
    "1.2.3.4",
    0,
    -1,
    1,
    2**70,
    1.0,
    1.5,
    -0.5,
    True,
    False,
    [],
    [None],
    ["x"],
    {},
    {"x": 1},
)


def variants(value: Any, depth: int = 0) -> Iterator[Any]:
    """``value`` itself, then copies with one place changed or removed."""
    yield value
    if depth > 2:
        return
    if isinstance(value, dict):
        for key in value:
            shorter = dict(value)
            del shorter[key]
            yield shorter
            for inner in [*PALETTE, *list(variants(value[key], depth + 1))[1:]]:
                changed = dict(value)
                changed[key] = inner
                yield changed
        for inner in PALETTE[:4]:
            yield {**value, "unexpected": inner}
    elif isinstance(value, list):
        yield []
        if value:
            for inner in [*PALETTE, *list(variants(value[0], depth + 1))[1:]]:
                yield [inner, *value[1:]]
            yield [*value, *value]
    else:
        yield from PALETTE


def cases() -> Iterator[Any]:
    specs = [(name, definition.spec) for name, definition in APIS.items()]
    specs.append(("admin", read_yaml(ADMIN_SPEC)))
    for name, spec in specs:
        for where, schema in schemas(spec):
            if "example" in schema:
                yield pytest.param(spec, schema, id=f"{name}:{'/'.join(map(str, where))}")


@pytest.mark.parametrize(("spec", "schema"), list(cases()))
@pytest.mark.parametrize("kind", [RequestValidator, ResponseValidator], ids=["request", "response"])
def test_compiled_check_never_accepts_what_jsonschema_rejects(spec: dict[str, Any], schema: Any, kind: type) -> None:
    full_schema = {**schema, "components": spec.get("components") or {}}
    validator = Validator(full_schema, kind)
    judge = kind(full_schema, format_checker=validator.full.format_checker)
    seen = 0
    for instance in variants(copy.deepcopy(schema["example"])):
        seen += 1
        if validator._surely_valid(instance):
            assert judge.is_valid(instance), f"compiled check accepted what jsonschema rejects: {instance!r}"
            assert schema_errors(validator, instance) == []
    assert seen > 1


@pytest.mark.parametrize(("spec", "schema"), list(cases()))
@pytest.mark.parametrize("kind", [RequestValidator, ResponseValidator], ids=["request", "response"])
def test_references_followed_once_give_the_same_errors(spec: dict[str, Any], schema: Any, kind: type) -> None:
    """The fast path's validators follow a schema's ``$ref`` s when they are built; every variant
    gets the errors jsonschema gives when it follows them on each check, word for word."""
    components = spec.get("components") or {}
    validator = compiled_validator(schema, kind, components)
    judge = Validator({**schema, "components": components}, kind)
    for instance in variants(copy.deepcopy(schema["example"])):
        assert schema_errors(validator, instance) == jsonschema_errors(judge, instance), instance


def jsonschema_errors(validator: Validator, instance: Any) -> list[dict[str, str]]:
    """What jsonschema alone lists (the judge of :meth:`Validator.located_errors`)."""
    return schema_errors(validator.full, instance)


@pytest.mark.parametrize(("spec", "schema"), list(cases()))
@pytest.mark.parametrize("kind", [RequestValidator, ResponseValidator], ids=["request", "response"])
def test_errors_located_by_jsonschema_rs_are_jsonschemas_word_for_word(
    spec: dict[str, Any], schema: Any, kind: type
) -> None:
    """Where jsonschema-rs finds a body's errors, the list is jsonschema's: the same errors, the
    same words, the same order (every variant of every example-bearing schema)."""
    validator = compiled_validator(schema, kind, spec.get("components") or {})
    for instance in variants(copy.deepcopy(schema["example"])):
        located = validator.located_errors(instance)
        if located is not None:
            assert located == jsonschema_errors(validator, instance), instance


def test_most_invalid_bodies_have_their_errors_located_by_jsonschema_rs() -> None:
    """Not a fallback everywhere: jsonschema lists the errors itself only where it must."""
    located = invalid = 0
    for param in cases():
        spec, schema = param.values
        validator = compiled_validator(schema, RequestValidator, spec.get("components") or {})
        for instance in variants(copy.deepcopy(schema["example"])):
            if not validator._surely_valid(instance):
                invalid += 1
                located += validator.located_errors(instance) is not None
    assert located >= invalid * 0.5, (located, invalid)


def test_a_recursive_schema_keeps_its_reference_and_still_checks_every_level() -> None:
    components = {
        "schemas": {
            "Node": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                },
            },
            "Tree": {
                "type": "object",
                "properties": {"root": {"$ref": "#/components/schemas/Node"}, "lost": {"$ref": "#/x"}},
            },
        }
    }
    inlined = inline_refs({"$ref": "#/components/schemas/Tree"}, {"components": components})
    root = inlined["properties"]["root"]
    assert root["properties"]["name"] == {"type": "string"}  # followed
    assert root["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}  # the loop stays
    assert inlined["properties"]["lost"] == {"$ref": "#/x"}  # dangling: as it was
    validator = compiled_validator({"$ref": "#/components/schemas/Node"}, RequestValidator, components)
    deep = {"name": "a", "children": [{"name": "b", "children": [{"children": []}]}]}
    assert schema_errors(validator, deep) == [
        {"field": "children.0.children.0.name", "message": "'name' is a required property"}
    ]
    assert schema_errors(validator, {"name": "a", "children": [{"name": "b"}]}) == []


def test_the_compiled_check_is_used_for_the_specs() -> None:
    """Not a fallback everywhere: every example-bearing schema compiles and accepts its example
    (unless the example itself uses what plain Draft 4 lacks, such as a null for ``nullable``)."""
    compiled = accepted = total = 0
    for param in cases():
        spec, schema = param.values
        validator = Validator({**schema, "components": spec.get("components") or {}})
        total += 1
        compiled += validator._quick is not None
        accepted += validator._surely_valid(schema["example"])
    assert compiled == total
    assert accepted >= total * 0.8, (accepted, total)


def test_the_type_words_judge_types_as_jsonschemas_draft_4_does() -> None:
    """``located_errors`` tells types apart itself: as jsonschema's Draft 4 type checker does
    (a bool is neither an integer nor a number; 1.0 is not an integer)."""
    values = [None, True, False, 0, 1, -1, 2**70, 1.0, 1.5, float("inf"), "", "1", [], [1], {}, {"a": 1}]
    names = ["array", "boolean", "integer", "null", "number", "object", "string"]
    checker = RequestValidator({}).is_type
    for value in values:
        for name in names:
            assert _is_type(None, value, name) == checker(value, name), (value, name)


@pytest.mark.parametrize("kind", [RequestValidator, ResponseValidator], ids=["request", "response"])
def test_errors_under_names_with_slashes_and_tildes_are_located_at_those_names(kind: type) -> None:
    """jsonschema-rs names places as JSON pointers: ``a/b`` and ``c~d`` are read back as written."""
    schema = {
        "type": "object",
        "required": ["x/y"],
        "properties": {
            "a/b": {"type": "string"},
            "c~d": {"type": "object", "properties": {"e~1f": {"maxLength": 2}}},
            "list": {"type": "array", "items": {"type": "object", "properties": {"0": {"enum": ["ok"]}}}},
        },
    }
    validator = compiled_validator(schema, kind)
    instance = {"a/b": 5, "c~d": {"e~1f": "long"}, "list": [{"0": "ok"}, {"0": "no"}]}
    located = validator.located_errors(instance)
    assert located is not None
    assert located == jsonschema_errors(validator, instance)
    assert [error["field"] for error in located] == ["x/y", "a/b", "c~d.e~1f", "list.1.0"]


def test_int32_and_int64_keep_the_quick_check_and_their_ranges() -> None:
    """jsonschema-rs checks no number formats: it gets the schema with their ranges as bounds (it was
    left out for any schema naming int32 or int64, most public specs' ids), and only its yes counts."""
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "format": "int64"},
            "count": {"type": "integer", "format": "int32", "minimum": 0},
        },
    }
    validator = Validator(schema)
    assert validator._surely_valid({"id": 2**40, "count": 7})
    assert schema["properties"]["count"] == {"type": "integer", "format": "int32", "minimum": 0}  # not changed
    for wrong in ({"id": 2**63}, {"count": 2**31}, {"count": -1}):
        assert not validator._surely_valid(wrong)
        assert schema_errors(validator, wrong), wrong
