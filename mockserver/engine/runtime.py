"""One running mock: its settings, clock, the state of every API it serves, its rules, its journal,
its coverage counts (``engine.coverage``) and its clients' sessions (``engine.sessions``: each a
fork of every API's state, with a journal, rules and counts of its own).

The control plane and the web layer share this object; several runtimes can live in one process
(the tests start many), since nothing here is global.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from typing import Protocol

from mockserver.engine.clock import Clock
from mockserver.engine.coverage import Coverage, ServedRoutes
from mockserver.engine.persistence import Persistence
from mockserver.engine.registry import ApiDefinition, ApiState
from mockserver.engine.rules import RuleSet
from mockserver.engine.sessions import Journal as Journal
from mockserver.engine.sessions import Sessions
from mockserver.engine.snapshots import SeededState
from mockserver.settings import Settings

#: The control plane's reserved prefix: no mocked API owns a path under it.
ADMIN_PREFIX = "/__admin"


@dataclasses.dataclass
class ServedApi:
    definition: ApiDefinition
    state: ApiState

    @property
    def name(self) -> str:
        return self.definition.name


class UploadListener(Protocol):
    """Told of every file kept and let go (``engine.persistence`` keeps them on disk)."""

    def upload_put(self, key: str, data: bytes, content_type: str) -> None: ...

    def upload_gone(self, key: str) -> None: ...

    def uploads_cleared(self) -> None: ...


class Uploads:
    """Files clients PUT to the upload target of pre-signed URLs, bounded in count and in bytes
    (the oldest go first; the newest file always stays)."""

    def __init__(self, size: int = 200, max_bytes: int = 268_435_456) -> None:
        self._files: collections.OrderedDict[str, tuple[bytes, str]] = collections.OrderedDict()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        #: Told of every change (``None``: nobody is).
        self.listener: UploadListener | None = None

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with self._lock:
            old = self._files.pop(key, None)
            self._bytes -= len(old[0]) if old else 0
            self._files[key] = (data, content_type)
            self._bytes += len(data)
            if self.listener is not None:
                self.listener.upload_put(key, data, content_type)
            while len(self._files) > 1 and (len(self._files) > self._size or self._bytes > self._max_bytes):
                gone, (dropped, _) = self._files.popitem(last=False)
                self._bytes -= len(dropped)
                if self.listener is not None:
                    self.listener.upload_gone(gone)

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._files.get(key)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._bytes = 0
            if self.listener is not None:
                self.listener.uploads_cleared()


class Runtime:
    def __init__(self, settings: Settings, registry: dict[str, ApiDefinition]) -> None:
        """With ``Settings.state_dir``, the state kept there is restored (on the anchor day it was
        made on) and kept from now on (:mod:`mockserver.engine.persistence`)."""
        unknown = set(settings.apis) - set(registry)
        if unknown:
            raise ValueError(f"unknown API(s): {', '.join(sorted(unknown))}; known: {', '.join(registry)}")
        self.settings = settings
        names = settings.apis or tuple(registry)
        #: Where what clients change is kept across restarts (``STATE_DIR``; ``None``: nowhere).
        self.persistence: Persistence | None = None
        #: Each served API's spec version, which a kept state must have been made with.
        self._versions = {name: _version(registry[name]) for name in names} if settings.state_dir else {}
        if settings.state_dir:
            # Refused (``StateRefused``) when another server uses the folder or it was kept with other settings.
            self.persistence = Persistence(settings.state_dir, settings.state_flush_seconds)
        try:
            self.clock = self._clock(settings)
            self.started = time.monotonic()
            self.journal = Journal(settings.journal_size)
            self.uploads = Uploads()
            self.apis: dict[str, ServedApi] = {
                name: ServedApi(registry[name], registry[name].build_state(settings, self.clock)) for name in names
            }
            #: The control plane's rules on the APIs' traffic (``engine.rules``).
            self.rules = self.new_rules()
            #: The operation each request names, for the coverage counts (``engine.coverage``).
            self.routes = ServedRoutes(
                {name: (s.definition.base_path, s.definition.spec) for name, s in self.apis.items()}, self.api_for_path
            )
            #: The statuses each operation answered in the default state.
            self.coverage = Coverage(self.routes.locate)
            #: Clients' sessions, each with a fork of every API's state (``engine.sessions``).
            self.sessions = Sessions(
                settings, self.clock, self.fork, self.new_rules, coverage=lambda: Coverage(self.routes.locate)
            )
            if self.persistence is not None:
                self._restore(self.persistence)
        except BaseException:
            self.close()
            raise
        #: Every API's path prefixes, longest first (``api_for_path`` takes the first that matches).
        self._prefixes = sorted(
            ((prefix, served.name) for served in self.apis.values() for prefix in served.definition.path_prefixes),
            key=lambda pair: -len(pair[0]),
        )

    def _clock(self, settings: Settings) -> Clock:
        """The clock: from ``ANCHOR_DATE`` (today when unset), or from the anchor day of the state
        kept (which refuses other settings than it was made with)."""
        if self.persistence is None:
            return Clock(settings.anchor_date)
        anchor, fixed = self.persistence.check(settings, self._versions)
        if fixed:
            return Clock(anchor)
        clock = Clock()  # the time runs from now, as it did when the state was made: only the day is kept
        clock.anchor = anchor
        return clock

    def _restore(self, persistence: Persistence) -> None:
        """What was kept (the default state's changes, the sessions, the uploads) back, then
        kept from now on."""
        for name, served in self.apis.items():
            persistence.keep("", name, served.state)
        self.sessions.listener = persistence
        persistence.restore_sessions(self.sessions)
        for key, data, content_type in persistence.kept_uploads():
            self.uploads.put(key, data, content_type)
        self.uploads.listener = persistence
        persistence.start()

    def close(self) -> None:
        """Writes what is not kept yet and lets the state folder go (nothing without one); a second
        call does nothing. ``mockserver run`` calls it after the server stops."""
        if self.persistence is not None:
            self.persistence.close()

    def new_rules(self) -> RuleSet:
        """An empty rule set on the served APIs (the default state's, or a session's)."""
        specs = {name: served.definition.spec for name, served in self.apis.items()}
        return RuleSet(self.settings.seed, specs, self.settings.max_delay_ms)

    def fork(self, session: str) -> dict[str, ApiState]:
        """Every served API's state, forked from its seeded data for the session ``session``."""
        forks: dict[str, ApiState] = {}
        for name, served in self.apis.items():
            state = served.state
            if not isinstance(state, SeededState):
                raise TypeError(f"the {name} API's state is no SeededState: it cannot be forked for a session")
            forks[name] = state.fork(session)
        return forks

    def reset(self, api: str | None = None) -> list[str]:
        targets = [self.apis[api]] if api else list(self.apis.values())
        for served in targets:
            served.state.reset()
        self.rules.clear(api)
        self.coverage.clear(api)
        if api is None:
            self.journal.clear()
            self.uploads.clear()
        return [served.name for served in targets]

    def api_for_path(self, path: str) -> str | None:
        """The API a path belongs to: the one with the longest matching prefix (none for ``/__admin``)."""
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return None
        for prefix, name in self._prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return name
        return None

    def now(self) -> str:
        return self.clock.stamp()


def _version(definition: ApiDefinition) -> str:
    info = definition.spec.get("info") or {}
    return str(info.get("version", ""))
