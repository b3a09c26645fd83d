"""Listings (object ads) as a state machine, their applications and the reservation flow.

Statuses: ``draft`` (not published) → published: ``active`` at once when ``date_publish`` is empty
or past, else ``approved`` (scheduled; back to ``draft``, or ``active`` now) until that date, when a
background process takes it to ``publishing`` and, a few seconds later, ``active``;
``active`` ⇄ ``paused``; ``active`` → ``reserved`` (the best applicant is chosen; the
``reservation`` webhook) → confirmed: ``rented`` (an agreement and the signing webhooks), closed
(``closing``) by a background process a few seconds later; rejected: ``active`` again. Deleting
(only from approved, active, draft or paused; not while publishing) marks a listing ``deleted``
and removes its applications; the background process removes the listing a few seconds later.
"Background processes" here are sweeps on the mock's clock at the start of every HomeQ call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from mockserver.engine.clock import Clock, parse
from mockserver.engine.problems import Forbidden, PreconditionFailed
from mockserver.engine.store import Store

from .access import Caller
from .data import listing_record
from .events import Events, signatory
from .limits import RateLimiter
from .lookups import OPEN_STATUSES, REJECTION_REASONS
from .rules import not_found

if TYPE_CHECKING:
    from .market import Market

Body = dict[str, Any]
DELETABLE = frozenset({"approved", "active", "draft", "paused"})
#: The status changes ``PATCH`` may make (reservations are confirmed or rejected by their own calls,
#: deletion is ``DELETE``, ``publishing`` is the background process's). Publishing a draft with
#: ``active`` or ``approved`` gives either, by its ``date_publish``.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "approved"}),
    "approved": frozenset({"draft", "active", "closing"}),
    "publishing": frozenset(),
    "active": frozenset({"paused", "reserved", "closing"}),
    "paused": frozenset({"active", "closing"}),
    "reserved": frozenset(),
    "rented": frozenset(),
    "closing": frozenset(),
    "deleted": frozenset(),
    "rejected": frozenset({"draft"}),
}
#: How long HomeQ's background processes take to publish a listing whose date has come, close a
#: rented listing or remove a deleted one.
BACKGROUND = dt.timedelta(seconds=5)
#: Later than any background job is ever due.
NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
#: Listing reads allowed per user and minute.
READS_PER_MINUTE = 60


class Listings:
    def __init__(self, store: Store, clock: Clock, market: Market, events: Events) -> None:
        self.store = store
        self.clock = clock
        self.market = market
        self.events = events
        self.reads = RateLimiter(clock, READS_PER_MINUTE)
        #: The first moment at which :meth:`settle` has something to do (``None``: unknown, after
        #: any write to the listings), so that the calls in between (nearly all) cost a comparison.
        self._next_due: dt.datetime | None = None
        store.listings.watch(self._listings_changed)

    def _listings_changed(self, key: Any) -> None:
        self._next_due = None

    # -- background processes --------------------------------------------------------------------
    def settle(self) -> None:
        """What HomeQ's background jobs would have done by now: start publishing scheduled listings
        whose date has come and finish publishing them, close rented ones and remove deleted ones.
        The handlers call it once at the start of every HomeQ call, before anything below runs."""
        now = self.clock.now()
        listings = self.store.listings
        with self.store.lock:
            if self._next_due is not None and now < self._next_due:
                return
            due: list[dt.datetime] = []  # when each listing still waiting for a job is next due
            for key, publishing_at in listings.values(("id", "publishing_at"), status="publishing"):
                if not publishing_at or parse(publishing_at) + BACKGROUND <= now:
                    listings.update(key, {"status": "active"})
                else:
                    due.append(parse(publishing_at) + BACKGROUND)
            # After the publishing sweep, so that a listing shows ``publishing`` for its while.
            for key, date_publish in listings.values(("id", "date_publish"), status="approved"):
                if _moment(date_publish) <= now:
                    stamp = self.clock.stamp()
                    listings.update(key, {"status": "publishing", "publishing_at": stamp})
                    due.append(parse(stamp) + BACKGROUND)
                else:
                    due.append(_moment(date_publish))
            for key, rented_at in listings.values(("id", "rented_at"), status="rented"):
                if rented_at and parse(rented_at) + BACKGROUND <= now:
                    listings.update(key, {"status": "closing"})
                elif rented_at:
                    due.append(parse(rented_at) + BACKGROUND)
            for key, deleted_at in listings.values(("id", "deleted_at"), status="deleted"):
                if deleted_at and parse(deleted_at) + BACKGROUND <= now:
                    listings.delete(key)
                elif deleted_at:
                    due.append(parse(deleted_at) + BACKGROUND)
            self._next_due = min(due, default=NEVER)

    # -- lookups ---------------------------------------------------------------------------------
    def _apartment(self, caller: Caller, apartment_id: int) -> Body:
        apartment = self.store.apartments.get(apartment_id)
        if apartment is None or apartment["company"] != caller.company:
            raise PreconditionFailed(f"Apartment {apartment_id} does not exist.", code="ApartmentDoesNotExist")
        if apartment["office"] not in caller.offices:
            raise Forbidden("Office in question is not a sub office of the user", code="PermissionError")
        return apartment

    def visible(self, caller: Caller, listing_id: int) -> Body | None:
        listing = self.store.listings.get(listing_id)
        if listing is None or listing["status"] == "deleted":
            return None
        if not caller.manages(self.store.apartments.get(listing["apartment"])):
            return None
        return listing

    def _check_requirement(self, caller: Caller, requirement_id: int | None) -> None:
        if requirement_id is None:
            return
        requirement = self.store.requirements.get(requirement_id)
        if requirement is None:
            raise PreconditionFailed(f"Requirement profile {requirement_id} does not exist.", code="MissingRequirement")
        if requirement["company"] != caller.company:
            raise Forbidden("Requirement does not belong to the company", code="PermissionError")

    def _publication(self, date_publish: str | None) -> tuple[str, str]:
        """The status and publish moment of a listing published with ``date_publish``: scheduled
        (``approved``) for a future date, else ``active`` now."""
        if date_publish and _moment(date_publish) > self.clock.now():
            return "approved", date_publish
        return "active", self.clock.stamp()

    # -- create, read, update, delete ------------------------------------------------------------
    def create(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            apartment = self._apartment(caller, body["apartment"])
            estate = self.store.estates.get(apartment["estate"]) or {}
            defaults: Body = {}
            if body.get("is_project_rental"):
                project = self.store.projects.get(estate.get("project")) if estate.get("project") else None
                if project is None:
                    raise PreconditionFailed("There is no linked project.", code="NoLinkedProject")
                if project["closed"] or not project["published"]:
                    raise PreconditionFailed("Project is not active", code="ProjectNotActive")
                defaults = {
                    "candidate_sorting_mode": project["candidate_sorting_mode"],
                    "is_short_lease": project["is_short_lease"],
                    "prioritize_customers": project["prioritize_existing_tenants"],
                }
            if open_listings(self.store, apartment=apartment["id"]):
                raise PreconditionFailed(
                    "Can not create an Ad on an apartment that already has one.", code="ApartmentHasAd"
                )
            draft = body.get("is_draft", False)
            if not draft and body.get("requirement") is None:
                raise PreconditionFailed(
                    "You need to provide a requirement to create an Ad if not a Draft.", code="MissingRequirement"
                )
            self._check_requirement(caller, body.get("requirement"))
            office = self.store.offices.get(apartment["office"]) or {}
            status, published = ("draft", None) if draft else self._publication(body.get("date_publish"))
            fields = {k: v for k, v in body.items() if k not in ("is_draft", "apartment", "date_publish")}
            record = listing_record(
                {
                    "contract_system": office.get("contract_system", "manual_selection_lock"),
                    "candidate_sorting_mode": office.get("candidate_sorting_mode", "queue_points"),
                    **defaults,
                    **fields,
                    "apartment": apartment["id"],
                    "estate": apartment["estate"],
                    "office": apartment["office"],
                    "status": status,
                    # A draft keeps the wanted date for when it is published.
                    "date_publish": published if not draft else body.get("date_publish"),
                    "created": self.clock.stamp(),
                }
            )
            return {"id": self.store.listings.insert(record)["id"]}

    def get(self, caller: Caller, listing_id: int) -> Body:
        self.reads.hit((caller.kind, caller.id))
        listing = self.visible(caller, listing_id)
        if listing is None:
            raise not_found("Listing", listing_id)
        return self.market.listing_detail(listing)

    def update(self, caller: Caller, listing_id: int, body: Body) -> Body:
        with self.store.lock:
            listing = self.visible(caller, listing_id)
            if listing is None:
                raise PreconditionFailed(f"Listing {listing_id} does not exist.", code="AdDoesNotExist")
            changes = dict(body)
            target = changes.pop("status", listing["status"])
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
            requirement = changes.get("requirement", listing["requirement"])
            if target != "draft" and requirement is None:
                raise PreconditionFailed(
                    "Only a draft can be without a requirement profile.", code="MissingRequirement"
                )
            if target != listing["status"]:
                changes.update(self._transition(caller, {**listing, **changes}, target))
            elif target == "approved" and "date_publish" in changes:
                # A scheduled listing moved to another date (or published now, for a past one).
                changes["status"], changes["date_publish"] = self._publication(changes["date_publish"])
            return self.market.listing_detail(self.store.listings.update(listing_id, changes))

    def _transition(self, caller: Caller, listing: Body, target: str) -> Body:
        if target not in TRANSITIONS[listing["status"]]:
            raise PreconditionFailed(f"A listing cannot go from {listing['status']} to {target}.", code="InvalidStatus")
        if listing["status"] == "draft" and target in ("active", "approved"):
            status, published = self._publication(listing.get("date_publish"))
            return {"status": status, "date_publish": published}
        if listing["status"] == "approved" and target == "active":
            return {"status": "active", "date_publish": self.clock.stamp()}
        if target == "reserved":
            return self._reserve(caller, listing)
        return {"status": target}

    def delete(self, caller: Caller, listing_id: int) -> None:
        with self.store.lock:
            listing = self.visible(caller, listing_id)
            if listing is None:
                raise PreconditionFailed(f"Listing {listing_id} does not exist.", code="NoSuchObjectAd")
            if listing["status"] not in DELETABLE:
                raise PreconditionFailed("Cannot delete a listing in this status.", code="InvalidStatus")
            for key in self.store.applications.keys(listing=listing_id):
                self.store.applications.delete(key)
            self.store.listings.change(listing_id, {"status": "deleted", "deleted_at": self.clock.stamp()})

    # -- applications and reservations -----------------------------------------------------------
    def applicants(self, listing: Body) -> list[Body]:
        """The listing's open applications, best first by its candidate sorting mode."""
        waiting = self.store.applications.find(listing=listing["id"], status="applied")
        mode = listing["candidate_sorting_mode"]
        if mode == "first_come_first":
            return sorted(waiting, key=lambda a: (a["created"], a["id"]))
        if mode == "random":
            return sorted(waiting, key=lambda a: hashlib.sha256(f"{listing['id']}:{a['id']}".encode()).digest())
        return sorted(waiting, key=lambda a: (-a["queue_points"], a["id"]))

    def _reserve(self, caller: Caller, listing: Body) -> Body:
        candidates = self.applicants(listing)
        if not candidates:
            raise PreconditionFailed("The listing has no applicant to reserve.", code="NoApplicants")
        chosen = self.store.applications.update(candidates[0]["id"], {"status": "reserved"})
        self.events.send("reservation", self.events.reservation(listing, chosen, caller.id))
        return {"status": "reserved", "reserved_candidate": chosen["id"]}

    @staticmethod
    def rejection_reasons() -> Body:
        return {"reasons": [dict(r) for r in REJECTION_REASONS]}

    def _reserved(self, caller: Caller, listing_id: int) -> Body:
        listing = self.visible(caller, listing_id)
        if listing is None:
            raise not_found("Listing", listing_id)
        if listing["status"] != "reserved" or listing.get("reserved_candidate") is None:
            raise PreconditionFailed("The listing has no reserved candidate.", code="InvalidStatus")
        return listing

    def confirm(self, caller: Caller, listing_id: int) -> None:
        """The reserved candidate gets the apartment: the listing is rented, both sides sign, an
        agreement is made (and the webhooks tell of each step)."""
        with self.store.lock:
            listing = self._reserved(caller, listing_id)
            self.store.agreements.ensure_room()  # before the applications change: all or nothing
            winner = self.store.applications.update(listing["reserved_candidate"], {"status": "won"})
            for other in self.store.applications.keys(listing=listing_id, status="applied"):
                self.store.applications.change(other, {"status": "not_offered"})
            apartment = self.store.apartments.get(listing["apartment"]) or {}
            consumer = self.store.consumers.get(winner["consumer"]) or {}
            employee = self.store.employees.get(caller.id) or {}
            agreement = self.store.agreements.insert(
                {
                    "company": apartment.get("company", caller.company),
                    "consumer": winner["consumer"],
                    "apartment": listing["apartment"],
                    "rental": listing_id,
                    "signed": self.clock.stamp(),
                    "digital_contract": str(uuidlib.uuid4()),
                }
            )
            tenant = f"{consumer.get('first_name', '')} {consumer.get('last_name', '')}".strip()
            landlord = f"{employee.get('first_name', '')} {employee.get('last_name', '')}".strip()
            listing = self.store.listings.update(
                listing_id,
                {
                    "status": "rented",
                    "rented_at": self.clock.stamp(),
                    "rented_by": landlord,
                    "winner": self.market.application_info(winner),
                },
            )
            self.events.send("application_signature", self.events.signature(listing, tenant, "TENANT"))
            self.events.send("application_signature", self.events.signature(listing, landlord, "LANDLORD"))
            signatories = [signatory(consumer, "TENANT"), signatory(employee, "LANDLORD")]
            self.events.send("signing_completed", self.events.signing_completed(listing, signatories))
            self.events.send("agreement_created", self.events.agreement_created(listing, agreement["id"], caller.id))

    def reject(self, caller: Caller, listing_id: int, reason: int) -> None:
        with self.store.lock:
            listing = self._reserved(caller, listing_id)
            if reason not in {r["id"] for r in REJECTION_REASONS}:
                raise not_found("Rejection reason", reason)
            self.store.applications.change(listing["reserved_candidate"], {"status": "rejected", "reason": reason})
            # The listing is open again: people can apply and another candidate can be chosen.
            self.store.listings.change(listing_id, {"status": "active", "reserved_candidate": None})


def open_listings(store: Store, **criteria: Any) -> int:
    """How many listings matching ``criteria`` still occupy their apartment (read without copying them)."""
    return sum(1 for (status,) in store.listings.values(("status",), **criteria) if status in OPEN_STATUSES)


def _moment(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    if "T" not in value:
        return dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time(0, 0), dt.UTC)
    return parse(value)
