"""Turns stored HomeQ records into the shapes of ``specs/homeq.yaml``."""

from __future__ import annotations

from typing import Any

from mockserver.engine.store import Store

from .rules import EXTENSIONS, folder_for

MEDIA_HOST = "https://homeq-media-live.s3.amazonaws.com"
AMENITY_FLAGS = {
    "balcony": "balcony",
    "bathtub": "bathtub",
    "dishwasher": "dishwasher",
    "dryer": "drier",
    "elevator": "elevator",
    "garage": "garage",
    "handicap_adapted": "handicap_friendly",
    "kitchen_fan": "kitchen_fan",
    "parking": "parking",
    "patio": "patio",
    "washing_machine": "washing_machine",
    "electricity_included": "electricity_included",
    "heating_included": "heating_included",
    "internet_included": "internet_included",
    "cable_package_included": "tv_included",
}
APARTMENT_FIELDS = (
    "accessibility_adapted",
    "area",
    "balcony",
    "bathtub",
    "cable_package_included",
    "city",
    "county",
    "description",
    "dishwasher",
    "dryer",
    "electricity_included",
    "elevator",
    "estate",
    "floor",
    "floor_plan_reference",
    "garage",
    "handicap_adapted",
    "heating_included",
    "id",
    "internet_included",
    "kitchen_fan",
    "landlord_object_id",
    "latitude",
    "laundry_room",
    "longitude",
    "municipality",
    "national_id",
    "pantry",
    "parking",
    "patio",
    "promotion_file_reference",
    "renovation_date",
    "rent",
    "rooms",
    "security_door",
    "shower",
    "street_name",
    "street_number",
    "washing_machine",
    "water",
    "zip_code",
)


def present(value: Any) -> bool:
    """An amenity stored as a flag or an enum (``NONE``/``PREPARED``/``PRESENT``/a direction)."""
    if isinstance(value, bool):
        return value
    return value not in (None, "NONE", "PREPARED", "AVAILABLE")


def media_url(folder: str, reference: str, mime_type: str | None = None) -> str:
    extension = EXTENSIONS.get(mime_type or "", "jpeg")
    return f"{MEDIA_HOST}/{folder}/{reference}.{extension}"


def thumbnail(url: str) -> str:
    """The docs' rule: the 320 px version sits under ``/320/`` and always ends in ``.jpeg``."""
    head, _, tail = url.removeprefix(MEDIA_HOST + "/").partition("/")
    return f"{MEDIA_HOST}/320/{head}/{tail.rsplit('.', 1)[0]}.jpeg"


class Views:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- applications ----------------------------------------------------------------------------
    def application_info(self, application: dict[str, Any]) -> dict[str, Any]:
        """An application as the inventory's ``ApplicationInfo``."""
        profiles = []
        with self.store.lock:  # the consumers are read, not copied
            for role, key in (("A", "consumer"), ("B", "fellow"), ("W", "warrantor")):
                person = self.store.consumers.peek(application[key]) if application.get(key) else None
                if person is None:
                    continue
                profiles.append(
                    {
                        "connection_type": role,
                        "email": person["email"],
                        "first_name": person["first_name"],
                        "full_name": f"{person['first_name']} {person['last_name']}",
                        "id": person["id"],
                        "last_name": person["last_name"],
                        "main_applicant": key == "consumer",
                        "personal_number": person.get("ssn") or "",
                    }
                )
        return {
            "conversations_count": application.get("conversations", 0),
            "id": application["id"],
            "profiles": profiles,
            "queue_points": application["queue_points"],
        }

    # -- organisation ----------------------------------------------------------------------------
    def company(self, company: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": company["id"],
            "name": company["name"],
            "org_number": company["org_number"],
            "bankgiro": company["bankgiro"],
            "postgiro": company["postgiro"],
            "external_reservation_link": company["external_reservation_link"],
            "has_fast_api_key": bool(company["fast_api_key"]),
            "minimum_up_time": company["minimum_up_time"],
            "logo_image": company["logo_image"],
            "cover_image": company["cover_image"],
            "tier": company["tier"],
        }

    def office(self, office: dict[str, Any]) -> dict[str, Any]:
        view = {
            key: office[key]
            for key in (
                "id",
                "name",
                "parent",
                "description",
                "batch_size",
                "candidate_sorting_mode",
                "contract_system",
                "default_email_for_contracts",
                "default_email_for_offers",
                "default_email_for_viewings",
                "offer_min_response_time",
                "offer_per_ad",
                "offers_per_person",
                "time_to_next_engagement",
            )
        }
        view["employee_count"] = self.store.employees.count(root_office=office["id"])
        if office.get("email"):
            view["email"] = office["email"]
        if office.get("logo"):
            view["logo"] = office["logo"]
        return view

    def _office_ref(self, office_id: int | None) -> dict[str, Any]:
        office = self.store.offices.get(office_id) if office_id else None
        return {"id": office["id"], "name": office["name"]} if office else {}

    def _profile(self, profile_id: int | None) -> dict[str, Any] | None:
        return self.store.right_profiles.get(profile_id) if profile_id else None

    def employee_item(self, employee: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(employee["right_profile"])
        root = self.store.offices.get(employee["root_office"])
        return {
            "id": employee["id"],
            "username": employee["username"],
            "email": employee["email"],
            "first_name": employee["first_name"],
            "last_name": employee["last_name"],
            "name": f"{employee['first_name']} {employee['last_name']}".strip(),
            "api_user": employee["api_user"],
            "joined": employee["joined"],
            "date_joined": employee["date_joined"],
            "right_profile_name": profile["name"] if profile else "",
            "root_office_name": root["name"] if root else "",
        }

    def employee_detail(self, employee: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(employee["right_profile"])
        return {
            "id": employee["id"],
            "email": employee["email"],
            "first_name": employee["first_name"],
            "last_name": employee["last_name"],
            "api_user": employee["api_user"],
            "joined": employee["joined"],
            "personal_number": employee["personal_number"],
            "phone_number": employee["phone"],
            "right_profile": {"id": profile["id"], "name": profile["name"]} if profile else {},
            "root_office": self._office_ref(employee["root_office"]),
            "selected_office": self._office_ref(employee["selected_office"]),
        }

    def token_response(self, employee: dict[str, Any], token: str, intercom_hash: str) -> dict[str, Any]:
        company = self.store.companies.get(employee["company"]) or {}
        profile = self._profile(employee["right_profile"])
        return {
            "company": {
                "beta_program": company.get("beta_program", False),
                "enabled_features": list(company.get("tier", {}).get("enabled_features", [])),
                "id": employee["company"],
                "name": company.get("name", ""),
            },
            "employee": {
                "email": employee["email"],
                "first_name": employee["first_name"],
                "id": employee["id"],
                "intercom_hash": intercom_hash,
                "last_name": employee["last_name"],
                "personal_number": employee["personal_number"],
                "phone": employee["phone"],
                "root_office": employee["root_office"],
                "selected_office": employee["selected_office"],
                "username": employee["username"],
            },
            "right_profile": (
                {"id": profile["id"], "name": profile["name"], "rights": list(profile["rights"])} if profile else {}
            ),
            "token": token,
        }

    @staticmethod
    def right_profile(profile: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": profile["id"],
            "name": profile["name"],
            "company": profile["company"],
            "rights": profile["rights"],
        }

    # -- inventory -------------------------------------------------------------------------------
    def apartment(self, apartment: dict[str, Any]) -> dict[str, Any]:
        view = {key: apartment.get(key) for key in APARTMENT_FIELDS}
        statuses = self.store.listings.values(("status",), apartment=apartment["id"])
        view["can_create_ad_listing"] = all(status in ("deleted", "rented") for (status,) in statuses)
        return view

    def media(self, kind: str, parent: int, **match: Any) -> list[dict[str, Any]]:
        """The ``kind`` media of ``parent`` (and matching ``match``), in their order."""
        return sorted(self.store.media.find(parent=parent, kind=kind, **match), key=_order)

    def stored_media(self, kind: str, parent: int) -> list[dict[str, Any]]:
        """Like :meth:`media`, but the stored rows themselves, not copies: only for views that copy
        their values into new containers, under the store's lock."""
        if not self.store.media.count(parent=parent):  # most parents have none: the index says so alone
            return []
        return sorted((row for row in self.store.media.peek_find(parent=parent) if row["kind"] == kind), key=_order)

    def _images(self, kind: str, parent: int) -> list[dict[str, Any]]:
        with self.store.lock:
            return [{"id": m["id"], "url": self.media_url(m)} for m in self.stored_media(kind, parent)]

    def media_url(self, medium: dict[str, Any]) -> str:
        if medium.get("url"):
            return str(medium["url"])
        with self.store.lock:
            reference = self.store.file_references.peek(medium["reference"]) or {}
            entity = reference.get("entity_type") or MEDIA_FOLDERS.get(medium["kind"], "images")
            return media_url(folder_for(entity), medium["reference"], reference.get("mime_type"))

    def estate(self, estate: dict[str, Any], landlord: bool) -> dict[str, Any]:
        with self.store.lock:  # the apartments are read, not copied: the view holds flags of them
            return self._estate(estate, landlord, self.store.apartments.peek_find(estate=estate["id"]))

    def _estate(self, estate: dict[str, Any], landlord: bool, apartments: list[dict[str, Any]]) -> dict[str, Any]:
        images = self._images("estate_picture", estate["id"])
        view: dict[str, Any] = {
            "id": estate["id"],
            "name": estate["legal_name"],
            "city": estate["city"],
            "area_caption": estate["area_caption"],
            "area_description": estate["area_description"],
            "area_image_caption": estate["area_image_caption"],
            "cover_caption": estate["cover_caption"],
            "cover_description": estate["cover_description"],
            "estate_images": images,
            "area_images": self._images("estate_area_picture", estate["id"]),
            "common_attributes": {
                flag: bool(apartments) and all(present(a.get(field)) for a in apartments)
                for field, flag in AMENITY_FLAGS.items()
                if flag not in ("electricity_included", "heating_included", "internet_included", "tv_included")
            }
            | {
                flag: bool(apartments) and all(bool(a.get(field)) for a in apartments)
                for field, flag in AMENITY_FLAGS.items()
                if flag in ("electricity_included", "heating_included", "internet_included", "tv_included")
            },
        }
        if landlord:
            view.update(
                {
                    "apartment_count": len(apartments),
                    "bankgiro": estate["bankgiro"],
                    "postgiro": estate["postgiro"],
                    "display_image": images[0]["url"] if images else "",
                    "estate_owner": estate["estate_owner"],
                    "landlord_object_id": estate["landlord_object_id"] or "",
                    "office": estate["office"],
                    "org_number": estate["org_number"] or "",
                }
            )
        return view

    def medium(self, medium: dict[str, Any]) -> dict[str, Any]:
        parent_key = MEDIA_PARENTS[medium["kind"]]
        view: dict[str, Any] = {parent_key: medium["parent"], "id": medium["id"], "position": medium["position"]}
        if medium["kind"].endswith("_3d"):
            view.update({"title": medium["title"], "url": medium["url"]})
            return view
        view["reference"] = medium["reference"]
        if "video" in medium["kind"]:
            view["url"] = self.media_url(medium)
            if medium["kind"] == "apartment_video":
                view["private"] = medium["private"]
            else:
                view["video_type"] = medium.get("video_type") or "project_video"
        else:
            view["caption"] = medium.get("caption") or ""
            if medium["kind"] == "project_picture":
                view["picture_type"] = medium.get("picture_type") or "project_image"
        return view


#: The parent id field of each kind of medium, and the media folder of media made from a URL.
MEDIA_PARENTS = {
    "apartment_picture": "apartment",
    "apartment_video": "apartment",
    "apartment_3d": "apartment",
    "estate_picture": "estate",
    "estate_area_picture": "estate",
    "project_picture": "project",
    "project_video": "project",
    "project_3d": "project",
}
MEDIA_FOLDERS = {
    "apartment_picture": "apartment_image",
    "apartment_video": "apartment_video",
    "estate_picture": "estate_image",
    "estate_area_picture": "estate_area_image",
    "project_picture": "project_image",
    "project_video": "project_video",
}


def _order(medium: dict[str, Any]) -> tuple[int, int]:
    return (medium["position"], medium["id"])
