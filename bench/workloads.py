"""What `make bench` drives, per API: the same requests against our mock, Prism and bare Starlette.

Paths are relative to the API's base path (Prism serves a spec's paths without it). Each workload
is one kind of request, or a sequence that connections cycle through (the mixed session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    #: A JSON body.
    body: Any = None
    #: What our mock answers (checked before the run, so that a broken workload never measures errors).
    expect: int = 200
    #: A raw (text) body instead of JSON, and extra headers (the consumer portal's upload).
    raw: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Workload:
    name: str
    calls: tuple[Call, ...]
    #: The kind, for the targets: record, list, post-valid, post-invalid, mixed.
    kind: str = field(default="record")


_REFS = {"uniqueCustomerReference": "C-299AJJ", "uniqueIntegrationReference": "INT-28828"}
_SESSION = "/getsession?consumer_id=CNSRCEC47CDCA8A89085FB562D681733A6&ip_address=192.0.2.15"
_OTD = "/get_otd_pdf?productaction_id=PRA0117B05B5D89DBD8632C06847CB133"
_ESTATE = {"legal_name": "Solrosen I", "city": "Stockholm"}
#: A small PDF (what the upload's mimetype says it is).
_PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _upload(reupload: str, *, filename: bool = True) -> Call:
    """Sanne's done ID upload again (a re-upload may repeat), the file as the body."""
    headers = [
        ("productaction_id", "PRA359D4E5D0F506B3AEBB1868D0E9DC2"),
        ("is_reupload", reupload),
        ("mimetype", "application/pdf"),
        ("content-type", "application/octet-stream"),
    ]
    if filename:
        headers.append(("filename", "paspoort.pdf"))
    return Call("POST", "/upload_file", expect=200 if filename else 400, raw=_PDF, headers=tuple(headers))


WORKLOADS: dict[str, tuple[Workload, ...]] = {
    "portal": (
        Workload("GET a record (profile)", (Call("GET", "/profile"),), "record"),
        Workload("GET a list (applications)", (Call("GET", "/profile/applications"),), "list"),
        Workload(
            "POST a valid body (favourite)",
            (Call("POST", "/profile/favourites", {"listing": 5353}, 201),),
            "post-valid",
        ),
        Workload(
            "POST an invalid body (422)",
            (Call("PUT", "/profile", {"homePostcode": "nope", "dependants": -1}, 422),),
            "post-invalid",
        ),
        Workload(
            "mixed session (reads and writes)",
            (
                Call("GET", "/profile"),
                Call("GET", "/profile/applications"),
                Call("POST", "/profile/favourites", {"listing": 5355}, 201),
                Call("GET", "/profile/favourites"),
                Call("PUT", "/profile", {"phone": "07700 900000", "dependants": 1}),
            ),
            "mixed",
        ),
    ),
    "instruction": (
        Workload("GET a record (instruction)", (Call("GET", "/TMP110001"),), "record"),
        Workload("GET a file (report PDF)", (Call("GET", "/TMP110009/file/TMP110009-report.pdf"),), "list"),
        Workload("PUT valid references", (Call("PUT", "/TMP110001/introducerreferences", _REFS),), "post-valid"),
        Workload(
            "PUT an invalid reference (422)",
            (Call("PUT", "/TMP110001/introducerreferences", {"uniqueCustomerReference": "C" * 31}, 422),),
            "post-invalid",
        ),
        Workload(
            "mixed session (reads and writes)",
            (
                Call("GET", "/TMP110001"),
                Call("PUT", "/TMP110001/introducerreferences", _REFS),
                Call("GET", "/TMP110009"),
                Call("GET", "/TMP110009/file/TMP110009-report.pdf"),
            ),
            "mixed",
        ),
    ),
    "consumerportal": (
        Workload("GET the session (dossier)", (Call("GET", _SESSION),), "record"),
        Workload("GET the OTD (base64 PDF)", (Call("GET", _OTD),), "list"),
        Workload("POST an upload (re-upload)", (_upload("1"),), "post-valid"),
        Workload("POST an upload without filename (400)", (_upload("1", filename=False),), "post-invalid"),
        Workload(
            "mixed session (reads and uploads)", (Call("GET", _SESSION), _upload("1"), Call("GET", _OTD)), "mixed"
        ),
    ),
    "homeq": (
        Workload("GET a record (estate 15)", (Call("GET", "/api/v4/estate/15"),), "record"),
        Workload("GET a page (inventory, 20)", (Call("GET", "/api/v1/inventory?type=apartment&amount=20"),), "list"),
        Workload("POST a valid estate", (Call("POST", "/api/v4/estate", _ESTATE),), "post-valid"),
        Workload("POST an invalid estate (400)", (Call("POST", "/api/v4/estate", {"city": 5}, 400),), "post-invalid"),
        Workload(
            "mixed session (reads and writes)",
            (
                Call("GET", "/api/v4/estate/15"),
                Call("GET", "/api/v1/inventory?type=apartment&amount=20"),
                Call("POST", "/api/v4/estate", _ESTATE),
            ),
            "mixed",
        ),
    ),
}
