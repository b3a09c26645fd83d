"""The lint rules: each has an id, a severity and one job, and is registered in :data:`RULES`.

A rule takes the loaded spec and yields :class:`Finding` s with a JSON-pointer location. Rules
never raise on odd input: a structurally broken spec is reported by ``OAS001`` and the rest do
what they can.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from mockserver.engine.jsonpointer import deref
from mockserver.lint.patterns import divergences
from mockserver.web.validation import FORMAT_CHECKER, ResponseValidator

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
Spec = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    location: str


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    check: Callable[[Spec], Iterator[tuple[str, str]]]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, summary: str, severity: str = "error"
) -> Callable[[Callable[[Spec], Iterator[tuple[str, str]]]], Rule]:
    def register(check: Callable[[Spec], Iterator[tuple[str, str]]]) -> Rule:
        registered = Rule(rule_id, severity, summary, check)
        RULES[rule_id] = registered
        return registered

    return register


def pointer(*parts: Any) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield path, method, item, op


def walk(node: Any, *where: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, *where, key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, *where, index)


def _is_schema_position(where: tuple[Any, ...]) -> bool:
    parent = where[-1]
    if parent == "schema" or where[-3:-1] == ("components", "schemas"):
        return True
    if parent in ("items", "additionalProperties", "not"):
        return True
    return len(where) >= 2 and where[-2] in ("properties", "allOf", "anyOf", "oneOf")


def schemas(spec: Spec) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every schema object: under components/schemas, parameters, media types, headers."""
    for where, node in walk(spec):
        if isinstance(node, dict) and where and _is_schema_position(where):
            yield where, node


@rule("OAS001", "The document is valid OpenAPI 3.0 (openapi-spec-validator).")
def structural(spec: Spec) -> Iterator[tuple[str, str]]:
    try:
        validate(spec)
    except OpenAPIValidationError as error:
        yield f"Not valid OpenAPI: {error.message}", pointer(*error.path) if error.path else "#"
    except Exception as error:  # a document too broken for the validator itself
        yield f"Not valid OpenAPI: {error}", "#"


@rule("OPS001", "Every operation has an operationId, unique in the document.")
def unique_operation_ids(spec: Spec) -> Iterator[tuple[str, str]]:
    seen: dict[str, str] = {}
    for path, method, _, op in operations(spec):
        where = pointer("paths", path, method)
        op_id = op.get("operationId")
        if not op_id:
            yield f"{method.upper()} {path} has no operationId.", where
        elif op_id in seen:
            yield f"operationId {op_id!r} is used twice (also at {seen[op_id]}).", where
        else:
            seen[op_id] = where


@rule("OPS002", "Every operation has a summary.")
def summary_present(spec: Spec) -> Iterator[tuple[str, str]]:
    for path, method, _, op in operations(spec):
        if not str(op.get("summary") or "").strip():
            yield f"{method.upper()} {path} has no summary.", pointer("paths", path, method)


@rule("OPS003", "Every operation has at least one tag.")
def tags_present(spec: Spec) -> Iterator[tuple[str, str]]:
    for path, method, _, op in operations(spec):
        if not op.get("tags"):
            yield f"{method.upper()} {path} has no tags.", pointer("paths", path, method)


def _parameters(spec: Spec, item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = []
    for param in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        if isinstance(param, dict) and "$ref" in param:
            param = deref(spec, param)
        if isinstance(param, dict):
            resolved.append(param)
    return resolved


@rule("PAR001", "Every {parameter} of a path template is declared as a path parameter, and no other.")
def path_parameters_declared(spec: Spec) -> Iterator[tuple[str, str]]:
    for path, method, item, op in operations(spec):
        in_template = set(re.findall(r"\{([^}]+)\}", path))
        declared = {str(p.get("name")) for p in _parameters(spec, item, op) if p.get("in") == "path"}
        for name in sorted(in_template - declared):
            yield f"{method.upper()} {path}: path parameter {{{name}}} is not declared.", pointer("paths", path, method)
        for name in sorted(declared - in_template):
            yield (
                f"{method.upper()} {path}: path parameter {name!r} is not in the path.",
                pointer("paths", path, method),
            )


@rule("ERR001", "Every operation documents at least one error response (4xx or default).")
def error_responses_documented(spec: Spec) -> Iterator[tuple[str, str]]:
    for path, method, _, op in operations(spec):
        codes = [str(code) for code in (op.get("responses") or {})]
        if not any(code.startswith("4") or code == "default" for code in codes):
            yield f"{method.upper()} {path} documents no error response.", pointer("paths", path, method, "responses")


def _validator(spec: Spec, schema: dict[str, Any]) -> Any:
    return ResponseValidator({**schema, "components": spec.get("components") or {}}, format_checker=FORMAT_CHECKER)


def _examples(spec: Spec) -> Iterator[tuple[tuple[Any, ...], dict[str, Any], Any]]:
    """(location, schema, example) for schema-level and media-type-level examples."""
    for where, node in schemas(spec):
        if "example" in node:
            yield (*where, "example"), node, node["example"]
    for where, node in walk(spec):
        if not isinstance(node, dict) or not isinstance(node.get("schema"), dict) or not where:
            continue
        if where[-2:-1] == ("content",) or (where and where[-1] == "parameters") or "in" in node:
            schema = node["schema"]
            if "example" in node:
                yield (*where, "example"), schema, node["example"]
            for name, example in (node.get("examples") or {}).items():
                if isinstance(example, dict) and "$ref" in example:
                    example = deref(spec, example)
                if isinstance(example, dict) and "value" in example:
                    yield (*where, "examples", name, "value"), schema, example["value"]


@rule("EXA001", "Every example is valid against its schema.")
def examples_valid(spec: Spec) -> Iterator[tuple[str, str]]:
    for where, schema, example in _examples(spec):
        try:
            errors = list(_validator(spec, schema).iter_errors(example))
        except Exception as broken:  # an unresolvable $ref or a broken schema: OAS001 says why
            yield f"Example cannot be checked: {broken}", pointer(*where)
            continue
        for error in errors[:3]:
            path = "/".join(str(p) for p in error.absolute_path)
            yield f"Example does not match its schema{f' at {path}' if path else ''}: {error.message}", pointer(*where)


#: Why each other way of writing a nullable value is refused: the tools read it differently.
WITHOUT_TYPE = (
    "without `type` it means nothing to OpenAPI 3.0.3, Spectral and Prism (null is rejected) but allows null "
    "in Connexion and Schemathesis"
)
BESIDE_SUBSCHEMA = "beside `allOf`, `oneOf` or `$ref` the other schema still rejects null in OpenAPI 3.0.3"
BESIDE_ENUM = (
    "beside `enum` it makes Prism append null and compile no validator, and openapi-python-client make "
    "several enum classes"
)


@rule(
    "NUL001",
    "`nullable: true` stands beside a `type`, never beside `enum`, `allOf`, `oneOf` or `$ref`; "
    "a nullable reference or enum is `anyOf: [X, {enum: [null]}]`.",
)
def nullable_beside_type(spec: Spec) -> Iterator[tuple[str, str]]:
    for where, node in schemas(spec):
        if node.get("nullable") is not True:
            continue
        why = []
        if "type" not in node:
            why.append(WITHOUT_TYPE)
        elif any(key in node for key in ("allOf", "oneOf", "$ref")):
            why.append(BESIDE_SUBSCHEMA)
        if "enum" in node:
            why.append(BESIDE_ENUM)
        if why:
            yield f"`nullable: true`: {'; '.join(why)}. Write `anyOf: [X, {{enum: [null]}}]`.", pointer(*where)


@rule("REG001", "Every pattern compiles with Python's re (the server's engine).")
def patterns_compile(spec: Spec) -> Iterator[tuple[str, str]]:
    for where, node in schemas(spec):
        pattern = node.get("pattern")
        if not isinstance(pattern, str):
            continue
        try:
            re.compile(pattern)
        except re.error as error:
            yield f"Pattern {pattern!r} does not compile: {error}.", pointer(*where, "pattern")


@rule("REG002", "Every pattern means the same to Python's re and to ECMA-262 with the u flag (JavaScript, Prism).")
def patterns_portable(spec: Spec) -> Iterator[tuple[str, str]]:
    for where, node in schemas(spec):
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for divergence in divergences(pattern):
                yield f"Pattern `{pattern}`: {divergence}.", pointer(*where, "pattern")


@rule("DOC001", "Every operation is traced to the docs (x-doc-ref) or marked x-inferred with a reason.")
def traced_to_docs(spec: Spec) -> Iterator[tuple[str, str]]:
    if (spec.get("info") or {}).get("x-traced-to-docs") is False:  # an API documented by its spec alone
        return
    for path, method, _, op in operations(spec):
        if op.get("x-doc-ref"):
            continue
        if op.get("x-inferred") is True:
            if not str(op.get("description") or "").strip():
                yield (
                    f"{method.upper()} {path} is x-inferred but its description says nothing of what was inferred.",
                    pointer("paths", path, method),
                )
            continue
        yield f"{method.upper()} {path} has neither x-doc-ref nor x-inferred.", pointer("paths", path, method)


COMPONENT_KINDS = ("schemas", "responses", "parameters", "requestBodies", "headers", "examples", "links", "callbacks")


@rule("CMP001", "Every component is used.", severity="warning")
def no_unused_components(spec: Spec) -> Iterator[tuple[str, str]]:
    refs = {node["$ref"] for _, node in walk(spec) if isinstance(node, dict) and isinstance(node.get("$ref"), str)}
    components = spec.get("components") or {}
    for kind in COMPONENT_KINDS:
        for name in components.get(kind) or {}:
            if pointer("components", kind, name) not in refs:
                yield f"Component {kind}/{name} is never referenced.", pointer("components", kind, name)
    used_schemes = {name for _, node in walk(spec) for name in _security_names(node)}
    for name in components.get("securitySchemes") or {}:
        if name not in used_schemes:
            yield f"Security scheme {name} is never used.", pointer("components", "securitySchemes", name)


def _security_names(node: Any) -> list[str]:
    if isinstance(node, dict) and isinstance(node.get("security"), list):
        return [name for req in node["security"] if isinstance(req, dict) for name in req]
    return []
