"""Renders every error, ours or a library's, as an RFC 7807 problem from the catalogue."""

from __future__ import annotations

import json
import logging
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

log = logging.getLogger("mockserver")


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype=PROBLEM_MEDIA_TYPE,
        content_type=PROBLEM_MEDIA_TYPE,
        body=json.dumps(body).encode(),
        headers=headers or {},
    )


def _instance(request: ConnexionRequest) -> str:
    return str(request.url.path)


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
    return problem_response(status, problem_body(kind, detail, instance=_instance(request)), headers)


def render_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = InternalError(f"{type(exc).__name__}: {exc}")
    return problem_response(problem.status, problem.to_dict(_instance(request)))


HANDLERS: dict[type[Exception], Any] = {
    MockProblem: render_mock_problem,
    ProblemException: render_library_problem,
    HTTPException: render_library_problem,
    Exception: render_unexpected,
}
