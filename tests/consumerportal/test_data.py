"""Seeded consumer portal data: deterministic, Dutch, and every record conforms to the spec."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.apis.consumerportal.lookups import SURNAME_PREFIXES
from mockserver.web.app import MockServer
from mockserver.web.validation import ResponseValidator
from tests.conftest import bearer
from tests.consumerportal.helpers import DOWNLOAD, OTD, published_auth, session_of, settings


def users(client: TestClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = published_auth(client)["users"]
    return found


def snapshot(server: MockServer) -> list[bytes]:
    """Every consumer's session and every document they can download, as bytes on the wire."""
    out = []
    with TestClient(server) as client:
        for user in users(client):
            headers = bearer(user["token"])
            session = session_of(client, headers, user["consumer_id"])
            out.append(repr(session).encode())
            for action in (session["duplicate_comfort_data"]["downloadable_productactions"] or {}).values():
                out.append(client.get(DOWNLOAD, params={"productaction_id": action["id"]}, headers=headers).content)
                if action["type"] == "SIGN_OTD":
                    out.append(client.get(OTD, params={"productaction_id": action["id"]}, headers=headers).content)
    return out


def test_the_same_seed_gives_byte_identical_sessions_and_documents() -> None:
    assert snapshot(MockServer(settings())) == snapshot(MockServer(settings()))


def test_a_different_seed_gives_different_consumers() -> None:
    assert snapshot(MockServer(settings())) != snapshot(MockServer(settings(seed=99)))


def test_the_number_of_generated_consumers_follows_the_volume() -> None:
    for volume in (0, 2, 30):
        counts = MockServer(settings(volume=volume)).runtime.apis["consumerportal"].state.counts()
        assert counts["consumers"] == counts["dossiers"] == counts["sessions"] == 3 + volume


def test_the_demo_consumers_come_first_with_their_tokens(client: TestClient) -> None:
    first = users(client)[:3]
    assert [(u["name"], u["token"]) for u in first] == [
        ("Sanne de Vries", "demo-sanne-token"),
        ("Jan Janssen", "demo-jan-token"),
        ("Lotte van den Berg", "demo-lotte-token"),
    ]
    auth = published_auth(client)
    assert (auth["type"], auth["header"], auth["prefix"]) == ("bearer", "Authorization", "Bearer")


@pytest.mark.parametrize("seed", [1234, 7])
def test_every_generated_and_fixture_dossier_conforms_to_the_spec(seed: int) -> None:
    state: Any = MockServer(settings(seed=seed, volume=30)).runtime.apis["consumerportal"].state
    spec = APIS["consumerportal"].spec
    validator = ResponseValidator({"$ref": "#/components/schemas/GetSessionResponse", "components": spec["components"]})
    for consumer in state.store.consumers.all():
        view = state.service.views.consumerportal_session(consumer["id"])
        errors = [e.message for e in validator.iter_errors(view)]
        assert not errors, (consumer["id"], errors)


def test_generated_consumers_look_dutch(client: TestClient) -> None:
    for user in users(client)[3:]:
        consumer = session_of(client, bearer(user["token"]), user["consumer_id"])["dossier"]["consumer"]
        assert re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", consumer["zipcode"])
        assert consumer["gender"] in ("M", "V")
        assert consumer["display_name"] == " ".join(
            p for p in (consumer["firstname"], consumer["prefix"], consumer["surname"]) if p
        )
        assert all(word in SURNAME_PREFIXES for word in consumer["prefix"].split())
        if consumer["phone"]:
            assert re.fullmatch(r"0\d{2,3} \d{3} \d{3,4}", consumer["phone"])
            assert len(consumer["phone"].replace(" ", "")) == 10
        if consumer["phone_mobile"]:
            assert re.fullmatch(r"06 \d{8}", consumer["phone_mobile"])
