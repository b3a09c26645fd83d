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
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.jsonifier import Jsonifier
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.spec import Specification
from connexion.utils import yamldumper
from starlette.requests import Request
from starlette.responses import Response


class SpecAsWrittenUIAPI(SwaggerUIAPI):
    def __init__(self, *args: Any, spec_as_written: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Shared with the registry and the tools: only read here.
        self.spec_as_written = spec_as_written

    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        return self.spec_as_written

    @functools.cached_property
    def _json(self) -> bytes:
        # Connexion's own spec encoder: it also writes the dates YAML may parse.
        return str(Jsonifier().dumps(self.spec_as_written)).encode()

    @functools.cached_property
    def _yaml(self) -> bytes:
        return str(yamldumper(self.spec_as_written)).encode()

    async def _get_openapi_json(self, request: Request) -> Response:
        return Response(self._json, media_type="application/json")

    async def _get_openapi_yaml(self, request: Request) -> Response:
        return Response(self._yaml, media_type="text/yaml")


class SpecAsWrittenUIMiddleware(SwaggerUIMiddleware):
    """Connexion's :class:`SwaggerUIMiddleware`, serving each API's spec as written."""

    def add_api(self, specification: Specification, base_path: str | None = None, **kwargs: Any) -> None:
        api = SpecAsWrittenUIAPI(specification, base_path=base_path, default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)


def serving_specs_as_written(stack: list[Any]) -> list[Any]:
    """``stack`` with Connexion's Swagger UI middleware replaced by :class:`SpecAsWrittenUIMiddleware`."""
    return [SpecAsWrittenUIMiddleware if m is SwaggerUIMiddleware else m for m in stack]
