"""Seeded data kept on disk between starts, the way Python keeps bytecode, and the state every API
builds on it (:class:`SeededState`).

An API's seeded store is a function of its ``populate`` code, the fixtures, the seed, the volume,
the clock's anchor day and the releases of Faker and Python, nothing else (``tests/test_snapshots.py``
checks that it does not depend on the time it is made). Making it costs Faker's import and its
drawing, about a fifth of a cold start; a start that finds the same data in the cache folder
(``Settings.cache_dir``: ``CACHE_DIR``, by default the user's cache folder) loads it in a few
milliseconds instead. The key covers every source file of the package and every file of the API's
fixtures folder (the packaged one or the settings' ``fixtures_dir``), so any change to either
makes the data again. With no cache folder (the tests' default) the data is always made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ClassVar, Self, cast

from mockserver.engine.clock import Clock
from mockserver.engine.paths import api_fixtures
from mockserver.engine.store import Store
from mockserver.settings import Settings

#: The whole mockserver package: an API's generation code changes its snapshots as much as ours.
PACKAGE = Path(__file__).resolve().parent.parent
Populate = Callable[..., None]


@dataclasses.dataclass(frozen=True)
class Seeding:
    """What an API's seeded data is made of: its tables and indexes, filled by ``populate``."""

    api: str
    tables: tuple[str, ...]
    indexes: Mapping[str, tuple[str, ...]]
    populate: Populate
    #: Whether ``populate`` reads the API's fixtures folder (``<fixtures>/<api>``, which must then
    #: exist); an API served from its spec alone (``mockserver.generic``) gets ``fixtures=None``.
    uses_fixtures: bool = True
    #: What else the data is made from (a generic API's spec and locale), for the cache key.
    made_of: str = ""


class SeededState:
    """What every API's state shares (:class:`~mockserver.engine.registry.ApiState`): a store of the API's
    tables, filled by its ``populate`` through :func:`seed_store`, back to that on :meth:`reset`,
    counted for the control plane. An API's state extends it with its services and credential
    checks, then calls :meth:`reset` once they exist (a reset may have to clear them too).

    A state made with ``seeded`` (a frozen store of the API's seeded data, :meth:`seeded`) is a fork
    (:meth:`fork`): its store is a fork of that store (:meth:`mockserver.engine.store.Store.fork`),
    so it starts as seeded whatever another state has changed, keeps its own changes to itself, and
    its reset drops them (at their cost, not the data's). An API's state passes ``seeded`` and
    ``session`` through, and builds everything else of its own anew for each fork (services, view
    caches, webhooks, rate limits)."""

    #: Each API's state class says once what its data is made of.
    seeding: ClassVar[Seeding]
    #: Entered (under the store's lock) around every :meth:`reset` when set: what keeps the state's
    #: changes on disk (``engine.persistence``) takes the re-seeding for no change, and forgets what
    #: it kept. ``None`` (no state kept): a reset is only a reset.
    reset_guard: Callable[[], contextlib.AbstractContextManager[None]] | None = None

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        #: The frozen seeded store forks start from: made on the first :meth:`seeded`, unless given.
        self._seeded = seeded
        self._seeding = threading.Lock()
        #: The name of the fork (a client's session), ``None`` for a state that is no named fork.
        self.session = session
        self.store = seeded.fork() if seeded is not None else self._new_store()

    def _new_store(self) -> Store:
        made = self.seeding
        return Store(made.tables, made.indexes, max_records=self.settings.max_records, name=made.api)

    @property
    def is_fork(self) -> bool:
        """Whether the state is a fork of the seeded data (:meth:`fork`)."""
        return self.store.base is not None

    def reset(self) -> None:
        """Back to the seeded + fixture state (a fork: its changes dropped), inside
        :attr:`reset_guard` when one is set."""
        guard = self.reset_guard
        if guard is None:
            self._reset_store()
            return
        with self.store.lock, guard():
            self._reset_store()

    def _reset_store(self) -> None:
        if self.store.base is not None:
            self.store.revert()
            return
        with self.store.seeding():
            self.store.clear()
            seed_store(self.store, self.seeding, settings=self.settings, clock=self.clock)

    def counts(self) -> dict[str, int]:
        """Records per table."""
        return self.store.counts()

    def seeded(self) -> Store:
        """The API's seeded data as a frozen store, the base of every fork: made (as :meth:`reset`
        seeds, from the cache folder when it holds the data) on the first call, then kept."""
        with self._seeding:
            if self._seeded is None:
                store = self._new_store()
                with store.seeding():
                    seed_store(store, self.seeding, settings=self.settings, clock=self.clock)
                self._seeded = store.freeze()
            return self._seeded

    def fork(self, session: str | None = None) -> Self:
        """A new state of this API that starts with the seeded data (not this state's changes) and
        keeps its own: records, credentials, webhook registrations, rate limits. Its cost does not
        grow with the data, but for the first fork of a state, which makes :meth:`seeded`.
        ``session`` names it (HomeQ derives a configured signing secret from it)."""
        build = cast("Callable[..., Self]", type(self))
        return build(self.settings, self.clock, seeded=self.seeded(), session=session)


def seed_store(store: Store, seeding: Seeding, *, settings: Settings, clock: Clock) -> None:
    """Fills the (cleared) ``store`` as ``seeding.populate(store, seed=, volume=, clock=, fixtures=)``
    would with the settings' seed and volume and the API's fixtures folder (``<fixtures>/<api>``, from
    the settings' fixtures folder), from the cache folder when it holds this very data."""
    api, populate = seeding.api, seeding.populate
    seed, volume, cache_dir = settings.seed, settings.volume, settings.cache_dir
    fixtures = api_fixtures(settings, api) if seeding.uses_fixtures else None
    if not cache_dir:
        populate(store, seed=seed, volume=volume, clock=clock, fixtures=fixtures)
        return
    made_of = digest(fixtures) + seeding.made_of + repr((api, seed, volume, clock.anchor))
    key = hashlib.blake2b(made_of.encode(), digest_size=16)
    path = Path(cache_dir) / "data" / f"{api}-{key.hexdigest()}.pickle"
    try:
        tables = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        tables = None
    if tables is not None:
        store.load(tables)
        return
    populate(store, seed=seed, volume=volume, clock=clock, fixtures=fixtures)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(store.dump(), protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
    except OSError:
        pass  # a read-only cache folder only costs making the data next time


def digest(fixtures: Path | None) -> str:
    """What an API's seeded data is made from, besides its arguments: the package's source, the
    API's fixtures folder ``fixtures`` (the packaged one or a team's own; ``None``: it has none),
    and the releases of Faker and Python."""
    source = _files_digest(PACKAGE, "*.py")
    data = _files_digest(fixtures.absolute(), "*") if fixtures is not None else "-"
    return f"{source}/{data}/{_version('Faker')}/{sys.version}"


@functools.lru_cache(maxsize=32)
def _files_digest(folder: Path, pattern: str) -> str:
    """The names and contents of the files under ``folder`` that match ``pattern`` (once per process)."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"
