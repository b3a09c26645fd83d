"""Which cases carry each customer or integration reference, so that a look-up by reference (and the
uniqueness check of a ``PUT .../{role}references``) costs what it finds, not what the store holds.

Scanning every case for a reference cost ~2 µs a case (two scans a PUT, one a look-up). Here each
role's references, by :func:`rules.reference_key` (letter case left out), map to the keys of the
cases that carry them; only those cases are read, and who may see them is decided on the stored
row at the time of the look-up, as before. A :meth:`mockserver.engine.store.Table.watch` callback on the
instructions table re-reads the changed case under the store's lock on every write, so the index
is never stale. Over a fork of a frozen store the index is the frozen store's under overlays that
take the fork's changes (see :meth:`ReferenceIndex._start`).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, cast

from mockserver.engine.store import ForkTable, Overlay, Store

from . import rules
from .lookups import INTRODUCER, SUPPLIER

Record = dict[str, Any]
ROLES = (INTRODUCER, SUPPLIER)


class ReferenceIndex:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.instructions
        #: role -> reference key -> the key of the one case that carries it or, when several
        #: do, a dict of their keys (nearly every reference has one case; a dict for each would
        #: take ~840 B of memory a case instead of ~470).
        self._keys: dict[str, MutableMapping[str, str | dict[str, None]]] = {}
        #: key -> the (role, reference key) entries of that case, to take them out again.
        self._entries: MutableMapping[str, tuple[tuple[str, str], ...]] = {}
        #: key -> the case's place in the table's insertion order (a row that comes back after a
        #: delete goes to the end, there as here): when several cases the caller can see share a
        #: reference (possible only in fixtures or generated data), the first of them answers, as
        #: the scan this replaces did.
        self._place: MutableMapping[str, int] = {}
        self._next_place = 0
        with store.lock:
            self.table.watch(self._changed)
            self._start()

    def _start(self) -> None:
        """From the rows as they are. Over a fork of a frozen store that reads through to it and has
        not changed yet (as a state's own fork is when it builds its index, and again after a
        reset), the frozen store's index (built once, ``Store.derived``) under overlays that take
        the fork's changes, so that making a fork costs nothing per case; else built from the
        table."""
        seeded = self.store.base
        if seeded is not None and self.table.base is not None and not cast(ForkTable, self.table).touched():
            base = seeded.derived(ReferenceIndex, lambda: ReferenceIndex(seeded))
            self._keys = {role: Overlay(base._keys[role]) for role in ROLES}
            self._entries = Overlay(base._entries)
            self._place = Overlay(base._place)
            self._next_place = base._next_place
            return
        self._keys = {role: {} for role in ROLES}
        self._entries, self._place, self._next_place = {}, {}, 0
        for key in self.table.keys():  # noqa: SIM118 (a Table is not iterable)
            self._changed(key)

    def _changed(self, key: Any) -> None:
        if key is None:  # the table was cleared (or a fork went back to its base)
            self._start()
            return
        for role, folded in self._entries.pop(key, ()):
            self._remove(self._keys[role], folded, key)
        row = self.table.peek(key)
        if row is None:
            self._place.pop(key, None)
            return
        if key not in self._place:
            self._place[key] = self._next_place
            self._next_place += 1
        entries = tuple(
            dict.fromkeys(
                (role, rules.reference_key(value))
                for role in ROLES
                for value in rules.references(row, role).values()
                if isinstance(value, str)
            )
        )
        for role, folded in entries:
            self._add(self._keys[role], folded, key)
        if entries:
            self._entries[key] = entries

    # Over a fork a held dict may be the frozen base's: a new one replaces it there, never changed
    # in place (elsewhere it is, so that many cases sharing a reference cost no copying).
    @staticmethod
    def _add(references: MutableMapping[str, str | dict[str, None]], folded: str, key: str) -> None:
        held = references.get(folded)
        if held is None:
            references[folded] = key
        elif isinstance(held, str):
            references[folded] = {held: None, key: None}
        elif isinstance(references, Overlay):
            references[folded] = {**held, key: None}
        else:
            held[key] = None

    @staticmethod
    def _remove(references: MutableMapping[str, str | dict[str, None]], folded: str, key: str) -> None:
        held = references[folded]
        if isinstance(held, str):
            del references[folded]
            return
        if isinstance(references, Overlay):
            held = references[folded] = {other: None for other in held if other != key}
        else:
            del held[key]
        if len(held) == 1:
            references[folded] = next(iter(held))

    def find(
        self, role: str, value: str, visible: Callable[[Record], bool], other_than: str | None = None
    ) -> Record | None:
        """The stored row (not a copy: read it under the store's lock) of the first case but
        ``other_than`` that has ``value`` as one of its ``role`` references and is ``visible``."""
        held = self._keys[role].get(rules.reference_key(value))
        if held is None:
            return None
        found = [
            (key, row)
            for key in ((held,) if isinstance(held, str) else held)
            if key != other_than and (row := self.table.peek(key)) is not None and visible(row)
        ]
        if not found:
            return None
        if len(found) > 1:
            return min(found, key=lambda pair: self._place[pair[0]])[1]
        return found[0][1]
