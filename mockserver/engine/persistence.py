"""What clients changed, kept on disk across restarts (``Settings.state_dir``: ``STATE_DIR``,
``mockserver run --state-dir``).

One SQLite file, ``<state dir>/state.sqlite3`` (WAL, ``synchronous=NORMAL``), holds the difference
from the seeded data, never the seeded data itself: for the default state (session ``""``) and every
client's session, per API and table, the rows clients changed or added (their last content) and the
keys of the rows they deleted (``NULL``), with an order for the rows added so that a listing comes
back in the same order; the next id of each table; what an API keeps besides its records that
clients' credentials depend on (:class:`~mockserver.engine.registry.KeptExtras`: HomeQ's signing
secret); the sessions' names; the files clients uploaded. A ``meta`` table says what the seeded data
was made with (seed, volume, anchor day, each API's spec ``info.version``): a start with other
settings is refused (:class:`StateRefused`), since the kept changes only make sense on the same
seeded data; a start without an anchor day takes the kept one.

Writes cost the request next to nothing: a watcher on every table (:meth:`Table.watch
<mockserver.engine.store.Table.watch>`) adds the key to a set, under the store's lock the write holds
anyway. A daemon thread, every ``Settings.state_flush_seconds``, takes each store's set under its
lock, reads those rows (written out with orjson, still under the lock) and writes them in one
transaction outside it; so a kill -9 loses what was acknowledged in the last interval at most, and
a clean shutdown (:meth:`Persistence.close`) writes everything. A reset drops what is kept of the
state it resets (its re-seeding is no change), a session forgotten drops its rows.

Not kept: rules, webhook registrations and deliveries, rate limits, request journals (none is a
record a client made), and the changes to the APIs not served now are left as they are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from mockserver.engine.clock import isoformat
from mockserver.engine.registry import KeptExtras
from mockserver.engine.snapshots import SeededState
from mockserver.engine.store import Table
from mockserver.settings import Settings

#: The layout of the file; another is refused (made by another release).
FORMAT = "1"
FILE = "state.sqlite3"
LOCK = "state.lock"
#: The default state's name where sessions are named.
DEFAULT = ""
_DUMP = orjson.OPT_NON_STR_KEYS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    session TEXT NOT NULL, api TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL,
    row BLOB, ord INTEGER, PRIMARY KEY (session, api, tbl, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS next_ids (
    session TEXT NOT NULL, api TEXT NOT NULL, tbl TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (session, api, tbl)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wiped (
    session TEXT NOT NULL, api TEXT NOT NULL, tbl TEXT NOT NULL, PRIMARY KEY (session, api, tbl)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS extras (
    session TEXT NOT NULL, api TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (session, api, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (name TEXT PRIMARY KEY, created TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    key TEXT PRIMARY KEY, data BLOB NOT NULL, content_type TEXT NOT NULL, position INTEGER NOT NULL
);
"""


class StateRefused(ValueError):
    """The state folder is not used: it was made with other settings, another server uses it, or
    it holds no state of ours. The message says which and how to start fresh."""


class Forkable(Protocol):
    """What a session is to this module (:class:`~mockserver.engine.sessions.Session`)."""

    name: str
    created: str
    states: dict[str, Any]


class SessionMaker(Protocol):
    """What makes the kept sessions again (:class:`~mockserver.engine.sessions.Sessions`)."""

    def create(self, name: str) -> tuple[Any, bool]: ...


def _key(key: Any) -> str:
    return orjson.dumps(key).decode()


def _unkey(text: str) -> Any:
    value = orjson.loads(text)
    return tuple(value) if isinstance(value, list) else value


@dataclasses.dataclass
class _Batch:
    """One state's changes taken for one write."""

    session: str
    api: str
    cleared: bool
    wiped: list[str]
    #: (table, key, row as JSON or ``None`` for a deleted row, order of an added row or ``None``).
    rows: list[tuple[str, Any, bytes | None, int | None]]
    next_ids: list[tuple[str, int]]

    def __len__(self) -> int:
        return int(self.cleared) + len(self.wiped) + len(self.rows) + len(self.next_ids)


class _Tracker:
    """The changes of one API's state (the default state's, or a session's) not written yet: the
    keys changed per table, and the order of the rows added since the seeding."""

    def __init__(self, session: str, api: str, state: SeededState, added: dict[str, dict[Any, int]]) -> None:
        self.session = session
        self.api = api
        self.state = state
        self.store = state.store
        self.tables: dict[str, Table] = {table.name: table for table in self.store}
        self.dirty: dict[str, set[Any]] = {name: set() for name in self.tables}
        #: Per table, the rows added (inserted or put back) since the seeding, by the order they
        #: were added in: they come after the seeded rows, in that order.
        self.added: dict[str, dict[Any, int]] = {name: dict(added.get(name, {})) for name in self.tables}
        self.order = max((o for rows in self.added.values() for o in rows.values()), default=0)
        self.lengths = {name: len(table) for name, table in self.tables.items()}
        self.saved_next = {name: table.upcoming_id for name, table in self.tables.items()}
        #: Tables emptied outside a reset (their kept rows go, and they come back empty).
        self.wiped: set[str] = set()
        #: Reset since the last write: every row kept of the state goes.
        self.cleared = False
        self.paused = False
        self.dead = False

    def attach(self) -> None:
        for name, table in self.tables.items():
            table.watch(self._watcher(name, table))
        self.state.reset_guard = self.resetting

    def _watcher(self, name: str, table: Table) -> Callable[[Any], None]:
        dirty = self.dirty[name]
        added = self.added[name]
        lengths = self.lengths

        def changed(key: Any) -> None:
            if self.paused:
                return
            if key is None:
                self._wiped(name)
                return
            dirty.add(key)
            count = len(table)
            before = lengths[name]
            if count > before:  # a row added: after every other
                added.pop(key, None)
                self.order += 1
                added[key] = self.order
            elif count < before:
                added.pop(key, None)
            lengths[name] = count

        return changed

    def _wiped(self, name: str) -> None:
        self.dirty[name].clear()
        self.added[name].clear()
        self.lengths[name] = len(self.tables[name])
        self.wiped.add(name)

    @contextlib.contextmanager
    def resetting(self) -> Iterator[None]:
        """Around a reset (under the store's lock): the re-seeding is no change, and what was kept
        of the state goes with the next write."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False
            for name, table in self.tables.items():
                self.dirty[name].clear()
                self.added[name].clear()
                self.lengths[name] = len(table)
                self.saved_next[name] = table.upcoming_id
            self.wiped.clear()
            self.cleared = True

    def pending(self) -> int:
        return sum(map(len, self.dirty.values())) + len(self.wiped) + int(self.cleared)

    def take(self) -> _Batch | None:
        """The changes not written yet, read under the store's lock (and forgotten here)."""
        rows: list[tuple[str, Any, bytes | None, int | None]] = []
        next_ids: list[tuple[str, int]] = []
        with self.store.lock:
            if self.dead:
                return None
            cleared, wiped = self.cleared, sorted(self.wiped)
            self.cleared = False
            self.wiped.clear()
            for name, keys in self.dirty.items():
                if not keys:
                    continue
                table, added = self.tables[name], self.added[name]
                for key in keys:
                    row = table.stored(key)
                    if row is None:
                        rows.append((name, key, None, None))
                    else:
                        rows.append((name, key, orjson.dumps(row, option=_DUMP, default=str), added.get(key)))
                keys.clear()
            for name, table in self.tables.items():
                upcoming = table.upcoming_id
                if upcoming != self.saved_next[name]:
                    next_ids.append((name, upcoming))
                    self.saved_next[name] = upcoming
        batch = _Batch(self.session, self.api, cleared, wiped, rows, next_ids)
        return batch if len(batch) else None


class Persistence:
    """The state folder of one runtime: its file, the trackers of every state kept, the thread that
    writes their changes. Every method may be called from any thread."""

    def __init__(self, folder: str, flush_seconds: float = 0.5) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self.path = self.folder / FILE
        self.flush_seconds = max(flush_seconds, 0.01)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock_file: IO[str] = (self.folder / LOCK).open("a+", encoding="utf-8")
        except OSError as error:
            raise StateRefused(f"cannot use the state folder {self.folder}: {error}") from None
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.seek(0)
            holder = self._lock_file.read().strip() or "?"
            self._lock_file.close()
            raise StateRefused(
                f"another mockserver (pid {holder}) keeps its state in {self.folder}: two servers on one state "
                "would overwrite each other's changes. Stop that one, or give this one another --state-dir "
                "(STATE_DIR)."
            ) from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            self._unlock()
            raise StateRefused(
                f"{self.path} is no state file of mockserver ({error}). Start fresh: delete it, or give "
                "another --state-dir (STATE_DIR)."
            ) from None
        #: Guards the trackers, the operations waiting and the counters below.
        self._lock = threading.Lock()
        #: One write at a time (the thread's, and the last one of :meth:`close`), and the file's use.
        self._writing = threading.Lock()
        self._trackers: dict[tuple[str, str], _Tracker] = {}
        #: Changes that are no rows, in the order they were made: ("extras", session, api, values),
        #: ("session", name, created, position), ("session-gone", name), ("upload", key, data, type,
        #: position), ("upload-gone", key), ("uploads-cleared",).
        self._ops: list[tuple[Any, ...]] = []
        self._in_flight = 0
        #: What a write that failed (a full disk, say) took: written first by the next one, so that
        #: nothing taken is lost and later changes still win.
        self._unwritten: tuple[list[tuple[Any, ...]], list[_Batch]] = ([], [])
        self._last_write: str | None = None
        self._session_position = 0
        self._upload_position = 0
        #: Sessions kept and not made again yet (name -> when it was made), while starting.
        self._restoring: dict[str, str] = {}
        #: Rows restored, per API (the default state's and every session's).
        self.restored: dict[str, int] = {}
        self.restored_sessions = 0
        self.errors = 0
        #: CPU seconds the writes took (taking the changes under the stores' locks included).
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- starting --------------------------------------------------------------------------------
    def _meta(self) -> dict[str, str]:
        with self._writing:
            return dict(self._db.execute("SELECT name, value FROM meta").fetchall())

    def _holds_changes(self) -> bool:
        with self._writing:
            for table in ("rows", "next_ids", "wiped", "sessions", "uploads"):  # not extras: no change
                if self._db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return True
        return False

    def check(self, settings: Settings, versions: dict[str, str]) -> tuple[dt.date, bool]:
        """The anchor day to build the data on, and whether the clock starts there (``ANCHOR_DATE``
        given, now or when the state was made) rather than running from now; refuses
        (:class:`StateRefused`) a state kept with another seed, volume, anchor day or version of a
        served API's spec. A state that keeps nothing takes the settings as they are now."""
        meta = self._meta()
        if meta and not self._holds_changes():
            meta = {}
        if not meta:
            anchor = settings.anchor_date or dt.datetime.now(dt.UTC).date()
            fixed = settings.anchor_date is not None
            values = {"format": FORMAT, "seed": str(settings.seed), "volume": str(settings.volume)}
            values |= {"anchor": anchor.isoformat(), "anchor_fixed": "1" if fixed else "0"}
            values |= {f"spec:{api}": version for api, version in versions.items()}
            self._write_meta(values, replace=True)
            return anchor, fixed
        if meta.get("format") != FORMAT:
            raise StateRefused(
                f"the state in {self.path} was kept by another release of mockserver (format "
                f"{meta.get('format')!r}, this one reads {FORMAT!r}). Start fresh: delete {self.path}, or give "
                "another --state-dir (STATE_DIR)."
            )
        differ: list[str] = []
        again: list[str] = []
        for name, flag, now in (("seed", "--seed", str(settings.seed)), ("volume", "--volume", str(settings.volume))):
            if meta.get(name) != now:
                differ.append(f"{name} {meta.get(name)} (now {now})")
                again.append(f"{flag} {meta.get(name)}")
        kept_anchor = dt.date.fromisoformat(meta["anchor"])
        if settings.anchor_date is not None and settings.anchor_date != kept_anchor:
            differ.append(f"anchor day {kept_anchor} (now {settings.anchor_date})")
            again.append(f"--anchor-date {kept_anchor} (or none: the kept one is taken)")
        for api, version in versions.items():
            kept = meta.get(f"spec:{api}")
            if kept is not None and kept != version:
                differ.append(f"the {api} spec's version {kept} (now {version})")
                again.append(f"the {api} spec of version {kept}")
        if differ:
            raise StateRefused(
                f"the state kept in {self.path} was made with {_listed(differ)}: kept changes are only restored "
                f"on the seeded data they were made on. Start with {_listed(again)} to restore it, or start "
                f"fresh: delete {self.path} (with its -wal and -shm files, if any; or the whole folder {self.folder}), "
                "or give another --state-dir (STATE_DIR)."
            )
        new = {f"spec:{api}": version for api, version in versions.items() if f"spec:{api}" not in meta}
        if new:
            self._write_meta(new)
        return kept_anchor, settings.anchor_date is not None or meta.get("anchor_fixed") == "1"

    def _write_meta(self, values: dict[str, str], replace: bool = False) -> None:
        with self._writing:
            self._db.execute("BEGIN")
            if replace:
                self._db.execute("DELETE FROM meta")
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
            self._db.execute("COMMIT")

    def keep(self, session: str, api: str, state: Any) -> int:
        """Restores what is kept of one API's state (into its seeded store: the rows through the
        table's own methods, so that indexes, view caches and watchers follow), then keeps its
        changes from now on; answers how many rows were restored."""
        if not isinstance(state, SeededState):
            raise TypeError(f"the {api} API's state is no SeededState: its changes cannot be kept")
        with self._writing:
            kept = self._db.execute(
                "SELECT tbl, key, row, ord FROM rows WHERE session = ? AND api = ?", (session, api)
            ).fetchall()
            next_ids = self._db.execute(
                "SELECT tbl, value FROM next_ids WHERE session = ? AND api = ?", (session, api)
            ).fetchall()
            wiped = [
                t for (t,) in self._db.execute("SELECT tbl FROM wiped WHERE session = ? AND api = ?", (session, api))
            ]
            extras = dict(
                self._db.execute(
                    "SELECT name, value FROM extras WHERE session = ? AND api = ?", (session, api)
                ).fetchall()
            )
        added = _restore(state, kept, next_ids, wiped)
        if extras and isinstance(state, KeptExtras):
            state.restore_extras(extras)
        tracker = _Tracker(session, api, state, added)
        tracker.attach()
        with self._lock:
            self._trackers[(session, api)] = tracker
            if isinstance(state, KeptExtras):
                self._ops.append(("extras", session, api, state.persisted_extras()))
        self.restored[api] = self.restored.get(api, 0) + len(kept)
        return len(kept)

    def restore_sessions(self, sessions: SessionMaker) -> int:
        """Makes every kept session again, with what it kept (see :meth:`session_made`)."""
        with self._writing:
            kept = self._db.execute("SELECT name, created, position FROM sessions ORDER BY position").fetchall()
        self._session_position = max((position for _, _, position in kept), default=0)
        self._restoring = {name: created for name, created, _ in kept}
        try:
            for name, _, _ in kept:
                sessions.create(name)
        finally:
            self._restoring = {}
        self.restored_sessions = len(kept)
        return len(kept)

    def kept_uploads(self) -> list[tuple[str, bytes, str]]:
        """The files clients uploaded, oldest first."""
        with self._writing:
            found = self._db.execute(
                "SELECT key, data, content_type, position FROM uploads ORDER BY position"
            ).fetchall()
        self._upload_position = max((position for *_, position in found), default=0)
        return [(key, bytes(data), content_type) for key, data, content_type, _ in found]

    def start(self) -> None:
        """Writes the changes every ``flush_seconds`` from now on, in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="mockserver-state", daemon=True)
        self._thread.start()

    # -- what the runtime tells ----------------------------------------------------------------------
    def session_made(self, session: Forkable) -> None:
        """A session is made: a kept one gets what it kept back, a new one is kept from now on."""
        created = self._restoring.get(session.name)
        if created is not None:
            session.created = created
            for api, state in session.states.items():
                self.keep(session.name, api, state)
            return
        for api, state in session.states.items():
            if not isinstance(state, SeededState):
                raise TypeError(f"the {api} API's state is no SeededState: its changes cannot be kept")
            tracker = _Tracker(session.name, api, state, {})
            tracker.attach()
            with self._lock:
                self._trackers[(session.name, api)] = tracker
        with self._lock:
            self._session_position += 1
            self._ops.append(("session", session.name, session.created, self._session_position))
            for api, state in session.states.items():
                if isinstance(state, KeptExtras):
                    self._ops.append(("extras", session.name, api, state.persisted_extras()))

    def session_forgotten(self, session: Forkable) -> None:
        with self._lock:
            for api in session.states:
                tracker = self._trackers.pop((session.name, api), None)
                if tracker is not None:
                    tracker.dead = True
            self._ops.append(("session-gone", session.name))

    def upload_put(self, key: str, data: bytes, content_type: str) -> None:
        with self._lock:
            self._upload_position += 1
            self._ops.append(("upload", key, data, content_type, self._upload_position))

    def upload_gone(self, key: str) -> None:
        with self._lock:
            self._ops.append(("upload-gone", key))

    def uploads_cleared(self) -> None:
        with self._lock:
            self._ops.append(("uploads-cleared",))

    # -- writing ---------------------------------------------------------------------------------
    def pending(self) -> int:
        """Changes not written yet (a write under way counts until it is done)."""
        with self._lock:
            trackers = list(self._trackers.values())
            waiting = len(self._ops) + self._in_flight
            waiting += len(self._unwritten[0]) + sum(map(len, self._unwritten[1]))
        return waiting + sum(tracker.pending() for tracker in trackers)

    def flush(self) -> int:
        """Writes every change made so far in one transaction; answers how many."""
        with self._writing:
            began = time.thread_time()
            with self._lock:
                (ops, batches), self._unwritten = self._unwritten, ([], [])
                ops, self._ops = ops + self._ops, []
                trackers = list(self._trackers.values())
                self._in_flight = 1
            try:
                batches += [batch for batch in (tracker.take() for tracker in trackers) if batch is not None]
                count = len(ops) + sum(map(len, batches))
                with self._lock:
                    self._in_flight = count
                if count:
                    try:
                        self._write(ops, batches)
                    except BaseException:
                        with self._lock:
                            self._unwritten = (ops, batches)
                        raise
                    self._last_write = isoformat(dt.datetime.now(dt.UTC))
                return count
            finally:
                with self._lock:
                    self._in_flight = 0
                self.cpu_seconds += time.thread_time() - began

    def _write(self, ops: Sequence[tuple[Any, ...]], batches: Sequence[_Batch]) -> None:
        db = self._db
        db.execute("BEGIN")
        try:
            for op in ops:
                _apply_op(db, op)
            for batch in batches:
                where = (batch.session, batch.api)
                if batch.cleared:
                    for table in ("rows", "next_ids", "wiped"):
                        db.execute(f"DELETE FROM {table} WHERE session = ? AND api = ?", where)
                for name in batch.wiped:
                    db.execute("DELETE FROM rows WHERE session = ? AND api = ? AND tbl = ?", (*where, name))
                    db.execute("INSERT OR IGNORE INTO wiped VALUES (?, ?, ?)", (*where, name))
                db.executemany(
                    "INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?, ?)",
                    [(*where, name, _key(key), row, order) for name, key, row, order in batch.rows],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO next_ids VALUES (?, ?, ?, ?)",
                    [(*where, name, value) for name, value in batch.next_ids],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception as error:  # a full disk, say: say so, and try again next time
                self.errors += 1
                print(f"mockserver: could not write the state to {self.path}: {error}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Writes what is left and lets the folder go; a second call does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.flush()
        finally:
            with self._writing:
                self._db.close()
            self._unlock()

    def _unlock(self) -> None:
        with contextlib.suppress(OSError):
            self._lock_file.seek(0)
            self._lock_file.truncate()
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock_file.close()

    def status(self) -> dict[str, Any]:
        """What the control plane shows (``GET /__admin/state``)."""
        return {
            "dir": str(self.folder),
            "file": str(self.path),
            "flushSeconds": self.flush_seconds,
            "pending": self.pending(),
            "lastWrite": self._last_write,
            "restored": dict(self.restored),
            "restoredSessions": self.restored_sessions,
            "writeErrors": self.errors,
            "writeCpuSeconds": round(self.cpu_seconds, 3),
        }


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _apply_op(db: sqlite3.Connection, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "extras":
        _, session, api, values = op
        db.execute("DELETE FROM extras WHERE session = ? AND api = ?", (session, api))
        db.executemany("INSERT INTO extras VALUES (?, ?, ?, ?)", [(session, api, k, v) for k, v in values.items()])
    elif kind == "session":
        db.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)", op[1:])
    elif kind == "session-gone":
        for table in ("rows", "next_ids", "wiped", "extras"):
            db.execute(f"DELETE FROM {table} WHERE session = ?", (op[1],))
        db.execute("DELETE FROM sessions WHERE name = ?", (op[1],))
    elif kind == "upload":
        db.execute("INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?)", op[1:])
    elif kind == "upload-gone":
        db.execute("DELETE FROM uploads WHERE key = ?", (op[1],))
    elif kind == "uploads-cleared":
        db.execute("DELETE FROM uploads")
    else:  # pragma: no cover - every kind is above
        raise ValueError(f"unknown operation {kind!r}")


def _restore(
    state: SeededState,
    kept: list[tuple[str, str, bytes | None, int | None]],
    next_ids: list[tuple[str, int]],
    wiped: list[str],
) -> dict[str, dict[Any, int]]:
    """Applies the kept rows to the state's (seeded) store; answers the order of the rows added,
    per table. Rows changed in place stay where they were seeded; rows added come after the seeded
    ones, in the order they were added; deleted rows go; tables emptied are emptied first."""
    store = state.store
    tables = {table.name: table for table in store}
    added: dict[str, dict[Any, int]] = {}
    by_table: dict[str, list[tuple[Any, Any, int | None]]] = {}
    for name, key, row, order in kept:
        if name in tables:  # a table the API no longer has: nothing to restore it into
            by_table.setdefault(name, []).append((_unkey(key), None if row is None else orjson.loads(row), order))
    with store.lock, store.seeding():
        for name in wiped:
            if name in tables:
                tables[name].clear()
        for name, entries in by_table.items():
            table = tables[name]
            for key, row, _ in entries:
                if row is None:
                    table.delete(key)
            for key, row, order in entries:
                if row is None or order is not None:
                    continue
                current = table.stored(key)
                if current is not None and current.keys() <= row.keys():
                    table.change(key, row)
                else:
                    table.delete(key)
                    table.restore(key, row)
            appended = sorted(
                ((order, key, row) for key, row, order in entries if row is not None and order is not None),
                key=lambda e: e[0],
            )
            for _, key, row in appended:
                table.delete(key)
                table.restore(key, row)
            added[name] = {key: order for order, key, _ in appended}
        for name, value in next_ids:
            if name in tables:
                tables[name].set_upcoming_id(value)
    return added
