"""``Prefer`` (RFC 7240, in Prism's vocabulary): a client forces one of an operation's documented
answers (``code=``), a named example (``example=``) or a slow answer (``delay=``). Credentials and
validation still come first, a forced answer changes nothing, and what cannot be applied is the
mock's own problem, not one of the API's errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.engine.jsonpointer import deref
from mockserver.web.app import MockServer
from mockserver.web.fastpath import FastPath
from mockserver.web.preferences import SCOPE_KEY, Preferences, SpecAnswers, parse_prefer
from mockserver.web.validation import ResponseValidator, compiled_validator, schema_errors
from tests.conftest import ALICE, JWT, MOMENT, PORTAL, assert_problem, bearer, credentials, make_settings

MAX_DELAY_MS = 2000
INSTRUCTION = "/instruction"
REFS = {"uniqueCustomerReference": "C-299AJJ", "uniqueIntegrationReference": "INT-28828"}
SESSION = "/consumerportal/getsession?consumer_id=CNSRCEC47CDCA8A89085FB562D681733A6&ip_address=192.0.2.15"
LOGIN = "/api/v2/tokens/"
MALIN = {"username": "malin.hansson", "password": "S0lrosen!2023"}
CHANGE_EMAIL = {"currentEmail": "alice@example.com", "newEmail": "alice.new@example.com", "password": "Alice-demo-2024"}
PROBLEM = "/__admin/problems#preference-not-applicable"


@pytest.fixture(scope="module")
def server() -> MockServer:
    return MockServer(make_settings(max_delay_ms=MAX_DELAY_MS))


@pytest.fixture
def client(server: MockServer) -> Iterator[TestClient]:
    server.runtime.reset()
    with TestClient(server, raise_server_exceptions=True) as test_client:
        yield test_client


def documented(api: str, template: str, method: str, status: int) -> tuple[str, dict[str, Any]]:
    """The first media type of a documented response and its media type object."""
    spec = APIS[api].spec
    response = deref(spec, spec["paths"][template][method]["responses"][str(status)])
    media_type, media = next(iter(response["content"].items()))
    return media_type, deref(spec, media)


def conforms(api: str, media: dict[str, Any], body: Any) -> bool:
    spec = APIS[api].spec
    validator = compiled_validator(deref(spec, media["schema"]), ResponseValidator, spec["components"])
    return schema_errors(validator, body) == []


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


# (api, method, path, spec template, body) of a valid request to an operation that documents `status`.
FORCED = [
    ("portal", "PATCH", f"{PORTAL}/profile/change-email", "/profile/change-email", CHANGE_EMAIL, 409),
    (
        "instruction",
        "PUT",
        f"{INSTRUCTION}/TMP110001/introducerreferences",
        "/{tmpReference}/introducerreferences",
        REFS,
        409,
    ),
    ("consumerportal", "GET", SESSION, "/getsession", None, 404),
    ("homeq", "POST", LOGIN, "/api/v2/tokens/", MALIN, 409),
    ("homeq", "GET", "/api/v1/object_ad/18", "/api/v1/object_ad/{id}", None, 404),
]


@pytest.mark.parametrize(("api", "method", "path", "template", "body", "status"), FORCED)
def test_a_forced_code_answers_the_documented_response_in_its_media_type(
    client: TestClient, api: str, method: str, path: str, template: str, body: Any, status: int
) -> None:
    response = client.request(method, path, json=body, headers={**credentials(client, api), "Prefer": f"code={status}"})
    assert response.status_code == status, response.text
    media_type, media = documented(api, template, method.lower(), status)
    assert response.headers["content-type"] == media_type
    assert response.headers["preference-applied"] == f"code={status}"
    assert response.json() == media["example"]  # the spec's own example for that response
    assert conforms(api, media, response.json())


def test_homeq_s_forced_errors_come_in_its_own_error_shape(client: TestClient) -> None:
    response = client.post(LOGIN, json=MALIN, headers={"Prefer": "code=409"})
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": "MissingRightProfile",
        "description": "The user has no right profile associated.",
    }


def test_a_forced_401_with_a_valid_credential_is_the_documented_401_with_the_api_s_challenge(
    client: TestClient,
) -> None:
    portal = client.get(f"{PORTAL}/profile", headers={**ALICE, "Prefer": "code=401"})
    assert_problem(portal, 401)
    assert portal.headers["www-authenticate"] == 'Bearer realm="portal"'
    homeq = client.get("/api/v1/company", headers={**credentials(client, "homeq"), "Prefer": "code=401"})
    assert homeq.status_code == 401
    assert set(homeq.json()) == {"error", "description"}
    assert homeq.headers["www-authenticate"].startswith("JWT")


def test_a_forced_error_changes_nothing(client: TestClient) -> None:
    favourites = client.get(f"{PORTAL}/profile/favourites", headers=ALICE).json()
    refused = client.post(
        f"{PORTAL}/profile/favourites", json={"listing": 5353}, headers={**ALICE, "Prefer": "code=404"}
    )
    assert refused.status_code == 404
    assert client.get(f"{PORTAL}/profile/favourites", headers=ALICE).json() == favourites
    client.patch(f"{PORTAL}/profile/change-email", json=CHANGE_EMAIL, headers={**ALICE, "Prefer": "code=409"})
    assert client.get(f"{PORTAL}/profile", headers=ALICE).json()["email"] == "alice@example.com"
    homeq = credentials(client, "homeq")
    records = client.get("/__admin/apis").json()["apis"]
    estate = {"legal_name": "Solrosen I", "city": "Stockholm"}
    assert client.post("/api/v4/estate", json=estate, headers={**homeq, "Prefer": "code=403"}).status_code == 403
    assert client.get("/__admin/apis").json()["apis"] == records


def test_a_code_equal_to_the_operation_s_success_runs_the_operation(client: TestClient) -> None:
    added = client.post(f"{PORTAL}/profile/favourites", json={"listing": 5353}, headers={**ALICE, "Prefer": "code=201"})
    assert added.status_code == 201
    assert added.headers["preference-applied"] == "code=201"
    listed = client.get(f"{PORTAL}/profile/favourites", headers=ALICE).text
    assert "5353" in listed


def test_an_example_is_answered_without_running_the_operation(client: TestClient) -> None:
    response = client.post(LOGIN, json=MALIN, headers={"Prefer": "code=412, example=PasswordMissing"})
    assert response.status_code == 412
    assert response.json() == {"error": "PasswordMissing", "description": "Please provide a password."}
    assert response.headers["preference-applied"] == "code=412, example=PasswordMissing"
    # Without a code, the example is the success response's: the spec's instruction, not a stored one.
    instruction = client.get(
        f"{INSTRUCTION}/TMP110001", headers={**credentials(client, "instruction"), "Prefer": "example=documented"}
    )
    assert instruction.status_code == 200
    assert instruction.json()["tmpReference"] == "TMP102852"
    assert instruction.headers["preference-applied"] == "example=documented"


def test_credentials_are_checked_before_a_forced_code(client: TestClient) -> None:
    refused = client.patch(
        f"{PORTAL}/profile/change-email", json=CHANGE_EMAIL, headers={**bearer("nope"), "Prefer": "code=409"}
    )
    assert_problem(refused, 401, "unauthorized")
    assert "preference-applied" not in refused.headers
    homeq = client.get("/api/v1/company", headers={"Authorization": "JWT nope", "Prefer": "code=403"})
    assert homeq.status_code == 401
    assert set(homeq.json()) == {"error", "description"}


def test_the_request_is_validated_before_a_forced_code(client: TestClient) -> None:
    portal = client.patch(
        f"{PORTAL}/profile/change-email", json={"newEmail": "nope"}, headers={**ALICE, "Prefer": "code=409"}
    )
    assert_problem(portal, 422, "validation-failed")
    homeq = client.post(
        "/api/v4/estate", json={"city": 5}, headers={**credentials(client, "homeq"), "Prefer": "code=403"}
    )
    assert homeq.status_code == 400
    assert homeq.json()["error"] == "ValidationError"


def test_a_delay_holds_back_whatever_the_answer_is(client: TestClient) -> None:
    plain = client.get(f"{PORTAL}/profile", headers=ALICE)
    slow, took = timed(client.get, f"{PORTAL}/profile", headers={**ALICE, "Prefer": "delay=150"})
    assert took >= 0.15
    assert (slow.status_code, slow.content) == (plain.status_code, plain.content)
    assert slow.headers["preference-applied"] == "delay=150"
    forced, took = timed(client.get, f"{PORTAL}/profile", headers={**ALICE, "Prefer": "code=401, delay=100"})
    assert took >= 0.1
    assert forced.status_code == 401
    assert forced.headers["preference-applied"] == "code=401, delay=100"
    refused, took = timed(client.get, f"{PORTAL}/profile", headers={**bearer("nope"), "Prefer": "delay=100"})
    assert took >= 0.1
    assert refused.status_code == 401
    assert refused.headers["preference-applied"] == "delay=100"


def test_a_delay_over_the_cap_is_refused_without_waiting(client: TestClient) -> None:
    refused, took = timed(client.get, f"{PORTAL}/profile", headers={**ALICE, "Prefer": f"delay={MAX_DELAY_MS + 1}"})
    assert took < MAX_DELAY_MS / 1000
    body = assert_problem(refused, 400, "preference-not-applicable")
    assert str(MAX_DELAY_MS) in body["detail"]


@pytest.mark.parametrize(
    "prefer",
    ["code=409", "code=abc", "code=99", "code", "delay=-1", "delay=abc", "delay=1.5", "example=nope", "example="],
)
def test_a_preference_that_cannot_be_applied_is_the_mock_s_problem_naming_what_is_documented(
    client: TestClient, prefer: str
) -> None:
    refused = client.get(f"{PORTAL}/profile/applications/101", headers={**ALICE, "Prefer": prefer})
    body = assert_problem(refused, 400, "preference-not-applicable")
    assert "200, 400, 401, 404" in body["detail"]
    assert body["codes"] == [200, 400, 401, 404, 503]
    assert "preference-applied" not in refused.headers


def test_homeq_gets_the_preference_problem_as_a_problem_not_in_its_own_error_shape(client: TestClient) -> None:
    refused = client.post(LOGIN, json=MALIN, headers={"Prefer": "code=412, example=Nope"})
    body = assert_problem(refused, 400, "preference-not-applicable")
    assert "error" not in body  # nothing a HomeQ client could take for one of HomeQ's errors
    assert "UsernameMissing" in body["examples"]["412"]
    assert "`UsernameMissing`" in body["detail"]


def test_unknown_preferences_and_parameters_are_ignored(client: TestClient) -> None:
    plain = client.get(f"{PORTAL}/profile", headers=ALICE)
    ignored = client.get(f"{PORTAL}/profile", headers={**ALICE, "Prefer": "respond-async, return=minimal, wait=5"})
    assert (ignored.status_code, ignored.content) == (200, plain.content)
    assert "preference-applied" not in ignored.headers
    with_parameters = client.get(
        f"{PORTAL}/profile/applications/101", headers={**ALICE, "Prefer": 'code=404; strict; note="a, b"'}
    )
    assert with_parameters.status_code == 404


def test_preferences_come_in_several_headers_in_any_case_and_the_first_of_one_counts(client: TestClient) -> None:
    headers = [*ALICE.items(), ("Prefer", "CODE=404"), ("Prefer", "Delay=10, code=401")]
    response = client.get(f"{PORTAL}/profile/applications/101", headers=headers)
    assert response.status_code == 404
    assert response.headers["preference-applied"] == "code=404, delay=10"


def test_parse_prefer_reads_rfc_7240_and_refuses_malformed_values() -> None:
    assert parse_prefer(['code=409; x=1, example="a \\"b\\", c"', "Delay = 15"]) == Preferences(409, 'a "b", c', 15)
    assert parse_prefer([]) == Preferences(None, None, None)
    with pytest.raises(Exception, match="delay=61"):
        parse_prefer(["delay=61"], max_delay_ms=60)


def test_cors_preflight_allows_prefer_and_answers_expose_preference_applied(client: TestClient) -> None:
    origin = "http://localhost:3000"
    preflight = client.options(
        f"{PORTAL}/profile",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, prefer",
        },
    )
    assert preflight.status_code == 200
    assert "prefer" in preflight.headers["access-control-allow-headers"].lower()
    answer = client.get(f"{PORTAL}/profile", headers={**ALICE, "Origin": origin, "Prefer": "delay=0"})
    assert "Preference-Applied" in answer.headers["access-control-expose-headers"]
    # With named origins, a browser sends credentials and reads no "*" in the exposed names.
    credentialed = MockServer(make_settings(apis=("portal",), cors_origins=(origin,)))
    with TestClient(credentialed) as other:
        answer = other.get(f"{PORTAL}/profile", headers={**ALICE, "Origin": origin, "Prefer": "delay=0"})
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert "Preference-Applied" in answer.headers["access-control-expose-headers"].split(", ")


class Counting:
    """Wraps the fast path's fallback (Connexion) and counts the requests it gets."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


def comparable(response: Any) -> tuple[int, str, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "server")}
    return response.status_code, JWT.sub("<jwt>", MOMENT.sub("<moment>", response.text)), headers


def test_both_paths_give_the_same_answer_to_a_prefer_request() -> None:
    fast, slow = MockServer(make_settings()), MockServer(make_settings(fast_path=False))
    assert isinstance(fast.fast_path, FastPath)
    counting = fast.fast_path.fallback = Counting(fast.fast_path.fallback)
    requests = [
        ("GET", f"{PORTAL}/profile", None, "code=401"),
        ("GET", f"{PORTAL}/profile", None, "delay=5"),
        ("GET", f"{PORTAL}/profile", None, "code=200, respond-async"),
        ("GET", f"{PORTAL}/profile", None, "code=409"),
        ("POST", f"{PORTAL}/profile/favourites", {"listing": 5353}, "code=404"),
        ("POST", f"{PORTAL}/profile/favourites", {"listing": 5353}, "code=201"),
        ("GET", "/api/v1/object_ad/18", None, "code=429"),
        ("POST", LOGIN, MALIN, "code=412, example=MissingTotpToken"),
    ]
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        for method, path, body, prefer in requests:
            api = "homeq" if path.startswith("/api/v") else "portal"
            headers = {**credentials(slow_client, api), "Prefer": prefer}
            answers = [c.request(method, path, json=body, headers=headers) for c in (fast_client, slow_client)]
            assert comparable(answers[0]) == comparable(answers[1]), (method, path, prefer)
    assert counting.calls >= len(requests)  # each handed to Connexion


def test_a_forced_answer_made_up_from_the_spec_is_the_same_for_the_same_seed() -> None:
    answers = []
    for _ in range(2):
        with TestClient(MockServer(make_settings(apis=("homeq",)))) as client:
            headers = {**credentials(client, "homeq"), "Prefer": "code=429"}
            answers.append(client.get("/api/v1/object_ad/18", headers=headers))
    assert answers[0].status_code == answers[1].status_code == 429
    assert answers[0].headers["retry-after"] == answers[1].headers["retry-after"]  # made up from its schema
    assert int(answers[0].headers["retry-after"]) >= 0
    assert answers[0].content == answers[1].content


def test_preferences_another_layer_chose_are_applied_and_the_header_wins(server: MockServer) -> None:
    async def choosing(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope[SCOPE_KEY] = Preferences(code=404, delay_ms=50)
        await server(scope, receive, send)

    with TestClient(choosing) as client:
        forced, took = timed(client.get, f"{PORTAL}/profile/applications/101", headers=ALICE)
        assert forced.status_code == 404
        assert forced.headers["preference-applied"] == "code=404, delay=50"
        assert took >= 0.05
        header = client.get(f"{PORTAL}/profile/applications/101", headers={**ALICE, "Prefer": "code=401"})
        assert header.status_code == 401
        assert header.headers["preference-applied"] == "code=401, delay=50"


def test_the_journal_names_the_preferences_that_shaped_each_answer(client: TestClient) -> None:
    client.get(f"{PORTAL}/profile", headers=ALICE)
    client.get(f"{PORTAL}/profile", headers={**ALICE, "Prefer": "code=401, delay=10"})
    forced, plain = client.get("/__admin/requests?limit=2").json()["requests"]
    assert forced["applied"] == "code=401, delay=10"
    assert plain["applied"] is None


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_documented_answer_an_operation_can_be_forced_to_is_valid(api: str) -> None:
    spec = APIS[api].spec
    answers = SpecAnswers(spec, seed=1234, max_delay_ms=MAX_DELAY_MS, challenge=APIS[api].auth_challenge)
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            documented_answers = answers.for_operation(operation["operationId"])
            assert documented_answers is not None
            for status in documented_answers.codes:
                examples = documented_answers.examples(status) or [None]
                for example in examples:
                    forced = documented_answers.answer(Preferences(code=status, example=example))
                    if forced is None:  # the success without an example: the operation runs
                        continue
                    response = documented_answers.responses[status]
                    required = {
                        n.lower() for n, h in (response.get("headers") or {}).items() if deref(spec, h).get("required")
                    }
                    assert required <= {n.lower() for n in forced.headers} | {"content-length"}
                    media_type = forced.headers.get("Content-Type")
                    if media_type and "json" in media_type:
                        media = deref(spec, response["content"][media_type])
                        assert conforms(api, media, forced.body), (operation["operationId"], status, example)


def test_every_operation_can_be_made_to_answer_a_503_for_a_client_s_retry(client: TestClient) -> None:
    """No documentation lists server errors, but any HTTP service can be unavailable: every operation
    documents an inferred 503 (``components/responses/ServiceUnavailable``) that only a preference or
    a rule produces, in the API's own error shape."""
    for api, definition in APIS.items():
        for template, item in definition.spec["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    assert operation["responses"]["503"] == {"$ref": "#/components/responses/ServiceUnavailable"}, (
                        api,
                        method,
                        template,
                    )
    answer = client.get(PORTAL + "/profile", headers={**ALICE, "Prefer": "code=503"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["preference-applied"] == "code=503"
    homeq = client.get("/api/v4/estate/15", headers={**credentials(client, "homeq"), "Prefer": "code=503"})
    assert (homeq.status_code, homeq.json()["error"]) == (503, "ServiceUnavailable")
