"""Each API's ``{base}/openapi.json`` and ``openapi.yaml``: the spec as written in its YAML file.

Connexion's Swagger UI middleware serves the copy of the spec it routes and validates with: every
``$ref`` expanded in place (a client generated from it gets a model for every inlined schema, not
one per component) and ``servers`` replaced by the mount path (HomeQ's ``/`` becomes ``""``, which
leaves Swagger UI's server list blank), rebuilt on every request. So that a client generated from
the live URL is the one generated from the file, :class:`SpecAsWrittenUIMiddleware` serves the
document ``add_api`` was given (its ``spec_as_written`` keyword: Connexion passes extra
``add_api`` keywords on to every middleware), serialised once with Connexion's own JSON and YAML
writers. Routing and validation keep Connexion's resolved copy; the Swagger UI pages are
Connexion's and point at the same URL.

Every spec's ``servers`` is a path on this host (``/api/rest/portal``, ``/``), which Swagger UI's
"try it out" resolves against the page, so the mock is reached as written. Connexion would prefix
the ASGI ``root_path`` (a path-rewriting proxy in front); the mock is served at its APIs' real
paths, without one. ``MiddlewarePosition.BEFORE_SWAGGER`` names Connexion's class, so no
middleware can be added there in this stack (none is).

Under a session's prefix (``/__sessions/<name>/api/rest/portal/ui/``, ``web.sessions``) the page
loads the spec under the same prefix, and that spec's ``servers`` start with it, so that "try it
out" calls the session's state, not the default state.
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.jsonifier import Jsonifier
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.spec import Specification
from connexion.utils import yamldumper
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from mockserver.engine.sessions import Session
from mockserver.web.sessions import PREFIX, SESSION


def _session_prefix(request: Request) -> str:
    """``/__sessions/<name>`` for a request in a session (however it named it), else ``""``."""
    session: Session | None = request.scope.get(SESSION)
    return "" if session is None else PREFIX + session.name


def _in_session(spec: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``spec`` with each server on this host (a path) under ``prefix``."""
    servers = spec.get("servers") or [{"url": "/"}]
    moved = [
        {**server, "url": prefix + server["url"].rstrip("/")} if str(server.get("url", "")).startswith("/") else server
        for server in servers
    ]
    return {**spec, "servers": moved}


class SpecAsWrittenUIAPI(SwaggerUIAPI):
    def __init__(self, *args: Any, spec_as_written: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Shared with the registry and the tools: only read here.
        self.spec_as_written = spec_as_written

    def _base_path_for_prefix(self, request: Request) -> str:
        # Where the page loads the spec from (Connexion's home page reads it).
        return _session_prefix(request) + str(super()._base_path_for_prefix(request))

    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        prefix = _session_prefix(request)
        return _in_session(self.spec_as_written, prefix) if prefix else self.spec_as_written

    def add_swagger_ui(self) -> None:
        # Connexion's redirect of ``.../ui`` to ``.../ui/`` drops a session's prefix: this one,
        # added first, is the one routed to.
        path = self.options.swagger_ui_path.strip().rstrip("/")

        async def redirect(request: Request) -> Response:
            root = str(request.scope.get("root_path", "")).rstrip("/")
            return RedirectResponse(url=_session_prefix(request) + root + path + "/")

        self.router.add_route(methods=["GET"], path=path, endpoint=redirect)
        super().add_swagger_ui()

    @functools.cached_property
    def _json(self) -> bytes:
        # Connexion's own spec encoder: it also writes the dates YAML may parse.
        return str(Jsonifier().dumps(self.spec_as_written)).encode()

    @functools.cached_property
    def _yaml(self) -> bytes:
        return str(yamldumper(self.spec_as_written)).encode()

    async def _get_openapi_json(self, request: Request) -> Response:
        if _session_prefix(request):
            return Response(Jsonifier().dumps(self._spec_for_prefix(request)), media_type="application/json")
        return Response(self._json, media_type="application/json")

    async def _get_openapi_yaml(self, request: Request) -> Response:
        if _session_prefix(request):
            return Response(yamldumper(self._spec_for_prefix(request)), media_type="text/yaml")
        return Response(self._yaml, media_type="text/yaml")


class SpecAsWrittenUIMiddleware(SwaggerUIMiddleware):
    """Connexion's :class:`SwaggerUIMiddleware`, serving each API's spec as written."""

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: Any) -> None:
        api = SpecAsWrittenUIAPI(specification, base_path=base_path, default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)


def serving_specs_as_written(stack: list[Any]) -> list[Any]:
    """``stack`` with Connexion's Swagger UI middleware replaced by :class:`SpecAsWrittenUIMiddleware`."""
    return [SpecAsWrittenUIMiddleware if m is SwaggerUIMiddleware else m for m in stack]
