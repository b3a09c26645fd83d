"""The control plane answers the developer at the keyboard, not a web page they visit."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.cli import with_admin_token
from mockserver.contract.credentials import resolve
from mockserver.engine.hosts import is_loopback_host
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import ALICE, PORTAL, assert_problem, make_settings

LOCAL = {"Host": "localhost:8000"}
EVIL = "http://evil.example"


def test_the_control_plane_sends_no_cors_headers_while_the_apis_keep_theirs(client: TestClient) -> None:
    own = client.get("/__admin/apis", headers={**LOCAL, "Origin": "http://localhost:8000"})
    assert own.status_code == 200
    assert "access-control-allow-origin" not in own.headers
    api = client.get(f"{PORTAL}/profile", headers={**ALICE, "Origin": EVIL})
    assert api.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/__admin/reset", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},  # a form post or fetch from another site
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Origin": "http://localhost:3000", **LOCAL},  # the frontend under development: another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", **LOCAL},
        {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"},  # DNS re-binding
        {"Host": "evil.example:8000", "Sec-Fetch-Site": "same-origin"},
    ],
    ids=["foreign origin", "null origin", "frontend origin", "cross-site", "same-site", "rebinding", "rebinding get"],
)
def test_a_browser_request_for_another_site_changes_and_reads_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    client.delete(f"{PORTAL}/profile/favourites/5353", headers=ALICE)
    assert_problem(client.post("/__admin/reset", headers=headers), 403, "forbidden")
    assert client.head(f"{PORTAL}/profile/favourites/5353", headers=ALICE).status_code == 404  # not reset
    for path in ("/__admin/apis", "/__admin/requests", "/__admin/webhooks"):
        refused = client.get(path, headers=headers)
        assert_problem(refused, 403, "forbidden")
        assert "password" not in refused.text
    hook = {"api": "homeq", "url": "http://127.0.0.1:9/hook"}
    assert_problem(client.post("/__admin/webhooks", json=hook, headers=headers), 403, "forbidden")


def test_the_developers_own_browser_and_command_line_tools_are_served(client: TestClient) -> None:
    assert client.post("/__admin/reset").status_code == 200  # curl, CI: no browser headers
    own = {"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/__admin/reset", headers=own).status_code == 200  # the control plane's Swagger UI
    typed = {"Host": "localhost:8000", "Sec-Fetch-Site": "none"}  # an address typed into the browser
    assert client.get("/__admin/apis", headers=typed).status_code == 200
    assert client.get("/__admin/apis", headers={"Host": "[::1]:8000", "Sec-Fetch-Site": "none"}).status_code == 200


def test_the_upload_target_keeps_cors_for_the_frontend(client: TestClient) -> None:
    """Pre-signed upload URLs point at /__admin/uploads: a frontend PUTs files there from its origin."""
    preflight = client.options(
        "/__admin/uploads/homeq/images/a.png",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status_code == 200
    put = client.put(
        "/__admin/uploads/homeq/images/a.png",
        content=b"\x89PNG\r\n\x1a\n",
        headers={"Origin": "http://localhost:3000", "Content-Type": "image/png"},
    )
    assert put.status_code == 200
    assert put.headers["access-control-allow-origin"] == "*"


@pytest.fixture
def guarded() -> TestClient:
    return TestClient(MockServer(make_settings(admin_token="s3cret-token")))


def test_with_a_token_every_call_but_health_and_docs_needs_it(guarded: TestClient) -> None:
    for method, path in (("GET", "/__admin/apis"), ("POST", "/__admin/reset"), ("GET", "/__admin/requests")):
        refused = guarded.request(method, path)
        assert_problem(refused, 401, "unauthorized")
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "password" not in refused.text
        wrong = guarded.request(method, path, headers={"Authorization": "Bearer s3cret-tokeN"})
        assert_problem(wrong, 401, "unauthorized")
        right = guarded.request(method, path, headers={"Authorization": "Bearer s3cret-token"})
        assert right.status_code == 200, right.text
    assert guarded.get("/__admin/health").status_code == 200
    assert guarded.get("/__admin/openapi.json").status_code == 200
    assert guarded.get("/__admin/openapi.yaml").status_code == 200
    assert guarded.get("/__admin/ui/").status_code == 200
    assert guarded.put("/__admin/uploads/homeq/images/a.png", content=b"x").status_code == 200
    # The token is the developer's: with it, their tools may call from any host or origin.
    anywhere = {"Authorization": "Bearer s3cret-token", "Host": "mock.internal:8000", "Origin": EVIL}
    assert guarded.post("/__admin/reset", headers=anywhere).status_code == 200


def test_the_demo_credentials_are_listed_only_with_the_token(guarded: TestClient) -> None:
    definition = APIS["portal"]
    assert resolve(definition, "http://testserver", client=guarded) is None
    credential = resolve(definition, "http://testserver", admin_token="s3cret-token", client=guarded)
    assert credential is not None
    assert credential.token == "demo-alice-token"


def test_run_makes_a_token_when_it_listens_off_loopback() -> None:
    assert with_admin_token(Settings(host="127.0.0.1")).admin_token == ""
    assert with_admin_token(Settings(host="localhost")).admin_token == ""
    assert with_admin_token(Settings(host="::1")).admin_token == ""
    made = with_admin_token(Settings(host="0.0.0.0")).admin_token
    assert len(made) >= 32
    assert made != with_admin_token(Settings(host="0.0.0.0")).admin_token
    assert with_admin_token(Settings(host="0.0.0.0", admin_token="mine")).admin_token == "mine"
    assert with_admin_token(Settings(host="192.168.1.5")).admin_token


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("app.localhost", True),
        ("0.0.0.0", False),
        ("localhost.evil.example", False),
        ("evil.example", False),
        ("10.0.0.1", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_origins_the_developer_lists_may_call_the_control_plane_from_a_browser() -> None:
    """A frontend's own dev tools (a "reset data" button at localhost:3000) need ADMIN_ORIGINS."""
    client = TestClient(MockServer(make_settings(admin_origins=("http://localhost:3000",))))
    frontend = {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}
    preflight = client.options("/__admin/reset", headers={**frontend, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    reset = client.post("/__admin/reset", headers=frontend)
    assert reset.status_code == 200
    assert reset.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = {"Origin": "http://localhost:4000", "Sec-Fetch-Site": "same-site"}
    assert_problem(client.post("/__admin/reset", headers=other), 403, "forbidden")
    assert "access-control-allow-origin" not in client.get("/__admin/apis", headers=other).headers
