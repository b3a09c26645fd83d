"""What a user reads points only at what a clone of the repository has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("docs/*.md"))
READ_BY_USERS = ["README.md", "Makefile", "ARCHITECTURE.md", *DOCS]
#: A path that climbs out of the folder it is written in: ``../shared/…``.
CLIMBS_OUT = re.compile(r"(?<![\w.])\.\./[\w.-]+")
#: A Markdown link to a file of the repository: ``[text](path)``.
LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)")


@pytest.mark.parametrize("name", READ_BY_USERS)
def test_no_document_points_outside_the_repository(name: str) -> None:
    path = ROOT / name
    for match in CLIMBS_OUT.finditer(path.read_text(encoding="utf-8")):
        target = (path.parent / match.group(0)).resolve()
        assert target.is_relative_to(ROOT), f"{name} points outside the repository: {match.group(0)}"


@pytest.mark.parametrize("name", [n for n in READ_BY_USERS if n.endswith(".md")])
def test_every_link_names_a_file_of_the_repository(name: str) -> None:
    path = ROOT / name
    for match in LINK.finditer(path.read_text(encoding="utf-8")):
        target = (path.parent / match.group(1)).resolve()
        assert target.is_relative_to(ROOT), f"{name} links outside the repository: {match.group(1)}"
        assert target.exists(), f"{name} links to a missing file: {match.group(1)}"
