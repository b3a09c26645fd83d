"""The control plane answers the developer at the keyboard, not a web page they happen to visit.

``/__admin`` can read demo passwords and tokens, wipe every API and register webhooks, so:

- **No CORS** on it (:class:`~mockserver.web.cors.ApiOnlyCORSMiddleware`): a page of another origin cannot read its
  answers, unless the developer lists that origin (``ADMIN_ORIGINS``: their frontend's dev tools).
  The APIs keep their CORS, and so does the upload target ``/__admin/uploads/``, which stands in
  for the storage service that pre-signed upload URLs name: a frontend PUTs files there.
- **No request a browser sends for another site** (:class:`AdminGuard`): a foreign ``Origin``, a
  ``Sec-Fetch-Site`` of ``cross-site`` or ``same-site``, or a browser's request whose ``Host`` is not
  a loopback name (a page whose domain was re-bound to 127.0.0.1) gets 403. Form posts and
  ``no-cors`` fetches, which need no preflight, carry these headers in every current browser.
  Clients that are not browsers (curl, tests, CI) send none of them and are not affected; pages of
  the ``ADMIN_ORIGINS`` are let through.
- **A token off loopback**: with ``Settings.admin_token`` set (``mockserver run`` makes one when it
  listens on any other address), every call but the health check and the control plane's own docs
  needs ``Authorization: Bearer <token>``; a caller with it is trusted whatever its origin.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.engine.hosts import is_loopback_host
from mockserver.engine.problems import Forbidden, MockProblem, Unauthorized
from mockserver.engine.runtime import ADMIN_PREFIX
from mockserver.web.middleware import UPLOADS_PREFIX, send_problem

#: Calls that need no token: whether the server is up, and the control plane's own spec and docs.
OPEN_PATHS = (
    ADMIN_PREFIX + "/health",
    ADMIN_PREFIX + "/openapi.json",
    ADMIN_PREFIX + "/openapi.yaml",
    ADMIN_PREFIX + "/ui",
)
CHALLENGE = 'Bearer realm="mockserver control plane"'


def is_control_plane(path: str) -> bool:
    """``/__admin`` and below, but not the upload target (see the module's docstring)."""
    return (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) and not path.startswith(UPLOADS_PREFIX)


def _host_name(authority: str) -> str:
    """The host of a ``Host`` header value (``name:port``, ``[::1]:port``)."""
    try:
        return urlsplit("//" + authority).hostname or ""
    except ValueError:
        return ""


class AdminGuard:
    """Refuses control-plane calls a web page could make on the developer's behalf, and, with a
    token set, calls without it."""

    def __init__(self, app: ASGIApp, token: str, origins: Iterable[str] = ()) -> None:
        self.app = app
        self.token = token.encode()
        #: Origins the developer trusts (``ADMIN_ORIGINS``), as browsers write them.
        self.origins = frozenset(o.rstrip("/").lower().encode("latin-1") for o in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_control_plane(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await send_problem(send, refusal, scope["path"])
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> MockProblem | None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        if self.token:
            if self._has_token(headers.get(b"authorization", b"")):
                return None
            if not self._is_open(scope):
                return Unauthorized(
                    "The control plane needs `Authorization: Bearer <ADMIN_TOKEN>` (printed by `mockserver run` "
                    "at start, or the ADMIN_TOKEN you set).",
                    headers={"WWW-Authenticate": CHALLENGE},
                )
        origin = headers.get(b"origin")
        if origin is not None and origin.lower() in self.origins:
            return None
        return self._cross_site(headers)

    def _has_token(self, authorization: bytes) -> bool:
        scheme, _, credential = authorization.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(credential.strip(), self.token)

    @staticmethod
    def _is_open(scope: Scope) -> bool:
        path: str = scope["path"]
        return scope["method"] in ("GET", "HEAD") and any(path == p or path.startswith(p + "/") for p in OPEN_PATHS)

    @staticmethod
    def _cross_site(headers: dict[bytes, bytes]) -> MockProblem | None:
        origin = headers.get(b"origin")
        fetch_site = headers.get(b"sec-fetch-site", b"").lower()
        if origin is None and not fetch_site:
            return None  # not a browser
        authority = headers.get(b"host", b"").decode("latin-1")
        if fetch_site in (b"cross-site", b"same-site"):
            return Forbidden("The control plane does not answer requests made by pages of other sites.")
        if not is_loopback_host(_host_name(authority)):
            return Forbidden(
                "A browser reaches the control plane only at a loopback address (localhost, 127.0.0.1, [::1]), "
                "or with the ADMIN_TOKEN."
            )
        if origin is not None:
            own = origin.decode("latin-1").lower() in (f"http://{authority}".lower(), f"https://{authority}".lower())
            if not own:
                return Forbidden("The control plane does not answer requests made by pages of other origins.")
        return None
