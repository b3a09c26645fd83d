"""What an API contributes to the mock, and the registry of all of them.

Adding an API means writing its spec, its fixtures and its behaviour package, then adding one
entry to :data:`mockserver.apis.APIS`. The engine and the web layer only ever talk to an API
through the :class:`ApiDefinition` and :class:`ApiState` below.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlparse

from mockserver.engine.clock import Clock
from mockserver.engine.fixtures import read_yaml
from mockserver.engine.paths import PACKAGED_FIXTURES, PACKAGED_SPECS, spec_path
from mockserver.engine.webhooks import Webhooks
from mockserver.settings import Settings

#: The specs and fixtures the package ships (``engine.paths``; in a checkout, the repository's
#: ``specs/`` and ``fixtures/``). A runtime reads the folders its settings name: :meth:`ApiDefinition.using`.
SPECS_DIR = PACKAGED_SPECS
FIXTURES_DIR = PACKAGED_FIXTURES

#: A credential check: takes what the client sent, returns the identity it proves or ``None``.
CredentialCheck = Callable[[str], "dict[str, Any] | None"]


def handler_name(operation_id: str) -> str:
    """The handler method that implements an operation: ``getProfile`` -> ``get_profile``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


class ApiState(Protocol):
    """The stateful side of one API: its stores, seeded data, fixtures and rules."""

    def reset(self) -> None:
        """Back to the seeded + fixture state."""

    def auth_description(self) -> dict[str, Any]:
        """What `/__admin/apis` publishes under ``auth``: how to call the API as a demo user."""

    def counts(self) -> dict[str, int]:
        """Records per table, for the control plane."""


@runtime_checkable
class WebhookSource(Protocol):
    """An API state that sends webhooks (optional): the control plane registers URLs on its
    :class:`~mockserver.engine.webhooks.Webhooks` and triggers its events on demand."""

    webhooks: Webhooks

    def trigger_event(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Builds ``event`` from the stored records, sends it; returns ``{event, body, deliveries}``."""


@runtime_checkable
class KeptExtras(Protocol):
    """An API state with something besides its records that clients' credentials depend on
    (optional; HomeQ's signing secret): kept with the records when the state is kept on disk
    (``engine.persistence``), so that what clients hold still works after a restart."""

    def persisted_extras(self) -> dict[str, str]:
        """What to keep, by name (text)."""

    def restore_extras(self, extras: dict[str, str]) -> None:
        """Takes back what :meth:`persisted_extras` gave (names it does not know are ignored)."""


@dataclasses.dataclass(frozen=True)
class LoginFlow:
    """How a client trades a username and password for a token (APIs with a login operation)."""

    #: The login operation's path, relative to the API's base path.
    path: str
    username_field: str = "username"
    password_field: str = "password"
    #: JSON pointer to the token in the login response.
    token_pointer: str = "/token"


@dataclasses.dataclass(frozen=True)
class ErrorFormat:
    """An API's own documented error shape, used instead of RFC 7807 problems for its paths.

    HomeQ answers every error as ``{"error": <name>, "description": <text>}`` in
    ``application/json``, and a body that fails validation with 400 ``ValidationError`` rather
    than our 422. The web layer renders every error on the API's paths through this.
    """

    media_type: str = "application/json"
    #: The status of a body that fails the schema (our catalogue's 422).
    validation_status: int = 400
    #: The error name per status, for errors that do not bring their own ``code``.
    names: dict[int, str] = dataclasses.field(default_factory=dict)
    #: The name of a body that fails the schema.
    validation_name: str = "ValidationError"
    #: Property names of the body: the error name and its description.
    name_field: str = "error"
    description_field: str = "description"
    #: The API's documented words for a request without credentials (the web layer's own are generic).
    missing_credentials: str | None = None

    def status_for(self, status: int) -> int:
        return self.validation_status if status == 422 else status

    def body(self, status: int, description: str, code: str | None = None) -> dict[str, Any]:
        name = code or (self.validation_name if status == 422 else self.names.get(status, f"HTTP{status}"))
        return {self.name_field: name, self.description_field: description}


@dataclasses.dataclass(frozen=True)
class ApiDefinition:
    name: str
    spec_file: Path
    #: Builds the seeded state from the settings (seed, anchor day, volume).
    build_state: Callable[[Settings, Clock], ApiState]
    #: Builds the object whose methods implement the spec's operationIds.
    build_handlers: Callable[[Any], object]
    #: Security scheme kind (Connexion's: "bearer", "apiKey", "basic") -> credential check.
    credential_checks: Callable[[Any], dict[str, CredentialCheck]]
    #: The ``WWW-Authenticate`` challenge of a 401 (RFC 9110 requires one).
    auth_challenge: str | None = None
    #: On an operation that also serves callers without credentials (``security: [..., {}]``), a
    #: credential that is sent and refused is served as none (Connexion's reading) rather than
    #: refused (``mockserver.web.security``); only for an API whose spec says so.
    invalid_credentials_as_anonymous: bool = False
    #: For API-key schemes whose value is ``<prefix> <token>`` (HomeQ's ``JWT <token>``).
    token_prefix: str | None = None
    #: The login operation, when credentials are a username and password rather than a token.
    login: LoginFlow | None = None
    #: The API's own error shape; ``None`` renders its errors as RFC 7807 problems.
    error_format: ErrorFormat | None = None
    #: Whether each demo user's records are theirs alone, so that ``mockserver contract`` may take
    #: the second demo user as the peer of its object-level authorization check.
    demo_users_own_records: bool = True
    #: Whether the spec is one of the specs folder's (``SPECS_DIR``), read from there by :meth:`using`.
    spec_in_specs_dir: bool = True
    #: The control plane's optional controls this API offers (``mockserver.admin.extensions``): the
    #: extension's name -> builds, from the API's state, the object the control plane calls.
    control_extensions: Mapping[str, Callable[[Any], object]] = dataclasses.field(
        default_factory=dict, compare=False, hash=False
    )

    def using(self, settings: Settings) -> ApiDefinition:
        """This API as the settings serve it: its spec read from their specs folder (a missing file
        raises :class:`~mockserver.engine.paths.MissingDataError`); an API served from a spec file
        a user named (``mockserver.generic``) stays where it is."""
        if not self.spec_in_specs_dir:
            return self
        path = spec_path(settings, self.spec_file.name)
        return self if path == self.spec_file else dataclasses.replace(self, spec_file=path)

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        loaded: dict[str, Any] = read_yaml(self.spec_file)
        return loaded

    @property
    def base_path(self) -> str:
        servers = self.spec.get("servers") or [{"url": "/"}]
        return str(urlparse(servers[0]["url"]).path).rstrip("/")

    @functools.cached_property
    def path_prefixes(self) -> tuple[str, ...]:
        """The path prefixes that belong to this API.

        Its base path; for an API served at the root (base path ``""``), the first segment of each
        of its paths plus its docs and spec, so that it does not claim every other path.
        """
        if self.base_path:
            return (self.base_path,)
        roots = {"/" + template.strip("/").split("/", 1)[0] for template in self.spec.get("paths") or {}}
        return tuple(sorted(roots | {"/ui", "/openapi.json", "/openapi.yaml"}))

    @property
    def title(self) -> str:
        return str(self.spec["info"]["title"])


def as_served(registry: Mapping[str, ApiDefinition], settings: Settings) -> dict[str, ApiDefinition]:
    """The registry as the settings serve it: each API they serve (all, when they name none) reads
    its spec from their specs folder (:meth:`ApiDefinition.using`); the others stay as they are."""
    names = set(settings.apis or registry)
    return {name: definition.using(settings) if name in names else definition for name, definition in registry.items()}
