"""The fast path: plain, valid requests answered without Connexion's middleware stack.

Connexion routes a request up to four times (Swagger UI, routing, security, validation, the app's
own router, each a Starlette router over every operation) and rebuilds request objects at each
layer; for a mock whose handlers take ~50 µs that is most of the cost of a request. In front of
Connexion, this ASGI app compiles each operation once, on its first request, into a
:class:`Plan` (its path pattern, parameters with their types and schema validators, credential
check, request body, handler and response validator) and then serves that operation's
requests itself, doing what Connexion does for them:

route -> credentials (the API's own check, in Connexion's order of security alternatives, with
``web.security``'s reading of ``{}``) ->
parameters (typed and validated like Connexion, query defaults filled in, pythonic names; header
parameters and ``content_type`` passed as :mod:`mockserver.web.binding` passes them) -> body ->
handler -> the same serialisation (the same jsonifier) -> response validation when
``validate_responses`` is on.

A body is either JSON (one JSON media type: the same strict parsing and compiled validator) or
raw: media types Connexion neither parses nor validates (``application/octet-stream``, a file's
own type; several are fine, Connexion takes the one the request names), whose bytes the handler
gets under the body's name, as Connexion hands them over.

It answers the happy path and two errors when they are the request's only fault: a well-formed JSON
body that breaks its schema (the 422 of :mod:`mockserver.web.validation`, from the same compiled
validator and error list) and one missing required parameter (the 400 of Connexion's parameter
check, in its words). Whenever anything else is not plainly valid or plainly supported (no or bad
credentials, several missing parameters, a mistyped or repeated parameter, malformed JSON, a raw
body that is empty or whose Content-Type is missing, carries parameters or is not one of the
declared types as written, a percent-encoded path, an operation with multipart or array parameters,
an admin call, a fault mode, a ``Prefer`` header or preferences another layer chose), it hands
the untouched request, body included, to Connexion, which answers exactly as it always did. Errors
a *handler* raises (business rules) and these two are rendered by the same
``web.errors.ErrorRenderer`` as Connexion's error handlers. The body size limit and CORS
(``web.cors``) sit outside both paths.
Turn it off with ``FAST_PATH=0`` (``Settings.fast_path``); the test suite runs with it on, and
``tests/test_fastpath.py`` checks both paths answer alike.

A plan holds the default state's handler method and credential checks; a request in a session
(``web.sessions``) is answered by the session's handler method of the same name, after the
session's checks, so that session traffic takes the fast path too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from connexion.decorators.parameter import pythonic
from connexion.exceptions import (
    BadRequestProblem,
    NonConformingResponseBody,
    NonConformingResponseHeaders,
    TypeValidationError,
)
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.utils import coerce_type, is_json_mimetype, is_nullable, split_content_type
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.engine.jsonpointer import deref
from mockserver.engine.problems import BadRequest, ValidationFailed, validation_failed
from mockserver.engine.registry import handler_name
from mockserver.engine.runtime import Runtime
from mockserver.web.binding import scheme_check_key
from mockserver.web.errors import ErrorRenderer
from mockserver.web.jsonifier import JSONIFIER
from mockserver.web.middleware import replaying
from mockserver.web.preferences import SCOPE_KEY as PREFERENCES
from mockserver.web.routing import HTTP_METHODS
from mockserver.web.sessions import BINDING, SessionBinding
from mockserver.web.validation import (
    ResponseValidator,
    compiled_validator,
    schema_errors,
    strict_json,
    validator_map,
)

JSON = "application/json"
_JSON_BYTES = JSON.encode()
JSON_MEDIA = re.compile(r"^application/(.+\+)?json$")
SIMPLE_TYPES = frozenset({"string", "integer", "number", "boolean"})
#: Connexion reads these parameter values as JSON null on nullable parameters.
NULLS = frozenset({"null", "None"})
#: The request body validators the server gives Connexion, by media type (ranges included).
BODY_VALIDATORS = validator_map()["body"]


def raw_media_type(media: str) -> bool:
    """Whether Connexion hands a body of this declared media type to the handler as its bytes,
    unvalidated: not a range, not JSON, not a form, and no body validator for it in our map."""
    return (
        media.count("/") == 1
        and "*" not in media
        and ";" not in media
        and not is_json_mimetype(media)
        and media not in FORM_CONTENT_TYPES
        and media not in BODY_VALIDATORS
    )


class Accepts(set[str]):
    """The keyword arguments a handler takes: its named ones, or every one with ``**kwargs``
    (Connexion then passes all declared parameters and the security context)."""

    everything = False

    def __contains__(self, name: object) -> bool:
        return self.everything or super().__contains__(name)

    def named(self, name: str) -> bool:
        """Whether the handler names ``name`` itself: ``web.binding`` passes header parameters
        and ``content_type`` only then, ``**kwargs`` or not."""
        return super().__contains__(name)


class Unsupported(Exception):
    """The operation (or this request to it) is left to Connexion."""


Handler = Callable[..., Awaitable[Any]]


@dataclass
class Param:
    name: str
    location: str
    python_name: str
    required: bool
    definition: dict[str, Any]
    validator: Any
    #: Whether the handler gets the value (Connexion's rule, or web.binding's for headers).
    passed: bool
    #: Connexion lets a nullable parameter be missing even when it is required.
    nullable: bool = False
    default: Any = None
    has_default: bool = False


@dataclass(eq=False)  # hashed by identity: a session's binding keeps its own handler and checks per plan
class Plan:
    """One operation, compiled for the fast path."""

    #: The API, and the name of the handler method (the default state's is ``handler``).
    api: str
    name: str
    handler: Handler
    accepts: Accepts
    params: list[Param]
    security: list[dict[str, Any]]
    body_name: str | None
    body_validator: Any
    responses: dict[str, Any]
    produces: frozenset[str]
    #: The declared media types of a body handed over as bytes (empty: a JSON body, or none).
    raw_media: frozenset[str] = frozenset()
    #: The one JSON media type a JSON body is declared with (lower case).
    json_media: str = ""
    #: The handler takes ``content_type`` (the request's header, passed by web.binding).
    content_type: bool = False
    components: dict[str, Any] = field(default_factory=dict)
    response_validators: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: ``{}`` among the security alternatives serves a refused credential as none (``web.security``).
    invalid_credentials_as_anonymous: bool = False


@dataclass
class Candidate:
    """An operation known from the spec; compiled into a :class:`Plan` on first use."""

    api: str
    pattern: re.Pattern[str]
    parameters: int
    operation: dict[str, Any]
    path_item: dict[str, Any]
    plan: Plan | None = None
    unsupported: bool = False


def operation_routes(runtime: Runtime, names: Iterable[str]) -> dict[tuple[str, int], list[Candidate]]:
    """The named APIs' operations by (method, number of path segments), fewest path parameters
    first: the first whose pattern matches a path is the operation the path names (a literal
    segment beats a parameter). The fast path and the control plane's rules (``web.rules``) route so."""
    routes: dict[tuple[str, int], list[Candidate]] = {}
    for name in names:
        spec = runtime.apis[name].definition.spec
        base = runtime.apis[name].definition.base_path
        for template, item in (spec.get("paths") or {}).items():
            for method, operation in item.items():
                if method not in HTTP_METHODS or not isinstance(operation, dict):
                    continue
                full = base + template
                regex = re.sub(r"\\\{([^}]*)\\\}", r"(?P<\1>[^/]+)", re.escape(full))
                try:
                    pattern = re.compile(f"^{regex}$")
                except re.error:  # a parameter name that is not a Python identifier
                    continue
                candidate = Candidate(name, pattern, full.count("{"), operation, item)
                routes.setdefault((method.upper(), full.count("/")), []).append(candidate)
    for candidates in routes.values():
        candidates.sort(key=lambda c: c.parameters)  # stable: spec order among equals
    return routes


class FastPath:
    def __init__(
        self,
        fallback: ASGIApp,
        runtime: Runtime,
        handlers: dict[str, object],
        errors: ErrorRenderer,
    ) -> None:
        self.fallback = fallback
        self.errors = errors
        self.runtime = runtime
        self.handlers = handlers
        self.validate_responses = runtime.settings.validate_responses
        self.routes = operation_routes(runtime, handlers)

    # -- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.fallback(scope, receive, send)
            return
        routed = self._route(scope)
        plan = (routed[0].plan or self._compile(routed[0])) if routed else None
        if routed is None or plan is None:
            await self.fallback(scope, receive, send)
            return
        binding: SessionBinding | None = scope.get(BINDING)
        handler, security = (plan.handler, plan.security) if binding is None else _in_session(plan, binding)
        try:
            headers = _headers(scope)
            kwargs, missing = self._arguments(plan, routed[1], scope, headers, security)
        except Unsupported:
            await self.fallback(scope, receive, send)
            return
        if plan.body_validator is not None or plan.raw_media:
            raw, complete = await _read_body(receive)
            try:
                if not complete:
                    raise Unsupported("client went away")
                body = _raw_body(plan, headers, raw) if plan.raw_media else self._body(plan, headers, raw)
            except (Unsupported, ValidationFailed) as failed:
                if isinstance(failed, Unsupported) or missing is not None:  # two errors: Connexion's order
                    await self.fallback(scope, replaying(raw, receive), send)
                else:  # the 422 our body validator gives under Connexion
                    await self._error(scope, failed, send)
                return
            if plan.body_name is not None and plan.body_name in plan.accepts:
                kwargs[plan.body_name] = body
        if missing is not None:  # the request's only fault: Connexion's parameter check's 400
            problem = BadRequestProblem(detail=f"Missing {missing.location} parameter '{missing.name}'")
            await self._error(scope, problem, send)
            return
        await self._respond(plan, handler, scope, kwargs, send)

    def _route(self, scope: Scope) -> tuple[Candidate, re.Match[str]] | None:
        raw_path = scope.get("raw_path") or b""
        if b"%" in raw_path or scope.get("root_path"):
            return None
        path: str = scope["path"]
        for candidate in self.routes.get((scope["method"], path.count("/")), ()):
            match = candidate.pattern.match(path)
            if match:
                if candidate.unsupported:
                    return None  # the operation this path names is Connexion's
                return candidate, match
        return None

    # -- compiling an operation ------------------------------------------------------------------
    def _compile(self, candidate: Candidate) -> Plan | None:
        try:
            candidate.plan = self._plan(candidate)
        except Unsupported:
            candidate.unsupported = True
            return None
        return candidate.plan

    def _plan(self, candidate: Candidate) -> Plan:
        served = self.runtime.apis[candidate.api]
        spec = served.definition.spec
        operation = candidate.operation
        operation_id = operation.get("operationId")
        handlers = self.handlers[candidate.api]
        if not operation_id:
            raise Unsupported("no operationId")
        method_name = handler_name(operation_id)
        handler = getattr(handlers, method_name, None)
        if handler is None or not inspect.iscoroutinefunction(handler):
            raise Unsupported("no async handler")
        signature = inspect.signature(handler)
        accepts = Accepts(signature.parameters)
        accepts.everything = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
        components = spec.get("components") or {}
        params: dict[tuple[str, str], Param] = {}
        for raw in [*(candidate.path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
            param = deref(spec, raw)
            location, name = param.get("in"), param.get("name")
            schema = deref(spec, param.get("schema") or {})
            if location not in ("path", "query", "header") or "content" in param:
                raise Unsupported("parameter kind")
            if schema.get("type") not in SIMPLE_TYPES or param.get("style") not in (None, "simple", "form"):
                raise Unsupported("parameter type")
            definition = {**param, "schema": schema}
            has_default = "default" in schema or "default" in param
            python_name = pythonic(name)
            params[(location, name)] = Param(
                name=name,
                location=location,
                python_name=python_name,
                required=bool(param.get("required")) or location == "path",
                definition=definition,
                validator=compiled_validator(schema, components=components),
                passed=accepts.named(python_name) if location == "header" else python_name in accepts,
                nullable=bool(is_nullable(definition)),
                default=param.get("default", schema.get("default")),
                has_default=has_default and location == "query",
            )
        body_name: str | None = None
        body_validator = None
        raw_media: frozenset[str] = frozenset()
        json_media = ""
        if "requestBody" in operation:
            request_body = deref(spec, operation["requestBody"])
            content = request_body.get("content") or {}
            schemas = [deref(spec, deref(spec, media).get("schema") or {}) for media in content.values()]
            if any(schema.get("nullable") or "default" in schema for schema in schemas):
                raise Unsupported("nullable or defaulted body")  # Connexion's null and empty bodies
            body_name = pythonic(request_body.get("x-body-name", "body"))  # Connexion 3's body name
            if len(content) == 1 and JSON_MEDIA.match(next(iter(content))):
                body_validator = compiled_validator(schemas[0], components=components)
                json_media = next(iter(content)).lower()
            elif content and all(raw_media_type(media) for media in content):
                raw_media = frozenset(content)  # several: Connexion takes the one the request names
            else:
                raise Unsupported("request body media type")
        content_type = accepts.named("content_type")
        names = [p.python_name for p in params.values()] + ([body_name] if body_name else [])
        if len(set(names)) != len(names) or (content_type and "content_type" in names):
            raise Unsupported("two arguments with one name")  # which one the handler gets is Connexion's
        security = operation.get("security", spec.get("security")) or [{}]
        schemes = (spec.get("components") or {}).get("securitySchemes") or {}
        checks = served.definition.credential_checks(served.state)
        alternatives: list[dict[str, Any]] = []
        for requirement in security:
            if not requirement:
                alternatives.append({})
                continue
            if len(requirement) != 1:
                raise Unsupported("several schemes at once")
            scheme = deref(spec, schemes.get(next(iter(requirement)), {}))
            kind = scheme.get("scheme", "").lower() if scheme.get("type") == "http" else scheme.get("type")
            # ``kind``: which of the API's checks, for a session's own (``SessionBinding.check``); an
            # API key may have a check of its own (``web.binding.security_map``).
            key = scheme_check_key(checks, scheme) if kind == "apiKey" else kind
            if kind == "apiKey" and scheme.get("in") == "header" and key in checks:
                alternatives.append(
                    {"header": scheme["name"].lower(), "check": checks[key], "kind": key, "bearer": False}
                )
            elif kind == "apiKey" and scheme.get("in") == "cookie" and key in checks:
                alternatives.append({"cookie": scheme["name"], "check": checks[key], "kind": key, "bearer": False})
            elif kind == "bearer" and "bearer" in checks:
                alternatives.append(
                    {"header": "authorization", "check": checks["bearer"], "kind": "bearer", "bearer": True}
                )
            else:
                raise Unsupported("security scheme")
        responses = {str(k): deref(spec, v) for k, v in (operation.get("responses") or {}).items()}
        return Plan(
            api=candidate.api,
            name=method_name,
            handler=handler,
            accepts=accepts,
            params=list(params.values()),
            security=alternatives,
            invalid_credentials_as_anonymous=served.definition.invalid_credentials_as_anonymous,
            body_name=body_name,
            body_validator=body_validator,
            responses=responses,
            produces=frozenset(media.lower() for r in responses.values() for media in r.get("content") or {}),
            components=components,
            raw_media=raw_media,
            content_type=content_type,
            json_media=json_media,
        )

    # -- a request -------------------------------------------------------------------------------
    def _arguments(
        self,
        plan: Plan,
        match: re.Match[str],
        scope: Scope,
        headers: dict[str, str],
        security: list[dict[str, Any]],
    ) -> tuple[dict[str, Any], Param | None]:
        """The handler's arguments, and the one required parameter the request lacks, if any
        (with two or more, which one Connexion names depends on its order of checks)."""
        kwargs: dict[str, Any] = {}
        missing: Param | None = None
        token_info = _credentials(plan, headers, security)
        if "token_info" in plan.accepts:
            kwargs["token_info"] = token_info
        if "user" in plan.accepts:
            kwargs["user"] = token_info.get("sub", token_info.get("uid"))
        if plan.content_type:
            kwargs["content_type"] = headers.get("content-type")
        query = _query(scope)
        for param in plan.params:
            if param.location == "path":
                value: str | None = match.group(param.name)
            elif param.location == "query":
                value = query.pop(param.name, None)
            else:
                value = headers.get(param.name.lower())
            if value is None:
                if param.required:
                    if missing is not None or param.nullable:
                        raise Unsupported("several missing parameters, or a nullable one")
                    missing = param
                    continue
                if param.has_default and param.passed:
                    kwargs[param.python_name] = param.default
                continue
            if value == "" or value in NULLS:
                raise Unsupported("empty or null value")
            try:
                typed = coerce_type(param.definition, value, param.location, param.name)
            except (TypeValidationError, ValueError, TypeError):
                raise Unsupported("mistyped parameter") from None
            if not param.validator.is_valid(typed):
                raise Unsupported("invalid parameter")
            if param.passed:
                kwargs[param.python_name] = typed
        return kwargs, missing

    def _body(self, plan: Plan, headers: dict[str, str], raw: bytes) -> Any:
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != plan.json_media or "charset" in headers.get("content-type", "").lower():
            raise Unsupported("not the declared JSON media type")  # another +json is Connexion's 415
        try:
            body = strict_json(raw)
        except BadRequest:
            raise Unsupported("not JSON") from None  # Connexion gives the same parser's 400
        if body is None:
            raise Unsupported("no body")  # Connexion decides what an empty body means
        if plan.body_validator is not None:
            errors = schema_errors(plan.body_validator, body)  # one pass: none when it is valid
            if errors:
                raise validation_failed(errors)
        return body

    async def _respond(self, plan: Plan, handler: Handler, scope: Scope, kwargs: dict[str, Any], send: Send) -> None:
        try:
            body, status, *rest = await handler(**kwargs)
            if not rest and not self.validate_responses and isinstance(body, dict | list):
                # The common answer, a JSON body and no headers of its own: what the general case
                # sends for it, without working it out.
                content = JSONIFIER.dumps_bytes(body)
                header_list = [(b"content-type", _JSON_BYTES), (b"content-length", b"%d" % len(content))]
                if status in (204, 304) or status < 200:
                    del header_list[1]
            else:
                content, header_list = self._general(plan, body, status, rest)
        except Exception as exc:
            await self._error(scope, exc, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": header_list})
        await send({"type": "http.response.body", "body": content})

    def _general(self, plan: Plan, body: Any, status: int, rest: list[Any]) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """The bytes and headers of any answer: the handler's own headers and media type, and,
        with ``validate_responses``, Connexion's checks of the answer."""
        headers = {str(k): str(v) for k, v in (rest[0] if rest else {}).items()}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if body is None:
            content = b""
        else:
            if content_type is None:
                content_type = headers["Content-Type"] = JSON
            if is_json_mimetype(split_content_type(content_type)[0]):
                content = JSONIFIER.dumps_bytes(body)
            else:
                content = body.encode() if isinstance(body, str) else bytes(body)
        header_list = _header_list(headers, status, len(content))
        if self.validate_responses:
            names = {k.decode("latin-1") for k, _ in header_list}
            self._check_response(plan, status, content_type, names, body)
        return content, header_list

    def _check_response(self, plan: Plan, status: int, content_type: str | None, headers: set[str], body: Any) -> None:
        """What Connexion's response validation checks: a documented media type, the required
        headers and the body against its schema."""
        media_type = split_content_type(content_type or "")[0] if content_type else ""
        if status < 400 and plan.produces and content_type and media_type.lower() not in plan.produces:
            raise NonConformingResponseHeaders(
                detail=f"Invalid Response Content-type ({media_type}), expected {sorted(plan.produces)}"
            )
        response = plan.responses.get(str(status)) or plan.responses.get("default") or {}
        required = {k.lower() for k, v in (response.get("headers") or {}).items() if v.get("required")}
        missing = required - headers
        if missing:
            raise NonConformingResponseHeaders(
                detail=f"Keys in response header don't match response specification. Difference: {', '.join(missing)}"
            )
        if body is None or not is_json_mimetype(media_type):
            return
        key = (str(status), media_type)
        if key not in plan.response_validators:
            content = response.get("content") or {}
            media = content.get(media_type) or {}
            schema = media.get("schema")
            plan.response_validators[key] = (
                compiled_validator(schema, ResponseValidator, plan.components) if schema else None
            )
        validator = plan.response_validators[key]
        if validator is not None:
            errors = schema_errors(validator, body)
            if errors:
                raise NonConformingResponseBody(f"Response body does not conform to specification: {errors[0]}")

    async def _error(self, scope: Scope, exc: Exception, send: Send) -> None:
        """An error, rendered as Connexion's error handlers render it (the same renderer)."""
        status, _, body, headers = self.errors.render(scope["method"], scope["path"], exc)
        # The Content-Type is among the headers: what Starlette's Response sends for them.
        header_list = _header_list(headers, status, len(body))
        await send({"type": "http.response.start", "status": status, "headers": header_list})
        await send({"type": "http.response.body", "body": body})


def _in_session(plan: Plan, binding: SessionBinding) -> tuple[Handler, list[dict[str, Any]]]:
    """The session's handler method and security alternatives (with its credential checks) for
    ``plan``, resolved on the session's first request to the operation."""
    found = binding.plans.get(plan)
    if found is None:
        security = [{**alt, "check": binding.check(plan.api, alt["kind"])} if alt else alt for alt in plan.security]
        found = binding.plans[plan] = (binding.method(plan.api, plan.name), security)
    return found


def _credentials(plan: Plan, headers: dict[str, str], security: list[dict[str, Any]]) -> dict[str, Any]:
    """Connexion's order: the first alternative of ``security`` (the plan's, or a session's) that
    yields a token info wins. ``{}`` (no credentials needed) yields at once where the API serves a
    refused credential as none (``invalid_credentials_as_anonymous``, Connexion's reading);
    elsewhere only when no credential was sent (``web.security``)."""
    anonymous = refused = False
    for alternative in security:
        if not alternative:
            if plan.invalid_credentials_as_anonymous:
                return {}
            anonymous = True
            continue
        if "cookie" in alternative:
            value = _cookies(headers).get(alternative["cookie"])
        else:
            value = headers.get(alternative["header"])
        if value is None:
            continue
        if alternative["bearer"]:
            kind, _, value = value.partition(" ")
            if kind.lower() != "bearer" or not value:
                continue
        try:
            info = alternative["check"](value)
        except Exception:
            info = None
        if info is not None:
            return dict(info)
        refused = True
    if anonymous and not refused:
        return {}
    raise Unsupported("no valid credentials")  # Connexion answers 401/403 in the API's shape


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    """The request's cookies as Connexion reads them (Starlette's parser, first Cookie header)."""
    return cookie_parser(headers.get("cookie", ""))


def _raw_body(plan: Plan, headers: dict[str, str], raw: bytes) -> bytes:
    """A body Connexion does not parse, as it hands it over: the bytes. Only a Content-Type that
    is one of the declared media types as written is served: Connexion answers 415 to the others,
    reads a missing one as the first declared type, and hands a handler the schema's default
    (``{}``) for an empty body."""
    if headers.get("content-type") not in plan.raw_media:
        raise Unsupported("not a declared media type as written")
    if not raw:
        raise Unsupported("no body")
    return raw


def _headers(scope: Scope) -> dict[str, str]:
    if PREFERENCES in scope:
        raise Unsupported("preferences chosen")  # forced answers are web.binding's, under Connexion
    headers: dict[str, str] = {}
    for key, value in scope["headers"]:
        name = key.decode("latin-1").lower()
        if name == "prefer":
            raise Unsupported("Prefer")
        if name in headers and name in ("authorization", "content-type", "content-length"):
            raise Unsupported("repeated header")  # which one counts is Connexion's call
        headers.setdefault(name, value.decode("latin-1"))
    return headers


def _query(scope: Scope) -> dict[str, str]:
    text = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(text, keep_blank_values=True)
    query: dict[str, str] = {}
    for key, value in pairs:
        if key in query:
            raise Unsupported("repeated query parameter")
        query[key] = value
    return query


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks), True


def _header_list(headers: dict[str, str], status: int, length: int) -> list[tuple[bytes, bytes]]:
    """An answer's headers as Starlette's Response writes them: lower-case names, and a
    Content-Length (``length``) unless given or the status has no body."""
    header_list = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if status not in (204, 304) and status >= 200 and b"content-length" not in {k for k, _ in header_list}:
        header_list.append((b"content-length", b"%d" % length))
    return header_list
