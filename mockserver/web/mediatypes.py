"""A request body must say what it is: Connexion's request validation, minus one guess.

Connexion takes a body that comes without a ``Content-Type`` header for the operation's first
declared media type, then hands its handler the raw bytes (it parses only what a request says is
JSON): the handler, written for a parsed body, failed with a 500. Here such a body is what RFC 9110
§8.3 lets a server take it for, ``application/octet-stream``: an operation that takes raw bytes
(an upload) takes it; any other answers 415 before a handler runs, as real servers do (Django REST
framework, behind HomeQ, answers 415 to a body it cannot parse).
A request without a body (no ``Content-Length``, or ``0``, and no ``Transfer-Encoding``) keeps
Connexion's guess, so that an optional body may simply be left out. A named type the operation does
not declare is Connexion's own 415.
"""

from __future__ import annotations

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, UnsupportedMediaTypeProblem
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.operations import AbstractOperation
from starlette.types import ASGIApp, Receive, Scope, Send

#: The media type of a request without body or type, whose operation's first type is a form: no
#: type a request can name (an empty ``Content-Type`` is still Connexion's 415).
NO_BODY = "x-mockserver/no-body"
#: What a body without a Content-Type is (RFC 9110 §8.3: a recipient may take it for bytes).
OCTET_STREAM = "application/octet-stream"


def announces_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether an HTTP/1.1 request carries a body, by its framing headers (RFC 9112 §6.3)."""
    for name, value in headers:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length" and value.strip() not in (b"0", b""):
            return True
    return False


class TypedBodyValidationOperation(RequestValidationOperation):
    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        operation = self._operation
        if operation.consumes and not any(name == b"content-type" for name, _ in headers) and announces_body(headers):
            if OCTET_STREAM in MediaTypeDict([(c.lower(), None) for c in operation.consumes]):  # ranges too
                return OCTET_STREAM, "utf-8"
            raise UnsupportedMediaTypeProblem(
                detail=f"The request has a body but no Content-Type header (so it is {OCTET_STREAM}); "
                f"this operation takes {', '.join(operation.consumes)}."
            )
        if (
            operation.consumes
            and not any(name == b"content-type" for name, _ in headers)
            and not announces_body(headers)
            and operation.consumes[0].split(";", 1)[0].strip().lower() in FORM_CONTENT_TYPES
        ):
            # No body and no type where a form is the first type taken: Connexion would guess that
            # form and parse nothing as one (multipart without its boundary: a 500). An optional
            # body is simply left out; a required one is missing.
            if (operation.request_body or {}).get("required"):
                raise BadRequestProblem(detail="RequestBody is required")
            return NO_BODY, "utf-8"
        mime_type: str
        encoding: str
        mime_type, encoding = super().extract_content_type(headers)
        return mime_type, encoding

    def validate_mime_type(self, mime_type: str) -> None:
        if mime_type != NO_BODY:
            super().validate_mime_type(mime_type)


class TypedBodyValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return TypedBodyValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class TypedBodyValidationMiddleware(RequestValidationMiddleware):
    api_cls = TypedBodyValidationAPI


def middlewares() -> list[Any]:
    """Connexion's middleware stack with request validation that refuses an untyped body."""
    return [
        TypedBodyValidationMiddleware if m is RequestValidationMiddleware else m
        for m in ConnexionMiddleware.default_middlewares
    ]


class FormTypeWithoutBody:
    """A request without a body has no form: its form Content-Type is dropped before either path.

    Connexion's handler layer parses the form of any request that names a form type, body or not,
    and refuses ``multipart/form-data`` without a boundary (400) even on a GET; the fast path never
    looks. A Content-Type describes content (RFC 9110 §8.3), and there is none to describe.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not announces_body(scope["headers"]):
            headers = scope["headers"]
            kept = [(k, v) for k, v in headers if k != b"content-type" or not _is_form(v)]
            if len(kept) != len(headers):
                scope = {**scope, "headers": kept}
        await self.app(scope, receive, send)


def _is_form(content_type: bytes) -> bool:
    return content_type.split(b";", 1)[0].strip().lower().decode("latin-1") in FORM_CONTENT_TYPES
