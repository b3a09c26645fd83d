"""No input gets a 5xx: a catalogue of malformed bodies, media types, headers, tokens, parameters
and paths, sent to every operation of every API and of the control plane, with the fast path on
and off. Every answer is a 4xx (or a success) in the API's error shape, and no answer carries an
exception's text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.apis.homeq import tokens
from mockserver.engine.fixtures import read_yaml
from mockserver.engine.jsonpointer import resolve_pointer
from mockserver.web.app import ADMIN_SPEC, MockServer
from tests.conftest import credentials, make_settings

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
#: What an exception's text looks like in an answer (``TypeError: ...``, a traceback, a file path).
LEAK = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b: |File \"/|site-packages")


class Sent(NamedTuple):
    what: str
    method: str
    path: str
    headers: dict[str, str]
    content: bytes | None = None


def _value(param: dict[str, Any]) -> str:
    """A plausible value for a path parameter, so that requests reach the operation."""
    if "example" in param:
        return str(param["example"])
    schema = param.get("schema") or {}
    if "example" in schema:
        return str(schema["example"])
    if schema.get("enum"):
        return str(schema["enum"][0])
    return "1" if schema.get("type") in ("integer", "number") else "x"


def operations(spec: dict[str, Any], base: str) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, concrete path, operation, path parameters by name) of every operation."""
    for template, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            declared = item.get("parameters", []) + operation.get("parameters", [])
            resolved = [resolve_pointer(spec, p["$ref"]) if "$ref" in p else p for p in declared]
            params = {p["name"]: p for p in resolved}
            path = re.sub(r"\{([^}]+)\}", lambda m, found=params: _value(found.get(m.group(1), {})), template)
            yield method.upper(), base + path, operation, params


JSON_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"x"'),
    ("number", b"1e999"),
    ("truncated", b'{"a": '),
    ("not utf-8", b'{"a": "\xff\xfe"}'),
    ("bom", b'\xef\xbb\xbf{"a": 1}'),
    ("nan", b'{"a": NaN}'),
    ("lone surrogate", b'{"a": "\\ud800"}'),
    ("deep", b"[" * 5000 + b"]" * 5000),
    ("huge int", b'{"a": ' + b"9" * 5000 + b"}"),
    ("nul", b'{"a": "\\u0000"}'),
    ("duplicate keys", b'{"a": 1, "a": [2]}'),
]
MEDIA_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json; charset=latin-1",
    "application/json; charset=bogus",
    "application/json; boundary",
    "*/*",
    "garbage",
    "",
]


def _wrongly_typed(operation: dict[str, Any], spec: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """The operation's JSON body with every property of the wrong type, one kind of wrong at a time."""
    content = (operation.get("requestBody") or {}).get("content") or {}
    schema = next((v.get("schema") for k, v in content.items() if "json" in k), None) or {}
    while "$ref" in schema:
        schema = resolve_pointer(spec, schema["$ref"])
    names = list(schema.get("properties") or {}) or ["a"]
    for label, value in (
        ("lists", [[]]),
        ("objects", {"x": {}}),
        ("nulls", None),
        ("long", "x" * 100_000),
        ("unicode digits", "²"),
    ):
        yield f"every property {label}", json.dumps(dict.fromkeys(names, value)).encode()


def _jwt(**claims: Any) -> str:
    payload = {"type": "landlord", "user_id": 10, "company_id": 2, "iat": 1, "exp": 4102444800, **claims}
    return "JWT " + tokens.encode(payload, b"tests")  # tests sign with make_settings' secret


AUTHORIZATIONS = [
    "",
    "Bearer",
    "Bearer ",
    "Bearer " + "x" * 10_000,
    "JWT",
    "JWT a.b.c",
    "JWT ...",
    "JWT eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxMH0.",
    _jwt(user_id=[10]),
    _jwt(user_id={"id": 10}),
    _jwt(user_id="10"),
    _jwt(user_id=10**40),
    _jwt(user_id=-1),
    _jwt(company_id=[2]),
    _jwt(type=None),
    _jwt(exp="never"),
    "Basic !!!",
    "Basic " + "YTpi",
    "Token x",
]


def requests(spec: dict[str, Any], base: str, auth: dict[str, str]) -> Iterator[Sent]:
    for method, path, operation, params in operations(spec, base):
        has_body = "requestBody" in operation or method in ("POST", "PUT", "PATCH")
        yield Sent("as documented, no body", method, path, auth)
        if has_body:
            yield Sent("json without a content type", method, path, auth, b'{"a": 1}')
            yield Sent("bytes without a content type", method, path, auth, b"\x00\x01\xff")
            for media in MEDIA_TYPES:
                yield Sent(f"content type {media!r}", method, path, {**auth, "Content-Type": media}, b'{"a": 1}')
            for label, body in JSON_BODIES:
                yield Sent(f"json {label}", method, path, {**auth, "Content-Type": "application/json"}, body)
            for label, body in _wrongly_typed(operation, spec):
                yield Sent(label, method, path, {**auth, "Content-Type": "application/json"}, body)
        for value in AUTHORIZATIONS:
            yield Sent(f"authorization {value[:30]!r}", method, path, {"Authorization": value})
        header_params = [p for p in params.values() if p.get("in") == "header"]
        for hostile in ("", "x" * 5000, "-1", "99999999999999999999999", "1.5", "true", "[]"):
            headers = {**auth, **{p["name"]: hostile for p in header_params}}
            headers.update({"Accept": hostile or "*/*", "Accept-Language": hostile, "If-None-Match": hostile})
            yield Sent(f"headers {hostile[:10]!r}", method, path, headers)
        query_params = [p["name"] for p in params.values() if p.get("in") == "query"][:12] or ["q"]
        for hostile in ("", "%00", "%ff", "x" * 1000, "-1", "1e999", "99999999999999999999999", "[]", "%E2%82"):
            query = "&".join(f"{name}={hostile}&{name}={hostile}" for name in query_params)
            yield Sent(f"query {hostile[:10]!r}", method, f"{path}?{query}", auth)
        for segment in ("%00", "..", "%2e%2e", "x" * 3000, "%ff", "99999999999999999999999", "-1", "%F0%9F%92%A9"):
            yield Sent(f"path {segment[:10]!r}", method, re.sub(r"/[^/]*$", "/" + segment, path), auth)


def _check(client: TestClient, sent: Sent) -> str | None:
    response = client.request(sent.method, sent.path, headers=sent.headers, content=sent.content)
    if response.status_code >= 500:
        return f"{sent.method} {sent.path[:80]} [{sent.what}]: {response.status_code} {response.text[:200]}"
    if LEAK.search(response.text):
        return f"{sent.method} {sent.path[:80]} [{sent.what}]: leaks {response.text[:200]}"
    return None


@pytest.fixture(scope="module", params=[True, False], ids=["fast path", "no fast path"])
def hostile_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    server = MockServer(make_settings(fast_path=bool(request.param)))
    with TestClient(server, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("api", [*APIS, "admin"])
def test_no_input_gets_a_server_error(hostile_client: TestClient, api: str) -> None:
    if api == "admin":
        spec, base, auth = read_yaml(ADMIN_SPEC), "/__admin", {}
    else:
        spec, base, auth = APIS[api].spec, APIS[api].base_path, credentials(hostile_client, api)
    failures: list[str] = []
    count = 0
    for sent in requests(spec, base, auth):
        if sent.path.startswith("/__admin/reset") or sent.path.endswith("/trigger"):
            continue  # resets and webhook storms are other tests' business
        count += 1
        failure = _check(hostile_client, sent)
        if failure:
            failures.append(failure)
    assert count > 100
    assert not failures, f"{len(failures)} of {count} inputs got a server error:\n" + "\n".join(failures[:40])
