"""Where the APIs' specs and fixtures are read from: the copies the package ships, or a team's own
folders (``Settings.specs_dir`` and ``fixtures_dir``: ``--specs-dir``, ``--fixtures-dir``,
``SPECS_DIR``, ``FIXTURES_DIR``).

The repository keeps them at its root (``specs/``, ``fixtures/``); a wheel carries the same files
inside the package, as ``mockserver/_data/specs`` and ``mockserver/_data/fixtures`` (the
``package-dir`` mapping in ``pyproject.toml``), and ``schemathesis.toml`` beside them
(``setup.py``). A checkout or an editable install (``pip install -e .``) has no ``_data`` folder
and reads the repository's own. Nothing here holds a "current" folder: every caller passes its
settings, so runtimes with other folders can share a process.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.settings import Settings

#: The ``mockserver`` package's folder.
PACKAGE = Path(__file__).resolve().parent.parent


def _packaged(name: str) -> Path:
    inside = PACKAGE / "_data" / name
    return inside if inside.exists() else PACKAGE.parent / name


#: The specs and fixtures the package ships (in a checkout: the repository's ``specs/`` and ``fixtures/``).
PACKAGED_SPECS = _packaged("specs")
PACKAGED_FIXTURES = _packaged("fixtures")
#: ``mockserver contract``'s Schemathesis settings (the repository's ``schemathesis.toml``; setup.py).
PACKAGED_CONTRACT_SETTINGS = _packaged("schemathesis.toml")


class MissingDataError(ValueError):
    """A spec or fixtures folder an API needs is not where the settings say (a clear message, no traceback)."""


def specs_dir(settings: Settings) -> Path:
    """The folder the settings read specs from."""
    return Path(settings.specs_dir).expanduser().absolute() if settings.specs_dir else PACKAGED_SPECS


def fixtures_dir(settings: Settings) -> Path:
    """The folder the settings read fixtures from (one sub-folder per API, named after it)."""
    return Path(settings.fixtures_dir).expanduser().absolute() if settings.fixtures_dir else PACKAGED_FIXTURES


def spec_path(settings: Settings, filename: str) -> Path:
    """The spec ``filename`` (``portal.yaml``) in the settings' specs folder; it must exist."""
    folder = specs_dir(settings)
    path = folder / filename
    if not path.is_file():
        raise MissingDataError(f"no spec {filename} in {folder} ({_source(settings.specs_dir, '--specs-dir')})")
    return path


def api_fixtures(settings: Settings, api: str) -> Path:
    """The fixtures folder of the API ``api`` in the settings' fixtures folder; it must exist."""
    folder = fixtures_dir(settings)
    path = folder / api
    if not path.is_dir():
        where = _source(settings.fixtures_dir, "--fixtures-dir")
        raise MissingDataError(f"no fixtures folder {api}/ in {folder} ({where})")
    return path


def _source(configured: str, flag: str) -> str:
    return flag if configured else "the packaged copies"
