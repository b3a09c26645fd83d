"""The lifecycle pass of `mockserver contract` against real servers on 127.0.0.1: on our mock it
walks every resource whose documented examples create one from create to the 404 after its delete
and finds nothing; a deployment that keeps what it deleted, or loses what it created, is caught on
every resource, on every run (the pass follows the spec's links in order, with no randomness)."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.apis import APIS
from mockserver.contract.credentials import resolve
from mockserver.contract.lifecycle import (
    NOT_FOUND,
    STILL_AVAILABLE,
    Lifecycle,
    Phases,
    Walk,
    credential_headers,
    walk_api,
)
from mockserver.contract.links import ABSENT, Exchange, Request, dictionary_values, evaluate, operations
from mockserver.contract.runner import DEFAULT_CONFIG, ContractOptions, run_contract
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.live import serve

ANCHOR = dt.date(2026, 3, 2)
CONFIG = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
FINDINGS = {"keep-deleted": STILL_AVAILABLE, "lost-write": NOT_FOUND}
#: Resources, and those whose life the pass walks from create to the 404 after the delete: every
#: one with a delete (the portal's forms and HomeQ's offices have none).
RESOURCES = {"portal": 3, "homeq": 20}
WALKED_TO_GONE = {"portal": 1, "homeq": 19}


def walk(origin: str, api: str) -> Lifecycle:
    definition = APIS[api]
    headers = credential_headers(definition.spec, resolve(definition, origin))
    return walk_api(definition, origin, headers, dictionary_values(CONFIG, definition.title))


def walked_to_gone(walk: Walk) -> bool:
    labels = [step.label for step in walk.steps if step.expected]
    return not walk.findings and "D" in labels and any(label.endswith("404") for label in labels)


def titles(lifecycle: Lifecycle) -> set[str]:
    return {title for walk in lifecycle.walks for title in walk.findings}


@pytest.fixture(scope="module")
def good_mock() -> Iterator[str]:
    with serve(MockServer(Settings(anchor_date=ANCHOR, volume=8))) as origin:
        yield origin


@pytest.mark.parametrize("api", ["portal", "homeq"])
def test_our_mock_lives_every_resource_its_examples_create(good_mock: str, api: str) -> None:
    lifecycle = walk(good_mock, api)
    report = "\n".join(f"{w.status} {w.resource.name} {w.trail} {w.skipped or ''}" for w in lifecycle.walks)
    assert not lifecycle.failed, report
    assert titles(lifecycle) == set(), report
    assert sum(1 for w in lifecycle.walks if walked_to_gone(w)) == WALKED_TO_GONE[api], report
    assert not [w.resource.name for w in lifecycle.walks if w.skipped], report
    whole = RESOURCES[api]
    assert lifecycle.line() == f"{whole}/{whole} resources walked whole, 0 findings", report


@pytest.mark.parametrize("fault", sorted(FINDINGS))
def test_a_deployment_that_breaks_a_life_is_caught_on_every_resource(fault: str) -> None:
    broken = MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=(fault,)))
    with serve(broken) as origin:
        lifecycles = [walk(origin, api) for api in ("portal", "homeq")]
    for lifecycle in lifecycles:
        assert lifecycle.failed
        assert titles(lifecycle) == {FINDINGS[fault]}
        for found in lifecycle.walks:
            deleted = any(step.label == "D" and step.expected for step in found.steps)
            # A lost write shows on every record the run created; a kept one on every it deleted.
            if deleted or (fault == "lost-write" and not found.skipped):
                assert FINDINGS[fault] in found.findings, f"{found.resource.name}: {found.trail}"


def test_the_contract_command_runs_the_lifecycle_pass_alone_and_fails_on_a_finding(tmp_path: Path) -> None:
    broken = MockServer(Settings(anchor_date=ANCHOR, volume=8, faults=("keep-deleted",)))
    out = io.StringIO()
    with serve(broken) as origin:
        options = ContractOptions(base_url=origin, apis=("portal",), report_dir=tmp_path, phases="lifecycle")
        code = run_contract(options, APIS, out)
    printed = out.getvalue()
    assert code == 1, printed
    folder = tmp_path / "portal"
    assert not (folder / "junit.xml").exists()  # Schemathesis did not run
    cases = {case.get("name"): case for case in ET.parse(folder / "lifecycle.xml").getroot().iter("testcase")}
    favourites = cases["Lifecycle POST /profile/favourites"]
    failure = favourites.find("failure")
    assert failure is not None
    assert failure.get("message") == STILL_AVAILABLE
    assert "HEAD /api/rest/portal/profile/favourites/5353 -> 200" in (failure.text or "")
    assert cases["Lifecycle PUT /profile/assessment"].find("skipped") is None
    assert "demo-alice-token" not in (folder / "lifecycle.xml").read_text(encoding="utf-8")
    assert "  FAIL Lifecycle POST /profile/favourites  C-R-D-R404!200" in printed
    assert "  ok   Lifecycle PUT /profile/assessment" in printed
    assert "lifecycle: 2/3 resources walked whole, 1 findings" in printed


def test_phases_name_the_lifecycle_pass_beside_schemathesis_phases() -> None:
    assert Phases.parse(None) == Phases(None, True)
    assert Phases.parse("coverage,stateful") == Phases(("coverage", "stateful"), False)
    assert Phases.parse("lifecycle").argument == ""
    assert Phases.parse("examples, lifecycle").argument == "examples"


def test_a_link_reads_the_request_it_follows_and_the_answer() -> None:
    spec = APIS["portal"].spec
    add = operations(spec)["addFavourite"]
    request = Request(add, "/profile/favourites", {}, {"page": "2"}, {"X-Trace": "t1"}, {"listing": 5353})
    answer = Exchange(request, 201, {"Location": "/profile/favourites/5353"}, {"id": 7, "items": [{"id": 9}]})
    assert evaluate("$request.body#/listing", answer) == 5353
    assert evaluate("$response.body#/items/0/id", answer) == 9
    assert evaluate("$request.query.page", answer) == "2"
    assert evaluate("$request.header.x-trace", answer) == "t1"
    assert evaluate("$response.header.location", answer) == "/profile/favourites/5353"
    assert evaluate({"listing": "$response.body#/id", "draft": True}, answer) == {"listing": 7, "draft": True}
    assert evaluate("fav-{$response.body#/id}", answer) == "fav-7"
    assert evaluate("$response.body#/missing", answer) is ABSENT
    assert evaluate("$statusCode", answer) == 201
