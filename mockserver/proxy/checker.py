"""Checks one exchange (request and the real response) against our specs with openapi-core.

openapi-core already validates requests and responses against an OpenAPI document, parameters,
bodies, security and all; this module only picks the API by its base path, feeds it the raw
exchange and turns its errors into short, stable :class:`Violation` records.
"""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from mockserver.engine.registry import ApiDefinition

#: At most this many schema errors are listed per violation.
MAX_DETAILS = 5


@dataclasses.dataclass(frozen=True)
class Violation:
    #: "request" or "response".
    where: str
    #: openapi-core's error class (InvalidRequestBody, InvalidData, ResponseNotFound, ...).
    kind: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One request and its response, as raw as they went over the wire."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes


@dataclasses.dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclasses.dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


class SpecChecker:
    def __init__(self, definitions: Iterable[ApiDefinition]) -> None:
        self._apis: list[tuple[str, str, OpenAPI]] = []
        for definition in definitions:
            spec = copy.deepcopy(definition.spec)
            spec["servers"] = [{"url": definition.base_path or "/"}]
            # openapi-core knows application/json; the +json types (problem+json, ...) are JSON too.
            extra: dict[str, Callable[[bytes], Any]] = {
                media: _json for media in _media_types(spec) if media.endswith("+json")
            }
            openapi = OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers=extra))
            self._apis.append((definition.name, definition.base_path, openapi))
        # Longest base path first, so that nested base paths pick the right API.
        self._apis.sort(key=lambda api: len(api[1]), reverse=True)

    def api_for(self, path: str) -> tuple[str, OpenAPI] | None:
        for name, base, openapi in self._apis:
            if path == base or path.startswith(base + "/") or not base:
                return name, openapi
        return None

    def check(self, exchange: Exchange) -> tuple[str | None, list[Violation]]:
        """The API the exchange belongs to (``None``: none of ours) and what it broke."""
        found = self.api_for(exchange.path)
        if found is None:
            return None, []
        name, openapi = found
        request = _Request(
            host_url="http://proxy",
            path=exchange.path,
            method=exchange.method.lower(),
            body=exchange.body or None,
            content_type=_header(exchange.headers, "content-type").lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(exchange.query),
                header=Headers(exchange.headers),
                cookie=ImmutableMultiDict(_cookies(exchange.headers)),
            ),
        )
        violations = [
            Violation("request", type(e).__name__, _describe(e)) for e in openapi.iter_request_errors(request)
        ]
        response = _Response(
            status_code=exchange.status,
            content_type=_header(exchange.response_headers, "content-type").lower(),
            headers=Headers(exchange.response_headers),
            data=_decoded(exchange.response_body, _header(exchange.response_headers, "content-encoding")) or None,
        )
        violations += [
            Violation("response", type(e).__name__, _describe(e))
            for e in openapi.iter_response_errors(request, response)
        ]
        return name, violations


def _json(body: bytes) -> Any:
    return json.loads(body)


def _media_types(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        content = node.get("content")
        if isinstance(content, dict):
            found |= set(content)
        for value in node.values():
            found |= _media_types(value)
    elif isinstance(node, list):
        for value in node:
            found |= _media_types(value)
    return found


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _cookies(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    pairs = []
    for part in _header(headers, "cookie").split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body as the spec describes it, for bodies the target compressed."""
    encoding = encoding.strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error):
        return body
    return body


def _schema_errors(error: BaseException) -> Iterator[Any]:
    for candidate in (error, error.__cause__, getattr(error.__cause__, "__cause__", None)):
        errors = getattr(candidate, "schema_errors", None)
        if errors:
            yield from errors
            return


def _describe(error: BaseException) -> str:
    """A one-line message: what failed and, for schema errors, where and why."""
    details = []
    for schema_error in list(_schema_errors(error))[:MAX_DETAILS]:
        where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()))
        details.append(f"{'/' + where if where else 'body'}: {schema_error.message}")
    headline = str(error).split(": Value ", 1)[0].split("\n", 1)[0]
    return f"{headline} ({'; '.join(details)})" if details else headline
