"""Login, JWTs and their documented failure cases."""

from __future__ import annotations

import base64
import json
import time
import tomllib
from pathlib import Path

from starlette.testclient import TestClient

from mockserver.apis.homeq import tokens
from mockserver.apis.homeq.state import HomeQState
from mockserver.web.app import MockServer
from tests.conftest import make_settings
from tests.homeq.conftest import assert_error, login

ROOT = Path(__file__).resolve().parents[2]


def _payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_login_returns_a_signed_jwt_with_an_expiry_and_the_documented_body(client: TestClient) -> None:
    response = client.post("/api/v2/tokens/", json={"username": "malin.hansson", "password": "S0lrosen!2023"})
    assert response.status_code == 200
    body = response.json()
    assert body["company"] == {
        "beta_program": False,
        "enabled_features": ["analytics_tool"],
        "id": 2,
        "name": "Sweden Real Estate AB",
    }
    assert body["employee"]["id"] == 15
    assert body["employee"]["root_office"] == body["employee"]["selected_office"] == 3
    assert body["right_profile"]["name"] == "manager"
    assert "entity.employees" in body["right_profile"]["rights"]
    token = body["token"]
    assert token.startswith("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.")
    payload = _payload(token)
    assert payload["user_id"] == 15
    assert isinstance(payload["exp"], int)
    assert payload["exp"] > payload["iat"]


def test_every_protected_operation_takes_the_token_as_jwt_prefix(client: TestClient) -> None:
    headers = login(client, "malin.hansson")
    assert client.get("/api/v1/company", headers=headers).status_code == 200
    bearer = {"Authorization": headers["Authorization"].replace("JWT", "Bearer")}
    assert_error(client.get("/api/v1/company", headers=bearer), 401, "Unauthorized")
    assert_error(client.get("/api/v1/company"), 401, "Unauthorized")


def test_wrong_credentials_are_403_and_empty_ones_412(client: TestClient) -> None:
    wrong = client.post("/api/v2/tokens/", json={"username": "malin.hansson", "password": "nope"})
    assert assert_error(wrong, 403, "PermissionDenied")["description"] == "Please provide correct username and password"
    assert_error(client.post("/api/v2/tokens/", json={"username": " ", "password": "x"}), 412, "UsernameMissing")
    assert_error(client.post("/api/v2/tokens/", json={"username": "a", "password": ""}), 412, "PasswordMissing")
    assert_error(client.post("/api/v2/tokens/", json={"username": "a"}), 400, "ValidationError")


def test_two_factor_accounts_need_a_valid_totp_code(client: TestClient) -> None:
    body = {"username": "karin.totp", "password": "Totp-demo-2024"}
    assert_error(client.post("/api/v2/tokens/", json=body), 412, "MissingTotpToken")
    code = tokens.totp("JBSWY3DPEHPK3PXP", time.time())
    wrong = str((int(code) + 500000) % 1000000).zfill(6)
    assert_error(client.post("/api/v2/tokens/", json={**body, "two_factor_token": wrong}), 412, "InvalidTotpToken")
    assert client.post("/api/v2/tokens/", json={**body, "two_factor_token": code}).status_code == 200


def test_device_verification_registers_a_new_device_with_a_matching_checkin_token(client: TestClient) -> None:
    body = {"username": "lars.enhet", "password": "Device-demo-2024"}
    assert_error(client.post("/api/v2/tokens/", json=body), 412, "MissingDeviceToken")
    assert client.post("/api/v2/tokens/", json={**body, "device_token": "demo-device-1"}).status_code == 200
    new = {**body, "device_token": "laptop-2"}
    assert_error(client.post("/api/v2/tokens/", json=new), 412, "MissingCheckinToken")
    mismatch = {**new, "checkin_token": "checkin:19000101-0000"}
    assert_error(client.post("/api/v2/tokens/", json=mismatch), 412, "MissmatchPersonalNumber")
    assert client.post("/api/v2/tokens/", json={**new, "checkin_token": "checkin:19750909-9876"}).status_code == 200
    assert client.post("/api/v2/tokens/", json=new).status_code == 200


def test_an_account_without_a_right_profile_gets_409(client: TestClient) -> None:
    response = client.post("/api/v2/tokens/", json={"username": "olof.utan", "password": "Noprofile-demo-2024"})
    assert_error(response, 409, "MissingRightProfile")


def test_verify_answers_like_login_for_a_valid_token(client: TestClient) -> None:
    token = login(client, "johan.berg")["Authorization"].split(" ", 1)[1]
    response = client.post("/api/v2/tokens/verify/", json={"token": token})
    assert response.status_code == 200
    assert response.json()["employee"]["username"] == "johan.berg"
    assert response.json()["token"] == token


def test_verify_names_each_documented_401(client: TestClient, state: HomeQState) -> None:
    def reason(token: str | None) -> str:
        body = {} if token is None else {"token": token}
        return str(assert_error(client.post("/api/v2/tokens/verify/", json=body), 401, "Unauthorized")["description"])

    assert reason(None) == "Please provide a token"
    assert reason("not-a-jwt") == "Could not decode JWT token"
    expired = state.access.issue("landlord", 15, 2, exp=int(state.clock.now().timestamp()) - 1)
    assert reason(expired) == "Signature of the token is expired"
    valid = state.access.issue("landlord", 15, 2)
    assert reason(valid[:-2] + ("AA" if not valid.endswith("AA") else "BB")) == (
        "There was a problem with verifying your token"
    )
    assert reason(state.access.issue("landlord", 999, 2)) == "User specified in the token was not found"
    assert reason(state.access.issue("consumer", 9120, None)) == "The token needs to be a landlord token"


def test_a_deleted_employees_token_stops_working(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    observer = login(client, "sara.nilsson")
    assert client.delete("/api/v1/employees/17", headers=admin).status_code == 204
    body = assert_error(client.get("/api/v1/company", headers=observer), 401, "Unauthorized")
    assert body["description"] == "User specified in the token was not found"


def test_demo_users_are_published_admin_first_with_the_login_path(client: TestClient) -> None:
    apis = {api["name"]: api for api in client.get("/__admin/apis").json()["apis"]}
    auth = apis["homeq"]["auth"]
    assert (auth["header"], auth["prefix"], auth["login"]) == (
        "Authorization",
        "JWT",
        {"path": "/api/v2/tokens/", "method": "POST"},
    )
    assert [u["rightProfile"] for u in auth["users"][:4]] == ["admin", "manager", "employee", "observer"]
    for user in auth["users"][:4]:
        login(client, user["username"], user["password"])
        headers = {"Authorization": f"JWT {user['longLivedToken']}"}
        assert client.get("/api/v1/company", headers=headers).status_code == 200


def test_the_contract_tests_token_is_the_published_admin_token() -> None:
    from contract_tests.conftest import SETTINGS

    config = tomllib.loads((ROOT / "schemathesis.toml").read_text(encoding="utf-8"))
    project = next(p for p in config["project"] if p["title"] == "HomeQ landlord API (mock)")
    client = TestClient(MockServer(make_settings(jwt_secret=SETTINGS.jwt_secret)))
    published = client.get("/__admin/apis").json()["apis"]
    auth = next(api["auth"] for api in published if api["name"] == "homeq")
    assert project["auth"]["openapi"]["jwtAuth"]["api_key"] == f"JWT {auth['users'][0]['longLivedToken']}"


def test_public_views_work_without_credentials_and_with_a_bad_token(client: TestClient) -> None:
    public = client.get("/api/v4/estate/15").json()
    assert public["name"] == "Solrosen I"
    assert "bankgiro" not in public
    assert "office" not in public
    assert client.get("/api/v4/estate/15", headers={"Authorization": "JWT garbage"}).json() == public
    landlord = client.get("/api/v4/estate/15", headers=login(client, "malin.hansson")).json()
    assert landlord["bankgiro"] == "5050-1055"
    assert landlord["office"] == 3
    assert client.post("/api/v3/cards/", json={}).status_code == 200
    assert client.get("/api/v1/projects/12").json()["status"] == "Published"


def test_a_validly_signed_token_with_a_wrongly_typed_claim_is_a_401(client: TestClient, state: HomeQState) -> None:
    """Every claim the mock reads is type-checked: a list or an object where an id belongs, a
    string where a time belongs or an unknown kind is the documented 401, never a failure further in."""
    base = {"type": "landlord", "user_id": 15, "company_id": 2, "iat": 1700000000, "exp": 4102444800}
    good = {"Authorization": "JWT " + tokens.encode(base, state.secret)}
    assert client.get("/api/v1/company", headers=good).status_code == 200
    wrong: list[dict[str, object]] = [
        {"user_id": [15]},
        {"user_id": {"id": 15}},
        {"user_id": "15"},
        {"user_id": True},
        {"user_id": None},
        {"company_id": [2]},
        {"company_id": "2"},
        {"type": ["landlord"]},
        {"type": "admin"},
        {"iat": "yesterday"},
        {"exp": 4102444800.5},
    ]
    for change in wrong:
        token = tokens.encode({**base, **change}, state.secret)
        for path in ("/api/v1/company", "/api/v4/estate/15"):
            response = client.get(path, headers={"Authorization": f"JWT {token}"})
            if path == "/api/v1/company":
                body = assert_error(response, 401, "Unauthorized")
                assert body["description"] == "There was a problem with verifying your token", change
            else:  # a public view: a bad token is no token
                assert response.status_code == 200, (change, response.text)
        verified = client.post("/api/v2/tokens/verify/", json={"token": token})
        assert assert_error(verified, 401, "Unauthorized")["description"] == tokens.VERIFICATION_FAILED


def test_the_signing_secret_is_random_per_state_unless_set() -> None:
    """Nothing public (the seed is in /__admin/health) lets anyone work out the signing secret: two
    mocks with the same seed sign differently, and a token of one is refused by the other; with
    JWT_SECRET set, tokens outlive the process."""
    settings = make_settings(apis=("homeq",), jwt_secret="")
    first, second = (TestClient(MockServer(settings)) for _ in range(2))

    def admin_token(client: TestClient) -> str:
        apis = client.get("/__admin/apis").json()["apis"]
        return str(next(a for a in apis if a["name"] == "homeq")["auth"]["users"][0]["longLivedToken"])

    token = admin_token(first)
    assert token != admin_token(second)
    assert first.get("/api/v1/company", headers={"Authorization": f"JWT {token}"}).status_code == 200
    refused = second.get("/api/v1/company", headers={"Authorization": f"JWT {token}"})
    assert_error(refused, 401, "Unauthorized")
    first.post("/__admin/reset")
    assert admin_token(first) == token  # a reset keeps the secret: published tokens keep working

    fixed = make_settings(apis=("homeq",), jwt_secret="team-secret")
    one, other = (TestClient(MockServer(fixed)) for _ in range(2))
    assert admin_token(one) == admin_token(other)
    assert other.get("/api/v1/company", headers={"Authorization": f"JWT {admin_token(one)}"}).status_code == 200
