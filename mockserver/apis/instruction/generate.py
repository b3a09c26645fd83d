"""Seeded generation of instruction cases, on top of the fixtures.

Everything is drawn from one ``random.Random`` and one Faker (``en_GB``) seeded from the settings,
in a fixed order. Each case is walked through its lifecycle up to its status, so its timestamps,
milestones, files and fees agree with it: only the states reached have a timestamp, a cancelled
case never completed and a completed one was never cancelled. Dates sit before the anchor day,
except what is still ahead (an offer's expiry, a booked appointment, an expected report).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from mockserver.engine.clock import Clock, isoformat
from mockserver.engine.fixtures import load
from mockserver.engine.generation import SeededGenerator
from mockserver.engine.store import Store

from .data import KEY, complete, default_fee
from .lookups import (
    BUILDING_KINDS,
    CANCEL_REASONS,
    INTRODUCER,
    LIFECYCLE,
    OFFER_HOURS,
    POSTCODE_LETTERS,
    PRODUCT_ATTRIBUTES,
    PROPERTY_AGES,
    PROPERTY_TYPES,
    STATUSES,
    STREET_KINDS,
    SUPPLIER,
    TERMINAL,
    TIMESTAMP_NAMES,
    TOWNS,
    round5,
)

Record = dict[str, Any]

#: Generated cases are TMP120001, TMP120002, ...; fixtures use lower numbers.
FIRST_NUMBER = 120001
STATUS_WEIGHTS = (2, 2, 2, 2, 2, 3, 2, 5, 3, 1)  # in the order of lookups.STATUSES
PRODUCT_WEIGHTS = {
    "RICSL1SURVEY": 2,
    "RICSL2SURVEY": 6,
    "RICSL2SURVEYVALUATION": 3,
    "RICSL3SURVEY": 2,
    "HTBVALUATION": 2,
    "SPECIALISTDAMPTIMBER": 1,
    "SPECIALISTSTRUCTURAL": 1,
}
#: The events each lifecycle status adds ("BOOKED", "CONFIRMED" and "REPORT" have no timestamp
#: name of their own: they date the appointment milestone, and the report file).
STAGE_EVENTS = {
    "NEW": ("QUOTED",),
    "REFERRED": ("CREATED",),
    "ORDERED": ("ORDERED",),
    "ALLOCATED": ("ASSIGNED", "OFFEREXPIRY"),
    "ACCEPTED": ("ACCEPTED",),
    "APPOINTMENTBOOKED": ("BOOKED", "APPOINTMENT"),
    "APPOINTMENTCOMPLETED": ("CONFIRMED", "EXPECTEDREPORTDATE"),
    "COMPLETED": ("REPORT", "COMPLETED"),
}
#: Events that may lie ahead of "now" (all others are in the past).
AHEAD = ("OFFEREXPIRY", "APPOINTMENT", "EXPECTEDREPORTDATE")
NOTE_BODIES = {
    "TMP": (
        "We have chased the vendor for access details.",
        "Payment received, thank you.",
        "The appointment date has been confirmed with the vendor.",
        "Please note the property has a shared driveway.",
    ),
    "Introducer": (
        "Customer is keen to exchange by the end of the month.",
        "Mortgage offer expected next week.",
        "Please copy us in on any access issues.",
        "Customer prefers contact by e-mail.",
    ),
    "Supplier": (
        "Surveyor will need access to the loft.",
        "Vendor confirmed access for the morning slot.",
        "Report is being finalised and will be uploaded shortly.",
        "Keys to be collected from the estate agent.",
    ),
    "CustomerProxy": (
        "Can the surveyor call me on arrival?",
        "Is it possible to move the appointment to a Saturday?",
        "Please use the side entrance.",
        "I have a question about the fee.",
    ),
}
OTHER_CANCEL_REASONS = (
    "Vendor withdrew the property.",
    "Customer is moving abroad.",
    "Lender instructed its own valuer.",
)


def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Path) -> None:
    """Fixtures first (their references are fixed), then ``volume`` x 2 generated cases."""
    records = load(fixtures, clock)
    for organisation in records.get("organisations", []):
        store.organisations.insert({"people": [], **organisation})
    for instruction in records.get("instructions", []):
        store.instructions.insert(complete(instruction, store), key_field=KEY)
    Generator(store, seed=seed, volume=volume, clock=clock).run()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class Generator(SeededGenerator):
    def __init__(self, store: Store, *, seed: int, volume: int, clock: Clock) -> None:
        super().__init__(store, seed=seed, volume=volume, clock=clock)
        # Past events end before the anchor day starts, whatever the time of day.
        self.reference = clock.at(0)

    def run(self) -> None:
        organisations = self.store.organisations.all()
        introducers = [o for o in organisations if o["role"] == INTRODUCER]
        suppliers = [o for o in organisations if o["role"] == SUPPLIER]
        if not introducers or not suppliers:
            return
        for number in range(FIRST_NUMBER, FIRST_NUMBER + self.volume * 2):
            case = self.case(number, self.rng.choice(introducers), self.rng.choice(suppliers))
            self.store.instructions.insert(complete(case, self.store), key_field=KEY)

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(minutes=self.rng.randint(int(low * 60), int(high * 60)))

    # -- one case --------------------------------------------------------------------------------
    def case(self, number: int, introducer: Record, supplier: Record) -> Record:
        rng = self.rng
        status = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
        if status == "CANCELLED":
            stage = rng.choice(LIFECYCLE[:6])
        elif status == "REJECTED":
            stage = rng.choice(("NEW", "REFERRED"))
        else:
            stage = status
        times, last = self.timeline(status, stage)
        assigned = "ASSIGNED" in times
        product = rng.choices(list(PRODUCT_WEIGHTS), weights=list(PRODUCT_WEIGHTS.values()))[0]
        prop = self.property()
        fee = default_fee(product, prop["propertyValueOrPurchasePrice"])
        fee["due"] = self.due(status, fee["total"])
        reference = f"TMP{number}"
        ended = status in TERMINAL
        case: Record = {
            KEY: reference,
            "status": status,
            "isOnHold": not ended and rng.random() < 0.06,
            "productCode": product,
            "attributes": {code: None for code in PRODUCT_ATTRIBUTES.get(product, ()) if rng.random() < 0.3},
            "introducerId": introducer["id"],
            "supplierId": supplier["id"] if assigned else None,
            "introducerReferences": self.references(number, ("C", "INT"), 0.8),
            "supplierReferences": self.references(number, ("F", "SUP"), 0.5 if "ACCEPTED" in times else 0),
            # Cases that ended long ago are archived read only.
            "readOnly": ended and self.reference - last > dt.timedelta(days=90),
            "isVisibleToCustomers": rng.random() < 0.85,
            "timestamps": {name: isoformat(at) for name, at in times.items() if name in TIMESTAMP_NAMES},
            "fee": fee,
            "property": prop,
            "configuration": {"CanViewReport": bool(introducer.get("canViewReport", True)) != (rng.random() < 0.1)},
        }
        customers = self.customers()
        case["customers"] = customers
        if "ACCEPTED" in times:
            case["acceptedBy"] = self.by(supplier, introducer, supplier_share=0.85)
        if "BOOKED" in times:
            case["appointment"] = {
                "bookedAt": isoformat(times["BOOKED"]),
                "bookedBy": self.by(supplier, introducer, supplier_share=0.9),
                "timeslotCode": ("AM" if times["APPOINTMENT"].hour < 12 else "PM") if rng.random() < 0.8 else None,
            }
        if "COMPLETED" in times:
            case["completedBy"] = self.by(supplier, introducer, supplier_share=1)
        if "REPORT" in times:
            case["files"] = [
                {"fileReference": f"{reference}-report.pdf", "createdTimestamp": isoformat(times["REPORT"])}
            ]
        if status == "CANCELLED":
            reason = rng.choice(CANCEL_REASONS)
            other = rng.choice(OTHER_CANCEL_REASONS) if reason == "OTHER" else None
            case["cancellation"] = {"reasonCode": reason, "otherReason": other}
        if status == "ACCEPTED":
            case["termsAndConditions"] = rng.choice((None, "SENT", "RECEIVED"))
        case["notes"] = self.notes(times["QUOTED"], last, introducer, supplier if assigned else None, customers)
        return case

    def timeline(self, status: str, stage: str) -> tuple[dict[str, dt.datetime], dt.datetime]:
        """The case's events up to ``stage`` and its last past moment, moved (by whole days) to end
        before the anchor day.

        Moving by whole days keeps appointments on the hour; what lies ahead stays ahead: an open
        offer expires after the anchor day, a booked appointment and an expected report are after it.
        """
        rng = self.rng
        at: dict[str, dt.datetime] = {"QUOTED": dt.datetime(2000, 1, 3, 8, tzinfo=dt.UTC) + self.hours(0, 9)}
        at["CREATED"] = at["QUOTED"] + self.hours(0.1, 48)
        at["ORDERED"] = at["CREATED"] + self.hours(1, 72)
        at["ASSIGNED"] = at["ORDERED"] + self.hours(1, 24)
        at["OFFEREXPIRY"] = at["ASSIGNED"] + dt.timedelta(hours=OFFER_HOURS)
        at["ACCEPTED"] = at["ASSIGNED"] + self.hours(0.5, 40)
        at["BOOKED"] = at["ACCEPTED"] + self.hours(1, 48)
        day = at["BOOKED"].replace(hour=0, minute=0)
        at["APPOINTMENT"] = day + dt.timedelta(days=rng.randint(4, 10), hours=rng.choice((9, 10, 11, 13, 14, 15)))
        at["CONFIRMED"] = at["APPOINTMENT"] + self.hours(2, 6)
        at["EXPECTEDREPORTDATE"] = at["APPOINTMENT"].replace(hour=17) + dt.timedelta(days=rng.randint(2, 5))
        # The report comes around the date it is expected.
        at["REPORT"] = max(at["CONFIRMED"] + self.hours(6, 12), at["EXPECTEDREPORTDATE"] - self.hours(0, 30))
        at["COMPLETED"] = at["REPORT"] + self.hours(1, 24)
        events = [name for s in LIFECYCLE[: LIFECYCLE.index(stage) + 1] for name in STAGE_EVENTS[s]]
        if status == "APPOINTMENTCOMPLETED" and rng.random() < 0.4:
            events.append("REPORT")  # uploaded, the case not completed yet
        reached = {name: at[name] for name in events}
        last = max(when for name, when in reached.items() if name not in AHEAD)
        if status in ("CANCELLED", "REJECTED"):
            last += self.hours(1, 120)
            if status == "CANCELLED":
                reached["CANCELLED"] = last
        if status in TERMINAL:
            age = dt.timedelta(days=rng.randint(2, 400))
        elif status == "ALLOCATED":
            age = self.hours(1, 10) if rng.random() < 0.75 else self.hours(60, 120)
        else:
            age = self.hours(1, 20)
        shift = dt.timedelta(days=((self.reference - age) - last) // dt.timedelta(days=1))
        return {name: when + shift for name, when in reached.items()}, last + shift

    def due(self, status: str, total: float | None) -> float | None:
        """What is still to be paid: never at NEW, nothing once cancelled or rejected."""
        if total is None or status in ("NEW", "CANCELLED", "REJECTED"):
            return None
        if status == "REFERRED":
            return total
        if status == "COMPLETED":
            return total if self.rng.random() < 0.1 else None
        return self.rng.choice((None, None, total, round5(total / 2)))

    def references(self, number: int, prefixes: tuple[str, str], chance: float) -> Record:
        """Unique by construction: they carry the case number."""
        if self.rng.random() >= chance:
            return {"customer": None, "integration": None}
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        integration = f"{prefixes[1]}-{number}" if self.rng.random() < 0.8 else None
        return {"customer": f"{prefixes[0]}-{number}{letters}", "integration": integration}

    def by(self, supplier: Record, introducer: Record, *, supplier_share: float) -> Record:
        if self.rng.random() < supplier_share:
            people = supplier.get("people") or [""]
            return {
                "organisationTypeCode": "Supplier",
                "organisationName": supplier["name"],
                "personName": self.rng.choice(people),
            }
        return {"organisationTypeCode": "TMP", "organisationName": introducer["brand"], "personName": ""}

    # -- people and places -----------------------------------------------------------------------
    def person(self) -> tuple[str, str]:
        return self.fake.first_name(), self.fake.last_name()

    def customers(self) -> list[Record]:
        first, last = self.person()
        people = [(first, last, True)]
        if self.rng.random() < 0.35:
            other_first, other_last = self.person()
            people.append((other_first, last if self.rng.random() < 0.5 else other_last, self.rng.random() < 0.5))
        return [
            {
                "emailAddress": f"{_slug(f)}.{_slug(la)}{self.rng.randint(1, 99)}@example.co.uk" if email else None,
                "title": self.rng.choice(("Mr", "Mrs", "Miss", "Ms", "Dr", "")),
                "firstName": f,
                "lastName": la,
                "telephoneNumber": self.fake.phone_number(),
                "receiveSMS": self.rng.random() < 0.6,
            }
            for f, la, email in people
        ]

    def address(self, flat: bool) -> tuple[Record, str]:
        town, county, areas, country = self.rng.choice(TOWNS)
        street = f"{self.rng.randint(1, 240)} {self.fake.last_name()} {self.rng.choice(STREET_KINDS)}"
        letters = "".join(self.rng.choice(POSTCODE_LETTERS) for _ in range(2))
        postcode = f"{self.rng.choice(areas)}{self.rng.randint(1, 28)} {self.rng.randint(1, 9)}{letters}"
        lines: list[str | None]
        if flat:
            building = f"{self.rng.randint(1, 120)} {self.fake.last_name()} {self.rng.choice(BUILDING_KINDS)}"
            lines = [building, street, town, county]
        else:
            lines = [street, town, county, None]
        address = {f"addressLine{i}": line for i, line in enumerate(lines, start=1)}
        return {**address, "postcode": postcode}, country

    def property(self) -> Record:
        rng = self.rng
        kind = rng.choice(list(PROPERTY_TYPES))
        address, country = self.address(kind in ("FLAT", "MAISONETTE"))
        value = rng.triangular(90_000, 1_500_000, 280_000) if rng.random() < 0.97 else rng.uniform(2.05e6, 3e6)
        short: Record = {
            "propertyValueOrPurchasePrice": round(value / 500) * 500,
            "propertyTypeCode": kind,
            "propertyAgeCode": rng.choice(list(PROPERTY_AGES)),
            "propertyAddress": address,
            "countryName": country,
            "accessDetails": self.access(),
        }
        if rng.random() < 0.2:
            short["correspondenceAddress"], short["correspondenceCountryName"] = self.address(rng.random() < 0.4)
        return short

    def access(self) -> Record:
        kind = self.rng.choices(("VENDOR", "ESTATEAGENT", "OCCUPIER"), weights=(5, 4, 1))[0]
        first, last = self.person()
        firm = f"{self.fake.last_name()} & {self.fake.last_name()}" if kind == "ESTATEAGENT" else "N/A"
        domain = f"{_slug(firm)}.co.uk" if kind == "ESTATEAGENT" else "example.com"
        return {
            "accessTypeCode": kind,
            "firmName": firm,
            "emailAddress": f"{_slug(first)}{_slug(last)}@{domain}",
            "contactName": f"{first} {last}",
            "telephoneNumber": self.fake.phone_number(),
        }

    def notes(
        self, start: dt.datetime, end: dt.datetime, introducer: Record, supplier: Record | None, customers: list[Record]
    ) -> list[Record]:
        """Notes written between the quote and the case's last past moment."""
        rng = self.rng
        kinds = ["TMP", "Introducer", "CustomerProxy", *(["Supplier"] if supplier else [])]
        notes = []
        sequence = rng.randint(10, 200)
        moments = sorted(start + (end - start) * rng.random() for _ in range(rng.randint(0, 4)))
        for moment in moments:
            kind = rng.choice(kinds)
            visible = self.audience(kind, supplier is not None)
            author = {"Introducer": introducer, "Supplier": supplier}.get(kind)
            read = {}
            for party in visible:
                if party == kind or rng.random() < 0.6:
                    seen = moment + self.hours(0.1, 48)
                    if party == kind or seen <= end:
                        read[party] = isoformat(moment if party == kind else seen)
            organisation_name, person_name = self.author(kind, author, introducer, customers[0])
            notes.append(
                {
                    "sequence": sequence,
                    "caseNoteReference": f"N{rng.randint(1000, 9999)}" if author and rng.random() < 0.5 else None,
                    "createdByOrganisationId": author["id"] if author else None,
                    "createdTimestamp": isoformat(moment),
                    "createdByOrganisationName": organisation_name,
                    "createdByOrganisationTypeCode": kind,
                    "personName": person_name,
                    "visibleTo": visible,
                    "readTimestamps": dict(sorted(read.items())),
                    "noteBody": rng.choice(NOTE_BODIES[kind]),
                }
            )
            sequence += rng.randint(1, 40)
        return notes

    def author(
        self, kind: str, organisation: Record | None, introducer: Record, customer: Record
    ) -> tuple[str, str | None]:
        """Organisation and person named on a note: TMP notes carry no person."""
        if organisation is not None:
            return organisation["name"], self.rng.choice(organisation.get("people") or [""])
        if kind == "TMP":
            return introducer["brand"], None
        return "TMP Customers", f"{customer['firstName']} {customer['lastName']}"

    def audience(self, kind: str, assigned: bool) -> list[str]:
        """Who sees a note: introducer and supplier notes are not normally shown to each other."""
        rng = self.rng
        parties = {
            "TMP": {"Introducer", "Supplier"} if assigned and rng.random() < 0.5 else {"Introducer"},
            "Introducer": {"Introducer"},
            "Supplier": {"Supplier"},
            "CustomerProxy": {"Customer", "Introducer"},
        }[kind]
        if kind in ("Introducer", "Supplier") and rng.random() < 0.35:
            parties.add("Customer")
        if kind == "Introducer" and assigned and rng.random() < 0.15:
            parties.add("Supplier")
        if kind in ("Supplier", "CustomerProxy") and assigned and rng.random() < 0.3:
            parties.add("Introducer" if kind == "Supplier" else "Supplier")
        return sorted(parties)
