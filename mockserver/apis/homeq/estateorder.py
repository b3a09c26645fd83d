"""Each office's estates in id order, kept exact through ``Table.watch``.

An inventory page walks the caller's estates in id order only as far as the page reaches; sorting
every estate id on every request made a page cost grow with the estates a company has (10,000
estates: 1.8 -> 3.0 ms). The lists are updated on every write of an estate (under the store's
lock, so they are never stale) and merged lazily per request.

Over a fork of a frozen store (:meth:`mockserver.engine.store.Store.fork`) the order starts as the
frozen store's own (built once, :meth:`~mockserver.engine.store.Store.derived`): an office's list is
shared until the fork first changes one of its estates, and copied then, so that making a fork
costs the number of offices, not of estates.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any, cast

from mockserver.engine.store import ForkTable, Overlay, Store


class EstateOrder:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.estates
        self._by_office: dict[Any, list[int]] = {}
        self._office_of: MutableMapping[int, Any] = {}
        #: The offices whose list is still the frozen base's (never changed in place).
        self._shared: set[Any] = set()
        self.table.watch(self._changed)
        self._start()

    def _start(self) -> None:
        """From the rows as they are: the base's order for a fork that reads through to its base and
        has not changed yet (as a state's own fork is when it builds its order, and again after a
        reset), else built from the table."""
        seeded = self.store.base
        if seeded is not None and self.table.base is not None and not cast(ForkTable, self.table).touched():
            base = seeded.derived(EstateOrder, lambda: EstateOrder(seeded))
            self._by_office = dict(base._by_office)
            self._office_of = Overlay(base._office_of)
            self._shared = set(self._by_office)
            return
        self._by_office, self._office_of, self._shared = {}, {}, set()
        for key, office in self.table.values(("id", "office")):
            self._add(key, office)

    def in_order(self, offices: Iterable[Any]) -> Iterator[int]:
        """The ids of the estates of ``offices``, ascending (read under the store's lock)."""
        return heapq.merge(*(self._by_office.get(office, ()) for office in offices))

    def _changed(self, key: int | None) -> None:
        if key is None:  # the table was cleared (or a fork went back to its base)
            self._start()
            return
        if key in self._office_of:
            office = self._office_of.pop(key)
            keys = self._own(office)
            del keys[bisect.bisect_left(keys, key)]
        row = self.table.peek(key)
        if row is not None:
            self._add(key, row.get("office"))

    def _own(self, office: Any) -> list[int]:
        """The office's list, to be changed (a copy of the base's the first time)."""
        keys = self._by_office.setdefault(office, [])
        if office in self._shared:
            keys = self._by_office[office] = list(keys)
            self._shared.discard(office)
        return keys

    def _add(self, key: int, office: Any) -> None:
        bisect.insort(self._own(office), key)
        self._office_of[key] = office
