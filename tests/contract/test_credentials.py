"""Finding credentials per API: given token, login flow, our mock's demo users (the first, and the
second as the peer); and how they become Schemathesis' OpenAPI-aware auth, or with a peer its WFC
document."""

from __future__ import annotations

import dataclasses
import json
import stat

import httpx
import pytest
from schemathesis.wfc.loader import load_from_dict

from mockserver.apis import APIS
from mockserver.contract.credentials import Credential, CredentialError, auth_config, resolve
from mockserver.contract.wfc import MAIN, PEER, WFC_ENV, fixed_headers, private_document, wfc_auth, wfc_document
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


def test_the_peer_is_the_second_demo_user_of_the_control_plane() -> None:
    users = [{"name": "alice", "token": "a"}, {"name": "bob", "token": "b"}]
    apis = {"apis": [{"name": "portal", "auth": {"type": "bearer", "users": users}}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=apis))
    peer = resolve(PORTAL, "http://api.test", client=client(transport), demo_user=1)
    assert peer == Credential("b", "demo user bob of /__admin/apis", None)


def test_a_control_plane_with_one_demo_user_gives_no_peer() -> None:
    apis = {"apis": [{"name": "portal", "auth": {"type": "bearer", "users": [{"name": "alice", "token": "a"}]}}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=apis))
    assert resolve(PORTAL, "http://api.test", client=client(transport), demo_user=1) is None


def test_a_peer_demo_user_without_a_token_logs_in() -> None:
    users = [
        {"name": "admin", "username": "erik", "password": "x"},
        {"name": "manager", "username": "malin", "password": "y"},
    ]
    apis = {"apis": [{"name": "portal", "auth": {"type": "jwt", "users": users}}]}
    logins: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/__admin/apis":
            return httpx.Response(200, json=apis)
        logins.append(json.loads(request.content))
        return httpx.Response(201, json={"auth": {"token": "jwt-malin"}})

    peer = resolve(LOGIN_API, "http://api.test", client=client(httpx.MockTransport(answer)), demo_user=1)
    assert peer == Credential("jwt-malin", "login of demo user manager of /__admin/apis (malin)", "JWT")
    assert logins == [{"username": "malin", "password": "y"}]


def test_given_peer_credentials_win_over_the_control_plane() -> None:
    assert resolve(PORTAL, "http://api.test", token="p3er", demo_user=1) == Credential("p3er", "the given token", None)


SPEC_SCHEMES = {
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "jwt": {"type": "apiKey", "in": "header", "name": "Authorization"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "session": {"type": "apiKey", "in": "cookie", "name": "PHPSESSID"},
        }
    }
}


def test_a_wfc_user_carries_the_credential_in_each_scheme_header_once() -> None:
    assert fixed_headers(SPEC_SCHEMES, Credential("t", "test", "JWT")) == [
        {"name": "Authorization", "value": "Bearer t"},
        {"name": "X-Api-Key", "value": "JWT t"},
    ]
    homeq = {
        "components": {"securitySchemes": {"jwtAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}}}
    }
    assert fixed_headers(homeq, Credential("t", "test", "JWT")) == [{"name": "Authorization", "value": "JWT t"}]


def test_the_wfc_document_names_both_identities_and_schemathesis_loads_it() -> None:
    spec = APIS["instruction"].spec
    document = wfc_document(spec, Credential("k1", "test"), Credential("k2", "test"))
    users = load_from_dict(document)
    assert [(u.name, [(h.name, h.value) for h in u.fixed_headers]) for u in users] == [
        (MAIN, [("X-Api-Key", "k1")]),
        (PEER, [("X-Api-Key", "k2")]),
    ]
    assert wfc_auth() == {"wfc": {"path": "${" + WFC_ENV + "}", "user": MAIN, "peers": [MAIN, PEER]}}


def test_the_wfc_document_lives_in_a_private_file_only_for_the_run() -> None:
    with private_document({"auth": [{"name": MAIN, "fixedHeaders": [{"name": "X", "value": "secret"}]}]}) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text())["auth"][0]["fixedHeaders"][0]["value"] == "secret"
    assert not path.exists()
