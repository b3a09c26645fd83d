"""Clients' sessions: isolated copies of every API's state, one per name a client chooses.

A client that names a session works on its own fork of every API's seeded state
(:meth:`~mockserver.engine.snapshots.SeededState.fork`): its own records, tokens, webhook
registrations and rate limits, its own request :class:`Journal` and coverage counts
(``engine.coverage``; the runtime keeps one of each for the default state) and its own rules
(:class:`~mockserver.engine.rules.RuleSet`).
:class:`Sessions` makes one on its first use (or when the control plane asks), finds it again by
name, and forgets it when the control plane removes it, when it has not been used for
``Settings.session_idle_seconds`` (checked whenever sessions are used or listed, not by a timer)
or when one more than ``Settings.max_sessions`` is made (the least recently used goes). A session
forgotten so starts again from the seeded data if its name is used again.

How a request names its session is the web layer's business; the control plane reads and resets
sessions by name. Nothing here knows HTTP.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from mockserver.engine.clock import Clock, isoformat
from mockserver.engine.coverage import Coverage
from mockserver.engine.problems import SessionNameInvalid
from mockserver.engine.registry import ApiState, WebhookSource
from mockserver.engine.rules import RuleSet
from mockserver.settings import Settings

#: What a session name may be: what a client can write in a header and a path segment as it is.
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: A session used again within this many seconds (or half the idle time, if less) is not marked as
#: used again: its last use, and so its idle time and its place in the order of use, are that
#: coarse, and a request spares the lock.
TOUCH_SECONDS = 1.0
T = TypeVar("T")


def check_name(name: str) -> str:
    """``name`` if it names a session; a ``session-name-invalid`` problem if not."""
    if not NAME.fullmatch(name):
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise SessionNameInvalid(
            f"{shown!r} is not a session name: use 1 to 64 letters, digits, '_' or '-' (A-Z a-z 0-9 _ -)."
        )
    return name


class Journal:
    """The bounded list of recent requests, newest first: the default state's, and each session's.

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


class Session:
    """One client's isolated state: a fork of every served API's state, its journal, its rules and
    its coverage counts."""

    def __init__(
        self,
        name: str,
        states: Mapping[str, ApiState],
        journal: Journal,
        rules: RuleSet,
        created: str,
        used: float,
        coverage: Coverage | None = None,
    ) -> None:
        self.name = name
        #: Each served API's state, forked from the seeded data for this session.
        self.states = dict(states)
        self.journal = journal
        self.rules = rules
        #: The statuses each operation answered in the session (``engine.coverage``).
        self.coverage = coverage if coverage is not None else Coverage(lambda method, path: None)
        #: When the session was made (the runtime's clock, as every API writes moments).
        self.created = created
        #: When it was last used, in the time of :attr:`Sessions.now`.
        self.last_used = used
        #: What the layers above keep for the session, each under its own key (the web layer's
        #: handler objects and credential checks bound to :attr:`states`): read freely, added
        #: by :meth:`attachment`.
        self.attachments: dict[str, Any] = {}
        self._attaching = threading.Lock()

    def attachment(self, key: str, make: Callable[[Session], T]) -> T:
        """What is kept under ``key``: made by ``make(self)`` the first time it is asked for."""
        found = self.attachments.get(key)
        if found is None:
            with self._attaching:
                found = self.attachments.get(key)
                if found is None:
                    found = self.attachments[key] = make(self)
        kept: T = found
        return kept

    def reset(self, api: str | None = None) -> list[str]:
        """Back to the seeded data, as the runtime's reset takes the default state back: one API
        (and its rules and coverage counts) or every API, every rule, the journal and the counts."""
        targets = [api] if api is not None else list(self.states)
        for name in targets:
            self.states[name].reset()
        self.rules.clear(api)
        self.coverage.clear(api)
        if api is None:
            self.journal.clear()
        return targets

    def counts(self) -> dict[str, dict[str, int]]:
        """Records per table, per API."""
        return {name: state.counts() for name, state in self.states.items()}

    def close(self) -> None:
        """Stops what the session runs in the background (webhook deliveries)."""
        for state in self.states.values():
            if isinstance(state, WebhookSource):
                state.webhooks.close()


class SessionListener(Protocol):
    """Told when a session is made (before any request can use it) and when it is forgotten
    (removed, expired, or the least recently used beyond the cap), in that order for any one name:
    what keeps sessions on disk (``engine.persistence``). Both are called under the sessions' lock."""

    def session_made(self, session: Session) -> None: ...

    def session_forgotten(self, session: Session) -> None: ...


class Sessions:
    """The sessions of one runtime, by name, least recently used first.

    ``fork(name)`` gives a new session's states (every served API's, forked), ``rules()`` its empty
    rule set. ``now`` is the time expiry is measured in (seconds; ``time.monotonic`` unless a test
    gives its own). Every method may be called from any thread.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        fork: Callable[[str], Mapping[str, ApiState]],
        rules: Callable[[], RuleSet],
        now: Callable[[], float] = time.monotonic,
        coverage: Callable[[], Coverage] | None = None,
    ) -> None:
        self.idle_seconds = settings.session_idle_seconds
        self.max_sessions = settings.max_sessions
        self.now = now
        self._touch = min(TOUCH_SECONDS, self.idle_seconds / 2)
        self._journal_size = settings.journal_size
        self._clock = clock
        self._fork = fork
        self._rules = rules
        self._coverage = coverage
        self._sessions: collections.OrderedDict[str, Session] = collections.OrderedDict()
        self._lock = threading.Lock()
        #: Told of every session made and forgotten (``None``: nobody is).
        self.listener: SessionListener | None = None

    def use(self, name: str) -> Session:
        """The session ``name`` (made if there is none), marked as used now: what a request in it
        calls. A new name that is no session name is a ``session-name-invalid`` problem."""
        session = self._sessions.get(name)  # without the lock: one read of a dict
        if session is not None and self.now() - session.last_used < self._touch:
            return session
        return self._used(name)[0]

    def create(self, name: str) -> tuple[Session, bool]:
        """The session ``name``, marked as used now, and whether it was made by this call."""
        return self._used(name)

    def get(self, name: str) -> Session | None:
        """The session ``name``, if there is one; reading it does not count as using it."""
        self._expired()
        with self._lock:
            return self._sessions.get(name)

    def all(self) -> list[Session]:
        """Every session, the most recently used first."""
        self._expired()
        with self._lock:
            return list(reversed(self._sessions.values()))

    def remove(self, name: str) -> bool:
        """Forgets the session ``name``; whether there was one."""
        self._expired()
        with self._lock:
            session = self._sessions.pop(name, None)
            if session is not None:
                self._forgotten(session)
        if session is None:
            return False
        session.close()
        return True

    def idle(self, session: Session) -> float:
        """Seconds since the session was last used."""
        return max(self.now() - session.last_used, 0.0)

    def view(self, session: Session) -> dict[str, Any]:
        """The session as the control plane shows it."""
        idle = self.idle(session)
        # Whole seconds off the clock's whole second: never before the (whole second) it was made.
        last_used = max(isoformat(self._clock.now() - dt.timedelta(seconds=int(idle))), session.created)
        return {
            "name": session.name,
            "created": session.created,
            "lastUsed": last_used,
            "idleSeconds": round(idle, 3),
            "records": session.counts(),
        }

    def _expired(self) -> None:
        """Forgets the sessions idle too long."""
        with self._lock:
            dropped = self._expire(self.now())
        for old in dropped:
            old.close()

    # -- helpers ----------------------------------------------------------------------------------
    def _used(self, name: str) -> tuple[Session, bool]:
        check_name(name)
        now = self.now()
        dropped: list[Session] = []
        with self._lock:
            dropped += self._expire(now)
            session = self._sessions.get(name)
            made = session is None
            if session is None:
                session = self._new(name, now)
                while len(self._sessions) > self.max_sessions:
                    dropped.append(self._forgotten(self._sessions.popitem(last=False)[1]))
            else:
                self._sessions.move_to_end(name)
                session.last_used = now
        for old in dropped:
            old.close()
        return session, made

    def _new(self, name: str, now: float) -> Session:
        coverage = self._coverage() if self._coverage is not None else None
        session = Session(
            name, self._fork(name), Journal(self._journal_size), self._rules(), self._clock.stamp(), now, coverage
        )
        if self.listener is not None:  # before any request can find it
            self.listener.session_made(session)
        self._sessions[name] = session
        return session

    def _forgotten(self, session: Session) -> Session:
        if self.listener is not None:
            self.listener.session_forgotten(session)
        return session

    def _expire(self, now: float) -> list[Session]:
        """Forgets the sessions idle too long (the least recently used come first); returns them
        to be closed outside the lock."""
        dropped = []
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_used <= self.idle_seconds:
                break
            dropped.append(self._forgotten(self._sessions.popitem(last=False)[1]))
        return dropped
