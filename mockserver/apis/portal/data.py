"""Seeded generation of the portal's data, and loading of its fixtures.

Everything is drawn from one ``random.Random`` and one Faker (``en_GB``) seeded from the settings,
in a fixed order, and every date is laid out around the clock's anchor day: the same seed and
anchor give the same records, byte for byte, on every machine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.fixtures import load
from mockserver.engine.generation import SeededGenerator
from mockserver.engine.store import Store

from .lookups import LOCAL_AUTHORITIES
from .rules import PROFILE_DEFAULTS, assess_eligibility

TABLES = (
    "developments",
    "listings",
    "properties",
    "slots",
    "customers",
    "favourites",
    "applications",
    "appointments",
    "forms",
)
#: Indexed fields: every per-customer, per-listing and per-application look-up costs what it
#: returns, not the size of the table (flat per-request time from 1k to 1M records).
INDEXES = {
    "properties": ("listingId",),
    "slots": ("listingId",),
    "customers": ("token",),
    "favourites": ("customerId",),
    "applications": ("customerId",),
    "appointments": ("applicationId", "customerId", "slotId"),
    "forms": ("customerId",),
}

DEVELOPMENT_WORDS = (
    "Riverside",
    "Meadow",
    "Oakwood",
    "Kingsway",
    "Harbour",
    "Willow",
    "Chapel",
    "Millbrook",
    "Foxglove",
    "Beacon",
    "Orchard",
    "Station",
)
DEVELOPMENT_KINDS = ("Quarter", "Park", "Gardens", "Place", "Green", "Fields", "Yard", "Wharf")
PROPERTY_TYPES = ("flat", "house", "bungalow", "maisonette")
SCHEMES = ("Shared Ownership", "Help to Buy", "Open Market", "Rent to Buy")
SLOT_TIMES = ("09:30", "10:00", "10:30", "11:00", "12:00", "13:30", "14:00", "15:00", "15:30", "16:00")


def token_for(seed: int, customer_id: int) -> str:
    return "tok-" + hashlib.sha256(f"portal:{seed}:{customer_id}".encode()).hexdigest()[:32]


def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Path) -> None:
    """Fixtures first (their ids are fixed), then ``volume`` generated customers and their world."""
    load_fixtures(store, clock, fixtures)
    Generator(store, seed=seed, volume=volume, clock=clock).run()


def load_fixtures(store: Store, clock: Clock, fixtures: Path) -> None:
    records = load(fixtures, clock)
    for name in ("developments", "listings", "properties", "slots", "applications", "appointments", "forms"):
        for record in records.get(name, []):
            getattr(store, name).insert(dict(record))
    for customer in records.get("customers", []):
        customer = dict(customer)
        favourites = customer.pop("favourites", [])
        customer.setdefault("utm", None)
        store.customers.insert(_complete_customer(customer))
        for listing_id in favourites:
            store.favourites.insert(
                {"customerId": customer["id"], "listingId": listing_id, "createdAt": customer["createdAt"]}
            )
    for appointment in store.appointments.all():
        application = store.applications.get(appointment["applicationId"])
        assert application is not None, f"appointment {appointment['id']}: unknown application"
        store.appointments.change(appointment["id"], {"customerId": application["customerId"]})
    for application in store.applications.all():
        store.applications.change(application["id"], {"utm": application.get("utm")})


def _complete_customer(customer: dict[str, Any]) -> dict[str, Any]:
    return {**PROFILE_DEFAULTS, "utm": None, "passwordless": False, **customer}


class Generator(SeededGenerator):
    def run(self) -> None:
        if self.volume <= 0:
            return
        developments = [self.development() for _ in range(max(2, self.volume // 5))]
        listings = [self.listing(self.rng.choice(developments)) for _ in range(self.volume * 2)]
        for _ in range(self.volume):
            self.customer(listings)

    def development(self) -> dict[str, Any]:
        name = f"{self.rng.choice(DEVELOPMENT_WORDS)} {self.rng.choice(DEVELOPMENT_KINDS)}"
        return self.store.developments.insert(
            {
                "name": name,
                "localAuthorityId": self.rng.choice(list(LOCAL_AUTHORITIES)),
            }
        )

    def listing(self, development: dict[str, Any]) -> dict[str, Any]:
        bedrooms = self.rng.randint(1, 4)
        kind = self.rng.choice(PROPERTY_TYPES)
        scheme = self.rng.choice(SCHEMES)
        price = self.rng.randrange(180_000, 650_000, 2_500)
        listing = self.store.listings.insert(
            {
                "developmentId": development["id"],
                "title": f"{bedrooms} bedroom {'apartment' if kind == 'flat' else kind} at {development['name']}",
                "address": self.fake.street_address(),
                "town": self.fake.city(),
                "postcode": self.fake.postcode(),
                "price": price,
                "bedrooms": bedrooms,
                "propertyType": kind,
                "scheme": scheme,
                "status": self.rng.choices(("available", "reserved", "sold"), weights=(7, 2, 1))[0],
                "imageUrl": f"https://images.example.com/listings/{self.rng.randrange(10**6)}.jpg",
                "maxHouseholdIncome": 90000 if scheme == "Shared Ownership" else None,
            }
        )
        for plot in self.rng.sample(range(1, 80), self.rng.randint(0, 3)):
            self.store.properties.insert(
                {
                    "listingId": listing["id"],
                    "plotNumber": str(plot),
                    "name": f"Plot {plot}",
                    "bedrooms": bedrooms,
                    "price": price + self.rng.randrange(-10_000, 15_000, 500),
                    "status": self.rng.choices(("available", "reserved", "sold"), weights=(6, 2, 1))[0],
                }
            )
        if listing["status"] == "available" and self.rng.random() < 0.6:
            for day in sorted(self.rng.sample(range(-14, 30), self.rng.randint(1, 3))):
                for time in sorted(self.rng.sample(SLOT_TIMES, self.rng.randint(2, 4))):
                    self.store.slots.insert(
                        {
                            "listingId": listing["id"],
                            "date": self.clock.at(day).date().isoformat(),
                            "slotTime": time,
                            "slotDurationMin": self.rng.choice((30, 30, 45, 60)),
                            "capacity": self.rng.randint(1, 6),
                        }
                    )
        return listing

    def customer(self, listings: list[dict[str, Any]]) -> None:
        first, last = self.fake.first_name(), self.fake.last_name()
        cid = self.store.customers.next_id()
        working = self.rng.randint(1, 6)
        complete = self.rng.random() < 0.7
        created = self.moment(-400, -30)
        customer = _complete_customer(
            {
                "id": cid,
                "email": f"{first}.{last}.{cid}@example.co.uk".lower().replace(" ", "").replace("'", ""),
                "password": f"Password-{cid}",
                "token": token_for(self.seed, cid),
                "title": self.rng.choice(("Mr", "Mrs", "Ms", "Miss", "Dr", "Mx")),
                "firstName": first,
                "lastName": last,
                "phone": self.fake.phone_number()[:20],
                "dateOfBirth": self.fake.date_of_birth(minimum_age=19, maximum_age=70).isoformat(),
                "livingCircumstance": self.rng.randint(1, 6),
                "homeAddress": self.fake.street_address(),
                "homePostcode": self.fake.postcode(),
                "workingCircumstance": working,
                "workAddress": self.fake.street_address() if working <= 3 else None,
                "workPostcode": self.fake.postcode() if working <= 3 else None,
                "occupation": self.fake.job()[:255] if working <= 3 else None,
                "employerName": self.fake.company() if working <= 3 else None,
                "annualHouseholdIncome": self.rng.randrange(18_000, 120_000, 500) if complete else None,
                "deposit": self.rng.randrange(0, 80_000, 500) if complete else None,
                "dependants": self.rng.randint(0, 4),
                "eligibleCitizen": self.rng.random() < 0.92 if complete else None,
                "homeOwnershipStatus": self.rng.randint(1, 4) if complete else None,
                "armedForcesMember": self.rng.random() < 0.05,
                "hasDisability": self.rng.random() < 0.08,
                "keyworker": self.rng.random() < 0.25,
                "housingWaitingList": self.rng.random() < 0.2,
                "remarks": None,
                "buyingInterestPeriod": self.rng.randint(1, 5),
                "bestTimeToContactYou": sorted(self.rng.sample(range(1, 5), self.rng.randint(1, 2))),
                "privacyPolicyAccepted": True,
                "newsletterConsent": self.rng.random() < 0.5,
                "newsSurveysConsent": self.rng.random() < 0.3,
                "partnersOffersConsent": self.rng.random() < 0.2,
                "smsConsent": None,
                "whatsappConsent": None,
                "createdAt": created,
                "updatedAt": self.moment(-29, -1),
            }
        )
        self.store.customers.insert(customer)
        for listing in self.rng.sample(listings, min(len(listings), self.rng.randint(0, 4))):
            self.store.favourites.insert(
                {"customerId": cid, "listingId": listing["id"], "createdAt": self.moment(-29, -1)}
            )
        for listing in self.rng.sample(listings, min(len(listings), self.rng.randint(0, 3))):
            self.application(customer, listing)

    def application(self, customer: dict[str, Any], listing: dict[str, Any]) -> None:
        archived = self.rng.random() < 0.25
        plots = self.store.properties.find(listingId=listing["id"])
        created = self.moment(-60, -2)
        decision = None
        if self.rng.random() < 0.2:
            outcome = self.rng.choice(("approved", "rejected", "referred"))
            decision = {
                "outcome": outcome,
                "reason": None if outcome == "approved" else self.fake.sentence(nb_words=8),
                "decidedAt": self.moment(-1, -1),
            }
        application = self.store.applications.insert(
            {
                "customerId": customer["id"],
                "listingId": listing["id"],
                "propertyId": self.rng.choice(plots)["id"] if plots and self.rng.random() < 0.5 else None,
                "additionalInfo": self.fake.sentence(nb_words=10) if self.rng.random() < 0.3 else None,
                "eligibilityStatus": assess_eligibility(customer, listing),
                "isArchived": archived,
                "decision": decision,
                "utm": None,
                "createdAt": created,
                "updatedAt": created,
            }
        )
        slots = self.store.slots.find(listingId=listing["id"])
        if slots and self.rng.random() < 0.5:
            slot = self.rng.choice(slots)
            upcoming = slot["date"] >= self.clock.anchor.isoformat()
            status = "cancelled" if archived and upcoming else self.rng.choice(("confirmed", "confirmed", "cancelled"))
            self.store.appointments.insert(
                {
                    "applicationId": application["id"],
                    "customerId": customer["id"],
                    "slotId": slot["id"],
                    "type": "open-day",
                    "dateTime": f"{slot['date']}T{slot['slotTime']}:00Z",
                    "durationMin": slot["slotDurationMin"],
                    "status": status,
                    "remarks": None,
                    "createdAt": created,
                    "updatedAt": created,
                }
            )
