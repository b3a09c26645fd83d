"""HomeQ's two searches: the landlord's inventory (``/api/v1/inventory``) and the public card search
(``/api/v3/cards/``).

Both answer from indexes: the inventory counts each estate's entries from the store's index
buckets and builds views only for the requested page, so a page costs about the same in a store of
a thousand apartments as in one of a hundred thousand; the card search filters and orders public
listings in the card index (:mod:`.cardindex`, numpy columns kept up to date on every write) and
reads records only for the cards on the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mockserver.engine.clock import Clock
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from .access import Caller
from .cardindex import CardIndex, audience, boost, publish_moment
from .entries import Page
from .estateorder import EstateOrder
from .rules import by_id, subtree

if TYPE_CHECKING:
    from .market import Market

Body = dict[str, Any]
#: Where a radius search without coordinates is centred (HomeQ estimates it from the IP address).
DEFAULT_CENTRE = (59.3293, 18.0686)
#: The largest inventory page that is remembered (:class:`~mockserver.engine.viewcache.ViewCache`).
CACHED_PAGE_SIZE = 100
_NARROWING = ("apartment.id", "apartment.external_id", "listing.status", "listing.employee.id")
#: What an inventory page is built from: anything in the store, and the second of its ``indexed_at``.
PAGE_READS = Reads(every_table=True, clock=True)
#: A page of apartments or listings only: the same, but for new estates (an estate is created
#: without apartments or listings, so a new one adds no entry of these kinds and changes no other
#: estate's; an update or delete of one still counts).
ENTRY_PAGE_READS = Reads(every_table=True, except_inserts=("estates",), clock=True)
#: The inventory pages of these ``type`` s show no estates.
_BELOW_ESTATES = ("apartment", "object_ad")


class Search:
    def __init__(self, store: Store, clock: Clock, market: Market) -> None:
        self.store = store
        self.clock = clock
        self.market = market
        self.cards = CardIndex(store)
        self.estate_order = EstateOrder(store)
        self._pages: ViewCache[Body] = ViewCache(store, clock, PAGE_READS, size=32)
        self._entry_pages: ViewCache[Body] = ViewCache(store, clock, ENTRY_PAGE_READS, size=32)

    # -- inventory -------------------------------------------------------------------------------
    def _scope(self, caller: Caller, filters: Body) -> set[int]:
        root = caller.root_office if filters.get("use_root_office") else caller.selected_office
        return subtree(self.store.offices.peek_find(company=caller.company), root or 0) & caller.offices

    def _estates(self, caller: Caller, filters: Body) -> list[Body]:
        """The estates in scope that the filters choose: the stored rows, read only."""
        scope = self._scope(caller, filters)
        table = self.store.estates
        if filters.get("estate.id") is not None:
            keys = [filters["estate.id"]]
        elif filters.get("project.id") is not None:
            keys = table.keys(project=filters["project.id"])
        else:
            keys = table.keys(company=caller.company)
        estates = [row for row in map(table.peek, keys) if row is not None]  # read only
        return sorted(
            (
                e
                for e in estates
                if e["company"] == caller.company
                and e["office"] in scope
                and filters.get("estate.external_id") in (None, e["landlord_object_id"])
                and not (filters.get("exclude_projects") and e.get("project"))
            ),
            key=by_id,
        )

    def _count(self, estate_id: int, wanted: str | None) -> int:
        """How many entries an estate has when nothing narrows below the estate (indexes only)."""
        total = 1 if wanted in (None, "estate") else 0
        if wanted in (None, "apartment"):
            total += self.store.apartments.count(estate=estate_id)
        if wanted in (None, "object_ad"):
            total += self.store.listings.count(estate=estate_id)
        return total

    def _slice(self, page: Page, estate: Body, wanted: str | None, start: int, offset: int, amount: int) -> None:
        """Adds to ``page`` the estate's entries that fall on ``offset:offset + amount``, its first
        entry being at position ``start`` of the whole inventory."""
        for at, (kind, record, listing) in enumerate(self._entries(estate, wanted), start):
            if at >= offset + amount:
                break
            if at >= offset:
                page.add(kind, estate, record, listing)

    def _entries(self, estate: Body, wanted: str | None) -> Iterator[tuple[str, Body, Body | None]]:
        """The estate's entries in order: the estate, then each apartment followed by its listings
        (the stored rows, read only; keys are ids, so key order is id order)."""
        if wanted in (None, "estate"):
            yield "estate", estate, None
        apartments, listings = self.store.apartments, self.store.listings
        for key in sorted(apartments.keys(estate=estate["id"])):
            apartment = apartments.peek(key)
            assert apartment is not None
            if wanted in (None, "apartment"):
                yield "apartment", apartment, None
            if wanted in (None, "object_ad"):
                for listing_key in sorted(listings.keys(apartment=key)):
                    listing = listings.peek(listing_key)
                    assert listing is not None
                    yield "object_ad", apartment, listing

    def inventory(self, caller: Caller, filters: Body, amount: int, offset: int) -> Body:
        """A page of the caller's inventory: built again only after a change in the store or when
        the second of its ``indexed_at`` moves on (a shared view: callers must not change it)."""
        if amount > CACHED_PAGE_SIZE:  # a cache of such pages would hold megabytes
            return self._inventory(caller, filters, amount, offset)
        pages = self._entry_pages if filters.get("type") in _BELOW_ESTATES else self._pages
        with self.store.lock:
            key = (caller, frozenset(filters.items()), amount, offset)
            return pages.get(key, lambda: self._inventory(caller, filters, amount, offset))

    def _inventory(self, caller: Caller, filters: Body, amount: int, offset: int) -> Body:
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
            if narrowed:
                return self._narrowed({e["id"] for e in estates}, filters, wanted, amount, offset)
            page = Page(self.store, self.market, self.clock.stamp())
            total = 0
            for estate in estates:
                size = self._count(estate["id"], wanted)  # from the indexes only
                if total + size > offset and total < offset + amount:
                    self._slice(page, estate, wanted, total, offset, amount)
                total += size
            return {"results": page.results, "total": total}

    def _whole(self, caller: Caller, filters: Body, wanted: str | None, amount: int, offset: int) -> Body:
        """Everything in the caller's offices: the total from per-office index counts, the page from
        the estates (in id order) up to the end of the page."""
        scope = self._scope(caller, filters)
        total = sum(self.store.estates.count(office=office) for office in scope) if wanted in (None, "estate") else 0
        if wanted in (None, "apartment"):
            total += sum(self.store.apartments.count(office=office) for office in scope)
        if wanted in (None, "object_ad"):
            total += sum(self.store.listings.count(office=office) for office in scope)
        page = Page(self.store, self.market, self.clock.stamp())
        position = 0
        for estate_id in self.estate_order.in_order(scope):  # only as far as the page reaches
            if position >= offset + amount:
                break
            size = self._count(estate_id, wanted)
            if position + size > offset:
                estate = self.store.estates.peek(estate_id)
                assert estate is not None
                self._slice(page, estate, wanted, position, offset, amount)
            position += size
        return {"results": page.results, "total": total}

    def _narrowed(self, scope: set[int], filters: Body, wanted: str | None, amount: int, offset: int) -> Body:
        """An inventory narrowed below the estates (``scope``: the estates' ids): its hits come from
        the indexes of the filters."""
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
                fields = ("id", "estate", "apartment")
                for key, estate_id, home in self.store.listings.values(fields, status=filters["listing.status"]):
                    if estate_id not in scope:
                        continue
                    if not by_apartment or apartment_matches(self.store.apartments.peek(home)):
                        hits.append((estate_id, home, key, "object_ad"))
        else:
            table = self.store.apartments
            keys = [apartment_id] if apartment_id is not None else table.keys(landlord_object_id=external_id)
            for apartment in filter(apartment_matches, map(table.peek, keys)):
                assert apartment is not None
                if wanted in (None, "apartment"):
                    hits.append((apartment["estate"], apartment["id"], 0, "apartment"))
                if wanted in (None, "object_ad"):
                    for key in self.store.listings.keys(apartment=apartment["id"]):
                        hits.append((apartment["estate"], apartment["id"], key, "object_ad"))
        hits.sort()
        page = Page(self.store, self.market, self.clock.stamp())
        estates, apartments, listings = self.store.estates, self.store.apartments, self.store.listings
        for estate_id, apartment_key, listing_key, kind in hits[offset : offset + amount]:
            estate = estates.peek(estate_id) or {}
            home = apartments.peek(apartment_key) or {}
            page.add(kind, estate, home, listings.peek(listing_key) if listing_key else None)
        return {"results": page.results, "total": len(hits)}

    # -- public card search ----------------------------------------------------------------------
    def search_cards(self, body: Body) -> Body:
        """Individual cards come from the card index (filtered and ordered there, records read for
        the page only); project cards, a handful, are built and checked here."""
        project_id = body.get("project")
        centre = _centre(body)
        radius = _radius_km((body.get("geo_radius") or {}).get("radius"))
        field, _, direction = str(body.get("sorting", "publish_date.desc")).partition(".")
        descending = direction == "desc"
        offset, amount = max(body.get("offset", 0), 0), max(body.get("amount", 10000), 0)
        with self.store.lock:
            ranked: list[tuple[float, int, Body | None]] = []  # (sort value, id, project card or None)
            total = 0
            if body.get("card_type") != "projects" or project_id is not None:
                matches = self.cards.match(body, centre, radius, field == "distance")
                total += len(matches)
                ranked.extend((value, key, None) for value, key in matches.top(field, descending, offset + amount))
            if body.get("card_type") != "normal" and project_id is None:
                for project in self.store.projects.find(published=True):
                    if project["closed"] or body.get("company") not in (None, project["company"]):
                        continue
                    card = self._project_card(project)
                    distance = _distance(centre, card["location"]["lat"], card["location"]["lon"])
                    if radius is None or distance <= radius:
                        card["_distance"] = distance
                        ranked.append((_sort_value(card, field), project["id"], card))
                        total += 1
            ranked.sort(key=lambda r: (r[0], r[1]), reverse=descending)
            hits = [card if card is not None else self._hit(key) for _, key, card in ranked[offset : offset + amount]]
            return self._results(body, hits, total)

    def _results(self, body: Body, hits: list[Body], total: int) -> Body:
        if body.get("card_pin"):
            pins = [
                {"active_ads": c.get("active_ads", 1), "id": str(c["id"]), "location": c["location"], "type": c["type"]}
                for c in hits
            ]
            return {"results": pins, "total_hits": total}
        extended = body.get("project") is not None
        return {"results": [self._card(hit, extended) for hit in hits], "total_hits": total}

    def _hit(self, key: int) -> Body:
        """A listing on the requested page (the index has matched it), with the records its card
        shows."""
        listing = self.store.listings.get(key)
        assert listing is not None
        apartment = self.store.apartments.get(listing["apartment"]) or {}
        estate = self.store.estates.get(apartment["estate"]) or {}
        requirement = self.store.requirements.get(listing["requirement"]) if listing["requirement"] else None
        return {
            "id": key,
            "type": "individual",
            "location": {"lat": apartment["latitude"], "lon": apartment["longitude"]},
            "audience": audience(requirement),
            "boost_value": boost(key),
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
        card["active_ads"] = sum(
            1
            for estate in self.store.estates.keys(project=project["id"])
            for status, rental in self.store.listings.values(("status", "is_project_rental"), estate=estate)
            if status == "active" and rental
        )
        return card


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


def _distance(centre: tuple[float, float], lat: float, lon: float) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (centre[0], centre[1], lat, lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _sort_value(card: Body, field: str) -> float:
    """A project card's value for ``sorting`` (individual cards are ordered by the card index)."""
    if field == "publish_date":
        return publish_moment(card.get("_publish"))
    if field == "distance":
        return float(card.get("_distance", 0.0))
    if field == "rooms":
        return float(card.get("rooms", 0))
    if field == "rent" and "rent_range" in card:
        return float(card["rent_range"][0])
    value = card.get(field, 0)
    return float(value) if isinstance(value, int | float) else 0.0
