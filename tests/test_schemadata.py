"""Made-up instances (``engine.schemadata``): valid against every schema the specs answer with, the
same for the same seed, and within each keyword the generator reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.apis import APIS
from mockserver.engine.jsonpointer import deref
from mockserver.engine.schemadata import instance_of
from mockserver.web.validation import FORMAT_CHECKER, ResponseValidator, compiled_validator, schema_errors

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def documented_responses(api: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each operation's id, each documented status and its response object."""
    spec = APIS[api].spec
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                for status, response in operation["responses"].items():
                    yield operation["operationId"], str(status), deref(spec, response)


def errors(api: str, schema: Any, value: Any) -> list[dict[str, str]]:
    spec = APIS[api].spec
    validator = compiled_validator(deref(spec, schema), ResponseValidator, spec.get("components") or {})
    return schema_errors(validator, value)


@pytest.mark.parametrize("api", sorted(APIS))
@pytest.mark.parametrize("seed", [1, 1234, 99])
def test_every_documented_response_body_gets_a_valid_instance(api: str, seed: int) -> None:
    spec = APIS[api].spec
    checked = 0
    for operation_id, status, response in documented_responses(api):
        for media_type, media in (response.get("content") or {}).items():
            media = deref(spec, media)
            if "schema" not in media or "json" not in media_type:
                continue
            value = instance_of(media["schema"], spec, (seed, operation_id, status))
            assert errors(api, media["schema"], value) == [], (operation_id, status, value)
            checked += 1
    assert checked


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_documented_response_header_gets_a_valid_value(api: str) -> None:
    spec = APIS[api].spec
    for operation_id, status, response in documented_responses(api):
        for name, header in (response.get("headers") or {}).items():
            schema = deref(spec, header).get("schema") or {}
            value = instance_of(schema, spec, (1, operation_id, status, name))
            assert errors(api, schema, value) == [], (operation_id, status, name, value)


def test_the_same_seed_and_request_give_the_same_instance_and_another_seed_another() -> None:
    spec = APIS["homeq"].spec
    schema = deref(spec, spec["paths"]["/api/v4/apartment/{id}"]["get"]["responses"]["200"])
    schema = schema["content"]["application/json"]["schema"]
    first = instance_of(schema, spec, (1234, "getApartment", 200))
    assert instance_of(schema, spec, (1234, "getApartment", 200)) == first
    assert instance_of(schema, spec, (7, "getApartment", 200)) != first


@pytest.mark.parametrize(
    "pattern",
    [
        r"^CNSR[0-9A-F]{30}$(?!\n)",
        r"^attachment; filename=\"[^\"/\\]+\.pdf\"$(?!\n)",
        r"^(estate|apartment|object_ad)\.[1-9][0-9]*$(?!\n)",
        r"^([A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2})?$(?!\n)",
        r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$(?!\n)",
        r"[^ \t\n\r\f\v]",
        r"^\d{3}-\w+\s?$",
    ],
)
def test_a_string_is_built_from_its_pattern(pattern: str) -> None:
    schema = {"type": "string", "pattern": pattern}
    for seed in range(5):
        value = instance_of(schema, {}, seed)
        assert errors("portal", schema, value) == [], value


def test_a_pattern_with_lengths_repeats_until_it_fits() -> None:
    schema = {"type": "string", "pattern": "^[a-z]+$", "minLength": 12, "maxLength": 20}
    value = instance_of(schema, {}, 1)
    assert 12 <= len(value) <= 20
    assert value.isalpha()


def test_a_pattern_the_generator_cannot_meet_falls_back_to_the_example() -> None:
    schema = {"type": "string", "pattern": "^(?=.*[0-9])(?=.*[A-Z]).{8}$", "example": "Abcdefg1"}
    assert instance_of(schema, {}, 1) == "Abcdefg1"


@pytest.mark.parametrize("name", ["date", "date-time", "email", "uuid", "uri", "ipv4", "ipv6"])
def test_formats_are_written_as_their_checkers_read_them(name: str) -> None:
    value = instance_of({"type": "string", "format": name}, {}, 1)
    assert FORMAT_CHECKER.conforms(value, name), value


def test_bounds_enums_and_composition_are_met() -> None:
    document = {
        "components": {
            "schemas": {
                "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                "Kind": {"type": "string", "enum": ["a", "b"]},
            }
        }
    }
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {
                "type": "object",
                "required": ["size", "kind", "tags"],
                "properties": {
                    "size": {"type": "number", "minimum": 2.5, "maximum": 3, "exclusiveMaximum": True},
                    "count": {"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 5},
                    "kind": {"anyOf": [{"$ref": "#/components/schemas/Kind"}, {"enum": [None]}]},
                    "tags": {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"type": "integer"}},
                    "secret": {"type": "string", "writeOnly": True},
                    "name": {"type": "string", "nullable": True, "minLength": 3, "maxLength": 3},
                },
            },
        ]
    }
    for seed in range(20):
        value = instance_of(schema, document, seed)
        assert 2.5 <= value["size"] < 3
        assert value["count"] in (10, 15, 20)
        assert value["kind"] in ("a", "b")
        assert len(set(value["tags"])) == len(value["tags"]) >= 2
        assert "secret" not in value  # never in an answer
        assert isinstance(value["id"], int)
        assert len(value["name"]) == 3


def test_a_recursive_schema_ends() -> None:
    document = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["child"],
                    "properties": {"child": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"enum": [None]}]}},
                }
            }
        }
    }
    value = instance_of({"$ref": "#/components/schemas/Node"}, document, 1)
    depth = 0
    while isinstance(value, dict):
        value, depth = value["child"], depth + 1
    assert value is None
    assert depth > 1
