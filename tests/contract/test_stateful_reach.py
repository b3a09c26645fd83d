"""Stateful reach: with its default settings (every operation, every phase, no narrowing),
`mockserver contract` finds a deployment that keeps what it deleted and loses what it created,
whatever the seed. The specs' links (create -> read -> change -> delete -> read again, and a removed
favourite added back) lead both its lifecycle pass (`contract.lifecycle`, which walks them in
order) and Schemathesis' stateful phase (at random, helped by the ids the docs fix: the
`[dictionaries]` of schemathesis.toml).

The kept deletes are here; the lost writes in `test_stateful_reach_writes.py`, so that the test
workers share the ten runs."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mockserver.apis import APIS
from mockserver.contract.runner import ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.live import serve

ANCHOR = dt.date(2026, 3, 2)

#: fault -> the title of Schemathesis' finding for it (its use_after_free and
#: ensure_resource_availability checks).
FINDINGS = {
    "keep-deleted": "Deleted resource still available",
    "lost-write": "Created resource not found",
}


def stateful_findings(folder: Path) -> str:
    """The findings of the run's JUnit reports: Schemathesis' and the lifecycle pass's."""
    texts = []
    cases = [
        case for name in ("junit.xml", "lifecycle.xml") for case in ET.parse(folder / name).getroot().iter("testcase")
    ]
    for case in cases:
        for element in [*case.findall("failure"), *case.findall("error")]:
            texts.append(element.text or element.get("message") or "")
    return "\n".join(texts)


def assert_caught(fault: str, seed: int, report_dir: Path) -> None:
    """A default run of the portal against a mock with ``fault`` fails with its finding."""
    # One fault a run: Schemathesis' stateful phase stops a scenario at its first finding, so a
    # second fault in the same deployment may go unseen behind the first.
    broken = MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=(fault,)))
    out = io.StringIO()
    with serve(broken) as origin:
        options = ContractOptions(base_url=origin, apis=("portal",), report_dir=report_dir, seed=seed)
        code = run_contract(options, APIS, out)
    assert code == 1, out.getvalue()
    found = stateful_findings(report_dir / "portal")
    assert FINDINGS[fault] in found, f"{fault} not caught with seed {seed}:\n{found}"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_default_run_catches_kept_deletes_whatever_the_seed(seed: int, tmp_path: Path) -> None:
    assert_caught("keep-deleted", seed, tmp_path)
