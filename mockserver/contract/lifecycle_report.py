"""The lifecycle pass's results (``contract.lifecycle``) as a contract run gives them: a JUnit
report, ``lifecycle.xml`` in the API's report folder (a test case per resource, a failure per
finding's title, the exchanges without their headers), and a line per resource on the run's
output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from mockserver.contract.lifecycle import Lifecycle

#: The JUnit report of the pass, in the API's report folder.
REPORT_NAME = "lifecycle.xml"


def report(lifecycle: Lifecycle, folder: Path, out: TextIO) -> Path:
    """Writes ``lifecycle.xml`` in ``folder`` and prints the lines; returns the report's path."""
    path = folder / REPORT_NAME
    write_junit(lifecycle, path)
    print(f"\n{lifecycle.api}: lifecycle per resource ({path})", file=out)
    if not lifecycle.walks:
        print(f"  {lifecycle.line()}", file=out)
    for line in lines(lifecycle):
        print(line, file=out)
    out.flush()
    return path


def write_junit(lifecycle: Lifecycle, path: Path) -> None:
    """``lifecycle.xml``: a test case per resource, a failure per finding's title, the exchanges."""
    walks = lifecycle.walks
    suite = ET.Element(
        "testsuite",
        name=f"lifecycle {lifecycle.api}",
        tests=str(len(walks)),
        failures=str(sum(1 for w in walks if w.status == "failed")),
        errors=str(sum(1 for w in walks if w.status == "error")),
        skipped=str(sum(1 for w in walks if w.status == "skipped")),
    )
    for walk in walks:
        case = ET.SubElement(suite, "testcase", name=walk.resource.name, classname=lifecycle.api)
        exchanges = "\n".join(["Exchanges:", *(f"  {step.line()}" for step in walk.steps)])
        for title, messages in walk.findings.items():
            failure = ET.SubElement(case, "failure", message=title, type=title)
            failure.text = "\n".join([f"- {title}", *(f"  {m}" for m in messages), "", exchanges])
        if walk.error:
            error = ET.SubElement(case, "error", message=walk.error)
            error.text = f"{walk.error}\n\n{exchanges}"
        elif walk.skipped and not walk.findings:
            ET.SubElement(case, "skipped", message=walk.skipped)
        if walk.notes or walk.steps:
            ET.SubElement(case, "system-out").text = "\n".join([*walk.notes, exchanges])
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def lines(lifecycle: Lifecycle) -> Iterator[str]:
    """One line per resource: mark, name, the steps' trail, the findings or why it was not reached."""
    width = max((len(walk.resource.name) for walk in lifecycle.walks), default=0)
    for walk in lifecycle.walks:
        mark = {"passed": "ok  ", "failed": "FAIL", "error": "ERR ", "skipped": "skip"}[walk.status]
        detail = walk.error or "; ".join(walk.findings) or walk.skipped or "; ".join(walk.notes)
        trail = walk.trail or "-"
        yield f"  {mark} {walk.resource.name:<{width}}  {trail}" + (f"  ({detail})" if detail else "")
