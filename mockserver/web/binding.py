"""Binds a spec's operations and security schemes to one API's handler object and state.

Connexion resolves ``operationId`` s and security functions by import path, which would make the
handlers global. Here each API gets a resolver that looks operations up on its own handler object
(``getProfile`` -> ``handlers.get_profile``) and security handlers that call its own credential
checks, so several mock servers can live in one process. Both are the default state's, and call
the session's own (``web.sessions``) when the request is in one: Connexion's app is built once.
Connexion hands handlers their path, query and body arguments but not their header parameters;
:func:`with_header_arguments` adds those, so that an API documented with "parameters sent as
headers" keeps thin handlers too.
:func:`with_preferences` answers what a request's ``Prefer`` forces (``web.preferences``) in the
handler's place: by the time Connexion calls a handler, credentials and the request are checked.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from connexion import context
from connexion.decorators.parameter import pythonic
from connexion.resolver import Resolver
from connexion.security import SECURITY_HANDLERS
from connexion.utils import coerce_type
from starlette.datastructures import Headers
from starlette.responses import Response

from mockserver.engine.problems import PreferenceNotApplicable
from mockserver.engine.registry import CredentialCheck, handler_name
from mockserver.web.preferences import APPLIED, OperationAnswers, SpecAnswers, request_preferences
from mockserver.web.sessions import CURRENT

JSON = "application/json"


def _not_media_type_choice(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("this operation accepts multiple content types")


# Connexion logs a warning on every request to an operation that accepts several request media
# types (an upload taking PDF or images), although it then uses the one the request names.
logging.getLogger("connexion.operations.openapi3").addFilter(_not_media_type_choice)


class HandlerResolver(Resolver):
    """Resolves operations to ``handlers``' methods; with ``answers`` (the API's spec), a request's
    ``Prefer`` can force a documented answer instead; with ``api``, a request in a session is
    answered by the session's handler object for that API (:func:`per_session`)."""

    def __init__(self, handlers: object, answers: SpecAnswers | None = None, api: str | None = None) -> None:
        super().__init__(function_resolver=self._find)
        self._handlers = handlers
        self._answers = answers
        self._api = api
        #: Connexion resolves each operation once per middleware (six times); one adapter serves all.
        self._found: dict[str, Callable[..., Any]] = {}

    def _find(self, operation_id: str) -> Callable[..., Any]:
        found = self._found.get(operation_id)
        if found is None:
            found = self._found[operation_id] = self._adapt(operation_id)
        return found

    def _adapt(self, operation_id: str) -> Callable[..., Any]:
        name = handler_name(operation_id)
        function = getattr(self._handlers, name, None)
        if not callable(function):
            raise LookupError(
                f"{type(self._handlers).__name__} has no handler {name!r} for operationId {operation_id!r}"
            )
        if self._api is not None:
            function = per_session(self._api, name, function)
        bound = with_header_arguments(function)
        answers = self._answers.for_operation(operation_id) if self._answers is not None else None
        if answers is not None:
            bound = with_preferences(bound, answers)
        return as_response(bound)


def per_session(api: str, name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``function`` (the default state's handler method ``name`` of ``api``), or in a session the
    session's handler method of that name."""

    @functools.wraps(function)
    async def call(*args: Any, **kwargs: Any) -> Any:
        binding = CURRENT.get()
        if binding is None:
            return await function(*args, **kwargs)
        return await binding.method(api, name)(*args, **kwargs)

    return call


def with_header_arguments(function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Passes the operation's declared header parameters the handler names as keyword arguments,
    and the request's ``Content-Type`` and ``Accept`` to a handler that takes ``content_type`` or
    ``accept`` (OpenAPI does not let a spec declare those headers as parameters).

    Names are made pythonic the way Connexion names query arguments, and values are typed by their
    schema (request validation has already accepted them).
    """
    if not inspect.iscoroutinefunction(function):
        raise TypeError(f"handler {function.__qualname__} must be async")
    accepted = set(inspect.signature(function).parameters)
    # Each resolved function serves one operation, so its header parameters are looked up once.
    declared: list[dict[str, Any]] | None = None

    @functools.wraps(function)
    async def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal declared
        if declared is None:
            declared = [p for p in context.operation.parameters if p.get("in") == "header"]
        wants_type = "content_type" in accepted and "content_type" not in kwargs
        wants_accept = "accept" in accepted and "accept" not in kwargs
        if declared or wants_type or wants_accept:
            headers = Headers(scope=context.scope)
            for param in declared:
                name = pythonic(param["name"])
                value = headers.get(param["name"])
                if name in accepted and name not in kwargs and value is not None:
                    kwargs[name] = coerce_type(param, value, "header", param["name"])
            if wants_type:
                kwargs["content_type"] = headers.get("content-type")
            if wants_accept:
                kwargs["accept"] = headers.get("accept")
        return await function(*args, **kwargs)

    return call


def with_preferences(
    function: Callable[..., Awaitable[Any]], answers: OperationAnswers
) -> Callable[..., Awaitable[Any]]:
    """Answers what the request's preferences force (``Prefer``, or those another layer chose) in
    the handler's place, so that nothing changes; runs the handler when they force nothing, or
    only its own success, and then says ``code=`` was applied if the handler gave that status."""

    @functools.wraps(function)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            preferences = request_preferences(context.scope, answers.max_delay_ms)
        except PreferenceNotApplicable as refused:
            raise answers.refused(refused.detail or "") from None
        if preferences is None:
            return await function(*args, **kwargs)
        forced = answers.answer(preferences)
        if forced is not None:
            headers = {**forced.headers, APPLIED: answers.applied(preferences, forced.status) or ""}
            return forced.body, forced.status, headers
        body, status, *rest = await function(*args, **kwargs)
        applied = answers.applied(preferences, status)
        if not applied:
            return (body, status, *rest)
        return body, status, {**(rest[0] if rest else {}), APPLIED: applied}

    return call


def as_response(function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Adapts a handler's ``(body, status[, headers])`` to what Connexion sends.

    Operations whose responses use several media types (JSON for success, problem+json for errors)
    make Connexion ask the handler which one it returns; a body is JSON unless the handler says
    otherwise, and no body means no Content-Type at all.
    """
    if not inspect.iscoroutinefunction(function):
        raise TypeError(f"handler {function.__qualname__} must be async")

    @functools.wraps(function)
    async def respond(*args: Any, **kwargs: Any) -> Any:
        result = await function(*args, **kwargs)
        body, status, *rest = result
        headers = dict(rest[0]) if rest else {}
        if body is None:
            return Response(status_code=status, headers=headers)
        headers.setdefault("Content-Type", JSON)
        return body, status, headers

    return respond


def security_map(checks: dict[str, CredentialCheck], api: str | None = None) -> dict[str, type]:
    """Connexion security handler classes whose credential function is the API's own check; with
    ``api``, the session's check of that API for a request in a session."""
    bound: dict[str, type] = {}
    own = {key: default if api is None else per_session_check(api, key, default) for key, default in checks.items()}
    for kind in {key.split(" ", 1)[0] for key in checks}:
        base = SECURITY_HANDLERS[kind]

        def resolve(_self: Any, scheme: Any, kind: str = kind) -> Any:
            return own.get(scheme_check_key(own, scheme)) if kind == "apiKey" else own.get(kind)

        methods: dict[str, Any] = {"_resolve_func": resolve}
        if kind == "oauth2":  # Connexion looks its token check up by the scheme's ``x-tokenInfoFunc``
            methods["get_tokeninfo_func"] = resolve
        bound[kind] = type(f"Bound{base.__name__}", (base,), methods)
    return bound


def scheme_check_key(checks: dict[str, CredentialCheck], scheme: dict[str, Any]) -> str:
    """Which of an API's checks takes an API-key scheme's value: its own (``"apiKey <name>"``, an API
    whose keys mean different things: an app's id beside a user's key) or the API's ``apiKey``."""
    own = f"apiKey {scheme.get('name')}"
    return own if own in checks else "apiKey"


def per_session_check(api: str, kind: str, check: CredentialCheck) -> CredentialCheck:
    """``check`` (the default state's check of ``api``'s credentials of ``kind``), or in a session
    the session's own."""

    @functools.wraps(check)
    def verify(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
        binding = CURRENT.get()
        if binding is None:
            return check(*args, **kwargs)
        return binding.check(api, kind)(*args, **kwargs)

    return verify
