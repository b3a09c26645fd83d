"""The lint tests' cases: a clean spec, one way to break it per rule, and the ways to write a
nullable value, shared by our rules' tests and the Spectral ruleset's."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


def clean() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "summary": "Get a thing",
                    "tags": ["Things"],
                    "x-doc-ref": "things-get",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"},
                                    "example": {"id": 1, "size": None},
                                }
                            },
                        },
                        "404": {"description": "missing"},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "integer"},
                        "colour": {"type": "string", "nullable": True, "pattern": "^[a-z]+$(?!\\n)"},
                        "size": {"anyOf": [{"type": "string", "enum": ["S", "M", "L"]}, {"enum": [None]}]},
                    },
                }
            }
        },
    }


def op(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["paths"]["/things/{id}"]["get"]
    return result


def colour(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["components"]["schemas"]["Thing"]["properties"]["colour"]
    return result


DEFECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "OAS001": lambda s: s["info"].pop("version"),
    "OPS001": lambda s: s["paths"].__setitem__("/other", {"get": {**copy.deepcopy(op(s)), "parameters": []}}),
    "OPS002": lambda s: op(s).pop("summary"),
    "OPS003": lambda s: op(s).__setitem__("tags", []),
    "PAR001": lambda s: op(s).__setitem__("parameters", []),
    "ERR001": lambda s: op(s)["responses"].pop("404"),
    "EXA001": lambda s: op(s)["responses"]["200"]["content"]["application/json"].__setitem__("example", {"id": "x"}),
    "NUL001": lambda s: colour(s).__setitem__("enum", ["red", "blue"]),
    "REG001": lambda s: colour(s).__setitem__("pattern", r"^\p{L}+$"),
    "REG002": lambda s: colour(s).__setitem__("pattern", r"^\w+$(?!\n)"),
    "DOC001": lambda s: op(s).pop("x-doc-ref"),
    "CMP001": lambda s: s["components"]["schemas"].__setitem__("Unused", {"type": "string"}),
}


THING = {"$ref": "#/components/schemas/Thing"}
#: Ways to write a nullable value, and whether NUL001 refuses them.
NULLABLE_FORMS: dict[str, tuple[dict[str, Any], bool]] = {
    "scalar": ({"type": "string", "nullable": True}, False),
    "scalar with anyOf": ({"type": "string", "nullable": True, "anyOf": [{"format": "date"}, {"maxLength": 0}]}, False),
    "reference in anyOf": ({"anyOf": [THING, {"enum": [None]}]}, False),
    "enum in anyOf": ({"anyOf": [{"type": "string", "enum": ["S", "M"]}, {"enum": [None]}]}, False),
    "enum listing null": ({"type": "string", "nullable": True, "enum": ["S", "M", None]}, True),
    "enum": ({"type": "string", "nullable": True, "enum": ["S", "M"]}, True),
    "allOf reference": ({"nullable": True, "allOf": [THING]}, True),
    "typed oneOf": ({"type": "object", "nullable": True, "oneOf": [THING]}, True),
    "reference": ({"$ref": "#/components/schemas/Thing", "nullable": True}, True),
    "without type": ({"nullable": True, "description": "anything"}, True),
}


def with_size(schema: dict[str, Any]) -> dict[str, Any]:
    """The clean spec with ``schema`` as Thing's ``size`` (and no example to check it against)."""
    spec = clean()
    spec["components"]["schemas"]["Thing"]["properties"]["size"] = copy.deepcopy(schema)
    op(spec)["responses"]["200"]["content"]["application/json"].pop("example")
    return spec
