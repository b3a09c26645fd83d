"""In-memory record stores, safe under concurrent requests.

A :class:`Store` is a set of named :class:`Table` s sharing one re-entrant lock: a business rule
that touches several tables holds ``store.lock`` for the whole change, so no client ever sees (or
makes) half of it. Records are plain dicts; tables hand out copies so that callers cannot change
stored state by accident.

A store may cap its tables (``max_records``, the ``MAX_RECORDS`` setting): every record a client
creates stays in memory until it is deleted or the store reset, so :meth:`Table.insert` refuses a
row into a full table with :class:`~mockserver.engine.problems.StoreFull`. What the mock puts in itself
(seeded data, fixtures, inside :meth:`Store.seeding`) is never refused; updates, deletes,
restores and loads never are either.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast

from mockserver.engine.problems import StoreFull
from mockserver.engine.readlog import ReadLog, ReadLogs

Record = dict[str, Any]
_T = TypeVar("_T")


class Generation:
    """How many changes the tables of one store have seen, all together."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Table:
    """Rows by key, plus optional indexes (field value -> keys) so that ``find`` costs what it
    returns, not what the table holds."""

    def __init__(
        self,
        name: str,
        lock: threading.RLock,
        first_id: int = 1,
        indexes: Iterable[str] = (),
        generation: Generation | None = None,
        max_records: int | None = None,
        store_name: str = "",
        read_logs: ReadLogs | None = None,
    ) -> None:
        self.name = name
        self._lock = lock
        #: Rows a client's insert may bring the table to (``None``: no cap), and the store's name
        #: (its API) for the refusal's words.
        self.max_records = max_records
        self._store_name = store_name
        #: The bound :meth:`insert` checks: ``max_records``, lifted while seeding. One int compared
        #: with ``len()`` keeps the check off the write path's profile.
        self._cap = sys.maxsize if max_records is None else max_records
        #: Goes up on every change of a row (not on an update that changes nothing): what was read
        #: from the table is still true while it stays the same (see :mod:`mockserver.engine.viewcache`).
        self.version = 0
        #: How many of those changes were inserts (of rows under new keys, by :meth:`insert`): a
        #: reader that no new row of this table can touch may discount them (see HomeQ's inventory).
        self.inserts = 0
        #: Each row's :attr:`version` when it last changed (see :meth:`row_version`).
        self._row_versions: dict[Any, int] = {}
        self._generation = generation if generation is not None else Generation()
        self._rows: dict[Any, Record] = {}
        self._first_id = first_id
        self._next = first_id
        self._indexes: dict[str, dict[Any, dict[Any, None]]] = {field: {} for field in indexes}
        self._watchers: list[Callable[[Any], None]] = []
        #: The store's open read logs (see :meth:`Store.noting_reads`).
        self._read_logs = read_logs if read_logs is not None else ReadLogs()

    def watch(self, callback: Callable[[Any], None]) -> None:
        """Calls ``callback(key)`` after every insert, update, delete or restore of a row, and
        ``callback(None)`` after :meth:`clear`, while the store's lock is held (for derived
        structures such as search indexes that must never be stale)."""
        self._watchers.append(callback)

    def _changed(self, key: Any, gone: bool = False) -> None:
        self.version += 1
        self._generation.count += 1
        if key is None:  # every row went: none keeps the version it had
            self._row_versions.clear()
        elif gone:
            # Forgotten rather than moved on, so that creating and deleting rows leaves nothing
            # behind; -1 is a version no row that is there ever has (views are built from rows
            # that are there), so a view of the deleted row is still never served again.
            self._row_versions.pop(key, None)
        else:
            self._row_versions[key] = self.version
        for callback in self._watchers:
            callback(key)

    def row_version(self, key: Any) -> int:
        """Moves whenever the row under ``key`` changes: up when it is inserted, updated or
        restored, to ``-1`` when it goes (deleted, cleared; as for a key never used). What was read
        from that row alone is still true while it stays the same."""
        return self._row_versions.get(key, -1)

    def _index(self, key: Any, row: Record) -> None:
        for field, index in self._indexes.items():
            index.setdefault(_hashable(row.get(field)), {})[key] = None

    def _unindex(self, key: Any, row: Record) -> None:
        for field in self._indexes:
            self._unindex_field(field, key, row)

    def _unindex_field(self, field: str, key: Any, row: Record) -> None:
        index = self._indexes[field]
        value = _hashable(row.get(field))
        keys = index.get(value)
        if keys is not None:
            keys.pop(key, None)
            if not keys:
                del index[value]

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: Any) -> bool:
        return key in self._rows

    def next_id(self) -> int:
        with self._lock:
            value = self._next
            self._next += 1
            return value

    def insert(self, record: Record, key_field: str = "id") -> Record:
        """Store a record; it gets the next id unless it brings one. A table that holds
        ``max_records`` rows takes none (:class:`~mockserver.engine.problems.StoreFull`) unless the store
        is :meth:`~Store.seeding`."""
        with self._lock:
            if len(self._rows) >= self._cap:
                raise self._full()
            if record.get(key_field) is None:
                record[key_field] = self.next_id()
            key = record[key_field]
            if key in self._rows:
                raise KeyError(f"{self.name}: duplicate key {key!r}")
            if isinstance(key, int) and key >= self._next:
                self._next = key + 1
            self._rows[key] = json_copy(record)
            self._index(key, record)
            self.inserts += 1
            self._changed(key)
            return json_copy(record)

    def ensure_room(self, count: int = 1) -> None:
        """Refuses (:class:`~mockserver.engine.problems.StoreFull`) unless ``count`` more inserts fit: for an
        operation that changes other rows before it inserts, so that a full table refuses it whole
        rather than half done."""
        if len(self._rows) + count > self._cap:
            raise self._full()

    def _full(self) -> StoreFull:
        where = f"{self._store_name}'s {self.name}" if self._store_name else f"The {self.name}"
        reset = f"POST /__admin/reset?api={self._store_name}" if self._store_name else "POST /__admin/reset"
        return StoreFull(
            f"{where} table already holds {len(self._rows)} records, the most one table keeps "
            f"(MAX_RECORDS={self.max_records}); nothing more is created until some are deleted, "
            f"the API is reset ({reset}) or MAX_RECORDS is raised.",
            code="StoreFull",
        )

    def get(self, key: Any) -> Record | None:
        row = self._rows.get(key)
        return json_copy(row) if row is not None else None

    def peek(self, key: Any) -> Record | None:
        """The stored row itself, not a copy: for hot read paths that only read it (and hold the
        store's lock while they do)."""
        return self._rows.get(key)

    def peek_find(self, **criteria: Any) -> list[Record]:
        """The stored rows matching ``criteria`` themselves, not copies, in insertion order: for
        views that only read them (see :meth:`peek`)."""
        with self._lock:
            return [self._rows[k] for k in self.keys(**criteria)]

    def update(self, key: Any, changes: Record) -> Record:
        """Changes some fields of a row (see :meth:`change`) and answers a copy of the row."""
        with self._lock:
            self.change(key, changes)
            return json_copy(self._rows[key])

    def change(self, key: Any, changes: Record) -> bool:
        """Changes some fields of a row, and says whether anything changed: an update that changes
        nothing is no change at all (the version stays, watchers are not called). A field's new
        value replaces the old one (a copy of it): a container read from the row before (see
        :meth:`peek`) is never changed in place."""
        with self._lock:
            row = self._rows[key]
            if all(name in row and _same(row[name], value) for name, value in changes.items()):
                return False
            # Only fields whose value changes move buckets: the others keep the row where it was,
            # so that indexed look-ups stay in insertion order.
            moved = [f for f in self._indexes if f in changes and _hashable(changes[f]) != _hashable(row.get(f))]
            for field in moved:
                self._unindex_field(field, key, row)
            row.update(json_copy(changes))
            for field in moved:
                self._indexes[field].setdefault(_hashable(row.get(field)), {})[key] = None
            self._changed(key)
            return True

    def delete(self, key: Any) -> Record | None:
        with self._lock:
            row = self._rows.pop(key, None)
            if row is not None:
                self._unindex(key, row)
                self._changed(key, gone=True)
            return row

    def find(self, **criteria: Any) -> list[Record]:
        """Copies of the rows whose fields equal ``criteria``, in insertion order (see :meth:`keys`)."""
        with self._lock:
            return [json_copy(self._rows[k]) for k in self.keys(**criteria)]

    def keys(self, **criteria: Any) -> list[Any]:
        """The keys of the rows whose fields equal ``criteria`` (no copies), in insertion order; an
        indexed field narrows the search to its matches (the others are then checked row by row)."""
        with self._lock:
            if len(criteria) == 1:  # the common case: one field, usually indexed
                ((field, value),) = criteria.items()
                index = self._indexes.get(field)
                if index is not None:
                    return list(index.get(_hashable(value), ()))
            indexed = [field for field in criteria if field in self._indexes]
            if indexed:
                candidates: Iterable[Any] = list(self._indexes[indexed[0]].get(_hashable(criteria[indexed[0]]), {}))
            else:
                candidates = self._rows.keys()
            return [k for k in candidates if all(self._rows[k].get(f) == v for f, v in criteria.items())]

    def values(self, fields: tuple[str, ...], **criteria: Any) -> list[tuple[Any, ...]]:
        """The ``fields`` of the rows matching ``criteria``, one tuple a row, without copying the rows
        (meant for scalar fields: a search that sorts many rows but shows a page of them)."""
        with self._lock:
            return [tuple(self._rows[k].get(f) for f in fields) for k in self.keys(**criteria)]

    def count(self, **criteria: Any) -> int:
        """How many rows match ``criteria``; one indexed field is answered from its index alone."""
        with self._lock:
            if len(criteria) == 1:
                ((field, value),) = criteria.items()
                if field in self._indexes:
                    return len(self._indexes[field].get(_hashable(value), {}))
            return len(self.keys(**criteria))

    def find_one(self, **criteria: Any) -> Record | None:
        with self._lock:
            keys = self.keys(**criteria)
            return json_copy(self._rows[keys[0]]) if keys else None

    def restore(self, key: Any, row: Record) -> None:
        """Put a row back under its old key (used by fault modes that undo deletes)."""
        with self._lock:
            if key not in self._rows:
                self._rows[key] = row
                self._index(key, row)
                self._changed(key)

    def all(self) -> list[Record]:
        with self._lock:
            return [json_copy(r) for r in self._rows.values()]

    def where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        with self._lock:
            return [json_copy(r) for r in self._rows.values() if predicate(r)]

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        with self._lock:
            for row in self._rows.values():
                if predicate(row):
                    return json_copy(row)
        return None

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            for index in self._indexes.values():
                index.clear()
            self._next = self._first_id
            self._changed(None)

    def dump(self) -> tuple[dict[Any, Record], int]:
        """The rows (shared, not copied) and the next id, for :meth:`load`."""
        with self._lock:
            return dict(self._rows), self._next

    def load(self, rows: dict[Any, Record], next_id: int) -> None:
        """Replaces every row with ``rows`` (taken over, not copied), as if cleared and inserted in
        order: indexes and watchers follow."""
        with self._lock:
            self.clear()
            for key, row in rows.items():
                self._rows[key] = row
                self._index(key, row)
                self._changed(key)
            self._next = next_id


_ATOMS = (str, int, float, bool, type(None))


def json_copy(value: _T) -> _T:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), faster than ``copy.deepcopy``;
    anything else falls back to it."""
    if isinstance(value, dict):
        return cast(_T, {k: v if type(v) in _ATOMS else json_copy(v) for k, v in value.items()})
    if isinstance(value, list):
        return cast(_T, [v if type(v) in _ATOMS else json_copy(v) for v in value])
    if type(value) in _ATOMS or isinstance(value, tuple):
        return value
    return copy.deepcopy(value)


def _same(stored: Any, value: Any) -> bool:
    """Whether a stored value and a new one are the same JSON value, at every depth (``1`` is not
    ``True`` nor ``1.0``, a tuple is not a list)."""
    if type(stored) is not type(value):
        return False
    if isinstance(value, dict):
        return stored.keys() == value.keys() and all(_same(stored[k], v) for k, v in value.items())
    if isinstance(value, list):
        return len(stored) == len(value) and all(map(_same, stored, value))
    return bool(stored == value)


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), tuple)) else repr(value)


class Store:
    def __init__(
        self,
        tables: Iterable[str],
        indexes: Mapping[str, tuple[str, ...]] | None = None,
        *,
        max_records: int | None = None,
        name: str = "",
    ) -> None:
        """``max_records`` caps every table (``None``: no cap); ``name`` (the API's) names the
        store when an insert is refused."""
        self.lock = threading.RLock()
        indexes = indexes or {}
        self._generation = Generation()
        #: Whether view caches built from this store check that a view's build reads only what the
        #: view declares (:class:`~mockserver.engine.viewcache.Reads`): for tests, which set it.
        self.check_reads = False
        #: The read logs open on the store's tables (see :meth:`noting_reads`).
        self.read_logs = ReadLogs()
        self._tables = {
            table: Table(
                table,
                self.lock,
                indexes=indexes.get(table, ()),
                generation=self._generation,
                max_records=max_records,
                store_name=name,
                read_logs=self.read_logs,
            )
            for table in tables
        }
        # ``store.<table>`` is then a plain attribute look-up (hot paths make dozens a request); a
        # table named like one of the class's methods stays shadowed by it, as it always was.
        self.__dict__.update({key: table for key, table in self._tables.items() if not hasattr(Store, key)})

    def __getattr__(self, name: str) -> Table:
        try:
            table: Table = self.__dict__["_tables"][name]
            return table
        except KeyError:
            raise AttributeError(name) from None

    @property
    def generation(self) -> int:
        """Goes up on every change of any table: nothing in the store changed while it stays the same."""
        return self._generation.count

    def __iter__(self) -> Iterator[Table]:
        return iter(self._tables.values())

    def noting_reads(self, log: ReadLog) -> contextlib.AbstractContextManager[ReadLog]:
        """Inside, every row and table this thread reads is noted in ``log`` (for the check of
        :attr:`check_reads`); outside any, the tables are plain ones again and reads cost nothing more."""
        return self.read_logs.opened(log, self._noting)

    def _noting(self, on: bool) -> None:
        for table in self._tables.values():
            table.__class__ = _NotingTable if on else Table

    def clear(self) -> None:
        with self.lock:
            for table in self._tables.values():
                table.clear()

    @contextlib.contextmanager
    def seeding(self) -> Iterator[None]:
        """Inserts inside are never refused (seeded data and fixtures are the mock's own, however
        many a volume makes); the store's lock is held throughout, so no client's insert gets in."""
        with self.lock:
            for table in self._tables.values():
                table._cap = sys.maxsize
            try:
                yield
            finally:
                for table in self._tables.values():
                    table._cap = sys.maxsize if table.max_records is None else table.max_records

    def dump(self) -> dict[str, tuple[dict[Any, Record], int]]:
        """Every table's rows and next id (shared, not copied: pickle or copy them at once)."""
        with self.lock:
            return {name: table.dump() for name, table in self._tables.items()}

    def load(self, tables: dict[str, tuple[dict[Any, Record], int]]) -> None:
        """Every table as :meth:`dump` gave it; tables not named are cleared."""
        with self.lock:
            for name, table in self._tables.items():
                rows, next_id = tables.get(name, ({}, table._first_id))
                table.load(rows, next_id)

    def counts(self) -> dict[str, int]:
        return {name: len(table) for name, table in self._tables.items()}

    def snapshot(self) -> dict[str, dict[Any, Record]]:
        """The rows of every table as they are now (the records are shared, not copied)."""
        with self.lock:
            return {name: dict(table._rows) for name, table in self._tables.items()}

    def restore_missing(self, snapshot: dict[str, dict[Any, Record]]) -> int:
        """Puts back every row of ``snapshot`` that has since been deleted; returns how many."""
        restored = 0
        with self.lock:
            for name, rows in snapshot.items():
                table = self._tables[name]
                for key, row in rows.items():
                    if key not in table:
                        table.restore(key, row)
                        restored += 1
        return restored


class _NotingTable(Table):
    """A table that notes its reads in the store's open read logs (:meth:`Store.noting_reads`): a
    read by key notes the row, any other read (a look-up, a count, a scan) the whole table."""

    def __contains__(self, key: Any) -> bool:
        self._read_logs.row(self.name, key)
        return super().__contains__(key)

    def __len__(self) -> int:
        self._read_logs.table(self.name)
        return super().__len__()

    def get(self, key: Any) -> Record | None:
        self._read_logs.row(self.name, key)
        return super().get(key)

    def peek(self, key: Any) -> Record | None:
        self._read_logs.row(self.name, key)
        return super().peek(key)

    def peek_find(self, **criteria: Any) -> list[Record]:
        self._read_logs.table(self.name)
        return super().peek_find(**criteria)

    def find(self, **criteria: Any) -> list[Record]:
        self._read_logs.table(self.name)
        return super().find(**criteria)

    def keys(self, **criteria: Any) -> list[Any]:
        self._read_logs.table(self.name)
        return super().keys(**criteria)

    def values(self, fields: tuple[str, ...], **criteria: Any) -> list[tuple[Any, ...]]:
        self._read_logs.table(self.name)
        return super().values(fields, **criteria)

    def count(self, **criteria: Any) -> int:
        self._read_logs.table(self.name)
        return super().count(**criteria)

    def find_one(self, **criteria: Any) -> Record | None:
        self._read_logs.table(self.name)
        return super().find_one(**criteria)

    def all(self) -> list[Record]:
        self._read_logs.table(self.name)
        return super().all()

    def where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        self._read_logs.table(self.name)
        return super().where(predicate)

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        self._read_logs.table(self.name)
        return super().first(predicate)

    def dump(self) -> tuple[dict[Any, Record], int]:
        self._read_logs.table(self.name)
        return super().dump()
