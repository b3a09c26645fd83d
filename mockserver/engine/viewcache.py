"""Views remembered while nothing they were built from has changed.

A read that builds a large view (the consumer portal's session, a page of HomeQ's inventory) costs
far more than serving it. A :class:`ViewCache` keeps the last views built, each under its key (the
arguments it was built for) and the *version* it was built at. What its views are built from is
declared once, when the cache is made (:class:`Reads`: tables, the row under the key, every table,
the clock's second); the cache works each version out from that declaration, from the store and the
clock themselves (:meth:`ViewCache.version`). A view is served again only while its version is
exactly the same, so a cached answer is always the answer a fresh build would give.

The declaration is checked. With the store's ``check_reads`` on (tests turn it on), a build notes
every row, table and moment it reads (:mod:`mockserver.engine.readlog`), and one that read something its
declaration leaves out fails with an :class:`AssertionError` naming it. A view got from another
cache during a build (an estate's reference on an inventory page) counts as reading what that
cache declares, whether it was built again or not.

Views are shared between the requests that read them: nothing may change a view taken from a cache
(handlers return them as they are; the web layer only serialises them). Because they never change,
a cached dict is kept as a :class:`SharedView`, which keeps its serialised form once written
(:func:`serialised`).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from mockserver.engine.readlog import ReadLog

if TYPE_CHECKING:
    from mockserver.engine.clock import Clock
    from mockserver.engine.store import Store

_V = TypeVar("_V")

#: How many views a cache keeps (the least recently used go first).
DEFAULT_SIZE = 64


@dataclasses.dataclass(frozen=True)
class Reads:
    """What the views of a cache are built from; each part is a piece of their version."""

    #: Tables read as a whole (rows by key, look-ups, counts): each table's ``version``.
    tables: tuple[str, ...] = ()
    #: The table of the view's own row, the one under its key (a tuple key: its first item): that
    #: row's ``row_version``. Any other row of the table is read through ``tables`` only.
    row: str | None = None
    #: Every table: the store's ``generation``...
    every_table: bool = False
    #: ...less the inserts into these tables (of a view that no new row of them can change).
    except_inserts: tuple[str, ...] = ()
    #: The clock's second (``Clock.now``).
    clock: bool = False

    def __post_init__(self) -> None:
        if self.every_table and (self.tables or self.row):
            raise ValueError("a view that reads every table names none")
        if self.except_inserts and not self.every_table:
            raise ValueError("except_inserts discounts inserts from every_table's count only")


class SharedView(dict[str, Any]):
    """A dict view that a cache holds, and its serialised form once :func:`serialised` wrote it."""

    __slots__ = ("encoded",)

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__(view)
        self.encoded: bytes | None = None


def serialised(value: Any, encode: Callable[[Any], bytes]) -> bytes:
    """``encode(value)``; for a view that a cache holds, worked out once."""
    if type(value) is not SharedView:
        return encode(value)
    if value.encoded is None:
        value.encoded = encode(value)
    return value.encoded


def _subject(key: Hashable) -> Hashable:
    """The key of a view's own row (:attr:`Reads.row`)."""
    return key[0] if type(key) is tuple else key


class ViewCache(Generic[_V]):
    def __init__(self, store: Store, clock: Clock, reads: Reads, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a view cache keeps at least one view")
        self.store = store
        self.clock = clock
        self.reads = reads
        self.size = size
        tables = {table.name: table for table in store}
        for name in (*reads.tables, *reads.except_inserts, *filter(None, [reads.row])):
            if name not in tables:
                raise ValueError(f"{reads!r} names {name!r}, which the store has no table of")
        self._tables = tuple(tables[name] for name in reads.tables)
        self._row = tables[reads.row] if reads.row is not None else None
        self._uncounted = tuple(tables[name] for name in reads.except_inserts)
        self._every_table = reads.every_table
        self._clock = reads.clock
        #: What a view of this cache counts as reading in an enclosing build (see :meth:`_declare`).
        self._declared = tuple(t.name for t in store) if reads.every_table else reads.tables
        self._views: OrderedDict[Hashable, tuple[Hashable, _V]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def version(self, key: Hashable) -> tuple[Any, ...]:
        """What the view under ``key`` is built from (:attr:`reads`), as it is now: how many changes
        its tables have seen, its row's version, the clock's second. Each table's count only ever
        goes up (as does the store's generation, less inserts), so their sum stays the same only
        while every one of them does."""
        if self._every_table:
            changes = self.store.generation
            for table in self._uncounted:
                changes -= table.inserts
        else:
            changes = 0
            for table in self._tables:
                changes += table.version
        row = self._row
        return (
            changes,
            None if row is None else row.row_version(key[0] if type(key) is tuple else key),
            self.clock.now() if self._clock else None,
        )

    def get(self, key: Hashable, build: Callable[[], _V], version: Hashable | None = None) -> _V:
        """The view under ``key`` if nothing it reads has changed since it was built, else
        ``build()`` (kept for next time). Call it under the store's lock, so that nothing changes
        between version and build; ``version``: what :meth:`version` gave for ``key`` under the
        lock the caller still holds (for a page of many views with one version). A key that cannot
        be hashed (a list among the arguments) is simply built every time."""
        if self.store.check_reads:
            self._declare(key)
        try:
            found = self._views.get(key)
        except TypeError:
            return self._build(key, build)
        now = version if version is not None else self.version(key)
        if found is not None and found[0] == now:
            self._views.move_to_end(key)
            self.hits += 1
            return found[1]
        self.misses += 1
        view = self._build(key, build)
        if type(view) is dict:  # (a subclass may mean more than its items)
            view = cast(_V, SharedView(cast("dict[str, Any]", view)))
        self._views[key] = (now, view)
        self._views.move_to_end(key)
        if len(self._views) > self.size:
            self._views.popitem(last=False)
        return view

    def _build(self, key: Hashable, build: Callable[[], _V]) -> _V:
        if not self.store.check_reads:
            return build()
        log = ReadLog()
        with self.store.noting_reads(log), self.clock.noting_reads(log):
            view = build()
        self._check(key, log)
        return view

    def _declare(self, key: Hashable) -> None:
        """Notes what the view under ``key`` reads in the builds this one is part of."""
        logs = self.store.read_logs
        for name in self._declared:
            logs.table(name)
        if self.reads.row is not None:
            logs.row(self.reads.row, _subject(key))
        if self.reads.clock:
            self.clock.read_logs.clock()

    def _check(self, key: Hashable, log: ReadLog) -> None:
        """Fails when the build of the view under ``key`` read what :attr:`reads` leaves out."""
        reads = self.reads
        undeclared: list[str] = []
        if not reads.every_table:
            subject = _subject(key)
            undeclared += [f"table {name!r}" for name in sorted(log.tables.difference(reads.tables))]
            undeclared += sorted(
                f"row {row!r} of {name!r}"
                for name, row in log.rows
                if name not in reads.tables and not (name == reads.row and row == subject)
            )
        if log.clock and not reads.clock:
            undeclared.append("the clock")
        if undeclared:
            raise AssertionError(
                f"the view under {key!r} read {', '.join(undeclared)}, which its cache's {reads!r} leaves out"
            )

    def clear(self) -> None:
        self._views.clear()

    def __len__(self) -> int:
        return len(self._views)
