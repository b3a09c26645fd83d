"""Who the caller is: the documented calls work without a credential, the session cookie that
getsession sets identifies the consumer as a browser would carry it, and a credential that is sent
is checked. On both HTTP paths (the fast path and Connexion's)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from tests.conftest import assert_problem, bearer
from tests.consumerportal.helpers import (
    DOWNLOAD,
    JAN_ACTION,
    JAN_ID,
    OPEN_ID_UPLOAD,
    OTD,
    PDF_FILE,
    QUOTE_DOWNLOAD,
    SANNE,
    SANNE_ID,
    SESSION,
    SIGNED_OTD,
    UPLOAD,
    published_auth,
    settings,
)

COOKIE = "PHPSESSID"


@pytest.fixture(params=[True, False], ids=["fast-path", "connexion"])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    with TestClient(MockServer(settings(fast_path=request.param))) as test_client:
        yield test_client


def session_id_of(client: TestClient, consumer_id: str) -> str:
    users = published_auth(client)["users"]
    return str(next(u["session_id"] for u in users if u["consumer_id"] == consumer_id))


def with_cookie(client: TestClient, value: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE, value)
    return client


def test_every_documented_call_works_as_documented_without_a_credential(client: TestClient) -> None:
    session = client.get(SESSION, params={"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"})
    assert session.status_code == 200, session.text
    assert session.json()["consumerportalsession"]["dossier"]["consumer"]["id"] == SANNE_ID

    download = client.get(DOWNLOAD, params={"productaction_id": QUOTE_DOWNLOAD})
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")

    upload = client.post(
        UPLOAD,
        headers={
            "productaction_id": OPEN_ID_UPLOAD,
            "is_reupload": "0",
            "filename": "paspoort.pdf",
            "mimetype": "application/pdf",
            "comment": "Voorkant",
        },
        content=PDF_FILE,
    )
    assert upload.status_code == 200, upload.text
    assert upload.json() == {"operation_result": "ok"}

    otd = client.get(OTD, params={"productaction_id": SIGNED_OTD})
    assert otd.status_code == 200, otd.text
    assert base64.b64decode(otd.json()["raw_pdf_data"]).startswith(b"%PDF-")

    client.cookies.clear()  # the upload shows in the consumer's session, by token as by none
    actions = client.get(SESSION, params={"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"}, headers=SANNE)
    assert (
        actions.json()["consumerportalsession"]["duplicate_comfort_data"]["productactions"][OPEN_ID_UPLOAD]["is_done"]
        == 1
    )


def test_getsession_sets_the_session_cookie_that_identifies_the_consumer(client: TestClient) -> None:
    response = client.get(SESSION, params={"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"})
    session_id = response.json()["consumerportalsession"]["session"]["session_id"]
    assert response.headers["set-cookie"] == f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax"
    assert session_id == session_id_of(client, SANNE_ID)
    assert client.cookies.get(COOKIE) == session_id  # kept, as a browser keeps it

    # With the cookie, the consumer is the cookie's: another consumer's id or action is refused.
    assert client.get(SESSION, params={"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"}).status_code == 200
    assert_problem(client.get(SESSION, params={"consumer_id": JAN_ID, "ip_address": "192.0.2.15"}), 403, "forbidden")
    assert_problem(client.get(DOWNLOAD, params={"productaction_id": JAN_ACTION}), 404, "not-found")
    assert client.get(OTD, params={"productaction_id": SIGNED_OTD}).status_code == 200


def test_a_credential_that_is_sent_is_checked(client: TestClient) -> None:
    params = {"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"}
    for response in (
        client.get(SESSION, params=params, headers=bearer("not-a-token")),
        client.get(DOWNLOAD, params={"productaction_id": QUOTE_DOWNLOAD}, headers=bearer("not-a-token")),
        with_cookie(client, "0" * 26).get(SESSION, params=params),
        with_cookie(client, "0" * 26).get(OTD, params={"productaction_id": SIGNED_OTD}),
    ):
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == 'Bearer realm="consumerportal"'
    client.cookies.clear()
    # A token of one consumer and another consumer's id: 403, as before.
    assert_problem(client.get(SESSION, params={"consumer_id": JAN_ID, "ip_address": "192.0.2.15"}, headers=SANNE), 403)
    # A credential of another scheme than the API's is not one of its credentials: served as none.
    basic = client.get(SESSION, params=params, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 200, basic.text


def test_the_cookie_of_one_consumer_reaches_only_their_dossier(client: TestClient) -> None:
    with_cookie(client, session_id_of(client, JAN_ID))
    assert client.get(SESSION, params={"consumer_id": JAN_ID, "ip_address": "192.0.2.15"}).status_code == 200
    assert_problem(client.get(SESSION, params={"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"}), 403)
    assert_problem(client.get(OTD, params={"productaction_id": SIGNED_OTD}), 404, "not-found")


def test_without_a_credential_an_unknown_consumer_or_action_is_not_found(client: TestClient) -> None:
    body = assert_problem(
        client.get(SESSION, params={"consumer_id": "CNSR" + "0" * 30, "ip_address": "192.0.2.15"}), 404, "not-found"
    )
    assert body["detail"] == f"There is no consumer CNSR{'0' * 30}."
    assert_problem(client.get(DOWNLOAD, params={"productaction_id": "PRA" + "0" * 30}), 404, "not-found")


def test_the_demo_users_publish_their_session_cookie(client: TestClient) -> None:
    auth = published_auth(client)
    assert auth["cookie"] == COOKIE
    assert auth["optional"] is True
    assert all(len(user["session_id"]) == 26 for user in auth["users"])


def test_a_page_of_a_named_origin_may_send_the_cookie_back() -> None:
    origin = "http://localhost:3000"
    with TestClient(MockServer(settings(cors_origins=(origin,)))) as browser:
        params = {"consumer_id": SANNE_ID, "ip_address": "192.0.2.15"}
        first = browser.get(SESSION, params=params, headers={"Origin": origin})
        assert first.headers["access-control-allow-origin"] == origin
        assert first.headers["access-control-allow-credentials"] == "true"
        assert COOKIE in browser.cookies
        again = browser.get(OTD, params={"productaction_id": SIGNED_OTD}, headers={"Origin": origin})
        assert again.status_code == 200, again.text
