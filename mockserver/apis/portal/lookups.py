"""The portal's lookup tables.

The docs refer to lookup endpoints (living and working circumstances, interest periods, contact
times, local authorities) without documenting them; these are the mock's own values, enumerated in
``specs/portal.yaml`` so that clients know exactly what the mock accepts.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any

LIVING_CIRCUMSTANCES: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Renting privately", "owner": False},
    2: {"id": 2, "name": "Renting from a council or housing association", "owner": False},
    3: {"id": 3, "name": "Living with family or friends", "owner": False},
    4: {"id": 4, "name": "Homeowner", "owner": True},
    5: {"id": 5, "name": "Shared ownership", "owner": True},
    6: {"id": 6, "name": "Other", "owner": False},
}

WORKING_CIRCUMSTANCES: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Employed full-time", "working": True},
    2: {"id": 2, "name": "Employed part-time", "working": True},
    3: {"id": 3, "name": "Self-employed", "working": True},
    4: {"id": 4, "name": "Unemployed", "working": False},
    5: {"id": 5, "name": "Retired", "working": False},
    6: {"id": 6, "name": "Student", "working": False},
}

BUYING_INTEREST_PERIODS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "As soon as possible"},
    2: {"id": 2, "name": "Within 3 months"},
    3: {"id": 3, "name": "Within 6 months"},
    4: {"id": 4, "name": "Within 12 months"},
    5: {"id": 5, "name": "Just browsing"},
}

CONTACT_TIMES: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Morning"},
    2: {"id": 2, "name": "Afternoon"},
    3: {"id": 3, "name": "Evening"},
    4: {"id": 4, "name": "Weekends"},
}

HOME_OWNERSHIP_STATUSES = {
    1: "The home seeker is a first time buyer",
    2: "The home seeker doesn't own any property at the moment",
    3: "The home seeker owns a property but it is currently in a selling process",
    4: "The home seeker owns one or more properties",
}

_AUTHORITIES: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "Westminster", "code": "E09000033"},
    {"id": 2, "name": "Camden", "code": "E09000007"},
    {"id": 3, "name": "Southwark", "code": "E09000028"},
    {"id": 4, "name": "Manchester", "code": "E08000003"},
    {"id": 5, "name": "Birmingham", "code": "E08000025"},
    {"id": 6, "name": "Leeds", "code": "E08000035"},
    {"id": 7, "name": "Bristol, City of", "code": "E06000023"},
    {"id": 8, "name": "Cambridge", "code": "E07000008"},
    {"id": 9, "name": "Oxford", "code": "E07000178"},
    {"id": 10, "name": "Milton Keynes", "code": "E06000042"},
    {"id": 11, "name": "Brighton and Hove", "code": "E06000043"},
    {"id": 12, "name": "Reading", "code": "E06000038"},
)
LOCAL_AUTHORITIES: dict[int, dict[str, Any]] = {la["id"]: la for la in _AUTHORITIES}

# Postcode areas of the authorities above; any other area maps to one of them by a stable hash.
_AREA_AUTHORITY = {
    "SW": 1,
    "W": 1,
    "NW": 2,
    "WC": 2,
    "SE": 3,
    "M": 4,
    "B": 5,
    "LS": 6,
    "BS": 7,
    "CB": 8,
    "OX": 9,
    "MK": 10,
    "BN": 11,
    "RG": 12,
}

#: Eligibility is assessed on these profile fields; `validate_eligibility` makes them mandatory.
ELIGIBILITY_FIELDS = (
    "annualHouseholdIncome",
    "deposit",
    "eligibleCitizen",
    "homeOwnershipStatus",
    "livingCircumstance",
    "workingCircumstance",
)


@functools.lru_cache(maxsize=4096)
def local_authority_for_postcode(postcode: str | None) -> dict[str, Any] | None:
    """The local authority of a postcode's area (the same record each time: views only read it)."""
    if not postcode:
        return None
    area = "".join(ch for ch in postcode.strip().upper().split(" ")[0] if ch.isalpha())[:2]
    la_id = _AREA_AUTHORITY.get(area) or _AREA_AUTHORITY.get(area[:1])
    if la_id is None:
        la_id = zlib.crc32(area.encode()) % len(LOCAL_AUTHORITIES) + 1
    return LOCAL_AUTHORITIES[la_id]


def is_working(working_circumstance: int | None) -> bool:
    return bool(working_circumstance and WORKING_CIRCUMSTANCES[working_circumstance]["working"])
