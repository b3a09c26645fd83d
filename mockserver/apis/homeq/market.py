"""HomeQ's market side: the views listings, cards and projects share, requirement profiles and
agreements. Listings live in ``listings``, projects in ``projects``, the searches in ``search``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mockserver.engine.clock import Clock, isoformat, parse
from mockserver.engine.problems import BadRequest, PreconditionFailed
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from .access import Caller
from .data import requirement_record
from .lookups import OPEN_STATUSES, place_for_city
from .rules import adjust_requirement, by_id, not_found
from .views import Views, present, thumbnail

Body = dict[str, Any]
#: The statuses of listings the public sees, with the names the extended card shows.
PUBLIC_STATUSES = {"active": "Active", "reserved": "Reserved", "paused": "Paused", "approved": "Approved"}
PAGE_SIZE = 20
#: What an apartment's reference is built from: its row, its listings' statuses, its images and
#: their files, its notes.
APARTMENT_REF_READS = Reads(tables=("apartments", "listings", "media", "file_references", "apartment_notes"))
#: What an estate's reference is built from: its row, its office, its company, its images and their
#: files, its apartments (their number).
ESTATE_REF_READS = Reads(row="estates", tables=("offices", "companies", "media", "file_references", "apartments"))
#: When HomeQ's nightly job counts the listings' applications (inferred: the docs do not say).
NIGHTLY_RUN = dt.time(2, 0)


def as_datetime(value: str | None) -> str | None:
    if value is None:
        return None
    return value if "T" in value else f"{value}T00:00:00Z"


class Market:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store)
        self._apartment_refs: ViewCache[Body] = ViewCache(store, clock, APARTMENT_REF_READS, size=512)
        self._estate_refs: ViewCache[Body] = ViewCache(store, clock, ESTATE_REF_READS, size=256)

    # -- shared views ----------------------------------------------------------------------------
    # These read the rows they need without copying them (under the store's lock) and answer new
    # containers of their scalar values: the inventory builds a score of them per page.
    def _images(self, kind: str, parent: int) -> list[Body]:
        images = []
        with self.store.lock:
            for m in self.views.stored_media(kind, parent):
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
        company = self.store.companies.peek(company_id)
        return {"id": company_id, "name": company["name"] if company else ""}

    def _estate_ref(self, estate_id: int) -> Body:
        estate = self.store.estates.peek(estate_id)
        assert estate is not None
        office = self.store.offices.peek(estate["office"])
        return {
            "city": estate["city"],
            "company": self._company_ref(estate["company"]),
            "external_id": estate["landlord_object_id"] or "",
            "id": estate["id"],
            "images": self._images("estate_picture", estate["id"]),
            "name": estate["legal_name"],
            "number_of_apartments": self.store.apartments.count(estate=estate["id"]),
            "office": {"id": estate["office"], "name": office["name"] if office else ""},
        }

    def shared_estate_ref(self, estate: Body) -> Body:
        """:meth:`_estate_ref`, built again only after a change in its row or in a table it reads
        (for the inventory's pages, which share it: callers must not change it)."""
        estate_id = estate["id"]
        with self.store.lock:
            return self._estate_refs.get(estate_id, lambda: self._estate_ref(estate_id))

    def apartment_refs_version(self) -> tuple[Any, ...]:
        """What apartments' references are built from, as it is now (the same for every apartment)."""
        return self._apartment_refs.version(None)

    def shared_apartment_ref(self, apartment: Body, version: tuple[Any, ...] | None = None) -> Body:
        """:meth:`_apartment_ref`, built again only after a change in a table it reads (for the
        inventory's pages, which share it: callers must not change it). ``version``: what
        :meth:`apartment_refs_version` gave under the lock the caller still holds."""
        apartment_id = apartment["id"]
        with self.store.lock:
            return self._apartment_refs.get(apartment_id, lambda: self._stored_apartment_ref(apartment_id), version)

    def _stored_apartment_ref(self, apartment_id: int) -> Body:
        apartment = self.store.apartments.peek(apartment_id)
        assert apartment is not None
        return self._apartment_ref(apartment)

    def _apartment_ref(self, apartment: Body) -> Body:
        with self.store.lock:
            statuses = {listing["status"] for listing in self.store.listings.peek_find(apartment=apartment["id"])}
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
            "has_ad": bool(statuses & (OPEN_STATUSES - {"draft"})),
            "has_draft": "draft" in statuses,
            "has_rentals": "rented" in statuses,
            "id": apartment["id"],
            "images": self._images("apartment_picture", apartment["id"]),
            "location": {"lat": apartment["latitude"], "lon": apartment["longitude"]},
            "notes_count": self.store.apartment_notes.count(apartment=apartment["id"]),
            "rent": apartment["rent"],
            "rooms": apartment["rooms"],
        }

    def _stats(self, stamp: str | None = None) -> Body:
        return {
            "approval_status": {"accepted": 0, "processing": 0, "rejected": 0},
            "approval_status_for_contract_not_offered": {"accepted": 0, "processing": 0, "rejected": 0},
            "offer_status": {"no": 0, "pending": 0, "yes": 0},
            "timestamp": stamp or self.clock.stamp(),
        }

    def nightly_stats(self, stamp: str) -> Body:
        """The statistics of the last nightly run before ``stamp``, which the inventory shows beside
        the current ones (as the docs' example does); like those, the mock's count nothing."""
        moment = parse(stamp)
        run = dt.datetime.combine(moment.date(), NIGHTLY_RUN, moment.tzinfo)
        if run > moment:
            run -= dt.timedelta(days=1)
        return {
            "approval_status": {"accepted": 0, "processing": 0, "rejected": 0},
            "offer_status": {"no": 0, "pending": 0, "yes": 0},
            "timestamp": isoformat(run),
        }

    def _ad(self, listing: Body, stamp: str | None = None) -> Body:
        """A listing's ``object_ad``; its statistics are of ``stamp`` (default: now)."""
        return {
            "access_on_agreement": listing["access_date"] is None,
            "assignments": [],
            "current_stats": self._stats(stamp),
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
        project = self.store.projects.peek(estate["project"]) if estate.get("project") else None
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
            for m in self.views.media("apartment_video", apartment["id"])
        ]
        ad = self._ad(listing)
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

    def application_info(self, application: Body) -> Body:
        return self.views.application_info(application)

    # -- requirement profiles --------------------------------------------------------------------
    def _requirement(self, caller: Caller, requirement_id: int) -> Body:
        requirement = self.store.requirements.get(requirement_id)
        if requirement is None or requirement["company"] != caller.company:
            raise not_found("Requirement profile", requirement_id)
        return requirement

    def requirement_view(self, requirement: Body) -> Body:
        view = {k: v for k, v in requirement.items() if k not in ("company", "created", "updated")}
        statuses = self.store.listings.values(("status",), requirement=requirement["id"])
        view["ad_count"] = sum(1 for (status,) in statuses if status != "deleted")
        view["create_date"] = requirement["created"]
        view["update_date"] = requirement.get("updated") or requirement["created"]
        return view

    def list_requirements(self, caller: Caller) -> Body:
        records = self.store.requirements.find(company=caller.company)
        return {"requirements": [self.requirement_view(r) for r in sorted(records, key=lambda r: r["id"])]}

    def create_requirement(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            parent = body.get("parent_requirements_id")
            if parent is not None and (self.store.requirements.get(parent) or {}).get("company") != caller.company:
                raise BadRequest(
                    f"parent_requirements_id: requirement profile {parent} does not exist.", code="ValidationError"
                )
            record = adjust_requirement(
                requirement_record({**body, "company": caller.company, "created": self.clock.stamp()})
            )
            return {"id": self.store.requirements.insert(record)["id"]}

    def get_requirement(self, caller: Caller, requirement_id: int) -> Body:
        return self.requirement_view(self._requirement(caller, requirement_id))

    def update_requirement(self, caller: Caller, requirement_id: int, body: Body) -> Body:
        with self.store.lock:
            current = self._requirement(caller, requirement_id)
            parent = body.get("parent_requirements_id")
            if parent is not None and (
                parent == requirement_id or (self.store.requirements.get(parent) or {}).get("company") != caller.company
            ):
                raise BadRequest(
                    f"parent_requirements_id: requirement profile {parent} cannot be the parent.",
                    code="ValidationError",
                )
            changes = adjust_requirement({**current, **body, "updated": self.clock.stamp()})
            record = self.store.requirements.update(requirement_id, changes)
            return self.requirement_view(record)

    def delete_requirement(self, caller: Caller, requirement_id: int) -> None:
        with self.store.lock:
            requirement = self._requirement(caller, requirement_id)
            if self.requirement_view(requirement)["ad_count"]:
                raise PreconditionFailed("The requirement profile is used by listings.", code="HasAds")
            self.store.requirements.delete(requirement_id)

    # -- projects (shared with the card search) --------------------------------------------------
    def _project_apartments(self, project_id: int) -> list[Body]:
        return [
            a
            for estate in self.store.estates.keys(project=project_id)
            for a in self.store.apartments.find(estate=estate)
        ]

    # -- cards (the public search's views) ------------------------------------------------------
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
        mine = (
            self.store.agreements.find(company=caller.company)
            if caller.landlord
            else self.store.agreements.find(consumer=caller.id)
        )
        records = [
            a
            for a in mine
            if filters.get("apartment_id") in (None, a["apartment"])
            and filters.get("rental_id") in (None, a["rental"])
            and (filters.get("signed_after") is None or a["signed"][:10] > filters["signed_after"])
        ]
        records.sort(key=by_id)
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
