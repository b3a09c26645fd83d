"""Every error a client can see is a problem+json with the right status; never a 500."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from tests.conftest import ALICE, PORTAL, assert_problem, make_settings

PROFILE = f"{PORTAL}/profile"


def test_unknown_paths_are_404_problems(client: TestClient) -> None:
    assert_problem(client.get("/nowhere"), 404, "not-found")
    assert_problem(client.get(f"{PORTAL}/nowhere", headers=ALICE), 404, "not-found")
    assert_problem(client.get(f"{PORTAL}/profile/applications/abc", headers=ALICE), 404)
    assert_problem(client.get(f"{PORTAL}/profile/applications/1{'0' * 5000}", headers=ALICE), 404)
    assert client.head(f"{PORTAL}/profile/favourites/1{'0' * 5000}", headers=ALICE).status_code == 404


def test_unknown_records_are_404_problems(client: TestClient) -> None:
    body = assert_problem(client.get(f"{PORTAL}/profile/applications/999999", headers=ALICE), 404, "not-found")
    assert body["instance"] == f"{PORTAL}/profile/applications/999999"
    assert "999999" in body["detail"]


def test_wrong_method_is_405_listing_every_allowed_method(client: TestClient) -> None:
    response = client.post(f"{PORTAL}/profile/applications/101", headers=ALICE, json={})
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, PUT, HEAD"
    response = client.get(f"{PORTAL}/profile/favourites/5353", headers=ALICE)
    assert response.headers["allow"] == "DELETE, HEAD"


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.put(PROFILE, headers={**ALICE, "Content-Type": "application/json"}, content=b'{"phone": ')
    assert "not valid JSON" in assert_problem(response, 400, "bad-request")["detail"]


def test_a_body_that_is_not_utf8_is_400(client: TestClient) -> None:
    response = client.put(
        PROFILE, headers={**ALICE, "Content-Type": "application/json"}, content=b'{"phone": "\xff\xfe"}'
    )
    assert "utf-8" in assert_problem(response, 400, "bad-request")["detail"]


def test_a_missing_body_is_400(client: TestClient) -> None:
    assert_problem(client.put(PROFILE, headers=ALICE), 400, "bad-request")


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.put(PROFILE, headers={**ALICE, "Content-Type": "text/plain"}, content=b'{"phone": "1"}')
    assert_problem(response, 415, "unsupported-media-type")


def test_a_body_of_the_wrong_shape_is_422_naming_each_field(client: TestClient) -> None:
    problem = assert_problem(client.put(PROFILE, headers=ALICE, json=["not", "an", "object"]), 422, "validation-failed")
    assert problem["errors"][0]["field"] == "(body)"


def test_wrong_query_parameter_type_is_400(client: TestClient) -> None:
    assert_problem(client.get(f"{PORTAL}/profile/appointments?upcoming=soon", headers=ALICE), 400, "bad-request")


def test_bodies_over_the_limit_are_413() -> None:
    server = MockServer(make_settings(max_body_bytes=1000))
    with TestClient(server) as client:
        big = {"remarks": "x" * 2000}
        assert_problem(client.put(PROFILE, headers=ALICE, json=big), 413, "payload-too-large")

        def chunks():  # type: ignore[no-untyped-def]
            yield b'{"remarks": "'
            for _ in range(30):
                yield b"y" * 100
            yield b'"}'

        streamed = client.put(PROFILE, headers={**ALICE, "Content-Type": "application/json"}, content=chunks())
        assert_problem(streamed, 413, "payload-too-large")
        assert client.put(PROFILE, headers=ALICE, json={"remarks": "short"}).status_code == 200


def test_cors_preflight_and_responses_allow_any_origin(client: TestClient) -> None:
    preflight = client.options(
        PROFILE,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "PUT" in preflight.headers["access-control-allow-methods"]
    response = client.get(PROFILE, headers={**ALICE, "Origin": "http://localhost:3000"})
    assert response.headers["access-control-allow-origin"] == "*"
    error = client.get(PROFILE, headers={"Origin": "http://localhost:3000"})
    assert error.status_code == 401
    assert error.headers["access-control-allow-origin"] == "*"


def test_swagger_ui_and_spec_are_served_per_api(client: TestClient) -> None:
    spec = client.get(f"{PORTAL}/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"].startswith("Home-buying")
    ui = client.get(f"{PORTAL}/ui/")
    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()


def test_json_that_cannot_be_stored_faithfully_is_400(client: TestClient) -> None:
    for raw in (
        b'{"deposit": 1e400}',
        b'{"deposit": NaN}',
        b'{"remarks": "\\ud800"}',
        b"[" * 100000,
        b'{"deposit": 1' + b"0" * 5000 + b"}",
    ):
        response = client.put(PROFILE, headers={**ALICE, "Content-Type": "application/json"}, content=raw)
        assert_problem(response, 400, "bad-request")
    paired = client.put(
        PROFILE, headers={**ALICE, "Content-Type": "application/json"}, content=b'{"remarks": "\\ud83c\\udfe0 ok"}'
    )
    assert paired.json()["remarks"] == "\U0001f3e0 ok"
