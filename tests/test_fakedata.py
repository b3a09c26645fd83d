"""Realistic made-up instances (``engine.fakedata``): valid against every component schema of the
project's specs and of the public ones, the same for the same key and locale, chosen by a
property's name or format, and never at the cost of a constraint."""

from __future__ import annotations

import functools
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.apis import APIS
from mockserver.engine.fakedata import DEFAULT_LOCALE, fake_instance, faker_for
from mockserver.engine.jsonpointer import deref
from mockserver.engine.schemadata import instance_of
from mockserver.web.validation import FORMAT_CHECKER, ResponseValidator, compiled_validator, schema_errors

PUBLIC_SPECS = Path(__file__).parent / "generic" / "specs"
SPECS = [*sorted(APIS), "petstore.yaml", "petstore-expanded.yaml", "apideck-crm.json", "launchdarkly.json"]


@functools.cache
def spec_of(name: str) -> dict[str, Any]:
    if name in APIS:
        return APIS[name].spec
    text = (PUBLIC_SPECS / name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)
    return loaded


def errors(spec: dict[str, Any], schema: Any, value: Any) -> list[dict[str, str]]:
    validator = compiled_validator(deref(spec, schema), ResponseValidator, spec.get("components") or {})
    return schema_errors(validator, value)


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


STRING = {"type": "string"}


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
@pytest.mark.parametrize("seed", [1, 1234, 99])
@pytest.mark.parametrize("spec_name", SPECS)
def test_every_component_schema_gets_a_valid_instance(spec_name: str, seed: int, locale: str) -> None:
    # No component schema needs skipping: plain schemadata meets every one of them too.
    spec = spec_of(spec_name)
    schemas = spec["components"]["schemas"]
    assert schemas
    for name, schema in schemas.items():
        value = fake_instance(schema, spec, (seed, name), locale=locale)
        assert errors(spec, schema, value) == [], (name, value)


PERSON = obj(first_name=STRING, last_name=STRING, city=STRING, notes={"type": "string", "maxLength": 40})


def test_the_same_key_and_locale_give_the_same_instance_whatever_was_drawn_before() -> None:
    first = fake_instance(PERSON, {}, (1, "Person"))
    faker_for(DEFAULT_LOCALE).name()  # other use of the shared Faker in between changes nothing
    assert fake_instance(PERSON, {}, (1, "Person")) == first
    assert fake_instance(PERSON, {}, (1, "Person"), locale="en_US") == first
    assert fake_instance(PERSON, {}, (2, "Person")) != first


def test_another_locale_gives_other_names() -> None:
    american = fake_instance(PERSON, {}, 7, locale="en_US")
    german = fake_instance(PERSON, {}, 7, locale="de_DE")
    assert german == fake_instance(PERSON, {}, 7, locale="de-DE")  # either spelling of the locale
    for field in ("first_name", "last_name", "city"):
        assert american[field] != german[field]


CONTACT = obj(
    email=STRING,
    first_name=STRING,
    lastName=STRING,
    city=STRING,
    postcode=STRING,
    iban=STRING,
    phone=STRING,
    country_code={"type": "string", "maxLength": 2},
    billingCity=STRING,
    contactEmail=STRING,
    avatar_url={"type": "string", "format": "uri"},
    latitude={"type": "number", "minimum": -90, "maximum": 90},
)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_names_choose_what_a_field_holds(seed: int, locale: str) -> None:
    value = fake_instance(CONTACT, {}, seed, locale=locale)
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", value["email"]), value
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", value["contactEmail"]), value  # by its last word
    assert re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", value["iban"]), value
    assert re.fullmatch(r"[A-Z]{2}", value["country_code"]), value
    assert re.fullmatch(r"[0-9]{5}", value["postcode"]), value  # both locales' postcodes have five digits
    assert sum(c.isdigit() for c in value["phone"]) >= 7, value
    assert FORMAT_CHECKER.conforms(value["avatar_url"], "uri"), value
    assert isinstance(value["latitude"], float), value
    for field in ("first_name", "lastName", "city", "billingCity"):
        assert value[field][0].isupper(), value


def test_a_value_is_the_locales_faker_seeded_from_the_key() -> None:
    rng = random.Random(str((3, "Place")))
    fake = faker_for("en_US")
    fake.seed_instance(rng.getrandbits(64))
    expected = fake.city()
    assert fake_instance(obj(city=STRING), {}, (3, "Place")) == {"city": expected}


@pytest.mark.parametrize("name", ["fileName", "capacity", "contact", "status"])
def test_names_the_table_does_not_know_keep_schemadatas_value(name: str) -> None:
    schema = obj(**{name: STRING})
    assert fake_instance(schema, {}, 5) == instance_of(schema, {}, 5)


def test_a_format_chooses_where_the_name_does_not() -> None:
    value = fake_instance(obj(contact={"type": "string", "format": "email"}), {}, 1)["contact"]
    assert FORMAT_CHECKER.conforms(value, "email")
    assert value != instance_of({"type": "string", "format": "email"}, {}, 1)  # Faker's, not schemadata's


@pytest.mark.parametrize("seed", range(10))
def test_constraints_win_over_names(seed: int) -> None:
    schema = obj(
        city={"type": "string", "maxLength": 3},
        email={"type": "string", "pattern": "^[0-9]+$"},
        name={"type": "string", "enum": ["a", "b"]},
        latitude={"type": "number", "minimum": 10, "maximum": 11},
        age={"type": "integer", "minimum": 100, "maximum": 120, "multipleOf": 5},
        country={"type": "string", "maxLength": 2},
        first_name={"type": "string", "format": "email"},
        colour={"type": "string", "pattern": "^#[0-9a-f]{6}$"},
        description={"type": "string", "minLength": 10, "maxLength": 25},
        title={"type": "string", "minLength": 300},
    )
    value = fake_instance(schema, {}, seed)
    assert errors({}, schema, value) == [], value
    assert len(value["city"]) <= 3
    assert value["email"].isdigit()
    assert value["name"] in ("a", "b")
    assert 10 <= value["latitude"] <= 11
    assert value["age"] in range(100, 121, 5)
    assert re.fullmatch(r"[A-Z]{2}", value["country"]), value  # the ISO code where the name is too long
    assert "@" in value["first_name"]
    assert re.fullmatch(r"#[0-9a-f]{6}", value["colour"])
    assert 10 <= len(value["description"]) <= 25
    assert len(value["title"]) >= 300


def test_dates_stay_schemadatas() -> None:
    schema = obj(createdAt={"type": "string", "format": "date-time"}, birthday={"type": "string", "format": "date"})
    assert fake_instance(schema, {}, 4) == instance_of(schema, {}, 4)


def test_an_unknown_locale_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="xx_YY"):
        faker_for("xx_YY")


def test_importing_the_module_does_not_import_faker() -> None:
    code = "import sys, mockserver.engine.fakedata; print('faker' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
