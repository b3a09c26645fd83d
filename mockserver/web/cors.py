"""CORS, outside both HTTP paths (the fast path and Connexion), so that every answer of a mocked
API carries the same headers whichever path made it: Starlette's middleware, with the control
plane's own policy (``mockserver.web.adminguard``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.web.adminguard import is_control_plane

_VARY_ORIGIN = (b"vary", b"Origin")


class ApiOnlyCORSMiddleware(CORSMiddleware):
    """Starlette's CORS for the mocked APIs and the upload target; for the control plane, only the
    ``admin_origins`` the developer listed (``ADMIN_ORIGINS``), and by default none."""

    def __init__(self, app: ASGIApp, admin_origins: Sequence[str] = (), **options: Any) -> None:
        super().__init__(app, **options)
        self.admin_cors: ASGIApp = app
        if admin_origins:
            self.admin_cors = CORSMiddleware(
                app, allow_origins=list(admin_origins), allow_methods=["*"], allow_headers=["*"]
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if is_control_plane(scope["path"]):
                await self.admin_cors(scope, receive, send)
                return
            for name, _ in scope["headers"]:
                if name == b"origin":
                    break
            else:  # most requests: what Starlette's middleware does without building its header views
                await self.app(scope, receive, _varying_by_origin(send))
                return
        await super().__call__(scope, receive, send)


def _varying_by_origin(send: Send) -> Send:
    """``send`` adding what Starlette's CORS middleware adds to an answer to a request without
    ``Origin``: ``Origin`` at the end of a single ``Vary``, where the first ``Vary`` stood."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            at = [i for i, (name, _) in enumerate(headers) if name.lower() == b"vary"]
            if not at:
                headers.append(_VARY_ORIGIN)
            else:
                headers[at[0]] = (b"vary", b", ".join([*(headers[i][1] for i in at), b"Origin"]))
                for i in reversed(at[1:]):
                    del headers[i]
            message["headers"] = headers
        await send(message)

    return sending
