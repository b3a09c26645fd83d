"""Loads named fixture records from YAML and resolves their relative dates.

A string ``@+7d 10:00`` is the date-time 7 days after the clock's anchor day at 10:00 UTC,
``@-30d`` the date 30 days before it. Relative dates keep fixtures meaningful on any day while
staying reproducible for a given anchor.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from mockserver.clock import Clock, isoformat

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


def read_yaml(path: Path) -> Any:
    """A YAML file, parsed once per process while it is unchanged (servers are built often in tests)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _parsed(path: Path, mtime_ns: int, size: int) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)


def load(folder: Path, clock: Clock) -> dict[str, list[dict[str, Any]]]:
    """Every top-level list of every YAML file in ``folder``, by name, dates resolved."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        content = read_yaml(path) or {}
        for name, records in content.items():
            merged.setdefault(name, []).extend(resolve(records, clock))
    return merged
