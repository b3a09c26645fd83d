"""Requests an OpenAPI document describes: its operations, the links between them, and for each
operation a request built from what the document and the run's settings say.

A value comes, in order, from the link that leads to the operation (a runtime expression such as
``$response.body#/id`` or ``$request.path.listingId``, or a constant; a link's ``requestBody``
may nest expressions in its leaves), from the parameter's ``example``/``examples``, from its
schema's ``example``, ``enum`` or ``default``, and last from the run's Schemathesis dictionaries
(``[project.parameters] "path.apartment_id" = { dictionary = "homeq-apartments" }``). A body is
the link's ``requestBody``, else the operation's own example (the named example ``documented``
first). Only JSON bodies are built; :class:`Unbuildable` says why a request cannot be.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from mockserver.engine.fakedata import fake_instance
from mockserver.engine.jsonpointer import deref, resolve_pointer

METHODS = ("get", "head", "post", "put", "patch", "delete")
#: The named request example the specs mark as the one their docs show.
PREFERRED_EXAMPLE = "documented"
#: What an expression gives when what it names is absent (``None`` is a JSON value).
ABSENT = object()


class Unbuildable(Exception):
    """The document says too little to build the request; the message says what is missing."""


@dataclasses.dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    node: dict[str, Any] = dataclasses.field(repr=False, compare=False)
    #: Path-level and operation-level parameters, ``$ref`` s followed (the operation's win).
    parameters: tuple[dict[str, Any], ...] = dataclasses.field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclasses.dataclass(frozen=True)
class Link:
    name: str
    target: Operation
    parameters: Mapping[str, Any]
    #: The link's ``requestBody``; :data:`ABSENT` when it gives none.
    request_body: Any = ABSENT


@dataclasses.dataclass(frozen=True)
class Request:
    """A request ready to send (and the context the next link's expressions read)."""

    operation: Operation
    path: str
    path_params: Mapping[str, Any]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any = ABSENT
    media_type: str | None = None


@dataclasses.dataclass(frozen=True)
class Exchange:
    """A request sent and what came back (a body that is not JSON is :data:`ABSENT`)."""

    request: Request
    status: int
    headers: Mapping[str, str]
    body: Any = ABSENT


def operations(spec: dict[str, Any]) -> dict[str, Operation]:
    """The spec's operations with an ``operationId``, by it, in the spec's order."""
    found: dict[str, Operation] = {}
    for path, item in (spec.get("paths") or {}).items():
        item = deref(spec, item)
        shared = [deref(spec, p) for p in item.get("parameters") or []]
        for method in item:
            if method not in METHODS or not isinstance(item[method], dict):
                continue
            node = item[method]
            own = [deref(spec, p) for p in node.get("parameters") or []]
            keys = {(p.get("in"), p.get("name")) for p in own}
            merged = tuple([p for p in shared if (p.get("in"), p.get("name")) not in keys] + own)
            if node.get("operationId"):
                found[node["operationId"]] = Operation(node["operationId"], method.upper(), path, node, merged)
    return found


def success_links(spec: dict[str, Any], operation: Operation, index: Mapping[str, Operation]) -> tuple[Link, ...]:
    """The links of the operation's first success (2xx) response that has links to an ``operationId``
    of ``index`` (``operationRef`` links are not followed)."""
    for status, response in (operation.node.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        links = []
        for name, link in (deref(spec, response).get("links") or {}).items():
            link = deref(spec, link)
            target = index.get(str(link.get("operationId")))
            if target is not None:
                links.append(Link(name, target, link.get("parameters") or {}, link.get("requestBody", ABSENT)))
        if links:
            return tuple(links)
    return ()


def dictionary_values(config: Mapping[str, Any], title: str) -> dict[str, list[Any]]:
    """``{"path.apartment_id": [12, 13, 14], ...}``: the values a run's Schemathesis settings (the
    base tables plus the ``[[project]]`` of ``title``) bind to parameters."""
    dictionaries = {name: table.get("values") or [] for name, table in (config.get("dictionaries") or {}).items()}
    project: Mapping[str, Any] = next((p for p in config.get("project") or [] if p.get("title") == title), {})
    bound: dict[str, list[Any]] = {}
    for key, value in {**(config.get("parameters") or {}), **(project.get("parameters") or {})}.items():
        if isinstance(value, dict) and "dictionary" in value:
            bound[key] = list(dictionaries.get(value["dictionary"], []))
        elif isinstance(value, list):
            bound[key] = list(value)
        elif not isinstance(value, dict):
            bound[key] = [value]
    return bound


def evaluate(expression: Any, source: Exchange | None) -> Any:
    """A link's value: a runtime expression read from ``source`` (a request sent and its answer),
    ``{$expression}`` parts of a string replaced, a constant as it is; nested objects and arrays
    (a link's ``requestBody``) leaf by leaf. :data:`ABSENT` when an expression names nothing."""
    if isinstance(expression, dict):
        return {key: evaluate(value, source) for key, value in expression.items()}
    if isinstance(expression, list):
        return [evaluate(value, source) for value in expression]
    if not isinstance(expression, str) or "$" not in expression:
        return expression
    if expression.startswith("$"):
        return _runtime(expression, source)
    if "{$" in expression:
        head, rest = expression.split("{$", 1)
        inner, tail = rest.split("}", 1) if "}" in rest else (rest, "")
        value, rest = _runtime("$" + inner, source), evaluate(tail, source)
        return ABSENT if ABSENT in (value, rest) else head + _text(value) + str(rest)
    return expression


def _runtime(expression: str, source: Exchange | None) -> Any:
    if source is None:
        return ABSENT
    request = source.request
    if expression == "$method":
        return request.operation.method
    if expression == "$statusCode":
        return source.status
    if expression == "$url":
        return request.path
    kind, _, rest = expression[1:].partition(".")
    where, _, name = rest.partition(".")
    if kind not in ("request", "response"):
        return ABSENT
    if where.startswith("body"):
        body = request.body if kind == "request" else source.body
        pointer = rest.partition("#")[2]
        if body is ABSENT:
            return ABSENT
        value = resolve_pointer(body, pointer) if pointer else body
        return ABSENT if value is None and pointer else value
    if kind == "response":
        headers: Mapping[str, Any] = source.headers if where == "header" else {}
    else:
        headers = {"path": request.path_params, "query": request.query, "header": request.headers}.get(where, {})
    if where == "header":
        lowered = {key.lower(): value for key, value in headers.items()}
        return lowered.get(name.lower(), ABSENT)
    return headers.get(name, ABSENT)


def build(
    operation: Operation,
    spec: dict[str, Any],
    dictionaries: Mapping[str, list[Any]],
    link: Link | None = None,
    source: Exchange | None = None,
    attempt: int = 0,
    *,
    invent: bool = False,
) -> Request:
    """The request for ``operation`` (reached through ``link`` from ``source``, or not). ``attempt``
    picks later candidates of the body and of the parameters the link does not give (a request
    retried after a 4xx with the next example, or under another parent record). Raises
    :class:`Unbuildable`. With ``invent``, a body or a query or header value the document gives no
    example of is made from its schema (``engine.fakedata``; ``mockserver contract --spec``: public
    specs rarely have examples)."""
    given = dict(link.parameters) if link else {}
    values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
    for parameter in operation.parameters:
        where, name = parameter.get("in"), str(parameter.get("name"))
        if where not in values:
            continue  # a cookie parameter: not ours to set
        key = f"{where}.{name}" if f"{where}.{name}" in given else name
        if key in given:
            value = evaluate(given[key], source)
            if value is ABSENT:
                raise Unbuildable(f"link {link.name if link else ''}: {given[key]} names nothing")
        elif parameter.get("required") or where == "path":
            options = candidates(parameter, spec, dictionaries)
            if not options and invent and where != "path":  # a path names a record: none made up
                options = [fake_instance(parameter.get("schema") or {}, spec, (operation.operation_id, name))]
            if not options:
                raise Unbuildable(f"no value for {where} parameter {name} (no example, no dictionary)")
            value = options[min(attempt, len(options) - 1)]
        else:
            continue
        values[str(where)][name] = value
    path = operation.path
    for name, value in values["path"].items():
        path = path.replace("{" + name + "}", quote(_text(value), safe=""))
    media_type, bodies = _bodies(operation, spec, link, source, invent)
    body = bodies[min(attempt, len(bodies) - 1)] if bodies else ABSENT
    return Request(
        operation,
        path,
        values["path"],
        {name: _text(value) for name, value in values["query"].items()},
        {name: _text(value) for name, value in values["header"].items()},
        body,
        media_type,
    )


def candidates(parameter: dict[str, Any], spec: dict[str, Any], dictionaries: Mapping[str, list[Any]]) -> list[Any]:
    """Values to try for a parameter no link gives, best first: its example(s), its schema's
    example, first enum member or default, then the run's dictionary values for it."""
    schema = deref(spec, parameter.get("schema") or {})
    found: list[Any] = []
    if "example" in parameter:
        found.append(parameter["example"])
    found += [v["value"] for v in _examples(parameter, spec)]
    if "example" in schema:
        found.append(schema["example"])
    if schema.get("enum"):
        found.append(schema["enum"][0])
    if "default" in schema:
        found.append(schema["default"])
    where, name = parameter.get("in"), parameter.get("name")
    found += dictionaries.get(f"{where}.{name}", dictionaries.get(str(name), []))
    unique: list[Any] = []
    for value in found:
        if value not in unique:
            unique.append(value)
    return unique


def _examples(node: dict[str, Any], spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The named examples of a parameter or media type that hold a ``value``, ``documented`` first."""
    named = node.get("examples") or {}
    ordered = sorted(named, key=lambda name: name != PREFERRED_EXAMPLE)
    for name in ordered:
        example = deref(spec, named[name])
        if isinstance(example, dict) and "value" in example:
            yield example


def _bodies(
    operation: Operation, spec: dict[str, Any], link: Link | None, source: Exchange | None, invent: bool = False
) -> tuple[str | None, list[Any]]:
    """The media type and the bodies to try, best first: the link's, else the operation's examples
    (``documented``, the other named ones, the media type's, the schema's)."""
    request_body = deref(spec, operation.node.get("requestBody") or {})
    content = request_body.get("content") or {}
    if not content:
        return None, []
    media_type = next(iter(content))
    if not (media_type == "application/json" or media_type.endswith("+json")):
        raise Unbuildable(f"{operation.operation_id} takes {media_type}, not JSON")
    if link is not None and link.request_body is not ABSENT:
        body = evaluate(link.request_body, source)
        if _has_absent(body):
            raise Unbuildable(f"link {link.name}: its requestBody names what {operation.operation_id}'s source lacks")
        return media_type, [body]
    media = content[media_type] or {}
    found = [example["value"] for example in _examples(media, spec)]
    if "example" in media:
        found.append(media["example"])
    schema = deref(spec, media.get("schema") or {})
    if "example" in schema:
        found.append(schema["example"])
    bodies = [body for n, body in enumerate(found) if body not in found[:n]]
    if not bodies and invent and media.get("schema") is not None:
        bodies = [fake_instance(media["schema"], spec, (operation.operation_id, "lifecycle"))]
    if not bodies and request_body.get("required"):
        raise Unbuildable(f"no example body for {operation.operation_id}")
    return (media_type, bodies) if bodies else (None, [])


def _has_absent(value: Any) -> bool:
    if value is ABSENT:
        return True
    if isinstance(value, dict):
        return any(_has_absent(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_absent(item) for item in value)
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
