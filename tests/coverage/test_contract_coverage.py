"""A ``mockserver contract`` run writes the coverage of its traffic beside its other reports and
prints it in its summary; ``mockserver coverage`` reads the same folder."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mockserver.apis import APIS
from mockserver.cli import main
from mockserver.contract.runner import ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import ANCHOR
from tests.live import serve


def test_a_contract_run_reports_what_its_traffic_reached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        options = ContractOptions(
            base_url=origin,
            apis=("portal",),
            report_dir=tmp_path,
            reports=("junit",),  # the HAR is written anyway: coverage needs it
            max_examples=3,
            phases="examples",
        )
        run_contract(options, APIS, out)
    printed = out.getvalue()
    folder = tmp_path / "portal"
    assert (folder / "traffic.har").is_file()
    report = json.loads((folder / "coverage.json").read_text())
    totals = report["totals"]
    assert 10 < totals["operations"]["reached"] <= totals["operations"]["documented"]
    assert 0 < totals["responses"]["reached"] < totals["responses"]["documented"]
    assert report["notes"] == [] or all("no answer" in note for note in report["notes"])
    assert (folder / "coverage.html").read_text().startswith("<!DOCTYPE html>")
    line = (
        f"operations {totals['operations']['reached']}/{totals['operations']['documented']}, "
        f"responses {totals['responses']['reached']}/{totals['responses']['documented']}"
    )
    summary = printed.split(" contract summary ")[1]
    assert f"coverage: {line}" in summary
    # The command reads the folder the run left, to the same totals.
    assert main(["coverage", "--report-dir", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"] == totals
