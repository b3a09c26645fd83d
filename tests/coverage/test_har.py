"""A HAR file's exchanges routed to the operations they were for (``mockserver.coverage.har``),
whatever path the deployment serves the API under."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.coverage.har import Exchange, HarApi, HarError, har_coverage, read_har
from tests.coverage.helpers import SPEC

PETS = HarApi("pets", "Pets", "/pets-api", SPEC)
ROOTED = HarApi(
    "shop",
    "Shop",
    "",
    {"paths": {"/api/v1/orders": {"get": {"operationId": "listOrders", "responses": {"200": {}}}}}},
)


def har(*exchanges: tuple[str, str, int]) -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "entries": [
                {"request": {"method": method, "url": url}, "response": {"status": status}}
                for method, url, status in exchanges
            ],
        }
    }


def test_a_har_is_read_with_decoded_paths_and_unanswered_exchanges_set_apart(tmp_path: Path) -> None:
    path = tmp_path / "traffic.har"
    path.write_text(
        json.dumps(
            har(
                ("get", "https://staging.example.com/pets-api/pets/a%20b?x=1", 200),
                ("GET", "https://staging.example.com/pets-api/pets", 0),
            )
        )
    )
    assert read_har(path) == ([Exchange("GET", "/pets-api/pets/a b", 200)], 1)


@pytest.mark.parametrize("content", ["not json", '{"log": {}}', '{"log": {"entries": [{"request": {}}]}}'])
def test_a_file_that_is_no_har_is_refused_with_its_name(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.har"
    path.write_text(content)
    with pytest.raises(HarError, match=r"broken\.har"):
        read_har(path)
    with pytest.raises(HarError, match="cannot read"):
        read_har(tmp_path / "missing.har")


def test_exchanges_count_for_their_operations_under_the_base_path() -> None:
    exchanges = [
        Exchange("GET", "/pets-api/pets", 200),
        Exchange("GET", "/pets-api/pets/mine", 200),
        Exchange("GET", "/pets-api/pets/9", 404),
        Exchange("GET", "/pets-api/unknown", 404),
        Exchange("OPTIONS", "/pets-api/pets", 200),  # a browser's preflight: not counted
        Exchange("GET", "/api/v1/orders", 200),
        Exchange("GET", "/api/v1/nothing", 404),
        Exchange("GET", "/favicon.ico", 404),
        Exchange("GET", "/pets-api/ui/", 200),  # the docs: not counted
        Exchange("GET", "/openapi.json", 200),
    ]
    report = har_coverage(exchanges, [PETS, ROOTED], "test.har", unanswered=2)
    pets, shop = report.apis
    reached = {o.operation_id: [r.code for r in o.responses if r.reached] for o in pets.operations}
    assert reached["listPets"] == ["200"]
    assert reached["myPets"] == ["200"]
    assert reached["getPet"] == ["404"]
    assert pets.unmatched == {404: 1}
    assert shop.totals.responses_reached == 1
    assert shop.unmatched == {404: 1}
    assert report.notes == ("1 exchanges were for none of these APIs", "2 exchanges got no answer (not counted)")


def test_an_api_served_under_another_prefix_is_found_from_its_paths_or_told() -> None:
    exchanges = [Exchange("GET", "/gateway/v2/pets", 200), Exchange("GET", "/gateway/v2/pets/3", 200)]
    report = har_coverage(exchanges, [PETS], "test.har")
    assert report.totals.responses_reached == 2
    assert report.notes == ("pets was taken to be served under /gateway/v2 (the spec says /pets-api)",)
    told = har_coverage(exchanges, [PETS], "test.har", prefixes={"pets": "/gateway"})
    assert told.totals.responses_reached == 0
    assert told.apis[0].unmatched == {200: 2}
