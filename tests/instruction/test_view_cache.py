"""A case's view is remembered (``ViewCache``) but never stale: after any change of the case, of
another case or of an organisation, and when the clock moves on, each organisation's answer is
what a fresh build of the view gives."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from mockserver.web.jsonifier import JSONIFIER
from tests.instruction.conftest import HOMEWARD, INSTRUCTION, KEYSTONE, NORTHGATE, VERITAS, settings

CALLERS = (HOMEWARD, KEYSTONE, VERITAS, NORTHGATE)
CASES = ("TMP110001", "TMP110004", "TMP110005", "TMP110010", "TMP110013", "TMP110016")  # 04, 16: as of now
POOL = ("R-1", "R-2", "HM-C-110002", None)


def fresh(server: MockServer, reference: str, caller: dict[str, str]) -> Any:
    """The view built now from the stored rows, past the cache, as it goes over the wire."""
    state = server.runtime.apis["instruction"].state
    organisation = state.store.organisations.find_one(apiKey=caller["X-Api-Key"])
    record = state.store.instructions.peek(reference)
    view = state.service.views.instruction(record, organisation, state.clock.now())
    return json.loads(JSONIFIER.dumps(view))


def test_every_view_follows_random_writes_and_the_clock() -> None:
    server = MockServer(settings())
    state = server.runtime.apis["instruction"].state
    rng = random.Random(11)
    changed = 0
    with TestClient(server) as client:
        before: dict[tuple[str, int], Any] = {}
        for step in range(80):
            for case in CASES:  # read (and cache) every view first, then change something
                for index, caller in enumerate(CALLERS):
                    response = client.get(f"{INSTRUCTION}/{case}", headers=caller)
                    if response.status_code == 404:  # not this organisation's case
                        continue
                    assert response.status_code == 200, response.text
                    assert response.json() == fresh(server, case, caller), (step, case, index)
                    changed += before.get((case, index)) not in (None, response.json())
                    before[(case, index)] = response.json()
            action = rng.choice(["introducer", "supplier", "organisation", "clock", "nothing"])
            reference = rng.choice(CASES)
            if action in ("introducer", "supplier"):
                caller = HOMEWARD if action == "introducer" else rng.choice([VERITAS, NORTHGATE])
                body = {"uniqueCustomerReference": rng.choice(POOL), "uniqueIntegrationReference": rng.choice(POOL)}
                client.put(f"{INSTRUCTION}/{reference}/{action}references", headers=caller, json=body)
            elif action == "organisation":  # a supplier's name shows on the cases it accepted
                organisation = state.store.organisations.find_one(apiKey=VERITAS["X-Api-Key"])
                state.store.organisations.change(organisation["id"], {"name": f"Veritas {step}"})
            elif action == "clock":  # milestones and allowed operations are as of now
                state.clock.advance(dt.timedelta(hours=rng.choice([1, 6, 30])))
    assert changed > 10  # the writes and the clock did show


def test_a_case_read_twice_in_one_second_is_built_once() -> None:
    server = MockServer(settings())
    service = server.runtime.apis["instruction"].state.service
    moment = service.clock.now()
    service.clock.now = lambda: moment  # type: ignore[method-assign]
    with TestClient(server) as client:
        first = client.get(f"{INSTRUCTION}/TMP110001", headers=HOMEWARD).json()
        misses = service._views.misses
        assert client.get(f"{INSTRUCTION}/TMP110001", headers=HOMEWARD).json() == first
        assert service._views.misses == misses
