"""HomeQ's market side: listings (object ads), reservations, requirement profiles, projects,
the inventory search, the public card search and agreements.

Part 1 of the HomeQ work answers all of these statefully and keeps the documented preconditions;
part 2 deepens listings, projects, requirement profiles, reservations, search and webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.clock import Clock, isoformat
from mockserver.problems import BadRequest, Forbidden, NotFound, PreconditionFailed
from mockserver.store import Store

from .access import Caller
from .data import listing_record, project_record, requirement_record
from .lookups import REJECTION_REASONS, place_for_city
from .rules import subtree
from .views import Views, present, thumbnail

Body = dict[str, Any]
#: Listings that still occupy their apartment (a new listing is refused while one exists).
OPEN_STATUSES = frozenset({"closing", "approved", "active", "draft", "reserved", "paused", "publishing"})
PUBLIC_STATUSES = {"active": "Active", "reserved": "Reserved", "paused": "Paused", "approved": "Approved"}
PAGE_SIZE = 20


def not_found(what: str, key: Any) -> NotFound:
    return NotFound(f"{what} {key} was not found.", code="NotFound")


def as_datetime(value: str | None) -> str | None:
    if value is None:
        return None
    return value if "T" in value else f"{value}T00:00:00Z"


class Market:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store)

    def _now(self) -> str:
        return isoformat(self.clock.now())

    # -- shared views ----------------------------------------------------------------------------
    def _images(self, kind: str, parent: int) -> list[Body]:
        media = sorted(self.store.media.where(lambda m: m["kind"] == kind and m["parent"] == parent), key=_order)
        images = []
        for m in media:
            url = self.views.media_url(m)
            images.append(
                {
                    "caption": m.get("caption") or "",
                    "id": m["id"],
                    "position": m["position"],
                    "url": url,
                    "thumbnail_url": thumbnail(url),
                }
            )
        return images

    def _company_ref(self, company_id: int) -> Body:
        company = self.store.companies.get(company_id)
        return {"id": company_id, "name": company["name"] if company else ""}

    def _estate_ref(self, estate: Body) -> Body:
        office = self.store.offices.get(estate["office"])
        return {
            "city": estate["city"],
            "company": self._company_ref(estate["company"]),
            "external_id": estate["landlord_object_id"] or "",
            "id": estate["id"],
            "images": self._images("estate_picture", estate["id"]),
            "name": estate["legal_name"],
            "number_of_apartments": len(self.store.apartments.where(lambda a: a["estate"] == estate["id"])),
            "office": {"id": estate["office"], "name": office["name"] if office else ""},
        }

    def _apartment_ref(self, apartment: Body) -> Body:
        listings = self.store.listings.where(lambda lst: lst["apartment"] == apartment["id"])
        return {
            "address": {
                "city": apartment["city"],
                "county": apartment["county"],
                "lgh": apartment["national_id"],
                "municipality": apartment["municipality"],
                "street_name": apartment["street_name"],
                "street_number": apartment["street_number"],
                "zip_code": apartment["zip_code"],
            },
            "amenities": amenities(apartment),
            "area": apartment["area"],
            "external_id": apartment.get("landlord_object_id") or "",
            "floor": apartment["floor"],
            "has_ad": any(lst["status"] in OPEN_STATUSES - {"draft"} for lst in listings),
            "has_draft": any(lst["status"] == "draft" for lst in listings),
            "has_rentals": any(lst["status"] == "rented" for lst in listings),
            "id": apartment["id"],
            "images": self._images("apartment_picture", apartment["id"]),
            "location": {"lat": apartment["latitude"], "lon": apartment["longitude"]},
            "notes_count": len(self.store.apartment_notes.where(lambda n: n["apartment"] == apartment["id"])),
            "rent": apartment["rent"],
            "rooms": apartment["rooms"],
        }

    def _stats(self) -> Body:
        return {
            "approval_status": {"accepted": 0, "processing": 0, "rejected": 0},
            "approval_status_for_contract_not_offered": {"accepted": 0, "processing": 0, "rejected": 0},
            "offer_status": {"no": 0, "pending": 0, "yes": 0},
            "timestamp": self._now(),
        }

    def _ad(self, listing: Body) -> Body:
        return {
            "access_on_agreement": listing["access_date"] is None,
            "assignments": [],
            "current_stats": self._stats(),
            "date_access": as_datetime(listing["access_date"]),
            "date_created": as_datetime(listing["created"]),
            "date_publish": as_datetime(listing["date_publish"]),
            "id": listing["id"],
            "is_short_lease": listing["is_short_lease"],
            "prior_access": listing["prior_access"],
            "short_lease_max_date": listing["short_lease_max_date"],
            "short_lease_min_date": listing["short_lease_min_date"],
            "status": listing["status"],
        }

    def _project_ref(self, estate: Body) -> Body | None:
        project = self.store.projects.get(estate["project"]) if estate.get("project") else None
        return {"id": project["id"], "name": project["name"]} if project else None

    def listing_detail(self, listing: Body) -> Body:
        apartment = self.store.apartments.get(listing["apartment"]) or {}
        estate = self.store.estates.get(apartment.get("estate")) or {}
        requirement = self.store.requirements.get(listing["requirement"]) if listing["requirement"] else None
        office = self.store.offices.get(apartment.get("office")) or {}
        apartment_view = {k: v for k, v in self._apartment_ref(apartment).items() if k not in _ELASTIC_ONLY}
        apartment_view["description"] = apartment.get("description") or ""
        apartment_view["videos"] = [
            {"position": m["position"], "private": m["private"], "url": self.views.media_url(m)}
            for m in sorted(
                self.store.media.where(lambda m: m["kind"] == "apartment_video" and m["parent"] == apartment["id"]),
                key=_order,
            )
        ]
        ad = self._ad(listing)
        ad.pop("nightly_stats", None)
        ad.update(
            {
                "approval_rejection_text": "",
                "batch_size": office.get("batch_size", 5),
                "candidate_sorting_mode": listing["candidate_sorting_mode"],
                "contract_system": listing["contract_system"],
                "is_quick_apply": listing["is_quick_apply"],
                "offer_notes": listing["offer_notes"],
                "prioritize_existing_tenants": listing["prioritize_customers"],
                "soft_requirements_id": listing["soft_requirements_id"],
                "start_processing_at": None,
            }
        )
        return {
            "apartment": apartment_view,
            "estate": {
                "company": self._company_ref(estate.get("company", 0)),
                "external_id": estate.get("landlord_object_id") or "",
                "id": estate.get("id", 0),
                "images": self._images("estate_picture", estate.get("id", 0)),
                "name": estate.get("legal_name", ""),
            },
            "object_ad": ad,
            "project": self._project_ref(estate) if estate else None,
            "requirements": {"id": requirement["id"], "name": requirement["name"]} if requirement else None,
        }

    # -- listings --------------------------------------------------------------------------------
    def _visible_apartment(self, caller: Caller, apartment_id: int) -> Body | None:
        apartment = self.store.apartments.get(apartment_id)
        if apartment is None or apartment["company"] != caller.company or apartment["office"] not in caller.offices:
            return None
        return apartment

    def _listing(self, caller: Caller, listing_id: int) -> Body | None:
        listing = self.store.listings.get(listing_id)
        if listing is None or listing["status"] == "deleted":
            return None
        return listing if self._visible_apartment(caller, listing["apartment"]) else None

    def _check_requirement(self, caller: Caller, requirement_id: int | None) -> None:
        if requirement_id is None:
            return
        requirement = self.store.requirements.get(requirement_id)
        if requirement is None or requirement["company"] != caller.company:
            raise PreconditionFailed(f"Requirement profile {requirement_id} does not exist.", code="MissingRequirement")

    def create_listing(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            apartment = self._visible_apartment(caller, body["apartment"])
            if apartment is None:
                raise PreconditionFailed(f"Apartment {body['apartment']} does not exist.", code="ApartmentDoesNotExist")
            if self.store.listings.first(
                lambda lst: lst["apartment"] == apartment["id"] and lst["status"] in OPEN_STATUSES
            ):
                raise PreconditionFailed("The apartment already has a listing.", code="ApartmentHasAd")
            if body.get("is_project_rental"):
                estate = self.store.estates.get(apartment["estate"]) or {}
                project = self.store.projects.get(estate.get("project")) if estate.get("project") else None
                if project is None:
                    raise PreconditionFailed("The estate is not linked to a project.", code="NoLinkedProject")
                if project["closed"]:
                    raise PreconditionFailed("The project is not active.", code="ProjectNotActive")
            draft = body.get("is_draft", False)
            if not draft and body.get("requirement") is None:
                raise PreconditionFailed("A published listing needs a requirement profile.", code="MissingRequirement")
            self._check_requirement(caller, body.get("requirement"))
            fields = {k: v for k, v in body.items() if k not in ("is_draft", "apartment")}
            record = listing_record(
                {
                    **fields,
                    "apartment": apartment["id"],
                    "status": "draft" if draft else "active",
                    "date_publish": body.get("date_publish") or (None if draft else self._now()),
                    "created": self._now(),
                }
            )
            return {"id": self.store.listings.insert(record)["id"]}

    def get_listing(self, caller: Caller, listing_id: int) -> Body:
        listing = self._listing(caller, listing_id)
        if listing is None:
            raise not_found("Listing", listing_id)
        return self.listing_detail(listing)

    def update_listing(self, caller: Caller, listing_id: int, body: Body) -> Body:
        with self.store.lock:
            listing = self._listing(caller, listing_id)
            if listing is None:
                raise PreconditionFailed(f"Listing {listing_id} does not exist.", code="AdDoesNotExist")
            changes = dict(body)
            if "requirement" in changes:
                self._check_requirement(caller, changes["requirement"])
            if changes.get("access_date"):
                changes["access_date"] = changes["access_date"][:10]
            low = changes.get("short_lease_min_date", listing["short_lease_min_date"])
            high = changes.get("short_lease_max_date", listing["short_lease_max_date"])
            if low and high and low > high:
                raise PreconditionFailed(
                    "The short lease's earliest date is after its latest date.", code="DateValidationError"
                )
            if "prioritize_customers" in changes:
                changes["prioritize_customers"] = bool(changes["prioritize_customers"])
            return self.listing_detail(self.store.listings.update(listing_id, changes))

    def delete_listing(self, caller: Caller, listing_id: int) -> None:
        with self.store.lock:
            listing = self._listing(caller, listing_id)
            if listing is None:
                raise PreconditionFailed(f"Listing {listing_id} does not exist.", code="NoSuchObjectAd")
            if listing["status"] in ("reserved", "rented", "approved"):
                raise PreconditionFailed(
                    f"A listing with status {listing['status']} cannot be deleted.", code="InvalidStatus"
                )
            self.store.listings.update(listing_id, {"status": "deleted"})

    @staticmethod
    def rejection_reasons() -> Body:
        return {"reasons": [dict(r) for r in REJECTION_REASONS]}

    def _reserved(self, caller: Caller, listing_id: int) -> Body:
        listing = self._listing(caller, listing_id)
        if listing is None:
            raise not_found("Listing", listing_id)
        if listing["status"] != "reserved":
            raise PreconditionFailed("The listing has no reserved candidate.", code="InvalidStatus")
        return listing

    def confirm_reservation(self, caller: Caller, listing_id: int) -> None:
        with self.store.lock:
            self._reserved(caller, listing_id)
            self.store.listings.update(listing_id, {"status": "approved"})

    def reject_reservation(self, caller: Caller, listing_id: int, reason: int) -> None:
        with self.store.lock:
            self._reserved(caller, listing_id)
            if reason not in {r["id"] for r in REJECTION_REASONS}:
                raise not_found("Rejection reason", reason)
            # The next candidate is offered: the listing is open again.
            self.store.listings.update(listing_id, {"status": "active", "reserved_candidate": None})

    # -- requirement profiles --------------------------------------------------------------------
    def _requirement(self, caller: Caller, requirement_id: int) -> Body:
        requirement = self.store.requirements.get(requirement_id)
        if requirement is None or requirement["company"] != caller.company:
            raise not_found("Requirement profile", requirement_id)
        return requirement

    def requirement_view(self, requirement: Body) -> Body:
        view = {k: v for k, v in requirement.items() if k not in ("company", "created", "updated")}
        view["ad_count"] = len(
            self.store.listings.where(
                lambda lst: lst["requirement"] == requirement["id"] and lst["status"] != "deleted"
            )
        )
        view["create_date"] = requirement["created"]
        view["update_date"] = requirement.get("updated") or requirement["created"]
        return view

    def list_requirements(self, caller: Caller) -> Body:
        records = self.store.requirements.where(lambda r: r["company"] == caller.company)
        return {"requirements": [self.requirement_view(r) for r in sorted(records, key=lambda r: r["id"])]}

    def create_requirement(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            parent = body.get("parent_requirements_id")
            if parent is not None and (self.store.requirements.get(parent) or {}).get("company") != caller.company:
                raise BadRequest(
                    f"parent_requirements_id: requirement profile {parent} does not exist.", code="ValidationError"
                )
            record = requirement_record({**body, "company": caller.company, "created": self._now()})
            return {"id": self.store.requirements.insert(record)["id"]}

    def get_requirement(self, caller: Caller, requirement_id: int) -> Body:
        return self.requirement_view(self._requirement(caller, requirement_id))

    def update_requirement(self, caller: Caller, requirement_id: int, body: Body) -> Body:
        with self.store.lock:
            self._requirement(caller, requirement_id)
            parent = body.get("parent_requirements_id")
            if parent is not None and (
                parent == requirement_id or (self.store.requirements.get(parent) or {}).get("company") != caller.company
            ):
                raise BadRequest(
                    f"parent_requirements_id: requirement profile {parent} cannot be the parent.",
                    code="ValidationError",
                )
            record = self.store.requirements.update(requirement_id, {**body, "updated": self._now()})
            return self.requirement_view(record)

    def delete_requirement(self, caller: Caller, requirement_id: int) -> None:
        with self.store.lock:
            requirement = self._requirement(caller, requirement_id)
            if self.requirement_view(requirement)["ad_count"]:
                raise PreconditionFailed("The requirement profile is used by listings.", code="HasAds")
            self.store.requirements.delete(requirement_id)

    # -- projects --------------------------------------------------------------------------------
    def project(self, caller: Caller, project_id: int) -> Body:
        project = self.store.projects.get(project_id)
        if project is None or project["company"] != caller.company or project["office"] not in caller.offices:
            raise not_found("Project", project_id)
        return project

    def _public_project(self, caller: Caller | None, project_id: int) -> tuple[Body, bool]:
        """A project and whether the caller sees its landlord view (others see published ones only)."""
        project = self.store.projects.get(project_id)
        if project is None:
            raise not_found("Project", project_id)
        landlord = bool(
            caller and caller.landlord and project["company"] == caller.company and project["office"] in caller.offices
        )
        if not landlord and not project["published"]:
            raise not_found("Project", project_id)
        return project, landlord

    def _project_apartments(self, project_id: int) -> list[Body]:
        estates = {e["id"] for e in self.store.estates.where(lambda e: e.get("project") == project_id)}
        return self.store.apartments.where(lambda a: a["estate"] in estates)

    @staticmethod
    def _status(project: Body) -> str:
        if project["closed"]:
            return "Closed"
        return "Published" if project["published"] else "Not published"

    def project_view(self, project: Body, landlord: bool) -> Body:
        apartments = self._project_apartments(project["id"])

        def span(field: str) -> list[float]:
            values = [float(a[field]) for a in apartments]
            return [min(values), max(values)] if values else []

        view: Body = {
            key: project[key]
            for key in (
                "id",
                "name",
                "info_header",
                "info_description",
                "candidate_sorting_mode",
                "contract_system",
                "closed",
                "close_date",
                "is_short_lease",
                "published",
                "publish_date",
                "show_area_info_module",
                "show_area_media_module",
                "show_email_collection_module",
                "show_freetext_module",
                "show_timeline_module",
            )
        }
        view.update(
            {
                "apartment_count": project["apartment_count"] or len(apartments),
                "area_info_header": project["area_info_header"] or "",
                "area_info_description": project["area_info_description"] or "",
                "external_id": project["external_id"],
                "landlord": {"id": project["company"]},
                "office": {"id": project["office"]},
                "logo": None,
                "public_profile_slug": "sweden-real-estate-ab",
                "range_information": {f: span(f) for f in ("area", "floor", "rent", "rooms")},
                "status": self._status(project),
            }
        )
        if project["preliminary_move_in_date"]:
            view["preliminary_move_in_date"] = project["preliminary_move_in_date"]
        if landlord:
            view["prioritize_existing_tenants"] = project["prioritize_existing_tenants"]
            view["viewing_notes"] = project["viewing_notes"]
            view["autopilot"] = {"state": "idle", "next_engagement": self._now()}
        else:
            view.pop("external_id")
            view["freetext_entries"] = self._entries(project["id"], "freetext")
        return view

    def _entries(self, project_id: int, kind: str) -> list[Body]:
        entries = self.store.project_entries.where(lambda e: e["project"] == project_id and e["kind"] == kind)
        key = (lambda e: (e["position"], e["id"])) if kind == "freetext" else (lambda e: (e["date"], e["id"]))
        fields = (
            ("id", "position", "title", "description") if kind == "freetext" else ("id", "date", "title", "description")
        )
        return [{f: e[f] for f in fields} for e in sorted(entries, key=key)]

    def list_projects(self, caller: Caller, external_id: str | None) -> Body:
        projects = self.store.projects.where(
            lambda p: (
                p["company"] == caller.company
                and p["office"] in caller.offices
                and (external_id is None or p["external_id"] == external_id)
            )
        )
        return {
            "projects": [
                {
                    "apartments": len(self._project_apartments(p["id"])),
                    "closed": p["closed"],
                    "external_id": p["external_id"],
                    "id": p["id"],
                    "name": p["name"],
                    "office": p["office"],
                    "published": p["published"],
                    "status": self._status(p),
                }
                for p in sorted(projects, key=lambda p: p["id"])
            ]
        }

    def create_project(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            office = body.get("office", caller.selected_office)
            if office not in caller.offices:
                raise Forbidden(f"Office {office} is not at or below your root office.", code="PermissionDenied")
            record = project_record(
                {
                    "company": caller.company,
                    "office": office,
                    "name": body["name"],
                    "external_id": body.get("external_id", ""),
                    "created": self._now(),
                }
            )
            project = self.store.projects.insert(record)
            return {"id": project["id"], "name": project["name"], "external_id": project["external_id"]}

    def get_project(self, caller: Caller | None, project_id: int) -> Body:
        project, landlord = self._public_project(caller, project_id)
        return self.project_view(project, landlord)

    def update_project(self, caller: Caller, project_id: int, body: Body) -> Body:
        with self.store.lock:
            project = self.project(caller, project_id)
            merged = {**project, **body}
            if body.get("published") and not project["published"]:
                if not merged["info_header"] or merged["location"] is None or merged["closed"]:
                    raise PreconditionFailed(
                        "A project needs an info header and a location, and must be open, to be published.",
                        code="ProjectNotPublishable",
                    )
                body = {**body, "publish_date": self.clock.today().isoformat()}
            if body.get("closed") and not project["closed"]:
                body = {**body, "close_date": self.clock.today().isoformat()}
            return self.project_view(self.store.projects.update(project_id, body), landlord=True)

    def delete_project(self, caller: Caller, project_id: int) -> None:
        with self.store.lock:
            project = self.project(caller, project_id)
            if project["published"]:
                raise PreconditionFailed("A published project cannot be deleted.", code="ProjectPublished")
            for estate in self.store.estates.where(lambda e: e.get("project") == project_id):
                self.store.estates.update(estate["id"], {"project": None})
            for entry in self.store.project_entries.where(lambda e: e["project"] == project_id):
                self.store.project_entries.delete(entry["id"])
            for medium in self.store.media.where(
                lambda m: m["kind"].startswith("project") and m["parent"] == project_id
            ):
                self.store.media.delete(medium["id"])
            self.store.projects.delete(project_id)

    def list_entries(self, caller: Caller | None, project_id: int, kind: str) -> Body:
        project, _ = self._public_project(caller, project_id)
        return {"results": self._entries(project["id"], kind)}

    def create_entry(self, caller: Caller, project_id: int, kind: str, body: Body) -> Body:
        with self.store.lock:
            self.project(caller, project_id)
            return {"id": self.store.project_entries.insert({**body, "kind": kind, "project": project_id})["id"]}

    def _entry(self, caller: Caller, project_id: int, kind: str, entry_id: int) -> Body:
        self.project(caller, project_id)
        entry = self.store.project_entries.get(entry_id)
        if entry is None or entry["project"] != project_id or entry["kind"] != kind:
            raise not_found("Entry", entry_id)
        return entry

    def update_entry(self, caller: Caller, project_id: int, kind: str, entry_id: int, body: Body) -> Body:
        with self.store.lock:
            self._entry(caller, project_id, kind, entry_id)
            self.store.project_entries.update(entry_id, body)
            return {"id": entry_id}

    def delete_entry(self, caller: Caller, project_id: int, kind: str, entry_id: int) -> None:
        with self.store.lock:
            self._entry(caller, project_id, kind, entry_id)
            self.store.project_entries.delete(entry_id)

    def get_location(self, caller: Caller | None, project_id: int) -> Body:
        project, _ = self._public_project(caller, project_id)
        return dict(project["location"] or {})

    def update_location(self, caller: Caller, project_id: int, body: Body) -> Body:
        with self.store.lock:
            self.project(caller, project_id)
            return dict(self.store.projects.update(project_id, {"location": dict(body)})["location"])

    def list_project_estates(self, caller: Caller, project_id: int) -> list[Body]:
        self.project(caller, project_id)
        result = []
        for estate in sorted(self.store.estates.where(lambda e: e.get("project") == project_id), key=_by_id):
            apartments = {a["id"] for a in self.store.apartments.where(field_is("estate", estate["id"]))}
            ads = [lst for lst in self.store.listings.all() if lst["apartment"] in apartments]
            ads = [lst for lst in ads if lst["status"] in OPEN_STATUSES]
            result.append(
                {"id": estate["id"], "name": estate["legal_name"], "apartments": len(apartments), "ads": len(ads)}
            )
        return result

    def _project_estate(self, caller: Caller, project_id: int, estate_id: int) -> tuple[Body, Body]:
        project = self.project(caller, project_id)
        estate = self.store.estates.get(estate_id)
        if estate is None or estate["company"] != caller.company or estate["office"] not in caller.offices:
            raise not_found("Estate", estate_id)
        return project, estate

    def add_project_estate(self, caller: Caller, project_id: int, estate_id: int) -> None:
        with self.store.lock:
            project, estate = self._project_estate(caller, project_id, estate_id)
            if project["closed"]:
                raise PreconditionFailed("The project is closed.", code="ProjectClosed")
            offices = [o for o in self.store.offices.all() if o["company"] == caller.company]
            if estate["office"] not in subtree(offices, project["office"]):
                raise PreconditionFailed(
                    "The estate's office is not at or below the project's office.", code="IllegalOfficeHierarchy"
                )
            if estate.get("project") is not None:
                raise PreconditionFailed("The estate is already in a project.", code="AlreadyInProject")
            self.store.estates.update(estate_id, {"project": project_id})

    def remove_project_estate(self, caller: Caller, project_id: int, estate_id: int) -> None:
        with self.store.lock:
            _, estate = self._project_estate(caller, project_id, estate_id)
            if estate.get("project") != project_id:
                raise PreconditionFailed("The estate is not in the project.", code="NotInProject")
            apartments = {a["id"] for a in self.store.apartments.where(lambda a: a["estate"] == estate_id)}
            if self.store.listings.first(lambda lst: lst["apartment"] in apartments and lst["status"] in OPEN_STATUSES):
                raise PreconditionFailed("The estate has listings in the project.", code="HasAds")
            self.store.estates.update(estate_id, {"project": None})

    def project_inventory(self, caller: Caller, project_id: int) -> Body:
        self.project(caller, project_id)
        results: list[Body] = []
        for apartment in sorted(self._project_apartments(project_id), key=_by_id):
            estate = self.store.estates.get(apartment["estate"]) or {}
            listing = next(
                (
                    lst
                    for lst in self.store.listings.where(field_is("apartment", apartment["id"]))
                    if lst["status"] != "deleted"
                ),
                None,
            )
            results.append(
                {
                    "apartment": {
                        "id": apartment["id"],
                        "landlord_object_id": apartment.get("landlord_object_id"),
                        "national_id": apartment["national_id"],
                        "notes_count": len(self.store.apartment_notes.where(field_is("apartment", apartment["id"]))),
                        "rent": apartment["rent"],
                        "rooms": apartment["rooms"],
                        "street": apartment["street_name"],
                        "street_number": apartment["street_number"],
                    },
                    "estate": {"id": estate.get("id", 0), "name": estate.get("legal_name", "")},
                    "object_ad": (
                        {
                            "applications": 0,
                            "id": listing["id"],
                            "move_in_date": as_datetime(listing["access_date"]),
                            "prior_access_available": listing["prior_access"],
                            "requirement": listing["requirement"],
                            "status": listing["status"],
                        }
                        if listing
                        else None
                    ),
                    "snapshots": [],
                }
            )
        return {"results": results}

    # -- inventory search ------------------------------------------------------------------------
    def inventory(self, caller: Caller, filters: Body, amount: int, offset: int) -> Body:
        root = caller.root_office if filters.get("use_root_office") else caller.selected_office
        offices = [o for o in self.store.offices.all() if o["company"] == caller.company]
        scope = subtree(offices, root or 0) & caller.offices
        estates = {
            e["id"]: e
            for e in self.store.estates.where(lambda e: e["company"] == caller.company and e["office"] in scope)
        }
        entries: list[Body] = []
        wanted = filters.get("type")
        for estate in sorted(estates.values(), key=_by_id):
            if filters.get("exclude_projects") and estate.get("project"):
                continue
            if filters.get("project.id") is not None and estate.get("project") != filters["project.id"]:
                continue
            estate_ref = self._estate_ref(estate)
            if _matches(filters, estate=estate) and wanted in (None, "estate"):
                entries.append(self._entry_view("estate", estate["id"], estate_ref))
            for apartment in sorted(self.store.apartments.where(field_is("estate", estate["id"])), key=_by_id):
                if not _matches(filters, estate=estate, apartment=apartment):
                    continue
                listings = [
                    lst
                    for lst in self.store.listings.where(field_is("apartment", apartment["id"]))
                    if lst["status"] != "deleted"
                ]
                context = {
                    "apartment": self._apartment_ref(apartment),
                    "estate": estate_ref,
                    "project": self._project_ref(estate),
                }
                if wanted in (None, "apartment") and filters.get("listing.status") is None:
                    entries.append(self._entry_view("apartment", apartment["id"], estate_ref, context))
                for listing in sorted(listings, key=_by_id):
                    if filters.get("listing.status") not in (None, listing["status"]):
                        continue
                    if filters.get("listing.employee.id") is not None:
                        continue  # the mock's listings have no assigned employees yet
                    if wanted in (None, "object_ad"):
                        ad_context = {**context, "object_ad": self._ad(listing), "requirements": self._req_ref(listing)}
                        entries.append(self._entry_view("object_ad", listing["id"], estate_ref, ad_context))
        return {"results": entries[offset : offset + amount], "total": len(entries)}

    def _req_ref(self, listing: Body) -> Body | None:
        requirement = self.store.requirements.get(listing["requirement"]) if listing["requirement"] else None
        if requirement is None:
            return None
        return {
            "allows_pets": requirement["pets"],
            "allows_smoking": requirement["smoking"],
            "is_senior": requirement["senior"],
            "is_student": requirement["student"],
            "is_youth": requirement["youth"],
            "pk": requirement["id"],
        }

    def _entry_view(self, kind: str, key: int, estate_ref: Body, context: Body | None = None) -> Body:
        view: Body = {"type": kind, "identifier": f"{kind}.{key}", "indexed_at": self._now(), "estate": estate_ref}
        if context:
            view.update(context)
            view.setdefault("requirements", None)
            view["reserved_application"] = None
        return view

    # -- public card search ----------------------------------------------------------------------
    def search_cards(self, body: Body) -> Body:
        cards: list[Body] = []
        for listing in self.store.listings.where(lambda lst: lst["status"] in PUBLIC_STATUSES):
            apartment = self.store.apartments.get(listing["apartment"])
            estate = self.store.estates.get(apartment["estate"]) if apartment else None
            if apartment is None or estate is None or not _card_matches(body, listing, apartment, estate):
                continue
            cards.append(self._card(listing, apartment, estate, extended=body.get("project") is not None))
        if body.get("card_type") != "normal" and body.get("project") is None:
            for project in self.store.projects.where(lambda p: p["published"] and not p["closed"]):
                if body.get("card_type") == "projects" or body.get("company") in (None, project["company"]):
                    cards.append(self._project_card(project))
        if body.get("card_type") == "projects":
            cards = [c for c in cards if c["type"] == "project"]
        field, _, direction = str(body.get("sorting", "publish_date.desc")).partition(".")
        cards.sort(key=lambda c: (_sort_value(c, field), c["id"]), reverse=direction == "desc")
        offset, amount = max(body.get("offset", 0), 0), max(body.get("amount", 10000), 0)
        page = cards[offset : offset + amount]
        for card in page:
            card.pop("_publish", None)
        if body.get("card_pin"):
            pins = [
                {"active_ads": c.get("active_ads", 1), "id": str(c["id"]), "location": c["location"], "type": c["type"]}
                for c in page
            ]
            return {"results": pins, "total_hits": len(cards)}
        return {"results": page, "total_hits": len(cards)}

    def _card(self, listing: Body, apartment: Body, estate: Body, extended: bool) -> Body:
        images = [
            {"caption": i["caption"], "image": i["url"], "position": i["position"]}
            for i in self._images("apartment_picture", apartment["id"])
        ]
        card: Body = {
            "boost_value": 1.0,
            "city": apartment["city"],
            "county": apartment["county"],
            "id": listing["id"],
            "images": images,
            "location": {"lat": apartment["latitude"], "lon": apartment["longitude"]},
            "municipality": apartment["municipality"],
            "references": {
                "apartment": apartment["id"],
                "company": estate["company"],
                "estate": estate["id"],
                "object_ad": listing["id"],
                "office": estate["office"],
                "project": estate.get("project"),
            },
            "type": "individual",
            "uri": f"/lagenhet/{listing['id']}-{apartment['rooms']:g}rum-{apartment['city'].lower()}",
            "videos": [],
            "area": apartment["area"],
            "audience": "everyone",
            "is_short_lease": listing["is_short_lease"],
            "rent": apartment["rent"],
            "rooms": apartment["rooms"],
            "title": f"{apartment['street_name']} {apartment['street_number']}",
            "_publish": listing["date_publish"] or "",
        }
        if listing["access_date"]:
            card["date_access"] = listing["access_date"][:10]
        if extended:
            card.update(
                {
                    "access_on_agreement": listing["access_date"] is None,
                    "floor": int(apartment["floor"]),
                    "description": apartment.get("description") or "",
                    "landlord_object_id": apartment.get("landlord_object_id") or "",
                    "prior_access_available": listing["prior_access"],
                    "sorting_mode": listing["candidate_sorting_mode"],
                    "status": PUBLIC_STATUSES[listing["status"]],
                    "address": {
                        "city": apartment["city"],
                        "county": apartment["county"],
                        "municipality": apartment["municipality"],
                        "street": apartment["street_name"],
                        "street_number": apartment["street_number"],
                        "zip": apartment["zip_code"],
                    },
                }
            )
        return card

    def _project_card(self, project: Body) -> Body:
        location = project["location"] or {}
        place = place_for_city(location.get("city", "Stockholm"))
        apartments = self._project_apartments(project["id"])
        rents = [a["rent"] for a in apartments] or [0]
        return {
            "boost_value": 0,
            "city": location.get("city", place[0]),
            "county": place[1],
            "id": project["id"],
            "images": [],
            "location": {"lat": location.get("latitude", place[2]), "lon": location.get("longitude", place[3])},
            "municipality": place[0],
            "references": {
                "apartment": None,
                "company": project["company"],
                "estate": None,
                "object_ad": None,
                "office": project["office"],
                "project": project["id"],
            },
            "type": "project",
            "uri": f"/projekt/{project['id']}",
            "videos": [],
            "active_ads": 0,
            "audience": ["everyone"],
            "date_access": [],
            "is_short_lease": [project["is_short_lease"]],
            "rent_range": [min(rents), max(rents)],
            "title": project["info_header"] or project["name"],
            "_publish": project["publish_date"] or "",
        }

    # -- agreements and digital contracts --------------------------------------------------------
    def list_agreements(self, caller: Caller, page: int, filters: Body) -> Body:
        def visible(agreement: Body) -> bool:
            if caller.landlord:
                return bool(agreement["company"] == caller.company)
            return bool(agreement["consumer"] == caller.id)

        records = [
            a
            for a in self.store.agreements.all()
            if visible(a)
            and filters.get("apartment_id") in (None, a["apartment"])
            and filters.get("rental_id") in (None, a["rental"])
            and (filters.get("signed_after") is None or a["signed"][:10] > filters["signed_after"])
        ]
        records.sort(key=_by_id)
        start = (page - 1) * PAGE_SIZE
        return {"results": [self._agreement(a) for a in records[start : start + PAGE_SIZE]], "total": len(records)}

    def _agreement(self, agreement: Body) -> Body:
        apartment = self.store.apartments.get(agreement["apartment"]) or {}
        company = self.store.companies.get(agreement["company"]) or {}
        images = self._images("apartment_picture", apartment.get("id", 0))
        return {
            "id": agreement["id"],
            "created": agreement["signed"],
            "apartment": {
                "city": apartment.get("city", ""),
                "country": "Sverige",
                "display_image": images[0]["url"] if images else "",
                "street": apartment.get("street_name", ""),
                "street_nr": apartment.get("street_number", ""),
            },
            "digital_contract": f"https://homeq-media-live.s3.amazonaws.com/digital_contracts/{agreement['digital_contract']}.pdf",
            "landlord": {"name": company.get("name", "")},
            "movello_session_url": f"https://www.movello.se/session/{agreement['id']}",
        }

    def verify_digital_contract(self, uuid: str | None) -> Body:
        agreement = self.store.agreements.first(lambda a: bool(uuid) and a["digital_contract"] == uuid)
        if agreement is None:
            raise not_found("Digital contract", uuid)
        consumer = self.store.consumers.get(agreement["consumer"]) or {}
        return {
            "is_valid": True,
            "signatories": [
                {
                    "first_name": consumer.get("first_name", ""),
                    "last_name": consumer.get("last_name", ""),
                    "signed_at": agreement["signed"],
                    "ssn": consumer.get("ssn", ""),
                }
            ],
        }


_ELASTIC_ONLY = ("has_ad", "has_draft", "has_rentals", "notes_count")


def amenities(apartment: Body) -> Body:
    return {
        "electricity_included": apartment["electricity_included"],
        "handicap_friendly": apartment["handicap_adapted"],
        "has_balcony": present(apartment["balcony"]),
        "has_bathtub": present(apartment["bathtub"]),
        "has_dishwasher": present(apartment["dishwasher"]),
        "has_drier": present(apartment["dryer"]),
        "has_elevator": apartment["elevator"],
        "has_garage": present(apartment["garage"]),
        "has_kitchen_fan": present(apartment["kitchen_fan"]),
        "has_pantry": apartment["pantry"],
        "has_parking": present(apartment["parking"]),
        "has_patio": apartment["patio"],
        "has_shower": apartment["shower"],
        "has_washing_machine": present(apartment["washing_machine"]),
        "heating_included": apartment["heating_included"],
        "internet_included": apartment["internet_included"],
        "tv_included": apartment["cable_package_included"],
        "water_included": apartment["water"] != "PAY_EXTRA",
    }


def field_is(field: str, value: Any) -> Callable[[Body], bool]:
    return lambda record: bool(record.get(field) == value)


def _by_id(record: Body) -> int:
    return int(record["id"])


def _order(medium: Body) -> tuple[int, int]:
    return (medium["position"], medium["id"])


def _matches(filters: Body, *, estate: Body, apartment: Body | None = None) -> bool:
    if filters.get("estate.id") not in (None, estate["id"]):
        return False
    if filters.get("estate.external_id") not in (None, estate["landlord_object_id"]):
        return False
    if apartment is None:
        return filters.get("apartment.id") is None and filters.get("apartment.external_id") is None
    if filters.get("apartment.id") not in (None, apartment["id"]):
        return False
    return filters.get("apartment.external_id") in (None, apartment.get("landlord_object_id"))


_CARD_AMENITIES = {
    "balcony": "balcony",
    "bathtub": "bathtub",
    "dishwasher": "dishwasher",
    "drier": "dryer",
    "elevator": "elevator",
    "garage": "garage",
    "handicap_friendly": "handicap_adapted",
    "kitchen_fan": "kitchen_fan",
    "parking": "parking",
    "patio": "patio",
    "washing_machine": "washing_machine",
}


def _card_matches(body: Body, listing: Body, apartment: Body, estate: Body) -> bool:
    for key, field in (("rent", "rent"), ("room", "rooms"), ("area", "area"), ("floor", "floor")):
        low, high = body.get(f"min_{key}"), body.get(f"max_{key}")
        if (low is not None and apartment[field] < low) or (high is not None and apartment[field] > high):
            return False
    if any(body.get(flag) and not present(apartment.get(field)) for flag, field in _CARD_AMENITIES.items()):
        return False
    if not body.get("paused") and listing["status"] == "paused":
        return False
    if not body.get("reserved") and listing["status"] == "reserved":
        return False
    for key, value in (("company", estate["company"]), ("estate", estate["id"]), ("project", estate.get("project"))):
        if body.get(key) is not None and body[key] != value:
            return False
    if body.get("ads") and listing["id"] not in body["ads"]:
        return False
    bounds = body.get("geo_bounds")
    if bounds and all(k in bounds for k in ("min_lat", "max_lat", "min_lng", "max_lng")):
        inside = bounds["min_lat"] <= apartment["latitude"] <= bounds["max_lat"]
        inside = inside and bounds["min_lng"] <= apartment["longitude"] <= bounds["max_lng"]
        if not inside:
            return False
    return True


def _sort_value(card: Body, field: str) -> Any:
    if field == "publish_date":
        return str(card.get("_publish", ""))
    if field == "rooms":
        return float(card.get("rooms", 0))
    value = card.get(field, 0)
    return float(value) if isinstance(value, int | float) else 0.0
