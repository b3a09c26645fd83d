"""Credentials for an API served from its spec alone.

The spec says which schemes guard which operations (Connexion enforces that: no credentials, 401);
it cannot say which values are good. Two demo users, alice and bob, get a token each (or a
username and password for HTTP Basic), published on ``/__admin/apis`` like the hand-built APIs'
users: those are accepted, anything else is refused, as a real deployment refuses a stranger. An
API key that names the caller's app or tenant rather than proving who calls
(``x-apideck-app-id``: a header whose name says neither key, token, secret nor auth) accepts any
value, since an app sends its own.
"""

from __future__ import annotations

import re
from typing import Any

from mockserver.engine.registry import CredentialCheck

USERS = ("alice", "bob")
#: API-key names that prove who calls, rather than name an app or tenant.
_SECRET_NAME = re.compile(r"(?i)key|token|secret|auth|session|password|signature|jwt")


def token_for(api: str, user: str) -> str:
    return f"{api}-{user}-token"


def schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = (document.get("components") or {}).get("securitySchemes") or {}
    return {name: scheme for name, scheme in found.items() if isinstance(scheme, dict)}


def kind_of(scheme: dict[str, Any]) -> str | None:
    """Connexion's name for a scheme's kind (``bearer``, ``basic``, ``apiKey``, ``oauth2``)."""
    if scheme.get("type") == "http":
        value = str(scheme.get("scheme") or "").lower()
        return value if value in ("bearer", "basic") else None
    if scheme.get("type") in ("apiKey", "oauth2"):
        return str(scheme["type"])
    return None


def proves_identity(scheme: dict[str, Any]) -> bool:
    return scheme.get("type") != "apiKey" or bool(_SECRET_NAME.search(str(scheme.get("name") or "")))


class DemoCredentials:
    """Checks a served-from-spec API's credentials against its demo users'."""

    def __init__(self, api: str, document: dict[str, Any]) -> None:
        self.api = api
        self.schemes = schemes(document)
        self.tokens = {token_for(api, user): user for user in USERS}
        self.scopes = sorted(
            {
                scope
                for scheme in self.schemes.values()
                for flow in (scheme.get("flows") or {}).values()
                if isinstance(flow, dict)
                for scope in flow.get("scopes") or {}
            }
        )

    def checks(self) -> dict[str, CredentialCheck]:
        """Connexion's scheme kinds -> checks; an app-naming API key gets its own (``"apiKey <name>"``)."""
        table: dict[str, CredentialCheck] = {}
        by_kind: dict[str, Any] = {
            "bearer": self.bearer,
            "basic": self.basic,
            "apiKey": self.api_key,
            "oauth2": self.bearer,
        }
        for scheme in self.schemes.values():
            kind = kind_of(scheme)
            if kind is None:
                continue
            table[kind] = by_kind[kind]
            if kind == "apiKey" and not proves_identity(scheme):
                table[f"apiKey {scheme.get('name')}"] = self.any_value
        return table

    def _identity(self, user: str) -> dict[str, Any]:
        return {"sub": user, "scope": " ".join(self.scopes)}

    def bearer(self, token: str, *_: Any, **__: Any) -> dict[str, Any] | None:
        user = self.tokens.get(token)
        return self._identity(user) if user else None

    def basic(self, username: str, password: str, *_: Any, **__: Any) -> dict[str, Any] | None:
        return self._identity(username) if username in USERS and password == f"{username}-password" else None

    def api_key(self, value: str, *_: Any, **__: Any) -> dict[str, Any] | None:
        """A demo token, bare or after a word (``Bearer <token>`` in an ``Authorization`` key)."""
        token = value.strip().rsplit(" ", 1)[-1] if value else ""
        user = self.tokens.get(token)
        return self._identity(user) if user else None

    def any_value(self, value: str, *_: Any, **__: Any) -> dict[str, Any] | None:
        return {"sub": "app", "app": value} if value else None

    def description(self) -> dict[str, Any]:
        """What ``/__admin/apis`` publishes under ``auth``."""
        proving = [s for s in self.schemes.values() if kind_of(s) and proves_identity(s)]
        first = proving[0] if proving else None
        if first is None:
            return {"type": "none", "users": []}
        kind = kind_of(first)
        if kind == "basic":
            return {
                "type": "basic",
                "header": "Authorization",
                "users": [{"name": u, "username": u, "password": f"{u}-password"} for u in USERS],
            }
        users = [{"name": u, "token": token_for(self.api, u)} for u in USERS]
        if kind == "apiKey":
            return {
                "type": "apiKey",
                "header": str(first.get("name")),
                "in": first.get("in"),
                "prefix": None,
                "users": users,
            }
        return {"type": "bearer", "header": "Authorization", "prefix": "Bearer", "users": users}
