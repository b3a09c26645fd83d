"""HomeQ's two searches: the landlord's inventory (``/api/v1/inventory``) and the public card search
(``/api/v3/cards/``).

Both answer from the store's indexes: the inventory counts each estate's entries from index
buckets and builds views only for the requested page, so a page costs about the same in a store of
a thousand apartments as in one of a hundred thousand; the card search walks only the listings in
a public status.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mockserver.clock import Clock
from mockserver.store import Store

from .access import Caller
from .rules import subtree
from .views import present

if TYPE_CHECKING:
    from .market import Market

Body = dict[str, Any]
PUBLIC_STATUSES = {"active": "Active", "reserved": "Reserved", "paused": "Paused", "approved": "Approved"}
#: Where a radius search without coordinates is centred (HomeQ estimates it from the IP address).
DEFAULT_CENTRE = (59.3293, 18.0686)
_NARROWING = ("apartment.id", "apartment.external_id", "listing.status", "listing.employee.id")


class Search:
    def __init__(self, store: Store, clock: Clock, market: Market) -> None:
        self.store = store
        self.clock = clock
        self.market = market

    # -- inventory -------------------------------------------------------------------------------
    def _scope(self, caller: Caller, filters: Body) -> set[int]:
        root = caller.root_office if filters.get("use_root_office") else caller.selected_office
        offices = self.store.offices.find(company=caller.company)
        return subtree(offices, root or 0) & caller.offices

    def _estates(self, caller: Caller, filters: Body) -> list[Body]:
        scope = self._scope(caller, filters)
        if filters.get("estate.id") is not None:
            found = self.store.estates.get(filters["estate.id"])
            estates = [found] if found else []
        elif filters.get("project.id") is not None:
            estates = self.store.estates.find(project=filters["project.id"])
        else:
            estates = self.store.estates.find(company=caller.company)
        return sorted(
            (
                e
                for e in estates
                if e["company"] == caller.company
                and e["office"] in scope
                and filters.get("estate.external_id") in (None, e["landlord_object_id"])
                and not (filters.get("exclude_projects") and e.get("project"))
            ),
            key=_by_id,
        )

    def _count(self, estate: Body, wanted: str | None) -> int:
        """How many entries an estate has when nothing narrows below the estate (indexes only)."""
        total = 1 if wanted in (None, "estate") else 0
        if wanted in (None, "apartment"):
            total += self.store.apartments.count(estate=estate["id"])
        if wanted in (None, "object_ad"):
            total += self.store.listings.count(estate=estate["id"])
        return total

    def _entries(self, estate: Body, wanted: str | None) -> Iterator[tuple[str, Body, Body | None]]:
        """The estate's entries in order: the estate, then each apartment followed by its listings."""
        if wanted in (None, "estate"):
            yield "estate", estate, None
        for apartment in sorted(self.store.apartments.find(estate=estate["id"]), key=_by_id):
            if wanted in (None, "apartment"):
                yield "apartment", apartment, None
            if wanted in (None, "object_ad"):
                for listing in sorted(self.store.listings.find(apartment=apartment["id"]), key=_by_id):
                    yield "object_ad", apartment, listing

    def inventory(self, caller: Caller, filters: Body, amount: int, offset: int) -> Body:
        wanted = filters.get("type")
        with self.store.lock:
            unfiltered = all(filters.get(k) is None for k in (*_NARROWING, "estate.id", "estate.external_id"))
            if unfiltered and filters.get("project.id") is None and not filters.get("exclude_projects"):
                return self._whole(caller, filters, wanted, amount, offset)
            narrowed = any(filters.get(k) is not None for k in _NARROWING)
            by_estate = any(filters.get(k) is not None for k in ("estate.id", "estate.external_id", "project.id"))
            if narrowed and not by_estate and not filters.get("exclude_projects"):
                # Only the estates' ids are needed: from the office index, without copies.
                scope = self._scope(caller, filters)
                ids = {key for office in scope for key in self.store.estates.keys(office=office)}
                return self._narrowed(ids, filters, wanted, amount, offset)
            estates = self._estates(caller, filters)
            if any(filters.get(k) is not None for k in _NARROWING):
                return self._narrowed(estates, filters, wanted, amount, offset)
            page: list[Body] = []
            total = 0
            for estate in estates:
                size = self._count(estate, wanted)  # from the indexes only
                if total + size > offset and total < offset + amount:
                    estate_ref = self.market._estate_ref(estate)
                    position = total
                    for kind, record, listing in self._entries(estate, wanted):
                        if position >= offset + amount:
                            break
                        if position >= offset:
                            page.append(self._entry(kind, estate, estate_ref, record, listing))
                        position += 1
                total += size
            return {"results": page, "total": total}

    def _whole(self, caller: Caller, filters: Body, wanted: str | None, amount: int, offset: int) -> Body:
        """Everything in the caller's offices: the total from per-office index counts, the page from
        the estates (in id order) up to the end of the page."""
        scope = self._scope(caller, filters)
        estate_ids = sorted(key for office in scope for key in self.store.estates.keys(office=office))
        total = len(estate_ids) if wanted in (None, "estate") else 0
        if wanted in (None, "apartment"):
            total += sum(self.store.apartments.count(office=office) for office in scope)
        if wanted in (None, "object_ad"):
            total += sum(self.store.listings.count(office=office) for office in scope)
        page: list[Body] = []
        position = 0
        for estate_id in estate_ids:
            if position >= offset + amount:
                break
            size = (
                (1 if wanted in (None, "estate") else 0)
                + (self.store.apartments.count(estate=estate_id) if wanted in (None, "apartment") else 0)
                + (self.store.listings.count(estate=estate_id) if wanted in (None, "object_ad") else 0)
            )
            if position + size > offset:
                estate = self.store.estates.get(estate_id)
                assert estate is not None
                estate_ref = self.market._estate_ref(estate)
                at = position
                for kind, record, listing in self._entries(estate, wanted):
                    if at >= offset + amount:
                        break
                    if at >= offset:
                        page.append(self._entry(kind, estate, estate_ref, record, listing))
                    at += 1
            position += size
        return {"results": page, "total": total}

    def _narrowed(
        self, estates: list[Body] | set[int], filters: Body, wanted: str | None, amount: int, offset: int
    ) -> Body:
        """An inventory narrowed below the estates: its hits come from the indexes of the filters."""
        scope = estates if isinstance(estates, set) else {e["id"] for e in estates}
        hits: list[tuple[int, int, int, str]] = []  # (estate, apartment, listing or 0, kind)
        apartment_id, external_id = filters.get("apartment.id"), filters.get("apartment.external_id")

        def apartment_matches(apartment: Body | None) -> bool:
            return (
                apartment is not None
                and apartment["estate"] in scope
                and apartment_id in (None, apartment["id"])
                and external_id in (None, apartment.get("landlord_object_id"))
            )

        if filters.get("listing.employee.id") is not None:
            pass  # the mock's listings have no assigned employees
        elif filters.get("listing.status") is not None:
            if wanted in (None, "object_ad"):
                by_apartment = apartment_id is not None or external_id is not None
                for listing in self.store.listings.find(status=filters["listing.status"]):
                    if listing["estate"] not in scope:
                        continue
                    if not by_apartment or apartment_matches(self.store.apartments.get(listing["apartment"])):
                        hits.append((listing["estate"], listing["apartment"], listing["id"], "object_ad"))
        else:
            if apartment_id is not None:
                found = self.store.apartments.get(apartment_id)
                apartments = [found] if found else []
            else:
                apartments = self.store.apartments.find(landlord_object_id=external_id)
            for apartment in filter(apartment_matches, apartments):
                if wanted in (None, "apartment"):
                    hits.append((apartment["estate"], apartment["id"], 0, "apartment"))
                if wanted in (None, "object_ad"):
                    for key in self.store.listings.keys(apartment=apartment["id"]):
                        hits.append((apartment["estate"], apartment["id"], key, "object_ad"))
        hits.sort()
        page = []
        refs: dict[int, Body] = {}
        for estate_id, apartment_key, listing_key, kind in hits[offset : offset + amount]:
            estate = self.store.estates.get(estate_id) or {}
            if estate_id not in refs:
                refs[estate_id] = self.market._estate_ref(estate)
            home = self.store.apartments.get(apartment_key) or {}
            ad = self.store.listings.get(listing_key) if listing_key else None
            page.append(self._entry(kind, estate, refs[estate_id], home, ad))
        return {"results": page, "total": len(hits)}

    def _entry(self, kind: str, estate: Body, estate_ref: Body, record: Body, listing: Body | None) -> Body:
        key = listing["id"] if listing else record["id"]
        view: Body = {
            "type": kind,
            "identifier": f"{kind}.{key}",
            "indexed_at": self.clock.stamp(),
            "estate": estate_ref,
        }
        if kind == "estate":
            return view
        view.update(
            {
                "apartment": self.market._apartment_ref(record),
                "project": self.market._project_ref(estate),
                "requirements": None,
                "reserved_application": None,
            }
        )
        if listing is not None:
            view["object_ad"] = self.market._ad(listing)
            view["requirements"] = self._req_ref(listing)
            view["reserved_application"] = self._winner(listing)
        return view

    def _winner(self, listing: Body) -> Body | None:
        """The winning application of a rented or deleted listing, the reserved one of a reserved one."""
        if listing.get("winner"):
            return dict(listing["winner"])
        if listing["status"] == "reserved" and listing.get("reserved_candidate"):
            application = self.store.applications.get(listing["reserved_candidate"])
            return self.market.application_info(application) if application else None
        return None

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

    # -- public card search ----------------------------------------------------------------------
    def search_cards(self, body: Body) -> Body:
        if _unfiltered(body):
            return self._unfiltered_cards(body)
        seen: dict[tuple[str, Any], Body | None] = {}
        project_id = body.get("project")
        centre = _centre(body)
        cards: list[Body] = []
        if body.get("card_type") != "projects" or project_id is not None:
            for listing in self._candidates(body):
                if listing["status"] in PUBLIC_STATUSES:
                    hit = self._individual(body, listing, centre, seen)
                    if hit is not None:
                        cards.append(hit)
        if body.get("card_type") != "normal" and project_id is None:
            for project in self.store.projects.find(published=True):
                if project["closed"] or body.get("company") not in (None, project["company"]):
                    continue
                card = self._project_card(project)
                if _geo_matches(body, centre, card["location"]["lat"], card["location"]["lon"]):
                    card["_distance"] = _distance(centre, card["location"]["lat"], card["location"]["lon"])
                    cards.append(card)
        field, _, direction = str(body.get("sorting", "publish_date.desc")).partition(".")
        cards.sort(key=lambda c: (_sort_value(c, field), c["id"]), reverse=direction == "desc")
        offset, amount = max(body.get("offset", 0), 0), max(body.get("amount", 10000), 0)
        return self._results(body, cards[offset : offset + amount], len(cards))

    def _unfiltered_cards(self, body: Body) -> Body:
        """A search without filters, sorted by publish date or boost: sorted from the listings'
        scalar fields (no copies), and cards built for the requested page only."""
        statuses = ["active", "approved"] + [s for s in ("paused", "reserved") if body.get(s)]
        field, _, direction = str(body.get("sorting", "publish_date.desc")).partition(".")
        keys: list[tuple[Any, int, str]] = []
        if body.get("card_type") != "projects":
            for status in statuses:
                fields = ("id", "date_publish", "is_project_rental", "candidate_sorting_mode")
                for key, published, project_rental, mode in self.store.listings.values(fields, status=status):
                    if not project_rental and body.get(mode, True):
                        value = str(published or "") if field == "publish_date" else _boost(key)
                        keys.append((value, key, "individual"))
        projects: dict[int, Body] = {}
        if body.get("card_type") != "normal":
            for project in self.store.projects.find(published=True):
                if not project["closed"]:
                    projects[project["id"]] = self._project_card(project)
                    value = str(project["publish_date"] or "") if field == "publish_date" else 0.0
                    keys.append((value, project["id"], "project"))
        offset, amount = max(body.get("offset", 0), 0), max(body.get("amount", 10000), 0)
        # Only the hits up to the end of the page need ordering.
        pick = heapq.nlargest if direction == "desc" else heapq.nsmallest
        ordered = pick(offset + amount, keys, key=lambda k: (k[0], k[1]))
        hits: list[Body] = []
        seen: dict[tuple[str, Any], Body | None] = {}
        for _, key, kind in ordered[offset:]:
            if kind == "project":
                hits.append(projects[key])
                continue
            listing = self.store.listings.get(key)
            hit = self._individual(body, listing, _centre(body), seen) if listing else None
            if hit is not None:
                hits.append(hit)
        return self._results(body, hits, len(keys))

    def _results(self, body: Body, hits: list[Body], total: int) -> Body:
        if body.get("card_pin"):
            pins = [
                {"active_ads": c.get("active_ads", 1), "id": str(c["id"]), "location": c["location"], "type": c["type"]}
                for c in hits
            ]
            return {"results": pins, "total_hits": total}
        extended = body.get("project") is not None
        return {"results": [self._card(hit, extended) for hit in hits], "total_hits": total}

    def _candidates(self, body: Body) -> list[Body]:
        """The listings a search can hit, narrowed by the indexes when it names ads, an estate or a
        project (everything else is checked listing by listing)."""
        ads = body.get("project_ads") if body.get("project") is not None else body.get("ads")
        if ads:
            return [found for key in dict.fromkeys(ads) if (found := self.store.listings.get(key)) is not None]
        if body.get("estate") is not None:
            return self.store.listings.find(estate=body["estate"])
        if body.get("project") is not None:
            estates = self.store.estates.keys(project=body["project"])
            return [lst for estate in estates for lst in self.store.listings.find(estate=estate)]
        return [lst for status in PUBLIC_STATUSES for lst in self.store.listings.find(status=status)]

    def _memo(self, seen: dict[tuple[str, Any], Body | None], table: str, key: Any) -> Body | None:
        """A record read once per search (a search reads the same estates and profiles many times)."""
        if (table, key) not in seen:
            seen[table, key] = getattr(self.store, table).get(key)
        return seen[table, key]

    def _individual(
        self, body: Body, listing: Body, centre: tuple[float, float], seen: dict[tuple[str, Any], Body | None]
    ) -> Body | None:
        """The listing as a search hit (its sort values and records), or None when it does not match."""
        project_id = body.get("project")
        # A project's own rentals are shown on its project card, or listed when searching the project.
        if listing["is_project_rental"] and project_id is None:
            return None
        if not body.get("paused") and listing["status"] == "paused" and body.get("company") is None:
            return None
        if not body.get("reserved") and listing["status"] == "reserved" and body.get("company") is None:
            return None
        if not body.get(listing["candidate_sorting_mode"], True):
            return None
        ads = body.get("project_ads") if project_id is not None else body.get("ads")
        if ads and listing["id"] not in ads:
            return None
        apartment = self.store.apartments.get(listing["apartment"])
        estate = self._memo(seen, "estates", apartment["estate"]) if apartment else None
        if apartment is None or estate is None or not _card_matches(body, apartment, estate):
            return None
        requirement = self._memo(seen, "requirements", listing["requirement"]) if listing["requirement"] else None
        if body.get("pets") and not (requirement and requirement["pets"]):
            return None
        audience = _audience(requirement)
        if body.get("tags") and audience not in body["tags"]:
            return None
        if not _geo_matches(body, centre, apartment["latitude"], apartment["longitude"]):
            return None
        # A hit, not yet a card: the card is built only if the hit lands on the requested page.
        return {
            "id": listing["id"],
            "type": "individual",
            "_publish": listing["date_publish"] or "",
            "_distance": _distance(centre, apartment["latitude"], apartment["longitude"]),
            "boost_value": _boost(listing["id"]),
            "rent": apartment["rent"],
            "area": apartment["area"],
            "rooms": apartment["rooms"],
            "floor": apartment["floor"],
            "location": {"lat": apartment["latitude"], "lon": apartment["longitude"]},
            "audience": audience,
            "_records": (listing, apartment, estate),
        }

    def _card(self, hit: Body, extended: bool) -> Body:
        if hit["type"] != "individual":
            return {k: v for k, v in hit.items() if not k.startswith("_")}
        listing, apartment, estate = hit["_records"]
        card = self.market._card(listing, apartment, estate, extended)
        card.pop("_publish", None)
        card["audience"] = hit["audience"]
        card["boost_value"] = hit["boost_value"]
        return card

    def _project_card(self, project: Body) -> Body:
        card = self.market._project_card(project)
        estates = self.store.estates.keys(project=project["id"])
        active = 0
        for estate in estates:
            active += sum(
                1
                for lst in self.store.listings.find(estate=estate)
                if lst["status"] == "active" and lst["is_project_rental"]
            )
        card["active_ads"] = active
        return card


#: What a card search may send without filtering (paging, sorting, what to show).
_NOT_FILTERS = frozenset(
    {"offset", "amount", "sorting", "card_type", "card_pin", "paused", "reserved"}
    | {"first_come_first", "queue_points", "random"}
)


def _unfiltered(body: Body) -> bool:
    """Whether a search filters nothing and sorts by a listing's own field (publish date, boost)."""
    sorting = str(body.get("sorting", "publish_date.desc"))
    return sorting.split(".")[0] in ("publish_date", "boost_value") and all(
        key in _NOT_FILTERS or value in (None, False, [], {}) for key, value in body.items()
    )


def _by_id(record: Body) -> int:
    return int(record["id"])


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


def _card_matches(body: Body, apartment: Body, estate: Body) -> bool:
    for key, field in (("rent", "rent"), ("room", "rooms"), ("area", "area"), ("floor", "floor")):
        low, high = body.get(f"min_{key}"), body.get(f"max_{key}")
        if (low is not None and apartment[field] < low) or (high is not None and apartment[field] > high):
            return False
    if any(body.get(flag) and not present(apartment.get(field)) for flag, field in _CARD_AMENITIES.items()):
        return False
    for key, value in (("company", estate["company"]), ("estate", estate["id"]), ("project", estate.get("project"))):
        if body.get(key) is not None and body[key] != value:
            return False
    bounds = body.get("geo_bounds")
    if bounds and all(k in bounds for k in ("min_lat", "max_lat", "min_lng", "max_lng")):
        inside = bounds["min_lat"] <= apartment["latitude"] <= bounds["max_lat"]
        return bool(inside and bounds["min_lng"] <= apartment["longitude"] <= bounds["max_lng"])
    return True


def _audience(requirement: Body | None) -> str:
    for flag in ("senior", "student", "youth"):
        if requirement and requirement.get(flag):
            return flag
    return "everyone"


def _boost(listing_id: int) -> float:
    """A stable per-listing boost between 1 and 2 (HomeQ's promotion weight)."""
    return 1 + hashlib.sha256(str(listing_id).encode()).digest()[0] / 255


def _centre(body: Body) -> tuple[float, float]:
    radius = body.get("geo_radius") or {}
    lat, lon = radius.get("latitude"), radius.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return DEFAULT_CENTRE


def _radius_km(text: Any) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(km|m|mi)?\s*", str(text or ""))
    if match is None:
        return None
    value = float(match.group(1))
    return {"km": value, "m": value / 1000, "mi": value * 1.609344}[match.group(2) or "km"]


def _geo_matches(body: Body, centre: tuple[float, float], lat: float, lon: float) -> bool:
    radius = _radius_km((body.get("geo_radius") or {}).get("radius"))
    return radius is None or _distance(centre, lat, lon) <= radius


def _distance(centre: tuple[float, float], lat: float, lon: float) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (centre[0], centre[1], lat, lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _sort_value(card: Body, field: str) -> Any:
    if field == "publish_date":
        return str(card.get("_publish", ""))
    if field == "distance":
        return float(card.get("_distance", 0.0))
    if field == "rooms":
        return float(card.get("rooms", 0))
    if field == "rent" and "rent_range" in card:
        return float(card["rent_range"][0])
    value = card.get(field, 0)
    return float(value) if isinstance(value, int | float) else 0.0
