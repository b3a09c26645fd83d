"""A fork of a frozen store answers exactly as a plain store holding the same rows, and keeps its
writes to itself: its base and its sibling forks never see them."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any, cast

import pytest

from mockserver.engine.clock import Clock
from mockserver.engine.problems import StoreFull
from mockserver.engine.readlog import ReadLog
from mockserver.engine.store import ForkTable, FrozenStore, Overlay, Store, Table
from mockserver.engine.viewcache import Reads, ViewCache

INDEXES = {"rows": ("group", "state")}
#: Values of the indexed fields: equal ones of other types (1, True, 1.0 share a bucket) and
#: unhashable ones (indexed by their repr).
GROUPS: list[Any] = [0, 1, 2, True, 1.0, "2", None, [1], {"g": 1}]
STATES = ["a", "b", "c", None]
SEEDS = range(12)
STEPS = 160


def initial_rows(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"group": rng.choice(GROUPS), "state": rng.choice(STATES), "n": n, "tags": [n % 3]}
        for n in range(rng.randint(0, 25))
    ]


def plain_store(rows: list[dict[str, Any]], max_records: int | None = None) -> Store:
    store = Store(["rows", "others"], INDEXES, max_records=max_records, name="demo")
    with store.seeding():
        for row in rows:
            store.rows.insert(copy.deepcopy(row))
        store.rows.delete(2)  # a gap in the ids, and a row version forgotten
        store.others.insert({"x": 1})
    return store


def pair(rows: list[dict[str, Any]], max_records: int | None = None) -> tuple[Store, Store, Store]:
    """(a plain store, a frozen one holding the same rows, a fork of the frozen one)."""
    base = plain_store(rows, max_records).freeze()
    return plain_store(rows, max_records), base, base.fork()


def reads(table: Table, keys: list[Any]) -> dict[str, Any]:
    """Everything a table answers without changing, for ``keys`` and every criterion."""
    found: dict[str, Any] = {
        "len": len(table),
        "all": table.all(),
        "keys": table.keys(),
        "dump": table.dump(),
        "where": table.where(lambda r: r.get("n", 0) % 2 == 0),
        "first": table.first(lambda r: r.get("state") == "b"),
        "values": table.values(("id", "group", "tags")),
    }
    for key in keys:
        found[f"in {key}"] = key in table
        found[f"get {key}"] = table.get(key)
    for group in GROUPS:
        for criteria in ({"group": group}, {"group": group, "state": "a"}, {"state": "b", "group": group}):
            name = repr(criteria)
            found[f"keys {name}"] = table.keys(**criteria)
            found[f"count {name}"] = table.count(**criteria)
            found[f"find {name}"] = table.find(**criteria)
            found[f"find_one {name}"] = table.find_one(**criteria)
            found[f"values {name}"] = table.values(("n", "state"), **criteria)
            found[f"peek_find {name}"] = copy.deepcopy(table.peek_find(**criteria))
    for state in STATES:
        found[f"keys state={state}"] = table.keys(state=state)
        found[f"count state={state}"] = table.count(state=state)
    for n in range(0, 30, 7):
        found[f"keys n={n}"] = table.keys(n=n)  # no index: a scan
        found[f"count n={n}"] = table.count(n=n)
    return found


class Step:
    """One random operation, applied alike to two tables (it draws its choices once)."""

    def __init__(self, rng: random.Random, keys: list[Any], deleted: dict[Any, dict[str, Any]]) -> None:
        kinds = ["insert", "insert_id", "change", "update", "delete", "restore", "next_id", "peek", "peek_find"]
        self.kind = rng.choices([*kinds, "clear", "load"], weights=[6, 2, 8, 3, 4, 2, 1, 4, 3, 0.2, 0.3])[0]
        self.key = rng.choice([*keys, 999]) if keys else 999
        self.record = {"group": rng.choice(GROUPS), "state": rng.choice(STATES), "n": rng.randint(0, 30)}
        fields = rng.sample(["group", "state", "n", "tags", "new"], rng.randint(0, 3))
        values = {"group": rng.choice(GROUPS), "state": rng.choice(STATES), "n": rng.randint(0, 30)}
        values |= {"tags": [rng.randint(0, 2)], "new": rng.choice([None, 1, True])}
        self.changes = {f: values[f] for f in fields}
        self.criteria = {"group": rng.choice(GROUPS), **({"state": rng.choice(STATES)} if rng.random() < 0.3 else {})}
        self.restored = rng.choice(list(deleted)) if deleted else None
        self.explicit = rng.choice([*deleted, rng.randint(1, 60)]) if deleted else rng.randint(1, 60)

    def apply(self, table: Table, deleted: dict[Any, dict[str, Any]]) -> Any:
        """What the operation answered (or the exception it raised, by type and words)."""
        try:
            if self.kind == "insert":
                return table.insert(dict(self.record))
            if self.kind == "insert_id":
                return table.insert({**self.record, "id": self.explicit})
            if self.kind == "change":
                return table.change(self.key, copy.deepcopy(self.changes))
            if self.kind == "update":
                return table.update(self.key, copy.deepcopy(self.changes))
            if self.kind == "delete":
                row = table.delete(self.key)
                if row is not None:
                    deleted[self.key] = copy.deepcopy(row)
                return row
            if self.kind == "restore" and self.restored is not None:
                return table.restore(self.restored, copy.deepcopy(deleted[self.restored]))
            if self.kind == "next_id":
                return table.next_id()
            if self.kind == "peek":
                return copy.deepcopy(table.peek(self.key))
            if self.kind == "peek_find":
                return copy.deepcopy(table.peek_find(**self.criteria))
            if self.kind == "clear":
                return table.clear()
            if self.kind == "load":
                rows, next_id = table.dump()
                return table.load(copy.deepcopy(rows), next_id)
        except Exception as error:
            return (type(error).__name__, str(error))
        return None


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fork_answers_every_read_as_a_plain_table_after_every_step(seed: int) -> None:
    rng = random.Random(seed)
    rows = initial_rows(rng)
    plain, base, fork = pair(rows, max_records=rng.choice([None, 30]))
    before = copy.deepcopy(base.dump())
    heard: dict[str, list[Any]] = {"plain": [], "fork": []}
    plain.rows.watch(heard["plain"].append)
    fork.rows.watch(heard["fork"].append)
    deleted: dict[str, dict[Any, dict[str, Any]]] = {"plain": {}, "fork": {}}
    #: Rows handed out by peek, by key: a later change changes them in place on both sides alike.
    held: dict[Any, tuple[dict[str, Any], dict[str, Any]]] = {}
    probe = sorted({*plain.rows.keys(), 999, 0}, key=repr)
    assert reads(fork.rows, probe) == reads(plain.rows, probe)  # a fork that has only read
    for step_number in range(STEPS):
        keys = plain.rows.keys()
        step = Step(rng, keys, deleted["plain"])
        if step.kind == "peek" and step.key in plain.rows:
            held[step.key] = (plain.rows.peek(step.key), fork.rows.peek(step.key))  # type: ignore[assignment]
        if step.kind == "peek_find":
            pairs = zip(plain.rows.peek_find(**step.criteria), fork.rows.peek_find(**step.criteria), strict=True)
            held.update({plain_row["id"]: (plain_row, fork_row) for plain_row, fork_row in pairs})
        answers = step.apply(plain.rows, deleted["plain"]), step.apply(fork.rows, deleted["fork"])
        where = f"seed {seed}, step {step_number}: {step.kind} {step.key!r} {step.changes!r}"
        assert answers[0] == answers[1], where
        if step.kind == "delete" and step.key in held:  # the row deleted is the one handed out
            assert (answers[0] is held[step.key][0], answers[1] is held[step.key][1]) == (True, True), where
        probe = sorted({*plain.rows.keys(), *keys, 999, 0}, key=repr)
        assert reads(fork.rows, probe) == reads(plain.rows, probe), where
        assert heard["fork"] == heard["plain"], where
        # The fork started with the base's versions, which are the plain store's: they move alike.
        assert (fork.rows.version, fork.rows.inserts, fork.generation) == (
            plain.rows.version,
            plain.rows.inserts,
            plain.generation,
        ), where
        assert [fork.rows.row_version(k) for k in probe] == [plain.rows.row_version(k) for k in probe], where
        for key, (plain_row, fork_row) in list(held.items()):
            if plain.rows.peek(key) is not plain_row:  # deleted, cleared or loaded since
                del held[key]
                continue
            assert fork.rows.peek(key) is fork_row, where
            assert fork_row == plain_row, where
    assert base.dump() == before  # the frozen base never changed


@pytest.mark.parametrize("seed", SEEDS)
def test_a_reverted_fork_answers_as_the_seeded_rows_again(seed: int) -> None:
    rng = random.Random(seed)
    rows = initial_rows(rng)
    plain, _, fork = pair(rows)
    deleted: dict[str, dict[Any, dict[str, Any]]] = {"plain": {}, "fork": {}}
    for _ in range(40):
        step = Step(rng, plain.rows.keys(), deleted["plain"])
        step.apply(plain.rows, deleted["plain"])
        step.apply(fork.rows, deleted["fork"])
    fork.revert()
    seeded = plain_store(rows)
    probe = sorted({*seeded.rows.keys(), *plain.rows.keys(), 999, 0}, key=repr)
    assert cast(ForkTable, fork.rows).touched() == []
    assert reads(fork.rows, probe) == reads(seeded.rows, probe)


def make_base() -> Store:
    store = Store(["rows", "others"], {"rows": ("group",)}, max_records=12, name="demo")
    with store.seeding():
        for n in range(10):
            store.rows.insert({"group": n % 3, "n": n})
    return store.freeze()


def test_a_forks_writes_reach_neither_its_base_nor_a_sibling() -> None:
    base = make_base()
    one, two = base.fork(), base.fork()
    one.rows.insert({"group": 9})
    one.rows.update(1, {"group": 5, "n": 100})
    one.rows.delete(2)
    peeked = one.rows.peek(3)
    assert peeked is not None
    one.rows.change(3, {"n": 300})
    assert peeked["n"] == 300  # the row handed out is the one changed, as in a plain table
    for store in (base, two):
        assert len(store.rows) == 10
        assert store.rows.get(1) == {"id": 1, "group": 0, "n": 0}
        assert 2 in store.rows
        assert store.rows.get(3) == {"id": 3, "group": 2, "n": 2}
        assert store.rows.keys(group=9) == []
        assert store.rows.keys(group=0) == [1, 4, 7, 10]
    assert one.rows.keys(group=0) == [4, 7, 10]
    assert one.rows.keys(group=5) == [1]
    assert 2 not in one.rows
    assert len(one.rows) == 10
    two.rows.insert({"group": 0})
    assert two.rows.keys(group=0) == [1, 4, 7, 10, 11]
    assert one.rows.keys(group=9) == [11]  # each fork numbers on from the base, on its own


def test_rows_handed_out_by_a_fork_that_only_read_see_its_later_changes() -> None:
    base = make_base()
    fork = base.fork()
    peeked = fork.rows.peek(1)
    found = fork.rows.peek_find(group=0)
    assert peeked is not None
    assert found[0] is peeked  # one copy of a row, whichever read lent it
    assert peeked is not base.rows.peek(1)
    assert cast(ForkTable, fork.rows).touched() == []  # rows only read are no change
    assert fork.rows.values(("n",), group=0) == [(0,), (3,), (6,), (9,)]
    fork.rows.change(1, {"n": 100})
    fork.rows.change(4, {"group": 1})
    assert (peeked["n"], found[1]["group"]) == (100, 1)
    assert fork.rows.peek(1) is peeked
    assert fork.rows.peek_find(group=0) == [peeked, found[2], found[3]]
    assert sorted(cast(ForkTable, fork.rows).touched()) == [1, 4]
    assert fork.rows.delete(7) is found[2]
    assert base.rows.get(1) == {"id": 1, "group": 0, "n": 0}
    assert base.rows.keys(group=0) == [1, 4, 7, 10]


def test_deleted_base_rows_come_back_at_the_end_and_next_ids_continue_from_the_base() -> None:
    base = make_base()
    fork = base.fork()
    row = fork.rows.delete(1)
    assert row == {"id": 1, "group": 0, "n": 0}
    row["n"] = "changed by the caller"  # what was handed out is not the base's
    assert base.rows.get(1) == {"id": 1, "group": 0, "n": 0}
    assert fork.rows.row_version(1) == -1
    assert fork.rows.insert({"group": 1})["id"] == 11
    fork.rows.restore(1, base.rows.get(1) or {})
    assert fork.rows.keys()[-2:] == [11, 1]
    assert fork.rows.keys(group=0) == [4, 7, 10, 1]
    assert fork.rows.next_id() == 12
    fork.rows.delete(11)
    fork.rows.insert({"id": 40, "group": 0})
    fork.rows.delete(3)
    assert fork.rows.insert({"group": 0})["id"] == 41
    assert base.rows.dump()[1] == 11


def test_store_full_counts_the_base_rows_and_the_forks_own() -> None:
    fork = make_base().fork()  # 10 rows of 12
    fork.rows.insert({"group": 0})
    fork.rows.ensure_room(1)
    with pytest.raises(StoreFull):
        fork.rows.ensure_room(2)
    fork.rows.insert({"group": 0})
    with pytest.raises(StoreFull, match="12 records"):
        fork.rows.insert({"group": 0})
    fork.rows.delete(3)  # a base row: room for one
    fork.rows.insert({"group": 0})
    with pytest.raises(StoreFull):
        fork.rows.insert({"group": 0})
    with fork.seeding():
        fork.rows.insert({"group": 0})
    assert len(fork.rows) == 13


def test_a_frozen_store_refuses_writes_and_only_it_is_forked() -> None:
    base = make_base()
    for write in (
        lambda: base.rows.insert({"group": 1}),
        lambda: base.rows.update(1, {"n": 1}),
        lambda: base.rows.change(1, {"n": 1}),
        lambda: base.rows.delete(1),
        lambda: base.rows.restore(99, {"id": 99}),
        base.rows.clear,
        base.clear,
        lambda: base.rows.load({}, 1),
        base.rows.next_id,
    ):
        with pytest.raises(FrozenStore):
            write()
    assert len(base.rows) == 10
    with pytest.raises(ValueError, match="frozen"):
        Store(["rows"]).fork()
    with pytest.raises(ValueError, match="only a fork"):
        base.revert()
    with pytest.raises(ValueError, match="only a plain store"):
        base.fork().freeze()


def test_revert_drops_the_forks_changes_and_versions_move_on() -> None:
    base = make_base()
    fork = base.fork()
    heard: list[Any] = []
    fork.rows.watch(heard.append)
    fork.rows.update(1, {"group": 2})
    fork.rows.delete(2)
    fork.rows.insert({"group": 0})
    fork.others.insert({"x": 1})
    version, generation, changed = fork.rows.version, fork.generation, fork.rows.row_version(1)
    fork.revert()
    assert fork.dump() == base.dump()
    assert fork.rows.keys(group=0) == [1, 4, 7, 10]
    assert fork.rows.version > version
    assert fork.generation > generation
    assert fork.rows.row_version(1) == base.rows.row_version(1) != changed
    assert heard[-1] is None
    assert fork.rows.insert({"group": 0})["id"] == 11
    fork.clear()  # reads through to nothing any more...
    assert (len(fork.rows), fork.rows.keys(group=0), fork.rows.row_version(1)) == (0, [], -1)
    assert fork.rows.insert({"group": 0})["id"] == 1
    fork.revert()  # ...until it goes back to its base
    assert fork.dump() == base.dump()


def test_dump_load_snapshot_and_restore_missing_work_on_a_fork() -> None:
    base = make_base()
    fork = base.fork()
    snapshot = fork.snapshot()
    for key in (1, 5):
        fork.rows.delete(key)
    assert fork.restore_missing(snapshot) == 2
    fork.rows.change(1, {"n": "mine"})
    assert base.rows.get(1) == {"id": 1, "group": 0, "n": 0}  # a restored base row is the fork's copy
    dumped = fork.dump()
    other = base.fork()
    other.load(dumped)
    assert other.dump() == dumped
    other.rows.change(2, {"n": "other's"})
    assert fork.rows.get(2) == base.rows.get(2) == {"id": 2, "group": 1, "n": 1}
    assert other.counts() == {"rows": 10, "others": 0}


def test_reads_are_noted_on_a_fork_and_its_tables_go_back_to_forks() -> None:
    fork = make_base().fork()
    log = ReadLog()
    with fork.noting_reads(log):
        fork.rows.peek(1)
        fork.others.count(x=1)
    assert (log.rows, log.tables) == ({("rows", 1)}, {"others"})
    assert all(type(table) is ForkTable for table in fork)


def test_view_caches_do_not_leak_across_forks() -> None:
    """Each state builds its caches over its own store: two forks at the same versions still
    serve each its own views."""
    base = make_base()
    one, two = base.fork(), base.fork()
    clock = Clock()
    caches: list[ViewCache[Any]] = [
        ViewCache(store, clock, Reads(row="rows", tables=("others",))) for store in (one, two)
    ]
    for store in (one, two):
        store.check_reads = True

    def view(store: Store) -> Callable[[], dict[str, Any]]:
        return lambda: {"n": (store.rows.peek(1) or {})["n"], "others": len(store.others)}

    assert caches[0].get(1, view(one)) == {"n": 0, "others": 0}
    one.rows.change(1, {"n": "one's"})
    two.rows.change(1, {"n": "two's"})
    assert one.rows.row_version(1) == two.rows.row_version(1)  # the same versions...
    assert caches[1].get(1, view(two)) == {"n": "two's", "others": 0}  # ...and separate views
    assert caches[0].get(1, view(one)) == {"n": "one's", "others": 0}
    assert caches[1].get(1, view(two)) == {"n": "two's", "others": 0}
    assert caches[1].hits == 1


def test_derived_structures_are_built_once_per_frozen_store() -> None:
    base = make_base()
    built: list[int] = []

    def build() -> dict[str, int]:
        built.append(1)
        return {"size": len(base.rows)}

    assert base.derived("size", build) is base.derived("size", build)
    assert built == [1]
    with pytest.raises(ValueError, match="frozen"):
        base.fork().derived("size", build)


def test_an_overlay_reads_through_and_keeps_its_own_changes() -> None:
    frozen = {"a": 1, "b": 2}
    overlay: Overlay[str, int] = Overlay(frozen)
    overlay["c"] = 3
    overlay["a"] = 10
    del overlay["b"]
    assert (overlay.get("a"), overlay.get("b"), overlay["c"], "b" in overlay) == (10, None, 3, False)
    assert sorted(overlay) == ["a", "c"]
    assert len(overlay) == 2
    assert overlay.pop("a") == 10
    assert overlay.pop("a", None) is None
    with pytest.raises(KeyError):
        overlay.pop("b")
    with pytest.raises(KeyError):
        del overlay["b"]
    assert frozen == {"a": 1, "b": 2}
    overlay.clear()
    assert (len(overlay), overlay.get("a")) == (0, None)
