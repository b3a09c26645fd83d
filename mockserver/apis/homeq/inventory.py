"""HomeQ's inventory: estates, apartments, their media and notes, file references, places.

Everything a landlord sees is limited to their root office's subtree: records elsewhere answer
404, as if they did not exist.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import BadRequest, Conflict, Forbidden, NotFound
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from .access import Caller
from .data import apartment_record
from .lookups import nearest_place, place_for_city
from .rules import (
    CONSUMER_ENTITY_TYPES,
    ESTATE_DEFAULTS,
    EXTENSIONS,
    apartment_identity,
    check_file_reference,
    folder_for,
    not_found,
)
from .views import Views

Body = dict[str, Any]
#: Media kinds per parent table, and the file reference entity types each accepts.
MEDIA_ENTITY_TYPES = {
    "apartment_picture": ("apartment_image",),
    "apartment_video": ("apartment_video",),
    "estate_picture": ("estate_image",),
    "estate_area_picture": ("estate_area_image", "estate_image"),
    "project_picture": ("project_image", "project_area_image"),
    "project_video": ("project_video", "project_area_video"),
}
#: The largest static map side the mock draws (larger requests are drawn at this size).
MAX_MAP_SIDE = 2048
#: What an estate's view is built from: its row, its apartments, its images and their files.
ESTATE_READS = Reads(row="estates", tables=("apartments", "media", "file_references"))


class Inventory:
    def __init__(self, store: Store, clock: Clock, upload_base: str) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store)
        self.upload_base = upload_base
        self._estates: ViewCache[Body] = ViewCache(store, clock, ESTATE_READS)

    # -- estates ---------------------------------------------------------------------------------
    def estate(self, caller: Caller, estate_id: int) -> dict[str, Any]:
        estate = self.store.estates.get(estate_id)
        if estate is None or not caller.manages(estate):
            raise not_found("Estate", estate_id)
        return estate

    def create_estate(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            office = body.get("office", caller.selected_office)
            if office not in caller.offices:
                raise NotFound(f"Office {office} was not found at or below your root office.", code="NotFound")
            record = {
                **ESTATE_DEFAULTS,
                **body,
                "office": office,
                "company": caller.company,
                "created": self.clock.stamp(),
            }
            return {"id": self.store.estates.insert(record)["id"]}

    def get_estate(self, caller: Caller | None, estate_id: int) -> Body:
        """The estate's view (a landlord's, with more, to those who manage it), built again only
        after a change in its row or in a table it reads (a shared view: callers must not change it)."""
        with self.store.lock:  # the estate is read, not copied (its view is made of its strings)
            estate = self.store.estates.peek(estate_id)
            if estate is None:
                raise not_found("Estate", estate_id)
            landlord = bool(caller and caller.landlord and caller.manages(estate))
            return self._estates.get((estate_id, landlord), lambda: self._estate_view(estate_id, landlord))

    def _estate_view(self, estate_id: int, landlord: bool) -> Body:
        estate = self.store.estates.peek(estate_id)
        assert estate is not None
        return self.views.estate(estate, landlord=landlord)

    def update_estate(self, caller: Caller, estate_id: int, body: Body) -> Body:
        with self.store.lock:
            self.estate(caller, estate_id)
            changes = dict(body)
            for nullable in ("landlord_object_id", "org_number"):
                if nullable in changes and changes[nullable] is None:
                    changes[nullable] = ""
            if "city" in changes:
                for apartment in self.store.apartments.find(estate=estate_id):
                    self._check_unique(apartment, {"city": changes["city"]})
            return self.views.estate(self.store.estates.update(estate_id, changes), landlord=True)

    def delete_estate(self, caller: Caller, estate_id: int) -> None:
        """Deletes the estate with its apartments (and theirs: media, notes, listings)."""
        with self.store.lock:
            self.estate(caller, estate_id)
            for apartment in self.store.apartments.keys(estate=estate_id):
                self._delete_apartment(apartment)
            delete_media(self.store, "estate", estate_id)
            self.store.estates.delete(estate_id)

    # -- apartments ------------------------------------------------------------------------------
    def apartment(self, caller: Caller, apartment_id: int) -> dict[str, Any]:
        apartment = self.store.apartments.get(apartment_id)
        if apartment is None or not caller.manages(apartment):
            raise not_found("Apartment", apartment_id)
        return apartment

    def _check_unique(self, apartment: dict[str, Any], changes: Body) -> None:
        merged = {**apartment, **changes}
        identity = apartment_identity(
            merged["national_id"], merged["city"], merged["street_name"], merged["street_number"]
        )
        twin = self.store.apartments.first(
            lambda a: (
                a["id"] != apartment.get("id")
                and apartment_identity(a["national_id"], a["city"], a["street_name"], a["street_number"]) == identity
            )
        )
        if twin is not None:
            raise Conflict(
                "An apartment with this national id, city, street and street number already exists; "
                "contact HomeQ if it is yours.",
                code="ApartmentExists",
            )

    def create_apartment(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            estate = self.estate(caller, body["estate"])
            place = place_for_city(body.get("municipality") or estate["city"])
            record = apartment_record(
                {
                    **body,
                    "city": body.get("municipality") or estate["city"],
                    "county": body.get("county") or place[1],
                    "municipality": body.get("municipality") or place[0],
                    # The apartment lives where its estate lives.
                    "office": estate["office"],
                    "company": estate["company"],
                    "created": self.clock.stamp(),
                }
            )
            self._check_references(caller, record)
            self._check_unique(record, {})
            apartment = self.store.apartments.insert(record)
            view = self.views.apartment(apartment)
            return {
                "id": apartment["id"],
                "estate": estate["id"],
                "can_create_ad_listing": view["can_create_ad_listing"],
            }

    def _check_references(self, caller: Caller, record: Body) -> None:
        for field, kinds in (
            ("floor_plan_reference", ("floor_plan",)),
            ("promotion_file_reference", ("promotion_file",)),
        ):
            reference = record.get(field)
            if reference:
                self.file_reference(caller, reference, kinds)

    def get_apartment(self, caller: Caller, apartment_id: int) -> Body:
        return self.views.apartment(self.apartment(caller, apartment_id))

    def update_apartment(self, caller: Caller, apartment_id: int, body: Body) -> Body:
        with self.store.lock:
            apartment = self.apartment(caller, apartment_id)
            changes = {k: v for k, v in body.items() if k != "can_create_ad_listing"}
            self._check_references(caller, changes)
            self._check_unique(apartment, changes)
            return self.views.apartment(self.store.apartments.update(apartment_id, changes))

    def delete_apartment(self, caller: Caller, apartment_id: int) -> None:
        with self.store.lock:
            self.apartment(caller, apartment_id)
            self._delete_apartment(apartment_id)

    def _delete_apartment(self, apartment_id: int) -> None:
        """The apartment goes with its media, notes and listings."""
        delete_media(self.store, "apartment", apartment_id)
        for note in self.store.apartment_notes.keys(apartment=apartment_id):
            self.store.apartment_notes.delete(note)
        for listing in self.store.listings.keys(apartment=apartment_id):
            for application in self.store.applications.keys(listing=listing):
                self.store.applications.delete(application)
            self.store.listings.delete(listing)
        self.store.apartments.delete(apartment_id)

    # -- media -----------------------------------------------------------------------------------
    def parent(self, caller: Caller, kind: str, parent_id: int) -> dict[str, Any]:
        parent_kind = kind.split("_", 1)[0]
        if parent_kind == "apartment":
            return self.apartment(caller, parent_id)
        if parent_kind == "estate":
            return self.estate(caller, parent_id)
        project = self.store.projects.get(parent_id)
        if project is None or not caller.manages(project):
            raise not_found("Project", parent_id)
        return project

    def add_medium(self, caller: Caller, kind: str, parent_id: int, body: Body) -> Body:
        with self.store.lock:
            self.parent(caller, kind, parent_id)
            record: Body = {
                "kind": kind,
                "parent": parent_id,
                "position": self.store.media.count(parent=parent_id, kind=kind),
                "caption": body.get("caption", ""),
                "title": body.get("title", ""),
                "private": body.get("private", False),
                "reference": None,
                "url": None,
            }
            if kind.endswith("_3d"):
                record["url"] = body["url"]
                position = body.get("position")
                # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
                if position is not None and re.fullmatch(r"[0-9]+", str(position).strip()):
                    record["position"] = int(str(position).strip())
            else:
                reference = self.file_reference(caller, body["file_reference"], MEDIA_ENTITY_TYPES[kind])
                record["reference"] = reference["reference"]
                for key in ("picture_type", "video_type"):
                    if key in body:
                        record[key] = body[key]
                if kind == "project_picture":
                    record.setdefault("picture_type", "project_image")
                if kind == "project_video":
                    record.setdefault("video_type", "project_video")
            return {"id": self.store.media.insert(record)["id"]}

    # -- file references -------------------------------------------------------------------------
    def file_reference(self, caller: Caller, reference: str, entity_types: tuple[str, ...]) -> dict[str, Any]:
        """A file reference the caller's company made for one of ``entity_types`` (412 otherwise)."""
        record = self.store.file_references.get(reference)
        company = caller.company if caller.landlord else None
        # Like HomeQ's serializers, a reference that does not resolve is a validation error.
        if record is None or record["company"] != company:
            raise BadRequest(f"file_reference: {reference!r} is not a file reference of yours.", code="ValidationError")
        if record["entity_type"] not in entity_types:
            raise BadRequest(
                f"file_reference: {reference!r} is for {record['entity_type']}, not {' or '.join(entity_types)}.",
                code="ValidationError",
            )
        return record

    def create_file_reference(self, caller: Caller, body: Body) -> tuple[Body, int]:
        entity_type, mime_type = body["entity_type"], body["mime_type"]
        if not caller.landlord and entity_type not in CONSUMER_ENTITY_TYPES:
            raise Forbidden("You are not allowed to upload this entity.", code="PermissionDenied")
        check_file_reference(entity_type, mime_type, body["content_length"])
        company = caller.company if caller.landlord else None
        with self.store.lock:
            known = self.store.file_references.find_one(
                company=company, content_md5=body["content_md5"], entity_type=entity_type
            )
            if known is not None:
                # Same file (same md5) already uploaded: no upload URL, reuse the reference.
                return {"file_reference": known["reference"]}, 200
            seed = f"{company}:{caller.id}:{body['content_md5']}:{entity_type}:{len(self.store.file_references)}"
            reference = hashlib.sha256(seed.encode()).hexdigest()[:32]
            self.store.file_references.insert(
                {
                    "reference": reference,
                    "company": company,
                    "content_md5": body["content_md5"],
                    "content_name": body.get("content_name", ""),
                    "entity_type": entity_type,
                    "mime_type": mime_type,
                    "content_length": body["content_length"],
                    "uploaded": False,
                },
                key_field="reference",
            )
        extension = EXTENSIONS.get(mime_type, "bin")
        return {
            "file_reference": reference,
            "signed_url": f"{self.upload_base}/{folder_for(entity_type)}/{reference}.{extension}",
            "headers": {"content-md5": body["content_md5"], "content-type": mime_type, "x-amz-acl": "public-read"},
        }, 201

    # -- places ----------------------------------------------------------------------------------
    @staticmethod
    def geolocate(body: Body) -> Body:
        name, county, latitude, longitude, _ = place_for_city(body["city"])
        # A stable offset per street and number, so that two addresses of one city differ.
        digest = hashlib.sha256(f"{body['street_name']}|{body['street_number']}".lower().encode()).digest()
        d_lat = (digest[0] - 128) / 128 * 0.03
        d_lon = (digest[1] - 128) / 128 * 0.05
        return {
            "county": county,
            "municipality": name,
            "latitude": round(latitude + d_lat, 6),
            "longitude": round(longitude + d_lon, 6),
        }

    @staticmethod
    def reverse_geolocate(body: Body) -> Body:
        place = nearest_place(body["latitude"], body["longitude"])
        if place is None:
            return {"complete": False}
        return {"complete": True, "county": place[1], "municipality": place[0]}

    @staticmethod
    def static_map(latitude: float, longitude: float, zoom: int, width: int, height: int) -> bytes:
        """A PNG of the requested size (clamped), land-coloured, with a marker at the centre."""
        width = min(max(width, 1), MAX_MAP_SIDE)
        height = min(max(height, 1), MAX_MAP_SIDE)
        # The land colour varies with the place; any float (even 1e308) gives a stable shade.
        shade = 200 + hashlib.sha256(f"{latitude}|{longitude}|{zoom}".encode()).digest()[0] % 40
        row = bytes((shade, 230, 200)) * width
        marker_y, marker_x = height // 2, width // 2
        rows = []
        for y in range(height):
            if abs(y - marker_y) <= 3:
                left = max(marker_x - 3, 0)
                right = min(marker_x + 4, width)
                line = row[: left * 3] + bytes((220, 30, 30)) * (right - left) + row[right * 3 :]
            else:
                line = row
            rows.append(b"\x00" + line)
        return png(width, height, b"".join(rows))


def delete_media(store: Store, parent_kind: str, parent: int) -> None:
    """Deletes the media of an ``apartment``, ``estate`` or ``project`` (each table numbers its own
    ids, so the same parent id may belong to another kind's media)."""
    for medium, kind in store.media.values(("id", "kind"), parent=parent):
        if kind.startswith(parent_kind):
            store.media.delete(medium)


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
