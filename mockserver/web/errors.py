"""Renders every error, ours or a library's, as an RFC 7807 problem from the catalogue.

An API that documents its own error shape (``ApiDefinition.error_format``, e.g. HomeQ's
``{error, description}``) gets the same problem translated into that shape and status, except the
mock's own answers, which no API documents (``MockProblem.mock_own``: a refused ``Prefer``, a
session name it does not take).

:class:`ErrorRenderer` words an error from the request's method and path alone, so that both
Connexion's error handlers (:meth:`ErrorRenderer.connexion_handlers`) and the fast path, which
writes the bytes itself, give the same answer.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from mockserver.engine.problems import (
    PROBLEM_MEDIA_TYPE,
    BadRequest,
    InternalError,
    MockProblem,
    kind_for_status,
    problem_body,
)
from mockserver.engine.registry import ErrorFormat
from mockserver.web.jsonifier import JSONIFIER

log = logging.getLogger("mockserver")


class Problem(NamedTuple):
    """An error as the catalogue words it, before it is written out."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Rendered(NamedTuple):
    """An error as it is sent: status, media type, bytes and headers (the ``Content-Type`` last,
    where ``ConnexionResponse`` puts it)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str]


def _instance(path: str) -> str:
    """The problem's ``instance``: ``request.url.path`` for the scope's ``path``, without building
    the whole URL (a third of rendering an error)."""
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


#: Each words one family of exceptions, given the request's method and ``instance``.
Maker = Callable[[str, str, Exception], Problem]


def mock_problem(method: str, instance: str, exc: Exception) -> Problem:
    assert isinstance(exc, MockProblem)
    return Problem(exc.status, exc.to_dict(instance), dict(exc.headers or {}))


def library_problem(method: str, instance: str, exc: Exception) -> Problem:
    """Connexion's ProblemExceptions and Starlette's HTTPExceptions, mapped onto the catalogue."""
    if isinstance(exc, ProblemException):
        status, detail, headers = exc.status, exc.detail, dict(exc.headers or {})
    elif isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, exc.detail, dict(exc.headers or {})
    else:  # pragma: no cover - registered only for the two classes above
        return unexpected_problem(method, instance, exc)
    if status >= 500:
        return internal_problem(method, instance, detail)
    kind = kind_for_status(status)
    if detail == kind.title or detail == "":
        detail = None
    elif isinstance(detail, str) and status == 400:
        # Connexion's parameter errors append the whole failing schema after a blank line.
        detail = detail.split("\n\n", 1)[0]
    return Problem(status, problem_body(kind, detail, instance=instance), headers)


def new_error_id() -> str:
    """A short id that ties a 500's answer to its entry in the server's log."""
    return secrets.token_hex(6)


def multipart_problem(method: str, instance: str, exc: Exception) -> Problem:
    """Starlette's parser refusing a multipart body (no boundary, broken parts): the client's fault."""
    problem = BadRequest("The request body is not valid multipart/form-data: its boundary or parts are malformed.")
    return Problem(problem.status, problem.to_dict(instance), {})


def internal_problem(method: str, instance: str, what: object, exc: BaseException | None = None) -> Problem:
    """A 500 whose body names an error id and nothing of ``what`` went wrong: that goes to the log,
    under the same id (an exception's text can carry secrets, paths and data of other clients)."""
    error_id = new_error_id()
    log.error("error %s on %s %s: %s", error_id, method, instance, what, exc_info=exc)
    problem = InternalError(
        f"The mock failed to answer this request; its log has the details under error id {error_id}.",
        extra={"errorId": error_id},
    )
    return Problem(problem.status, problem.to_dict(instance), {})


def unexpected_problem(method: str, instance: str, exc: Exception) -> Problem:
    return internal_problem(method, instance, f"unhandled {type(exc).__name__}", exc)


#: The exception families and who words them: the most specific class in an exception's MRO wins.
MAKERS: dict[type[Exception], Maker] = {
    MockProblem: mock_problem,
    ProblemException: library_problem,
    HTTPException: library_problem,
    MultiPartException: multipart_problem,
    Exception: unexpected_problem,
}


#: What Connexion's security middleware says when a protected operation gets no credentials.
CONNEXION_NO_CREDENTIALS = "No authorization token provided"


def in_api_format(problem: Problem, error_format: ErrorFormat) -> Rendered:
    """The ``problem`` written in an API's own documented error shape and status."""
    status, body, headers = problem
    description = str(body.get("detail") or body.get("title") or "")
    if status == 401 and description == CONNEXION_NO_CREDENTIALS and error_format.missing_credentials:
        description = error_format.missing_credentials
    content = JSONIFIER.dumps_bytes(error_format.body(status, description, body.get("code")))
    headers["Content-Type"] = error_format.media_type
    return Rendered(error_format.status_for(status), error_format.media_type, content, headers)


class ErrorRenderer:
    """Every error as the catalogue (or the API's own error shape) words it, given each path's
    API's ``WWW-Authenticate`` challenge and error shape."""

    def __init__(
        self,
        challenge_for: Callable[[str], str | None],
        format_for: Callable[[str], ErrorFormat | None] | None = None,
    ) -> None:
        self.challenge_for = challenge_for
        self.format_for = format_for

    def render(self, method: str, path: str, exc: Exception) -> Rendered:
        """``exc`` raised on a request to the scope's ``path``."""
        maker = next(MAKERS[k] for k in type(exc).__mro__ if k in MAKERS)
        instance = _instance(path)
        problem = maker(method, instance, exc)
        if problem.status == 401 and "WWW-Authenticate" not in problem.headers:
            challenge = self.challenge_for(instance)
            if challenge:
                problem.headers["WWW-Authenticate"] = challenge
        # The mock's own answers are never worded as one of the API's own errors.
        own_shape = self.format_for is not None and not (isinstance(exc, MockProblem) and exc.mock_own)
        error_format = self.format_for(instance) if own_shape and self.format_for else None
        if error_format:
            return in_api_format(problem, error_format)
        problem.headers["Content-Type"] = PROBLEM_MEDIA_TYPE
        return Rendered(problem.status, PROBLEM_MEDIA_TYPE, JSONIFIER.dumps_bytes(problem.body), problem.headers)

    def connexion_handlers(self) -> dict[type[Exception], Callable[[ConnexionRequest, Exception], ConnexionResponse]]:
        """The handlers to register with Connexion, one per exception family of :data:`MAKERS`."""

        def handler(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
            status, media_type, body, headers = self.render(request.scope["method"], request.scope["path"], exc)
            return ConnexionResponse(
                status_code=status, mimetype=media_type, content_type=media_type, body=body, headers=headers
            )

        return dict.fromkeys(MAKERS, handler)
