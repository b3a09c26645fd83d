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


class Answers:
    """Answers of one served-from-spec API."""

    def __init__(self, document: dict[str, Any], model: ApiModel, seed: int, locale: str, validity: Validity) -> None:
        self.document = document
        self.model = model
        self.seed = seed
        self.locale = locale
        self.validity = validity
        self._made: dict[tuple[str, int], Any] = {}

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

    def _examples(self, placement: Placement) -> list[Any]:
        operation = next(
            (o for p, m, o in operations(self.document) if o.get("operationId") == placement.operation_id), {}
        )
        responses = {str(k): v for k, v in (operation.get("responses") or {}).items()}
        response = deref(self.document, responses.get(str(placement.status)) or {})
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
        body = self.made(placement)
        name = placement.envelope[1:]
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
        body = self.made(placement)
        name = placement.envelope[1:]
        if not isinstance(body, dict):
            return body
        body[name] = self._listed(records, properties(self.document, placement.schema).get(name), placement)
        return body

    def _listed(self, records: list[Record], array: Any, placement: Placement) -> list[Any]:
        array = flattened(self.document, array)
        maximum = array.get("maxItems")
        chosen = records if maximum is None else records[: int(maximum)]
        return [self.fitted(r, array.get("items"), placement) for r in chosen]

    def fitted(self, record: Record, schema: Any, placement: Placement) -> Any:
        flat = flattened(self.document, schema)
        declared = flat.get("properties") or {}
        out = {
            name: value
            for name, value in record.items()
            if not name.startswith("__")
            and (not declared or name in declared)
            and not flattened(self.document, declared.get(name)).get("writeOnly")
        }
        for name in flat.get("required") or []:
            if name not in out and name in declared:
                out[name] = self.instance(declared[name], (self.seed, placement.operation_id, name))
        resource = self.model.resource(placement.resource)
        # A stored field already fits its record schema (``generic.records``): it is checked again
        # only where the answer types it otherwise.
        own = properties(self.document, resource.schema) if resource is not None else {}
        for name, value in list(out.items()):
            if (
                name in declared
                and declared[name] is not own.get(name)
                and not self.validity.fits(declared[name], value)
            ):
                out[name] = self.instance(declared[name], (self.seed, placement.operation_id, name))
        return out


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


_STATUS = ("status", "statuscode", "status_code", "code", "httpstatus", "httpcode")
_TEXT = ("message", "detail", "details", "description", "errordescription", "error_description", "msg", "title")
_NAME = ("error", "type", "typename", "type_name", "name", "reason", "errorcode", "error_code")


def _fill(body: dict[str, Any], schema: Any, document: Any, status: int, description: str, code: str | None) -> None:
    declared = flattened(document, schema).get("properties") or {}
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else f"HTTP {status}"
    for name, sub in declared.items():
        flat = flattened(document, sub)
        key = name.lower().replace("-", "_")
        kind = flat.get("type")
        if "enum" in flat:
            continue
        if key.replace("_", "") in {s.replace("_", "") for s in _STATUS} and kind in ("integer", "number"):
            body[name] = status
        elif key.replace("_", "") in {s.replace("_", "") for s in _STATUS} and kind == "string":
            body[name] = str(status) if key != "code" else (code or phrase)
        elif key.replace("_", "") in {s.replace("_", "") for s in _TEXT} and kind == "string":
            body[name] = description
        elif key.replace("_", "") in {s.replace("_", "") for s in _NAME} and kind == "string":
            body[name] = code or phrase
        elif kind == "object" and isinstance(body.get(name), dict):
            _fill(body[name], sub, document, status, description, code)


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
        template = fake_instance(schema, document, (seed, "error"), locale=locale)
    except (Unsatisfiable, RecursionError):
        return None
    return DocumentedErrors(
        media_type=media_type.split(";", 1)[0] if media_type != "*/*" else "application/json",
        validation_status=validation,
        schema=schema,
        template=template,
        document=document,
    )
