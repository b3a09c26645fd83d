"""HomeQ's generated data: deterministic per seed, Swedish, and valid against the spec."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState
from mockserver.web.app import MockServer
from tests.conftest import make_settings

ADMIN_TOKEN_ROUTES = ("/api/v1/inventory?amount=1000", "/api/v1/employees", "/api/v1/requirements")


def _snapshot(seed: int) -> list[Any]:
    server = MockServer(make_settings(apis=("homeq",), seed=seed))
    state = server.runtime.apis["homeq"].state
    assert isinstance(state, HomeQState)
    headers = {"Authorization": f"JWT {state.auth_description()['users'][0]['longLivedToken']}"}
    with TestClient(server) as client:
        responses = [client.get(route, headers=headers).json() for route in ADMIN_TOKEN_ROUTES]
    for page in responses[:1]:
        for entry in page["results"]:
            entry.pop("indexed_at", None)
            for ad in (entry.get("object_ad") or {},):
                (ad.get("current_stats") or {}).pop("timestamp", None)
    return responses


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    assert _snapshot(7) == _snapshot(7)
    assert _snapshot(7) != _snapshot(8)


def test_generated_records_are_swedish_and_served_valid(client: TestClient, state: HomeQState) -> None:
    headers = {"Authorization": f"JWT {state.auth_description()['users'][0]['longLivedToken']}"}
    apartments = state.store.apartments.all()
    assert len(apartments) > 5
    for apartment in apartments:
        assert re.fullmatch(r"[0-9]{5}", apartment["zip_code"])
        assert re.fullmatch(r"[1-9][0-9]*[\s]*[a-zA-ZåäöÅÄÖ]*", apartment["street_number"])
        assert re.fullmatch(r"[0-9]{4}", apartment["national_id"])
        assert 55.0 < apartment["latitude"] < 69.1
        assert 10.9 < apartment["longitude"] < 24.2
        # Response validation is on: every apartment and estate view must fit the spec.
        assert client.get(f"/api/v4/apartment/{apartment['id']}", headers=headers).status_code == 200
        assert client.get(f"/api/v4/estate/{apartment['estate']}", headers=headers).status_code == 200
    for employee in state.store.employees.all():
        assert re.fullmatch(r"(19|20)[0-9]{6}-[0-9]{4}", employee["personal_number"]) or employee["api_user"]
