"""The session and the OTD are remembered (``ViewCache``) but never stale: after any upload, from any
consumer, they are what a fresh build gives; uploads' own rows (shown nowhere) keep them."""

from __future__ import annotations

import random
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.consumerportal.state import ConsumerPortalState
from mockserver.web.app import MockServer
from tests.consumerportal.helpers import (
    DONE_ID_UPLOAD,
    JAN,
    JAN_ACTION,
    JAN_ID,
    OPEN_ID_UPLOAD,
    OPEN_INSURANCE_UPLOAD,
    OTD,
    PNG_FILE,
    SANNE,
    SANNE_ID,
    SIGNED_OTD,
    get_session,
    upload,
)

ACTIONS = [(OPEN_ID_UPLOAD, SANNE), (DONE_ID_UPLOAD, SANNE), (OPEN_INSURANCE_UPLOAD, SANNE), (JAN_ACTION, JAN)]


def state_of(server: MockServer) -> ConsumerPortalState:
    found = server.runtime.apis["consumerportal"].state
    assert isinstance(found, ConsumerPortalState)
    return found


def answers(client: TestClient) -> dict[str, Any]:
    sanne, jan = get_session(client, SANNE, SANNE_ID), get_session(client, JAN, JAN_ID)
    otd = client.get(OTD, params={"productaction_id": SIGNED_OTD}, headers=SANNE)
    assert (sanne.status_code, jan.status_code, otd.status_code) == (200, 200, 200)
    return {"sanne": sanne.json(), "jan": jan.json(), "otd": otd.json()}


def fresh(state: ConsumerPortalState) -> dict[str, Any]:
    views, service = state.service.views, state.service
    return {
        "sanne": views._session(SANNE_ID),
        "jan": views._session(JAN_ID),
        "otd": service._otd_pdf(SANNE_ID, SIGNED_OTD),
    }


def test_views_follow_random_uploads(client: TestClient, server: MockServer) -> None:
    state = state_of(server)
    rng = random.Random(11)
    changed = 0
    for step in range(30):
        before = answers(client)
        action, auth = rng.choice(ACTIONS)
        comment = rng.choice([None, "", f"versie {step}"])
        response = upload(
            client, action, PNG_FILE, auth, is_reupload=rng.choice("01"), mimetype="image/png", comment=comment
        )
        assert response.status_code in (200, 409), response.text
        after = answers(client)
        assert after == fresh(state), (step, action, response.status_code)
        changed += after != before
    assert changed >= 5  # the uploads did show


def test_an_upload_row_and_the_same_address_again_keep_the_session(client: TestClient, server: MockServer) -> None:
    views = state_of(server).service.views
    answers(client)
    upload(client, DONE_ID_UPLOAD, is_reupload="1")  # the action is done already: only `uploads` changes
    answers(client)
    misses = views._sessions.misses
    for _ in range(3):
        upload(client, DONE_ID_UPLOAD, is_reupload="1")
        assert get_session(client, SANNE, SANNE_ID).status_code == 200
    assert views._sessions.misses == misses
