"""Requests of an operation for ``tests/test_boundaries.py``: the otherwise valid one, and the
same with one field changed.

The valid request is the operation's documented example (its parameters' and its body's) with
what the demo data needs instead, which ``tests/boundary_baselines.py`` writes per operation as a
:class:`Baseline`; a changed field is put in place in a copy (a missing parent object or list item
made from its schema first), and parameters are written as they go on the wire.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from tests.boundary_values import Field, Operation, place, read, sample


class Requests(Protocol):
    def request(self, method: str, url: str, **options: Any) -> Any: ...


@dataclasses.dataclass(frozen=True)
class Prepared:
    """What a setup made for the request: path parameters and top-level body properties."""

    path: dict[str, Any] = dataclasses.field(default_factory=dict)
    body: dict[str, Any] = dataclasses.field(default_factory=dict)


#: Prepares the state a request needs, after a reset, with the request's credentials.
Setup = Callable[[Requests, dict[str, str]], Prepared]


@dataclasses.dataclass(frozen=True)
class Baseline:
    """What an operation's valid request needs beyond its spec examples (all optional)."""

    path: dict[str, Any] = dataclasses.field(default_factory=dict)
    query: dict[str, Any] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The JSON body (``None``: the documented example, else a sample of the schema).
    body: Any = None
    #: A raw body instead of JSON, with its media type.
    content: tuple[bytes, str] | None = None
    #: The credentials to send instead of the API's first demo user's.
    auth: dict[str, str] | None = None
    setup: Setup | None = None
    #: Fields (``"body applicants.0.homePostcode"``), or single values of them (``'body username = ""'``),
    #: whose spec-valid values a rule beyond the field refuses (another field's value, a record
    #: they must name, a documented business answer), and why. Their spec-invalid values are still
    #: checked: a rule elsewhere never makes an invalid value valid.
    excused: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None


def _parameter_value(parameter: dict[str, Any]) -> Any:
    if "example" in parameter:
        return parameter["example"]
    return sample(parameter.get("schema") or {})


def text(value: Any) -> str:
    """A parameter value as it goes on the wire."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


class Builder:
    """Builds an operation's requests: its baseline, and the baseline with one field changed."""

    def __init__(self, base_path: str, operation: Operation, baseline: Baseline, auth: dict[str, str]) -> None:
        self.base_path = base_path
        self.operation = operation
        self.baseline = baseline
        self.auth = baseline.auth if baseline.auth is not None else auth
        self.path: dict[str, Any] = {}
        self.query: dict[str, Any] = {}
        self.headers: dict[str, Any] = {}
        for parameter in operation.parameters:
            name, where = parameter["name"], parameter["in"]
            given = {"path": baseline.path, "query": baseline.query, "header": baseline.headers}.get(where, {})
            if name in given:
                value = given[name]
            elif where == "path" or parameter.get("required"):
                value = _parameter_value(parameter)
            else:
                continue
            {"path": self.path, "query": self.query, "header": self.headers}[where][name] = value
        body = baseline.body if baseline.body is not None else operation.example
        if body is None and operation.body is not None:
            body = sample(operation.body)
        self.body = body

    def base_value(self, field: Field) -> Any:
        if field.where == "body":
            return read(self.body, field.steps)
        return {"path": self.path, "query": self.query, "header": self.headers}[field.where].get(field.steps[0])

    def request(self, prepared: Prepared, field: Field | None = None, value: Any = None) -> Request:
        path, query, headers, body = dict(self.path), dict(self.query), dict(self.headers), self.body
        path.update(prepared.path)
        if prepared.body:
            body = {**body, **prepared.body}
        if field is not None:
            if field.where == "body":
                body = place(body, field, value)
            else:
                {"path": path, "query": query, "header": headers}[field.where][field.steps[0]] = value
        url = self.base_path + re.sub(
            r"\{([^}]+)\}", lambda m: quote(text(path[m.group(1)]), safe=""), self.operation.template
        )
        if query:
            url += "?" + urlencode([(k, text(v)) for k, v in query.items()])
        sent = {**self.auth, **{k: text(v) for k, v in headers.items()}}
        content = None
        if self.baseline.content is not None:
            content, media = self.baseline.content
            sent["Content-Type"] = media
        elif self.operation.body is not None:
            content = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        return Request(self.operation.method, url, sent, content)
