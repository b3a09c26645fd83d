"""Every catalogue rule is caught by its corpus pair, and only it; what is not a change (docs,
equivalent forms, the same spec) gives none."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.diff import RULES, diff_documents
from mockserver.diff.model import operation_key, path_key, pointer
from tests.diff.cases import OPERATION, base, corpus, pair, patched, with_schema

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
CORPUS = corpus()


def rules_of(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [change.rule for change in diff_documents(old, new)]


def test_every_rule_has_a_corpus_pair() -> None:
    assert set(CORPUS) == set(RULES)


def test_every_rule_id_is_kebab_case_and_explained() -> None:
    for rule in RULES.values():
        assert rule.id == rule.id.lower()
        assert " " not in rule.id
        assert "_" not in rule.id
        assert {rule.client, rule.server} <= {"breaking", "non-breaking", "info"}
        assert len(rule.summary) > 20


@pytest.mark.parametrize("rule_id", sorted(CORPUS))
def test_each_pair_yields_exactly_its_rule(rule_id: str) -> None:
    case = CORPUS[rule_id]
    changes = diff_documents(*pair(rule_id, case))
    assert [change.rule for change in changes] == [rule_id]
    assert (RULES[rule_id].client, RULES[rule_id].server) == (case["client"], case["server"])
    change = changes[0]
    assert change.message
    if rule_id.startswith("server-url-") or rule_id == "security-scheme-changed":
        assert change.operation == ""  # the document as a whole
    else:
        assert operation_key(change.operation) in {operation_key(OPERATION), "GET /others"}


@pytest.mark.parametrize("rule_id", sorted(r for r in CORPUS if "-narrowed" in r or "-widened" in r))
def test_a_narrowing_reversed_is_a_widening(rule_id: str) -> None:
    old, new = pair(rule_id, CORPUS[rule_id])
    opposite = (
        rule_id.replace("-narrowed", "-widened") if "-narrowed" in rule_id else rule_id.replace("-widened", "-narrowed")
    )
    assert rules_of(new, old) == [opposite]


def test_identical_specs_have_no_changes() -> None:
    assert diff_documents(base(), base()) == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_each_real_spec_against_itself_has_no_changes(spec: Path) -> None:
    data = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert diff_documents(data, copy.deepcopy(data)) == []


def _reworded(node: Any) -> Any:
    """Every description, summary, title and example rewritten, and extensions added."""
    if isinstance(node, dict):
        changed = {}
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                changed[key] = value + " (reworded)"
            elif key in ("example", "examples", "x-doc-ref"):
                changed[key] = "changed"
            else:
                changed[key] = _reworded(value)
        if "operationId" in node or isinstance(node.get("type"), str):  # an operation or schema, not a map
            changed["x-note"] = "added"
        return changed
    if isinstance(node, list):
        return [_reworded(item) for item in node]
    return node


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_documentation_only_edits_are_not_changes(spec: Path) -> None:
    data = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    reworded = _reworded(data)
    reworded["paths"]["x-tool"] = {"get": {}}  # an extension of the Paths object, not a path
    assert diff_documents(data, reworded) == []


def test_a_renamed_path_parameter_is_the_same_operation() -> None:
    new = base()
    item = new["paths"].pop("/things/{id}")
    item["post"]["parameters"][0]["name"] = "thingId"
    new["paths"]["/things/{thingId}"] = item
    assert diff_documents(base(), new) == []
    assert path_key("/a/{id}/b/") == path_key("/a/{x}/b") == "/a/{}/b"
    assert operation_key("post /a/{x}") == "POST /a/{}"


def test_path_level_parameters_merge_with_the_operations() -> None:
    old = base()
    query = {"name": "q", "in": "query", "schema": {"type": "string"}}
    old["paths"]["/things/{id}"]["parameters"] = [query]
    new = base()
    new["paths"]["/things/{id}"]["post"]["parameters"].append(query)
    assert diff_documents(old, new) == []
    overridden = copy.deepcopy(old)
    overridden["paths"]["/things/{id}"]["post"]["parameters"].append({**query, "required": True})
    assert rules_of(old, overridden) == ["request-parameter-became-required"]


def test_a_reference_and_its_inlined_schema_are_equal() -> None:
    new = base()
    new["paths"]["/things/{id}"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "properties": {"value": {}},
    }
    assert diff_documents(base(), new) == []


def test_all_of_parts_are_merged() -> None:
    old = with_schema("request", {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})
    new = with_schema(
        "request",
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"required": ["a"]}]},
    )
    assert diff_documents(old, new) == []
    tighter = with_schema(
        "request",
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}}, {"required": ["a"]}]},
    )
    assert rules_of(old, tighter) == ["request-length-narrowed"]


@pytest.mark.parametrize(
    "form",
    [
        {"allOf": [{"$ref": "#/components/schemas/Code"}], "nullable": True},
        {"anyOf": [{"$ref": "#/components/schemas/Code"}, {"enum": [None]}]},
        {"oneOf": [{"enum": [None]}, {"$ref": "#/components/schemas/Code"}]},
    ],
)
def test_the_ways_to_write_a_nullable_reference_are_equal(form: dict[str, Any]) -> None:
    def spec(schema: Any) -> dict[str, Any]:
        made = with_schema("response", schema)
        made["components"]["schemas"]["Code"] = {"type": "string", "enum": ["a", "b"]}
        return made

    plain = spec({"type": "string", "nullable": True, "enum": ["a", "b", None]})
    assert diff_documents(plain, spec(form)) == []
    assert rules_of(spec({"$ref": "#/components/schemas/Code"}), spec(form)) == ["response-nullable-added"]


def test_nullable_without_a_type_adds_nothing() -> None:
    assert diff_documents(with_schema("response", {"nullable": True}), with_schema("response", {})) == []


def test_recursive_schemas_are_compared_without_looping() -> None:
    def spec(leaf: dict[str, Any]) -> dict[str, Any]:
        made = with_schema("response", {"$ref": "#/components/schemas/Node"})
        made["components"]["schemas"]["Node"] = {
            "type": "object",
            "properties": {"name": leaf, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
        return made

    assert diff_documents(spec({"type": "string"}), spec({"type": "string"})) == []
    changes = diff_documents(spec({"type": "string"}), spec({"type": "string", "maxLength": 5}))
    assert [(c.rule, c.location) for c in changes] == [
        (
            "response-length-narrowed",
            "/responses/200/content/application~1json/schema/properties/value/properties/name/maxLength",
        )
    ]


def test_read_only_properties_are_not_part_of_a_request() -> None:
    old = with_schema("request", {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}}})
    new = with_schema("request", {"type": "object"})
    assert diff_documents(old, new) == []
    written = with_schema("request", {"type": "object", "properties": {"id": {"type": "integer"}}})
    assert rules_of(old, written) == ["request-property-added-optional"]


def test_a_changed_type_does_not_also_compare_its_keywords() -> None:
    old = with_schema("request", {"type": "string", "maxLength": 3, "enum": ["a"]})
    new = with_schema("request", {"type": "integer", "maximum": 3})
    assert rules_of(old, new) == ["request-type-changed"]


def test_a_whole_removed_path_removes_each_operation() -> None:
    old = patched(base(), {"paths": {"/others": {"get": {"responses": {}}, "delete": {"responses": {}}}}})
    changes = diff_documents(old, base())
    assert [(c.rule, c.operation) for c in changes] == [
        ("operation-removed", "GET /others"),
        ("operation-removed", "DELETE /others"),
    ]


def test_locations_are_json_pointers_into_the_operation() -> None:
    assert pointer("content", "application/json", "a~b") == "/content/application~1json/a~0b"
    case = CORPUS["request-enum-narrowed"]
    (change,) = diff_documents(*pair("request-enum-narrowed", case))
    assert change.operation == OPERATION
    assert change.location == "/requestBody/content/application~1json/schema/properties/value/enum"
    assert change.old == ["b"]


def test_credentials_made_optional_still_list_a_new_way_to_send_them() -> None:
    old = patched(base(), {"security": [{"bearer": []}]})
    new = patched(base(), {"security": [{"bearer": []}, {"key": []}, {}]})
    assert rules_of(old, new) == ["security-removed", "security-alternative-added"]
    assert rules_of(new, old) == ["security-added", "security-alternative-removed"]
    operation_level = patched(new, {"paths": {"/things/{id}": {"post": {"security": [{"bearer": []}]}}}})
    assert rules_of(old, operation_level) == []  # the operation's own security overrides the document's
