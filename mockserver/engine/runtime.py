"""One running mock: its settings, clock, the state of every API it serves, its rules, its journal
and its clients' sessions (``engine.sessions``: each a fork of every API's state, with a journal
and rules of its own).

The control plane and the web layer share this object; several runtimes can live in one process
(the tests start many), since nothing here is global.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time

from mockserver.engine.clock import Clock
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


class Uploads:
    """Files clients PUT to the upload target of pre-signed URLs, bounded in count and in bytes
    (the oldest go first; the newest file always stays)."""

    def __init__(self, size: int = 200, max_bytes: int = 268_435_456) -> None:
        self._files: collections.OrderedDict[str, tuple[bytes, str]] = collections.OrderedDict()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with self._lock:
            old = self._files.pop(key, None)
            self._bytes -= len(old[0]) if old else 0
            self._files[key] = (data, content_type)
            self._bytes += len(data)
            while len(self._files) > 1 and (len(self._files) > self._size or self._bytes > self._max_bytes):
                _, (dropped, _) = self._files.popitem(last=False)
                self._bytes -= len(dropped)

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._files.get(key)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._bytes = 0


class Runtime:
    def __init__(self, settings: Settings, registry: dict[str, ApiDefinition]) -> None:
        unknown = set(settings.apis) - set(registry)
        if unknown:
            raise ValueError(f"unknown API(s): {', '.join(sorted(unknown))}; known: {', '.join(registry)}")
        self.settings = settings
        self.clock = Clock(settings.anchor_date)
        self.started = time.monotonic()
        self.journal = Journal(settings.journal_size)
        self.uploads = Uploads()
        names = settings.apis or tuple(registry)
        self.apis: dict[str, ServedApi] = {
            name: ServedApi(registry[name], registry[name].build_state(settings, self.clock)) for name in names
        }
        #: The control plane's rules on the APIs' traffic (``engine.rules``).
        self.rules = self.new_rules()
        #: Clients' sessions, each with a fork of every API's state (``engine.sessions``).
        self.sessions = Sessions(settings, self.clock, self.fork, self.new_rules)
        #: Every API's path prefixes, longest first (``api_for_path`` takes the first that matches).
        self._prefixes = sorted(
            ((prefix, served.name) for served in self.apis.values() for prefix in served.definition.path_prefixes),
            key=lambda pair: -len(pair[0]),
        )

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
