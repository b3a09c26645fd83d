"""The reference index answers exactly what a scan of every case answers, after any kind of write.

Look-ups by reference and the uniqueness checks of a references PUT read the index
(``referenceindex``) instead of scanning the cases; here random PUTs across the organisations
(references in other letter cases, removals, clashes), writes the API cannot make (shared
references as fixture data may have them, cases deleted, put back, added, reallocated or
cancelled) and resets are each followed by a comparison with a plain scan of the store.
"""

from __future__ import annotations

import random
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.instruction import rules
from mockserver.apis.instruction.lookups import INTRODUCER, STATUSES, SUPPLIER
from mockserver.apis.instruction.referenceindex import ReferenceIndex
from mockserver.web.app import MockServer
from tests.instruction.conftest import HOMEWARD, INSTRUCTION, api_key, settings

Record = dict[str, Any]
ROLES = (INTRODUCER, SUPPLIER)
FIELDS = {"customer": "uniqueCustomerReference", "integration": "uniqueIntegrationReference"}
#: References the random steps use: fixture ones (taken) and new ones.
POOL = ("HM-C-110002", "HM-INT-110007", "VS-C-110007", "VS-C-110014", "KL-C-110013", "R-1", "R-2", "r.3", "Q_4")


def scan(store: Any) -> dict[tuple[str, str, str], list[str]]:
    """(organisation id, role, casefolded reference) -> the keys of the cases the organisation can see
    that carry it, in the table's order: what the look-ups scanned for before the index."""
    organisations = store.organisations.all()
    found: dict[tuple[str, str, str], list[str]] = {}
    for case in store.instructions.all():
        for organisation in organisations:
            if not rules.can_see(case, organisation):
                continue
            for role in ROLES:
                for value in dict.fromkeys(v.casefold() for v in case[f"{role}References"].values() if v):
                    found.setdefault((organisation["id"], role, value), []).append(case["tmpReference"])
    return found


def variant(rng: random.Random, value: str) -> str:
    """``value`` with some letters in the other case."""
    return "".join(c.swapcase() if rng.random() < 0.5 else c for c in value)


def owner(expected: dict[tuple[str, str, str], list[str]], key: tuple[str, str, str], other_than: str | None) -> Any:
    return next((k for k in expected.get(key, ()) if k != other_than), None)


def seen_by(organisation: Record) -> Any:
    return lambda record: rules.can_see(record, organisation)


def check(state: Any, index: ReferenceIndex, rng: random.Random) -> None:
    """Every reference the scan finds, and the pool's, for every organisation and role, in another
    letter case, with no case left out, the first case that has it and a random one left out."""
    store = state.store
    expected = scan(store)
    keys = store.instructions.keys()
    values = {value for _, _, value in expected} | {value.casefold() for value in POOL}
    with store.lock:
        for organisation in store.organisations.all():
            visible = seen_by(organisation)
            for role in ROLES:
                for value in values:
                    wanted = (organisation["id"], role, value)
                    candidates = expected.get(wanted, [])
                    for other_than in {None, *candidates[:1], rng.choice(keys) if keys else None}:
                        found = index.find(role, variant(rng, value), visible, other_than)
                        answer = found["tmpReference"] if found else None
                        assert answer == owner(expected, wanted, other_than), (wanted, other_than)


def put_outcome(state: Any, organisation: Record, role: str, key: str, body: Record) -> tuple[int, list[Any]]:
    """The status a references PUT must answer and, for a clash, each field with the case it names."""
    case = state.store.instructions.get(key)
    if organisation["role"] != role:
        return 403, []
    if case is None or not rules.can_see(case, organisation):
        return 404, []
    if case["readOnly"]:
        return 409, []
    expected = scan(state.store)
    clashes = [
        (FIELDS[kind], clash)
        for kind, value in rules.requested_references(body).items()
        if value and (clash := owner(expected, (organisation["id"], role, value.casefold()), key))
    ]
    return (409 if clashes else 200), clashes


def random_put(client: TestClient, state: Any, rng: random.Random) -> int:
    """A references PUT by a random organisation, mostly of its own role on a case it can see, of
    references from the pool in random letter cases, some left out or null; returns its status."""
    table = state.store.instructions
    organisation = rng.choice(state.store.organisations.all())
    role = organisation["role"] if rng.random() < 0.95 else rng.choice(ROLES)
    visible = [row["tmpReference"] for row in table.where(seen_by(organisation))]
    key = rng.choice(visible) if visible and rng.random() < 0.8 else rng.choice(table.keys())
    body = {
        field: rng.choice((*(variant(rng, v) for v in POOL), None)) for field in FIELDS.values() if rng.random() < 0.8
    }
    status, clashes = put_outcome(state, organisation, role, key, body)
    response = client.put(f"{INSTRUCTION}/{key}/{role}references", headers=api_key(organisation["apiKey"]), json=body)
    assert response.status_code == status, (response.text, body)
    if status == 200:
        assert table.get(key)[f"{role}References"] == rules.requested_references(body)
    if clashes:
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field for field, _ in clashes]
        for error, (_, clash) in zip(errors, clashes, strict=True):
            assert f"already a reference of instruction {clash};" in error["message"]
    return status


def random_write(state: Any, rng: random.Random) -> None:
    """A write the API itself cannot make but fixture data, other services or faults could."""
    table = state.store.instructions
    key = rng.choice(table.keys())
    kind = rng.randrange(5)
    if kind == 0:  # references shared with other cases (uniqueness is only enforced by the PUT)
        role = rng.choice(ROLES)
        refs = {name: rng.choice((*POOL, None)) for name in ("customer", "integration")}
        table.update(key, {f"{role}References": {k: v and variant(rng, v) for k, v in refs.items()}})
    elif kind == 1:  # deleted and put back: the case moves to the end of the table
        row = table.delete(key)
        assert row is not None
        table.restore(key, row)
    elif kind == 2:  # reallocated, or moved on to a status its supplier no longer sees
        suppliers = [o["id"] for o in state.store.organisations.find(role=SUPPLIER)]
        table.update(key, {"supplierId": rng.choice((*suppliers, None)), "status": rng.choice(STATUSES)})
    elif kind == 3:  # a new case, copying another's references
        copy = table.get(key)
        assert copy is not None
        copy["tmpReference"] = f"TMP{rng.randrange(800000, 900000)}"
        if copy["tmpReference"] not in table:
            table.insert(copy, key_field="tmpReference")
    else:
        table.delete(key)


def test_the_index_agrees_with_a_scan_after_random_puts_writes_and_resets() -> None:
    rng = random.Random(20261124)
    server = MockServer(settings(volume=8))
    state = server.runtime.apis["instruction"].state
    index = state.service.references
    seen = {200: 0, 403: 0, 404: 0, 409: 0}
    with TestClient(server) as client:
        for _ in range(300):
            step = rng.random()
            if step < 0.02:
                state.reset()
            elif step < 0.2:
                random_write(state, rng)
            else:
                seen[random_put(client, state, rng)] += 1
            check(state, index, rng)
            # The look-up by reference answers the first case the scan finds, or 404.
            organisation = rng.choice(state.store.organisations.all())
            value = rng.choice(POOL)
            response = client.get(
                f"{INSTRUCTION}/{organisation['role']}/{variant(rng, value)}", headers=api_key(organisation["apiKey"])
            )
            first = owner(scan(state.store), (organisation["id"], organisation["role"], value.casefold()), None)
            assert response.status_code == (200 if first else 404)
            assert first is None or response.json()["tmpReference"] == first
    # Every outcome of a PUT was met, and an index built over a filled store agrees as well.
    assert all(seen.values()), seen
    check(state, ReferenceIndex(state.store), rng)


def test_when_data_give_two_cases_one_reference_the_first_case_in_the_store_answers() -> None:
    # Only fixture or generated data can do this: a PUT keeps references unique.
    server = MockServer(settings())
    table = server.runtime.apis["instruction"].state.store.instructions
    table.update("TMP110003", {"introducerReferences": {"customer": "hm-c-110002", "integration": None}})
    with TestClient(server) as client:

        def found() -> Any:
            response = client.get(f"{INSTRUCTION}/introducer/HM-C-110002", headers=HOMEWARD)
            assert response.status_code == 200, response.text
            return response.json()["tmpReference"]

        def clash() -> str:
            body = {"uniqueCustomerReference": "HM-C-110002"}
            response = client.put(f"{INSTRUCTION}/TMP110001/introducerreferences", headers=HOMEWARD, json=body)
            assert response.status_code == 409, response.text
            detail: str = response.json()["detail"]
            return detail

        assert found() == "TMP110002"
        assert "instruction TMP110002;" in clash()
        # Taken out and put back (as the keep-deleted fault does), TMP110002 is now the later one.
        row = table.delete("TMP110002")
        assert row is not None
        table.restore("TMP110002", row)
        assert found() == "TMP110003"
        assert "instruction TMP110003;" in clash()
