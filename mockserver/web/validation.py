"""Body validation plugged into Connexion through its validator map.

Connexion's own JSON validators build a new schema validator for every request, report only the
first error, let a body that is not UTF-8 escape as a 500, and reject ``null`` for a nullable
``allOf``/``anyOf``/``oneOf`` (the OpenAPI 3.0 way to make a ``$ref`` nullable). These compile each
schema once, reject undecodable or malformed bodies with 400, report every invalid field in a
422, and honour ``nullable`` on composed schemas. Header parameters are typed by their schema
before validation, as Connexion already does for query parameters (it validates the raw text, so
an ``integer`` header could never be valid).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import numbers
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema_rs
import orjson
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import TypeValidationError
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, allow_nullable
from connexion.operations import OpenAPIOperation
from connexion.utils import coerce_type
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from connexion.validators.form_data import MultiPartFormDataValidator
from jsonschema import Draft4Validator, FormatChecker
from jsonschema._utils import equal
from jsonschema.exceptions import FormatError, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartParser

from mockserver.engine.jsonpointer import inline_refs, pointer_tokens
from mockserver.engine.problems import BadRequest, field_error, validation_failed

_COMPOSED = {key: allow_nullable(Draft4Validator.VALIDATORS[key]) for key in ("allOf", "anyOf", "oneOf")}
#: The formats OpenAPI 3.0 names that a client can get wrong (``date`` is missing from Draft 4's).
FORMAT_CHECKER = FormatChecker(("date", "date-time", "email", "ipv4", "ipv6", "uuid"))


def _is_uri(value: object) -> bool:
    """RFC 3986's absolute URI: a scheme, a colon and something after it (jsonschema's own check
    needs a package we do not install)."""
    if not isinstance(value, str):
        return True
    scheme, colon, rest = value.partition(":")
    return bool(colon and rest and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and " " not in value


FORMAT_CHECKER.checks("uri")(_is_uri)

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _is_hostname(value: object) -> bool:
    """RFC 1123's host name: dot-separated labels of letters, digits and inner hyphens, 1 to 63
    characters each, 253 in all (jsonschema's own check needs a package we do not install)."""
    if not isinstance(value, str):
        return True
    name = value[:-1] if value.endswith(".") else value
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


FORMAT_CHECKER.checks("hostname")(_is_hostname)


def _within_bits(bits: int) -> Callable[[object], bool]:
    """OpenAPI's ``int32``/``int64``: an integer (or a parameter's digits) in that signed range."""

    def check(value: object) -> bool:
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                return True  # not a number: the type check says so
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        return bool(-(2 ** (bits - 1)) <= value < 2 ** (bits - 1))

    return check


FORMAT_CHECKER.checks("int32")(_within_bits(32))
FORMAT_CHECKER.checks("int64")(_within_bits(64))
#: Formats of numbers, which jsonschema-rs does not check (it checks formats of strings only).
_NUMBER_FORMATS = frozenset({"int32", "int64"})


#: OpenAPI 3.0.3 (§4.7.24.1, ``nullable``): "a true value adds null to the allowed types ... Other
#: Schema Object constraints retain their defined behavior, and therefore may disallow the use of
#: null": an ``enum`` without ``null`` refuses it, nullable or not (Connexion's lets it through).
_STRICT = {**_COMPOSED, "enum": Draft4Validator.VALIDATORS["enum"]}
RequestValidator = extend(Draft4RequestValidator, _STRICT)
ResponseValidator = extend(Draft4ResponseValidator, _STRICT)

#: Keywords where jsonschema-rs and jsonschema may disagree (float division, equality of 1 and
#: true) or that ours reject and Draft 4 ignores (write-only fields in answers): a schema with
#: any of them, anywhere (even as a property's name), is checked by jsonschema alone.
_NOT_SHARED = frozenset({"multipleOf", "uniqueItems", "writeOnly", "x-writeOnly"})
_REF = frozenset({"$ref"})


def _format_check(name: str) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return bool(FORMAT_CHECKER.conforms(value, name))

    return check


#: Our format checks, given to jsonschema-rs so that both judge a format alike.
_RS_FORMATS: dict[str, Callable[..., bool]] = {name: _format_check(name) for name in FORMAT_CHECKER.checkers}


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every object in ``value``, each once: a schema Connexion resolved may contain itself (a
    recursive ``$ref``, a tree of comments), which a plain walk would follow for ever (a 500)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        if isinstance(node, dict):
            seen.add(id(node))
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            seen.add(id(node))
            stack.extend(node)


def _mentions(value: Any, keywords: frozenset[str]) -> bool:
    return any(not keywords.isdisjoint(node) for node in _nodes(value))


def _bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as jsonschema-rs checks it: each ``int32``/``int64`` number (a format it does
    not check) bounded to its range as well, so that what it accepts is in range. A copy, when
    there is one to bound."""
    if not any(node.get("format") in _NUMBER_FORMATS for node in _nodes(schema)):
        return schema
    bounded: dict[str, Any] = copy.deepcopy(schema)
    for node in _nodes(bounded):
        if node.get("format") not in _NUMBER_FORMATS:
            continue
        bits = 32 if node["format"] == "int32" else 64
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        if not isinstance(node.get("minimum"), int | float) or node["minimum"] < low:
            node["minimum"], node["exclusiveMinimum"] = low, False
        if not isinstance(node.get("maximum"), int | float) or node["maximum"] > high:
            node["maximum"], node["exclusiveMaximum"] = high, False
    return bounded


class Validator:
    """A schema's jsonschema validator (Draft 4 plus OpenAPI's ``nullable``: the judge, and the
    source of every error message) with a compiled jsonschema-rs check in front of it.

    jsonschema-rs is plain Draft 4, which is stricter than ours (it knows no ``nullable``) and
    otherwise the same given our format checks: what it accepts is valid, and only what it
    rejects (or cannot read, such as an integer beyond 64 bits) is judged again by jsonschema,
    which then lists the errors. A valid body costs ~1 µs instead of ~20.
    """

    def __init__(self, schema: dict[str, Any], kind: type = RequestValidator) -> None:
        self.schema = schema
        self.full = kind(schema, format_checker=FORMAT_CHECKER)
        self._quick: Any = None
        self._targets: dict[str, Target | None] = {}
        if not _mentions(schema, _NOT_SHARED):
            with contextlib.suppress(Exception):  # a schema jsonschema-rs cannot compile
                self._quick = jsonschema_rs.Draft4Validator(
                    _bounded(schema), formats=_RS_FORMATS, validate_formats=True
                )

    def _surely_valid(self, instance: Any) -> bool:
        if self._quick is None:
            return False
        try:
            return bool(self._quick.is_valid(instance))
        except Exception:  # e.g. an integer beyond 64 bits: jsonschema judges it
            return False

    def is_valid(self, instance: Any) -> bool:
        return self._surely_valid(instance) or bool(self.full.is_valid(instance))

    def validate(self, instance: Any) -> None:
        """Raises jsonschema's first ``ValidationError`` (Connexion's response validation)."""
        if not self._surely_valid(instance):
            self.full.validate(instance)

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        if self._surely_valid(instance):
            return iter(())
        return iter(self.full.iter_errors(instance))

    def located_errors(self, instance: Any) -> list[dict[str, str]] | None:
        """:func:`schema_errors` of ``instance`` as jsonschema words them, found by jsonschema-rs
        (~3 µs where jsonschema takes ~20); ``None`` where jsonschema must list them itself: an
        error of a keyword outside :data:`_WORDS`, below anything but ``properties``, a single
        ``items`` schema and ``allOf``, about a ``null`` (``nullable``), that jsonschema's own check of that one
        keyword would not raise, or two about one place (their order is jsonschema's).

        jsonschema-rs's ``evaluate`` lists the errors as JSON pointers (cheaper than its error
        objects); what each schema location holds is worked out once per validator."""
        if self._quick is None:
            return None
        try:
            if self._quick.is_valid(instance):
                return []
            found = self._quick.evaluate(instance).errors()
        except Exception:  # e.g. an integer beyond 64 bits
            return None
        listed: dict[tuple[str, ...], dict[str, str]] = {}
        for error in found:
            location = error["schemaLocation"]
            try:
                target = self._targets[location]
            except KeyError:
                target = self._targets[location] = _target(self.schema, location)
            if target is None:
                return None
            words, schema = target
            place = pointer_tokens(error["instanceLocation"])
            value = instance
            for part in place:  # the value itself, not jsonschema-rs's copy of it
                value = value[int(part)] if isinstance(value, list) else value[part]
            if value is None or place in listed:
                return None
            if words is None:  # required: the one property missing here
                missing = [name for name in schema["required"] if name not in value] if isinstance(value, dict) else []
                if len(missing) != 1:
                    return None
                listed[place] = field_error(".".join((*place, missing[0])), f"{missing[0]!r} is a required property")
                continue
            message = words(self.full, schema, value)
            if message is None:  # jsonschema's own test of this keyword lets it pass
                return None
            listed[place] = field_error(".".join(place) or "(body)", message)
        return [listed[place] for place in sorted(listed, key=list)]


#: What a schema location of a jsonschema-rs error holds: the words for its keyword (``None``
#: for ``required``) and the schema the keyword is in.
Target = tuple[Callable[[Any, dict[str, Any], Any], str | None] | None, dict[str, Any]]


def _target(schema: Any, location: str) -> Target | None:
    """``None`` where an error at ``location`` is not one ``located_errors`` words."""
    *steps, keyword = pointer_tokens(location)
    words = _WORDS.get(keyword)
    if words is None and keyword != "required":
        return None
    at = _subschema(schema, steps)
    return None if at is None else (words, at)


def _subschema(schema: Any, steps: list[str]) -> Any:
    """The schema at a schema location made of ``properties``, single ``items`` and ``allOf``
    steps; ``None`` for any other step."""
    at = 0
    while at < len(steps):
        if steps[at] == "properties" and at + 1 < len(steps):
            schema = (schema.get("properties") or {}).get(steps[at + 1])
            at += 2
        elif steps[at] == "items" and isinstance(schema.get("items"), dict):
            schema = schema["items"]
            at += 1
        elif steps[at] == "allOf" and at + 1 < len(steps) and steps[at + 1].isdigit():
            # The same place: all of them must hold (a null, the one value nullable changes, is
            # never located here).
            branches = schema.get("allOf") or []
            index = int(steps[at + 1])
            schema = branches[index] if index < len(branches) else None
            at += 2
        else:
            return None
        if not isinstance(schema, dict):
            return None
    return schema


#: Draft 4's types (jsonschema's ``draft4_type_checker``): a bool is neither an integer nor a number.
_DRAFT4_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, numbers.Number) and not isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _is_type(validator: Any, value: Any, name: str) -> bool:
    check = _DRAFT4_TYPES.get(name)
    return check(value) if check is not None else bool(validator.is_type(value, name))


#: Python's regex, as jsonschema uses, each pattern compiled once.
_regex = functools.cache(re.compile)


# Each takes jsonschema's validator, the schema holding the keyword and the value, and answers
# jsonschema's words for the error, or ``None`` where jsonschema's own test of it passes.
def _type(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    names = schema["type"]
    if not isinstance(names, list):
        return None if _is_type(validator, value, names) else f"{value!r} is not of type {names!r}"
    if any(_is_type(validator, value, name) for name in names):
        return None
    return f"{value!r} is not of type {', '.join(repr(name) for name in names)}"


def _enum(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    if any(equal(option, value) for option in schema["enum"]):
        return None
    return f"{value!r} is not one of {schema['enum']!r}"


def _pattern(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str) or _regex(schema["pattern"]).search(value):
        return None
    return f"{value!r} does not match {schema['pattern']!r}"


def _format(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    name = schema["format"]
    if name not in FORMAT_CHECKER.checkers or FORMAT_CHECKER.conforms(value, name):
        return None
    return f"{value!r} is not a {name!r}"


def _max_length(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    limit = schema["maxLength"]
    if not isinstance(value, str) or len(value) <= limit:
        return None
    return f"{value!r} {'is expected to be empty' if limit == 0 else 'is too long'}"


def _min_length(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    limit = schema["minLength"]
    if not isinstance(value, str) or len(value) >= limit:
        return None
    return f"{value!r} {'should be non-empty' if limit == 1 else 'is too short'}"


def _minimum(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    """Draft 4's (``exclusiveMinimum`` a flag beside it)."""
    limit = schema.get("minimum")
    if limit is None or not _is_type(validator, value, "number"):
        return None
    exclusive = bool(schema.get("exclusiveMinimum", False))
    if (value <= limit) if exclusive else (value < limit):
        return f"{value!r} is {'less than or equal to' if exclusive else 'less than'} the minimum of {limit!r}"
    return None


def _maximum(validator: Any, schema: dict[str, Any], value: Any) -> str | None:
    """Draft 4's (``exclusiveMaximum`` a flag beside it)."""
    limit = schema.get("maximum")
    if limit is None or not _is_type(validator, value, "number"):
        return None
    exclusive = bool(schema.get("exclusiveMaximum", False))
    if (value >= limit) if exclusive else (value > limit):
        return f"{value!r} is {'greater than or equal to' if exclusive else 'greater than'} the maximum of {limit!r}"
    return None


#: jsonschema's words (``jsonschema._keywords``, Draft 4's ``_legacy_keywords``) for the keywords
#: whose errors are taken from jsonschema-rs (and ``required``, worded in ``located_errors`` from
#: the property jsonschema-rs names).
_WORDS: dict[str, Callable[[Any, dict[str, Any], Any], str | None]] = {
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "format": _format,
    "maxLength": _max_length,
    "minLength": _min_length,
    "minimum": _minimum,
    "exclusiveMinimum": _minimum,
    "maximum": _maximum,
    "exclusiveMaximum": _maximum,
}


_compiled: dict[tuple[int, int, type], tuple[Any, Any, Validator]] = {}
_compiled_lock = threading.Lock()


def compiled_validator(
    schema: dict[str, Any], kind: type = RequestValidator, components: dict[str, Any] | None = None
) -> Validator:
    """One validator per schema object (and kind, and the ``components`` its ``$ref`` s point
    into) for the life of the process: servers built from the same specs share them."""
    key = (id(schema), id(components), kind)
    hit = _compiled.get(key)
    if hit is not None and hit[0] is schema and hit[1] is components:
        return hit[2]
    whole = schema
    if components is not None and _mentions(schema, _REF):
        # Followed once here rather than on every check (~17 µs of listing a small body's errors).
        whole = inline_refs(schema, {"components": components})
        if _mentions(whole, _REF):  # a recursive schema: its references stay, with what they point to
            whole = {**whole, "components": components}
    validator = Validator(whole, kind)
    with _compiled_lock:
        # Keep the schema alive with its validator so that its id is never reused.
        _compiled[key] = (schema, components, validator)
    return validator


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def error_field(error: ValidationError) -> str:
    """The dotted path of the field an error is about (a missing property included)."""
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = _REQUIRED.match(error.message)
        if missing:
            path.append(missing.group(1))
    return ".".join(path) or "(body)"


def schema_errors(validator: Validator | Draft4Validator, body: Any) -> list[dict[str, str]]:
    """Every error in ``body`` (none when it is valid), sorted by field."""
    if isinstance(validator, Validator):
        located = validator.located_errors(body)
        if located is not None:
            return located
        validator = validator.full  # jsonschema-rs has judged it already: not valid, or not for it
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    return [field_error(error_field(e), e.message) for e in errors]


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BadRequest(f"The number {text[:40]} is too large.")
    return value


def _reject_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON value.")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


#: A run of digits orjson may not read exactly: it reads an integer beyond 64 bits as a float.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_UTF8 = frozenset({"utf-8", "utf8"})
#: orjson reads up to 1,024 levels of nesting, the standard library fewer (~990 less the caller's
#: stack): a body with more brackets than this goes to the standard library, which decides.
_ORJSON_BRACKETS = 500


def strict_json(raw: bytes, encoding: str = "utf-8") -> Any:
    """A request body as JSON, or ``None`` when it is blank; 400 (``BadRequest``) for text that is
    not in ``encoding``, malformed or too deeply nested JSON, non-finite numbers and unpaired
    UTF-16 surrogate escapes.

    orjson reads a UTF-8 body first (~0.2 µs where the standard library takes ~3): it gives the
    same values and refuses everything refused here (bad UTF-8, lone surrogates, ``NaN``, numbers
    beyond a double), and blank text. Whatever it refuses, a body with an integer it could
    mistake and one that could be nested deeper than the standard library reads are read (and
    worded) by the standard library as before.
    """
    if (
        encoding.lower() in _UTF8
        and raw.count(b"[") + raw.count(b"{") <= _ORJSON_BRACKETS
        and not _LONG_DIGITS.search(raw)
    ):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return stdlib_json(raw, encoding)


def stdlib_json(raw: bytes, encoding: str = "utf-8") -> Any:
    """:func:`strict_json` by the standard library alone: the reference it keeps to."""
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise BadRequest(f"The request body is not valid {encoding} text.") from None
    if not text.strip():
        return None
    try:
        body = json.loads(text, parse_float=_finite, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise BadRequest(f"The request body has a value that cannot be read: {exc}.") from None
    # JSON can escape half of a UTF-16 pair ("\ud800"), which no UTF-8 text can carry.
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(body):
        raise BadRequest("The request body contains an unpaired UTF-16 surrogate escape.")
    return body


#: What :class:`StrictJSONBodyValidator` parses a request without a body to (a JSON ``null`` is ``None``).
_NO_BODY = object()


class StrictJSONBodyValidator(JSONRequestBodyValidator):
    async def _parse(self, stream: Any, scope: Any) -> Any:
        content = b"".join([chunk async for chunk in stream])
        if not content.strip():
            return _NO_BODY
        return strict_json(content, self._encoding or "utf-8")

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is _NO_BODY:
            # OpenAPI's ``requestBody.required`` is false unless it says so: then no body is fine.
            if self._nullable or not self._required:
                return None
            raise BadRequest("A JSON request body is required.")
        if body is None:
            if self._nullable:
                return None
            raise BadRequest("A JSON request body is required.")
        errors = schema_errors(compiled_validator(self._schema), body)
        if errors:
            raise validation_failed(errors)
        return None


class TypedHeaderParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        """Connexion's check, plus the formats its Draft 4 checker lacks (a ``date`` query parameter)."""
        error: str | None = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        schema = param.get("schema", param)
        if error is None and isinstance(value, str | int) and schema.get("format") in FORMAT_CHECKER.checkers:
            try:
                FORMAT_CHECKER.check(value, schema["format"])
            except FormatError:
                return f"{value!r} is not a {schema['format']!r}"
        return error

    def validate_header_parameter(self, param: dict[str, Any], request: Any) -> str | None:
        value = request.headers.get(param["name"])
        if value is not None:
            try:
                value = coerce_type(param, value, "header", param["name"])
            except TypeValidationError as error:
                return str(error.detail)
        error_message: str | None = self.validate_parameter("header", value, param)
        return error_message


class CachedJSONResponseValidator(JSONResponseBodyValidator):
    @property
    def validator(self) -> Any:
        return compiled_validator(self._schema, ResponseValidator)


_defined: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _with_definitions(self: OpenAPIOperation, definition: dict[str, Any]) -> dict[str, Any]:
    """Connexion's media type object with the spec's components beside its schema, as a copy.

    Connexion sets them on the schema in place; the schema of a response in
    ``components/responses`` (an error answered from the spec, ``Prefer: code=401``) is itself one
    of the components, which would then contain themselves, and every schema given the components
    after it a cycle. The same copy for the same object (``compiled_validator`` caches by it).
    """
    if not self.components:
        return definition
    hit = _defined.get(id(definition))
    if hit is None or hit[0] is not definition:
        schema = {**definition.get("schema", {}), "components": self.components}
        hit = _defined[id(definition)] = (definition, {**definition, "schema": schema})
    return hit[1]


OpenAPIOperation.with_definitions = _with_definitions


class _ClosingMultiPartParser(MultiPartParser):
    """Starlette's multipart parser whose files are closed once parsed: request validation only
    looks at which parts there are (the handler's own parse reads the body again), and Connexion
    never closes them (each one an unclosed temporary file)."""

    async def parse(self) -> FormData:
        form = await super().parse()
        for value in form.values():
            if isinstance(value, UploadFile):
                value.file.close()
        return form


class ClosingMultiPartValidator(MultiPartFormDataValidator):
    @property
    def _form_parser_cls(self) -> type[MultiPartParser]:
        return _ClosingMultiPartParser


def validator_map() -> dict[str, Any]:
    body = MediaTypeDict(VALIDATOR_MAP["body"])
    body["*/*json"] = StrictJSONBodyValidator
    body["multipart/form-data"] = ClosingMultiPartValidator
    response = MediaTypeDict(VALIDATOR_MAP["response"])
    response["*/*json"] = CachedJSONResponseValidator
    return {"parameter": TypedHeaderParameterValidator, "body": body, "response": response}
