"""The view cache: a view is built again whenever what it declares it reads changes, the least
recently used go first, and a held view's serialised form is worked out once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.engine.clock import Clock
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache, serialised
from mockserver.web.jsonifier import JSONIFIER

#: A view of a table ``things``.
THINGS = Reads(tables=("things",))


def cache_of(reads: Reads = THINGS, size: int = 4) -> ViewCache[Any]:
    return ViewCache(Store(("things", "others")), Clock(), reads, size=size)


class Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, value: Any) -> Any:
        def build() -> Any:
            self.count += 1
            return {"value": value, "build": self.count}

        return build


def test_a_view_is_kept_while_what_it_reads_stays_and_built_again_when_it_changes() -> None:
    cache = cache_of()
    things = cache.store.things
    builds = Builds()
    first = cache.get("a", builds("x"))
    assert cache.get("a", builds("x")) is first
    cache.store.others.insert({"id": 1})  # not read
    assert cache.get("a", builds("x")) is first
    things.insert({"id": 1})
    second = cache.get("a", builds("y"))
    assert second == {"value": "y", "build": 2}
    assert not things.change(1, {"id": 1})  # a change that changes nothing
    assert cache.get("a", builds("z")) is second
    assert (cache.hits, cache.misses) == (3, 2)


def test_a_version_is_made_of_what_the_declaration_names() -> None:
    store, clock = Store(("things", "others")), Clock()
    row: ViewCache[Any] = ViewCache(store, clock, Reads(row="things", tables=("others",)))
    every: ViewCache[Any] = ViewCache(store, clock, Reads(every_table=True, except_inserts=("things",), clock=True))
    before = row.version((1, "a")), row.version(2), every.version(None)
    store.things.insert({"id": 2})  # a new row of ``things``: not row 1, not counted by ``every``
    assert (row.version((1, "a")), every.version(None)) == (before[0], before[2])
    assert row.version(2) != before[1]
    store.things.change(2, {"name": "b"})
    assert every.version(None) != before[2]
    assert every.version(None)[-1] == clock.now()
    with pytest.raises(ValueError, match="no table"):
        ViewCache(store, clock, Reads(tables=("nothing",)))
    with pytest.raises(ValueError, match="names none"):
        Reads(every_table=True, tables=("things",))


def test_the_least_recently_used_view_goes_first() -> None:
    cache = cache_of(size=2)
    builds = Builds()
    a = cache.get("a", builds("a"))
    cache.get("b", builds("b"))
    assert cache.get("a", builds("a")) is a  # a is now the most recent
    cache.get("c", builds("c"))  # b goes
    assert len(cache) == 2
    assert cache.get("a", builds("a")) is a
    assert cache.get("b", builds("b"))["build"] == 4


def test_an_unhashable_key_is_built_every_time() -> None:
    cache = cache_of()
    builds = Builds()
    cache.get(("a", ["list"]), builds("a"))
    cache.get(("a", ["list"]), builds("a"))
    assert builds.count == 2
    assert len(cache) == 0
    with pytest.raises(ValueError, match="at least one"):
        cache_of(size=0)


def test_a_held_view_is_serialised_once_and_other_values_every_time() -> None:
    encodes: list[Any] = []

    def encode(value: Any) -> bytes:
        encodes.append(value)
        return json.dumps(value).encode()

    cache = cache_of(size=1)
    view = cache.get("a", lambda: {"held": True})
    assert serialised(view, encode) == serialised(view, encode) == b'{"held": true}'
    assert len(encodes) == 1
    loose = {"held": False}
    serialised(loose, encode)
    serialised(loose, encode)
    assert len(encodes) == 3
    assert cache.get("b", lambda: ["not", "a", "dict"]) == ["not", "a", "dict"]  # kept as it is


def test_the_jsonifier_serves_a_held_view_as_it_first_wrote_it() -> None:
    cache = cache_of()
    view = cache.get("a", lambda: {"items": [1, 2, 3], "text": "ü"})
    assert JSONIFIER.dumps_bytes(view) == '{"items":[1,2,3],"text":"ü"}\n'.encode()
    assert JSONIFIER.dumps_bytes(view) is JSONIFIER.dumps_bytes(view)
    assert JSONIFIER.dumps_bytes({"items": [1]}) == b'{"items":[1]}\n'
