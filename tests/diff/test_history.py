"""The four specs' own git history, each version against the one before: no crash, and every
change found is a catalogue rule. Run with ``-s`` to see the count per rule."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mockserver.diff import RULES, diff_documents
from mockserver.diff.sources import load

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("portal", "instruction", "consumerportal", "homeq")
MAX_VERSIONS = 15


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def _versions(name: str) -> list[str]:
    try:
        if _git("rev-parse", "--verify", "HEAD").returncode != 0:
            pytest.skip("no git history in this checkout")
    except OSError:
        pytest.skip("git is not installed")
    log = _git("log", f"-n{MAX_VERSIONS}", "--format=%H", "--", f"specs/{name}.yaml")
    versions = log.stdout.split()[::-1]  # oldest first
    if len(versions) < 2:
        pytest.skip(f"specs/{name}.yaml has fewer than two versions in this checkout")
    return versions


@pytest.mark.parametrize("name", NAMES)
def test_each_spec_version_against_the_one_before(name: str) -> None:
    versions = _versions(name)
    specs = [load(f"{commit}:specs/{name}.yaml", cwd=ROOT) for commit in versions]
    counts: Counter[str] = Counter()
    for before, after, commit in zip(specs, specs[1:], versions[1:], strict=False):
        changes = diff_documents(before, after)
        assert {change.rule for change in changes} <= set(RULES)
        assert all(change.message for change in changes)
        counts.update(change.rule for change in changes)
        print(f"{name} {commit[:7]}: {len(changes)} change(s) {dict(Counter(c.rule for c in changes))}")
    print(f"{name}: {len(versions)} versions, {sum(counts.values())} change(s): {dict(sorted(counts.items()))}")
