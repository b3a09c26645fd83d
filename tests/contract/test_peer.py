"""Two identities: `mockserver contract` takes a peer (given, or our mock's second demo user) and runs
Schemathesis' object-level authorization check with it; a deployment that serves one user's records
to another fails a default run."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.apis import APIS
from mockserver.cli import main
from mockserver.contract.runner import ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.contract.test_contract_command import findings
from tests.live import serve

ANCHOR = dt.date(2026, 3, 2)
BYPASS = "Object-level authorization bypass"


@pytest.fixture(scope="module")
def good_mock() -> Iterator[str]:
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        yield origin


def profile_run(origin: str, report_dir: Path, **options: object) -> tuple[str, dict[str, object]]:
    """A passing run of the portal's profile read alone: its log and the portal's project in the
    ``schemathesis.toml`` it wrote."""
    out = io.StringIO()
    run = ContractOptions(
        base_url=origin,
        apis=("portal",),
        report_dir=report_dir,
        phases="coverage",
        include_operation_ids=("getProfile",),
        **options,  # type: ignore[arg-type]
    )
    assert run_contract(run, APIS, out) == 0, out.getvalue()
    config = tomllib.loads((report_dir / "portal" / "schemathesis.toml").read_text(encoding="utf-8"))
    return out.getvalue(), next(p for p in config["project"] if p["title"] == APIS["portal"].title)


def test_a_deployment_that_serves_other_users_records_fails_a_default_run(tmp_path: Path) -> None:
    broken = MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=("leak-other-user",)))
    with serve(broken) as origin:
        out = io.StringIO()
        # Every operation, phase and check, as a CI run has them; fewer examples keep the test's time.
        options = ContractOptions(base_url=origin, apis=("portal",), report_dir=tmp_path, max_examples=5)
        code = run_contract(options, APIS, out)
    report = out.getvalue()
    assert code == 1, report
    assert "peer: demo user bob of /__admin/apis" in report
    found = findings(tmp_path / "portal" / "junit.xml")
    assert BYPASS in found.get("GET /profile/applications/{applicationId}", ""), found
    assert all(BYPASS in text for text in found.values()), found
    assert f"ST402 {BYPASS}" in report
    # Neither identity's token is written into the reports folder (the WFC document lives elsewhere).
    for file in (tmp_path / "portal").rglob("*"):
        text = file.read_text(encoding="utf-8", errors="replace")
        assert "demo-alice-token" not in text, file
        assert "demo-bob-token" not in text, file


def test_the_peer_is_written_as_a_wfc_auth_reference(good_mock: str, tmp_path: Path) -> None:
    _, mine = profile_run(good_mock, tmp_path)
    assert mine["auth"] == {"wfc": {"path": "${MOCKSERVER_CONTRACT_WFC}", "user": "main", "peers": ["main", "peer"]}}
    config = tomllib.loads((tmp_path / "portal" / "schemathesis.toml").read_text(encoding="utf-8"))
    assert not any("auth" in p for p in config["project"] if p["title"] != APIS["portal"].title)


def test_without_a_peer_the_run_keeps_its_openapi_auth(good_mock: str, tmp_path: Path) -> None:
    log, mine = profile_run(good_mock, tmp_path, use_peer=False)
    assert "peer: none" in log
    assert mine["auth"] == {"openapi": {"bearerAuth": {"bearer": "${MOCKSERVER_CONTRACT_CREDENTIAL}"}}}


def test_a_given_main_credential_takes_no_automatic_peer(good_mock: str, tmp_path: Path) -> None:
    log, _ = profile_run(good_mock, tmp_path, token="demo-bob-token")
    assert "peer: none" in log


def test_a_peer_from_the_environment(
    good_mock: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOCKSERVER_PEER_TOKEN", "demo-carol-token")
    argv = ["contract", "--base-url", good_mock, "--api", "portal", "--report-dir", str(tmp_path)]
    assert main([*argv, "--phases", "coverage", "--include-operation-id", "getProfile"]) == 0
    assert "peer: the given token" in capsys.readouterr().out


def test_a_peer_that_is_the_main_user_is_refused(good_mock: str, tmp_path: Path) -> None:
    out = io.StringIO()
    options = ContractOptions(
        base_url=good_mock, apis=("portal",), report_dir=tmp_path, token="demo-bob-token", peer_token="demo-bob-token"
    )
    assert run_contract(options, APIS, out) == 2
    assert "the peer's token is the main credential's" in out.getvalue()


def test_homeq_takes_no_automatic_peer(good_mock: str, tmp_path: Path) -> None:
    # Its demo users share one company's records: the admin's are rightly the manager's too.
    out = io.StringIO()
    options = ContractOptions(
        base_url=good_mock,
        apis=("homeq",),
        report_dir=tmp_path,
        phases="coverage",
        include_operation_ids=("getCompany",),
    )
    assert run_contract(options, APIS, out) == 0, out.getvalue()
    assert "peer: none (object-level authorization unchecked; homeq's demo users share their records" in out.getvalue()
