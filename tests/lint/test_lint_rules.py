"""Every lint rule catches its kind of defect, and a clean spec passes."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from mockserver.cli import main
from mockserver.lint import RULES, lint_spec
from tests.lint.cases import DEFECTS, NULLABLE_FORMS, clean, op, with_size

ROOT = Path(__file__).resolve().parents[2]


def test_a_clean_spec_has_no_findings() -> None:
    assert lint_spec(clean()) == []


def test_every_rule_has_a_defect_case() -> None:
    assert set(DEFECTS) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(DEFECTS))
def test_each_kind_of_defect_is_caught_by_its_rule(rule_id: str) -> None:
    spec = clean()
    DEFECTS[rule_id](spec)
    findings = lint_spec(spec)
    assert rule_id in {f.rule for f in findings}, findings
    finding = next(f for f in findings if f.rule == rule_id)
    assert finding.location.startswith("#")
    assert finding.message


@pytest.mark.parametrize("form", sorted(NULLABLE_FORMS))
def test_nullable_stands_beside_a_type_and_a_nullable_reference_or_enum_is_an_anyof(form: str) -> None:
    schema, refused = NULLABLE_FORMS[form]
    findings = lint_spec(with_size(schema))
    assert [f.rule for f in findings] == (["NUL001"] if refused else []), findings
    if refused:
        assert findings[0].location == "#/components/schemas/Thing/properties/size"
        assert "anyOf: [X, {enum: [null]}]" in findings[0].message


def test_an_inferred_operation_needs_a_description() -> None:
    spec = clean()
    op(spec).pop("x-doc-ref")
    op(spec)["x-inferred"] = True
    assert [f.rule for f in lint_spec(spec)] == ["DOC001"]
    op(spec)["description"] = "Path inferred from the create operation's resource name."
    assert lint_spec(spec) == []


def test_cli_exit_code_and_junit_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(clean()))
    broken = clean()
    DEFECTS["NUL001"](broken)
    bad.write_text(yaml.safe_dump(broken))
    assert main(["lint", str(good)]) == 0
    report = tmp_path / "junit.xml"
    assert main(["lint", str(good), str(bad), "--junit", str(report)]) == 1
    assert "NUL001" in capsys.readouterr().out
    suites = ET.parse(report).getroot()
    failures = [case.get("name") for case in suites.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == 1
    assert failures[0].startswith("NUL001")


def test_the_project_specs_pass() -> None:
    assert main(["lint"]) == 0


def test_spectral_ruleset_is_kept_in_step_with_the_rules() -> None:
    text = (ROOT / ".spectral.yaml").read_text(encoding="utf-8")
    ruleset = yaml.safe_load(text)
    mentioned = set(re.findall(r"\b[A-Z]{3}\d{3}\b", text))
    assert set(RULES) <= mentioned
    custom = {name for name in ruleset["rules"] if re.fullmatch(r"[A-Z]{3}\d{3}", name)}
    assert custom <= set(RULES)
