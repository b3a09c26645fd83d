"""Carries out the control plane's rules (``mockserver.engine.rules``) on requests to the mocked
APIs: the rule that matches a request delays it, forces one of its documented answers or breaks
its connection.

The middleware sits outside both paths (the fast path and Connexion), so it routes a request to
its operation itself, with the fast path's table (``web.fastpath.operation_routes``), and only
when a rule names an operation; while no rule is set it costs one test. It sits inside the
journal, which records the rule's id (``scope[RULE]``). A request in a session (``web.sessions``)
is shaped by the session's rules, not the default state's.

- **A delay** is slept before the request goes on.
- **A forced answer** goes on as ``Prefer: code=..., example=...`` does (``web.preferences``, here
  through the scope), so credentials and validation still come first.
- **Network faults** need the connection, which ``web.protocol`` puts in the scope
  (``connection-reset``: a reset; ``empty-response``: closed without a byte; ``malformed-body``:
  the answer's head announcing its full ``Content-Length``, half its body, then the end). Where a
  server gives none (Starlette's test client), they are an error, answered 500. ``slow-body``
  needs nothing of the server: the answer's body is sent a few bytes at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.engine.rules import NetworkFault, Rule, RuleSet
from mockserver.engine.runtime import Runtime
from mockserver.web.fastpath import Candidate, operation_routes
from mockserver.web.middleware import RULE
from mockserver.web.preferences import SCOPE_KEY, Preferences
from mockserver.web.protocol import CONNECTION, Connection
from mockserver.web.sessions import SESSION

#: A slow body goes out in this many pieces a second (or one byte at a time, if slower).
PIECES_PER_SECOND = 10
#: How long a broken connection may take to be seen gone before the request ends anyway.
GONE_SECONDS = 5.0


class NoConnection(RuntimeError):
    """A network fault on a server that gives the app no hold of the connection."""


class RuleMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self._routes: dict[tuple[str, int], list[Candidate]] | None = None

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: while no rule is set, the next layer's is handed back as it is,
        # which spares every request a coroutine of its own (~0.2 µs).
        session = scope.get(SESSION)
        rules = self.runtime.rules if session is None else session.rules
        if not rules.active or scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._shape(rules, scope, receive, send)

    async def _shape(self, rules: RuleSet, scope: Scope, receive: Receive, send: Send) -> None:
        api = self.runtime.api_for_path(scope["path"])
        rule = None if api is None else rules.pick(api, lambda: self.operation_id(api, scope["method"], scope["path"]))
        if rule is None:
            await self.app(scope, receive, send)
            return
        await self._apply(rule, scope, receive, send)

    def operation_id(self, api: str, method: str, path: str) -> str | None:
        """The operationId of ``api``'s operation that ``method`` and ``path`` name (``HEAD``: the
        ``GET`` when the spec has no ``HEAD``)."""
        if self._routes is None:
            self._routes = operation_routes(self.runtime, self.runtime.apis)
        segments = path.count("/")
        for wanted in (method, "GET") if method == "HEAD" else (method,):
            for candidate in self._routes.get((wanted, segments), ()):
                if candidate.api == api and candidate.pattern.match(path):
                    found: str | None = candidate.operation.get("operationId")
                    return found
        return None

    async def _apply(self, rule: Rule, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RULE] = rule.id
        delay = rule.next_delay_ms()
        if delay:
            await asyncio.sleep(delay / 1000)
        if rule.respond is not None:
            scope[SCOPE_KEY] = Preferences(code=rule.respond.code, example=rule.respond.example, delay_ms=None)
        fault = rule.fault
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "slow-body":
            await self.app(scope, receive, _dripping(send, fault, _connection(scope)))
        elif fault.kind == "malformed-body":
            await self._malformed(scope, receive, send)
        else:
            connection = _needed(scope, fault)
            if fault.kind == "connection-reset":
                connection.reset()
            else:
                connection.close()
            await _gone(receive)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The real answer's status and headers, a ``Content-Length`` of its body (at least 2),
        half of that, and the end of the connection. An answer that may have no body (204, 304) is
        sent as 200, so that the client reads the promised body."""
        connection = _needed(scope, NetworkFault("malformed-body"))
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        body = b"".join(chunks)
        status = start.get("status", 500)
        if status < 200 or status in (204, 304):
            status = 200
        announced = max(len(body), 2)
        headers: list[tuple[bytes, bytes]] = [
            (name, value)
            for name, value in start.get("headers", [])
            if name.lower() not in (b"content-length", b"transfer-encoding")
        ]
        headers.append((b"content-length", b"%d" % announced))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[: announced // 2], "more_body": True})
        connection.close()
        await _gone(receive)


def _connection(scope: Scope) -> Connection | None:
    connection: Connection | None = (scope.get("extensions") or {}).get(CONNECTION)
    return connection


def _needed(scope: Scope, fault: NetworkFault) -> Connection:
    """The request's connection, which ``fault`` cannot do without."""
    connection = _connection(scope)
    if connection is None:
        raise NoConnection(f"A {fault.kind} fault needs the connection, which this server does not give the app.")
    return connection


def _dripping(send: Send, fault: NetworkFault, connection: Connection | None) -> Send:
    """``send`` with each body sent ``fault.bytes_per_second`` bytes a second, in pieces; stops
    when the connection closes."""
    rate = fault.bytes_per_second
    piece = max(rate // PIECES_PER_SECOND, 1)
    loop = asyncio.get_running_loop()

    async def drip(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        body: bytes = message.get("body", b"")
        started = loop.time()
        for offset in range(0, len(body), piece):
            if connection is not None and connection.closed:
                return
            await send({"type": "http.response.body", "body": body[offset : offset + piece], "more_body": True})
            await asyncio.sleep(max(started + (offset + piece) / rate - loop.time(), 0.0))
        await send({"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)})

    return drip


async def _gone(receive: Receive) -> None:
    """Waits until the server sees the connection gone (so that it does not answer in our place)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(GONE_SECONDS):
            while (await receive())["type"] != "http.disconnect":
                pass
