"""What a view's build read, for the check that a view cache's declaration is complete.

A :class:`ReadLog` is opened on a store and a clock while a view is built
(:meth:`mockserver.engine.store.Store.noting_reads`, :meth:`mockserver.engine.clock.Clock.noting_reads`); every row,
table and moment read meanwhile, by the thread that opened it, is noted in it. The view cache then
compares the log with what the view declares (:class:`mockserver.engine.viewcache.Reads`). Nothing is
noted, and nothing costs anything, while no log is open: a store or clock swaps in a noting class
of itself only for as long as one is.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator


class ReadLog:
    """The reads of one thread: rows by table and key, whole tables (look-ups, counts, scans), and
    whether it asked the clock."""

    __slots__ = ("clock", "rows", "tables", "thread")

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.tables: set[str] = set()
        self.rows: set[tuple[str, Hashable]] = set()
        self.clock = False


class ReadLogs:
    """The logs open on one store or clock; a read is noted in those of the thread that made it
    (a request on another thread reads the same tables meanwhile)."""

    __slots__ = ("_lock", "_open")

    def __init__(self) -> None:
        self._open: list[ReadLog] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def opened(self, log: ReadLog, noting: Callable[[bool], None]) -> Iterator[ReadLog]:
        """``log`` is open inside; ``noting(True)`` when it is the first open log, ``noting(False)``
        when the last one closes (the owner swaps its noting class in and out)."""
        with self._lock:
            self._open.append(log)
            if len(self._open) == 1:
                noting(True)
        try:
            yield log
        finally:
            with self._lock:
                self._open.remove(log)
                if not self._open:
                    noting(False)

    def _mine(self) -> list[ReadLog]:
        thread = threading.get_ident()
        return [log for log in self._open if log.thread == thread]

    def row(self, table: str, key: Hashable) -> None:
        for log in self._mine():
            log.rows.add((table, key))

    def table(self, table: str) -> None:
        for log in self._mine():
            log.tables.add(table)

    def clock(self) -> None:
        for log in self._mine():
            log.clock = True
