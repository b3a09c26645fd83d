"""``mockserver diff``'s command: its reports (text, JSON, JUnit), exit codes, accepted changes,
and git versions as sources."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from mockserver.diff import RULES
from mockserver.diff.cli import main
from tests.diff.cases import base, corpus, pair

ROOT = Path(__file__).resolve().parents[2]
CASES = corpus()


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def specs(tmp_path: Path, rule_id: str) -> tuple[str, str]:
    old, new = pair(rule_id, CASES[rule_id])
    return write(tmp_path, "old.yaml", old), write(tmp_path, "new.yaml", new)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_rules_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list-rules")
    assert code == 0
    lines = out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == list(RULES)
    assert "request-enum-narrowed" in out
    assert "non-breaking" in out


def test_a_client_breaking_change_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = specs(tmp_path, "request-property-became-required")
    code, out, err = run(capsys, old, new)
    assert code == 1
    assert "BREAKING" in out
    assert "request-property-became-required" in out
    assert "POST /things/{id}" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL: 1 change(s), 1 breaking for clients")
    assert err == ""


@pytest.mark.parametrize(
    ("rule_id", "fail_on", "code"),
    [
        ("request-property-became-optional", "client", 0),  # breaks servers only
        ("request-property-became-optional", "server", 1),
        ("request-property-became-optional", "both", 1),
        ("request-property-became-required", "server", 0),
        ("request-property-became-required", "none", 0),
        ("operation-deprecated", "both", 0),
        ("response-property-added-optional", "both", 0),
    ],
)
def test_fail_on_selects_the_sides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule_id: str, fail_on: str, code: int
) -> None:
    old, new = specs(tmp_path, rule_id)
    assert run(capsys, old, new, "--fail-on", fail_on)[0] == code


def test_identical_specs_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a.yaml", base())
    code, out, _ = run(capsys, path, path)
    assert code == 0
    assert "OK: 0 change(s)" in out


def test_json_report_has_a_stable_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = specs(tmp_path, "request-enum-narrowed")
    code, out, _ = run(capsys, old, new, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert set(report) == {"old", "new", "changes", "summary", "unused_acceptances"}
    assert (report["old"], report["new"]) == (old, new)
    (change,) = report["changes"]
    assert change == {
        "id": "request-enum-narrowed",
        "level": "breaking",
        "client": "breaking",
        "server": "non-breaking",
        "operation": "POST /things/{id}",
        "location": "/requestBody/content/application~1json/schema/properties/value/enum",
        "message": 'enum values removed: ["b"]',
        "old": ["b"],
        "new": None,
        "accepted": False,
        "reason": None,
        "failing": True,
    }
    assert report["summary"] == {
        "changes": 1,
        "breaking_client": 1,
        "breaking_server": 0,
        "accepted": 0,
        "failing": 1,
        "fail_on": "client",
        "by_rule": {"request-enum-narrowed": 1},
    }


def test_junit_report_has_a_case_per_breaking_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = base()
    new = pair("request-enum-narrowed", CASES["request-enum-narrowed"])[1]
    new["paths"]["/things/{id}"]["post"]["deprecated"] = True  # info: not a test case
    new["paths"]["/others"] = {"get": {"responses": {"200": {"description": "ok"}}}}  # breaks servers only
    old["components"]["schemas"]["In"]["properties"]["value"] = CASES["request-enum-narrowed"]["schema"]["old"]
    code, out, _ = run(capsys, write(tmp_path, "old.yaml", old), write(tmp_path, "new.yaml", new), "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out.encode()).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [case.get("classname") for case in cases] == ["operation-added", "request-enum-narrowed"]
    assert cases[0].find("failure") is None  # breaking for servers, --fail-on client
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "request-enum-narrowed"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "0")


def test_junit_report_without_breaking_changes_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a.yaml", base())
    code, out, _ = run(capsys, path, path, "--format", "junit")
    assert code == 0
    suite = ET.fromstring(out.encode()).find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == 1


def test_output_writes_the_report_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = specs(tmp_path, "operation-removed")
    target = tmp_path / "reports" / "diff.xml"
    code, out, _ = run(capsys, old, new, "--format", "junit", "--output", str(target))
    assert code == 1
    assert ET.parse(target).getroot().tag == "testsuites"
    assert out.startswith("FAIL: 1 change(s)")


def accept_file(tmp_path: Path, entries: list[dict[str, Any]]) -> str:
    return write(tmp_path, "accept.yaml", entries)


@pytest.mark.parametrize(
    "entry",
    [
        {"rule": "request-enum-narrowed"},
        {"rule": "request-enum-narrowed", "operation": "post /things/{thingId}"},
        {"rule": "request-enum-narrowed", "location": "/requestBody/*/enum"},
        {
            "rule": "request-enum-narrowed",
            "operation": "POST /things/{id}",
            "location": "/requestBody/content/application~1json/schema/properties/value/enum",
        },
    ],
)
def test_an_accepted_change_does_not_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: dict[str, Any]
) -> None:
    old, new = specs(tmp_path, "request-enum-narrowed")
    accept = accept_file(tmp_path, [{**entry, "reason": "b was never sent (ticket 12)"}])
    code, out, err = run(capsys, old, new, "--accept", accept, "--format", "json")
    assert code == 0, out
    (change,) = json.loads(out)["changes"]
    assert (change["accepted"], change["reason"], change["failing"]) == (True, "b was never sent (ticket 12)", False)
    assert err == ""
    code, out, _ = run(capsys, old, new, "--accept", accept)
    assert code == 0
    assert "accepted" in out
    assert "ticket 12" in out


@pytest.mark.parametrize(
    "entry",
    [
        {"rule": "request-enum-widened"},
        {"rule": "request-enum-narrowed", "operation": "GET /things/{id}"},
        {"rule": "request-enum-narrowed", "location": "/parameters/*"},
    ],
)
def test_an_entry_that_matches_nothing_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: dict[str, Any]
) -> None:
    old, new = specs(tmp_path, "request-enum-narrowed")
    accept = accept_file(tmp_path, [{**entry, "reason": "why"}])
    code, out, err = run(capsys, old, new, "--accept", accept, "--format", "json")
    assert code == 1
    assert json.loads(out)["unused_acceptances"][0]["rule"] == entry["rule"]
    assert "warning: accept entry matches no change" in err
    code, _, _ = run(capsys, old, old, "--accept", accept)
    assert code == 0  # a stale entry alone does not fail


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"rule": "request-enum-narrowed"}], "a reason is required"),
        ([{"rule": "no-such-rule", "reason": "x"}], "unknown rule"),
        ([{"rule": "request-enum-narrowed", "reason": "x", "path": "/a"}], "unknown key"),
        ({"rule": "request-enum-narrowed"}, "is a list"),
    ],
)
def test_a_bad_accept_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entries: Any, message: str
) -> None:
    old, new = specs(tmp_path, "request-enum-narrowed")
    code, out, err = run(capsys, old, new, "--accept", write(tmp_path, "accept.yaml", entries))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: [", "is not YAML or JSON"),
        ("- 1\n", "not a mapping"),
        ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3.0 document"),
        ("openapi: 3.1.0\npaths: {}\n", "not an OpenAPI 3.0 document"),
        ("openapi: 3.0.3\n", "no paths"),
    ],
)
def test_a_document_that_is_not_openapi_3_0_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, str(bad), write(tmp_path, "good.yaml", base()))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_missing_file_or_argument_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", base())
    code, _, err = run(capsys, str(tmp_path / "nope.yaml"), good)
    assert code == 2
    assert "no such spec file" in err
    code, _, err = run(capsys, good)
    assert code == 2
    assert "OLD and NEW are required" in err
    assert run(capsys, good, good, "--format", "html")[0] == 2


def _has_git_history() -> bool:
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=ROOT, capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


git_only = pytest.mark.skipif(not _has_git_history(), reason="no git history in this checkout")


@git_only
def test_git_versions_are_sources(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "HEAD:specs/portal.yaml", "HEAD:specs/portal.yaml")
    assert (code, err) == (0, "")
    assert out.startswith("HEAD:specs/portal.yaml -> HEAD:specs/portal.yaml")
    assert "OK: 0 change(s)" in out


@git_only
@pytest.mark.parametrize(
    "source", ["no-such-ref-zz:specs/portal.yaml", "HEAD:specs/no-such-spec.yaml", "HEAD~100000:specs/portal.yaml"]
)
def test_a_bad_git_version_is_a_clear_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, source, "HEAD:specs/portal.yaml")
    assert code == 2
    assert out == ""
    assert f"no such spec file or git version: {source}" in err
    assert "Traceback" not in err


def test_every_corpus_rule_is_in_the_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each rule's change renders in all three formats (no rule trips a report)."""
    for rule_id in sorted(CASES):
        old, new = specs(tmp_path, rule_id)
        breaking = "breaking" in (RULES[rule_id].client, RULES[rule_id].server)
        for fmt in ("text", "json", "junit"):
            code, out, _ = run(capsys, old, new, "--format", fmt, "--fail-on", "none")
            assert code == 0
            assert rule_id in out or (fmt == "junit" and not breaking)  # JUnit lists breaking changes


def test_the_command_plugs_into_a_parent_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """How ``mockserver`` adds ``diff``: ``build_parser(subparsers)``, then ``run(args)``."""
    import argparse

    from mockserver.diff.cli import build_parser
    from mockserver.diff.cli import run as run_diff

    parser = argparse.ArgumentParser(prog="mockserver")
    build_parser(parser.add_subparsers(dest="command", required=True))
    old, new = specs(tmp_path, "operation-added")
    args = parser.parse_args(["diff", old, new, "--fail-on", "server", "--format", "json"])
    assert args.command == "diff"
    assert run_diff(args) == 1
    assert json.loads(capsys.readouterr().out)["changes"][0]["id"] == "operation-added"
