"""What an API served from its spec answers with: records fitted to the documented answer's schema,
inside the answer's wrapper; answers made from the spec alone (its example where one fits, else
data made from the schema); and errors in the API's own documented error shape.

A record is fitted by keeping the properties the answer's schema declares (all of them when it
declares none), leaving out hidden fields (a nested record's parent, a key kept outside the schema)
and ``writeOnly`` ones, and filling a required property the record lacks from the schema.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from http import HTTPStatus
from typing import Any

from mockserver.engine.fakedata import fake_instance
from mockserver.engine.jsonpointer import deref
from mockserver.engine.problems import kind_for_status, problem_body
from mockserver.engine.registry import ErrorFormat
from mockserver.engine.schemadata import Unsatisfiable
from mockserver.generic.inference import operations
from mockserver.generic.model import ApiModel, Placement
from mockserver.generic.schemas import flattened, is_json, json_content, properties
from mockserver.generic.validity import Validity

Record = dict[str, Any]
#: Response headers the server sets itself, never answered from the spec.
_SERVER_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "connection"})


class Answers:
    """Answers of one served-from-spec API."""

    def __init__(self, document: dict[str, Any], model: ApiModel, seed: int, locale: str, validity: Validity) -> None:
        self.document = document
        self.model = model
        self.seed = seed
        self.locale = locale
        self.validity = validity
        self._made: dict[tuple[str, int], Any] = {}
        self._fits: dict[tuple[int, str], tuple[Any, _Fit]] = {}
        self._fillers: dict[tuple[str, str], Any] = {}
        self._headers: dict[str, dict[str, str]] = {}

    def made(self, placement: Placement) -> Any:
        """The operation's success answer from the spec alone: its example where one fits the schema,
        else one made from the schema (the same on every call)."""
        key = (placement.operation_id, placement.status)
        if key not in self._made:
            self._made[key] = self._from_spec(placement)
        return copy.deepcopy(self._made[key])

    def _from_spec(self, placement: Placement) -> Any:
        schema = placement.schema
        if schema is None:
            return None
        for example in self._examples(placement):
            if self.validity.fits(schema, example):
                return example
        return self.instance(schema, (self.seed, placement.operation_id, placement.status))

    def instance(self, schema: Any, key: object) -> Any:
        try:
            return fake_instance(schema, self.document, key, locale=self.locale)
        except (Unsatisfiable, RecursionError):
            return {} if flattened(self.document, schema).get("type") == "object" else None

    def headers(self, placement: Placement) -> dict[str, str]:
        """The headers the operation's success answer documents (``responses.<status>.headers``),
        each its example where it has one, else made from its schema (the same on every call);
        none the server itself sets (``Content-Type``, ``Content-Length``)."""
        found = self._headers.get(placement.operation_id)
        if found is None:
            found = self._headers[placement.operation_id] = self._documented_headers(placement)
        return found

    def _documented_headers(self, placement: Placement) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, header in (self._response(placement).get("headers") or {}).items():
            header = deref(self.document, header)
            if not isinstance(header, dict) or str(name).lower() in _SERVER_HEADERS:
                continue
            schema = flattened(self.document, header.get("schema")) or {"type": "string"}
            examples = [deref(self.document, e) for e in (header.get("examples") or {}).values()]
            candidates = [header["example"]] if "example" in header else []
            candidates += [e["value"] for e in examples if isinstance(e, dict) and "value" in e]
            candidates += [schema[k] for k in ("example", "default") if k in schema]
            value = next((c for c in candidates if self.validity.fits(schema, c)), None)
            if value is None:
                value = self.instance(schema, (self.seed, placement.operation_id, "header", str(name)))
            text = _header_text(value)
            if text is not None:
                headers[str(name)] = text
        return headers

    def _response(self, placement: Placement) -> dict[str, Any]:
        operation = ((self.document.get("paths") or {}).get(placement.path) or {}).get(placement.method) or {}
        responses = {str(k): v for k, v in (operation.get("responses") or {}).items()}
        found = deref(self.document, responses.get(placement.response) or {})
        return found if isinstance(found, dict) else {}

    def _examples(self, placement: Placement) -> list[Any]:
        response = self._response(placement)
        found: list[Any] = []
        for media_type, media in (response.get("content") or {}).items():
            media = deref(self.document, media)
            if not is_json(media_type) or not isinstance(media, dict):
                continue
            if "example" in media:
                found.append(media["example"])
            for example in (media.get("examples") or {}).values():
                example = deref(self.document, example)
                if isinstance(example, dict) and "value" in example:
                    found.append(example["value"])
            schema = flattened(self.document, media.get("schema"))
            if "example" in schema:
                found.append(schema["example"])
        return copy.deepcopy(found)

    # -- records -----------------------------------------------------------------------------------
    def record(self, placement: Placement, record: Record) -> Any:
        """The answer carrying ``record``."""
        if placement.schema is None:
            return None
        if placement.envelope is None:
            return self.made(placement)
        if placement.envelope == "":
            return self.fitted(record, placement.schema, placement)
        name = placement.envelope[1:]
        body = self._around(placement, name)
        if not isinstance(body, dict):
            return body
        body[name] = self.fitted(record, properties(self.document, placement.schema).get(name), placement)
        return body

    def records(self, placement: Placement, records: list[Record]) -> Any:
        """The answer listing ``records``."""
        if placement.schema is None or placement.envelope is None:
            return self.made(placement)
        if placement.envelope == "":
            array = flattened(self.document, placement.schema)
            return self._listed(records, array, placement)
        name = placement.envelope[1:]
        body = self._around(placement, name)
        if not isinstance(body, dict):
            return body
        body[name] = self._listed(records, properties(self.document, placement.schema).get(name), placement)
        return body

    def _around(self, placement: Placement, name: str) -> Any:
        """The answer made from the spec (:meth:`made`) that wraps the records at ``name``: a copy
        but for that field, which the records replace (an example's own list is not copied)."""
        key = (placement.operation_id, placement.status)
        if key not in self._made:
            self._made[key] = self._from_spec(placement)
        made = self._made[key]
        if not isinstance(made, dict):
            return copy.deepcopy(made)
        return {field: None if field == name else copy.deepcopy(value) for field, value in made.items()}

    def _listed(self, records: list[Record], array: Any, placement: Placement) -> list[Any]:
        array = flattened(self.document, array)
        maximum = array.get("maxItems")
        chosen = records if maximum is None else records[: int(maximum)]
        return [self.fitted(r, array.get("items"), placement) for r in chosen]

    def fitted(self, record: Record, schema: Any, placement: Placement) -> Any:
        fit = self._fit(schema, placement)
        if fit.shown is None:
            out = {name: value for name, value in record.items() if not name.startswith("__")}
        else:
            out = {name: value for name, value in record.items() if name in fit.shown}
        for name, sub in fit.required.items():
            if name not in out:
                out[name] = self._filler(sub, placement, name)
        for name, sub in fit.checked.items():
            if name in out and not self.validity.fits(sub, out[name]):
                out[name] = self._filler(sub, placement, name)
        return out

    def _fit(self, schema: Any, placement: Placement) -> _Fit:
        """How records are fitted to ``schema`` in ``placement``'s answer (worked out once)."""
        key = (id(schema), placement.operation_id)
        found = self._fits.get(key)
        if found is None or found[0] is not schema:
            flat = flattened(self.document, schema)
            declared = flat.get("properties") or {}
            resource = self.model.resource(placement.resource)
            # A stored field already fits its record schema (``generic.records``): it is checked
            # again only where the answer types it otherwise. A package's records (``model.Binding``)
            # are the package's to keep in shape, as its tests check its answers.
            own = properties(self.document, resource.schema) if resource is not None else {}
            bound = resource is not None and resource.binding is not None
            fit = _Fit(
                shown=frozenset(n for n, sub in declared.items() if not flattened(self.document, sub).get("writeOnly"))
                if declared
                else None,
                required={n: declared[n] for n in flat.get("required") or [] if n in declared},
                checked={} if bound else {n: sub for n, sub in declared.items() if sub is not own.get(n)},
            )
            found = self._fits[key] = (schema, fit)
        return found[1]

    def _filler(self, schema: Any, placement: Placement, name: str) -> Any:
        """A value of ``schema`` for a field the answer needs and the record lacks (made once)."""
        key = (placement.operation_id, name)
        if key not in self._fillers:
            self._fillers[key] = self.instance(schema, (self.seed, placement.operation_id, name))
        return copy.deepcopy(self._fillers[key])


@dataclasses.dataclass(frozen=True)
class _Fit:
    #: The properties an answer shows (``None``: its schema declares none, so every field).
    shown: frozenset[str] | None
    #: The required properties, and those whose values are checked against the answer's schema.
    required: dict[str, Any]
    checked: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class DocumentedErrors(ErrorFormat):
    """The API's own error shape, from the JSON schema most of its error answers document: each
    error is an instance of it with its status, name and description put in the properties whose
    names say so (``status``, ``code``, ``message``, ``detail``, ``error`` ... one level down too)."""

    #: The error schema, an instance of it made once, and the document its references point into.
    schema: Any = None
    template: Any = None
    document: Any = dataclasses.field(default=None, compare=False, hash=False, repr=False)

    def body(self, status: int, description: str, code: str | None = None) -> dict[str, Any]:
        body = copy.deepcopy(self.template) if isinstance(self.template, dict) else {}
        _fill(body, self.schema, self.document, status, description, code)
        return body


#: Property names (lower case, without ``_`` and ``-``) that carry an error's status, its words, its name.
_STATUS = frozenset({"status", "statuscode", "code", "httpstatus", "httpcode"})
_TEXT = frozenset({"message", "detail", "details", "description", "errordescription", "msg", "title"})
_NAME = frozenset({"error", "type", "typename", "name", "reason", "errorcode"})


def _fill(body: dict[str, Any], schema: Any, document: Any, status: int, description: str, code: str | None) -> None:
    declared = flattened(document, schema).get("properties") or {}
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else f"HTTP {status}"
    for name, sub in declared.items():
        flat = flattened(document, sub)
        key = name.lower().replace("-", "").replace("_", "")
        kind = flat.get("type") or _text_branch(document, flat)
        if "enum" in flat:
            continue
        if key in _STATUS and kind in ("integer", "number"):
            body[name] = status
        elif key in _STATUS and kind == "string":
            body[name] = str(status) if key != "code" else (code or phrase)
        elif key in _TEXT and kind == "string":
            body[name] = description
        elif key in _NAME and kind == "string":
            body[name] = code or phrase
        elif kind == "object" and isinstance(body.get(name), dict):
            _fill(body[name], sub, document, status, description, code)


def _text_branch(document: Any, flat: dict[str, Any]) -> str | None:
    """``"string"`` for a schema of no type one of whose ``anyOf``/``oneOf`` branches is text."""
    branches = [*(flat.get("anyOf") or []), *(flat.get("oneOf") or [])]
    return "string" if any(flattened(document, b).get("type") == "string" for b in branches) else None


def _with_examples(template: Any, schema: Any, document: Any) -> Any:
    """The template with each top-level property's own ``example`` where it has one of the right
    kind (``ref``: the API's documentation link rather than a made-up word)."""
    if not isinstance(template, dict):
        return template
    kinds: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "object": dict,
        "array": list,
    }
    for name, sub in properties(document, schema).items():
        flat = flattened(document, sub)
        example, kind = flat.get("example"), kinds.get(str(flat.get("type")))
        if name in template and example is not None and kind is not None and isinstance(example, kind):
            template[name] = copy.deepcopy(example)
    return template


@dataclasses.dataclass(frozen=True)
class DocumentedProblems(ErrorFormat):
    """RFC 7807 problems (the mock's own shape), for an API that documents no JSON error shape, but
    with the status it documents for a body that breaks its schema (400 where it names no 422)."""

    media_type: str = "application/problem+json"

    def body(self, status: int, description: str, code: str | None = None) -> dict[str, Any]:
        return problem_body(kind_for_status(self.status_for(status)), description)


def error_format(document: dict[str, Any], seed: int, locale: str) -> ErrorFormat | None:
    """The API's documented error shape: the JSON error schema most of its operations document, or
    RFC 7807 problems (``None``: problems with our 422, for an API that documents 422 or problems),
    with its status for a body that breaks the schema: 422 where it documents that more than 400."""
    shapes: Counter[str] = Counter()
    schemas: dict[str, tuple[str, Any]] = {}
    statuses: Counter[str] = Counter()
    problems = False
    for _, _, operation in operations(document):
        for code, response in (operation.get("responses") or {}).items():
            code = str(code)
            statuses[code] += 1
            if not (code.startswith(("4", "5")) or code == "default"):
                continue
            found = json_content(document, response)
            if found is None:
                continue
            media_type, schema = found
            if "problem" in media_type:
                problems = True
                continue
            key = repr(schema)
            shapes[key] += 1
            schemas[key] = (media_type, schema)
    validation = 422 if statuses["422"] >= statuses["400"] else 400
    if problems or not shapes:
        return DocumentedProblems(validation_status=validation) if validation != 422 else None
    media_type, schema = schemas[shapes.most_common(1)[0][0]]
    if flattened(document, schema).get("type") not in ("object", None) and not properties(document, schema):
        return None
    try:
        template = _with_examples(fake_instance(schema, document, (seed, "error"), locale=locale), schema, document)
    except (Unsatisfiable, RecursionError):
        return None
    return DocumentedErrors(
        media_type=media_type.split(";", 1)[0] if media_type != "*/*" else "application/json",
        validation_status=validation,
        schema=schema,
        template=template,
        document=document,
    )


def _header_text(value: Any) -> str | None:
    """A header's value as OpenAPI's ``simple`` style writes it (``None``: no value to send)."""
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = ",".join(t for t in (_header_text(v) for v in value) if t is not None)
    else:
        text = str(value)
    # A field value is visible ASCII and spaces (RFC 9110, 5.5): what is not is left out.
    return text if text.isascii() and text.isprintable() else None
