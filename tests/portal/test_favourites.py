"""Favourites are a set of listings per customer."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ALICE, BOB, PORTAL, assert_problem

FAVOURITES = f"{PORTAL}/profile/favourites"


def ids(client: TestClient, headers: dict[str, str]) -> list[int]:
    return [listing["id"] for listing in client.get(FAVOURITES, headers=headers).json()["data"]]


def test_adding_a_favourite_answers_201_with_an_empty_body_and_lists_it(client: TestClient) -> None:
    assert client.head(f"{FAVOURITES}/5355", headers=ALICE).status_code == 404
    response = client.post(FAVOURITES, headers=ALICE, json={"listing": 5355})
    assert response.status_code == 201
    assert response.content == b""
    assert client.head(f"{FAVOURITES}/5355", headers=ALICE).status_code == 200
    assert ids(client, ALICE) == [5353, 5354, 5355]


def test_favourites_are_a_set(client: TestClient) -> None:
    client.post(FAVOURITES, headers=ALICE, json={"listing": 5353})
    client.post(FAVOURITES, headers=ALICE, json={"listing": 5353})
    assert ids(client, ALICE).count(5353) == 1


def test_favourites_list_carries_listing_objects(client: TestClient) -> None:
    listing = client.get(FAVOURITES, headers=ALICE).json()["data"][0]
    assert listing["id"] == 5353
    assert listing["developmentName"] == "Riverside Quarter"
    assert listing["hasOpenDays"] is True


def test_deleting_a_favourite_removes_it(client: TestClient) -> None:
    assert client.delete(f"{FAVOURITES}/5353", headers=ALICE).status_code == 204
    assert client.head(f"{FAVOURITES}/5353", headers=ALICE).status_code == 404
    assert ids(client, ALICE) == [5354]
    assert_problem(client.delete(f"{FAVOURITES}/5353", headers=ALICE), 404, "not-found")


def test_an_unknown_listing_cannot_become_a_favourite(client: TestClient) -> None:
    assert_problem(client.post(FAVOURITES, headers=ALICE, json={"listing": 999999}), 404, "not-found")
    assert_problem(client.post(FAVOURITES, headers=ALICE, json={"listing": "5353"}), 422, "validation-failed")
    assert_problem(client.post(FAVOURITES, headers=ALICE, json={}), 422, "validation-failed")


def test_favourites_belong_to_one_customer(client: TestClient) -> None:
    client.post(FAVOURITES, headers=BOB, json={"listing": 5354})
    assert ids(client, BOB) == [5355, 5354]
    assert ids(client, ALICE) == [5353, 5354]
    assert client.head(f"{FAVOURITES}/5355", headers=ALICE).status_code == 404
