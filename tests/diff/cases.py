"""The diff tests' spec pairs: a small base spec, and the corpus (``corpus/<rule-id>.yaml``, one
pair per catalogue rule) laid over it. A corpus file holds either ``old`` and ``new`` patches of the
base spec (mappings merged, lists replaced, ``null`` deletes a key) or a ``schema`` pair put at a
request body's property (``request-…`` rules) or a response's (``response-…`` rules); and the
classes the rule must have for a client and a server."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

CORPUS_DIR = Path(__file__).parent / "corpus"
OPERATION = "POST /things/{id}"


def base() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "description": "A spec to diff."},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/things/{id}": {
                "post": {
                    "operationId": "postThing",
                    "summary": "Update a thing",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}},
                        },
                        "404": {"description": "missing"},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "In": {"type": "object", "properties": {"value": {}}},
                "Out": {"type": "object", "properties": {"value": {}}},
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://auth.example.com/token",
                            "scopes": {"read": "read things", "write": "write things"},
                        }
                    },
                },
            },
        },
    }


def patched(spec: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(spec)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = patched(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def with_schema(flow: str, schema: Any) -> dict[str, Any]:
    spec = base()
    spec["components"]["schemas"]["In" if flow == "request" else "Out"]["properties"]["value"] = schema
    return spec


def corpus() -> dict[str, dict[str, Any]]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(CORPUS_DIR.glob("*.yaml"))}


def pair(rule_id: str, case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if "schema" in case:
        flow = rule_id.split("-", 1)[0]
        return with_schema(flow, case["schema"]["old"]), with_schema(flow, case["schema"]["new"])
    return patched(base(), case.get("old") or {}), patched(base(), case.get("new") or {})
