"""The catalogue of every error a client of the mock can see.

Each kind of problem has a stable ``type`` (a URI reference into ``/__admin/problems``), a title
and a status. Engine code raises :class:`MockProblem` subclasses; the web layer renders them as
RFC 7807 ``application/problem+json`` in one place. Nothing here knows about HTTP frameworks.

Hierarchy::

    MockProblem
    ├── BadRequest              400  malformed JSON, non-UTF-8 body, parameter of the wrong type
    │   ├── PreferenceNotApplicable 400  a ``Prefer`` the mock cannot honour for this operation
    │   ├── SessionNameInvalid  400  a session name (``X-Mock-Session``, ``/__sessions/<name>``) not allowed
    │   └── SessionAmbiguous    400  the header and the path prefix name different sessions
    ├── Unauthorized            401  missing or invalid credentials
    ├── Forbidden               403  credentials are valid but do not allow this
    ├── NotFound                404  unknown path or record, or a record the caller may not see
    ├── MethodNotAllowed        405
    ├── Conflict                409  a business rule forbids it in the record's current state
    │   └── StoreFull           409  a table holds ``max_records`` records; nothing more is created
    ├── PreconditionFailed      412  a documented precondition of the operation does not hold
    ├── PayloadTooLarge         413
    ├── UnsupportedMediaType    415  a body without a Content-Type, or with one the operation does not take
    ├── ValidationFailed        422  the body fails the schema or a documented rule
    ├── TooManyRequests         429  a documented rate limit was hit
    ├── HeadersTooLarge         431  the request's headers are larger or more than the server takes
    ├── InternalError           500  a bug in the mock (never expected; tests fail on it)
    ├── BadGateway              502  the proxy's target could not be reached or answered garbage
    └── GatewayTimeout          504  the proxy's target did not answer in time
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/__admin/problems#"


@dataclasses.dataclass(frozen=True)
class ProblemKind:
    slug: str
    status: int
    title: str
    description: str

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


CATALOGUE: dict[str, ProblemKind] = {}
BY_STATUS: dict[int, ProblemKind] = {}


def _kind(slug: str, status: int, title: str, description: str) -> ProblemKind:
    kind = ProblemKind(slug, status, title, description)
    CATALOGUE[slug] = kind
    BY_STATUS.setdefault(status, kind)
    return kind


class MockProblem(Exception):
    kind: ClassVar[ProblemKind]
    #: The mock's own answer, not one of the API's: rendered as a problem for every API, even one
    #: with its own error shape, so that a client never takes it for an error the API documents.
    mock_own: ClassVar[bool] = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail or self.kind.title)
        self.detail = detail
        #: The API's own documented name of this error (HomeQ's ``ApartmentHasAd``), if it has one.
        self.code = code
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    @property
    def status(self) -> int:
        return self.kind.status

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        extra = {"code": self.code, **self.extra} if self.code else self.extra
        return problem_body(self.kind, self.detail, instance=instance, errors=self.errors, **extra)


def problem_body(
    kind: ProblemKind,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind.type, "title": kind.title, "status": kind.status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def kind_for_status(status: int) -> ProblemKind:
    """The catalogue entry for a status raised by a library (Connexion, Starlette)."""
    if status in BY_STATUS:
        return BY_STATUS[status]
    return ProblemKind(f"http-{status}", status, f"HTTP {status}", "An HTTP error.")


class BadRequest(MockProblem):
    kind = _kind(
        "bad-request",
        400,
        "Bad Request",
        "The request is malformed: invalid JSON, a body that is not UTF-8, or a parameter of the wrong type.",
    )


class PreferenceNotApplicable(BadRequest):
    """The mock's own answer, not the API's. 400 rather than Prism's 422: a request header is at
    fault, not the request's content, and every operation of every API documents a 400."""

    mock_own = True
    kind = _kind(
        "preference-not-applicable",
        400,
        "Preference Not Applicable",
        "The request's `Prefer` header asks for something this operation cannot give: a status code or "
        "an example it does not document, or a malformed or too long `delay`; `detail` names what the "
        "operation documents.",
    )


class SessionNameInvalid(BadRequest):
    """The mock's own answer to a session name it does not take (``engine.sessions``)."""

    mock_own = True
    kind = _kind(
        "session-name-invalid",
        400,
        "Session Name Invalid",
        "The session named by `X-Mock-Session` or by the path prefix `/__sessions/<name>/` is not 1 to 64 "
        "letters, digits, `_` or `-` (written as such, not percent-encoded); `detail` quotes it.",
    )


class SessionAmbiguous(BadRequest):
    """The mock's own answer to a request that names two sessions."""

    mock_own = True
    kind = _kind(
        "session-ambiguous",
        400,
        "Session Ambiguous",
        "The request names two different sessions, in `X-Mock-Session` and in the path prefix "
        "`/__sessions/<name>/` (or in two `X-Mock-Session` headers); name one, or the same in both.",
    )


class Unauthorized(MockProblem):
    kind = _kind("unauthorized", 401, "Unauthorized", "Credentials are missing, malformed, expired or unknown.")


class Forbidden(MockProblem):
    kind = _kind("forbidden", 403, "Forbidden", "The credentials are valid but do not allow this request.")


class NotFound(MockProblem):
    kind = _kind("not-found", 404, "Not Found", "No such path or record, or the record belongs to someone else.")


class MethodNotAllowed(MockProblem):
    kind = _kind("method-not-allowed", 405, "Method Not Allowed", "The path exists but not with this method.")


class Conflict(MockProblem):
    kind = _kind("conflict", 409, "Conflict", "A business rule forbids this in the record's current state.")


class StoreFull(Conflict):
    kind = _kind(
        "store-full",
        409,
        "Store Full",
        "A table of the mock holds as many records as it keeps (`MAX_RECORDS`); delete some, reset the API "
        "(`POST /__admin/reset`) or raise the setting.",
    )


class PreconditionFailed(MockProblem):
    kind = _kind(
        "precondition-failed",
        412,
        "Precondition Failed",
        "A precondition the API documents for this operation does not hold; `code` names it.",
    )


class PayloadTooLarge(MockProblem):
    kind = _kind("payload-too-large", 413, "Payload Too Large", "The request body is larger than the server accepts.")


class UnsupportedMediaType(MockProblem):
    kind = _kind(
        "unsupported-media-type",
        415,
        "Unsupported Media Type",
        "The request body's Content-Type is not one the operation accepts.",
    )


class ValidationFailed(MockProblem):
    kind = _kind(
        "validation-failed",
        422,
        "Unprocessable Entity",
        "The body is well-formed but fails the schema or a documented rule; `errors` lists each field.",
    )


class TooManyRequests(MockProblem):
    kind = _kind("too-many-requests", 429, "Too Many Requests", "A documented rate limit was hit; retry later.")


class HeadersTooLarge(MockProblem):
    kind = _kind(
        "request-header-fields-too-large",
        431,
        "Request Header Fields Too Large",
        "The request's headers are larger in total, or more in number, than the server accepts "
        "(`MAX_HEADER_BYTES`, `MAX_HEADER_COUNT`).",
    )


class InternalError(MockProblem):
    kind = _kind("internal-error", 500, "Internal Server Error", "A bug in the mock server.")


class BadGateway(MockProblem):
    kind = _kind(
        "bad-gateway",
        502,
        "Bad Gateway",
        "`mockserver proxy` could not reach its target or could not read the target's answer.",
    )


class GatewayTimeout(MockProblem):
    kind = _kind("gateway-timeout", 504, "Gateway Timeout", "`mockserver proxy`'s target did not answer in time.")


def field_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def validation_failed(errors: list[dict[str, str]]) -> ValidationFailed:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ValidationFailed(f"{first['field']}: {first['message']}{more}", errors=errors)
