"""Seeded cases: deterministic, consistent with their status, and valid against the spec for both roles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.apis.instruction import rules
from mockserver.apis.instruction.lookups import LIFECYCLE, STATUSES, VALUE_TIERS, value_tier
from mockserver.engine.clock import parse
from mockserver.web.app import MockServer
from mockserver.web.validation import FORMAT_CHECKER, ResponseValidator
from tests.instruction.conftest import HOMEWARD, settings

UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
#: The timestamp each lifecycle status adds (OFFEREXPIRY comes with ASSIGNED).
STATUS_TIMESTAMP = {
    "NEW": "QUOTED",
    "REFERRED": "CREATED",
    "ORDERED": "ORDERED",
    "ALLOCATED": "ASSIGNED",
    "ACCEPTED": "ACCEPTED",
    "APPOINTMENTBOOKED": "APPOINTMENT",
    "APPOINTMENTCOMPLETED": "EXPECTEDREPORTDATE",
    "COMPLETED": "COMPLETED",
}


def state(seed: int = 1234, volume: int = 8) -> Any:
    return MockServer(settings(seed=seed, volume=volume)).runtime.apis["instruction"].state


def snapshot(server: MockServer) -> list[bytes]:
    with TestClient(server) as client:
        users = client.get("/__admin/apis").json()["apis"][0]["auth"]["users"]
        numbers = [*range(110001, 110017), *range(120001, 120017)]
        return [
            client.get(f"/instruction/TMP{n}", headers={"X-Api-Key": user["token"]}).content
            for user in users
            for n in numbers
        ]


def test_the_same_seed_gives_byte_identical_responses() -> None:
    assert snapshot(MockServer(settings())) == snapshot(MockServer(settings()))


def test_a_different_seed_gives_different_cases() -> None:
    assert snapshot(MockServer(settings())) != snapshot(MockServer(settings(seed=99)))


def test_the_number_of_generated_cases_follows_the_volume() -> None:
    fixtures = state(volume=0).counts()["instructions"]
    assert fixtures == 17
    assert state(volume=8).counts()["instructions"] == fixtures + 16


@pytest.mark.parametrize("seed", [1234, 7])
def test_every_case_is_consistent_with_its_status(seed: int) -> None:
    cases = state(seed, volume=40).store.instructions.all()
    assert {c["status"] for c in cases} == set(STATUSES)
    for case in cases:
        where, reached = case["tmpReference"], case["timestamps"]
        status = case["status"]
        stage = status if status in LIFECYCLE else None
        if stage:
            expected = {STATUS_TIMESTAMP[s] for s in LIFECYCLE[: LIFECYCLE.index(stage) + 1]}
            assert expected <= set(reached), where
            later = {STATUS_TIMESTAMP[s] for s in LIFECYCLE[LIFECYCLE.index(stage) + 1 :]}
            assert not later & set(reached), where
        assert ("CANCELLED" in reached) == (status == "CANCELLED"), where
        assert not ("COMPLETED" in reached and "CANCELLED" in reached), where
        assert ("ASSIGNED" in reached) == bool(case["supplierId"]), where
        assert ("ACCEPTED" in reached) == bool(case["acceptedBy"]), where
        # Events happen in order (the docs' example has fractions of a second: compare moments).
        order = ["QUOTED", "CREATED", "ORDERED", "ASSIGNED", "ACCEPTED", "COMPLETED"]
        moments = [parse(reached[name]) for name in order if name in reached]
        assert moments == sorted(moments), where
        if case["appointment"]:
            assert parse(case["appointment"]["bookedAt"]) < parse(reached["APPOINTMENT"]), where
        # A report exists once the appointment is confirmed completed, and always on completion.
        if case["files"]:
            assert status in ("APPOINTMENTCOMPLETED", "COMPLETED"), where
        if status == "COMPLETED":
            assert case["files"], where


@pytest.mark.parametrize("seed", [1234, 7])
def test_milestones_never_contradict_the_status(seed: int) -> None:
    instruction_state = state(seed, volume=40)
    now = instruction_state.clock.now()
    for case in instruction_state.store.instructions.all():
        codes = [m["milestoneCode"] for m in instruction_state.service.views.milestones(case, "introducer", now)]
        if case["status"] == "CANCELLED":
            assert "COMPLETED" not in codes
        if case["status"] == "COMPLETED":
            assert "CANCELLED" not in codes


@pytest.mark.parametrize("seed", [1234, 7])
def test_properties_have_uk_postcodes_and_consistent_tiers_and_fees(seed: int) -> None:
    for case in state(seed, volume=40).store.instructions.all():
        prop = case["property"]
        for address in (prop["propertyAddress"], prop["correspondenceAddress"]):
            assert UK_POSTCODE.match(address["postcode"]), address
            assert address["countryCode"] == "GB"
        assert prop["propertyValueTierCode"] == value_tier(prop["propertyValueOrPurchasePrice"])
        assert prop["propertyValueTierDescription"] == VALUE_TIERS[prop["propertyValueTierCode"]]
        assert prop["propertyAddress"]["postcode"] in prop["propertyAddressDescription"]
        fee = case["fee"]
        if case["status"] == "NEW":
            assert fee["due"] is None
        if fee["total"] is not None:
            assert 0 < fee["introducer"] < fee["supplier"] < fee["total"]


@pytest.mark.parametrize("seed", [1234, 7])
def test_every_case_conforms_to_the_spec_for_everyone_who_sees_it(seed: int) -> None:
    spec = APIS["instruction"].spec
    validator = ResponseValidator(
        {"$ref": "#/components/schemas/Instruction", "components": spec["components"]}, format_checker=FORMAT_CHECKER
    )
    instruction_state = state(seed, volume=40)
    now = instruction_state.clock.now()
    seen = {"introducer": 0, "supplier": 0}
    for case in instruction_state.store.instructions.all():
        for organisation in instruction_state.store.organisations.all():
            if rules.can_see(case, organisation):
                view = instruction_state.service.views.instruction(case, organisation, now)
                errors = [e.message for e in validator.iter_errors(view)]
                assert not errors, (case["tmpReference"], organisation["id"], errors)
                seen[organisation["role"]] += 1
    assert seen["introducer"] > 50
    assert seen["supplier"] > 20


def test_generated_references_find_their_cases(server: MockServer, client: TestClient) -> None:
    cases = server.runtime.apis["instruction"].state.store.instructions.all()
    generated = [c for c in cases if c["introducerId"] == "homeward" and c["introducerReferences"]["customer"]]
    assert generated
    for case in generated:
        reference = case["introducerReferences"]["customer"]
        response = client.get(f"/instruction/introducer/{reference}", headers=HOMEWARD)
        assert response.json()["tmpReference"] == case["tmpReference"]
