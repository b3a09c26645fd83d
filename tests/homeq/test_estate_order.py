"""Each office's estates in id order (``EstateOrder``) stay exact through every kind of write."""

from __future__ import annotations

import random

from mockserver.apis.homeq.estateorder import EstateOrder
from mockserver.engine.store import Store

OFFICES = (1, 2, 3, None)


def scan(store: Store, offices: tuple[int | None, ...]) -> list[int]:
    return sorted(key for office in offices for key in store.estates.keys(office=office))


def test_the_order_matches_a_sorted_scan_after_random_writes() -> None:
    rng = random.Random(11)
    store = Store(("estates",), {"estates": ("office",)})
    for key in rng.sample(range(1, 400), 60):  # fixtures with their own, unordered ids
        store.estates.insert({"id": key, "office": rng.choice(OFFICES)})
    order = EstateOrder(store)  # built over a full table, then kept by the watcher
    deleted: dict[int, dict[str, object]] = {}
    for step in range(600):
        keys = store.estates.keys()
        action = rng.random()
        if action < 0.35 or not keys:
            store.estates.insert({"office": rng.choice(OFFICES)})
        elif action < 0.6:
            store.estates.update(rng.choice(keys), {"office": rng.choice(OFFICES)})
        elif action < 0.75:
            store.estates.update(rng.choice(keys), {"name": f"renamed {step}"})  # the office stays
        elif action < 0.88:
            key = rng.choice(keys)
            deleted[key] = store.estates.delete(key) or {}
        elif action < 0.98 and deleted:
            key = rng.choice(sorted(deleted))
            store.estates.restore(key, deleted.pop(key))
        else:
            store.estates.clear()
            deleted.clear()
        for offices in ((1,), (2, 3), (1, 2, 3), (None,), ()):
            assert list(order.in_order(offices)) == scan(store, offices), (step, offices)


def test_an_order_made_before_the_data_follows_every_insert() -> None:
    store = Store(("estates",), {"estates": ("office",)})
    order = EstateOrder(store)
    for office in (2, 1, 2, 3, 1):
        store.estates.insert({"office": office})
    assert list(order.in_order((1, 2))) == [1, 2, 3, 5]
    assert list(order.in_order((3,))) == [4]
