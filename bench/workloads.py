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
    body: Any = None
    #: What our mock answers (checked before the run, so that a broken workload never measures errors).
    expect: int = 200


@dataclass(frozen=True)
class Workload:
    name: str
    calls: tuple[Call, ...]
    #: The kind, for the targets: record, list, post-valid, post-invalid, mixed.
    kind: str = field(default="record")


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
}
