"""Every API's state forks: a fork starts with the seeded data (not the changes of the state it was
forked from), keeps its writes, credentials, webhook registrations and rate limits to itself, and a
reset takes it back to the seeded data; the structures a state derives from its store (HomeQ's
card index and estate order, the instruction API's reference index) stay exact in a fork."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from mockserver.apis import APIS
from mockserver.apis.homeq.state import HomeQState
from mockserver.apis.instruction.lookups import INTRODUCER
from mockserver.apis.instruction.referenceindex import ReferenceIndex
from mockserver.engine.clock import Clock
from mockserver.engine.problems import NotFound, Unauthorized
from mockserver.engine.snapshots import SeededState
from tests.conftest import ANCHOR, make_settings
from tests.homeq.test_card_index import expected, random_search, vary
from tests.instruction.test_reference_index import check as check_references
from tests.instruction.test_reference_index import random_write

Write = Callable[[Any], None]
Seen = Callable[[Any], bool]


def build(api: str, **settings: Any) -> Any:
    return APIS[api].build_state(make_settings(apis=(api,), **settings), Clock(ANCHOR))


def fork(state: Any, session: str | None = None) -> Any:
    forked = state.fork(session)
    forked.store.check_reads = True  # every view a fork's caches build is checked
    return forked


# -- one write per API, through its services, and whether a state sees it --------------------------
def instruction_organisation(state: Any) -> str:
    found: str = state.store.organisations.find_one(apiKey="demo-homeward-key")["id"]
    return found


def instruction_reference(state: Any) -> bool:
    try:
        state.service.get_by_reference(instruction_organisation(state), INTRODUCER, "forked-1")
    except NotFound:
        return False
    return True


def homeq_caller(state: Any) -> Any:
    return state.access.landlord_caller(state.store.employees.find_one(username="erik.lindberg"))


def homeq_estates(state: Any) -> list[str]:
    page = state.search.inventory(homeq_caller(state), {"type": "estate"}, 10_000, 0)
    return [e["estate"]["name"] for e in page["results"] if e["type"] == "estate"]


CONSUMER = "CNSRCEC47CDCA8A89085FB562D681733A6"
WRITES: dict[str, tuple[Write, Seen]] = {
    "portal": (
        lambda s: s.service.add_favourite(1, 5355),
        lambda s: s.service.is_favourite(1, 5355),
    ),
    "consumerportal": (
        lambda s: s.service.get_session(None, CONSUMER, "203.0.113.9"),
        lambda s: s.store.sessions.get(CONSUMER).get("ip_address") == "203.0.113.9",
    ),
    "instruction": (
        lambda s: s.service.update_references(
            instruction_organisation(s), INTRODUCER, "TMP110001", {"uniqueCustomerReference": "Forked-1"}
        ),
        instruction_reference,
    ),
    "homeq": (
        lambda s: s.inventory.create_estate(homeq_caller(s), {"legal_name": "Forked", "city": "Stockholm"}),
        lambda s: "Forked" in homeq_estates(s),
    ),
}


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_forks_write_is_its_own_and_a_reset_takes_it_back_to_the_seeded_data(api: str) -> None:
    write, seen = WRITES[api]
    state = build(api)
    assert isinstance(state, SeededState)
    assert not seen(state)
    write(state)  # the state forked from has changed: forks start from the seeded data all the same
    one, two = fork(state, "one"), fork(state)
    assert type(one) is type(state)
    assert (one.session, two.session, state.session) == ("one", None, None)
    assert (one.is_fork, two.is_fork, state.is_fork) == (True, True, False)
    seeded = state.seeded().dump()
    assert one.store.dump() == two.store.dump() == seeded
    assert not seen(one)
    write(one)
    assert seen(one)
    assert not seen(two)
    assert seen(state)  # (its own write)
    assert state.seeded().dump() == seeded
    one.reset()
    assert not seen(one)
    assert one.store.dump() == seeded
    write(one)  # and it takes writes again after a reset
    assert seen(one)
    assert not seen(two)
    assert fork(one).store.dump() == seeded  # a fork of a fork starts from the seeded data too
    state.reset()
    assert not seen(state)


def test_homeq_tokens_work_only_in_the_fork_that_issued_them() -> None:
    state = build("homeq")  # the tests' settings configure a signing secret
    assert isinstance(state, HomeQState)
    one, two, named, again = fork(state, "w1"), fork(state, "w2"), fork(state), fork(state, "w1")
    employee = state.store.employees.find_one(username="erik.lindberg")
    assert employee is not None
    token = one.access.issue("landlord", employee["id"], employee["company"])
    assert one.check_token(f"JWT {token}")["sub"] == employee["id"]
    assert again.check_token(f"JWT {token}")["sub"] == employee["id"]  # the same session, made again
    for other in (two, named, state):
        with pytest.raises(Unauthorized):
            other.check_token(f"JWT {token}")
    with pytest.raises(Unauthorized):
        one.check_token(f"JWT {state.access.issue('landlord', employee['id'], employee['company'])}")
    # Without a configured secret every state, fork or not, has a random one.
    plain = build("homeq", jwt_secret="")
    assert len({plain.secret, fork(plain, "w1").secret, fork(plain, "w1").secret}) == 3


def test_homeq_webhooks_and_rate_limits_are_each_forks_own() -> None:
    state = build("homeq")
    one, two = fork(state), fork(state)
    one.webhooks.register("http://127.0.0.1:9/hook")
    assert len(one.webhooks.registrations()) == 1
    assert two.webhooks.registrations() == state.webhooks.registrations() == []
    for _ in range(60):
        one.maps.hit(2)
    with pytest.raises(Exception, match="rate limited"):
        one.maps.hit(2)
    two.maps.hit(2)
    state.maps.hit(2)
    one.reset()
    assert one.webhooks.registrations() == []
    one.maps.hit(2)
    for forked in (one, two):
        forked.webhooks.close()


def cards(state: Any, body: dict[str, Any]) -> tuple[list[int], int]:
    state.listings.settle()  # (what every HomeQ call runs first)
    found = state.search.search_cards(body)
    return [c["id"] for c in found["results"]], found["total_hits"]


def test_homeq_card_search_and_inventory_in_forks_agree_with_a_plain_state() -> None:
    rng = random.Random(5)
    state, plain = build("homeq"), build("homeq")
    written, searched = fork(state), fork(state)
    bodies = [random_search(rng, state.store.listings.keys()) for _ in range(10)]
    for body in bodies:  # a search before any write: the index is the base's, copied
        assert cards(searched, body) == expected(searched.store, body), body
    for changed in (written, searched, plain):  # the same writes: one fork has no index yet, one has
        vary(changed, random.Random(9), 60)
        store = changed.store
        store.listings.update(17, {"status": "paused"})
        store.apartments.update(12, {"rent": 9500})
        store.listings.delete(store.listings.keys(status="active")[0])
        store.estates.update(store.estates.keys(office=3)[0], {"office": store.offices.keys()[-1], "company": 3})
    for body in bodies:
        assert cards(written, body) == cards(searched, body) == cards(plain, body) == expected(plain.store, body)
        assert cards(state, body) == expected(state.store, body)  # untouched by either
    assert homeq_estates(written) == homeq_estates(searched) == homeq_estates(plain) != homeq_estates(state)
    written.reset()
    fresh = fork(state)  # the base's index, shared by every fork, is as it was
    for body in bodies:
        assert cards(written, body) == cards(fresh, body) == cards(state, body)
    assert homeq_estates(written) == homeq_estates(fresh) == homeq_estates(state)


def test_instruction_reference_index_in_a_fork_agrees_with_a_scan() -> None:
    rng = random.Random(8)
    state = build("instruction")
    forked = fork(state)
    index = forked.service.references
    check_references(forked, index, rng)
    for step in range(60):
        if step == 40:
            forked.reset()
        else:
            random_write(forked, rng)
        check_references(forked, index, rng)
    check_references(state, state.service.references, rng)  # the state forked from, untouched
    check_references(forked, ReferenceIndex(forked.store), rng)  # and a new index over the fork
