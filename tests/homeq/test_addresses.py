"""Addresses are judged as a JavaScript client judges them: Latin-script letters pass the docs'
patterns, a value with a trailing newline does not pass an anchored one."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.homeq.conftest import assert_error, login
from tests.homeq.helpers import DOCS_APARTMENT


@pytest.mark.parametrize("city", ["Västerås", "Upplands Väsby", "Örebro", "IJmuiden", "Edinburgh"])
def test_an_estate_can_be_created_in_a_city_with_swedish_dutch_or_british_letters(
    client: TestClient, city: str
) -> None:
    admin = login(client, "erik.lindberg")
    created = client.post("/api/v4/estate", json={"legal_name": "Solrosen I", "city": city}, headers=admin)
    assert created.status_code == 200, created.text
    assert client.get(f"/api/v4/estate/{created.json()['id']}", headers=admin).json()["city"] == city


@pytest.mark.parametrize(
    "street", ["S:t Eriksgatan", "Linnégatan", "Ĳsselstraat", "Coöperatiestraat", "St. Albans Road"]
)
def test_an_apartment_can_be_created_on_a_street_with_swedish_dutch_or_british_letters(
    client: TestClient, street: str
) -> None:
    body = {**DOCS_APARTMENT, "street_name": street, "street_number": "12 b", "national_id": "1777"}
    created = client.post("/api/v4/apartment", json=body, headers=login(client, "erik.lindberg"))
    assert created.status_code == 201, created.text


def test_a_city_outside_the_docs_letters_and_spaces_is_refused(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    refused = client.post("/api/v4/estate", json={"legal_name": "X", "city": "Upplands-Bro"}, headers=admin)
    assert "city" in assert_error(refused, 400, "ValidationError")["description"]


def test_a_zip_code_with_a_trailing_newline_is_refused_as_javascript_refuses_it(client: TestClient) -> None:
    body = {**DOCS_APARTMENT, "zip_code": "19448\n", "national_id": "1777"}
    refused = client.post("/api/v4/apartment", json=body, headers=login(client, "erik.lindberg"))
    assert "zip_code" in assert_error(refused, 400, "ValidationError")["description"]
