"""A diff reported: text for people, JSON for tools, JUnit XML for CI (one test case per breaking
change)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from mockserver.diff.accept import Acceptance
from mockserver.diff.model import Change
from mockserver.diff.rules import RULES, is_breaking

FAIL_ON: dict[str, tuple[str, ...]] = {
    "client": ("client",),
    "server": ("server",),
    "both": ("client", "server"),
    "none": (),
}


@dataclass
class Report:
    old: str
    new: str
    changes: list[Change]
    fail_on: str = "client"
    unused: list[Acceptance] = field(default_factory=list)

    @property
    def sides(self) -> tuple[str, ...]:
        return FAIL_ON[self.fail_on]

    def failing(self, change: Change) -> bool:
        """Breaking for a side ``--fail-on`` selects, and not accepted."""
        return change.accepted is None and is_breaking(change.rule, self.sides)

    @property
    def failed(self) -> bool:
        return any(self.failing(change) for change in self.changes)

    def summary(self) -> dict[str, Any]:
        by_rule: dict[str, int] = {}
        for change in self.changes:
            by_rule[change.rule] = by_rule.get(change.rule, 0) + 1
        return {
            "changes": len(self.changes),
            "breaking_client": sum(is_breaking(c.rule, ("client",)) for c in self.changes),
            "breaking_server": sum(is_breaking(c.rule, ("server",)) for c in self.changes),
            "accepted": sum(c.accepted is not None for c in self.changes),
            "failing": sum(self.failing(c) for c in self.changes),
            "fail_on": self.fail_on,
            "by_rule": dict(sorted(by_rule.items())),
        }


def level(change: Change) -> str:
    """``breaking`` if it breaks either side, else ``info`` or ``non-breaking``."""
    rule = RULES[change.rule]
    if "breaking" in (rule.client, rule.server):
        return "breaking"
    return "info" if "info" in (rule.client, rule.server) else "non-breaking"


def _where(change: Change) -> str:
    return " ".join(part for part in (change.operation, change.location) if part) or "(document)"


def text_report(report: Report) -> str:
    lines = [f"{report.old} -> {report.new}"]
    for change in report.changes:
        rule = RULES[change.rule]
        if change.accepted is not None:
            mark = "accepted"
        elif report.failing(change):
            mark = "BREAKING"
        else:
            mark = level(change)
        sides = f"client {rule.client}, server {rule.server}"
        lines.append(f"  {mark:<12} {change.rule}  {_where(change)}")
        lines.append(f"  {'':<12} {change.message} ({sides})")
        if change.accepted is not None:
            lines.append(f"  {'':<12} accepted: {change.accepted}")
    for entry in report.unused:
        lines.append(f"  warning: accept entry matches no change: {entry.describe()}")
    s = report.summary()
    verdict = "FAIL" if report.failed else "OK"
    lines.append(
        f"{verdict}: {s['changes']} change(s), {s['breaking_client']} breaking for clients, "
        f"{s['breaking_server']} for servers, {s['accepted']} accepted, "
        f"{s['failing']} failing (--fail-on {s['fail_on']})"
    )
    return "\n".join(lines) + "\n"


def json_report(report: Report) -> str:
    changes = []
    for change in report.changes:
        rule = RULES[change.rule]
        changes.append(
            {
                "id": change.rule,
                "level": level(change),
                "client": rule.client,
                "server": rule.server,
                "operation": change.operation,
                "location": change.location,
                "message": change.message,
                "old": change.old,
                "new": change.new,
                "accepted": change.accepted is not None,
                "reason": change.accepted,
                "failing": report.failing(change),
            }
        )
    document = {
        "old": report.old,
        "new": report.new,
        "changes": changes,
        "summary": report.summary(),
        "unused_acceptances": [
            {"rule": e.rule, "operation": e.operation, "location": e.location, "reason": e.reason}
            for e in report.unused
        ],
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def junit_report(report: Report) -> bytes:
    """One test case per change breaking for either side: failed when it fails the diff, skipped
    when accepted; one passing case when nothing breaks."""
    breaking = [c for c in report.changes if is_breaking(c.rule, ("client", "server"))]
    suites = ET.Element("testsuites", name="mockserver diff")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"{report.old} -> {report.new}",
        tests=str(max(len(breaking), 1)),
        failures=str(sum(report.failing(c) for c in breaking)),
        skipped=str(sum(c.accepted is not None for c in breaking)),
    )
    for change in breaking:
        rule = RULES[change.rule]
        case = ET.SubElement(suite, "testcase", classname=change.rule, name=_where(change))
        detail = f"{change.message} (client {rule.client}, server {rule.server}): {rule.summary}"
        if change.accepted is not None:
            ET.SubElement(case, "skipped", message=f"accepted: {change.accepted}")
        elif report.failing(change):
            ET.SubElement(case, "failure", message=change.message, type=change.rule).text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    if not breaking:
        ET.SubElement(suite, "testcase", classname="mockserver diff", name="no breaking change")
    if report.unused:
        ET.SubElement(suite, "system-err").text = "\n".join(
            f"accept entry matches no change: {e.describe()}" for e in report.unused
        )
    data: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return data
