"""Runs the rules over spec files and reports: text for people, JUnit XML for CI."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from mockserver.lint.rules import RULES, Finding, Spec


def lint_spec(spec: Spec, rules: Iterable[str] | None = None) -> list[Finding]:
    selected = [RULES[r] for r in rules] if rules else list(RULES.values())
    findings = []
    for rule in selected:
        try:
            for message, location in rule.check(spec):
                findings.append(Finding(rule.id, rule.severity, message, location))
        except Exception as error:  # a rule tripping over a broken document must not hide the others
            findings.append(Finding(rule.id, "error", f"Rule could not run: {type(error).__name__}: {error}", "#"))
    return findings


def spec_files(named: Iterable[Path]) -> list[Path]:
    """The files to lint: each named file, and every ``*.yaml`` of each named folder. A name that
    does not exist, or nothing to lint at all, raises ``ValueError``: a lint of no file is no pass."""
    files: list[Path] = []
    for path in named:
        if path.is_dir():
            found = sorted(path.glob("*.yaml"))
            if not found:
                raise ValueError(f"no specs (*.yaml) in {path}")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"no such spec file or folder: {path}")
    if not files:
        raise ValueError("no specs to lint")
    return files


def lint_file(path: Path, rules: Iterable[str] | None = None) -> list[Finding]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        return [Finding("OAS001", "error", f"Cannot read the document: {error}", "#")]
    if not isinstance(spec, dict):
        return [Finding("OAS001", "error", "The document is not a YAML/JSON object.", "#")]
    return lint_spec(spec, rules)


def text_report(results: dict[Path, list[Finding]]) -> str:
    lines = []
    for path, findings in results.items():
        if not findings:
            lines.append(f"{path}: OK")
        for f in findings:
            lines.append(f"{path}:{f.location}: {f.severity} {f.rule} {f.message}")
    errors = sum(f.severity == "error" for fs in results.values() for f in fs)
    warnings = sum(f.severity == "warning" for fs in results.values() for f in fs)
    lines.append(f"{len(results)} file(s), {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def junit_report(results: dict[Path, list[Finding]]) -> bytes:
    """One test suite per file, one test case per rule; a rule with errors fails."""
    suites = ET.Element("testsuites", name="mockserver lint")
    for path, findings in results.items():
        failures = sum(any(f.rule == r and f.severity == "error" for f in findings) for r in RULES)
        suite = ET.SubElement(suites, "testsuite", name=str(path), tests=str(len(RULES)), failures=str(failures))
        for rule in RULES.values():
            case = ET.SubElement(suite, "testcase", classname=str(path), name=f"{rule.id} {rule.summary}")
            mine = [f for f in findings if f.rule == rule.id]
            errors = [f for f in mine if f.severity == "error"]
            if errors:
                failure = ET.SubElement(case, "failure", message=f"{len(errors)} finding(s)", type=rule.id)
                failure.text = "\n".join(f"{f.location}: {f.message}" for f in errors)
            elif mine:
                ET.SubElement(case, "system-out").text = "\n".join(f"{f.location}: {f.message}" for f in mine)
    report: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return report


def has_errors(results: dict[Path, list[Finding]]) -> bool:
    return any(f.severity == "error" for fs in results.values() for f in fs)
