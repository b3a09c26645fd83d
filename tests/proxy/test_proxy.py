"""`mockserver proxy` in front of our mock (good and deliberately broken), all on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver.apis import APIS
from mockserver.cli import main
from mockserver.proxy import ProxyApp
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.live import free_port, serve

ANCHOR = dt.date(2026, 3, 2)
ALICE = {"Authorization": "Bearer demo-alice-token"}
PORTAL = "/api/rest/portal"


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        yield origin


@pytest.fixture(scope="module")
def broken_target() -> Iterator[str]:
    faults = ("drop-required-field", "undocumented-status")
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=faults))) as origin:
        yield origin


def proxy_for(origin: str) -> ProxyApp:
    return ProxyApp(Settings(target=origin, target_timeout=5.0), APIS)


def profile_direct_and_proxied(origin: str) -> tuple[httpx.Response, httpx.Response, list[dict[str, Any]]]:
    """Alice's profile from ``origin`` and through a proxy in front of it, and the proxy's journal."""
    with serve(proxy_for(origin)) as proxy:
        direct = httpx.get(f"{origin}{PORTAL}/profile", headers=ALICE)
        proxied = httpx.get(f"{proxy}{PORTAL}/profile", headers=ALICE)
        journal: list[dict[str, Any]] = httpx.get(f"{proxy}/__admin/requests").json()["requests"]
    return direct, proxied, journal


def test_clean_traffic_passes_through_unchanged_with_a_zero_count(target: str) -> None:
    direct, proxied, journal = profile_direct_and_proxied(target)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.content == direct.content
    assert proxied.headers["content-type"] == direct.headers["content-type"]
    assert proxied.headers["x-mockserver-violations"] == "0"
    assert "x-mockserver-violation" not in proxied.headers
    assert journal[0]["path"] == f"{PORTAL}/profile"
    assert journal[0]["violations"] == []
    assert journal[0]["api"] == "portal"


def test_writes_reach_the_target_and_are_remembered_there(target: str) -> None:
    with serve(proxy_for(target)) as proxy:
        created = httpx.post(f"{proxy}{PORTAL}/profile/favourites", headers=ALICE, json={"listing": 5355})
        check = httpx.head(f"{target}{PORTAL}/profile/favourites/5355", headers=ALICE)
        httpx.delete(f"{proxy}{PORTAL}/profile/favourites/5355", headers=ALICE)
    assert created.status_code == 201
    assert created.headers["x-mockserver-violations"] == "0"
    assert check.status_code == 200


def test_a_bad_request_is_forwarded_and_reported(target: str) -> None:
    with serve(proxy_for(target)) as proxy:
        response = httpx.post(f"{proxy}{PORTAL}/profile/favourites", headers=ALICE, json={"listing": "five"})
        journal = httpx.get(f"{proxy}/__admin/requests", params={"violations": "only"}).json()["requests"]
    # The target's own answer (a 4xx problem) comes back as it was...
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    # ... and the proxy says the request broke the spec, and where.
    assert response.headers["x-mockserver-violations"] == "1"
    assert "request:" in response.headers["x-mockserver-violation"]
    assert "/listing" in response.headers["x-mockserver-violation"]
    assert journal[0]["violations"][0]["where"] == "request"
    assert journal[0]["violations"][0]["kind"] == "InvalidRequestBody"


def test_a_broken_deployment_is_caught_without_changing_its_answer(broken_target: str) -> None:
    direct, proxied, journal = profile_direct_and_proxied(broken_target)
    assert proxied.status_code == direct.status_code == 203
    assert proxied.content == direct.content
    found = journal[0]["violations"]
    assert [v["where"] for v in found] == ["response"]
    assert found[0]["kind"] == "ResponseNotFound"
    assert "203" in found[0]["message"]
    assert proxied.headers["x-mockserver-violations"] == "1"


def test_a_missing_required_field_is_named(broken_target: str) -> None:
    with serve(proxy_for(broken_target)) as proxy:
        # PUT answers 200 (not turned into 203) but without its first required property.
        profile = httpx.get(f"{broken_target}{PORTAL}/profile", headers=ALICE).json()
        response = httpx.put(f"{proxy}{PORTAL}/profile", headers=ALICE, json={"firstName": "Alice"})
    assert "id" not in profile
    assert response.status_code == 200
    assert "'id' is a required property" in response.headers["x-mockserver-violation"]


def test_an_unreachable_target_is_a_502_problem() -> None:
    with serve(ProxyApp(Settings(target=f"http://127.0.0.1:{free_port()}", target_timeout=2.0), APIS)) as proxy:
        response = httpx.get(f"{proxy}{PORTAL}/profile", headers=ALICE)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/__admin/problems#bad-gateway"


def test_the_proxy_needs_a_target(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TARGET", raising=False)
    assert main(["proxy"]) == 2
    assert "needs a target" in capsys.readouterr().err


def test_the_proxys_journal_is_guarded_like_the_mocks_control_plane() -> None:
    from starlette.testclient import TestClient

    from mockserver.web.adminguard import AdminGuard

    open_guard = TestClient(AdminGuard(proxy_for("http://127.0.0.1:9"), ""))
    assert open_guard.get("/__admin/requests").status_code == 200
    assert open_guard.delete("/__admin/requests", headers={"Origin": "http://evil.example"}).status_code == 403
    with_token = TestClient(AdminGuard(proxy_for("http://127.0.0.1:9"), "t0ken"))
    assert with_token.get("/__admin/requests").status_code == 401
    assert with_token.get("/__admin/requests", headers={"Authorization": "Bearer t0ken"}).status_code == 200
    assert with_token.get("/__admin/health").status_code == 200
