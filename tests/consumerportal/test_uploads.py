"""upload_file: headers as parameters, the file as the body, once per product action unless a reupload."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import assert_problem, bearer
from tests.consumerportal.helpers import (
    DONE_ID_UPLOAD,
    GIF_FILE,
    JAN,
    JAN_ACTION,
    JPEG_FILE,
    OPEN_ID_UPLOAD,
    OPEN_INSURANCE_UPLOAD,
    PDF_FILE,
    PNG_FILE,
    QUOTE_DOWNLOAD,
    SANNE,
    SANNE_ID,
    SANNE_INSURANCE,
    SANNE_MORTGAGE,
    SIGNED_OTD,
    TIFF_FILE,
    UPLOAD,
    session_of,
    upload,
)


def action(client: TestClient, action_id: str) -> dict[str, Any]:
    found: dict[str, Any] = session_of(client, SANNE, SANNE_ID)["duplicate_comfort_data"]["productactions"][action_id]
    return found


def test_an_upload_marks_the_action_done_and_the_counters_follow(client: TestClient) -> None:
    before = session_of(client, SANNE, SANNE_ID)
    assert before["duplicate_comfort_data"]["actioncounter_total"] == {"total": 7, "done": 3}
    response = upload(client, OPEN_INSURANCE_UPLOAD, comment="Ingevuld door mijn partner en mij.")
    assert response.status_code == 200
    assert response.json() == {"operation_result": "ok"}
    after = session_of(client, SANNE, SANNE_ID)
    comfort = after["duplicate_comfort_data"]
    assert comfort["actioncounter_total"] == {"total": 7, "done": 4}
    assert comfort["actioncounter_per_product"][SANNE_INSURANCE] == {"total": 1, "done": 1}
    assert comfort["actioncounter_per_product"][SANNE_MORTGAGE] == {"total": 6, "done": 3}
    insurance = after["dossier"]["products"][SANNE_INSURANCE]
    assert insurance["productaction_counters"] == {"total": 1, "done": 1}
    done = insurance["productactions"][OPEN_INSURANCE_UPLOAD]
    assert (done["is_done"], done["date_executed"], done["comment"]) == (
        1,
        "2026-03-02",
        "Ingevuld door mijn partner en mij.",
    )
    # Every copy of the action shows the same state.
    assert comfort["productactions"][OPEN_INSURANCE_UPLOAD] == done
    assert comfort["uploadable_productactions"][OPEN_INSURANCE_UPLOAD] == done


def test_an_action_takes_one_upload_unless_it_is_a_reupload(client: TestClient) -> None:
    assert upload(client, OPEN_ID_UPLOAD).status_code == 200
    body = assert_problem(upload(client, OPEN_ID_UPLOAD), 409, "conflict")
    assert "is_reupload 1" in body["detail"]
    assert (
        upload(client, OPEN_ID_UPLOAD, PNG_FILE, is_reupload="1", mimetype="image/png", comment="Scherper").status_code
        == 200
    )
    assert action(client, OPEN_ID_UPLOAD)["comment"] == "Scherper"
    assert upload(client, OPEN_ID_UPLOAD, is_reupload="1").status_code == 200
    assert action(client, OPEN_ID_UPLOAD)["comment"] == ""


def test_a_done_action_takes_a_reupload_only(client: TestClient) -> None:
    assert_problem(upload(client, DONE_ID_UPLOAD), 409, "conflict")
    assert upload(client, DONE_ID_UPLOAD, is_reupload="1").status_code == 200
    assert action(client, DONE_ID_UPLOAD)["date_executed"] == "2026-03-02"


def test_a_reupload_needs_an_earlier_upload(client: TestClient) -> None:
    body = assert_problem(upload(client, OPEN_ID_UPLOAD, is_reupload="1"), 409, "conflict")
    assert "nothing to replace" in body["detail"]
    assert action(client, OPEN_ID_UPLOAD)["is_done"] == 0


@pytest.mark.parametrize("action_id", [QUOTE_DOWNLOAD, SIGNED_OTD])
def test_only_upload_actions_take_files(client: TestClient, action_id: str) -> None:
    body = assert_problem(upload(client, action_id), 409, "conflict")
    assert "UPLOAD_DOCUMENTMANAGEMENT_FILE" in body["detail"]


def test_unknown_and_other_consumers_product_actions_are_404(client: TestClient) -> None:
    assert_problem(upload(client, "PRA" + "0" * 30), 404, "not-found")
    assert_problem(upload(client, JAN_ACTION, is_reupload="1"), 404, "not-found")
    assert_problem(upload(client, OPEN_ID_UPLOAD, PDF_FILE, JAN), 404, "not-found")
    assert action(client, OPEN_ID_UPLOAD)["is_done"] == 0


@pytest.mark.parametrize("missing", ["productaction_id", "is_reupload", "filename", "mimetype"])
def test_every_documented_header_is_required(client: TestClient, missing: str) -> None:
    body = assert_problem(upload(client, OPEN_ID_UPLOAD, **{missing: None}), 400, "bad-request")
    assert missing in body["detail"]
    assert action(client, OPEN_ID_UPLOAD)["is_done"] == 0


@pytest.mark.parametrize(
    "header",
    [
        {"is_reupload": "2"},
        {"is_reupload": "yes"},
        {"productaction_id": "PRA-123"},
        {"filename": "../../etc/passwd"},
        {"filename": ""},
        {"mimetype": "text/plain"},
        {"comment": "x" * 1001},
    ],
)
def test_malformed_headers_are_400(client: TestClient, header: dict[str, str]) -> None:
    assert_problem(upload(client, OPEN_ID_UPLOAD, **header), 400, "bad-request")
    assert action(client, OPEN_ID_UPLOAD)["is_done"] == 0


def test_an_empty_file_is_400(client: TestClient) -> None:
    body = assert_problem(upload(client, OPEN_ID_UPLOAD, b""), 400, "bad-request")
    assert "empty" in body["detail"]


@pytest.mark.parametrize(
    ("content", "mimetype"),
    [
        (PDF_FILE, "application/pdf"),
        (PNG_FILE, "image/png"),
        (JPEG_FILE, "image/jpeg"),
        (GIF_FILE, "image/gif"),
        (TIFF_FILE, "image/tiff"),
    ],
)
def test_every_accepted_file_type_is_recognised_by_its_bytes(client: TestClient, content: bytes, mimetype: str) -> None:
    wrong = "image/png" if mimetype != "image/png" else "application/pdf"
    body = assert_problem(upload(client, OPEN_ID_UPLOAD, content, mimetype=wrong), 422, "validation-failed")
    assert body["errors"] == [{"field": "mimetype", "message": f"The file is not {wrong}: it looks like {mimetype}."}]
    assert upload(client, OPEN_ID_UPLOAD, content, mimetype=mimetype).status_code == 200


def test_bytes_of_no_accepted_type_are_422(client: TestClient) -> None:
    body = assert_problem(upload(client, OPEN_ID_UPLOAD, b"Dit is geen PDF."), 422, "validation-failed")
    assert "not application/pdf" in body["detail"]


def test_the_body_may_be_sent_as_the_files_own_type(client: TestClient) -> None:
    response = upload(client, OPEN_ID_UPLOAD, JPEG_FILE, mimetype="image/jpeg", **{"Content-Type": "image/jpeg"})
    assert response.status_code == 200


def test_a_body_without_content_type_is_taken_as_octet_stream(client: TestClient) -> None:
    assert upload(client, OPEN_ID_UPLOAD, **{"Content-Type": None}).status_code == 200


def test_a_multipart_body_is_415(client: TestClient) -> None:
    response = client.post(
        UPLOAD,
        headers={
            **SANNE,
            "productaction_id": OPEN_ID_UPLOAD,
            "is_reupload": "0",
            "filename": "a.pdf",
            "mimetype": "application/pdf",
        },
        files={"file": ("a.pdf", PDF_FILE, "application/pdf")},
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_an_upload_checks_a_session_token_that_is_sent(client: TestClient) -> None:
    headers = {**bearer("unknown"), "productaction_id": OPEN_ID_UPLOAD, "is_reupload": "0"}
    response = client.post(
        UPLOAD, headers={**headers, "filename": "a.pdf", "mimetype": "application/pdf"}, content=PDF_FILE
    )
    assert_problem(response, 401, "unauthorized")


def test_the_upload_is_recorded(client: TestClient, server: Any) -> None:
    assert upload(client, OPEN_ID_UPLOAD, filename="paspoort.pdf", comment="Voorkant").status_code == 200
    (record,) = server.runtime.apis["consumerportal"].state.store.uploads.all()
    assert record["productaction_id"] == OPEN_ID_UPLOAD
    assert (record["filename"], record["mimetype"], record["size"]) == (
        "paspoort.pdf",
        "application/pdf",
        len(PDF_FILE),
    )


def test_a_reupload_replaces_the_file_of_its_action(client: TestClient, server: Any) -> None:
    assert upload(client, OPEN_ID_UPLOAD, filename="voorkant.pdf").status_code == 200
    for n in range(3):
        assert upload(client, OPEN_ID_UPLOAD, is_reupload="1", filename=f"scan-{n}.pdf").status_code == 200
    (record,) = server.runtime.apis["consumerportal"].state.store.uploads.all()
    assert (record["productaction_id"], record["filename"], record["is_reupload"]) == (OPEN_ID_UPLOAD, "scan-2.pdf", 1)
    assert record["uploads"] == 4


def test_a_file_over_the_body_limit_is_413(client: TestClient) -> None:
    too_large = b"%PDF-1.4\n" + b"0" * 1_048_576
    assert_problem(upload(client, OPEN_ID_UPLOAD, too_large), 413, "payload-too-large")
    assert action(client, OPEN_ID_UPLOAD)["is_done"] == 0
