"""What an API contributes to the mock, and the registry of all of them.

Adding an API means writing its spec, its fixtures and its behaviour package, then adding one
entry to :data:`mockserver.apis.APIS`. The engine and the web layer only ever talk to an API
through the :class:`ApiDefinition` and :class:`ApiState` below.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import yaml

from mockserver.clock import Clock
from mockserver.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "specs"
FIXTURES_DIR = ROOT / "fixtures"

#: A credential check: takes what the client sent, returns the identity it proves or ``None``.
CredentialCheck = Callable[[str], "dict[str, Any] | None"]


class ApiState(Protocol):
    """The stateful side of one API: its stores, seeded data, fixtures and rules."""

    def reset(self) -> None:
        """Back to the seeded + fixture state."""

    def auth_description(self) -> dict[str, Any]:
        """What `/__admin/apis` publishes under ``auth``: how to call the API as a demo user."""

    def counts(self) -> dict[str, int]:
        """Records per table, for the control plane."""


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
    #: For API-key schemes whose value is ``<prefix> <token>`` (HomeQ's ``JWT <token>``).
    token_prefix: str | None = None
    #: The login operation, when credentials are a username and password rather than a token.
    login: LoginFlow | None = None

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        with self.spec_file.open(encoding="utf-8") as fh:
            loaded: dict[str, Any] = yaml.safe_load(fh)
        return loaded

    @property
    def base_path(self) -> str:
        servers = self.spec.get("servers") or [{"url": "/"}]
        return str(urlparse(servers[0]["url"]).path).rstrip("/")

    @property
    def title(self) -> str:
        return str(self.spec["info"]["title"])
