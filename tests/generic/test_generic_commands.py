"""``--spec FILE`` on the commands besides ``run``: ``contract`` checks a deployment against any
OpenAPI 3.0 spec, ``proxy`` checks traffic against it, ``coverage`` reports on its operations and
``lint`` lints it; a spec that cannot be served is a one-line usage error (exit 2)."""

from __future__ import annotations

import contextlib
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.cli import main
from mockserver.coverage import CoverageReport
from mockserver.web.app import MockServer
from tests.conftest import make_settings
from tests.contract.test_contract_command import findings
from tests.live import free_port, serve

SPECS = Path(__file__).resolve().parent / "specs"
PETSTORE_EXPANDED = str(SPECS / "petstore-expanded.yaml")
NAME = "petstore-expanded"  # the API's name: the file's stem
BASE = "/api"  # its servers[0] url's path


@pytest.fixture(scope="module")
def petstore() -> Iterator[str]:
    """Our mock serving petstore-expanded.yaml from the spec alone, on 127.0.0.1."""
    with serve(MockServer(make_settings(spec_files=(PETSTORE_EXPANDED,)))) as origin:
        yield origin


def contract(origin: str, report_dir: Path, *options: str) -> tuple[int, str]:
    """``mockserver contract --spec petstore-expanded.yaml`` against ``origin``: exit code, summary."""
    out = io.StringIO()
    argv = ["contract", "--spec", PETSTORE_EXPANDED, "--base-url", origin, "-n", "5", "--seed", "1"]
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--report-dir", str(report_dir), *options])
    return code, out.getvalue()


def test_contract_checks_a_deployment_against_the_spec_alone(petstore: str, tmp_path: Path) -> None:
    # The spec has no examples (the examples phase would skip every operation, which Schemathesis
    # counts as a failed run): fuzzing, the stateful phase and the lifecycle pass exercise it.
    code, report = contract(petstore, tmp_path, "--phases", "fuzzing,stateful,lifecycle")
    assert code == 0, report
    assert f"### {NAME}: Swagger Petstore" in report
    assert f"  {NAME} passed" in report
    # Only the spec's API is checked, not every packaged one.
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [NAME]
    assert "portal" not in report
    junit = tmp_path / NAME / "junit.xml"
    assert {"POST /pets", "GET /pets", "GET /pets/{id}", "DELETE /pets/{id}"} <= {
        c.get("name") for c in ET.parse(junit).getroot().iter("testcase")
    }
    assert findings(junit) == {}


def test_contract_coverage_phase_finds_nothing(petstore: str, tmp_path: Path) -> None:
    code, report = contract(petstore, tmp_path, "--phases", "coverage", "--include-operation-id", "findPets")
    assert code == 0, (report, findings(tmp_path / NAME / "junit.xml"))


def test_contract_names_operations_by_the_ids_the_mock_made_up(tmp_path: Path) -> None:
    """A spec without operationIds: the mock names them (``getPetsById``), and ``contract`` hands
    Schemathesis the document it serves, so ``--include-operation-id`` finds them."""
    import yaml

    document = yaml.safe_load(Path(PETSTORE_EXPANDED).read_text())
    for item in document["paths"].values():
        for operation in item.values():
            operation.pop("operationId", None)
    spec = tmp_path / "anonymous.yaml"
    spec.write_text(yaml.safe_dump(document))
    with serve(MockServer(make_settings(spec_files=(str(spec),)))) as origin:
        out = io.StringIO()
        argv = ["contract", "--spec", str(spec), "--base-url", origin, "-n", "3", "--seed", "1"]
        argv += ["--phases", "fuzzing", "--include-operation-id", "getPetsById", "--report-dir", str(tmp_path / "r")]
        with contextlib.redirect_stdout(out):
            code = main(argv)
    assert code == 0, out.getvalue()
    assert "GET /pets/{id}" in out.getvalue()
    assert "POST /pets" not in out.getvalue()


def test_proxy_checks_traffic_against_the_spec(petstore: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    built: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: built.append(app))
    assert main(["proxy", "--spec", PETSTORE_EXPANDED, "--target", petstore, "--port", str(free_port())]) == 0
    with serve(built[0]) as proxy:
        good = httpx.get(f"{proxy}{BASE}/pets", params={"limit": 2})
        bad = httpx.post(f"{proxy}{BASE}/pets", json={"name": 5})
        journal = httpx.get(f"{proxy}/__admin/requests").json()["requests"]
    assert good.status_code == 200
    assert good.headers["x-mockserver-violations"] == "0"
    assert bad.status_code in (400, 422)
    assert bad.headers["x-mockserver-violations"] == "1"
    assert "request:" in bad.headers["x-mockserver-violation"]
    assert {entry["api"] for entry in journal} == {NAME}


def test_coverage_reports_on_the_spec_operations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    har = tmp_path / "traffic.har"
    entries = [
        {"request": {"method": method, "url": "https://staging.example.com" + url}, "response": {"status": status}}
        for method, url, status in [("GET", f"{BASE}/pets?limit=2", 200), ("GET", f"{BASE}/pets/3", 404)]
    ]
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    assert main(["coverage", "--spec", PETSTORE_EXPANDED, "--har", str(har), "--format", "json"]) == 0
    report = CoverageReport.from_dict(json.loads(capsys.readouterr().out))
    assert [api.name for api in report.apis] == [NAME]
    assert report.totals.operations == 4
    assert report.totals.operations_reached == 2
    # --api adds a packaged API beside the spec's.
    assert main(["coverage", "--spec", PETSTORE_EXPANDED, "--api", "portal", "--har", str(har)]) == 0
    out = capsys.readouterr().out
    assert f"{NAME}: Swagger Petstore ({BASE})" in out
    assert "portal: " in out


def test_lint_lints_the_spec_file(capsys: pytest.CaptureFixture[str]) -> None:
    # The house rules (x-doc-ref, ...) may flag a foreign spec: a report, exit 0 or 1, no crash.
    assert main(["lint", "--spec", PETSTORE_EXPANDED]) in (0, 1)
    out = capsys.readouterr().out
    assert "petstore-expanded.yaml" in out
    assert out.rstrip().splitlines()[-1].startswith("1 file(s), ")
    # With files named positionally too: all of them.
    assert main(["lint", str(SPECS / "petstore.yaml"), "--spec", PETSTORE_EXPANDED]) in (0, 1)
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("2 file(s), ")


def test_lint_of_a_missing_spec_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--spec", str(tmp_path / "missing.yaml")]) == 2
    assert "no such spec file or folder" in capsys.readouterr().err


COMMANDS = {
    "contract": ["contract", "--base-url", "http://127.0.0.1:9"],
    "proxy": ["proxy", "--target", "http://127.0.0.1:9"],
    "coverage": ["coverage", "--har", "unused.har"],
}
REFUSED = {
    "missing": (None, "no spec file"),
    "swagger-2": ({"swagger": "2.0", "info": {"title": "Old", "version": "1"}, "paths": {}}, "is Swagger 2.0"),
    "openapi-3.1": ({"openapi": "3.1.0", "info": {"title": "New", "version": "1"}, "paths": {}}, "is OpenAPI 3.1.0"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_spec_that_cannot_be_served_is_a_one_line_usage_error(
    command: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, said = REFUSED[kind]
    spec = tmp_path / "spec.json"
    if document is not None:
        spec.write_text(json.dumps(document))
    assert main([*COMMANDS[command], "--spec", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockserver {command}: ")
    assert said in err
    assert str(spec) in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_api_beside_a_spec_is_refused(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*COMMANDS[command], "--spec", PETSTORE_EXPANDED, "--api", "nope"]) == 2
    assert "unknown API(s): nope" in capsys.readouterr().err


CRM = str(SPECS / "apideck-crm.json")


@pytest.mark.parametrize("faults", [(), ("keep-deleted",)], ids=["correct", "keep-deleted"])
def test_the_lifecycle_pass_walks_every_resource_of_a_spec_without_examples(
    tmp_path: Path, faults: tuple[str, ...]
) -> None:
    """Apideck's CRM has no examples and no links of its creates: the mock links them
    (``generic.links``) and the walk makes the bodies up, so every resource's life is walked, and a
    mock that keeps deleted records is caught."""
    with serve(MockServer(make_settings(spec_files=(CRM,), faults=faults))) as origin:
        out = io.StringIO()
        argv = ["contract", "--spec", CRM, "--base-url", origin, "--phases", "lifecycle"]
        with contextlib.redirect_stdout(out):
            code = main([*argv, "--report-dir", str(tmp_path)])
    report = out.getvalue()
    if faults:
        assert code != 0
        assert report.count("(Deleted resource still available)") == 8, report
    else:
        assert code == 0, report
        assert "lifecycle: 8/8 resources walked whole, 0 findings" in report, report


def test_the_lifecycle_pass_creates_below_parents_the_api_lists(tmp_path: Path) -> None:
    """LaunchDarkly's flags live below a project (``POST /flags/{projectKey}``) and its spec gives
    no project key: the walk takes the keys of the projects the API lists (``contract.parentkeys``)."""
    spec = str(SPECS / "launchdarkly.json")
    with serve(MockServer(make_settings(spec_files=(spec,)))) as origin:
        out = io.StringIO()
        argv = ["contract", "--spec", spec, "--base-url", origin, "--phases", "lifecycle"]
        with contextlib.redirect_stdout(out):
            code = main([*argv, "--report-dir", str(tmp_path)])
    report = out.getvalue()
    assert code == 0, report
    walked = [line for line in report.splitlines() if line.lstrip().startswith("ok   Lifecycle")]
    assert any("POST /flags/{projectKey}" in line for line in walked), report
    assert any("POST /projects/{projectKey}/environments" in line for line in walked), report
    assert "lifecycle: 7/11 resources walked whole, 0 findings" in report, report


def test_an_oauth2_scheme_takes_the_token_as_a_bearer_token() -> None:
    """OAuth 2 access tokens go in ``Authorization: Bearer``: Schemathesis is told so, as for HTTP
    bearer (the Petstore's ``petstore_auth``; without it every pet operation answered 401)."""
    import yaml

    from mockserver.contract.credentials import Credential, auth_config

    spec = yaml.safe_load((SPECS / "petstore.yaml").read_text())
    config = auth_config(spec, Credential("petstore-alice-token", "test"))
    assert config["openapi"]["petstore_auth"] == {"bearer": "petstore-alice-token"}
    assert config["openapi"]["api_key"] == {"api_key": "petstore-alice-token"}
