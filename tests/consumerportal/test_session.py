"""getsession: the consumer's dossier, with counters and lists that follow the product actions."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import assert_problem, bearer
from tests.consumerportal.helpers import (
    JAN,
    JAN_ID,
    LOTTE,
    LOTTE_ID,
    SANNE,
    SANNE_ID,
    SESSION,
    get_session,
    published_auth,
    session_of,
)

# The documentation's example, as documented (its `duplicate_comfort_data` copies abbreviate some
# labels; the mock repeats the product action itself, which the last test checks).
DOCUMENTED_ACTION = {
    "id": "PRA433FB8570F2C0F6D816F1A0A283BFE",
    "date_created": "2018-01-01",
    "date_executed": "2018-01-01",
    "is_done": 1,
    "type": "UPLOAD_DOCUMENTMANAGEMENT_FILE",
    "comment": "",
    "label": "Aanleveren van geldig legitimatiebewijs (Jan Janssen)",
    "product_id": "PRFE1A72620E23AC13009D2287C6B864",
    "document": {
        "upload_requirements": [
            "Paspoort opengevouwen met beide pagina's in beeld",
            "Europese Identiteitskaart, kopie op ware grootte van de voor- en achterzijde.",
        ],
        "label": "Geldig legitimatiebewijs (Paspoort of Europese Identiteitskaart)",
        "description": "",
        "is_consumer_specific": True,
        "consumer_name": "Jan Janssen",
    },
}
TESTGEBRUIKER = {
    "name": "Testgebruiker",
    "phone": "0570 665 144",
    "emailaddress": "sample@bwss.nl",
    "avatar_base64": None,
}
DOCUMENTED_DOSSIER = {
    "id": "DS86CE093EB31D131449DCABEBB7C39F",
    "code": "TEST-1",
    "date_created": "2018-01-01",
    "owner": TESTGEBRUIKER,
    "advisor": TESTGEBRUIKER,
    "products": {
        "PRFE1A72620E23AC13009D2287C6B864": {
            "id": "PRFE1A72620E23AC13009D2287C6B864",
            "type": "MORTGAGE",
            "label": "SNS Budget Hypotheek",
            "reference_number": "TEST-1-M-ea66c06c1e1c05fa9f1aa39d98dc5bc1",
            "quote_number": "",
            "mortgage": {
                "label": "SNS Budget Hypotheek",
                "arrangement": None,
                "mortgage_amount": None,
                "lender_name": "SNS Bank",
                "has_timeline": True,
                "rendered_timeline": '<div class="container-fluid"></div>',
            },
            "productaction_counters": {"total": 1, "done": 1},
            "productactions": {DOCUMENTED_ACTION["id"]: DOCUMENTED_ACTION},
        }
    },
    "consumer": {
        "id": "CNSR22966DC6C1D2E53D861B2794F6A20E",
        "gender": "M",
        "initials": None,
        "firstname": "Jan",
        "prefix": "",
        "surname": "Janssen",
        "display_name": "Jan Janssen",
        "streetname": "Herfordstraat",
        "housenumber": "8",
        "housenumber_addition": None,
        "date_of_birth": None,
        "zipcode": "7418EX",
        "city": "Deventer",
        "phone": "0570 665 144",
        "phone_mobile": None,
        "emailaddress": "j.janssen@freeler.nl",
    },
}


def test_the_documented_example_is_served_as_documented(client: TestClient) -> None:
    session = session_of(client, JAN, JAN_ID)
    assert session["session"] == {
        "date_started": "2018-01-01 12:00:00",
        "session_id": "ok1t1s26ecft711b72tlkjoae0",
        "state": "RUNNING",
    }
    assert session["dossier"] == DOCUMENTED_DOSSIER
    assert session["duplicate_comfort_data"] == {
        "downloadable_productactions": [],
        "uploadable_productactions": {DOCUMENTED_ACTION["id"]: DOCUMENTED_ACTION},
        "actioncounter_total": {"total": 1, "done": 1},
        "actioncounter_per_product": {"PRFE1A72620E23AC13009D2287C6B864": {"total": 1, "done": 1}},
        "most_recent_appointment": False,
        "productactions": {DOCUMENTED_ACTION["id"]: DOCUMENTED_ACTION},
    }


def counted(actions: dict[str, Any] | list[Any]) -> dict[str, int]:
    values = list(actions.values()) if isinstance(actions, dict) else []
    return {"total": len(values), "done": sum(a["is_done"] for a in values)}


def test_counters_and_lists_agree_with_the_product_actions_for_every_consumer(client: TestClient) -> None:
    users = published_auth(client)
    assert len(users["users"]) == 3 + 8
    kinds_seen = set()
    for user in users["users"]:
        session = session_of(client, bearer(user["token"]), user["consumer_id"])
        products = session["dossier"]["products"]
        comfort = session["duplicate_comfort_data"]
        everything: dict[str, Any] = {}
        for product_id, product in (products or {}).items():
            assert product["productaction_counters"] == counted(product["productactions"])
            assert comfort["actioncounter_per_product"][product_id] == product["productaction_counters"]
            for action in (product["productactions"] or {}).values():
                assert action["product_id"] == product_id
                assert (action["date_executed"] is not None) == (action["is_done"] == 1)
                everything[action["id"]] = action
                kinds_seen.add((action["type"], action["is_done"]))
        assert (comfort["productactions"] or {}) == everything
        assert comfort["actioncounter_total"] == counted(everything)
        uploadable = {k: a for k, a in everything.items() if a["type"] == "UPLOAD_DOCUMENTMANAGEMENT_FILE"}
        downloadable = {k: a for k, a in everything.items() if a["type"] != "UPLOAD_DOCUMENTMANAGEMENT_FILE"}
        assert (comfort["uploadable_productactions"] or {}) == uploadable
        assert (comfort["downloadable_productactions"] or {}) == downloadable
    # Generated and fixture dossiers hold open and done actions of every kind.
    assert kinds_seen >= {
        ("UPLOAD_DOCUMENTMANAGEMENT_FILE", 0),
        ("UPLOAD_DOCUMENTMANAGEMENT_FILE", 1),
        ("DOWNLOAD_DOCUMENTMANAGEMENT_FILE", 0),
        ("SIGN_OTD", 1),
    }


def test_sanne_has_open_and_done_actions_on_two_products(client: TestClient) -> None:
    comfort = session_of(client, SANNE, SANNE_ID)["duplicate_comfort_data"]
    assert comfort["actioncounter_total"] == {"total": 7, "done": 3}
    assert list(comfort["actioncounter_per_product"].values()) == [{"total": 6, "done": 3}, {"total": 1, "done": 0}]
    assert len(comfort["uploadable_productactions"]) == 5
    assert {a["type"] for a in comfort["downloadable_productactions"].values()} == {
        "DOWNLOAD_DOCUMENTMANAGEMENT_FILE",
        "SIGN_OTD",
    }


def test_empty_maps_are_written_as_empty_arrays(client: TestClient) -> None:
    session = session_of(client, LOTTE, LOTTE_ID)
    (product,) = session["dossier"]["products"].values()
    assert product["productactions"] == []
    assert product["productaction_counters"] == {"total": 0, "done": 0}
    comfort = session["duplicate_comfort_data"]
    assert comfort["productactions"] == comfort["uploadable_productactions"] == []
    assert comfort["downloadable_productactions"] == []
    assert comfort["actioncounter_total"] == {"total": 0, "done": 0}


def test_consumer_id_must_be_the_consumer_of_the_session(client: TestClient) -> None:
    assert_problem(get_session(client, SANNE, JAN_ID), 403, "forbidden")
    assert_problem(get_session(client, SANNE, "CNSR" + "0" * 30), 403, "forbidden")
    assert_problem(get_session(client, SANNE, "jan"), 400, "bad-request")


def test_a_session_token_that_is_sent_is_checked(client: TestClient) -> None:
    response = get_session(client, bearer("demo-alice-token"), SANNE_ID)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer realm="consumerportal"'


@pytest.mark.parametrize("ip", ["192.0.2.15", "10.0.0.1", "::1", "2001:db8::15", "::ffff:192.0.2.15"])
def test_ip_address_takes_ipv4_and_ipv6(client: TestClient, ip: str) -> None:
    assert get_session(client, SANNE, SANNE_ID, ip=ip).status_code == 200


@pytest.mark.parametrize("ip", ["", "localhost", "192.0.2", "192.0.2.256", "01.2.3.4", "2001:db8::g", "1.2.3.4/24"])
def test_ip_address_must_be_an_ip_address(client: TestClient, ip: str) -> None:
    assert_problem(get_session(client, SANNE, SANNE_ID, ip=ip), 400, "bad-request")


def test_both_parameters_are_required(client: TestClient) -> None:
    assert_problem(client.get(SESSION, params={"consumer_id": SANNE_ID}, headers=SANNE), 400, "bad-request")
    assert_problem(client.get(SESSION, params={"ip_address": "192.0.2.1"}, headers=SANNE), 400, "bad-request")


def test_the_ip_address_is_recorded_with_the_session(client: TestClient, server: Any) -> None:
    get_session(client, SANNE, SANNE_ID, ip="2001:db8::15")
    store = server.runtime.apis["consumerportal"].state.store
    assert store.sessions.get(SANNE_ID)["ip_address"] == "2001:db8::15"
