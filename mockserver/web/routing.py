"""Answers what Starlette's router (under Connexion) gets wrong before it routes.

- 405 with the full ``Allow`` list: the router registers one route per operation and, when a path
  exists but the method does not, answers with the ``Allow`` of the first route it tried.
- 404 for absurdly long path segments: the router converts integer path parameters with ``int()``,
  which raises (a 500) on numbers longer than Python converts.
- 404 for an encoded slash (``%2F``): the server decodes it before routing, so ``a%2Fb`` would
  become two segments and reach another route (a file name "leaving its folder"). No id, name or
  reference of any mocked API contains a slash.
- No trailing-slash redirects: Starlette's routers answer a path with its final slash added or
  taken away by a 307 to the other spelling, an absolute URL built from the request's ``Host``
  header (so a client's Host came back in ``Location``). The specs write every path exactly (HomeQ's
  token paths end in a slash, all others do not) and document no redirect, so the other spelling
  is an unknown path here, 404 whatever the method (the 405 table knows each path as its spec
  writes it), as Prism answers it. Connexion builds its routers (routing, Swagger
  UI, the app) from ``starlette.routing.Router`` by name; those names are given a router that does
  not redirect, when this module is imported (by ``web.app``, before any app is built). Connexion's
  one redirect of its own, ``<base>/ui`` to ``<base>/ui/``, has a relative ``Location``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import connexion.apps.asynchronous
import connexion.middleware.routing
import connexion.middleware.swagger_ui
from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.engine.problems import MethodNotAllowed, NotFound

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: No id or name of any mocked API comes near this; longer segments cannot name a record.
MAX_SEGMENT = 1024


class ExactRouter(Router):
    """Starlette's router without the trailing-slash redirect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redirect_slashes = False


connexion.middleware.routing.Router = ExactRouter
connexion.middleware.swagger_ui.Router = ExactRouter
connexion.apps.asynchronous.Router = ExactRouter


class MethodTable:
    def __init__(self, entries: list[tuple[re.Pattern[str], frozenset[str]]]) -> None:
        self._entries = entries

    @classmethod
    def from_specs(cls, specs: Iterable[tuple[str, dict[str, Any]]]) -> MethodTable:
        entries: list[tuple[re.Pattern[str], frozenset[str]]] = []
        for base_path, spec in specs:
            for template, item in (spec.get("paths") or {}).items():
                methods = {m.upper() for m in item if m in HTTP_METHODS}
                if "GET" in methods:
                    methods.add("HEAD")
                pattern = re.escape(base_path + template)
                pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern)
                entries.append((re.compile(f"^{pattern}$"), frozenset(methods)))
        return cls(entries)

    def allowed(self, path: str) -> frozenset[str] | None:
        """Methods allowed on ``path``, or ``None`` when no spec knows the path."""
        # A literal segment beats a parameter (``/employees/api_user`` is not ``/employees/{id}``):
        # only the matching templates with the fewest parameters count.
        matches = [(p.pattern.count("[^/]+"), methods) for p, methods in self._entries if p.match(path)]
        if not matches:
            return None
        fewest = min(count for count, _ in matches)
        return frozenset().union(*(methods for count, methods in matches if count == fewest))


class PathGuardMiddleware:
    def __init__(self, app: ASGIApp, table: MethodTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if any(len(segment) > MAX_SEGMENT for segment in scope["path"].split("/")):
                raise NotFound("No such path: a path segment is longer than any id or name.")
            if b"%2f" in (scope.get("raw_path") or b"").split(b"?", 1)[0].lower():
                raise NotFound("No such path: a path segment contains an encoded slash, which no id or name does.")
            allowed = self.table.allowed(scope["path"])
            if allowed is not None and scope["method"] not in allowed:
                order = [m.upper() for m in HTTP_METHODS]
                allow = ", ".join(sorted(allowed, key=order.index))
                raise MethodNotAllowed(
                    f"{scope['method']} is not allowed here; allowed: {allow}.", headers={"Allow": allow}
                )
        await self.app(scope, receive, send)
