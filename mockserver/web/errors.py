"""Renders every error, ours or a library's, as an RFC 7807 problem from the catalogue.

An API that documents its own error shape (``ApiDefinition.error_format``, e.g. HomeQ's
``{error, description}``) gets the same problem translated into that shape and status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

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
from mockserver.web.jsonifier import JSONIFIER, loads

log = logging.getLogger("mockserver")


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


def render_mock_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, MockProblem)
    return problem_response(exc.status, exc.to_dict(_instance(request)), exc.headers)


def render_library_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Connexion's ProblemExceptions and Starlette's HTTPExceptions, mapped onto the catalogue."""
    if isinstance(exc, ProblemException):
        status, detail, headers = exc.status, exc.detail, dict(exc.headers or {})
    elif isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, exc.detail, dict(exc.headers or {})
    else:  # pragma: no cover - registered only for the two classes above
        return render_unexpected(request, exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, detail)
    kind = kind_for_status(status)
    if detail == kind.title or detail == "":
        detail = None
    elif isinstance(detail, str) and status == 400:
        # Connexion's parameter errors append the whole failing schema after a blank line.
        detail = detail.split("\n\n", 1)[0]
    return problem_response(status, problem_body(kind, detail, instance=_instance(request)), headers)


def render_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = InternalError(f"{type(exc).__name__}: {exc}")
    return problem_response(problem.status, problem.to_dict(_instance(request)))


#: What Connexion's security middleware says when a protected operation gets no credentials.
CONNEXION_NO_CREDENTIALS = "No authorization token provided"


def in_api_format(response: ConnexionResponse, error_format: ErrorFormat) -> ConnexionResponse:
    """The problem ``response`` re-rendered in an API's own documented error shape and status."""
    problem = loads(response.body or b"{}")
    description = str(problem.get("detail") or problem.get("title") or "")
    if response.status_code == 401 and description == CONNEXION_NO_CREDENTIALS and error_format.missing_credentials:
        description = error_format.missing_credentials
    status = error_format.status_for(response.status_code)
    body = error_format.body(response.status_code, description, problem.get("code"))
    return ConnexionResponse(
        status_code=status,
        mimetype=error_format.media_type,
        content_type=error_format.media_type,
        body=JSONIFIER.dumps_bytes(body),
        headers=response.headers or {},
    )


def error_handlers(
    challenge_for: Callable[[str], str | None],
    format_for: Callable[[str], ErrorFormat | None] | None = None,
) -> dict[type[Exception], Any]:
    """The handlers to register, given each path's API's ``WWW-Authenticate`` challenge and error shape."""

    def in_api_shape(render: Callable[[ConnexionRequest, Exception], ConnexionResponse]) -> Any:
        def handler(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
            response = render(request, exc)
            path = _instance(request)
            if response.status_code == 401 and "WWW-Authenticate" not in (response.headers or {}):
                challenge = challenge_for(path)
                if challenge:
                    response.headers = {**(response.headers or {}), "WWW-Authenticate": challenge}
            error_format = format_for(path) if format_for else None
            return in_api_format(response, error_format) if error_format else response

        return handler

    return {
        MockProblem: in_api_shape(render_mock_problem),
        ProblemException: in_api_shape(render_library_problem),
        HTTPException: in_api_shape(render_library_problem),
        Exception: in_api_shape(render_unexpected),
    }
