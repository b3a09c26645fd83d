"""A small spec for the coverage tests: statuses, a range, ``default``, path parameters and a
literal segment beside one."""

from __future__ import annotations

from typing import Any

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "/pets-api"}],
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "responses": {"200": {}, "4XX": {}}},
            "post": {"operationId": "addPet", "responses": {"201": {}, "400": {}, "default": {}}},
        },
        "/pets/{petId}": {
            "get": {"operationId": "getPet", "responses": {"200": {}, "404": {}}},
            "delete": {"responses": {"204": {}}},
        },
        "/pets/mine": {"get": {"operationId": "myPets", "responses": {"200": {}}}},
    },
}
