"""Which session a request works in, and the handlers and credential checks bound to that session.

A client names its session (``engine.sessions``) with ``X-Mock-Session: <name>`` or by putting
``/__sessions/<name>`` in front of any path, so that a frontend changes only its base URL
(``http://127.0.0.1:8000/__sessions/w3/api/rest/portal/profile``). :class:`SessionMiddleware`, inside
the error guard and outside the journal, strips that prefix from the scope's ``path`` and
``raw_path`` before any other layer sees them, finds the session (``Runtime.sessions``: made on its
first use) and puts it in ``scope[SESSION]`` (the journal and the rules read it), with its
:class:`SessionBinding` in ``scope[BINDING]``: the session's handler objects and credential checks,
made on first use and kept with the session.

Connexion's app and the fast path's plans are built once, bound to the default state's handler
objects and credential checks, and call the session's own for a request in one: the fast path
reads ``scope[BINDING]``; in front of Connexion, :class:`SessionContext` sets :data:`CURRENT`, which
the operation functions and security functions ``web.binding`` gives Connexion look up. A context
variable, not ``connexion.context``: Connexion's security runs before it sets its context. Set only
there, it costs the fast path nothing.

A request that names no session costs a look at its path and header names and works on the
default state, as ever. One that names two different sessions, or a name that is not one
(``engine.sessions.NAME``), gets a 400 problem, whatever API it is for. The control plane is in no
session: ``/__admin`` ignores the header, and ``/__sessions/<name>/__admin/...`` is 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.engine.problems import MockProblem, NotFound, SessionAmbiguous, SessionNameInvalid
from mockserver.engine.registry import CredentialCheck
from mockserver.engine.runtime import ADMIN_PREFIX, Runtime
from mockserver.engine.sessions import Session, check_name
from mockserver.web.errors import ErrorRenderer

#: The scope key of the request's session (``engine.sessions.Session``; absent: the default state).
SESSION = "mockserver.session"
#: The scope key of the session's :class:`SessionBinding`.
BINDING = "mockserver.session.binding"
HEADER = b"x-mock-session"
PREFIX = "/__sessions/"
_RAW_PREFIX = PREFIX.encode()
#: The key the web layer keeps its binding under on a session (``Session.attachment``).
ATTACHMENT = "web.binding"

Handler = Callable[..., Awaitable[Any]]


class SessionBinding:
    """One session's handler objects and credential checks, each API's made on its first request
    in the session, and kept with it."""

    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self._runtime = runtime
        self._handlers: dict[str, object] = {}
        self._methods: dict[tuple[str, str], Handler] = {}
        self._checks: dict[tuple[str, str], CredentialCheck] = {}
        #: What the fast path resolved for the session, per compiled operation (``web.fastpath``).
        self.plans: dict[object, tuple[Handler, list[dict[str, Any]]]] = {}

    def method(self, api: str, name: str) -> Handler:
        """The method ``name`` of the session's handler object for ``api``."""
        found = self._methods.get((api, name))
        if found is None:
            found = self._methods[(api, name)] = getattr(self._handlers_of(api), name)
        return found

    def check(self, api: str, kind: str) -> CredentialCheck:
        """The session's check of ``api``'s credentials of ``kind`` (Connexion's scheme kinds)."""
        found = self._checks.get((api, kind))
        if found is None:
            served = self._runtime.apis[api]
            checks = served.definition.credential_checks(self.session.states[api])
            self._checks.update({(api, k): check for k, check in checks.items()})
            found = self._checks[(api, kind)]
        return found

    def _handlers_of(self, api: str) -> object:
        found = self._handlers.get(api)
        if found is None:
            served = self._runtime.apis[api]
            found = self._handlers[api] = served.definition.build_handlers(self.session.states[api])
        return found


#: The binding of the session the running request works in, inside Connexion (:class:`SessionContext`);
#: ``None``: the default state.
CURRENT: ContextVar[SessionBinding | None] = ContextVar("mockserver_session", default=None)


class SessionContext:
    """In front of Connexion: :data:`CURRENT` is the request's session binding while Connexion
    serves it (its security and operation functions read it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        binding = scope.get(BINDING)
        if binding is None:
            return self.app(scope, receive, send)
        return self._in(binding, scope, receive, send)

    async def _in(self, binding: SessionBinding, scope: Scope, receive: Receive, send: Send) -> None:
        token = CURRENT.set(binding)
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT.reset(token)


class SessionMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime, errors: ErrorRenderer) -> None:
        self.app = app
        self.runtime = runtime
        self.errors = errors
        self._bind: Callable[[Session], SessionBinding] = lambda session: SessionBinding(session, runtime)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: every request goes on to the next layer's as it is, one in no
        # session after a look at its path and header names.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        path: str = scope["path"]
        if path.startswith("/__"):  # both reserved prefixes: most requests pass with one test
            if path.startswith(PREFIX):
                return self._enter(scope, receive, send, prefixed=True)
            if path.startswith(ADMIN_PREFIX):
                return self.app(scope, receive, send)
        for key, _ in scope["headers"]:
            if key == HEADER:
                return self._enter(scope, receive, send, prefixed=False)
        return self.app(scope, receive, send)

    def _enter(self, scope: Scope, receive: Receive, send: Send, *, prefixed: bool) -> Awaitable[None]:
        """The request in the session it names, or its refusal."""
        try:
            named: str | None = None
            for key, value in scope["headers"]:
                if key == HEADER:
                    if named is not None and value.decode("latin-1") != named:
                        raise SessionAmbiguous("Two X-Mock-Session headers name different sessions.")
                    named = value.decode("latin-1")
            if prefixed:
                session = self._prefixed(scope, named)
            else:
                assert named is not None
                session = self.runtime.sessions.use(named)
        except MockProblem as problem:
            return self._refuse(scope, send, problem)
        scope[SESSION] = session
        scope[BINDING] = session.attachments.get(ATTACHMENT) or session.attachment(ATTACHMENT, self._bind)
        return self.app(scope, receive, send)

    def _prefixed(self, scope: Scope, header: str | None) -> Session:
        """The session the path prefix names, checked against the rest of the request; the prefix
        then leaves the scope's path and raw path."""
        name, _, rest = scope["path"][len(PREFIX) :].partition("/")
        check_name(name)
        raw: bytes | None = scope.get("raw_path")
        written = _RAW_PREFIX + name.encode()
        if raw is not None and raw != written and not raw.startswith(written + b"/"):
            raise SessionNameInvalid(
                f"The session prefix of {raw.decode('latin-1')[:100]!r} is percent-encoded: "
                "write /__sessions/<name>/ as it is."
            )
        if _is_control_plane("/" + rest):
            raise NotFound("The control plane is in no session: call it at /__admin, without the prefix.")
        if header is not None and header != name:
            raise SessionAmbiguous(f"X-Mock-Session names the session {header!r}, the path prefix {name!r}.")
        session = self.runtime.sessions.use(name)
        scope["path"] = "/" + rest
        if raw is not None:
            scope["raw_path"] = b"/" + raw[len(written) + 1 :]
        return session

    async def _refuse(self, scope: Scope, send: Send, problem: MockProblem) -> None:
        status, _, body, headers = self.errors.render(scope["method"], scope["path"], problem)
        header_list = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        header_list.append((b"content-length", b"%d" % len(body)))
        await send({"type": "http.response.start", "status": status, "headers": header_list})
        await send({"type": "http.response.body", "body": body})


def _is_control_plane(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
