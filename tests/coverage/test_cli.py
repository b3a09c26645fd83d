"""``mockserver coverage`` from a contract report folder, a HAR file or a running mock: its formats,
``--fail-under`` (exit 1) and input it cannot read (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.cli import main
from mockserver.coverage import CoverageReport
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import ANCHOR, PORTAL
from tests.live import serve

ORIGIN = "https://staging.example.com"
ALICE = {"Authorization": "Bearer demo-alice-token"}


def write_har(path: Path, *exchanges: tuple[str, str, int]) -> Path:
    entries = [
        {"request": {"method": method, "url": ORIGIN + url}, "response": {"status": status}}
        for method, url, status in exchanges
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    """A contract report folder with the portal's traffic: its profile read, and a path it lacks."""
    write_har(
        tmp_path / "reports" / "portal" / "traffic.har",
        ("GET", f"{PORTAL}/profile", 200),
        ("GET", f"{PORTAL}/profile", 401),
        ("GET", f"{PORTAL}/nowhere", 404),
    )
    return tmp_path / "reports"


def test_a_report_folder_gives_a_table_per_api_and_the_totals(
    report_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "--report-dir", str(report_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"coverage of {report_dir} (traffic.har of each API)")
    profile = next(line for line in out.splitlines() if "getProfile" in line)
    assert "reached 200 x1, 401 x1" in profile
    assert "unmatched: 1 requests named no documented operation (404 x1)" in out
    assert "homeq" not in out  # no HAR of it in the folder
    assert out.splitlines()[-1].startswith("total: operations 1/")


def test_fail_under_exits_1_and_says_why(report_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--report-dir", str(report_dir), "--fail-under", "50"]) == 1
    err = capsys.readouterr().err
    assert "of the documented responses were reached (2 of" in err
    assert err.rstrip().endswith("under --fail-under 50")
    assert main(["coverage", "--report-dir", str(report_dir), "--fail-under", "0.5"]) == 0


def test_html_from_a_report_folder_goes_into_it_and_json_where_asked(
    report_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "--report-dir", str(report_dir), "--format", "html"]) == 0
    page = (report_dir / "coverage.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "getProfile" in page
    assert capsys.readouterr().out.startswith("coverage: operations 1/")
    target = tmp_path / "out" / "coverage.json"
    assert main(["coverage", "--report-dir", str(report_dir), "--format", "json", "--output", str(target)]) == 0
    report = CoverageReport.from_dict(json.loads(target.read_text()))
    assert [api.name for api in report.apis] == ["portal"]
    said = capsys.readouterr().out
    assert said.startswith("coverage: operations 1/")
    assert said.endswith(f" -> {target}\n")
    assert main(["coverage", "--report-dir", str(report_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["responses"]["reached"] == 2


def test_any_har_with_the_apis_it_names_and_the_prefix_it_is_under(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = write_har(tmp_path / "browser.har", ("GET", f"/gw{PORTAL}/profile", 200), ("GET", "/api/v1/company/", 200))
    assert main(["coverage", "--har", str(har), "--api", "portal", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["responses"]["reached"] == 1
    assert (
        report["notes"][0] == "portal was taken to be served under /gw/api/rest/portal (the spec says /api/rest/portal)"
    )
    assert main(["coverage", "--har", str(har), "--api", "portal", "--prefix", "/gw/", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["unmatched"] == 1
    assert main(["coverage", "--har", str(har), "--format", "json"]) == 0  # every API
    assert len(json.loads(capsys.readouterr().out)["apis"]) == 4


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--report-dir", "{tmp}/none"], "no report folder"),
        (["--report-dir", "{tmp}"], "no traffic.har in any API's folder"),
        (["--report-dir", "{tmp}", "--api", "portal"], "no traffic.har for portal"),
        (["--har", "{tmp}/bad.har"], "is not a HAR file"),
        (["--har", "{tmp}/missing.har"], "cannot read"),
        (["--har", "{tmp}/bad.har", "--api", "nope"], "unknown API(s) nope"),
        (["--har", "{tmp}/bad.har", "--prefix", "/gw"], "--prefix goes with --har and one --api"),
        (["--report-dir", "{tmp}", "--session", "w3"], "--session goes with --url"),
        (["--url", "http://127.0.0.1:9"], "cannot reach"),
    ],
)
def test_input_that_cannot_be_read_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    (tmp_path / "bad.har").write_text("{}")
    assert main(["coverage", *(a.replace("{tmp}", str(tmp_path)) for a in args)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockserver coverage: ")
    assert says in err


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    settings = Settings(anchor_date=ANCHOR, volume=8, admin_token="secret-token")
    with serve(MockServer(settings), ready_path="/__admin/health") as origin:
        yield origin


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["coverage", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_running_mocks_counts_in_the_default_state_and_a_session(
    live: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with httpx.Client(base_url=live) as client:
        client.get(f"{PORTAL}/profile", headers=ALICE)
        client.get(f"/__sessions/cli{PORTAL}/profile")
    token = ["--admin-token", "secret-token"]
    report = cli_json(capsys, "--url", live, *token, "--api", "portal")
    assert report["source"] == f"{live} (the running mock, the default state)"
    assert [a["name"] for a in report["apis"]] == ["portal"]
    assert report["totals"]["responses"]["reached"] >= 1
    in_session = cli_json(capsys, "--url", live, *token, "--session", "cli", "--api", "portal", "--api", "homeq")
    assert in_session["session"] == "cli"
    assert [a["name"] for a in in_session["apis"]] == ["portal", "homeq"]
    assert main(["coverage", "--url", live, *token, "--fail-under", "100"]) == 1
    assert main(["coverage", "--url", live]) == 2  # the control plane wants its token
    assert "answered 401" in capsys.readouterr().err
    assert main(["coverage", "--url", live, *token, "--session", "nobody"]) == 2
    assert "answered 404" in capsys.readouterr().err
