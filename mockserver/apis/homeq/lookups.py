"""HomeQ's fixed tables: rights, the four default right profiles, Swedish places, rejection reasons.

The docs name the rights an operation needs but publish neither the full list nor what each default
profile holds ("you can find the rights ... in the landlord portal"); these are the mock's, built
from every right the docs name, and served by ``GET /api/v1/rights``. Writes the docs give no right
use one of these too (``x-inferred-rights`` in the spec), so the observer, with none, only reads.
"""

from __future__ import annotations

import math
from typing import Any

RIGHTS: tuple[tuple[str, str, str], ...] = (
    (
        "entity.organization",
        "Organisation",
        "Change the company's settings, existing tenants and requirement profiles; reset the environment.",
    ),
    ("entity.employees", "Employees", "See and edit the employees and offices below you, and create API users."),
    ("entity.right_profile.create", "Create right profiles", "Create custom right profiles."),
    ("entity.right_profile.update", "Update right profiles", "Change custom right profiles."),
    ("entity.right_profile.delete", "Delete right profiles", "Delete custom right profiles."),
    ("entity.estate.update", "Update estates", "Create, change and delete estates and their pictures."),
    ("entity.estate.update.bank_details", "Estate bank details", "Change an estate's bankgiro and postgiro."),
    ("entity.Apartment.update", "Update apartments", "Create, change and delete apartments, their media and notes."),
    ("entity.object_ad.create", "Create listings", "Create listings (object ads)."),
    (
        "entity.object_ad.update",
        "Update listings",
        "Change listings, confirm or reject reservations, keep notes on home seekers.",
    ),
    ("entity.object_ad.update.advanced", "Advanced listing settings", "Set contract system and candidate sorting."),
    ("entity.object_ad.delete", "Delete listings", "Delete listings."),
    (
        "entity.Project.update",
        "Update projects",
        "Create, change and delete projects, their media, entries and estates.",
    ),
    ("homeq.integration.capifast", "Capifast integration", "Use the Capifast integration."),
)
RIGHT_NAMES = frozenset(name for name, _, _ in RIGHTS)

_EMPLOYEE = (
    "entity.estate.update",
    "entity.Apartment.update",
    "entity.object_ad.create",
    "entity.object_ad.update",
    "entity.object_ad.delete",
    "entity.Project.update",
)
_MANAGER = (*_EMPLOYEE, "entity.employees", "entity.estate.update.bank_details", "entity.object_ad.update.advanced")

#: Listings that still occupy their apartment (a new listing is refused while one exists).
OPEN_STATUSES = frozenset({"closing", "approved", "active", "draft", "reserved", "paused", "publishing"})

#: The four default right profiles (``company`` null), with fixed ids.
DEFAULT_PROFILES: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "observer", "company": None, "rights": []},
    {"id": 2, "name": "employee", "company": None, "rights": list(_EMPLOYEE)},
    {"id": 3, "name": "manager", "company": None, "rights": list(_MANAGER)},
    {"id": 4, "name": "admin", "company": None, "rights": [name for name, _, _ in RIGHTS]},
)

REJECTION_REASONS: tuple[dict[str, Any], ...] = (
    {"id": 1, "description": "Sökanden uppfyller inte inkomstkravet."},
    {"id": 2, "description": "Sökanden har betalningsanmärkningar."},
    {"id": 3, "description": "Sökanden har tackat nej till erbjudandet."},
    {"id": 4, "description": "Sökanden svarade inte i tid."},
    {"id": 5, "description": "Referenserna från tidigare hyresvärd var inte godkända."},
    {"id": 6, "description": "Annat skäl."},
)

#: (municipality, county, latitude, longitude, zip prefix): places the generator and geolocation use.
PLACES: tuple[tuple[str, str, float, float, str], ...] = (
    ("Stockholm", "Stockholms län", 59.3293, 18.0686, "11"),
    ("Upplands Väsby", "Stockholms län", 59.5184, 17.9113, "19"),
    ("Solna", "Stockholms län", 59.3600, 18.0009, "17"),
    ("Uppsala", "Uppsala län", 59.8586, 17.6389, "75"),
    ("Göteborg", "Västra Götalands län", 57.7089, 11.9746, "41"),
    ("Malmö", "Skåne län", 55.6050, 13.0038, "21"),
    ("Lund", "Skåne län", 55.7047, 13.1910, "22"),
    ("Västerås", "Västmanlands län", 59.6099, 16.5448, "72"),
    ("Örebro", "Örebro län", 59.2753, 15.2134, "70"),
    ("Linköping", "Östergötlands län", 58.4108, 15.6214, "58"),
    ("Umeå", "Västerbottens län", 63.8258, 20.2630, "90"),
    ("Luleå", "Norrbottens län", 65.5848, 22.1547, "97"),
)

#: Sweden's bounding box: coordinates outside it have no county or municipality.
SWEDEN = (55.0, 69.1, 10.9, 24.2)


def place_for_city(city: str) -> tuple[str, str, float, float, str]:
    """The known place named ``city``, or a stable pick for an unknown one."""
    for place in PLACES:
        if place[0].lower() == city.strip().lower():
            return place
    return PLACES[sum(city.encode()) % len(PLACES)]


def nearest_place(latitude: float, longitude: float) -> tuple[str, str, float, float, str] | None:
    low_lat, high_lat, low_lon, high_lon = SWEDEN
    if not (low_lat <= latitude <= high_lat and low_lon <= longitude <= high_lon):
        return None
    return min(PLACES, key=lambda p: math.hypot(p[2] - latitude, (p[3] - longitude) * math.cos(math.radians(latitude))))
