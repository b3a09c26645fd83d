"""Seeded generation of the consumer portal's data, and loading of its fixtures.

Fixtures come first (the documented example dossier and the demo consumers, with fixed ids), then
``volume`` generated consumers, each with a dossier of an advice office, one mortgage and
sometimes an insurance, and their product actions, some done and some open. Everything is drawn
from one ``random.Random`` and one Faker (``nl_NL``) seeded from the settings, in a fixed order,
with dates laid out around the clock's anchor day.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.fixtures import load
from mockserver.engine.generation import SeededGenerator
from mockserver.engine.store import Store

from . import lookups
from .lookups import DOWNLOAD, INSURANCE, MORTGAGE, REFERENCE_LETTER, SIGN_OTD, UPLOAD
from .rules import ascii_text, display_name

TABLES = ("consumers", "sessions", "dossiers", "products", "productactions", "uploads")
#: Indexed fields: every request authenticates by token or session cookie and reads the caller's
#: dossier and its products. Product actions are not indexed: an update would move a row to the end of its index
#: bucket, and their order is the order of the session's maps.
INDEXES: dict[str, tuple[str, ...]] = {
    "consumers": ("token",),
    "sessions": ("session_id",),
    "dossiers": ("consumer_id",),
    "products": ("dossier_id",),
    "productactions": ("dossier_id",),
}
Record = dict[str, Any]
Office = tuple[str, str, str, str, str]

_ISO_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z$")
_SESSION_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"  # PHP's session.sid_bits_per_character=5


def token_for(seed: int, consumer_id: str) -> str:
    return "tok-" + hashlib.sha256(f"consumerportal:{seed}:{consumer_id}".encode()).hexdigest()[:32]


def session_time(value: str) -> str:
    """The documented ``YYYY-MM-DD HH:MM:SS`` from a fixture's resolved ``@-1d 09:30``."""
    match = _ISO_MOMENT.match(value)
    return f"{match.group(1)} {match.group(2)}" if match else value


def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Path) -> None:
    load_fixtures(store, clock, fixtures)
    Generator(store, seed=seed, volume=volume, clock=clock).run()


def insert_dossier(store: Store, dossier: Record) -> None:
    """A dossier written as in the fixtures (products with their actions nested) into the tables."""
    dossier = dict(dossier)
    products = dossier.pop("products", [])
    store.dossiers.insert(dossier)
    for product in products:
        product = dict(product)
        actions = product.pop("productactions", [])
        store.products.insert({**product, "dossier_id": dossier["id"]})
        for action in actions:
            store.productactions.insert({**action, "product_id": product["id"], "dossier_id": dossier["id"]})


def insert_consumer(store: Store, consumer: Record) -> None:
    consumer = dict(consumer)
    session = consumer.pop("session")
    store.consumers.insert(consumer)
    store.sessions.insert(
        {**session, "consumer_id": consumer["id"], "date_started": session_time(session["date_started"])},
        key_field="consumer_id",
    )


def load_fixtures(store: Store, clock: Clock, fixtures: Path) -> None:
    records = load(fixtures, clock)
    for consumer in records.get("consumers", []):
        insert_consumer(store, consumer)
    for dossier in records.get("dossiers", []):
        insert_dossier(store, dossier)


class Generator(SeededGenerator):
    locale = "nl_NL"

    def __init__(self, store: Store, *, seed: int, volume: int, clock: Clock) -> None:
        super().__init__(store, seed=seed, volume=volume, clock=clock)
        self.numbers: dict[str, int] = {}

    # -- small draws -----------------------------------------------------------------------------
    def hex_id(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(120):030X}"

    def day(self, low: int, high: int) -> str:
        return self.clock.at(self.rng.randint(low, high)).date().isoformat()

    def landline(self) -> str:
        """Ten digits: ``020 123 4567`` or ``0570 665 144``."""
        area = self.rng.choice(lookups.AREA_CODES)
        size = 10 - len(area)
        digits = str(self.rng.randint(2 * 10 ** (size - 1), 10**size - 1))
        return f"{area} {digits[:3]} {digits[3:]}"

    def mobile(self) -> str:
        return f"06 {self.rng.randint(10_000_000, 99_999_999)}"

    def name(self, gender: str) -> tuple[str, str, str]:
        """(first name, surname prefix, surname), the prefix split off Faker's surname."""
        first = self.fake.first_name_male() if gender == "M" else self.fake.first_name_female()
        words = self.fake.last_name().split(" ")
        prefix: list[str] = []
        while len(words) > 1 and words[0] in lookups.SURNAME_PREFIXES:
            prefix.append(words.pop(0))
        return first, " ".join(prefix), " ".join(words)

    # -- records ---------------------------------------------------------------------------------
    def run(self) -> None:
        staff = {office: [self.employee(office) for _ in range(3)] for office in lookups.OFFICES}
        for _ in range(self.volume):
            office = self.rng.choice(lookups.OFFICES)
            consumer = self.consumer()
            partner = self.partner_name() if self.rng.random() < 0.5 else None
            owner, advisor = self.rng.sample(staff[office], 2)
            self.dossier(office, consumer, partner, owner, advisor)

    def employee(self, office: Office) -> Record:
        gender = self.rng.choice("MV")
        first, prefix, surname = self.name(gender)
        local = ascii_text(f"{first[0]}.{surname}").lower().replace(" ", "").replace("'", "")
        return {
            "name": " ".join(p for p in (first, prefix, surname) if p),
            "phone": office[4],
            "emailaddress": f"{local}@{office[3]}",
            "avatar_base64": None,
        }

    def partner_name(self) -> str:
        first, prefix, surname = self.name(self.rng.choice("MV"))
        return " ".join(p for p in (first, prefix, surname) if p)

    def consumer(self) -> Record:
        gender = self.rng.choice("MV")
        first, prefix, surname = self.name(gender)
        consumer_id = self.hex_id("CNSR")
        local = ascii_text(f"{first}.{prefix}{surname}").lower().replace(" ", "").replace("'", "")
        record: Record = {
            "id": consumer_id,
            "token": token_for(self.seed, consumer_id),
            "gender": gender,
            "initials": f"{first[0]}." if self.rng.random() < 0.6 else None,
            "firstname": first,
            "prefix": prefix,
            "surname": surname,
            "streetname": self.fake.street_name(),
            "housenumber": str(self.rng.randint(1, 250)),
            "housenumber_addition": self.rng.choice((None, None, None, "A", "B", "bis", "2 hoog")),
            "date_of_birth": self.day(-365 * 60, -365 * 23) if self.rng.random() < 0.8 else None,
            "zipcode": self.fake.postcode().replace(" ", "").upper(),
            "city": self.fake.city(),
            "phone": self.landline() if self.rng.random() < 0.5 else None,
            "phone_mobile": self.mobile() if self.rng.random() < 0.9 else None,
            "emailaddress": f"{local}@{self.rng.choice(lookups.EMAIL_DOMAINS)}",
        }
        started = self.clock.at(self.rng.randint(-3, 0), self.rng.randint(7, 22), self.rng.randint(0, 59))
        session = {
            "session_id": "".join(self.rng.choice(_SESSION_ID_ALPHABET) for _ in range(26)),
            "date_started": started.strftime("%Y-%m-%d %H:%M:%S"),
            "state": "RUNNING",
        }
        insert_consumer(self.store, {**record, "session": session})
        return record

    def dossier(self, office: Office, consumer: Record, partner: str | None, owner: Record, advisor: Record) -> None:
        code_prefix = office[0]
        self.numbers[code_prefix] = self.numbers.get(code_prefix, 1000) + self.rng.randint(1, 40)
        code = f"{code_prefix}-{self.numbers[code_prefix]}"
        created = -self.rng.randint(10, 150)
        names = [display_name(consumer)] + ([partner] if partner else [])
        products = [self.mortgage(code, created, names)]
        if self.rng.random() < 0.4:
            products.append(self.insurance(code, created, names))
        insert_dossier(
            self.store,
            {
                "id": self.hex_id("DS"),
                "consumer_id": consumer["id"],
                "code": code,
                "date_created": self.clock.at(created).date().isoformat(),
                "owner": owner,
                "advisor": advisor,
                "products": products,
            },
        )

    def product(self, code: str, kind: str, label: str, mortgage: Record | None) -> Record:
        reference = f"{code}-{REFERENCE_LETTER[kind]}-{self.rng.getrandbits(128):032x}"
        quote = f"OFF-{self.rng.randint(100000, 999999)}" if self.rng.random() < 0.5 else ""
        return {
            "id": self.hex_id("PR"),
            "type": kind,
            "label": label,
            "reference_number": reference,
            "quote_number": quote,
            "mortgage": mortgage,
            "productactions": [],
        }

    def mortgage(self, code: str, created: int, names: list[str]) -> Record:
        lender = self.rng.choice(sorted(lookups.LENDERS))
        label = self.rng.choice(lookups.LENDERS[lender])
        has_timeline = self.rng.random() < 0.7
        details = {
            "label": label,
            "arrangement": self.rng.choice((None, *lookups.ARRANGEMENTS)),
            "mortgage_amount": self.rng.randrange(150_000, 650_000, 500) if self.rng.random() < 0.7 else None,
            "lender_name": lender,
            "has_timeline": has_timeline,
            "rendered_timeline": self.timeline() if has_timeline else None,
        }
        product = self.product(code, MORTGAGE, label, details)
        actions = product["productactions"]
        actions.append(self.action(product, created, SIGN_OTD, dict(lookups.OTD_DOCUMENT), done_chance=0.8))
        for name in names:
            actions.append(self.upload(product, created, "id", name))
        for key in self.rng.sample(lookups.MORTGAGE_UPLOADS, self.rng.randint(1, 3)):
            actions.append(self.upload(product, created, key, names[0]))
        for key in ("quote", "advice"):
            if self.rng.random() < 0.5:
                actions.append(self.download(product, created, key))
        return product

    def insurance(self, code: str, created: int, names: list[str]) -> Record:
        product = self.product(code, INSURANCE, self.rng.choice(lookups.INSURANCE_PRODUCTS), None)
        product["productactions"].append(self.upload(product, created, "health", names[0]))
        if self.rng.random() < 0.5:
            product["productactions"].append(self.download(product, created, "policy"))
        return product

    def timeline(self) -> str:
        reached = self.rng.randint(1, len(lookups.TIMELINE_STEPS))
        items = "".join(
            f'<li class="{"done" if i < reached else "todo"}">{step}</li>'
            for i, step in enumerate(lookups.TIMELINE_STEPS)
        )
        return f'<div class="container-fluid"><ul class="timeline">{items}</ul></div>'

    def upload(self, product: Record, created: int, key: str, name: str) -> Record:
        spec = lookups.UPLOAD_DOCUMENTS[key]
        document = {
            "upload_requirements": list(spec["requirements"]),
            "label": spec["label"],
            "description": "",
            "is_consumer_specific": spec["specific"],
            "consumer_name": name if spec["specific"] else None,
        }
        return self.action(product, created, UPLOAD, {**document, "action": spec["action"].format(name=name)})

    def download(self, product: Record, created: int, key: str) -> Record:
        spec = lookups.DOWNLOAD_DOCUMENTS[key]
        document = {"action": spec["action"], "label": spec["label"].format(product=product["label"])}
        document["description"] = spec["description"]
        return self.action(product, created, DOWNLOAD, document)

    def action(self, product: Record, created: int, kind: str, spec: Record, done_chance: float = 0.5) -> Record:
        day_created = self.rng.randint(created, created + 5)
        done = self.rng.random() < done_chance
        document = {
            "upload_requirements": spec.get("upload_requirements", []),
            "label": spec["label"],
            "description": spec.get("description", ""),
            "is_consumer_specific": spec.get("is_consumer_specific", False),
            "consumer_name": spec.get("consumer_name"),
        }
        return {
            "id": self.hex_id("PRA"),
            "date_created": self.clock.at(day_created).date().isoformat(),
            "date_executed": self.clock.at(self.rng.randint(day_created, 0)).date().isoformat() if done else None,
            "is_done": 1 if done else 0,
            "type": kind,
            "comment": "",
            "label": spec["action"],
            "document": document,
        }
