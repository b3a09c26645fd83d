"""``mockserver proxy``: forwards every request to a real deployment and checks both directions.

The traffic is passed through unchanged (same method, path, query, headers and body both ways;
hop-by-hop headers excepted, as any proxy must). The only additions are two response headers
that report what the exchange broke: ``X-Mockserver-Violations`` (a count, ``0`` when checked
and clean) and one ``X-Mockserver-Violation`` per violation; the same findings go to the
journal at ``/__admin/requests``. Requests outside every spec's base path are forwarded
unchecked. An unreachable target is a 502 problem, a slow one a 504.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

import httpx

from mockserver.engine.clock import Clock
from mockserver.engine.problems import (
    PROBLEM_MEDIA_TYPE,
    BadGateway,
    GatewayTimeout,
    MockProblem,
    NotFound,
    PayloadTooLarge,
)
from mockserver.engine.registry import ApiDefinition
from mockserver.engine.runtime import Journal
from mockserver.proxy.checker import Exchange, SpecChecker, Violation
from mockserver.settings import Settings
from mockserver.web.asgi import Message, Receive, Scope, Send

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
COUNT_HEADER = "x-mockserver-violations"
VIOLATION_HEADER = "x-mockserver-violation"
#: At most this many ``X-Mockserver-Violation`` headers (the journal has all of them).
MAX_VIOLATION_HEADERS = 10
MAX_HEADER_VALUE = 500


class ProxyApp:
    def __init__(self, settings: Settings, registry: dict[str, ApiDefinition]) -> None:
        names = settings.apis or tuple(registry)
        unknown = sorted(set(names) - set(registry))
        if unknown:
            raise ValueError(f"unknown API(s) {', '.join(unknown)}; known: {', '.join(registry)}")
        if not settings.target:
            raise ValueError("the proxy needs a target URL (--target or TARGET)")
        self.settings = settings
        self.target = settings.target.rstrip("/")
        self.checker = SpecChecker(registry[name] for name in names)
        self.journal = Journal(settings.journal_size)
        self.clock = Clock(settings.anchor_date)
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.settings.target_timeout, follow_redirects=False)
        return self._client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith("/__admin/"):
            await self._admin(scope, send)
            return
        try:
            await self._forward(scope, receive, send)
        except MockProblem as problem:
            await _send_json(send, problem.status, problem.to_dict(scope["path"]), PROBLEM_MEDIA_TYPE)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        body = await self._read_body(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        url = self.target + raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        outgoing = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        client = self.client()
        try:
            request = client.build_request(scope["method"], url, headers=outgoing, content=body)
            response = await client.send(request, stream=True)
            try:
                answer = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise GatewayTimeout(f"{self.target} did not answer within {self.settings.target_timeout} s.") from None
        except httpx.HTTPError as error:
            raise BadGateway(f"{self.target} could not be reached: {error}") from None
        response_headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        exchange = Exchange(
            method=scope["method"],
            path=scope["path"],
            query=_query_pairs(query),
            headers=headers,
            body=body,
            status=response.status_code,
            response_headers=response_headers,
            response_body=answer,
        )
        api, violations = self.checker.check(exchange)
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response_headers]
        out.append((b"content-length", str(len(answer)).encode()))
        if api is not None:
            out += _report_headers(violations)
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": answer})
        self.journal.record(
            {
                "time": self.clock.stamp(),
                "api": api,
                "method": scope["method"],
                "path": scope["path"],
                "query": query.decode("latin-1"),
                "status": response.status_code,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "target": self.target,
                "violations": [v.to_dict() for v in violations],
            }
        )

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.settings.max_body_bytes:
                raise PayloadTooLarge(f"The request body is larger than {self.settings.max_body_bytes} bytes.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _admin(self, scope: Scope, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        params = dict(_query_pairs(scope.get("query_string", b"")))
        if path == "/__admin/health" and method == "GET":
            await _send_json(send, 200, {"status": "ok", "mode": "proxy", "target": self.target})
        elif path == "/__admin/requests" and method == "GET":
            entries = self.journal.entries()
            if params.get("violations") in ("1", "true", "only"):
                entries = [e for e in entries if e.get("violations")]
            if params.get("api"):
                entries = [e for e in entries if e.get("api") == params["api"]]
            limit = params.get("limit", "")
            if limit.isdigit() and int(limit) > 0:
                entries = entries[: int(limit)]
            await _send_json(send, 200, {"requests": entries})
        elif path == "/__admin/requests" and method == "DELETE":
            self.journal.clear()
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            problem = NotFound("The proxy's control plane has /__admin/health and /__admin/requests.")
            await _send_json(send, 404, problem.to_dict(path), PROBLEM_MEDIA_TYPE)


def _query_pairs(query: bytes) -> list[tuple[str, str]]:
    return parse_qsl(query.decode("latin-1"), keep_blank_values=True)


def _report_headers(violations: list[Violation]) -> list[tuple[bytes, bytes]]:
    headers = [(COUNT_HEADER.encode(), str(len(violations)).encode())]
    for violation in violations[:MAX_VIOLATION_HEADERS]:
        text = " ".join(str(violation).split())[:MAX_HEADER_VALUE]
        headers.append((VIOLATION_HEADER.encode(), text.encode("ascii", "backslashreplace")))
    return headers


async def _send_json(send: Send, status: int, body: Any, media_type: str = "application/json") -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
