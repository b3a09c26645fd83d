"""HomeQ's documented rules and defaults, as plain functions over records (no store, no HTTP)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from mockserver.engine.problems import NotFound, PreconditionFailed


def spec() -> dict[str, Any]:
    """The API's spec, parsed once by the registry (read-only here)."""
    from mockserver.apis.homeq import API

    return API.spec


def by_id(record: dict[str, Any]) -> int:
    """Sort key: records in id order (the order HomeQ lists them in)."""
    return int(record["id"])


def not_found(what: str, key: Any) -> NotFound:
    """HomeQ's 404 for a record that does not exist or that the caller may not see."""
    return NotFound(f"{what} {key} was not found.", code="NotFound")


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = spec()["components"]["schemas"]
    return schemas


@functools.cache
def schema_defaults(name: str) -> dict[str, Any]:
    """The ``default`` of every property of a spec schema: the documented defaults, never retyped."""
    properties = _schemas()[name].get("properties", {})
    return {key: prop["default"] for key, prop in properties.items() if "default" in prop}


# -- offices ---------------------------------------------------------------------------------------
OFFICE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "email": None,
    "logo": None,
    "default_email_for_contracts": False,
    "default_email_for_offers": False,
    "default_email_for_viewings": False,
    "batch_size": 5,
    "candidate_sorting_mode": "queue_points",
    "contract_system": "manual_selection_lock",
    "offer_min_response_time": 48,
    "offer_per_ad": 5,
    "offers_per_person": 3,
    "time_to_next_engagement": 5,
}
EMAIL_FLAGS = ("default_email_for_contracts", "default_email_for_offers", "default_email_for_viewings")


def check_office_email(office: dict[str, Any]) -> None:
    """An office that sends any default e-mail needs an e-mail address."""
    if any(office.get(flag) for flag in EMAIL_FLAGS) and not office.get("email"):
        raise PreconditionFailed(
            "An e-mail address is required when an office sends default e-mails.", code="OfficeEmailRequired"
        )


def subtree(offices: Iterable[dict[str, Any]], root: int) -> set[int]:
    """``root`` and every office below it."""
    children: dict[int | None, list[int]] = {}
    for office in offices:
        children.setdefault(office["parent"], []).append(office["id"])
    found: set[int] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


# -- inventory -------------------------------------------------------------------------------------
APARTMENT_DEFAULTS: dict[str, Any] = {
    "accessibility_adapted": False,
    "balcony": "NONE",
    "bathtub": "NONE",
    "cable_package_included": False,
    "description": "",
    "dishwasher": "NONE",
    "dryer": "NONE",
    "electricity_included": False,
    "elevator": False,
    "floor_plan_reference": None,
    "garage": "NONE",
    "handicap_adapted": False,
    "heating_included": False,
    "internet_included": False,
    "kitchen_fan": "NONE",
    "landlord_object_id": None,
    "laundry_room": False,
    "pantry": False,
    "parking": "NONE",
    "patio": False,
    "promotion_file_reference": None,
    "renovation_date": None,
    "security_door": False,
    "shower": True,
    "washing_machine": "NONE",
    "water": "PAY_EXTRA",
}

ESTATE_DEFAULTS: dict[str, Any] = {
    "area_caption": "",
    "area_description": "",
    "area_image_caption": "",
    "cover_caption": "",
    "cover_description": "",
    "bankgiro": "",
    "postgiro": "",
    "estate_owner": "",
    "landlord_object_id": "",
    "org_number": "",
    "project": None,
}

_SPACES = re.compile(r"\s+")


def apartment_identity(national_id: str, city: str, street: str, street_number: str) -> tuple[str, ...]:
    """What makes an apartment the same real-world apartment: national id, city, street, number."""
    return tuple(_SPACES.sub(" ", part.strip().lower()) for part in (national_id, city, street, street_number))


# -- media -----------------------------------------------------------------------------------------
IMAGE_TYPES = ("image/jpeg", "image/jpg", "image/png")
PDF = "application/pdf"
MB = 1024 * 1024
#: entity type -> (accepted mime types, largest upload in bytes), as the request variants document.
ENTITY_TYPES: dict[str, tuple[tuple[str, ...], int]] = {
    **dict.fromkeys(
        (
            "project_image",
            "project_area_image",
            "estate_image",
            "estate_area_image",
            "apartment_image",
            "logo_image",
            "cover_image",
        ),
        (IMAGE_TYPES, 30 * MB),
    ),
    "floor_plan": ((*IMAGE_TYPES, PDF), 30 * MB),
    "conversation_file": ((*IMAGE_TYPES, PDF), 30 * MB),
    "promotion_file": ((PDF,), 30 * MB),
    "digital_contract": ((PDF,), 30 * MB),
    "profile_card": ((PDF,), 30 * MB),
    # The docs list image mime types for videos too (a copy error kept in the spec); mp4 is what a
    # video upload really sends, so the mock accepts both.
    **dict.fromkeys(
        ("project_video", "project_area_video", "apartment_video"), ((*IMAGE_TYPES, "video/mp4"), 2048 * MB)
    ),
}
#: The entity types a consumer may upload (files for the chat).
CONSUMER_ENTITY_TYPES = frozenset({"conversation_file"})
EXTENSIONS = {"image/jpeg": "jpeg", "image/jpg": "jpg", "image/png": "png", PDF: "pdf", "video/mp4": "mp4"}


def check_file_reference(entity_type: str, mime_type: str, content_length: int) -> None:
    accepted = ENTITY_TYPES.get(entity_type)
    if accepted is None:
        raise PreconditionFailed("The supplied entity type is not valid.", code="InvalidEntityType")
    mime_types, largest = accepted
    if mime_type not in mime_types:
        raise PreconditionFailed("The supplied mime type is not valid with the entity type.", code="InvalidMimeType")
    if content_length <= 0:
        raise PreconditionFailed("Please specify a proper content length.", code="InvalidContentLength")
    if content_length > largest:
        raise PreconditionFailed("The upload you are attempting is to big.", code="ExceedingContentLength")


def folder_for(entity_type: str) -> str:
    """The media folder of an entity type (``estate_image`` -> ``estate_images``)."""
    return entity_type if entity_type.endswith("s") else f"{entity_type}s"


def right_problem_fields(body: dict[str, Any], field_rights: dict[str, list[str]], rights: frozenset[str]) -> list[str]:
    """The body fields the caller sends without holding the extra rights they need."""
    return [field for field, needed in field_rights.items() if field in body and not set(needed) <= rights]


def value_rights(body: dict[str, Any], rights_by_value: dict[str, dict[str, list[str]]]) -> list[str]:
    """The rights the values a body sends need (a file reference for an estate image: the estate's)."""
    return [
        right
        for field, by_value in rights_by_value.items()
        if isinstance(body.get(field), str)
        for right in by_value.get(body[field], ())
    ]


# -- requirement profiles --------------------------------------------------------------------------
def adjust_requirement(record: dict[str, Any]) -> dict[str, Any]:
    """The docs' automatic adjustment: a benefit apartment allows every income benefit and is
    calculated as money after rent."""
    if record.get("benefit_apartment"):
        record = {**record, "rent_calculation_type": "MONEY_AFTER_RENT"}
        record.update({key: True for key in record if key.startswith("income_")})
    return record
