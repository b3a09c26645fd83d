"""get_product_action_download and get_otd_pdf: real PDFs of the consumer's own product actions."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from tests.conftest import assert_problem, bearer
from tests.consumerportal.helpers import (
    DOWNLOAD,
    JAN,
    OPEN_ID_UPLOAD,
    OTD,
    QUOTE_DOWNLOAD,
    SANNE,
    SANNE_ID,
    SIGNED_OTD,
    assert_valid_pdf,
    session_of,
)


def test_a_download_is_a_pdf_attachment(client: TestClient) -> None:
    response = client.get(DOWNLOAD, params={"productaction_id": QUOTE_DOWNLOAD}, headers=SANNE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert int(response.headers["content-length"]) == len(response.content)
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="hypotheekofferte-florius-profijt-hypotheek.pdf"'
    )
    assert_valid_pdf(response.content)
    assert b"(Hypotheekofferte Florius Profijt Hypotheek) Tj" in response.content
    assert b"(Voor: Sanne de Vries) Tj" in response.content


def test_downloading_changes_nothing_and_gives_the_same_bytes(client: TestClient) -> None:
    before = session_of(client, SANNE, SANNE_ID)
    first = client.get(DOWNLOAD, params={"productaction_id": QUOTE_DOWNLOAD}, headers=SANNE).content
    second = client.get(DOWNLOAD, params={"productaction_id": QUOTE_DOWNLOAD}, headers=SANNE).content
    assert first == second
    assert session_of(client, SANNE, SANNE_ID) == before


def test_the_otd_can_be_downloaded_as_a_file_too(client: TestClient) -> None:
    response = client.get(DOWNLOAD, params={"productaction_id": SIGNED_OTD}, headers=SANNE)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="otd.pdf"'
    assert_valid_pdf(response.content)


def test_the_otd_pdf_is_base64_of_a_valid_pdf(client: TestClient) -> None:
    response = client.get(OTD, params={"productaction_id": SIGNED_OTD}, headers=SANNE)
    assert response.status_code == 200
    body = response.json()
    assert body["filename"] == "otd.pdf"
    pdf = base64.b64decode(body["raw_pdf_data"], validate=True)
    assert_valid_pdf(pdf)
    assert b"(Opdracht tot dienstverlening) Tj" in pdf
    assert b"akkoord gegeven op 2026-02-01" in pdf
    assert pdf == client.get(DOWNLOAD, params={"productaction_id": SIGNED_OTD}, headers=SANNE).content


@pytest.mark.parametrize("url", [DOWNLOAD, OTD])
def test_unknown_and_other_consumers_product_actions_are_404(client: TestClient, url: str) -> None:
    assert_problem(client.get(url, params={"productaction_id": "PRA" + "F" * 30}, headers=SANNE), 404, "not-found")
    assert_problem(client.get(url, params={"productaction_id": SIGNED_OTD}, headers=JAN), 404, "not-found")


def test_an_upload_action_has_nothing_to_download(client: TestClient) -> None:
    body = assert_problem(client.get(DOWNLOAD, params={"productaction_id": OPEN_ID_UPLOAD}, headers=SANNE), 404)
    assert "no document to download" in body["detail"]


@pytest.mark.parametrize("action_id", [OPEN_ID_UPLOAD, QUOTE_DOWNLOAD])
def test_only_otd_actions_have_an_otd(client: TestClient, action_id: str) -> None:
    body = assert_problem(client.get(OTD, params={"productaction_id": action_id}, headers=SANNE), 404, "not-found")
    assert "not an OTD" in body["detail"]


@pytest.mark.parametrize("url", [DOWNLOAD, OTD])
def test_the_product_action_id_is_required_and_checked(client: TestClient, url: str) -> None:
    assert_problem(client.get(url, headers=SANNE), 400, "bad-request")
    assert_problem(client.get(url, params={"productaction_id": "PRA433"}, headers=SANNE), 400, "bad-request")
    assert_problem(client.get(url, params={"productaction_id": SIGNED_OTD}, headers=bearer("x")), 401, "unauthorized")
