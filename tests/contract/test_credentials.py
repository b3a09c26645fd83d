"""Finding credentials per API: given token, login flow, our mock's demo users; and how they become
Schemathesis' OpenAPI-aware auth."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from mockserver.apis import APIS
from mockserver.contract.credentials import Credential, CredentialError, auth_config, resolve
from mockserver.engine.registry import LoginFlow

PORTAL = APIS["portal"]
LOGIN_API = dataclasses.replace(PORTAL, login=LoginFlow(path="/login", token_pointer="/auth/token"), token_prefix="JWT")


def client(handler: httpx.MockTransport) -> httpx.Client:
    return httpx.Client(transport=handler)


def test_a_given_token_wins() -> None:
    credential = resolve(PORTAL, "http://api.test", token="t0k")
    assert credential == Credential("t0k", "the given token", None)


def test_username_and_password_go_through_the_login_operation() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"auth": {"token": "jwt-123"}})

    credential = resolve(
        LOGIN_API, "http://api.test", username="ann", password="pw", client=client(httpx.MockTransport(answer))
    )
    assert credential is not None
    assert credential.token == "jwt-123"
    assert credential.prefix == "JWT"
    assert str(seen[0].url) == "http://api.test/api/rest/portal/login"
    assert json.loads(seen[0].content) == {"username": "ann", "password": "pw"}


def test_a_failed_login_says_what_happened() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(401, json={"error": "BadCredentials"}))
    with pytest.raises(CredentialError, match="answered 401"):
        resolve(LOGIN_API, "http://api.test", username="ann", password="bad", client=client(transport))


def test_login_needs_an_api_with_a_login_operation() -> None:
    with pytest.raises(CredentialError, match="no login operation"):
        resolve(PORTAL, "http://api.test", username="ann", password="pw")


def test_a_server_without_a_control_plane_gives_no_credentials() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(404))
    assert resolve(PORTAL, "http://api.test", client=client(transport)) is None


def test_demo_users_of_the_control_plane_are_used() -> None:
    apis = {"apis": [{"name": "portal", "auth": {"type": "bearer", "users": [{"name": "alice", "token": "a"}]}}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=apis))
    credential = resolve(PORTAL, "http://api.test", client=client(transport))
    assert credential is not None
    assert credential.token == "a"
    assert "alice" in credential.source


def test_auth_config_follows_the_spec_security_schemes() -> None:
    spec = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "jwt": {"type": "apiKey", "in": "header", "name": "Authorization"},
            }
        }
    }
    config = auth_config(spec, Credential("x", "test", "JWT"))
    assert config == {"openapi": {"bearerAuth": {"bearer": "x"}, "jwt": {"api_key": "JWT x"}}}
