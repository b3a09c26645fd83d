"""`mockserver contract` against real servers on 127.0.0.1: it passes on our mock and catches each
fault of a deliberately broken one, with the finding in the JUnit report a CI reads."""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.apis import APIS
from mockserver.cli import main
from mockserver.contract.runner import ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from mockserver.web.faults import FAULTS
from tests.live import serve

ANCHOR = dt.date(2026, 3, 2)


def findings(junit: Path) -> dict[str, str]:
    """Operation -> the text of its failure or error, for every operation that has one."""
    found: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        for kind in ("failure", "error"):
            element = case.find(kind)
            if element is not None:
                found[case.get("name", "")] = element.text or element.get("message") or ""
    return found


@pytest.fixture(scope="module")
def good_mock() -> Iterator[str]:
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        yield origin


def test_our_mock_passes_every_phase_and_check(good_mock: str, tmp_path: Path) -> None:
    out = io.StringIO()
    options = ContractOptions(base_url=good_mock, apis=("portal",), report_dir=tmp_path, max_examples=3)
    code = run_contract(options, APIS, out)
    report = out.getvalue()
    assert code == 0, report
    assert "credentials: demo user alice of /__admin/apis" in report
    assert "peer: demo user bob of /__admin/apis" in report
    junit = tmp_path / "portal" / "junit.xml"
    cases = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase")]
    assert "GET /profile" in cases
    assert "DELETE /profile/favourites/{listingId}" in cases
    assert findings(junit) == {}
    har = json.loads((tmp_path / "portal" / "traffic.har").read_text())
    assert len(har["log"]["entries"]) > 100
    # The token the run used is not written into the reports folder.
    assert "demo-alice-token" not in (tmp_path / "portal" / "schemathesis.toml").read_text()
    assert "portal           passed" in report


# fault -> (operations to test, phases, the title of the finding Schemathesis must report)
CASES = {
    "undocumented-status": (["getProfile", "listFavourites"], "coverage", "Undocumented status code"),
    "drop-required-field": (["getProfile", "listApplications"], "coverage", "Response violates schema"),
    "ignore-auth": (["getProfile"], "coverage", "API accepts requests without authentication"),
    # Alice's application read again as Bob, the second demo user (the run's automatic peer).
    "leak-other-user": (["listApplications", "getApplication"], "coverage", "Object-level authorization bypass"),
    "keep-deleted": (
        ["addFavourite", "removeFavourite", "checkFavourite"],
        "stateful",
        "Deleted resource still available",
    ),
    "lost-write": (
        ["addFavourite", "removeFavourite", "checkFavourite"],
        "stateful",
        "Created resource not found",
    ),
}


def test_every_fault_mode_has_a_contract_case() -> None:
    assert set(CASES) == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(CASES))
def test_a_broken_deployment_fails_with_the_right_finding(fault: str, tmp_path: Path) -> None:
    operations, phases, finding = CASES[fault]
    broken = MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=(fault,)))
    with serve(broken) as origin:
        out = io.StringIO()
        options = ContractOptions(
            base_url=origin,
            apis=("portal",),
            report_dir=tmp_path,
            max_examples=5,
            phases=phases,
            include_operation_ids=tuple(operations),
            reports=("junit", "vcr"),
        )
        code = run_contract(options, APIS, out)
    assert code == 1, out.getvalue()
    found = findings(tmp_path / "portal" / "junit.xml")
    assert any(finding in text for text in found.values()), found
    assert "FAIL" in out.getvalue()
    assert "portal           FAILED" in out.getvalue()
    assert (tmp_path / "portal" / "traffic.vcr.yaml").exists()


def test_an_unknown_api_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", "--base-url", "http://127.0.0.1:9", "--api", "nope"]) == 2
    assert "unknown API(s) nope" in capsys.readouterr().err


def test_an_unknown_fault_mode_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--fault", "slow-death"]) == 2
    assert "unknown fault(s) slow-death" in capsys.readouterr().err
