"""Files listed on an instruction download as real PDFs; nothing else does, whatever the name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.engine import pdf
from tests.conftest import assert_problem
from tests.instruction.conftest import HOMEWARD, INSTRUCTION, KEYSTONE, NORTHGATE, VERITAS, instruction


def assert_valid_pdf(content: bytes) -> None:
    """Header, trailer, and a cross-reference table whose every offset points at its object."""
    assert content.startswith(b"%PDF-1.")
    assert content.rstrip().endswith(b"%%EOF")
    startxref = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", content)
    assert startxref is not None
    xref_at = int(startxref.group(1))
    assert content[xref_at:].startswith(b"xref")
    header = re.match(rb"xref\s+0 (\d+)\s+", content[xref_at:])
    assert header is not None
    count = int(header.group(1))
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf]) ?\r?\n", content[xref_at + header.end() :])[:count]
    assert len(entries) == count
    assert entries[0][2] == b"f"
    for number, (offset, _, kind) in enumerate(entries[1:], start=1):
        assert kind == b"n"
        assert content[int(offset) :].startswith(f"{number} 0 obj".encode()), number
    assert re.search(rb"trailer\s*<<[^>]*/Root 1 0 R", content)
    stream = re.search(rb"/Length (\d+) >>\nstream\n", content)
    assert stream is not None
    body = content[stream.end() : stream.end() + int(stream.group(1))]
    assert content[stream.end() + len(body) :].startswith(b"\nendstream")


def download(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    return client.get(f"{INSTRUCTION}/{path}", headers=headers)


def test_a_listed_report_downloads_as_a_valid_pdf(client: TestClient) -> None:
    (listed,) = instruction(client, "TMP110009", HOMEWARD)["files"]
    assert listed["fileTypeCode"] == "InstructionReportFromSupplier"
    assert listed["fileFormatCode"] == "PDF"
    response = download(client, f"TMP110009/file/{listed['fileReference']}", HOMEWARD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="TMP110009-report.pdf"'
    assert int(response.headers["content-length"]) == len(response.content)
    assert_valid_pdf(response.content)
    assert b"TMP110009" in response.content


def test_the_supplier_downloads_its_report_too(client: TestClient) -> None:
    response = download(client, "TMP110009/file/TMP110009-report.pdf", VERITAS)
    assert response.status_code == 200
    assert_valid_pdf(response.content)


def test_an_introducer_without_can_view_report_gets_404(client: TestClient) -> None:
    problem = assert_problem(download(client, "TMP110010/file/TMP110010-report.pdf", HOMEWARD), 404, "not-found")
    assert "CanViewReport" in problem["detail"]
    assert download(client, "TMP110010/file/TMP110010-report.pdf", NORTHGATE).status_code == 200


def test_a_file_of_an_instruction_without_access_is_404(client: TestClient) -> None:
    assert_problem(download(client, "TMP110009/file/TMP110009-report.pdf", NORTHGATE), 404, "not-found")
    assert_problem(download(client, "TMP110009/file/TMP110009-report.pdf", KEYSTONE), 404, "not-found")
    assert_problem(download(client, "TMP999999/file/TMP110009-report.pdf", HOMEWARD), 404, "not-found")


@pytest.mark.parametrize(
    "name",
    ["report.pdf", "TMP110010-report.pdf", "tmp110009-report.pdf", "TMP110009-report.pdf.bak", "%20"],
)
def test_an_unlisted_file_name_is_404(client: TestClient, name: str) -> None:
    assert_problem(download(client, f"TMP110009/file/{name}", HOMEWARD), 404, "not-found")


@pytest.mark.parametrize(
    "path",
    [
        "TMP110009/file/..%2F..%2F..%2Fspecs%2Finstruction.yaml",
        "TMP110009/file/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "TMP110009/file/%2E%2E",
        "TMP110009/file/%2e",
        "TMP110009/file/..%5C..%5Cpyproject.toml",
        "TMP110009/file/%252e%252e%252fetc%252fpasswd",
        "TMP110009/file/TMP110009-report.pdf%2F..%2F..%2FTMP110010-report.pdf",
        "TMP110009/file/TMP110009-report.pdf%00",
        "TMP110009%2Ffile%2FTMP110009-report.pdf",
        "TMP110009/file/%2Fetc%2Fpasswd",
    ],
)
def test_a_file_name_that_tries_to_leave_its_folder_is_404(client: TestClient, path: str) -> None:
    response = download(client, path, HOMEWARD)
    assert_problem(response, 404, "not-found")
    assert b"%PDF" not in response.content


def test_the_pdf_writer_escapes_text_and_keeps_its_offsets_right() -> None:
    content = pdf.render("Report (draft) \\ £400,000", ["a (b) c", "", "ünïcödé and 中文"], subject="x")
    assert_valid_pdf(content)
    assert b"\\(draft\\) \\\\ \xa3400,000" in content
    assert pdf.render("same", ["lines"]) == pdf.render("same", ["lines"])
