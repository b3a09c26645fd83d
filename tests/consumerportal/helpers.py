"""What the consumer portal tests share: demo consumers, request helpers and a PDF structure check."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from mockserver.settings import Settings
from tests.conftest import bearer, make_settings

CONSUMERPORTAL = "/consumerportal"
SESSION = f"{CONSUMERPORTAL}/getsession"
DOWNLOAD = f"{CONSUMERPORTAL}/get_product_action_download"
UPLOAD = f"{CONSUMERPORTAL}/upload_file"
OTD = f"{CONSUMERPORTAL}/get_otd_pdf"

SANNE_ID = "CNSRCEC47CDCA8A89085FB562D681733A6"
JAN_ID = "CNSR22966DC6C1D2E53D861B2794F6A20E"
LOTTE_ID = "CNSR3890DE836E599AE9C03E7EF662B85E"
SANNE = bearer("demo-sanne-token")
JAN = bearer("demo-jan-token")
LOTTE = bearer("demo-lotte-token")

# Sanne's product actions (fixtures/consumerportal/dossiers.yaml).
SANNE_MORTGAGE = "PR43ED2E220EA6B6534301260E33921C"
SANNE_INSURANCE = "PR95557DF893FF0C4F2DAC005D8B35DF"
OPEN_ID_UPLOAD = "PRA3C062C03C5A66FC334FC94C8A944DE"
DONE_ID_UPLOAD = "PRA359D4E5D0F506B3AEBB1868D0E9DC2"
OPEN_INSURANCE_UPLOAD = "PRA0E73296C3C18FC166281042B54017E"
QUOTE_DOWNLOAD = "PRA2EDD5312D8DF6E0480CCAF40EBC6BE"
SIGNED_OTD = "PRA0117B05B5D89DBD8632C06847CB133"
JAN_ACTION = "PRA433FB8570F2C0F6D816F1A0A283BFE"

PDF_FILE = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG_FILE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"
JPEG_FILE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF_FILE = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
TIFF_FILE = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"


def settings(**changes: Any) -> Settings:
    """The tests' settings, serving only the consumer portal."""
    return make_settings(apis=("consumerportal",), **changes)


def published_auth(client: TestClient) -> dict[str, Any]:
    """What ``/__admin/apis`` publishes about the consumer portal's credentials and demo users."""
    apis = client.get("/__admin/apis").json()["apis"]
    auth: dict[str, Any] = next(a for a in apis if a["name"] == "consumerportal")["auth"]
    return auth


def get_session(client: TestClient, headers: dict[str, str], consumer_id: str, ip: str = "192.0.2.15") -> Any:
    return client.get(SESSION, params={"consumer_id": consumer_id, "ip_address": ip}, headers=headers)


def session_of(client: TestClient, headers: dict[str, str], consumer_id: str) -> dict[str, Any]:
    response = get_session(client, headers, consumer_id)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["consumerportalsession"]
    return body


def upload(
    client: TestClient,
    action_id: str,
    content: bytes = PDF_FILE,
    auth: dict[str, str] = SANNE,
    /,
    **overrides: str | None,
) -> Any:
    """POST upload_file as ``auth`` with the documented headers; ``overrides`` change them, None leaves one out."""
    headers: dict[str, str | None] = {
        **auth,
        "productaction_id": action_id,
        "is_reupload": "0",
        "filename": "document.pdf",
        "mimetype": "application/pdf",
        "Content-Type": "application/octet-stream",
        **overrides,
    }
    return client.post(UPLOAD, headers={k: v for k, v in headers.items() if v is not None}, content=content)


_OBJECT = re.compile(rb"(\d+) 0 obj\n")
_STREAM = re.compile(rb"<< /Length (\d+) >>\nstream\n")


def assert_valid_pdf(data: bytes) -> None:
    """Header, %%EOF, a cross-reference table whose offsets point at their objects, exact lengths."""
    assert data.startswith(b"%PDF-1."), data[:16]
    assert data.rstrip().endswith(b"%%EOF")
    tail = data[data.rindex(b"startxref") :].split()
    xref = int(tail[1])
    assert data[xref:].startswith(b"xref\n"), "startxref does not point at the xref table"
    header, *rows = data[xref:].split(b"trailer")[0].split(b"\n")[1:]
    first, count = (int(n) for n in header.split())
    entries = [row for row in rows if row.strip()]
    assert first == 0
    assert len(entries) == count
    assert entries[0] == b"0000000000 65535 f "
    objects = {int(m.group(1)): m.start() for m in _OBJECT.finditer(data)}
    for number, entry in enumerate(entries[1:], start=1):
        offset, _, kind = entry.split()
        assert kind == b"n", f"xref entry {number} is not in use"
        assert int(offset) == objects[number], f"xref entry {number} is off"
    trailer = data[data.rindex(b"trailer") :]
    assert f"/Size {count}".encode() in trailer
    assert b"/Root 1 0 R" in trailer
    for match in _STREAM.finditer(data):
        end = match.end() + int(match.group(1))
        assert data[end:].startswith(b"\nendstream"), "a stream /Length is wrong"
