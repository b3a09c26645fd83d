"""`mockserver contract --max-response-time`: a slow operation fails with Schemathesis' own finding,
and each API's limit in `schemathesis.toml` is the default."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml
from schemathesis.config import SchemathesisConfig

from mockserver.apis import APIS
from mockserver.cli import build_parser, main
from mockserver.contract.runner import DEFAULT_CONFIG, ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.contract.test_contract_command import findings
from tests.live import serve

ANCHOR = dt.date(2026, 3, 2)


def test_a_slow_operation_fails_with_the_response_time_finding(tmp_path: Path) -> None:
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        # The control plane's rules make one operation slow, as a frontend developer would.
        rule = {"api": "portal", "operationId": "getProfile", "delay_ms": 1500}
        httpx.post(f"{origin}/__admin/rules", json=rule).raise_for_status()
        out = io.StringIO()
        options = ContractOptions(
            base_url=origin,
            apis=("portal",),
            report_dir=tmp_path,
            max_examples=1,
            phases="coverage",
            include_operation_ids=("getProfile", "listFavourites"),
            max_response_time=0.5,
        )
        code = run_contract(options, APIS, out)
    report = out.getvalue()
    assert code == 1, report
    found = findings(tmp_path / "portal" / "junit.xml")
    assert set(found) == {"GET /profile"}, found
    assert "Response time limit exceeded" in found["GET /profile"]
    assert "Limit: 500.00ms" in found["GET /profile"]
    lines = report.splitlines()
    assert any(
        line.split()[:3] == ["FAIL", "GET", "/profile"] and "Response time limit exceeded" in line for line in lines
    )
    assert any(line.split()[:3] == ["ok", "GET", "/profile/favourites"] for line in lines), report


def test_each_api_has_a_response_time_limit_that_reaches_the_run(tmp_path: Path) -> None:
    repository = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    limits = {p["title"]: p.get("checks", {}).get("max_response_time") for p in repository["project"]}
    assert set(limits) == {definition.title for definition in APIS.values()}
    assert all(isinstance(limit, float) and limit >= 1 for limit in limits.values()), limits
    # A run against a server with no control plane (nothing listens there) still writes its settings.
    options = ContractOptions(
        base_url="http://127.0.0.1:9",
        apis=("portal",),
        report_dir=tmp_path,
        use_admin=False,
        phases="examples",
        include_operation_ids=("getProfile",),
    )
    run_contract(options, APIS, io.StringIO())
    written = SchemathesisConfig.from_path(str(tmp_path / "portal" / "schemathesis.toml"))
    spec = yaml.safe_load(APIS["portal"].spec_file.read_text(encoding="utf-8"))
    checks = written.projects.get(spec).checks
    assert checks.max_response_time.enabled
    assert checks.max_response_time.limit == limits[APIS["portal"].title]


def test_the_option_takes_positive_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["contract", "--base-url", "http://x", "--max-response-time", "2.5"])
    assert args.max_response_time == 2.5
    for bad in ("0", "-1", "nan", "soon"):
        with pytest.raises(SystemExit) as exit_:
            main(["contract", "--base-url", "http://127.0.0.1:9", "--max-response-time", bad])
        assert exit_.value.code == 2
        assert "is not a positive number of seconds" in capsys.readouterr().err
