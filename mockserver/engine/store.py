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

A frozen store (:meth:`Store.freeze`: its seeded data) is the base of any number of cheap forks
(:meth:`Store.fork`): a fork's tables (:class:`ForkTable`) read through to the frozen rows and
indexes and keep only what the fork changed (its own rows, tombstones for deleted keys, its own
index entries), so making one and writing to it cost what the writes touch, not what the base
holds, and :meth:`Store.revert` takes a fork back to its base at the cost of its changes.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Generic, TypeVar, cast

from mockserver.engine.problems import StoreFull
from mockserver.engine.readlog import ReadLog, ReadLogs

Record = dict[str, Any]
_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenStore(RuntimeError):
    """A write to a frozen store (the base of forks, which must never change)."""


class Generation:
    """How many changes the tables of one store have seen, all together."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Table:
    """Rows by key, plus optional indexes (field value -> keys) so that ``find`` costs what it
    returns, not what the table holds."""

    #: The frozen table a fork reads through to (:class:`ForkTable`); ``None`` for a plain table and
    #: for a fork that no longer reads through (cleared or loaded since).
    base: Table | None = None

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
            f"{where} table already holds {len(self)} records, the most one table keeps "
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

    def stored(self, key: Any) -> Record | None:
        """The stored row itself (not a copy; a fork lends nothing), or ``None``: for a reader that
        reads it at once under the store's lock (``engine.persistence`` writes it out)."""
        return self._rows.get(key)

    @property
    def upcoming_id(self) -> int:
        """The id :meth:`next_id` gives next."""
        return self._next

    def set_upcoming_id(self, value: int) -> None:
        """Makes :meth:`next_id` continue from ``value`` (a table restored from disk)."""
        with self._lock:
            self._next = value

    def indexed(self, field: str) -> bool:
        """Whether the table keeps an index of ``field`` (look-ups by it cost what they return)."""
        return field in self._indexes

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
        :meth:`peek`) is never changed in place. A field whose new value is :data:`REMOVED` is
        taken out of the row."""
        with self._lock:
            row = self._rows[key]
            if _unchanged(row, changes):
                return False
            self._apply(key, row, changes)
            return True

    def _apply(self, key: Any, row: Record, changes: Record) -> None:
        """Writes ``changes`` into the stored ``row`` and moves it between index buckets."""
        # Only fields whose value changes move buckets: the others keep the row where it was,
        # so that indexed look-ups stay in insertion order.
        moved = [f for f in self._indexes if f in changes and _hashable(_new(changes[f])) != _hashable(row.get(f))]
        for field in moved:
            self._unindex_field(field, key, row)
        row.update(json_copy({name: value for name, value in changes.items() if value is not REMOVED}))
        for name in [name for name, value in changes.items() if value is REMOVED]:
            row.pop(name, None)
        for field in moved:
            self._indexes[field].setdefault(_hashable(row.get(field)), {})[key] = None
        self._changed(key)

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

    def peek_where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        """The stored rows ``predicate`` takes themselves, not copies, in insertion order: for
        views that only read them (see :meth:`peek`)."""
        with self._lock:
            return [r for r in self._rows.values() if predicate(r)]

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


class _Removed:
    """The value of a field a change takes out of a row (:data:`REMOVED`)."""

    def __repr__(self) -> str:
        return "REMOVED"


#: Given as a field's new value to :meth:`Table.change`, takes the field out of the row.
REMOVED: Any = _Removed()


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


def _unchanged(row: Record, changes: Record) -> bool:
    """Whether writing ``changes`` into ``row`` would change nothing."""
    return all(
        name not in row if value is REMOVED else name in row and _same(row[name], value)
        for name, value in changes.items()
    )


def _new(value: Any) -> Any:
    """A field's value once a change is written (``None``: :data:`REMOVED`, it is gone)."""
    return None if value is REMOVED else value


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
        self._name = name
        self._max_records = max_records
        #: The frozen store this one is a fork of (:meth:`fork`), ``None`` for any other.
        self._base: Store | None = None
        self._frozen = False
        #: Structures derived from a frozen store's rows, built once for all its forks (:meth:`derived`).
        self._derived: dict[Hashable, Any] = {}
        self._set_tables(
            {
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
        )

    def _set_tables(self, tables: dict[str, Table]) -> None:
        self._tables = tables
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

    # -- forks ------------------------------------------------------------------------------------
    @property
    def frozen(self) -> bool:
        """Whether the store takes no more writes (:meth:`freeze`)."""
        return self._frozen

    @property
    def base(self) -> Store | None:
        """The frozen store this one is a fork of (``None``: not a fork)."""
        return self._base

    def freeze(self) -> Store:
        """Refuses every write from now on (:class:`FrozenStore`), so that forks can read through to
        the rows as they are; answers the store."""
        with self.lock:
            for table in self._tables.values():
                if type(table) is not Table:
                    raise ValueError(
                        f"only a plain store is frozen, not one whose {table.name!r} is a {type(table).__name__}"
                    )
            for table in self._tables.values():
                table.__class__ = _FrozenTable
            self._frozen = True
        return self

    def fork(self) -> Store:
        """A new store that starts with this frozen store's rows, indexes, next ids and versions and
        keeps its own changes: nothing written to it reaches this store or any other fork. Making
        it costs the number of tables, not of rows; so does its first write."""
        if not self._frozen:
            raise ValueError("only a frozen store is forked (Store.freeze): a fork reads its rows as they are")
        fork = Store((), max_records=self._max_records, name=self._name)
        fork._base = self
        fork._generation.count = self._generation.count
        fork._set_tables(
            {
                name: ForkTable(table, fork.lock, generation=fork._generation, read_logs=fork.read_logs)
                for name, table in self._tables.items()
            }
        )
        return fork

    def revert(self) -> None:
        """Back to the frozen base's rows (a fork only), at the cost of what the fork changed; the
        tables' versions move on (never back), and their watchers hear ``None`` (see
        :meth:`Table.watch`)."""
        if self._base is None:
            raise ValueError("only a fork is reverted (a plain store is cleared and loaded)")
        with self.lock:
            for table in self._tables.values():
                cast(ForkTable, table).revert()

    def derived(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """``build()``, made once for this frozen store and kept: a structure derived from its rows
        (a search index, say) that its forks share, since the rows never change."""
        if not self._frozen:
            raise ValueError("only a frozen store keeps derived structures: another one's rows change")
        with self.lock:
            if key not in self._derived:
                self._derived[key] = build()
            return cast(_T, self._derived[key])

    # -- reads noted, seeding, dumps ----------------------------------------------------------------
    def noting_reads(self, log: ReadLog) -> contextlib.AbstractContextManager[ReadLog]:
        """Inside, every row and table this thread reads is noted in ``log`` (for the check of
        :attr:`check_reads`); outside any, the tables are plain ones again and reads cost nothing more."""
        return self.read_logs.opened(log, self._noting)

    def _noting(self, on: bool) -> None:
        swap = _NOTING if on else _QUIET
        for table in self._tables.values():
            table.__class__ = swap.get(type(table), type(table))

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
            return {name: table.dump()[0] for name, table in self._tables.items()}

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

    def drop_added(self, snapshot: dict[str, dict[Any, Record]]) -> int:
        """Deletes every row that is not in ``snapshot`` (inserted since it was taken); returns how many."""
        dropped = 0
        with self.lock:
            for name, table in self._tables.items():
                before = snapshot.get(name, {})
                rows, _ = table.dump()
                for key in [key for key in rows if key not in before]:
                    table.delete(key)
                    dropped += 1
        return dropped


#: What a fork's own rows hold for a row of its base that it deleted.
_GONE: Any = None
_ABSENT: Any = object()


class ForkTable(Table):
    """A table that reads through to a frozen one and keeps only its own changes, answering every
    method exactly as a plain table holding the same rows would (``tests/test_store_fork.py``).

    Own rows (``_own``) are the fork's changes: rows it inserted or restored, rows of the base it
    changed, and ``None`` for a row of the base it deleted. Lent rows (``_lent``) are copies of
    unchanged base rows that :meth:`peek` or :meth:`peek_find` handed out (copied on that first
    read, so that, as in a plain table, the row handed out is the one later changes change in place:
    a change moves the lent copy into the own rows). A key is in one of the two at most. Row order
    is the base's, less deleted rows, then the rows the fork added (``_added``). An index bucket is
    the base's bucket less the base rows that left it (``_left``: deleted, or moved to another
    value), then the keys that joined it in the fork (the own ``_indexes``), which is the order a
    plain table keeps.

    While a fork has no own rows, its rows, order and indexes are its base's as they are (a lent
    row reads as its base row): reads then go to the base's structures alone, as a plain table's
    go to its own, which is what a session that only reads costs."""

    def __init__(
        self,
        base: Table,
        lock: threading.RLock,
        generation: Generation,
        read_logs: ReadLogs,
    ) -> None:
        super().__init__(
            base.name,
            lock,
            first_id=base._first_id,
            indexes=base._indexes,
            generation=generation,
            max_records=base.max_records,
            store_name=base._store_name,
            read_logs=read_logs,
        )
        #: The frozen table this one forks, kept while it reads through to another (see :meth:`revert`).
        self._origin = base
        self.version = base.version
        self.inserts = base.inserts
        self._own: dict[Any, Record | None] = {}
        self._lent: dict[Any, Record] = {}
        self._added: dict[Any, None] = {}
        self._attach(base)

    def _attach(self, base: Table | None) -> None:
        """Reads through to ``base`` (``None``: to nothing) with no changes of its own."""
        self.base = base
        self._base_rows: dict[Any, Record] = base._rows if base is not None else {}
        self._base_indexes: dict[str, dict[Any, dict[Any, None]]] = (
            base._indexes if base is not None else {field: {} for field in self._indexes}
        )
        self._base_row_versions: dict[Any, int] = base._row_versions if base is not None else {}
        self._own.clear()
        self._lent.clear()
        self._added.clear()
        self._count = len(self._base_rows)
        self._next = base._next if base is not None else self._first_id
        for index in self._indexes.values():
            index.clear()
        #: Per indexed field: the base rows no longer in their base bucket, and how many per bucket.
        self._left: dict[str, set[Any]] = {field: set() for field in self._indexes}
        self._left_count: dict[str, dict[Any, int]] = {field: {} for field in self._indexes}

    def revert(self) -> None:
        """Back to the base's rows, dropping every change (:meth:`Store.revert`)."""
        with self._lock:
            self._attach(self._origin)
            self._changed(None)

    def touched(self) -> list[Any]:
        """The keys of the fork's own rows (changed, added or deleted): every key whose row may
        differ from its base's (with no base: every key). Rows only handed out are not among them."""
        with self._lock:
            return list(self._own)

    # -- reading rows -------------------------------------------------------------------------------
    def _row(self, key: Any) -> Record | None:
        """The row under ``key``, own or the base's (never handed out: see :meth:`_lend`); a lent
        row reads as its base row."""
        row = self._own.get(key, _ABSENT)
        return self._base_rows.get(key) if row is _ABSENT else row

    def _lend(self, key: Any) -> Record | None:
        """The row under ``key`` to hand out, when it is not lent yet: an own row, or a copy of the
        base's, lent from now on."""
        row: Record | None = self._own.get(key, _ABSENT)
        if row is not _ABSENT:
            return row
        base = self._base_rows.get(key)
        if base is None:
            return None
        lent = self._lent[key] = json_copy(base)
        return lent

    def _mine(self, key: Any) -> Record:
        """The row under ``key`` (there is one) as an own row, to be changed in place: the lent
        copy, if it was handed out, so that what was handed out sees the change."""
        row: Any = self._own.get(key, _ABSENT)
        if row is _ABSENT:
            row = self._lent.pop(key, None)
            if row is None:
                row = json_copy(self._base_rows[key])
            self._own[key] = row
        mine: Record = row
        return mine

    def _items(self) -> Iterator[tuple[Any, Record]]:
        """Every (key, row), in the order of a plain table."""
        own: dict[Any, Any] = self._own
        added = self._added
        if not own:
            yield from self._base_rows.items()
            return
        for key, row in self._base_rows.items():
            mine = own.get(key, _ABSENT)
            if mine is _ABSENT:
                yield key, row
            elif mine is not None and key not in added:
                yield key, mine
        for key in added:
            yield key, own[key]

    def _bucket(self, field: str, value: Any) -> list[Any]:
        """The keys of the bucket ``value`` of the index of ``field``, in a plain table's order."""
        base = self._base_indexes[field].get(value)
        own = self._indexes[field].get(value)
        if not base:
            return list(own) if own else []
        if self._left_count[field].get(value):
            left = self._left[field]
            keys = [k for k in base if k not in left]
        else:
            keys = list(base)
        if own:
            keys.extend(own)
        return keys

    def _unindex_field(self, field: str, key: Any, row: Record) -> None:
        if key in self._base_rows and key not in self._left[field]:  # still in its base bucket
            self._left[field].add(key)
            value = _hashable(self._base_rows[key].get(field))
            counts = self._left_count[field]
            counts[value] = counts.get(value, 0) + 1
        else:
            super()._unindex_field(field, key, row)

    def _changed(self, key: Any, gone: bool = False) -> None:
        """As :meth:`Table._changed`, but a base row that goes keeps ``-1`` as its own version, so
        that its base's never shows through (:meth:`row_version`)."""
        self.version += 1
        self._generation.count += 1
        if key is None:
            self._row_versions.clear()
        elif not gone:
            self._row_versions[key] = self.version
        elif key in self._base_rows:
            self._row_versions[key] = -1
        else:
            self._row_versions.pop(key, None)
        for callback in self._watchers:
            callback(key)

    def row_version(self, key: Any) -> int:
        version = self._row_versions.get(key)
        return self._base_row_versions.get(key, -1) if version is None else version

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: Any) -> bool:
        row = self._own.get(key, _ABSENT)
        return key in self._base_rows if row is _ABSENT else row is not None

    def get(self, key: Any) -> Record | None:
        row = self._own.get(key, _ABSENT)
        if row is _ABSENT:
            row = self._base_rows.get(key)
        return json_copy(row) if row is not None else None

    def peek(self, key: Any) -> Record | None:
        row = self._lent.get(key)
        return row if row is not None else self._lend(key)

    def stored(self, key: Any) -> Record | None:
        return self._row(key)

    def peek_find(self, **criteria: Any) -> list[Record]:
        with self._lock:
            keys = self.keys(**criteria)
            rows: list[Any] = list(map(self._lent.get, keys))
            if None in rows:  # not lent yet, or own rows
                lend = self._lend
                rows = [row if row is not None else lend(key) for key, row in zip(keys, rows, strict=True)]
            return rows

    def find(self, **criteria: Any) -> list[Record]:
        with self._lock:
            keys = self.keys(**criteria)
            own: dict[Any, Any] = self._own
            base = self._base_rows
            return [json_copy(own[k] if k in own else base[k]) for k in keys]

    def keys(self, **criteria: Any) -> list[Any]:
        with self._lock:
            if len(criteria) == 1:  # the common case: one field, usually indexed
                ((field, value),) = criteria.items()
                if field in self._indexes:
                    if not self._own:  # the base's bucket as it is
                        return list(self._base_indexes[field].get(_hashable(value), ()))
                    return self._bucket(field, _hashable(value))
            own: dict[Any, Any] = self._own
            base = self._base_rows
            indexed = [field for field in criteria if field in self._indexes]
            rows: Iterable[tuple[Any, Record]]
            if not own:  # the base's rows and indexes, as a plain table reads its own
                candidates: Iterable[Any]
                if indexed:
                    candidates = list(self._base_indexes[indexed[0]].get(_hashable(criteria[indexed[0]]), {}))
                else:
                    candidates = base.keys()
                return [k for k in candidates if all(base[k].get(f) == v for f, v in criteria.items())]
            if indexed:
                bucket = self._bucket(indexed[0], _hashable(criteria[indexed[0]]))
                rows = [(k, own[k] if k in own else base[k]) for k in bucket]
            else:
                rows = self._items()
            return [k for k, row in rows if all(row.get(f) == v for f, v in criteria.items())]

    def values(self, fields: tuple[str, ...], **criteria: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            keys = self.keys(**criteria)
            own: dict[Any, Any] = self._own
            base = self._base_rows
            if not own:
                return [tuple(base[k].get(f) for f in fields) for k in keys]
            rows: list[Record] = [own[k] if k in own else base[k] for k in keys]
            return [tuple(row.get(f) for f in fields) for row in rows]

    def count(self, **criteria: Any) -> int:
        with self._lock:
            if len(criteria) == 1:
                ((field, value),) = criteria.items()
                if field in self._indexes:
                    value = _hashable(value)
                    base = len(self._base_indexes[field].get(value, ()))
                    if not self._own:
                        return base
                    left = self._left_count[field].get(value, 0)
                    return base - left + len(self._indexes[field].get(value, ()))
            return len(self.keys(**criteria))

    def find_one(self, **criteria: Any) -> Record | None:
        with self._lock:
            keys = self.keys(**criteria)
            return json_copy(cast(Record, self._row(keys[0]))) if keys else None

    def all(self) -> list[Record]:
        with self._lock:
            return [json_copy(row) for _, row in self._items()]

    def where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        with self._lock:
            return [json_copy(row) for _, row in self._items() if predicate(row)]

    def peek_where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        with self._lock:
            return [row for _, row in self._items() if predicate(row)]

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        with self._lock:
            for _, row in self._items():
                if predicate(row):
                    return json_copy(row)
        return None

    def dump(self) -> tuple[dict[Any, Record], int]:
        with self._lock:
            return dict(self._items()), self._next

    # -- writing rows -------------------------------------------------------------------------------
    def ensure_room(self, count: int = 1) -> None:
        if self._count + count > self._cap:
            raise self._full()

    def _put(self, key: Any, row: Record) -> None:
        """Adds ``row`` under a key that holds none, at the end of the table's order."""
        self._own[key] = row
        self._added[key] = None
        self._count += 1
        self._index(key, row)

    def insert(self, record: Record, key_field: str = "id") -> Record:
        with self._lock:
            if self._count >= self._cap:
                raise self._full()
            if record.get(key_field) is None:
                record[key_field] = self.next_id()
            key = record[key_field]
            if self._row(key) is not None:
                raise KeyError(f"{self.name}: duplicate key {key!r}")
            if isinstance(key, int) and key >= self._next:
                self._next = key + 1
            self._put(key, json_copy(record))
            self.inserts += 1
            self._changed(key)
            return json_copy(record)

    def update(self, key: Any, changes: Record) -> Record:
        with self._lock:
            self.change(key, changes)
            row: Any = self._row(key)
            return json_copy(row)

    def change(self, key: Any, changes: Record) -> bool:
        with self._lock:
            row = self._row(key)
            if row is None:
                raise KeyError(key)
            if _unchanged(row, changes):
                return False
            self._apply(key, self._mine(key), changes)
            return True

    def delete(self, key: Any) -> Record | None:
        with self._lock:
            row = self._own.get(key, _ABSENT)
            if row is _ABSENT:
                # The row handed out, if it was (as a plain table answers the row it holds), else a
                # copy: what a caller does with it must not reach the base.
                row = self._lent.pop(key, None)
                if row is None:
                    row = self._base_rows.get(key)
                    if row is None:
                        return None
                    row = json_copy(row)
            elif row is None:
                return None
            if key in self._base_rows:
                self._own[key] = _GONE
            else:
                del self._own[key]
            self._added.pop(key, None)
            self._count -= 1
            self._unindex(key, row)
            self._changed(key, gone=True)
            return cast(Record, row)

    def restore(self, key: Any, row: Record) -> None:
        """As :meth:`Table.restore`, but the fork keeps a copy (the row may be its base's)."""
        with self._lock:
            if self._row(key) is None:
                self._put(key, json_copy(row))
                self._changed(key)

    def clear(self) -> None:
        """Every row goes, the base's too: the fork no longer reads through (until :meth:`revert`)."""
        with self._lock:
            self._attach(None)
            self._changed(None)

    def load(self, rows: dict[Any, Record], next_id: int) -> None:
        """As :meth:`Table.load`, with copies of ``rows`` (they may be its base's)."""
        with self._lock:
            self.clear()
            for key, row in rows.items():
                self._put(key, json_copy(row))
                self._changed(key)
            self._next = next_id


class _FrozenTable(Table):
    """A table of a frozen store: reads as a plain one, refuses every write."""

    def _refused(self) -> FrozenStore:
        return FrozenStore(f"the {self.name} table is frozen: it is the base of forks and never changes")

    def next_id(self) -> int:
        raise self._refused()

    def insert(self, record: Record, key_field: str = "id") -> Record:
        raise self._refused()

    def update(self, key: Any, changes: Record) -> Record:
        raise self._refused()

    def change(self, key: Any, changes: Record) -> bool:
        raise self._refused()

    def delete(self, key: Any) -> Record | None:
        raise self._refused()

    def restore(self, key: Any, row: Record) -> None:
        raise self._refused()

    def clear(self) -> None:
        raise self._refused()

    def load(self, rows: dict[Any, Record], next_id: int) -> None:
        raise self._refused()


class Overlay(MutableMapping[_K, _V], Generic[_K, _V]):
    """A dict that reads through to a frozen one: own entries first, tombstones for keys removed
    (for structures derived from a fork's rows that share its base's: see HomeQ's estate order).
    :meth:`clear` leaves it empty, the base no longer read."""

    __slots__ = ("_base", "_own")

    def __init__(self, base: Mapping[_K, _V]) -> None:
        self._base: Mapping[_K, _V] = base
        self._own: dict[_K, Any] = {}

    def get(self, key: _K, default: Any = None) -> Any:
        value = self._own.get(key, _ABSENT)
        if value is _ABSENT:
            return self._base.get(key, default)
        return default if value is _OVERLAY_GONE else value

    def __getitem__(self, key: _K) -> _V:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return cast(_V, value)

    def __contains__(self, key: object) -> bool:
        return self.get(cast(_K, key), _ABSENT) is not _ABSENT

    def __setitem__(self, key: _K, value: _V) -> None:
        self._own[key] = value

    def __delitem__(self, key: _K) -> None:
        if key not in self:
            raise KeyError(key)
        if key in self._base:
            self._own[key] = _OVERLAY_GONE
        else:
            del self._own[key]

    def pop(self, key: _K, default: Any = _ABSENT) -> Any:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            if default is _ABSENT:
                raise KeyError(key)
            return default
        del self[key]
        return value

    def __iter__(self) -> Iterator[_K]:
        own = self._own
        for key in self._base:
            if key not in own:
                yield key
        for key, value in own.items():
            if value is not _OVERLAY_GONE:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        self._base = {}
        self._own.clear()


_OVERLAY_GONE: Any = object()


class _Noting(Table):
    """Notes a table's reads in the store's open read logs (:meth:`Store.noting_reads`): a read by
    key notes the row, any other read (a look-up, a count, a scan) the whole table."""

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

    def peek_where(self, predicate: Callable[[Record], bool]) -> list[Record]:
        self._read_logs.table(self.name)
        return super().peek_where(predicate)

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        self._read_logs.table(self.name)
        return super().first(predicate)

    def dump(self) -> tuple[dict[Any, Record], int]:
        self._read_logs.table(self.name)
        return super().dump()


class _NotingTable(_Noting, Table):
    """A plain table while a read log is open."""


class _NotingForkTable(_Noting, ForkTable):
    """A fork's table while a read log is open."""


#: The class a table takes while a read log is open on its store, and back.
_NOTING: dict[type[Table], type[Table]] = {Table: _NotingTable, ForkTable: _NotingForkTable}
_QUIET: dict[type[Table], type[Table]] = {noting: quiet for quiet, noting in _NOTING.items()}
