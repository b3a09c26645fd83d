"""Spectral and Redocly CLI, run on the served specs, find nothing the project's configs do not
switch off with a reason, and the project's ``.spectral.yaml`` finds what ``mockserver lint`` finds.

The linters come from npm, pinned in ``tests/node/`` and installed there with ``npm ci`` once
(``tests/conftest.node_tools``, as ``make bench`` installs Prism); without Node.js the tests skip, a
failed install fails them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.engine.registry import SPECS_DIR
from mockserver.lint import RULES, lint_file
from mockserver.web.app import ADMIN_SPEC

from .cases import DEFECTS, NULLABLE_FORMS, clean, with_size

ROOT = Path(__file__).resolve().parents[2]
SPECS = [*sorted(SPECS_DIR.glob("*.yaml")), ADMIN_SPEC]
RULESET = ROOT / ".spectral.yaml"
#: What a finding of a Spectral rule of ``.spectral.yaml`` is in ``mockserver lint``: a built-in
#: stands for the rule its comment there names (a rule of ours keeps its id). openapi-spec-validator
#: (our OAS001) also refuses a duplicate operationId, a path parameter missing from the path or from
#: the parameters, and a pattern Python cannot compile, which Spectral's ``oas3-schema`` leaves to the
#: rules that report them.
OUR_IDS = {
    "oas3-schema": {"OAS001"},
    "operation-operationId": {"OPS001"},
    "operation-operationId-unique": {"OPS001", "OAS001"},
    "path-params": {"PAR001", "OAS001"},
    "oas3-valid-media-example": {"EXA001"},
    "oas3-valid-schema-example": {"EXA001"},
    "oas3-unused-component": {"CMP001"},
    "REG001": {"REG001", "OAS001"},
}


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def broken_specs(folder: Path) -> dict[Path, set[str]]:
    """A spec per defect of tests/lint/test_lint_rules.py, written to ``folder``, with what
    ``mockserver lint`` finds in it."""
    cases: dict[str, dict[str, Any]] = {"clean": clean()}
    for rule_id, defect in DEFECTS.items():
        cases[rule_id] = clean()
        defect(cases[rule_id])
    for form, (schema, _) in NULLABLE_FORMS.items():
        cases["nullable " + form] = with_size(schema)
    found = {}
    for name, spec in cases.items():
        path = folder / f"{name.replace(' ', '-')}.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        found[path] = {f.rule for f in lint_file(path)}
    return found


@pytest.fixture(scope="module")
def runs(node_tools: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The linter runs, started together, each the tool's JSON report: Spectral with the project's
    ruleset on the specs and the broken ones; Spectral with only the ``spectral:oas`` rules that
    ruleset switches off, as ``spectral:oas`` has them; Redocly with the project's config."""
    folder = tmp_path_factory.mktemp("spectral")
    switched = {"extends": [["spectral:oas", "off"]], "rules": dict.fromkeys(sorted(all_switched_off()), True)}
    (folder / "switched-off.yaml").write_text(yaml.safe_dump(switched), encoding="utf-8")
    broken = broken_specs(folder)
    spectral = [str(node_tools / "spectral"), "lint", "--format", "json", "--quiet"]
    commands = {
        "project": [*spectral, "--ruleset", str(RULESET), *map(str, SPECS), *map(str, broken)],
        "switched off": [*spectral, "--ruleset", str(folder / "switched-off.yaml"), *map(str, SPECS)],
        "redocly": [str(node_tools / "redocly"), "lint", "--format", "json", *map(relative, SPECS)],
    }
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "NO_COLOR": "1"}
    started = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, command in commands.items()
    }
    outputs = {name: process.communicate() for name, process in started.items()}
    reports: dict[str, Any] = {"broken": broken}
    for name, (out, err) in outputs.items():
        try:
            reports[name] = json_documents(out)
        except ValueError:
            pytest.fail(f"{name}: `{' '.join(commands[name])}` gave no JSON report:\n{out[-2000:]}\n{err[-3000:]}")
    return reports


def json_documents(text: str) -> list[Any]:
    """Every JSON document in ``text`` (Redocly writes one per file, one after the other)."""
    decoder = json.JSONDecoder()
    found = []
    text = text.strip()
    while text:
        document, end = decoder.raw_decode(text)
        found.append(document)
        text = text[end:].strip()
    if not found:
        raise ValueError("no JSON document")
    return found


def by_file(findings: list[dict[str, Any]]) -> dict[Path, list[dict[str, Any]]]:
    grouped: dict[Path, list[dict[str, Any]]] = {}
    for finding in findings:
        grouped.setdefault(Path(finding["source"]), []).append(finding)
    return grouped


def switched_off(path: Path) -> set[str]:
    """The ``spectral:oas`` rules ``.spectral.yaml`` switches off for ``path`` (one of our own rules
    switched off for a file is held to ``mockserver lint`` by the tests below)."""
    ruleset = yaml.safe_load(RULESET.read_text(encoding="utf-8"))
    layers = [ruleset["rules"]]
    layers += [o["rules"] for o in ruleset.get("overrides", []) if relative(path) in o["files"]]
    # YAML 1.1 (PyYAML) reads `off` as false; Spectral reads YAML 1.2: the string "off".
    return {name for rules in layers for name, setting in rules.items() if setting in ("off", False)} - set(RULES)


def all_switched_off() -> set[str]:
    return set().union(*map(switched_off, SPECS))


def stands_for_ours(finding: dict[str, Any]) -> bool:
    return finding["code"] in OUR_IDS or finding["code"] in RULES


def test_spectral_oas_rules_find_no_error_and_only_warnings_switched_off_with_a_reason(
    runs: dict[str, Any],
) -> None:
    """The project's run shows that the ``spectral:oas`` rules it keeps find nothing in the specs;
    the other run, that the ones it switches off find only warnings, where they are switched off."""
    (project,) = runs["project"]
    kept = by_file([f for f in project if not stands_for_ours(f)])
    assert {relative(path): [f["code"] for f in kept[path]] for path in SPECS if path in kept} == {}
    (findings,) = runs["switched off"]
    assert [f"{f['source']}: {f['code']} {f['message']}" for f in findings if f["severity"] == 0] == []
    found = by_file(findings)
    for path in SPECS:
        codes = {f["code"] for f in found.get(path, [])}
        assert codes <= switched_off(path), f"{relative(path)}: fix these or switch them off in .spectral.yaml"
    unused = all_switched_off() - {f["code"] for f in findings}
    assert not unused, f".spectral.yaml switches off rules that find nothing any more: {sorted(unused)}"


def test_redocly_recommended_rules_find_nothing_the_config_does_not_switch_off(runs: dict[str, Any]) -> None:
    problems = [
        f"{p['location'][0]['source']['ref']}: {p['severity']} {p['ruleId']} {p['message']}"
        for report in runs["redocly"]
        for p in report["problems"]
    ]
    assert problems == []
    assert len(runs["redocly"]) == len(SPECS)


def test_redocly_config_names_every_served_spec() -> None:
    """So that `redocly lint` without arguments lints them all, each with its API's rules."""
    config = yaml.safe_load((ROOT / "redocly.yaml").read_text(encoding="utf-8"))
    assert sorted(api["root"] for api in config["apis"].values()) == sorted(map(relative, SPECS))


def test_the_built_ins_standing_for_our_rules_are_on_in_the_project_ruleset() -> None:
    rules = yaml.safe_load(RULESET.read_text(encoding="utf-8"))["rules"]
    switched = {name: rules.get(name) for name in set(OUR_IDS) - set(RULES)}
    assert {name: setting for name, setting in switched.items() if setting not in ("error", "warn")} == {}


def our_ids(finding: dict[str, Any]) -> set[str]:
    return OUR_IDS.get(finding["code"], {finding["code"]})


def test_the_project_ruleset_finds_in_the_specs_what_mockserver_lint_finds(runs: dict[str, Any]) -> None:
    (findings,) = runs["project"]
    found = by_file(findings)
    for path in SPECS:
        spectral = set().union(*(our_ids(f) for f in found.get(path, [])))
        assert spectral == {f.rule for f in lint_file(path)}, relative(path)


def test_the_project_ruleset_finds_each_defect_mockserver_lint_finds(runs: dict[str, Any]) -> None:
    """On a spec broken in each rule's way (and the ways of writing a nullable value), the rules of
    ``.spectral.yaml`` that stand for a rule of ``mockserver lint`` report exactly its findings;
    the other ``spectral:oas`` rules (info-description, ...) say what they like."""
    (findings,) = runs["project"]
    found = by_file(findings)
    differences = {}
    for path, expected in runs["broken"].items():
        spectral = set().union(*(our_ids(f) for f in found.get(path, []) if stands_for_ours(f)))
        if spectral != expected:
            differences[path.stem] = {"spectral": sorted(spectral), "mockserver lint": sorted(expected)}
    assert differences == {}
