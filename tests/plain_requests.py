"""A few requests per API, as a client sends them, each with the status the mock answers: reads,
valid writes, one request with a single fault (a body that breaks the schema or a missing header),
then reads and writes again on the state the first ones left. The fast path must serve the valid
ones itself (``test_fastpath``), and a seeded store loaded from the cache must answer the reads as a
made one does (``test_snapshots``).

The same kinds of request as the benchmark's workloads (``bench/workloads.py``), kept apart: a test
states its own inputs, and the benchmark may change what it measures without changing what is tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str
    #: Relative to the API's base path.
    path: str
    #: A JSON body.
    body: Any = None
    expect: int = 200
    #: A raw (text) body instead of JSON, and extra headers (the consumer portal's upload).
    raw: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


_REFS = {"uniqueCustomerReference": "C-299AJJ", "uniqueIntegrationReference": "INT-28828"}
_SESSION = "/getsession?consumer_id=CNSRCEC47CDCA8A89085FB562D681733A6&ip_address=192.0.2.15"
_OTD = "/get_otd_pdf?productaction_id=PRA0117B05B5D89DBD8632C06847CB133"
_ESTATE = {"legal_name": "Solrosen I", "city": "Stockholm"}
_INVENTORY = "/api/v1/inventory?type=apartment&amount=20"
#: A small PDF (what the upload's mimetype says it is).
_PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _upload(*, filename: bool = True) -> Call:
    """Sanne's done ID upload again (a re-upload may repeat), the file as the body; without its
    filename header, a 400."""
    headers = [
        ("productaction_id", "PRA359D4E5D0F506B3AEBB1868D0E9DC2"),
        ("is_reupload", "1"),
        ("mimetype", "application/pdf"),
        ("content-type", "application/octet-stream"),
    ]
    if filename:
        headers.append(("filename", "paspoort.pdf"))
    return Call("POST", "/upload_file", expect=200 if filename else 400, raw=_PDF, headers=tuple(headers))


REQUESTS: dict[str, tuple[Call, ...]] = {
    "portal": (
        Call("GET", "/profile"),
        Call("GET", "/profile/applications"),
        Call("POST", "/profile/favourites", {"listing": 5353}, 201),
        Call("PUT", "/profile", {"homePostcode": "nope", "dependants": -1}, 422),
        Call("GET", "/profile"),
        Call("GET", "/profile/applications"),
        Call("POST", "/profile/favourites", {"listing": 5355}, 201),
        Call("GET", "/profile/favourites"),
        Call("PUT", "/profile", {"phone": "07700 900000", "dependants": 1}),
    ),
    "instruction": (
        Call("GET", "/TMP110001"),
        Call("GET", "/TMP110009/file/TMP110009-report.pdf"),
        Call("PUT", "/TMP110001/introducerreferences", _REFS),
        Call("PUT", "/TMP110001/introducerreferences", {"uniqueCustomerReference": "C" * 31}, 422),
        Call("GET", "/TMP110001"),
        Call("PUT", "/TMP110001/introducerreferences", _REFS),
        Call("GET", "/TMP110009"),
        Call("GET", "/TMP110009/file/TMP110009-report.pdf"),
    ),
    "consumerportal": (
        Call("GET", _SESSION),
        Call("GET", _OTD),
        _upload(),
        _upload(filename=False),
        Call("GET", _SESSION),
        _upload(),
        Call("GET", _OTD),
    ),
    "homeq": (
        Call("GET", "/api/v4/estate/15"),
        Call("GET", _INVENTORY),
        Call("POST", "/api/v4/estate", _ESTATE),
        Call("POST", "/api/v4/estate", {"city": 5}, 400),
        Call("GET", "/api/v4/estate/15"),
        Call("GET", _INVENTORY),
        Call("POST", "/api/v4/estate", _ESTATE),
    ),
}
