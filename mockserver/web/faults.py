"""Fault modes: the mock turned into a deliberately broken deployment.

``mockserver run --fault NAME`` (or ``FAULTS=a,b``) makes the server break its own contract in one
known way, so that contract checks (``mockserver contract``) and the proxy can be shown to catch
it. Each fault is an entry of :data:`FAULTS`; the middleware sits in Connexion's stack right after
routing, where the operation being called is known, and outside response validation. A fault that
reads or restores an API's state acts on the state the request works on: its session's
(``web.sessions``), or the default state.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.engine.jsonpointer import deref
from mockserver.engine.registry import ApiState
from mockserver.engine.runtime import Runtime
from mockserver.engine.sessions import Session
from mockserver.web.sessions import SESSION

Operation = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    #: The Schemathesis check that must catch it.
    caught_by: str


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault(
            "undocumented-status",
            "every successful GET answers 203 instead of its documented 200",
            "status_code_conformance",
        ),
        Fault(
            "drop-required-field",
            "successful JSON responses lose the first required property of their schema",
            "response_schema_conformance",
        ),
        Fault(
            "ignore-auth",
            "missing or wrong credentials are served as the first demo user",
            "ignored_auth",
        ),
        Fault(
            "leak-other-user",
            "reads by id serve another user's record",
            "object_level_authorization",
        ),
        Fault(
            "keep-deleted",
            "DELETE answers success but the record stays readable",
            "use_after_free",
        ),
        Fault(
            "lost-write",
            "a POST or PUT answers success but no record it created is stored",
            "ensure_resource_availability",
        ),
    )
}


def check_faults(names: tuple[str, ...]) -> None:
    unknown = sorted(set(names) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(FAULTS)}")


class OperationIndex:
    """(API base path, operationId) -> the operation of the spec, with local $refs resolvable."""

    def __init__(self, specs: list[tuple[str, dict[str, Any]]]) -> None:
        self._operations: dict[tuple[str, str], tuple[Operation, dict[str, Any]]] = {}
        for base_path, spec in specs:
            for item in (spec.get("paths") or {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and "operationId" in operation:
                        self._operations[(base_path, operation["operationId"])] = (operation, spec)

    def required_property(self, base_path: str, operation_id: str, status: int) -> str | None:
        """The first required property of the JSON body documented for ``status``, if any."""
        found = self._operations.get((base_path, operation_id))
        if found is None:
            return None
        operation, spec = found
        response = deref(spec, (operation.get("responses") or {}).get(str(status)) or {})
        schema = deref(spec, ((response.get("content") or {}).get("application/json") or {}).get("schema") or {})
        if schema.get("type") == "array":
            schema = deref(spec, schema.get("items") or {})
        required = _required(spec, schema)
        return required[0] if required else None


def _required(spec: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    names = list(schema.get("required") or [])
    for part in schema.get("allOf") or []:
        names += _required(spec, deref(spec, part))
    return names


class FaultMiddleware:
    """Applies every configured fault to the request it fits; faults combine."""

    def __init__(self, app: ASGIApp, runtime: Runtime, index: OperationIndex) -> None:
        self.app = app
        self.runtime = runtime
        self.index = index
        self.faults = frozenset(runtime.settings.faults)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = (scope.get("extensions") or {}).get("connexion_routing") or {}
        api = self.runtime.api_for_path(scope.get("path", ""))
        if scope["type"] != "http" or api is None or "operation_id" not in routing:
            await self.app(scope, receive, send)
            return
        app: ASGIApp = self.app
        if "leak-other-user" in self.faults and scope["method"] == "GET" and scope.get("path_params"):
            app = self._leaking(app, self._state(scope, api))
        if "drop-required-field" in self.faults:
            base, operation_id = routing["api_base_path"], routing["operation_id"]
            app = _wrap_app(app, lambda status, body: self._drop_required(base, operation_id, status, body))
        if "undocumented-status" in self.faults and scope["method"] == "GET":
            app = _wrap_app(app, _status_203)
        if "keep-deleted" in self.faults and scope["method"] == "DELETE":
            app = self._keeping_deleted(app, self._state(scope, api))
        if "lost-write" in self.faults and scope["method"] in ("POST", "PUT"):
            app = self._losing_writes(app, self._state(scope, api))
        if "ignore-auth" in self.faults:
            scope = self._as_demo_user(scope, self._state(scope, api))
        await app(scope, receive, send)

    def _state(self, scope: Scope, api: str) -> ApiState:
        """The state of ``api`` the request works on: its session's, or the default state."""
        session: Session | None = scope.get(SESSION)
        return self.runtime.apis[api].state if session is None else session.states[api]

    def _drop_required(self, base: str, operation_id: str, status: int, body: bytes) -> tuple[int, bytes]:
        name = self.index.required_property(base, operation_id, status)
        if name is None or not body:
            return status, body
        try:
            data = json.loads(body)
        except ValueError:
            return status, body
        target = data[0] if isinstance(data, list) and data else data
        if isinstance(target, dict):
            target.pop(name, None)
        return status, json.dumps(data).encode()

    def _as_demo_user(self, scope: Scope, state: ApiState) -> Scope:
        """The request with the state's first demo credential in place of whatever it brought."""
        auth = state.auth_description()
        users = auth.get("users") or []
        if not users or not users[0].get("token") or not auth.get("header"):
            return scope
        header = str(auth["header"]).lower().encode()
        value = f"{auth['prefix']} {users[0]['token']}" if auth.get("prefix") else str(users[0]["token"])
        return {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != header] + [(header, value.encode())]}

    def _leaking(self, app: ASGIApp, state: ApiState) -> ASGIApp:
        """``app``, with a read refused to its caller as another's record (403, 404) answered as the
        first demo user of ``state`` who may read it."""

        async def leaking(scope: Scope, receive: Receive, send: Send) -> None:
            request = await _request_messages(receive)
            answer = await _answer(app, scope, request, receive)
            for headers in _as_other_users(scope, state) if _status(answer) in (403, 404) else ():
                other = await _answer(app, {**scope, "headers": headers}, request, receive)
                if 200 <= (_status(other) or 0) < 300:
                    answer = other
                    break
            if isinstance(answer, Exception):  # a problem, rendered further out
                raise answer
            await send(answer[0])
            await send({"type": "http.response.body", "body": answer[1]})

        return leaking

    def _keeping_deleted(self, app: ASGIApp, state: ApiState) -> ASGIApp:
        """``app``, with every row it deletes from ``state`` put back afterwards (the DELETE still
        answers success)."""
        store = getattr(state, "store", None)
        if store is None:
            return app

        async def keeping(scope: Scope, receive: Receive, send: Send) -> None:
            before = store.snapshot()
            try:
                await app(scope, receive, send)
            finally:
                store.restore_missing(before)

        return keeping

    def _losing_writes(self, app: ASGIApp, state: ApiState) -> ASGIApp:
        """``app``, with every row it inserts into ``state`` dropped again once it has answered
        success, before the answer leaves (so that no later request can see the row)."""
        store = getattr(state, "store", None)
        if store is None:
            return app

        async def losing(scope: Scope, receive: Receive, send: Send) -> None:
            before = store.snapshot()
            status = 0

            async def dropping(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                elif (
                    message["type"] == "http.response.body"
                    and not message.get("more_body", False)
                    and 200 <= status < 300
                ):
                    store.drop_added(before)
                await send(message)

            await app(scope, receive, dropping)

        return losing


def _as_other_users(scope: Scope, state: ApiState) -> Iterator[list[tuple[bytes, bytes]]]:
    """The request's headers with each demo credential of ``state`` but the one it sent, in place of
    it; none for a request without one (an anonymous caller keeps its 401)."""
    auth = state.auth_description()
    header = str(auth.get("header") or "").lower().encode()
    sent = [v for k, v in scope["headers"] if k == header]
    if not header or not sent:
        return
    for user in auth.get("users") or []:
        token = user.get("token") or user.get("longLivedToken")  # HomeQ's users log in, or use this
        value = (f"{auth['prefix']} {token}" if auth.get("prefix") else str(token)).encode()
        if token and value != sent[0]:
            yield [(k, v) for k, v in scope["headers"] if k != header] + [(header, value)]


async def _request_messages(receive: Receive) -> list[Message]:
    """The request's body messages, read to the end, to be replayed to each run of the request."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages


async def _answer(
    app: ASGIApp, scope: Scope, request: list[Message], receive: Receive
) -> tuple[Message, bytes] | Exception:
    """``app``'s answer to ``scope`` with the body ``request`` (then the connection's own messages,
    such as its disconnect): its start message and whole body, or the problem it raised."""
    pending = list(request)
    start: Message = {}
    chunks: list[bytes] = []

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await app(scope, replay, collect)
    except Exception as problem:  # handed back: raised again if it is the answer
        return problem
    return start, b"".join(chunks)


def _status(answer: tuple[Message, bytes] | Exception) -> int | None:
    """The status of an answer of :func:`_answer`: sent, or of the problem raised (``MockProblem``,
    Connexion's)."""
    status = answer[0].get("status") if isinstance(answer, tuple) else getattr(answer, "status", None)
    return status if isinstance(status, int) else None


def _status_203(status: int, body: bytes) -> tuple[int, bytes]:
    return (203 if status == 200 else status), body


def _wrap_app(app: ASGIApp, change: Callable[[int, bytes], tuple[int, bytes]]) -> ASGIApp:
    """An app whose whole response (status and body) passes through ``change``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, body = change(start["status"], b"".join(chunks))
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, collect)

    return wrapped
