"""Seeded generation of HomeQ's data (in Swedish), and loading of its fixtures.

Fixtures come first with their fixed ids (the docs' examples and the demo users); then one
``random.Random(seed)`` and one ``Faker("sv_SE")`` seeded alike generate employees, estates,
apartments, listings and the rest, in a fixed order, with dates around the clock's anchor day.
Last come home seekers and their applications to the generated listings that are or have been
public, so that reservations can be confirmed and rejected on generated data too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from mockserver.engine.clock import Clock, isoformat, parse
from mockserver.engine.fixtures import load
from mockserver.engine.generation import SeededGenerator
from mockserver.engine.store import Store

from .lookups import DEFAULT_PROFILES, PLACES
from .rules import APARTMENT_DEFAULTS, ESTATE_DEFAULTS, OFFICE_DEFAULTS, apartment_identity, schema_defaults
from .views import Views

TABLES = (
    "companies",
    "offices",
    "employees",
    "right_profiles",
    "consumers",
    "existing_tenants",
    "estates",
    "apartments",
    "media",
    "file_references",
    "apartment_notes",
    "user_notes",
    "requirements",
    "projects",
    "project_entries",
    "listings",
    "applications",
    "agreements",
)
#: The store's secondary indexes: the fields the hot look-ups (inventory paging, card search,
#: a listing's applications, a parent's media) ask by.
INDEXES: dict[str, tuple[str, ...]] = {
    "offices": ("company",),
    "estates": ("company", "project", "office"),
    "apartments": ("estate", "landlord_object_id", "office"),
    "listings": ("apartment", "estate", "office", "status", "requirement"),
    "applications": ("listing",),
    "media": ("parent",),
    "apartment_notes": ("apartment",),
    "requirements": ("company",),
    "projects": ("published",),
    "agreements": ("company", "consumer"),
}

LISTING_STATUSES = ("active", "active", "active", "draft", "paused", "reserved", "rented", "closing")
#: Generated listings in these statuses have been public and have applicants.
APPLIED_STATUSES = frozenset({"active", "paused", "reserved", "rented", "closing"})
#: The most applications a generated listing gets.
MOST_APPLICANTS = 6
#: Faker's sv_SE has no Swedish sentences (its lorem is Latin): the mock's own phrases.
DESCRIPTIONS = (
    "Ljus lägenhet med genomgående planlösning.",
    "Nyrenoverat kök och badrum, balkong mot gården.",
    "Lugnt läge nära skola, affärer och kollektivtrafik.",
    "Trivsam lägenhet i populärt område med närhet till natur.",
    "Rymlig hall, separat kök och stort sovrum.",
    "Fin utsikt över parken, hiss finns i huset.",
)
NOTES = (
    "Har ringt och bekräftat uppgifterna.",
    "Väntar på intyg från arbetsgivaren.",
    "Referens från tidigare hyresvärd är kontrollerad.",
    "Önskar visning en kväll i veckan.",
    "Har skickat in kompletterande inkomstuppgifter.",
)
BLOCK_WORDS = ("Solrosen", "Eken", "Linden", "Björken", "Rönnen", "Tallen", "Lärkan", "Svalan", "Tranan", "Uttern")


def company_record(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "org_number": "",
        "bankgiro": "",
        "postgiro": "",
        "external_reservation_link": "",
        "fast_api_key": None,
        "minimum_up_time": 24,
        "beta_program": False,
        "tier": {"id": 1, "name": "Standard", "enabled_features": []},
        "logo_image": None,
        "cover_image": None,
        **fields,
    }


def employee_record(fields: dict[str, Any]) -> dict[str, Any]:
    record = {
        "company": 2,
        "api_user": False,
        "joined": True,
        "two_factor_secret": None,
        "requires_device": False,
        "device_tokens": [],
        "key": None,
        **fields,
    }
    record.setdefault("selected_office", record["root_office"])
    return record


#: The notes' tables, whose records the engine answers as they are stored (``HomeQHandlers.engine_tables``).
NOTE_TABLES = frozenset({"apartment_notes", "user_notes"})


def note_record(fields: dict[str, Any]) -> dict[str, Any]:
    """A note as stored and answered: by nobody unless it says, last changed when it was written."""
    return {"author": None, "updated": fields["created"], **fields}


def apartment_record(fields: dict[str, Any]) -> dict[str, Any]:
    return {**APARTMENT_DEFAULTS, "county": "", "municipality": "", **fields}


def requirement_record(fields: dict[str, Any]) -> dict[str, Any]:
    return {**schema_defaults("RequirementProfileCreate"), **fields}


def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Path) -> None:
    load_fixtures(store, clock, fixtures)
    Generator(store, seed=seed, volume=volume, clock=clock).run()


def load_fixtures(store: Store, clock: Clock, fixtures: Path) -> None:
    records = load(fixtures, clock)
    for profile in DEFAULT_PROFILES:
        store.right_profiles.insert(dict(profile))
    for company in records.get("companies", []):
        store.companies.insert(company_record(company))
    for office in records.get("offices", []):
        store.offices.insert({**OFFICE_DEFAULTS, **office})
    for employee in records.get("employees", []):
        store.employees.insert(employee_record(employee))
    for name in ("consumers", "existing_tenants", "apartment_notes", "user_notes", "project_entries", "agreements"):
        for record in records.get(name, []):
            getattr(store, name).insert(note_record(record) if name in NOTE_TABLES else dict(record))
    for estate in records.get("estates", []):
        store.estates.insert({**ESTATE_DEFAULTS, **estate})
    for apartment in records.get("apartments", []):
        home = store.estates.get(apartment["estate"])
        assert home is not None, f"apartment {apartment['id']}: unknown estate"
        store.apartments.insert(apartment_record({"office": home["office"], "company": home["company"], **apartment}))
    for medium in records.get("media", []):
        store.media.insert({"url": None, "private": False, "title": "", **medium})
    for reference in records.get("file_references", []):
        store.file_references.insert({"content_name": "", **reference}, key_field="reference")
    for requirement in records.get("requirements", []):
        store.requirements.insert(requirement_record(requirement))
    for project in records.get("projects", []):
        store.projects.insert(project_record(project))
    for listing in records.get("listings", []):
        home = store.apartments.get(listing["apartment"])
        assert home is not None, f"listing {listing['id']}: unknown apartment"
        store.listings.insert(listing_record({"estate": home["estate"], "office": home["office"], **listing}))
    for application in records.get("applications", []):
        store.applications.insert(application_record(application))


def application_record(fields: dict[str, Any]) -> dict[str, Any]:
    """An application to a listing: ``consumer`` applies (with a ``fellow`` applicant and a
    ``warrantor`` when given) holding ``queue_points``; ``status`` ``applied`` until it is
    ``reserved``, ``won``, ``not_offered`` or ``rejected``."""
    return {"status": "applied", "fellow": None, "warrantor": None, **fields}


def project_record(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "external_id": "",
        "info_header": "",
        "info_description": "",
        "area_info_header": None,
        "area_info_description": None,
        "apartment_count": 0,
        "candidate_sorting_mode": "queue_points",
        "contract_system": "A",
        "closed": False,
        "close_date": None,
        "is_short_lease": False,
        "prioritize_existing_tenants": False,
        "published": False,
        "publish_date": None,
        "preliminary_move_in_date": None,
        "show_area_info_module": True,
        "show_area_media_module": True,
        "show_email_collection_module": False,
        "show_freetext_module": True,
        "show_timeline_module": True,
        "viewing_notes": "",
        "location": None,
        # The consumers following the project (ids, in the order they started).
        "followers": [],
        **fields,
    }


def listing_record(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "draft",
        "requirement": None,
        "soft_requirements_id": None,
        "date_publish": None,
        "access_date": None,
        "prior_access": False,
        "offer_notes": None,
        "is_project_rental": False,
        "is_quick_apply": False,
        "is_short_lease": False,
        "short_lease_min_date": None,
        "short_lease_max_date": None,
        "prioritize_customers": False,
        "candidate_sorting_mode": "queue_points",
        "contract_system": "manual_selection_lock",
        "reserved_candidate": None,
        **fields,
    }


class Generator(SeededGenerator):
    locale = "sv_SE"
    office_hours = (7, 18)

    def run(self) -> None:
        if self.volume <= 0:
            return
        #: The generated listings, in the order they were made.
        self.listings: list[int] = []
        #: What makes each stored apartment unique (``apartment_identity``): no twin is generated.
        self.identities = {
            apartment_identity(*fields)
            for fields in self.store.apartments.values(("national_id", "city", "street_name", "street_number"))
        }
        offices = self.store.offices.keys()
        for _ in range(max(1, self.volume // 2)):
            self.employee(offices)
        for _ in range(max(1, self.volume // 4)):
            self.requirement()
        for _ in range(self.volume):
            self.estate(offices)
        for _ in range(self.volume // 2):
            self.user_note()
        # Last, so that everything above is the same with or without them.
        self.applicants()

    def personal_number(self) -> str:
        year = self.rng.randint(1950, 2003)
        return f"{year}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}-{self.rng.randint(0, 9999):04d}"

    def employee(self, offices: list[int]) -> None:
        eid = self.store.employees.next_id()
        first, last = self.fake.first_name(), self.fake.last_name()
        slug = f"{first}.{last}".lower()
        slug = slug.translate(str.maketrans("åäöé ", "aaoe-"))
        self.store.employees.insert(
            employee_record(
                {
                    "id": eid,
                    "username": f"{slug}.{eid}",
                    "password": f"Losen-{eid}-{self.rng.randint(1000, 9999)}",
                    "first_name": first,
                    "last_name": last,
                    "email": f"{slug}.{eid}@example.se",
                    "personal_number": self.personal_number(),
                    "phone": f"+4670{self.rng.randint(1000000, 9999999)}",
                    "right_profile": self.rng.choices((1, 2, 3, 4), weights=(2, 5, 2, 1))[0],
                    "root_office": self.rng.choice(offices),
                    "joined": self.rng.random() < 0.9,
                    "date_joined": self.moment(-900, -10),
                }
            )
        )

    def requirement(self) -> None:
        self.store.requirements.insert(
            requirement_record(
                {
                    "company": 2,
                    "name": f"Krav {self.fake.city()}",
                    "rent_factor": self.rng.choice((2.5, 3, 3.5)),
                    "payment_remarks": self.rng.randint(0, 2),
                    "pets": self.rng.random() < 0.5,
                    "created": self.moment(-400, -30),
                }
            )
        )

    def estate(self, offices: list[int]) -> None:
        place = self.rng.choice(PLACES)
        estate = self.store.estates.insert(
            {
                **ESTATE_DEFAULTS,
                "company": 2,
                "office": self.rng.choice(offices),
                "legal_name": f"{self.rng.choice(BLOCK_WORDS)} {self.rng.randint(1, 40)}",
                "city": place[0],
                "estate_owner": f"{self.fake.last_name()} Fastigheter AB",
                "landlord_object_id": f"EST-{self.rng.randint(1000, 9999)}",
                "org_number": f"55{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}",
                "created": self.moment(-700, -30),
            }
        )
        street = self.fake.street_name()
        for _ in range(self.rng.randint(1, 4)):
            self.apartment(estate, place, street)

    def apartment(self, estate: dict[str, Any], place: tuple[str, str, float, float, str], street: str) -> None:
        number = f"{self.rng.randint(1, 80)}{self.rng.choice(('', '', '', 'A', 'B'))}"
        national_id = str(self.rng.randint(1001, 1999))
        identity = apartment_identity(national_id, place[0], street, number)
        if identity in self.identities:
            return
        self.identities.add(identity)
        rooms = self.rng.choice((1, 1.5, 2, 2, 3, 3, 4, 5))
        area = round(18 + rooms * self.rng.uniform(20, 28), 1)
        apartment = self.store.apartments.insert(
            apartment_record(
                {
                    "estate": estate["id"],
                    "office": estate["office"],
                    "company": estate["company"],
                    "street_name": street,
                    "street_number": number,
                    "zip_code": f"{place[4]}{self.rng.randint(100, 999)}",
                    "city": place[0],
                    "county": place[1],
                    "municipality": place[0],
                    "latitude": round(place[2] + self.rng.uniform(-0.04, 0.04), 6),
                    "longitude": round(place[3] + self.rng.uniform(-0.06, 0.06), 6),
                    "rooms": rooms,
                    "floor": self.rng.randint(0, 8),
                    "area": area,
                    "rent": int(area * self.rng.uniform(110, 175)) // 10 * 10,
                    "national_id": national_id,
                    "landlord_object_id": f"{self.rng.randint(100, 999)}-{self.rng.randint(100, 999)}",
                    "description": self.rng.choice(DESCRIPTIONS),
                    "balcony": self.rng.choice(("NONE", "PRESENT", "SOUTH", "WEST")),
                    "dishwasher": self.rng.choice(("NONE", "PRESENT")),
                    "washing_machine": self.rng.choice(("NONE", "PREPARED", "PRESENT")),
                    "elevator": self.rng.random() < 0.6,
                    "created": self.moment(-650, -20),
                }
            )
        )
        if self.rng.random() < 0.35:
            requirements = self.store.requirements.keys()
            listing = self.store.listings.insert(
                listing_record(
                    {
                        "apartment": apartment["id"],
                        "estate": estate["id"],
                        "office": estate["office"],
                        "status": self.rng.choice(LISTING_STATUSES),
                        "requirement": self.rng.choice(requirements) if requirements else None,
                        "date_publish": self.moment(-30, -1),
                        "access_date": self.clock.at(self.rng.randint(20, 90)).date().isoformat(),
                        "created": self.moment(-40, -31),
                    }
                )
            )
            self.listings.append(listing["id"])

    def consumer(self) -> int:
        """A home seeker (the fixtures' consumer shape)."""
        cid = self.store.consumers.next_id()
        first, last = self.fake.first_name(), self.fake.last_name()
        slug = f"{first}.{last}".lower().translate(str.maketrans("åäöé ", "aaoe-"))
        place = self.rng.choice(PLACES)
        self.store.consumers.insert(
            {
                "id": cid,
                "first_name": first,
                "last_name": last,
                "email": f"{slug}.{cid}@example.se",
                "ssn": self.personal_number(),
                "phone": f"+4670{self.rng.randint(1000000, 9999999)}",
                "street": self.fake.street_address(),
                "zip_code": f"{place[4]}{self.rng.randint(100, 999)}",
                "city": place[0],
            }
        )
        return cid

    def applicants(self) -> None:
        """Home seekers and their applications to the listings that are or have been public: a
        reserved listing's candidate and a rented (or closed) one's winner are the applicants with
        the most queue points (the generated listings sort candidates by queue points)."""
        listings = [
            lst for lst in map(self.store.listings.get, self.listings) if lst and lst["status"] in APPLIED_STATUSES
        ]
        if not listings:
            return
        seekers = [self.consumer() for _ in range(max(MOST_APPLICANTS + 2, self.volume))]
        views = Views(self.store)
        for listing in listings:
            published = parse(listing["date_publish"])
            # Quarter-hours between the publishing and the anchor day: applications come in between.
            quarters = max(1, int((self.clock.at(0) - published).total_seconds() // 900))
            people = self.rng.sample(seekers, self.rng.randint(1, MOST_APPLICANTS))
            others = [s for s in seekers if s not in people]
            applications = [
                self.store.applications.insert(
                    application_record(
                        {
                            "listing": listing["id"],
                            "consumer": person,
                            "fellow": self.rng.choice(others) if self.rng.random() < 0.2 else None,
                            "queue_points": self.rng.randint(0, 3000),
                            "created": isoformat(published + dt.timedelta(minutes=15 * self.rng.randint(1, quarters))),
                        }
                    )
                )
                for person in people
            ]
            best = min(applications, key=lambda a: (-a["queue_points"], a["id"]))
            if listing["status"] == "reserved":
                self.store.applications.change(best["id"], {"status": "reserved"})
                self.store.listings.change(listing["id"], {"reserved_candidate": best["id"]})
            elif listing["status"] in ("rented", "closing"):
                for application in applications:
                    if application["id"] != best["id"]:
                        self.store.applications.change(application["id"], {"status": "not_offered"})
                winner = self.store.applications.update(best["id"], {"status": "won"})
                self.store.listings.change(listing["id"], {"winner": views.application_info(winner)})

    def user_note(self) -> None:
        consumers = self.store.consumers.keys()
        if not consumers:
            return
        self.store.user_notes.insert(
            note_record(
                {
                    "company": 2,
                    "user_profile": self.rng.choice(consumers),
                    "text": self.rng.choice(NOTES),
                    "author": None,
                    "created": self.moment(-60, -1),
                }
            )
        )


def intercom_hash(seed: int, employee_id: int) -> str:
    return hashlib.sha256(f"intercom:{seed}:{employee_id}".encode()).hexdigest()[:10]
