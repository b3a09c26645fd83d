"""Who may see which instruction, through which look-up: everything else is 404 (or 403, 401)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from tests.conftest import assert_problem
from tests.instruction.conftest import HOMEWARD, INSTRUCTION, KEYSTONE, NORTHGATE, VERITAS, instruction

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT.parent / "shared" / "api-docs" / "003_747eb6a6c30e3f1c.txt"
#: Properties the docs' tables define but their example leaves out; the mock always sends them.
UNDOCUMENTED_IN_EXAMPLE = {"attributes", "isVisibleToCustomer", "sequence"}


def documented_example() -> dict[str, Any]:
    spec = yaml.safe_load((ROOT / "specs" / "instruction.yaml").read_text(encoding="utf-8"))
    example: dict[str, Any] = spec["components"]["examples"]["DocumentedInstruction"]["value"]
    if DOCS.exists():  # the spec's copy is the docs' example, word for word
        text = DOCS.read_text(encoding="utf-8")
        assert json.loads(text[text.index('{\n"tmpReference"') :]) == example
    return example


def without_extras(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_extras(v) for k, v in value.items() if k not in UNDOCUMENTED_IN_EXAMPLE}
    if isinstance(value, list):
        return [without_extras(v) for v in value]
    return value


def test_the_docs_example_instruction_is_served_exactly_as_documented(client: TestClient) -> None:
    served = instruction(client, "TMP102852", HOMEWARD)
    assert without_extras(served) == documented_example()
    assert list(without_extras(served)) == list(documented_example())
    assert served["attributes"] == {}


def test_introducers_see_only_their_own_instructions(client: TestClient) -> None:
    assert instruction(client, "TMP110013", KEYSTONE)["tmpReference"] == "TMP110013"
    assert_problem(client.get(f"{INSTRUCTION}/TMP110013", headers=HOMEWARD), 404, "not-found")
    assert_problem(client.get(f"{INSTRUCTION}/TMP102852", headers=KEYSTONE), 404, "not-found")
    assert_problem(client.get(f"{INSTRUCTION}/introducer/KL-C-110013", headers=HOMEWARD), 404, "not-found")


def test_suppliers_see_only_the_cases_allocated_to_them(client: TestClient) -> None:
    assert instruction(client, "TMP110004", VERITAS)["caseStatusCode"] == "ALLOCATED"
    assert_problem(client.get(f"{INSTRUCTION}/TMP110004", headers=NORTHGATE), 404, "not-found")
    assert instruction(client, "TMP110005", NORTHGATE)["caseStatusCode"] == "ALLOCATED"
    assert_problem(client.get(f"{INSTRUCTION}/TMP110005", headers=VERITAS), 404, "not-found")
    # Not allocated yet: no supplier sees it.
    for reference in ("TMP110001", "TMP110002", "TMP110003", "TMP110011"):
        assert_problem(client.get(f"{INSTRUCTION}/{reference}", headers=VERITAS), 404, "not-found")


def test_a_supplier_loses_access_once_the_case_is_cancelled(client: TestClient) -> None:
    assert_problem(client.get(f"{INSTRUCTION}/TMP110014", headers=VERITAS), 404, "not-found")
    assert_problem(client.get(f"{INSTRUCTION}/supplier/VS-C-110014", headers=VERITAS), 404, "not-found")
    view = instruction(client, "TMP110014", HOMEWARD)
    assert view["caseStatusCode"] == "CANCELLED"
    assert view["supplierName"] == "Veritas Surveyors"


def test_an_unknown_instruction_is_404_like_one_without_access(client: TestClient) -> None:
    problem = assert_problem(client.get(f"{INSTRUCTION}/TMP999999", headers=HOMEWARD), 404, "not-found")
    assert "TMP999999" in problem["detail"]
    assert instruction(client, "tmp102852", HOMEWARD)["tmpReference"] == "TMP102852"


def test_introducers_look_up_by_either_of_their_references(client: TestClient) -> None:
    for reference in ("HM-C-110002", "HM-INT-110002", "hm-int-110002"):
        assert instruction(client, f"introducer/{reference}", HOMEWARD)["tmpReference"] == "TMP110002"
    # A supplier's reference is not an introducer reference.
    assert_problem(client.get(f"{INSTRUCTION}/introducer/VS-C-110007", headers=HOMEWARD), 404, "not-found")


def test_suppliers_look_up_by_either_of_their_references(client: TestClient) -> None:
    for reference in ("VS-C-110007", "VS-INT-110007"):
        assert instruction(client, f"supplier/{reference}", VERITAS)["tmpReference"] == "TMP110007"
    assert_problem(client.get(f"{INSTRUCTION}/supplier/HM-C-110007", headers=VERITAS), 404, "not-found")
    assert_problem(client.get(f"{INSTRUCTION}/supplier/VS-C-110007", headers=NORTHGATE), 404, "not-found")


def test_each_reference_look_up_belongs_to_one_role(client: TestClient) -> None:
    problem = assert_problem(client.get(f"{INSTRUCTION}/introducer/HM-C-110007", headers=VERITAS), 403, "forbidden")
    assert "introducer" in problem["detail"]
    assert_problem(client.get(f"{INSTRUCTION}/supplier/VS-C-110007", headers=HOMEWARD), 403, "forbidden")


@pytest.mark.parametrize("query", ["", "?caseIndex=1"])
def test_case_index_1_or_none_is_supported(client: TestClient, query: str) -> None:
    assert instruction(client, f"introducer/HM-C-110002{query}", HOMEWARD)["caseIndex"] == 1
    assert instruction(client, f"supplier/VS-C-110007{query}", VERITAS)["caseIndex"] == 1


@pytest.mark.parametrize("value", ["2", "0", "-1", "one"])
def test_any_other_case_index_is_a_clear_400(client: TestClient, value: str) -> None:
    response = client.get(f"{INSTRUCTION}/introducer/HM-C-110002?caseIndex={value}", headers=HOMEWARD)
    problem = assert_problem(response, 400, "bad-request")
    assert "\n" not in problem["detail"]


def test_a_missing_or_unknown_api_key_is_401_with_a_challenge(client: TestClient) -> None:
    for headers in ({}, {"X-Api-Key": "not-a-key"}, {"Authorization": "Bearer demo-homeward-key"}):
        response = client.get(f"{INSTRUCTION}/TMP102852", headers=headers)
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("ApiKey")


def test_the_control_plane_publishes_an_introducer_and_two_suppliers(client: TestClient) -> None:
    api = next(a for a in client.get("/__admin/apis").json()["apis"] if a["name"] == "instruction")
    auth = api["auth"]
    assert (auth["type"], auth["header"], auth["prefix"]) == ("apiKey", "X-Api-Key", None)
    users = auth["users"]
    assert users[0] == {"name": "Homeward Mortgages", "role": "introducer", "token": "demo-homeward-key"}
    assert sum(u["role"] == "supplier" for u in users) >= 2
    for user in users:  # every published key works
        response = client.get(f"{INSTRUCTION}/TMP999999", headers={auth["header"]: user["token"]})
        assert response.status_code == 404
