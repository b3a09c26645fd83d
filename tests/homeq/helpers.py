"""What the HomeQ tests share: the admin, the docs' apartment and the card search's helpers."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

#: The demo admin (``conftest.PASSWORDS``).
ADMIN = "erik.lindberg"

#: The apartment of the docs' python example, exactly as written.
DOCS_APARTMENT = {
    "estate": 15, "street_name": "Street name", "street_number": "4", "zip_code": "19448",
    "longitude": 17.9429115, "latitude": 59.3975395, "county": "Stockholm", "municipality": "Upplands Väsby",
    "rooms": 4, "floor": 3, "area": 81.40, "rent": 7400, "description": "Description of the apartment",
    "national_id": "1304", "landlord_object_id": "AF43CD7U", "renovation_date": "2017-01-14",
    "washing_machine": "PREPARED", "dishwasher": "PRESENT", "balcony": "NORTH", "dryer": "NONE", "bathtub": "PRESENT",
    "internet_included": True, "cable_package_included": False, "water": "COLD_INCLUDED", "garage": "INCLUDED",
    "parking": "INCLUDED", "electricity_included": True, "heating_included": True, "laundry_room": True,
    "security_door": True, "shower": True, "kitchen_fan": "PRESENT", "patio": True, "handicap_adapted": True,
    "accessibility_adapted": True, "elevator": True, "pantry": True,
}  # fmt: skip


def cards(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v3/cards/", json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def card_ids(result: dict[str, Any], kind: str = "individual") -> set[int]:
    return {int(c["id"]) for c in result["results"] if c["type"] == kind}
