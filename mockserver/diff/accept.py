"""Accepted changes: ``--accept FILE``, a YAML list of ``{rule, operation?, location?, reason}``.
A breaking change an entry matches is shown as accepted and fails nothing; an entry that matches
no change is reported, so stale ones get noticed."""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

from mockserver.diff.model import Change, operation_key
from mockserver.diff.rules import RULES, is_breaking
from mockserver.diff.sources import SourceError


@dataclass(frozen=True)
class Acceptance:
    rule: str
    reason: str
    operation: str | None = None  # "GET /a/{id}"; path parameters' names do not matter
    location: str | None = None  # the change's location, or a glob of it (fnmatch: *, ?)

    def matches(self, change: Change) -> bool:
        if change.rule != self.rule:
            return False
        if self.operation is not None and operation_key(self.operation) != operation_key(change.operation or " "):
            return False
        return self.location is None or fnmatch.fnmatchcase(change.location, self.location)

    def describe(self) -> str:
        where = " ".join(part for part in (self.operation, self.location) if part)
        return f"{self.rule}{' ' + where if where else ''}"


def load_acceptances(path: Path) -> list[Acceptance]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read the accept file {path}: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise SourceError(f"{path}: the accept file is a list of {{rule, operation, location, reason}}")
    entries = []
    for index, entry in enumerate(data):
        where = f"{path}: entry {index + 1}"
        if not isinstance(entry, dict):
            raise SourceError(f"{where} is not a mapping")
        unknown = sorted(set(entry) - {"rule", "operation", "location", "reason"})
        if unknown:
            raise SourceError(f"{where} has unknown key(s) {', '.join(map(str, unknown))}")
        if entry.get("rule") not in RULES:
            raise SourceError(f"{where}: unknown rule {entry.get('rule')!r}; see --list-rules")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise SourceError(f"{where}: a reason is required")
        for key in ("operation", "location"):
            if key in entry and not isinstance(entry[key], str):
                raise SourceError(f"{where}: {key} must be a string")
        entries.append(Acceptance(entry["rule"], reason.strip(), entry.get("operation"), entry.get("location")))
    return entries


def apply(changes: list[Change], acceptances: list[Acceptance]) -> tuple[list[Change], list[Acceptance]]:
    """The changes with each breaking one an entry matches marked accepted (with its reason), and
    the entries that matched none."""
    used: set[int] = set()
    marked = []
    for change in changes:
        if is_breaking(change.rule, ("client", "server")):
            for index, entry in enumerate(acceptances):
                if entry.matches(change):
                    used.add(index)
                    change = dataclasses.replace(change, accepted=entry.reason)
                    break
        marked.append(change)
    return marked, [entry for index, entry in enumerate(acceptances) if index not in used]
