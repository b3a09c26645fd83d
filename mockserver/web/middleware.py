"""ASGI middleware that wraps the whole server: error guard, request journal and body size limit.

Both sit outside Connexion so that they see every request, including the ones Connexion rejects.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.engine.problems import PROBLEM_MEDIA_TYPE, MockProblem, PayloadTooLarge
from mockserver.engine.registry import ErrorFormat
from mockserver.engine.runtime import ADMIN_PREFIX, Runtime
from mockserver.web.errors import ErrorRenderer
from mockserver.web.sessions import SESSION

UPLOADS_PREFIX = ADMIN_PREFIX + "/uploads/"
#: An answer's header naming the preferences that shaped it (RFC 7240; ``web.preferences``).
PREFERENCE_APPLIED = b"preference-applied"
#: The scope key of the control plane's rule that shaped a request (its id; ``web.rules``).
RULE = "mockserver.rule"


async def send_problem(
    send: Send, problem: MockProblem, instance: str, error_format: ErrorFormat | None = None
) -> None:
    """The problem as RFC 7807, or in the API's own documented error shape when it has one."""
    if error_format is not None:
        payload = error_format.body(problem.status, problem.detail or problem.kind.title, problem.code)
        media_type = error_format.media_type
    else:
        payload, media_type = problem.to_dict(instance), PROBLEM_MEDIA_TYPE
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (already read) as one message, then defers to ``receive``."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodyLimitMiddleware:
    """Answers 413 to bodies over the limit, whether announced by Content-Length or streamed.

    The control plane's upload target (pre-signed upload URLs of APIs with file references) takes
    files up to ``settings.max_upload_bytes``; everything else up to ``settings.max_body_bytes``.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    def _limit(self, path: str) -> int:
        settings = self.runtime.settings
        return settings.max_upload_bytes if path.startswith(UPLOADS_PREFIX) else settings.max_body_bytes

    async def _too_large(self, send: Send, path: str, limit: int) -> None:
        """413, in the error shape of the API the path belongs to (looked up only when needed)."""
        api = self.runtime.api_for_path(path)
        error_format = self.runtime.apis[api].definition.error_format if api else None
        problem = PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        await send_problem(send, problem, path, error_format)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = 0
                if announced > limit:
                    await self._too_large(send, scope["path"], limit)
                    return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # Read the body up front (bounded), then replay it to the app.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(send, scope["path"], limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, replaying(b"".join(chunks), receive), send)


class JournalMiddleware:
    """Records every request to a mocked API in the runtime's journal, or its session's
    (``web.sessions``): its facts as they come, written out as an entry only when the journal is
    read (``/__admin/requests``). Every answered one is counted for coverage alike
    (``engine.coverage``, ``/__admin/coverage``): here, outside the fast path and Connexion, the
    count is the same whichever answers."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        session = scope.get(SESSION)
        journal, coverage = (
            (self.runtime.journal, self.runtime.coverage) if session is None else (session.journal, session.coverage)
        )
        started = time.perf_counter()
        #: None while nothing is answered; stays so for a connection a rule broke on purpose.
        status: int | None = None
        applied: bytes | None = None

        async def send_(message: Message) -> None:
            nonlocal status, applied
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers") or ():
                    if name == PREFERENCE_APPLIED:
                        applied = value
            await send(message)

        try:
            await self.app(scope, receive, send_)
        except BaseException:
            if status is None:
                status = 500  # what the error guard answers
            raise
        finally:
            journal.record_later(
                self._entry,
                self.runtime.clock.stamp(),
                scope["method"],
                scope["path"],
                scope.get("query_string", b""),
                status,
                time.perf_counter() - started,
                scope.get(RULE),
                applied,
            )
            if status is not None:
                coverage.record(scope["method"], scope["path"], status)

    def _entry(
        self,
        moment: str,
        method: str,
        path: str,
        query: bytes,
        status: int | None,
        seconds: float,
        rule: int | None,
        applied: bytes | None,
    ) -> dict[str, Any]:
        return {
            "time": moment,
            "api": self.runtime.api_for_path(path),
            "method": method,
            "path": path,
            "query": query.decode("latin-1"),
            "status": status,
            "durationMs": round(seconds * 1000, 3),
            "rule": rule,
            # The preferences (``Prefer``, ``web.preferences``) that shaped the answer.
            "applied": applied.decode("latin-1") if applied is not None else None,
        }


class ErrorGuard:
    """The outermost layer: an exception that escapes every other layer (ours outside Connexion,
    the fast path's own work) still answers a problem, a 500 naming an error id whose details go
    to the log, never the exception's text. Connexion's own error handlers answer the rest the same
    way (``web.errors``)."""

    def __init__(self, app: ASGIApp, errors: ErrorRenderer) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No wrapper around ``send`` to know whether an answer has started (it would cost every
        # request): a server refuses a second start, and that refusal is all there is to know.
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if scope["type"] != "http":
                raise
            status, _, body, headers = self.errors.render(scope["method"], scope["path"], exc)
            header_list = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            header_list.append((b"content-length", b"%d" % len(body)))
            try:
                await send({"type": "http.response.start", "status": status, "headers": header_list})
                await send({"type": "http.response.body", "body": body})
            except Exception:
                pass  # the answer was half sent: the log has the error
