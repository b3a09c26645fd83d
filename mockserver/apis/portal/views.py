"""Turns stored portal records into the shapes of ``specs/portal.yaml``."""

from __future__ import annotations

from typing import Any

from mockserver.engine.store import Store

from .lookups import (
    BUYING_INTEREST_PERIODS,
    CONTACT_TIMES,
    LIVING_CIRCUMSTANCES,
    LOCAL_AUTHORITIES,
    WORKING_CIRCUMSTANCES,
    local_authority_for_postcode,
)
from .rules import PROFILE_FIELDS

#: Lookup ids the profile shows as objects; every other profile field is shown as stored.
_EXPANDED = {"livingCircumstance", "workingCircumstance", "buyingInterestPeriod", "bestTimeToContactYou"}
_PLAIN_PROFILE_FIELDS = tuple(name for name in PROFILE_FIELDS if name not in _EXPANDED)


def _lookup(table: dict[int, dict[str, Any]], key: int | None) -> dict[str, Any] | None:
    return dict(table[key]) if key is not None else None


def profile(customer: dict[str, Any]) -> dict[str, Any]:
    names = [customer.get("firstName"), customer.get("lastName")]
    full_name = " ".join(n for n in names if n) or None
    view: dict[str, Any] = {"id": customer["id"], "email": customer["email"]}
    view.update({name: customer.get(name) for name in _PLAIN_PROFILE_FIELDS})
    contact = customer.get("bestTimeToContactYou")
    view.update(
        {
            "fullName": full_name,
            "livingCircumstance": _lookup(LIVING_CIRCUMSTANCES, customer.get("livingCircumstance")),
            "workingCircumstance": _lookup(WORKING_CIRCUMSTANCES, customer.get("workingCircumstance")),
            "homeLocalAuthority": local_authority_for_postcode(customer.get("homePostcode")),
            "workLocalAuthority": local_authority_for_postcode(customer.get("workPostcode")),
            "buyingInterestPeriod": _lookup(BUYING_INTEREST_PERIODS, customer.get("buyingInterestPeriod")),
            "bestTimeToContactYou": [dict(CONTACT_TIMES[i]) for i in contact] if contact is not None else None,
            "createdAt": customer["createdAt"],
            "updatedAt": customer["updatedAt"],
        }
    )
    return view


class Views:
    """Views that follow references need the store; ``now`` decides what is upcoming. They read
    stored rows without copying them (``peek``) and never change them: every view is a new dict."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def listing(self, listing: dict[str, Any], today: str) -> dict[str, Any]:
        has_open_days = any(date >= today for (date,) in self.store.slots.values(("date",), listingId=listing["id"]))
        return {
            "id": listing["id"],
            "title": listing["title"],
            "developmentName": self._development(listing)["name"],
            "address": listing["address"],
            "town": listing["town"],
            "postcode": listing["postcode"],
            "price": listing["price"],
            "bedrooms": listing["bedrooms"],
            "propertyType": listing["propertyType"],
            "scheme": listing["scheme"],
            "status": listing["status"],
            "imageUrl": listing["imageUrl"],
            "hasOpenDays": has_open_days,
        }

    def _development(self, listing: dict[str, Any]) -> dict[str, Any]:
        development = self.store.developments.peek(listing["developmentId"])
        assert development is not None
        return development

    def development(self, listing: dict[str, Any]) -> dict[str, Any]:
        development = self._development(listing)
        return {
            "id": development["id"],
            "name": development["name"],
            "localAuthority": dict(LOCAL_AUTHORITIES[development["localAuthorityId"]]),
        }

    @staticmethod
    def property(record: dict[str, Any] | None) -> dict[str, Any] | None:
        if record is None:
            return None
        return {k: record[k] for k in ("id", "plotNumber", "name", "bedrooms", "price", "status")}

    @staticmethod
    def appointment(record: dict[str, Any]) -> dict[str, Any]:
        return {
            k: record[k]
            for k in ("id", "type", "dateTime", "durationMin", "status", "remarks", "updatedAt", "createdAt")
        }

    def application(self, record: dict[str, Any], now: str, *, customer: bool = False) -> dict[str, Any]:
        listing = self.store.listings.peek(record["listingId"])
        assert listing is not None
        plot = self.store.properties.peek(record["propertyId"]) if record.get("propertyId") else None
        appointments = sorted(
            self.store.appointments.peek_find(applicationId=record["id"]),
            key=lambda a: (a["dateTime"], a["id"]),
        )
        upcoming = [a["dateTime"] for a in appointments if a["status"] == "confirmed" and a["dateTime"] > now]
        available = listing["status"] == "available" and (plot is None or plot["status"] == "available")
        view = {
            "id": record["id"],
            "available": available,
            "listing": self.listing(listing, now[:10]),
            "property": self.property(plot),
            "additionalInfo": record.get("additionalInfo"),
            "eligibilityStatus": record["eligibilityStatus"],
            "isArchived": record["isArchived"],
            "decision": record.get("decision"),
            "appointments": [self.appointment(a) for a in appointments],
            "nextAppointmentDateTime": min(upcoming) if upcoming else None,
            "updatedAt": record["updatedAt"],
            "createdAt": record["createdAt"],
        }
        if customer:
            owner = self.store.customers.peek(record["customerId"])
            assert owner is not None
            view["customer"] = profile(owner)
        return view

    def form(self, record: dict[str, Any], now: str) -> dict[str, Any]:
        listing = self.store.listings.get(record["listingId"])
        assert listing is not None
        application = self.store.applications.get(record["applicationId"]) if record.get("applicationId") else None
        plot = self.store.properties.get(record["propertyId"]) if record.get("propertyId") else None
        return {
            "application": self.application(application, now) if application else None,
            "createdAt": record["createdAt"],
            "development": self.development(listing),
            "formFields": record["formFields"],
            "id": record["id"],
            "listing": self.listing(listing, now[:10]),
            "property": self.property(plot),
            "status": record["status"],
            "updatedAt": record["updatedAt"],
        }
