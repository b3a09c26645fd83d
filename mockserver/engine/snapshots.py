"""Seeded data kept on disk between starts, the way Python keeps bytecode, and the state every API
builds on it (:class:`SeededState`).

An API's seeded store is a function of its ``populate`` code, the fixtures, the seed, the volume,
the clock's anchor day and the releases of Faker and Python, nothing else (``tests/test_snapshots.py``
checks that it does not depend on the time it is made). Making it costs Faker's import and its
drawing, about a fifth of a cold start; a start that finds the same data in the cache folder
(``Settings.cache_dir``: ``CACHE_DIR``, by default the user's cache folder) loads it in a few
milliseconds instead. The key covers every source file of the package and every fixture file, so
any change to either makes the data again. With no cache folder (the tests' default) the data is
always made.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from mockserver.engine.clock import Clock
from mockserver.engine.registry import FIXTURES_DIR
from mockserver.engine.store import Store
from mockserver.settings import Settings

#: The whole mockserver package: an API's generation code changes its snapshots as much as ours.
PACKAGE = Path(__file__).resolve().parent.parent
Populate = Callable[..., None]


class SeededState:
    """What every API's state shares (:class:`~mockserver.engine.registry.ApiState`): a store of the API's
    tables, filled by its ``populate`` through :func:`seed_store`, back to that on :meth:`reset`,
    counted for the control plane. An API's state extends it with its services and credential
    checks, then calls :meth:`reset` once they exist (a reset may have to clear them too)."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        api: str,
        tables: Iterable[str],
        indexes: Mapping[str, tuple[str, ...]],
        populate: Populate,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.store = Store(tables, indexes, max_records=settings.max_records, name=api)
        self._api = api
        self._populate = populate

    def reset(self) -> None:
        """Back to the seeded + fixture state."""
        with self.store.seeding():
            self.store.clear()
            seed_store(self.store, self._populate, api=self._api, settings=self.settings, clock=self.clock)

    def counts(self) -> dict[str, int]:
        """Records per table."""
        return self.store.counts()


def seed_store(store: Store, populate: Populate, *, api: str, settings: Settings, clock: Clock) -> None:
    """Fills the (cleared) ``store`` as ``populate(store, seed=, volume=, clock=)`` would with the
    settings' seed and volume, from the cache folder when it holds this very data."""
    seed, volume, cache_dir = settings.seed, settings.volume, settings.cache_dir
    if not cache_dir:
        populate(store, seed=seed, volume=volume, clock=clock)
        return
    key = hashlib.blake2b(digest().encode() + repr((api, seed, volume, clock.anchor)).encode(), digest_size=16)
    path = Path(cache_dir) / "data" / f"{api}-{key.hexdigest()}.pickle"
    try:
        tables = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        tables = None
    if tables is not None:
        store.load(tables)
        return
    populate(store, seed=seed, volume=volume, clock=clock)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(store.dump(), protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
    except OSError:
        pass  # a read-only cache folder only costs making the data next time


@functools.lru_cache(maxsize=1)
def digest() -> str:
    """What the seeded data of every API is made from, besides its arguments: the package's source,
    the fixtures, and the releases of Faker and Python."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder, pattern in ((PACKAGE, "*.py"), (FIXTURES_DIR, "*")):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                hasher.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    hasher.update(f"{_version('Faker')}/{sys.version}".encode())
    return hasher.hexdigest()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"
