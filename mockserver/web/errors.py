"""Renders every error, ours or a library's, as an RFC 7807 problem from the catalogue.

An API that documents its own error shape (``ApiDefinition.error_format``, e.g. HomeQ's
``{error, description}``) gets the same problem translated into that shape and status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from mockserver.problems import (
    PROBLEM_MEDIA_TYPE,
    InternalError,
    MockProblem,
    kind_for_status,
    problem_body,
)
from mockserver.registry import ErrorFormat
from mockserver.web.jsonifier import JSONIFIER

log = logging.getLogger("mockserver")


class Problem(NamedTuple):
    """An error as the catalogue words it, before it is written out."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype=PROBLEM_MEDIA_TYPE,
        content_type=PROBLEM_MEDIA_TYPE,
        body=JSONIFIER.dumps_bytes(body),
        headers=headers or {},
    )


def _instance(request: ConnexionRequest) -> str:
    """``request.url.path``, without building the whole URL (a third of rendering an error)."""
    path: str = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def mock_problem(request: ConnexionRequest, exc: Exception) -> Problem:
    assert isinstance(exc, MockProblem)
    return Problem(exc.status, exc.to_dict(_instance(request)), dict(exc.headers or {}))


def library_problem(request: ConnexionRequest, exc: Exception) -> Problem:
    """Connexion's ProblemExceptions and Starlette's HTTPExceptions, mapped onto the catalogue."""
    if isinstance(exc, ProblemException):
        status, detail, headers = exc.status, exc.detail, dict(exc.headers or {})
    elif isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, exc.detail, dict(exc.headers or {})
    else:  # pragma: no cover - registered only for the two classes above
        return unexpected_problem(request, exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, detail)
    kind = kind_for_status(status)
    if detail == kind.title or detail == "":
        detail = None
    elif isinstance(detail, str) and status == 400:
        # Connexion's parameter errors append the whole failing schema after a blank line.
        detail = detail.split("\n\n", 1)[0]
    return Problem(status, problem_body(kind, detail, instance=_instance(request)), headers)


def unexpected_problem(request: ConnexionRequest, exc: Exception) -> Problem:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = InternalError(f"{type(exc).__name__}: {exc}")
    return Problem(problem.status, problem.to_dict(_instance(request)), {})


#: What Connexion's security middleware says when a protected operation gets no credentials.
CONNEXION_NO_CREDENTIALS = "No authorization token provided"


def in_api_format(problem: Problem, error_format: ErrorFormat) -> ConnexionResponse:
    """The ``problem`` written in an API's own documented error shape and status."""
    status, body, headers = problem
    description = str(body.get("detail") or body.get("title") or "")
    if status == 401 and description == CONNEXION_NO_CREDENTIALS and error_format.missing_credentials:
        description = error_format.missing_credentials
    return ConnexionResponse(
        status_code=error_format.status_for(status),
        mimetype=error_format.media_type,
        content_type=error_format.media_type,
        body=JSONIFIER.dumps_bytes(error_format.body(status, description, body.get("code"))),
        headers=headers,
    )


def error_handlers(
    challenge_for: Callable[[str], str | None],
    format_for: Callable[[str], ErrorFormat | None] | None = None,
) -> dict[type[Exception], Any]:
    """The handlers to register, given each path's API's ``WWW-Authenticate`` challenge and error shape."""

    def in_api_shape(make: Callable[[ConnexionRequest, Exception], Problem]) -> Any:
        def handler(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
            problem = make(request, exc)
            path = _instance(request)
            if problem.status == 401 and "WWW-Authenticate" not in problem.headers:
                challenge = challenge_for(path)
                if challenge:
                    problem.headers["WWW-Authenticate"] = challenge
            error_format = format_for(path) if format_for else None
            if error_format:
                return in_api_format(problem, error_format)
            return problem_response(*problem)

        return handler

    return {
        MockProblem: in_api_shape(mock_problem),
        ProblemException: in_api_shape(library_problem),
        HTTPException: in_api_shape(library_problem),
        Exception: in_api_shape(unexpected_problem),
    }
