"""One running mock: its settings, clock, the state of every API it serves, its rules and its journal.

The control plane and the web layer share this object; several runtimes can live in one process
(the tests start many), since nothing here is global.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.registry import ApiDefinition, ApiState
from mockserver.engine.rules import RuleSet
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


class Journal:
    """The bounded list of recent requests, newest first.

    An entry is a dict, or what makes one (:meth:`record_later`): a request's facts are kept as
    they come and written out only when someone reads the journal, which is rare, while every
    request is recorded.
    """

    def __init__(self, size: int) -> None:
        self._entries: collections.deque[tuple[int, Any, tuple[Any, ...]]] = collections.deque(maxlen=size)
        self._lock = threading.Lock()
        self._ids = 0

    def record(self, entry: dict[str, Any]) -> None:
        self.record_later(dict, entry)

    def record_later(self, make: Callable[..., dict[str, Any]], *facts: Any) -> None:
        """Keeps ``facts``; the entry is ``make(*facts)`` (with its id first), made when read."""
        with self._lock:
            self._ids += 1
            self._entries.appendleft((self._ids, make, facts))

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._entries)
        kept = items[:limit] if limit is not None else items
        return [{"id": number, **make(*facts)} for number, make, facts in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


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
        self.rules = RuleSet(
            settings.seed, {name: served.definition.spec for name, served in self.apis.items()}, settings.max_delay_ms
        )
        #: Every API's path prefixes, longest first (``api_for_path`` takes the first that matches).
        self._prefixes = sorted(
            ((prefix, served.name) for served in self.apis.values() for prefix in served.definition.path_prefixes),
            key=lambda pair: -len(pair[0]),
        )

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
