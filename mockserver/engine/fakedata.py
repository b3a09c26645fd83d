"""Made-up instances that read like real data: :mod:`schemadata` 's values, except that a property
whose name (or format) says what it holds gets a value from Faker in a locale.

A generic spec's records are seeded from its schemas alone, and ``{"city": "Jtmjqshu"}`` reads as
noise. :class:`FakeData` looks a property's name up in a table (lower case, without ``_``, ``-`` or
spaces, so that ``firstName``, ``first_name`` and ``FirstName`` are one name; else its last words,
for the entries that keep their meaning there: ``billingCity``, ``contactEmail``, ``avatarUrl``),
then its ``format`` (``email``, ``uri``, ``hostname``), and draws from Faker. A draw is kept only if
it fits the schema (lengths, ``pattern``, ``format``, bounds and ``multipleOf``; prose is cut to
``maxLength`` first); a table entry may name fallbacks (``country`` with ``maxLength: 2`` gets the
ISO code) and without one that fits, or with an ``enum``, the value is schemadata's. A bare
``name`` is a first name: it reads right for a person, a pet or a team, where a full name would
not. Dates stay schemadata's (realistic already, and relative to its fixed day, not today's).

Each draw reseeds the Faker from the instance's ``random.Random`` first, so a value depends only on
the key and the properties before it, never on what else the process has drawn from that Faker.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import re
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.engine.schemadata import SchemaData, implied_type, string_fits

if TYPE_CHECKING:
    from faker import Faker

DEFAULT_LOCALE = "en_US"
#: The Faker providers the tables draw from (Faker loads all ~25 unless told which: ~19 ms, not ~15).
PROVIDERS = tuple(
    f"faker.providers.{name}"
    for name in (
        *("person", "address", "geo", "phone_number", "company", "job", "internet", "lorem", "bank"),
        *("currency", "color", "date_time", "misc", "ssn"),
    )
)

Draw = Callable[["Faker"], Any]


def _table(entries: dict[tuple[str, ...], tuple[Draw, ...]]) -> dict[str, tuple[Draw, ...]]:
    """Each name of an entry to its draws (tried in turn until one fits)."""
    return {name: draws for names, draws in entries.items() for name in names}


def _prose(fake: Faker) -> str:
    return str(fake.text(max_nb_chars=200))


def _headline(fake: Faker) -> str:
    return str(fake.sentence(nb_words=4)).rstrip(".")


#: Draws that are cut at a word to fit ``maxLength`` and lengthened by sentences to ``minLength``.
_PROSE: frozenset[Draw] = frozenset({_prose, _headline})

_STRINGS = _table(
    {
        ("email", "emailaddress", "mail"): (lambda f: f.email(),),
        ("firstname", "givenname", "forename", "name"): (lambda f: f.first_name(),),
        ("lastname", "surname", "familyname"): (lambda f: f.last_name(),),
        ("fullname", "displayname", "contactname"): (lambda f: f.name(),),
        ("username", "login", "handle", "nickname"): (lambda f: f.user_name(),),
        ("phone", "phonenumber", "mobile", "telephone", "tel", "fax", "cellphone"): (lambda f: f.phone_number(),),
        ("city", "town", "locality"): (lambda f: f.city(),),
        ("country",): (lambda f: f.country(), lambda f: f.country_code(), lambda f: f.country_code("alpha-3")),
        ("countrycode",): (lambda f: f.country_code(), lambda f: f.country_code("alpha-3")),
        ("state", "region", "province", "county"): (lambda f: f.state(), lambda f: f.state_abbr()),
        ("postcode", "postalcode", "zip", "zipcode"): (lambda f: f.postcode(),),
        ("street", "streetaddress", "address", "addressline1", "line1", "address1"): (lambda f: f.street_address(),),
        ("line2", "addressline2", "address2"): (lambda f: f.secondary_address(),),
        ("streetnumber", "housenumber", "buildingnumber"): (lambda f: f.building_number(),),
        ("company", "companyname", "organisation", "organization", "employer", "business"): (lambda f: f.company(),),
        ("jobtitle", "job", "occupation", "position"): (lambda f: f.job(),),
        ("iban",): (lambda f: f.iban(),),
        ("bic", "swift", "swiftcode"): (lambda f: f.swift(),),
        ("currency", "currencycode"): (lambda f: f.currency_code(),),
        ("url", "website", "homepage", "link"): (lambda f: f.url(),),
        ("avatar", "avatarurl", "image", "imageurl", "photo", "photourl", "picture", "thumbnail"): (
            lambda f: f.image_url(),
        ),
        ("description", "notes", "note", "bio", "summary", "comment", "about", "body"): (_prose,),
        ("title", "subject", "headline"): (_headline,),
        ("color", "colour"): (lambda f: f.color_name(), lambda f: f.hex_color()),
        ("ip", "ipaddress"): (lambda f: f.ipv4(),),
        ("domain", "domainname"): (lambda f: f.domain_name(),),
        ("hostname", "host"): (lambda f: f.hostname(),),
        ("timezone", "tz"): (lambda f: f.timezone(),),
        ("language", "languagecode"): (lambda f: f.language_code(),),
        ("locale",): (lambda f: f.locale(), lambda f: f.language_code()),
        ("slug",): (lambda f: f.slug(),),
        ("uuid", "guid"): (lambda f: f.uuid4(),),
        ("password",): (lambda f: f.password(),),
        ("token", "secret", "apikey"): (lambda f: f.sha256(),),
        ("vat", "vatid", "vatnumber", "taxnumber", "taxid"): (lambda f: f.vat_id(), lambda f: f.ein()),
        ("latitude", "lat"): (lambda f: str(f.latitude()),),
        ("longitude", "lng", "lon"): (lambda f: str(f.longitude()),),
    }
)
_NUMBERS = _table(
    {
        ("latitude", "lat"): (lambda f: float(f.latitude()),),
        ("longitude", "lng", "lon", "long"): (lambda f: float(f.longitude()),),
        ("age",): (lambda f: f.random_int(18, 90),),
        ("year",): (lambda f: f.random_int(1970, 2025),),
        ("price", "amount", "cost"): (lambda f: f.random_int(100, 100_000) / 100,),
        ("quantity", "qty"): (lambda f: f.random_int(1, 20),),
    }
)
#: Formats with draws of their own, whatever the name: those of the table's entry.
_FORMATS = {"email": _STRINGS["email"], "uri": _STRINGS["url"], "url": _STRINGS["url"], "hostname": _STRINGS["host"]}
#: Entries a longer name may end with, meaning the same (``name`` may not: ``fileName``).
_SUFFIXES = frozenset(
    {
        *("email", "emailaddress", "phone", "phonenumber", "mobile", "fax", "url", "website", "imageurl", "photourl"),
        *("avatarurl", "firstname", "lastname", "fullname", "username", "companyname", "jobtitle", "description"),
        *("title", "city", "country", "countrycode", "postcode", "postalcode", "zip", "zipcode", "street"),
        *("streetaddress", "line1", "line2", "iban", "currency", "currencycode", "color", "colour", "timezone"),
        *("latitude", "longitude", "price", "amount", "quantity"),
    }
)
_SCHEMADATA_FORMATS = frozenset({"date", "date-time", "byte"})  #: schemadata's realistic, or a draw would not meet
#: The formats a draw must meet for the validator (and ``url``).
_CHECKS: dict[str, Callable[[str], object]] = {
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").search,
    "uri": re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$").search,
    "url": re.compile(r"^https?://[^\s]+$").search,
    "uuid": uuid.UUID,
    "ipv4": ipaddress.IPv4Address,
    "ipv6": ipaddress.IPv6Address,
}
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_DRAWING = threading.Lock()  #: one draw at a time: a reseeding and its draw must not interleave between threads


class FakeData(SchemaData):
    """SchemaData whose values for named properties come from Faker where the name (or format) says
    what they are."""

    def __init__(self, document: dict[str, Any], rng: random.Random, fake: Faker) -> None:
        super().__init__(document, rng)
        self.fake = fake

    def _property(self, name: str, schema: Any, depth: int) -> Any:
        schema = self._resolved(schema)
        if not isinstance(schema, dict) or "enum" in schema or "not" in schema:
            return super()._property(name, schema, depth)
        kind = schema.get("type") or implied_type(schema)
        draws: tuple[Draw, ...] = ()
        fits = _number_fits if kind in ("integer", "number") else _string_fits
        if kind == "string" and schema.get("format") not in _SCHEMADATA_FORMATS:
            draws = _lookup(_STRINGS, name) + _FORMATS.get(schema.get("format") or "", ())
        elif kind in ("integer", "number"):
            draws = _lookup(_NUMBERS, name)
        for draw in draws:
            value = self._draw(draw, schema)
            if kind == "integer" and isinstance(value, float):
                value = round(value)
            if value is not None and fits(schema, value):
                return value
        return super()._property(name, schema, depth)

    def _draw(self, draw: Draw, schema: dict[str, Any]) -> Any:
        """``draw`` 's value from the Faker reseeded by ``rng`` (``None`` if the locale lacks it)."""
        with _DRAWING:
            self.fake.seed_instance(self.rng.getrandbits(64))
            try:
                value = draw(self.fake)
            except AttributeError:  # a method this locale's providers lack (de_DE has no state_abbr)
                return None
            return self._cut(value, schema) if draw in _PROSE else value

    def _cut(self, text: str, schema: dict[str, Any]) -> str:
        """Prose lengthened by sentences to ``minLength`` and cut at a word to ``maxLength``."""
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        for _ in range(100):  # a longer minLength than ~100 sentences is left to schemadata
            if len(text) >= low:
                break
            text = f"{text.rstrip('.')}. {self.fake.sentence()}"
        if high is not None and len(text) > high:
            cut = text[: int(high)]
            words = cut.rsplit(" ", 1)[0].rstrip(" ,;:")
            text = words if " " in cut and len(words) >= max(low, 1) else cut
        return text


def faker_for(locale: str = DEFAULT_LOCALE) -> Faker:
    """The Faker of ``locale`` (one per process) with :data:`PROVIDERS` only; a locale Faker lacks: ValueError."""
    return _faker(locale.replace("-", "_"))


@functools.cache
def _faker(locale: str) -> Faker:
    from faker import Faker  # only when data is made: a start that makes none skips Faker's import
    from faker.config import AVAILABLE_LOCALES

    if locale not in AVAILABLE_LOCALES:
        raise ValueError(f"Faker has no locale {locale!r} (one of: {', '.join(sorted(AVAILABLE_LOCALES))})")
    return Faker(locale, providers=list(PROVIDERS))


def fake_instance(schema: Any, document: dict[str, Any], key: object, *, locale: str = DEFAULT_LOCALE) -> Any:
    """Like :func:`schemadata.instance_of`: a value valid against ``schema``, the same for the same
    ``key`` and ``locale``."""
    return FakeData(document, random.Random(str(key)), faker_for(locale)).instance(schema)


def _lookup(table: dict[str, tuple[Draw, ...]], name: str) -> tuple[Draw, ...]:
    """The draws for ``name``: the whole name's, else those of its longest suffix that may stand alone."""
    whole = re.sub(r"[\s_-]", "", name).lower()
    if whole in table:
        return table[whole]
    words = [w.lower() for w in _WORDS.findall(name)]
    for start in range(1, len(words)):
        tail = "".join(words[start:])
        if tail in _SUFFIXES and tail in table:
            return table[tail]
    return ()


def _string_fits(schema: dict[str, Any], value: Any) -> bool:
    """``schemadata.string_fits``, and the string's format."""
    if not isinstance(value, str):
        return False
    check = _CHECKS.get(schema.get("format") or "")
    try:
        return (check is None or bool(check(value))) and string_fits(schema, value)
    except (re.error, ValueError):  # a pattern Python cannot read; uuid's and ipaddress's parsers raise
        return False


def _number_fits(schema: dict[str, Any], value: Any) -> bool:
    low, high, step = schema.get("minimum"), schema.get("maximum"), schema.get("multipleOf")
    if low is not None and (value < low or (schema.get("exclusiveMinimum") and value == low)):
        return False
    if high is not None and (value > high or (schema.get("exclusiveMaximum") and value == high)):
        return False
    if not step:
        return True
    if isinstance(step, float):  # as jsonschema judges it
        quotient = value / step
        return bool(int(quotient) == quotient)
    return not value % step
