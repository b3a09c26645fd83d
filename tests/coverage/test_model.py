"""Coverage of a spec's documented responses by counted answers (``mockserver.coverage.model``) and
the counts themselves (``engine.coverage``)."""

from __future__ import annotations

import pytest

from mockserver.coverage.model import CoverageReport, api_coverage, documented_code
from mockserver.engine import coverage as counting
from mockserver.engine.coverage import Coverage, Observed, OperationRoutes
from tests.coverage.helpers import SPEC


def report_of(observed: Observed) -> CoverageReport:
    return CoverageReport((api_coverage("pets", "Pets", "/pets-api", SPEC, observed),), "test")


@pytest.mark.parametrize(
    ("status", "codes", "counted"),
    [
        (200, ("200", "4XX"), "200"),
        (404, ("200", "4XX"), "4XX"),
        (404, ("200", "4xx", "default"), "4xx"),
        (418, ("200", "400", "default"), "default"),
        (500, ("200", "4XX"), None),
        (400, ("400", "4XX", "default"), "400"),
    ],
)
def test_a_status_counts_for_its_code_else_its_range_else_default(
    status: int, codes: tuple[str, ...], counted: str | None
) -> None:
    assert documented_code(status, codes) == counted


def test_each_documented_response_is_reached_or_not_and_undocumented_statuses_stand_apart() -> None:
    observed = Observed()
    observed.add("listPets", 200, 5)
    observed.add("listPets", 401, 2)
    observed.add("listPets", 403, 1)
    observed.add("listPets", 500, 3)  # neither 500, 5XX nor default: undocumented
    observed.add("addPet", 409, 1)  # default
    observed.add(None, 404, 4)
    api = report_of(observed).apis[0]
    pets = {o.operation_id or o.label: o for o in api.operations}
    listed = pets["listPets"]
    assert [(r.code, r.count, r.reached) for r in listed.responses] == [("200", 5, True), ("4XX", 3, True)]
    assert listed.responses[1].statuses == {401: 2, 403: 1}
    assert listed.undocumented == {500: 3}
    assert listed.requests == 11
    added = pets["addPet"]
    assert [(r.code, r.reached) for r in added.responses] == [("201", False), ("400", False), ("default", True)]
    assert pets["DELETE /pets/{petId}"].operation_id is None
    assert not pets["getPet"].reached
    totals = api.totals
    assert (totals.operations_reached, totals.operations) == (2, 5)
    assert (totals.responses_reached, totals.responses) == (3, 9)
    assert (totals.undocumented, totals.unmatched) == (3, 4)
    assert totals.percent == pytest.approx(100 / 3)
    assert totals.line() == "operations 2/5, responses 3/9 (33.3 %)"
    assert api.columns() == ["200", "201", "204", "400", "404", "4XX", "500", "default"]


def test_fail_under_compares_exactly_not_the_rounded_percentage() -> None:
    observed = Observed()
    observed.add("listPets", 200)
    totals = report_of(observed).totals  # 1 of 9: 11.11 %
    assert f"{totals.percent:.1f}" == "11.1"
    assert not totals.below(100 / 9)
    assert totals.below(11.112)
    assert report_of(Observed()).totals.below(0.1)
    assert not report_of(Observed()).totals.below(0)


def test_the_json_form_reads_back_as_the_same_report() -> None:
    observed = Observed()
    observed.add("listPets", 404, 2)
    observed.add("getPet", 503)
    observed.add(None, 405)
    report = report_of(observed)
    data = report.to_dict()
    assert data["totals"] == {
        "operations": {"reached": 2, "documented": 5},
        "responses": {"reached": 1, "documented": 9},
        "percent": 11.1,
        "undocumented": 1,
        "unmatched": 1,
    }
    assert CoverageReport.from_dict(data) == report


def test_a_literal_segment_beats_a_parameter_and_head_falls_back_to_get() -> None:
    routes = OperationRoutes(SPEC, "/pets-api")
    assert routes.find("GET", "/pets-api/pets/mine").key == "myPets"  # type: ignore[union-attr]
    assert routes.find("GET", "/pets-api/pets/7").key == "getPet"  # type: ignore[union-attr]
    assert routes.find("HEAD", "/pets-api/pets/7").key == "getPet"  # type: ignore[union-attr]
    assert routes.find("DELETE", "/pets-api/pets/7").key == "DELETE /pets/{petId}"  # type: ignore[union-attr]
    assert routes.find("GET", "/pets-api/pets/7/toys") is None
    assert routes.find("PUT", "/pets-api/pets") is None
    assert routes.find("GET", "/pets") is None


def test_counts_are_routed_when_read_and_cleared_per_api(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = OperationRoutes(SPEC, "/pets-api")

    def locate(method: str, path: str) -> tuple[str, str | None] | None:
        if not path.startswith("/pets-api/"):
            return None
        found = routes.find(method, path)
        return "pets", found.key if found else None

    monkeypatch.setattr(counting, "FOLD_AT", 3)  # routed while counting, too
    coverage = Coverage(locate)
    for pet in range(10):
        coverage.record("GET", f"/pets-api/pets/{pet}", 200)
    coverage.record("GET", "/pets-api/nowhere", 404)
    coverage.record("GET", "/elsewhere", 404)
    observed = coverage.observed()
    assert observed["pets"].operations == {"getPet": {200: 10}}
    assert observed["pets"].unmatched == {404: 1}
    assert coverage.observed(["pets", "other"])["other"] == Observed()
    coverage.clear("pets")
    assert coverage.observed() == {}
