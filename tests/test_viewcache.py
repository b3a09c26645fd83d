"""The view cache: a view is built again whenever its version moves, the least recently used go
first, and a held view's serialised form is worked out once."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest

from mockserver.viewcache import ViewCache, serialised
from mockserver.web.jsonifier import JSONIFIER


class Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, value: Any) -> Any:
        def build() -> Any:
            self.count += 1
            return {"value": value, "build": self.count}

        return build


def test_a_view_is_kept_while_its_version_stays_and_built_again_when_it_moves() -> None:
    cache: ViewCache[Any] = ViewCache(size=4)
    builds = Builds()
    first = cache.get("a", 1, builds("x"))
    assert cache.get("a", 1, builds("x")) is first
    second = cache.get("a", 2, builds("y"))
    assert second == {"value": "y", "build": 2}
    assert cache.get("a", 1, builds("z"))["build"] == 3  # an older version is not "the same"
    assert (cache.hits, cache.misses) == (1, 3)


def test_the_least_recently_used_view_goes_first() -> None:
    cache: ViewCache[Any] = ViewCache(size=2)
    builds = Builds()
    a = cache.get("a", 0, builds("a"))
    cache.get("b", 0, builds("b"))
    assert cache.get("a", 0, builds("a")) is a  # a is now the most recent
    cache.get("c", 0, builds("c"))  # b goes
    assert len(cache) == 2
    assert cache.get("a", 0, builds("a")) is a
    assert cache.get("b", 0, builds("b"))["build"] == 4


def test_an_unhashable_key_is_built_every_time() -> None:
    cache: ViewCache[Any] = ViewCache()
    builds = Builds()
    cache.get(("a", ["list"]), 0, builds("a"))
    cache.get(("a", ["list"]), 0, builds("a"))
    assert builds.count == 2
    assert len(cache) == 0
    with pytest.raises(ValueError, match="at least one"):
        ViewCache(size=0)


def test_a_held_view_is_serialised_once_and_other_values_every_time() -> None:
    encodes: list[Any] = []

    def encode(value: Any) -> bytes:
        encodes.append(value)
        return json.dumps(value).encode()

    cache: ViewCache[Any] = ViewCache(size=1)
    view = cache.get("a", 0, lambda: {"held": True})
    assert serialised(view, encode) == serialised(view, encode) == b'{"held": true}'
    assert len(encodes) == 1
    loose = {"held": False}
    serialised(loose, encode)
    serialised(loose, encode)
    assert len(encodes) == 3
    cache.get("b", 0, lambda: {"other": 1})  # "a" is dropped: its view is an ordinary value again
    gc.collect()
    serialised(view, encode)
    assert len(encodes) == 4


def test_the_jsonifier_serves_a_held_view_as_it_first_wrote_it() -> None:
    cache: ViewCache[Any] = ViewCache()
    view = cache.get("a", 0, lambda: {"items": [1, 2, 3], "text": "ü"})
    assert JSONIFIER.dumps_bytes(view) == '{"items":[1,2,3],"text":"ü"}\n'.encode()
    assert JSONIFIER.dumps_bytes(view) is JSONIFIER.dumps_bytes(view)
    assert JSONIFIER.dumps_bytes({"items": [1]}) == b'{"items":[1]}\n'
