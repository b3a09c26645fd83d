"""OLD and NEW: a spec file, or a version of one in git written ``REF:path`` as ``git show`` takes
it (``HEAD~3:specs/portal.yaml``, ``main:specs/portal.yaml``), read and checked to be OpenAPI 3.0."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class SourceError(Exception):
    """A spec that cannot be read or is not an OpenAPI 3.0 document: a usage error (exit 2)."""


def read_text(source: str, cwd: Path | None = None) -> str:
    """The text of a file, or, when no such file exists and the name has a ``REF:`` prefix, of that
    file in that git revision (a path relative to the repository's root, or ``./`` to the folder)."""
    path = Path(cwd or ".") / source
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {source}: {exc}") from exc
    ref, colon, name = source.partition(":")
    if not colon or not ref or not name:
        raise SourceError(
            f"no such spec file: {source} (a git version is written REF:path, e.g. HEAD:specs/portal.yaml)"
        )
    try:
        shown = subprocess.run(["git", "show", f"{ref}:{name}"], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"cannot run git to read {source}: {exc}") from exc
    if shown.returncode != 0:
        why = shown.stderr.decode(errors="replace").strip().splitlines()
        raise SourceError(f"no such spec file or git version: {source} ({why[0] if why else 'git show failed'})")
    try:
        return shown.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source} is not UTF-8 text") from exc


def parse(text: str, source: str) -> dict[str, Any]:
    """A spec's text parsed and checked to be an OpenAPI 3.0 document."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise SourceError(f"{source} is not YAML or JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceError(f"{source} is not an OpenAPI document (not a mapping)")
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.0"):
        raise SourceError(f"{source} is not an OpenAPI 3.0 document (openapi: {version!r})")
    if not isinstance(data.get("paths"), dict):
        raise SourceError(f"{source} is not an OpenAPI 3.0 document (no paths)")
    return data


def load(source: str, cwd: Path | None = None) -> dict[str, Any]:
    return parse(read_text(source, cwd), source)
