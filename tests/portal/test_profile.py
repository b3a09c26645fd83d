"""Profile rules of the portal docs: partial update, resets, password and e-mail changes, UTM."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from tests.conftest import ALICE, BOB, CAROL, PORTAL, assert_problem

PROFILE = f"{PORTAL}/profile"


def test_profile_requires_a_valid_bearer_token(client: TestClient) -> None:
    missing = client.get(PROFILE)
    assert_problem(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == 'Bearer realm="portal"'
    assert_problem(client.get(PROFILE, headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    assert_problem(client.get(PROFILE, headers={"Authorization": "Basic abc"}), 401)


def test_each_customer_sees_only_their_own_profile(client: TestClient) -> None:
    alice = client.get(PROFILE, headers=ALICE).json()
    bob = client.get(PROFILE, headers=BOB).json()
    assert (alice["email"], bob["email"]) == ("alice@example.com", "bob@example.com")
    assert alice["fullName"] == "Alice Thompson"
    assert alice["livingCircumstance"] == {"id": 1, "name": "Renting privately", "owner": False}
    assert alice["homeLocalAuthority"]["name"] == "Camden"  # derived from NW1 6XE


def test_profile_update_is_partial(client: TestClient) -> None:
    before = client.get(PROFILE, headers=ALICE).json()
    response = client.put(PROFILE, headers=ALICE, json={"phone": "07700 900999", "dependants": 1})
    assert response.status_code == 200
    after = client.get(PROFILE, headers=ALICE).json()
    assert after["phone"] == "07700 900999"
    assert after["dependants"] == 1
    unchanged = {k: v for k, v in before.items() if k not in {"phone", "dependants", "updatedAt"}}
    assert {k: after[k] for k in unchanged} == unchanged


def test_null_or_empty_values_reset_a_field_to_null(client: TestClient) -> None:
    response = client.put(
        PROFILE, headers=ALICE, json={"remarks": "", "deposit": None, "homePostcode": "", "bestTimeToContactYou": []}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["remarks"], body["deposit"], body["homePostcode"]) == (None, None, None)
    assert body["bestTimeToContactYou"] is None
    assert body["homeLocalAuthority"] is None
    assert client.get(PROFILE, headers=ALICE).json()["remarks"] is None


def test_first_and_last_name_are_required_if_present(client: TestClient) -> None:
    for bad in ({"firstName": ""}, {"lastName": None}, {"firstName": "   "}):
        problem = assert_problem(client.put(PROFILE, headers=ALICE, json=bad), 422, "validation-failed")
        assert problem["errors"][0]["field"] in {"firstName", "lastName"}
    assert client.get(PROFILE, headers=ALICE).json()["firstName"] == "Alice"
    renamed = client.put(PROFILE, headers=ALICE, json={"firstName": "Alicia"}).json()
    assert renamed["fullName"] == "Alicia Thompson"


def test_a_name_is_blank_only_as_the_spec_pattern_says(client: TestClient) -> None:
    """The spec writes "blank" as a pattern (ASCII white space only); a name of other characters
    that Python would strip as white space (U+001E, a no-break space) fits it and is kept."""
    for blank in (" \t\r\n\f\v", "\n"):
        assert_problem(client.put(PROFILE, headers=ALICE, json={"lastName": blank}), 422, "validation-failed")
    for odd in ("\u001e", "\u00a0"):
        answer = client.put(PROFILE, headers=ALICE, json={"firstName": odd})
        assert answer.status_code == 200, answer.text
        assert answer.json()["firstName"] == odd


def test_profile_update_rejects_invalid_values_with_every_field_named(client: TestClient) -> None:
    problem = assert_problem(
        client.put(
            PROFILE,
            headers=ALICE,
            json={"homePostcode": "not a postcode", "homeOwnershipStatus": 7, "dateOfBirth": "12/04/1990"},
        ),
        422,
    )
    assert {e["field"] for e in problem["errors"]} == {"homePostcode", "homeOwnershipStatus", "dateOfBirth"}


def test_change_password_needs_the_current_password_and_then_the_new_one_works(client: TestClient) -> None:
    url = f"{PROFILE}/change-password"
    assert_problem(
        client.patch(url, headers=ALICE, json={"currentPassword": "wrong", "newPassword": "N3w-password"}),
        403,
        "forbidden",
    )
    ok = client.patch(url, headers=ALICE, json={"currentPassword": "Alice-demo-2024", "newPassword": "N3w-password"})
    assert ok.status_code == 200
    # The old password no longer works, the new one does.
    assert_problem(
        client.patch(url, headers=ALICE, json={"currentPassword": "Alice-demo-2024", "newPassword": "Another-1"}), 403
    )
    assert (
        client.patch(
            url, headers=ALICE, json={"currentPassword": "N3w-password", "newPassword": "Another-1"}
        ).status_code
        == 200
    )


def test_change_email_needs_current_email_and_password_and_keeps_all_data(client: TestClient) -> None:
    def change(current: str, new: str, password: str) -> Any:
        body = {"currentEmail": current, "newEmail": new, "password": password}
        return client.patch(f"{PROFILE}/change-email", headers=ALICE, json=body)

    before = client.get(PROFILE, headers=ALICE).json()
    assert_problem(change("bob@example.com", "a@example.org", "Alice-demo-2024"), 403)
    assert_problem(change("alice@example.com", "a@example.org", "wrong"), 403)
    assert_problem(change("alice@example.com", "bob@example.com", "Alice-demo-2024"), 409, "conflict")
    assert change("alice@example.com", "alice.t@example.org", "Alice-demo-2024").status_code == 200
    after = client.get(PROFILE, headers=ALICE).json()
    assert after["email"] == "alice.t@example.org"
    assert {k: v for k, v in after.items() if k not in {"email", "updatedAt"}} == {
        k: v for k, v in before.items() if k not in {"email", "updatedAt"}
    }
    assert len(client.get(f"{PROFILE}/applications", headers=ALICE).json()["data"]) == 3


def test_utm_fields_are_stored_only_on_the_first_update_after_passwordless_registration(
    client: TestClient, server: MockServer
) -> None:
    customers = server.runtime.apis["portal"].state.store.customers  # type: ignore[attr-defined]
    client.put(PROFILE, headers=CAROL, json={"firstName": "Carol", "utmSource": "newsletter", "utmCampaign": "spring"})
    assert customers.get(3)["utm"]["utmSource"] == "newsletter"
    client.put(PROFILE, headers=CAROL, json={"utmSource": "google"})
    assert customers.get(3)["utm"]["utmSource"] == "newsletter"
    # A customer who registered with a password never gets UTM fields from a profile update.
    client.put(PROFILE, headers=ALICE, json={"utmSource": "google"})
    assert customers.get(1)["utm"] is None
