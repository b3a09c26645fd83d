"""The fast path answers plain valid requests itself and exactly as Connexion would; anything else
(errors above all) it leaves to Connexion.

Two servers with the same seed get the same requests, one with the fast path and one without:
every answer must be the same (timestamps and signed tokens aside, which carry the wall clock).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from mockserver.web.fastpath import FastPath
from tests.conftest import JWT, MOMENT, credentials, make_settings
from tests.plain_requests import REQUESTS, Call


class Counting:
    """Wraps the fast path's fallback (Connexion) and counts the requests it gets."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.calls.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@pytest.fixture(scope="module", params=[True, False], ids=["validating answers", "not validating answers"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, TestClient, Counting]]:
    """A server with the fast path and one without, both checking their answers against the spec
    (as every test server does) or both not (as ``mockserver run`` by default: the fast path then
    takes its shortest way for plain JSON answers)."""
    validating = bool(request.param)
    fast = MockServer(make_settings(validate_responses=validating))
    slow = MockServer(make_settings(fast_path=False, validate_responses=validating))
    front = fast.fast_path
    assert isinstance(front, FastPath)
    assert slow.fast_path is None
    counting = front.fallback = Counting(front.fallback)
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        yield fast_client, slow_client, counting


def send(client: TestClient, api: str, call: Call, headers: dict[str, str]) -> Any:
    base = APIS[api].base_path
    extra = dict(call.headers)
    if call.body is not None:
        extra.setdefault("content-type", "application/json")
    content = call.raw if call.raw is not None else (json.dumps(call.body) if call.body is not None else None)
    return client.request(call.method, base + call.path, content=content, headers={**headers, **extra})


def comparable(response: Any) -> tuple[int, str | None, str, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "server")}
    text = JWT.sub("<jwt>", MOMENT.sub("<moment>", response.text))
    return response.status_code, response.headers.get("content-type"), text, headers


@pytest.mark.parametrize("api", sorted(REQUESTS))
def test_valid_requests_are_served_by_the_fast_path_and_every_answer_is_the_same_without_it(
    pair: tuple[TestClient, TestClient, Counting], api: str
) -> None:
    fast, slow, fallback = pair
    headers = credentials(slow, api)
    for call in REQUESTS[api]:
        fallback.calls.clear()
        answer, expected = send(fast, api, call, headers), send(slow, api, call, headers)
        assert answer.status_code == call.expect, (call, answer.text)
        assert comparable(answer) == comparable(expected), call
        if call.expect < 400:
            # A plain valid request, with a JSON body or raw bytes (the upload), never needs Connexion.
            assert fallback.calls == [], call


def test_errors_go_to_connexion_and_read_the_same(pair: tuple[TestClient, TestClient, Counting]) -> None:
    fast, slow, fallback = pair
    alice = credentials(slow, "portal")
    base = APIS["portal"].base_path
    for method, path, kwargs in [
        ("GET", "/profile", {}),  # no credentials
        ("GET", "/profile", {"headers": {"Authorization": "Bearer nobody"}}),
        ("GET", "/profile", {"headers": {"Authorization": "Basic abc"}}),
        ("PUT", "/profile", {"headers": {**alice, "content-type": "application/json"}, "content": b"{bad"}),
        ("PUT", "/profile", {"headers": {**alice, "content-type": "text/plain"}, "content": b"{}"}),
        ("GET", "/profile/applications/not-a-number", {"headers": alice}),
        ("DELETE", "/profile", {"headers": alice}),  # method not allowed
    ]:
        fallback.calls.clear()
        answer = fast.request(method, base + path, **kwargs)
        expected = slow.request(method, base + path, **kwargs)
        assert comparable(answer) == comparable(expected), (method, path, kwargs)
        assert fallback.calls == [f"{method} {base}{path}"], (method, path)


def test_a_page_of_another_origin_is_served_by_the_fast_path_with_the_same_cors_headers(
    pair: tuple[TestClient, TestClient, Counting],
) -> None:
    """CORS sits outside both paths (``web.cors``): a browser's cross-origin request, which always
    carries ``Origin``, takes the fast path, and its preflight never reaches either path."""
    fast, slow, fallback = pair
    alice = credentials(slow, "portal")
    base = APIS["portal"].base_path
    origin = {"Origin": "http://localhost:3000"}
    preflight = {**origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}
    for method, path, headers in [
        ("GET", "/profile", {**alice, **origin}),
        ("GET", "/profile/applications", {**alice, **origin}),
        ("OPTIONS", "/profile", preflight),
    ]:
        fallback.calls.clear()
        answer, expected = (
            fast.request(method, base + path, headers=headers),
            slow.request(method, base + path, headers=headers),
        )
        assert answer.status_code == 200, (method, path, answer.text)
        assert "access-control-allow-origin" in answer.headers
        assert comparable(answer) == comparable(expected), (method, path)
        assert fallback.calls == [], (method, path)


#: The consumer portal's upload (``tests/plain_requests.py``), its headers and bytes changed one at a time:
#: what the request changes, the status, and whether the fast path leaves it to Connexion.
UPLOAD = next(call for call in REQUESTS["consumerportal"] if call.raw is not None and call.expect == 200)
UPLOADS: list[tuple[dict[str, str | None], bytes | None, int, bool]] = [
    ({}, None, 200, False),
    ({"content-type": "application/pdf"}, None, 200, False),  # the file's own declared type
    ({"comment": "Beide zijden."}, None, 200, False),
    ({"mimetype": "image/png"}, None, 422, False),  # a valid header, but not what the bytes are
    ({"is_reupload": "0"}, None, 409, False),  # the action is done: a business rule
    ({"filename": None}, None, 400, False),  # the request's only fault: Connexion's words, on the fast path
    ({"filename": None, "mimetype": None}, None, 400, True),  # which one Connexion names is its call
    ({"filename": None, "is_reupload": "yes"}, None, 400, True),
    ({"filename": None, "content-type": "text/plain"}, None, 400, True),
    ({"filename": None}, b"", 400, True),
    ({"filename": None, "authorization": None}, None, 400, False),  # no credentials: served as documented
    ({"filename": ""}, None, 400, True),
    ({"filename": "a/b.pdf"}, None, 400, True),
    ({"mimetype": "text/plain"}, None, 400, True),
    ({"is_reupload": "yes"}, None, 400, True),
    ({"productaction_id": "PRA1"}, None, 400, True),
    ({"content-type": "text/plain"}, None, 415, True),
    ({"content-type": "application/json"}, None, 415, True),
    ({"content-type": "application/octet-stream; charset=utf-8"}, None, 200, True),
    ({"content-type": "Application/Octet-Stream"}, None, 200, True),
    ({"content-type": None}, None, 200, True),  # Connexion takes the first declared type
    ({}, b"", 400, True),  # Connexion hands the handler {} for an empty body
    ({"authorization": None}, None, 200, False),  # the docs show no credential
    ({"authorization": "Bearer nobody"}, None, 401, True),  # a credential sent is checked
]


def upload_headers(client: TestClient) -> dict[str, str]:
    """The upload's headers and the consumer's credentials, every name in lower case."""
    headers = {**credentials(client, "consumerportal"), **dict(UPLOAD.headers)}
    return {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize(("changes", "content", "status", "falls_back"), UPLOADS)
def test_an_upload_is_answered_alike_and_only_a_plainly_valid_one_skips_connexion(
    pair: tuple[TestClient, TestClient, Counting],
    changes: dict[str, str | None],
    content: bytes | None,
    status: int,
    falls_back: bool,
) -> None:
    fast, slow, fallback = pair
    headers = {k: v for k, v in {**upload_headers(slow), **changes}.items() if v is not None}
    path = APIS["consumerportal"].base_path + UPLOAD.path
    body = UPLOAD.raw if content is None else content
    fallback.calls.clear()
    fast.cookies.clear()  # getsession's session cookie, which would identify the consumer too
    slow.cookies.clear()
    answer = fast.post(path, content=body, headers=headers)
    expected = slow.post(path, content=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert comparable(answer) == comparable(expected), changes
    assert fallback.calls == ([f"POST {path}"] if falls_back else []), changes


def test_an_upload_over_the_body_limit_gets_the_same_413_before_either_path(
    pair: tuple[TestClient, TestClient, Counting],
) -> None:
    fast, slow, fallback = pair
    headers = upload_headers(slow)
    path = APIS["consumerportal"].base_path + UPLOAD.path
    body = b"%PDF-" + b"0" * make_settings().max_body_bytes
    fallback.calls.clear()
    answer, expected = fast.post(path, content=body, headers=headers), slow.post(path, content=body, headers=headers)
    assert answer.status_code == 413
    assert comparable(answer) == comparable(expected)
    assert fallback.calls == []


@pytest.mark.parametrize(
    ("query", "falls_back"),
    [
        ({"consumer_id": "CNSRCEC47CDCA8A89085FB562D681733A6"}, False),  # only ip_address is missing
        ({"ip_address": "192.0.2.15"}, False),  # only consumer_id is missing
        ({}, True),  # both: which one Connexion names is its call
        ({"consumer_id": "x" * 40}, True),  # one missing, one invalid
    ],
)
def test_a_missing_query_parameter_gets_connexions_400_when_it_is_the_only_fault(
    pair: tuple[TestClient, TestClient, Counting], query: dict[str, str], falls_back: bool
) -> None:
    fast, slow, fallback = pair
    headers = credentials(slow, "consumerportal")
    path = APIS["consumerportal"].base_path + "/getsession"
    fallback.calls.clear()
    answer, expected = fast.get(path, params=query, headers=headers), slow.get(path, params=query, headers=headers)
    assert answer.status_code == 400
    assert comparable(answer) == comparable(expected)
    assert "Missing query parameter" in answer.json()["detail"] or falls_back
    assert bool(fallback.calls) == falls_back


@pytest.mark.parametrize(
    ("path", "body"),
    [("/profile", {"dependants": -1, "homePostcode": "nope"}), ("/profile/favourites", {"listing": "x"})],
)
def test_a_body_that_breaks_its_schema_gets_the_same_422_from_the_fast_path(
    pair: tuple[TestClient, TestClient, Counting], path: str, body: dict[str, Any]
) -> None:
    fast, slow, fallback = pair
    alice = credentials(slow, "portal")
    method = "PUT" if path == "/profile" else "POST"
    fallback.calls.clear()
    answer = fast.request(method, APIS["portal"].base_path + path, json=body, headers=alice)
    expected = slow.request(method, APIS["portal"].base_path + path, json=body, headers=alice)
    assert fallback.calls == []
    assert answer.status_code == 422
    assert comparable(answer) == comparable(expected)


def test_a_business_rule_error_from_a_handler_is_rendered_in_the_api_shape(
    pair: tuple[TestClient, TestClient, Counting],
) -> None:
    fast, slow, fallback = pair
    headers = credentials(slow, "homeq")
    fallback.calls.clear()
    answer = fast.get("/api/v4/estate/999999", headers=headers)
    expected = slow.get("/api/v4/estate/999999", headers=headers)
    assert fallback.calls == []  # a valid request: the handler's 404 is rendered by the fast path
    assert answer.status_code == expected.status_code >= 400
    assert comparable(answer) == comparable(expected)
    assert set(answer.json()) >= {"error", "description"}


def test_the_fast_path_validates_responses_like_connexion(
    pair: tuple[TestClient, TestClient, Counting], caplog: pytest.LogCaptureFixture
) -> None:
    """With response validation, an answer that breaks the spec is a 500 (what broke goes to the log
    under the error id the answer names); without, it goes out."""
    fast, _, _ = pair
    front = fast.app.fast_path
    assert isinstance(front, FastPath)
    handlers = front.handlers["portal"]
    original = handlers.get_profile  # type: ignore[attr-defined]

    async def broken(user: int) -> Any:
        body, status = await original(user=user)
        return {**body, "email": 42}, status  # a number where the spec says string

    handlers.get_profile = broken  # type: ignore[attr-defined]
    try:
        for candidate in (c for cs in front.routes.values() for c in cs):
            candidate.plan = None  # recompile with the broken handler
        answer = fast.get(APIS["portal"].base_path + "/profile", headers=credentials(fast, "portal"))
    finally:
        handlers.get_profile = original  # type: ignore[attr-defined]
        for candidate in (c for cs in front.routes.values() for c in cs):
            candidate.plan = None
    if not front.validate_responses:
        assert answer.status_code == 200
        assert answer.json()["email"] == 42
        return
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    error_id = answer.json()["errorId"]
    assert error_id in answer.json()["detail"]
    assert "does not conform" not in answer.text
    logged = [r.getMessage() for r in caplog.records if error_id in r.getMessage()]
    assert logged, caplog.text
    assert "does not conform" in logged[0]


def test_optional_credentials_are_read_alike_and_a_plain_call_skips_connexion(
    pair: tuple[TestClient, TestClient, Counting],
) -> None:
    """The consumer portal serves callers without credentials, by session cookie or by token; a
    credential that is sent and refused is Connexion's 401 on both paths (``web.security``)."""
    fast, slow, fallback = pair
    base = APIS["consumerportal"].base_path
    sanne = "CNSRCEC47CDCA8A89085FB562D681733A6"
    users = slow.get("/__admin/apis").json()["apis"]
    auth = next(a for a in users if a["name"] == "consumerportal")["auth"]
    cookie = next(u["session_id"] for u in auth["users"] if u["consumer_id"] == sanne)
    session = f"{base}/getsession?consumer_id={sanne}&ip_address=192.0.2.15"
    otd = f"{base}/get_otd_pdf?productaction_id=PRA0117B05B5D89DBD8632C06847CB133"
    for path, headers, plain in [
        (session, {}, True),
        (session, {"Cookie": f"PHPSESSID={cookie}"}, True),
        (session, {"Cookie": f"theme=dark; PHPSESSID={cookie}"}, True),
        (otd, {"Cookie": f"PHPSESSID={cookie}"}, True),
        (otd, {}, True),
        (session, {"Authorization": "Basic abc"}, True),
        (session, {"Cookie": "PHPSESSID=unknown"}, False),
        (otd, {"Authorization": "Bearer nobody"}, False),
        (otd, {"Authorization": "Bearer nobody", "Cookie": f"PHPSESSID={cookie}"}, True),
    ]:
        fallback.calls.clear()
        fast.cookies.clear()
        slow.cookies.clear()
        answer, expected = fast.get(path, headers=headers), slow.get(path, headers=headers)
        assert comparable(answer) == comparable(expected), (path, headers)
        assert (fallback.calls == []) is plain, (path, headers, answer.status_code)
