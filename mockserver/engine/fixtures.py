"""Loads named fixture records from YAML and resolves their relative dates.

A string ``@+7d 10:00`` is the date-time 7 days after the clock's anchor day at 10:00 UTC,
``@-30d`` the date 30 days before it. Relative dates keep fixtures meaningful on any day while
staying reproducible for a given anchor.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from mockserver.engine.clock import Clock, isoformat

_RELATIVE = re.compile(r"^@([+-]\d+)d(?: (\d{1,2}):(\d{2}))?$")


def resolve(value: Any, clock: Clock) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        match = _RELATIVE.match(value)
        if not match:
            raise ValueError(f"bad relative date {value!r}: write @+7d, @-3d or @+7d 10:00")
        days, hour, minute = match.groups()
        if hour is None:
            return clock.at(int(days)).date().isoformat()
        return isoformat(clock.at(int(days), int(hour), int(minute)))
    if isinstance(value, dict):
        return {k: resolve(v, clock) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, clock) for v in value]
    return value


#: libyaml's loader when PyYAML was built with it (5-10 times faster), else the pure-Python one.
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: Files at least this large are also kept parsed on disk (HomeQ's spec takes ~0.5 s to parse).
DISK_CACHE_MIN_BYTES = 65_536
_cache_folder: Path | None = None


def use_cache_folder(folder: str) -> None:
    """Keep large parsed YAML files in ``folder`` between runs (empty: parse them in each process)."""
    global _cache_folder
    _cache_folder = Path(folder) / "yaml" if folder else None


def read_yaml(path: Path) -> Any:
    """A YAML file, parsed once per process while it is unchanged (servers are built often in tests)
    and, when it is large and a cache folder is set, once per content (like ``.pyc`` files)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size, _cache_folder)


@functools.lru_cache(maxsize=256)
def _parsed(path: Path, mtime_ns: int, size: int, folder: Path | None) -> Any:
    raw = path.read_bytes()
    if folder is None or len(raw) < DISK_CACHE_MIN_BYTES:
        return yaml.load(raw, Loader=SafeLoader)
    salt = f"{yaml.__version__}/{sys.version_info[:2]}".encode()
    cached = folder / f"{hashlib.blake2b(raw + salt, digest_size=16).hexdigest()}.pickle"
    try:
        return pickle.loads(cached.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    data = yaml.load(raw, Loader=SafeLoader)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(cached)
    except OSError:
        pass  # a read-only cache folder only costs the parse next time
    return data


def load(folder: Path, clock: Clock) -> dict[str, list[dict[str, Any]]]:
    """Every top-level list of every YAML file in ``folder``, by name, dates resolved."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        content = read_yaml(path) or {}
        for name, records in content.items():
            merged.setdefault(name, []).extend(resolve(records, clock))
    return merged
