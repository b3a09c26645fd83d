"""The store's secondary indexes answer like a scan, and follow inserts, updates and deletes."""

from __future__ import annotations

from mockserver.engine.store import Store


def make() -> Store:
    store = Store(["rows"], indexes={"rows": ("group",)})
    for n in range(10):
        store.rows.insert({"group": n % 3, "flag": n % 2 == 0})
    return store


def test_keys_and_count_use_the_index_and_check_the_other_criteria() -> None:
    store = make()
    assert store.rows.keys(group=0) == [1, 4, 7, 10]
    assert store.rows.count(group=0) == 4
    assert store.rows.keys(group=0, flag=True) == [1, 7]
    assert store.rows.count(group=0, flag=True) == 2
    assert store.rows.count(flag=True) == 5  # no index: a scan
    assert store.rows.count(group=7) == 0


def test_the_index_follows_updates_and_deletes() -> None:
    store = make()
    store.rows.update(1, {"group": 2})
    store.rows.delete(4)
    assert store.rows.keys(group=0) == [7, 10]
    assert 1 in store.rows.keys(group=2)
    assert [r["id"] for r in store.rows.find(group=2)] == store.rows.keys(group=2)


def test_an_update_keeps_a_row_in_insertion_order_of_the_indexes_it_stays_in() -> None:
    store = Store(["rows"], indexes={"rows": ("group", "state")})
    for n in range(3):
        store.rows.insert({"group": 1, "state": "a", "n": n})
    store.rows.update(1, {"state": "b", "n": 10})
    assert [r["id"] for r in store.rows.find(group=1)] == [1, 2, 3]
    assert [r["id"] for r in store.rows.find(state="b")] == [1]
    assert [r["id"] for r in store.rows.find(state="a")] == [2, 3]


def test_every_change_moves_the_version_and_the_generation_but_an_update_to_the_same_values_does_not() -> None:
    store = Store(["rows", "others"], indexes={"rows": ("group",)})
    seen: list[object] = []
    store.rows.watch(seen.append)
    marks = [(store.rows.version, store.generation)]

    def moved() -> bool:
        marks.append((store.rows.version, store.generation))
        return marks[-1][0] > marks[-2][0] and marks[-1][1] > marks[-2][1]

    store.rows.insert({"group": 1, "flag": True, "tags": ["a"], "meta": {"n": 1}})
    assert moved()
    store.rows.update(1, {"group": 1, "flag": True, "tags": ["a"], "meta": {"n": 1}})
    assert not moved()
    assert seen == [1]
    for change in ({"flag": 1}, {"tags": ["a", "b"]}, {"meta": {"n": 1.0}}, {"meta": {"n": 1, "m": 2}}, {"new": None}):
        store.rows.update(1, change)
        assert moved(), change  # 1 is not True, 1.0 is not 1, a new field is a change
    assert store.rows.get(1) == {
        "id": 1,
        "group": 1,
        "flag": 1,
        "tags": ["a", "b"],
        "meta": {"n": 1, "m": 2},
        "new": None,
    }
    store.rows.delete(1)
    assert moved()
    generation = store.generation
    store.others.insert({"x": 1})
    assert store.generation == generation + 1
    assert store.rows.version == marks[-1][0]
    store.clear()
    assert store.generation > generation + 1


def test_a_rows_version_moves_with_that_row_only_and_never_comes_back_while_it_is_there() -> None:
    store = make()
    before = {key: store.rows.row_version(key) for key in range(1, 11)}
    store.rows.update(2, {"flag": "changed"})
    after = {key: store.rows.row_version(key) for key in range(1, 11)}
    assert after[2] > before[2]
    assert {k: v for k, v in after.items() if k != 2} == {k: v for k, v in before.items() if k != 2}
    store.rows.update(2, {"flag": "changed"})  # the same value: no change
    assert store.rows.row_version(2) == after[2]
    seen = [store.rows.row_version(2)]
    row = store.rows.delete(2)
    assert row is not None
    assert store.rows.row_version(2) == -1  # gone: forgotten, as if never there
    store.rows.restore(2, row)
    seen.append(store.rows.row_version(2))
    store.rows.clear()
    assert store.rows.row_version(2) == -1
    store.rows.insert({"id": 2, "group": 0})
    seen.append(store.rows.row_version(2))
    assert len(set(seen)) == 3  # the row never had any of them before
    assert min(seen) > 0
    assert store.rows.row_version(99) == -1


def test_deleted_rows_leave_no_version_behind() -> None:
    store = Store(["rows"])
    for _ in range(1000):
        key = store.rows.insert({"n": 1})["id"]
        store.rows.delete(key)
    assert len(store.rows._row_versions) == 0


def test_inserts_count_only_new_rows() -> None:
    store = make()
    assert store.rows.inserts == 10
    store.rows.update(1, {"flag": "changed"})
    row = store.rows.delete(2)
    assert row is not None
    store.rows.restore(2, row)  # an old row back: not an insert
    assert store.rows.inserts == 10
    assert store.rows.version == 13
    store.rows.insert({"group": 5})
    assert (store.rows.inserts, store.rows.version) == (11, 14)


def test_change_says_whether_it_changed_and_leaves_what_was_read_before_as_it_was() -> None:
    store = Store(["rows"])
    store.rows.insert({"tags": ["a"], "n": 1})
    read = store.rows.peek(1)
    assert read is not None
    tags = read["tags"]
    assert store.rows.change(1, {"tags": ["a"], "n": 1}) is False
    assert store.rows.change(1, {"tags": ["a", "b"]}) is True
    assert tags == ["a"]  # replaced, not changed in place
    assert store.rows.peek(1) == {"id": 1, "tags": ["a", "b"], "n": 1}
