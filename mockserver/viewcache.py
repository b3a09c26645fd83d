"""Views remembered while nothing they were built from has changed.

A read that builds a large view (the consumer portal's session, a page of HomeQ's inventory) costs
far more than serving it. A :class:`ViewCache` keeps the last views built, each under its
arguments and the *version* it was built at: the store's generation (which goes up on every change
of any row, see :attr:`mockserver.store.Store.generation`) plus whatever else the view shows
(``Clock.stamp()`` for a view that shows the time). A view is served again only while its version
is exactly the same, so a cached answer is always the answer a fresh build would give.

Views are shared between the requests that read them: nothing may change a view taken from a cache
(handlers return them as they are; the web layer only serialises them). Because they never change,
their serialised form is remembered too, while a cache holds them (:func:`serialised`).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

_V = TypeVar("_V")

#: How many views a cache keeps (the least recently used go first).
DEFAULT_SIZE = 64


class _Entry:
    """A view a cache holds, the version it was built at, and its serialised form once asked for."""

    __slots__ = ("__weakref__", "encoded", "version", "view")

    def __init__(self, version: Hashable, view: Any) -> None:
        self.version = version
        self.view = view
        self.encoded: bytes | None = None


#: The entries of every cache, by their view's ``id`` (an entry keeps its view alive, so the ``id``
#: is not reused while it is here; a dropped entry leaves by itself).
_HELD: weakref.WeakValueDictionary[int, _Entry] = weakref.WeakValueDictionary()


def serialised(value: Any, encode: Callable[[Any], bytes]) -> bytes:
    """``encode(value)``; for a view that a cache holds, worked out once."""
    entry = _HELD.get(id(value))
    if entry is None or entry.view is not value:
        return encode(value)
    if entry.encoded is None:
        entry.encoded = encode(value)
    return entry.encoded


class ViewCache(Generic[_V]):
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a view cache keeps at least one view")
        self.size = size
        self._views: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: Hashable, build: Callable[[], _V]) -> _V:
        """The view under ``key`` if it was built at ``version``, else ``build()`` (kept for next
        time). Call it under the store's lock, so that nothing changes between version and build.
        A key that cannot be hashed (a list among the arguments) is simply built every time."""
        try:
            found = self._views.get(key)
        except TypeError:
            return build()
        if found is not None and found.version == version:
            self._views.move_to_end(key)
            self.hits += 1
            view: _V = found.view
            return view
        self.misses += 1
        view = build()
        entry = self._views[key] = _Entry(version, view)
        self._views.move_to_end(key)
        _HELD[id(view)] = entry
        if len(self._views) > self.size:
            self._views.popitem(last=False)
        return view

    def clear(self) -> None:
        self._views.clear()

    def __len__(self) -> int:
        return len(self._views)
