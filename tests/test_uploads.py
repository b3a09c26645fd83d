"""Body limits: the upload target takes real files, bigger than API bodies; a too-large body is
answered in the API's own error shape (HomeQ) or as an RFC 7807 problem (the others)."""

from __future__ import annotations

import hashlib

from starlette.testclient import TestClient

from mockserver.engine.runtime import Uploads
from mockserver.web.app import MockServer
from tests.conftest import make_settings

MIB = 1024 * 1024


def client_for(**settings: int) -> TestClient:
    return TestClient(MockServer(make_settings(max_body_bytes=MIB, max_upload_bytes=3 * MIB, **settings)))


def test_the_upload_target_takes_files_bigger_than_api_bodies() -> None:
    data = bytes(range(256)) * (2 * MIB // 256)
    with client_for() as client:
        put = client.put("/__admin/uploads/homeq/images/big.png", content=data, headers={"Content-Type": "image/png"})
        got = client.get("/__admin/uploads/homeq/images/big.png")
    assert put.status_code == 200
    assert put.headers["etag"] == f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
    assert got.content == data


def test_a_file_over_the_upload_limit_is_413() -> None:
    with client_for() as client:
        response = client.put("/__admin/uploads/homeq/images/huge.png", content=b"x" * (3 * MIB + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_homeq_answers_a_too_large_body_in_its_own_error_shape() -> None:
    with client_for() as client:
        response = client.post(
            "/api/v4/estate", content=b"{" + b" " * MIB + b"}", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "PayloadTooLarge"
    assert "larger than 1048576 bytes" in response.json()["description"]


def test_the_portal_still_answers_413_as_a_problem() -> None:
    with client_for() as client:
        response = client.put(
            "/api/rest/portal/profile", content=b" " * (MIB + 1), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["type"] == "/__admin/problems#payload-too-large"


def test_uploads_are_bounded_in_bytes_keeping_the_newest() -> None:
    uploads = Uploads(size=10, max_bytes=100)
    for n in range(5):
        uploads.put(f"f{n}", b"x" * 40, "image/png")
    assert uploads.get("f0") is None
    assert uploads.get("f4") is not None
    assert uploads.get("f3") is not None
    assert uploads.get("f2") is None
    uploads.put("huge", b"x" * 500, "image/png")
    assert uploads.get("huge") is not None
