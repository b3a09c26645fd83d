"""Builds the ASGI application: every registered API at its real base path, plus ``/__admin``.

Request flow (outermost first): error guard -> the request's session (``web.sessions``: the
``/__sessions/<name>`` prefix stripped) -> journal -> control-plane guard -> CORS -> the
control plane's rules (``web.rules``) -> ``Prefer: delay`` (``web.preferences``) -> body size
limit -> fast path (plain valid requests end here; see ``mockserver.web.fastpath``) -> the
session's context (``web.sessions.SessionContext``) -> Connexion (exceptions -> Swagger UI ->
routing -> security -> request validation -> response validation) ->
handler (or the answer a ``Prefer`` forces) -> API state. Handlers and states know nothing of
this module.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import connexion
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from starlette.types import ASGIApp

from mockserver.admin.handlers import AdminHandlers
from mockserver.apis import served_registry
from mockserver.engine.fixtures import read_yaml, use_cache_folder
from mockserver.engine.registry import ApiDefinition, ErrorFormat, as_served
from mockserver.engine.runtime import ADMIN_PREFIX, Runtime, ServedApi
from mockserver.settings import Settings
from mockserver.web import speedups, uriparsing  # noqa: F401  (patch Connexion on import)
from mockserver.web.adminguard import AdminGuard
from mockserver.web.binding import HandlerResolver, security_map
from mockserver.web.cors import ApiOnlyCORSMiddleware
from mockserver.web.errors import ErrorRenderer
from mockserver.web.fastpath import FastPath
from mockserver.web.faults import FaultMiddleware, OperationIndex, check_faults
from mockserver.web.jsonifier import JSONIFIER
from mockserver.web.mediatypes import FormTypeWithoutBody, middlewares
from mockserver.web.middleware import BodyLimitMiddleware, ErrorGuard, JournalMiddleware
from mockserver.web.preferences import APPLIED, PreferenceDelay, SpecAnswers
from mockserver.web.routing import MethodTable, PathGuardMiddleware
from mockserver.web.rules import RuleMiddleware
from mockserver.web.security import CheckedSecurityMiddleware, checking_optional_credentials
from mockserver.web.sessions import SessionContext, SessionMiddleware
from mockserver.web.specs import VALIDATED
from mockserver.web.swaggerui import serving_specs_as_written
from mockserver.web.validation import validator_map

ADMIN_SPEC = Path(__file__).resolve().parent.parent / "admin" / "openapi.yaml"


class MockServer:
    """The running mock: an ASGI app with its runtime attached."""

    def __init__(self, settings: Settings, registry: dict[str, ApiDefinition] | None = None) -> None:
        check_faults(settings.faults)
        VALIDATED.use_folder(settings.cache_dir)
        use_cache_folder(settings.cache_dir)
        if registry is None:
            settings, registry = served_registry(settings)
        self.settings = settings
        # Each served API's spec from the settings' specs folder (the packaged ones by default).
        self.runtime = Runtime(settings, as_served(registry, settings))
        self.handlers = {
            name: served.definition.build_handlers(served.state) for name, served in self.runtime.apis.items()
        }
        self.errors = ErrorRenderer(self._challenge_for, self._error_format_for)
        self.connexion = self._build_connexion()
        # Connexion's operation and security functions find the request's session here.
        inner: ASGIApp = SessionContext(self.connexion)
        #: Plain valid requests' short way round Connexion (``None`` when off).
        self.fast_path: FastPath | None = None
        if settings.fast_path and not settings.faults:
            inner = self.fast_path = FastPath(inner, self.runtime, self.handlers, self.errors)
        self.asgi: ASGIApp = ErrorGuard(
            SessionMiddleware(
                JournalMiddleware(
                    AdminGuard(
                        ApiOnlyCORSMiddleware(
                            RuleMiddleware(
                                PreferenceDelay(
                                    BodyLimitMiddleware(FormTypeWithoutBody(inner), self.runtime), settings.max_delay_ms
                                ),
                                self.runtime,
                            ),
                            allow_origins=list(settings.cors_origins),
                            allow_methods=["*"],
                            # Mirrors what a preflight asks for, ``X-Mock-Session`` included.
                            allow_headers=["*"],
                            # Browsers read "*" as a name, not a wildcard, on credentialed requests.
                            expose_headers=["*", APPLIED],
                            allow_credentials="*" not in settings.cors_origins,
                            admin_origins=settings.admin_origins,
                        ),
                        settings.admin_token,
                        settings.admin_origins,
                    ),
                    self.runtime,
                ),
                self.runtime,
                self.errors,
            ),
            self.errors,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)

    def _build_connexion(self) -> connexion.AsyncApp:
        # The admin API first and the others by decreasing base path: the router tries mounts in
        # order, and an API served at the root ("") would otherwise take every later API's paths.
        # Connexion copies every spec it is given (and never changes ours: tests/test_specs.py); its
        # `openapi.json` and `openapi.yaml` serve ours as written (`web.swaggerui`).
        admin_spec = read_yaml(ADMIN_SPEC)
        served_apis = sorted(self.runtime.apis.values(), key=lambda s: -len(s.definition.base_path))
        specs = [(ADMIN_PREFIX, admin_spec)] + [(s.definition.base_path, s.definition.spec) for s in served_apis]
        stack = checking_optional_credentials(middlewares())
        if self.settings.faults:
            # Right after routing (the operation is known), before security (``ignore-auth``).
            fault = functools.partial(FaultMiddleware, runtime=self.runtime, index=OperationIndex(specs))
            stack.insert(stack.index(CheckedSecurityMiddleware), fault)
        app = connexion.AsyncApp(
            __name__,
            jsonifier=JSONIFIER,
            middlewares=serving_specs_as_written(stack),
            validator_map=validator_map(),
            swagger_ui_options=SwaggerUIOptions(swagger_ui=True, spec_path="/openapi.json"),
        )
        app.add_api(
            admin_spec,
            name="admin",
            base_path=ADMIN_PREFIX,
            resolver=HandlerResolver(AdminHandlers(self.runtime)),
            # The token is checked before Connexion (``web.adminguard``): its scheme is documented
            # in the spec, and any bearer value that gets this far is let through.
            security_map=security_map({"bearer": _checked_before}),
            validate_responses=self.settings.validate_responses,
            spec_as_written=admin_spec,
        )
        for served in served_apis:
            with _readable(served.definition):
                self._add_api(app, served)
        app.add_middleware(
            PathGuardMiddleware,
            position=MiddlewarePosition.BEFORE_ROUTING,
            table=MethodTable.from_specs(specs),
        )
        for exception, handler in self.errors.connexion_handlers().items():
            app.add_error_handler(exception, handler)
        return app

    def _add_api(self, app: connexion.AsyncApp, served: ServedApi) -> None:
        definition = served.definition
        spec = definition.spec
        app.add_api(
            spec,
            name=definition.name,
            base_path=definition.base_path,
            resolver=HandlerResolver(
                self.handlers[definition.name],
                SpecAnswers(
                    spec,
                    seed=self.settings.seed,
                    max_delay_ms=self.settings.max_delay_ms,
                    challenge=definition.auth_challenge,
                ),
                api=definition.name,
            ),
            security_map=security_map(definition.credential_checks(served.state), api=definition.name),
            invalid_credentials_as_anonymous=definition.invalid_credentials_as_anonymous,
            validate_responses=self.settings.validate_responses,
            pythonic_params=True,
            spec_as_written=spec,
        )

    def _challenge_for(self, path: str) -> str | None:
        api = self.runtime.api_for_path(path)
        return self.runtime.apis[api].definition.auth_challenge if api else None

    def _error_format_for(self, path: str) -> ErrorFormat | None:
        api = self.runtime.api_for_path(path)
        return self.runtime.apis[api].definition.error_format if api else None


class SpecUnreadable(ValueError):
    """A spec Connexion cannot build an app from (a one-line error at start, not a traceback)."""


@contextlib.contextmanager
def _readable(definition: ApiDefinition) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]  # validation errors run to many lines
        raise SpecUnreadable(
            f"Connexion cannot serve {definition.spec_file} ({definition.name}): {type(exc).__name__}: {first}"
        ) from exc


def _checked_before(token: str) -> dict[str, Any]:
    return {"sub": "admin"}


def create_app(settings: Settings | None = None) -> MockServer:
    return MockServer(settings or Settings.from_env())
