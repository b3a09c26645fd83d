"""Credentials for a contract run, found the way each API needs them.

In order of precedence: a token given on the command line or in the environment; a username and
password traded for a token through the API's login operation; and, against our own mock, the
first demo user that ``/__admin/apis`` publishes. The result is Schemathesis' OpenAPI-aware auth
configuration (one entry per security scheme of the spec), so that its ``ignored_auth`` check
knows which header carries the credentials and can strip it.

A second identity, the peer of Schemathesis' ``object_level_authorization`` check, is found the
same way from the peer's options; against our mock it is the second demo user (``demo_user=1``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx

from mockserver.engine.jsonpointer import resolve_pointer
from mockserver.engine.registry import ApiDefinition, LoginFlow


class CredentialError(Exception):
    """The credentials could not be found or did not work; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Credential:
    #: The token as the API expects it after any prefix (``demo-alice-token``, a JWT, an API key).
    token: str
    #: Where it came from, for the run's log (never the secret itself).
    source: str
    #: For API-key schemes: what goes before the token in the header value.
    prefix: str | None = None

    @property
    def api_key_value(self) -> str:
        """What an API-key scheme carries: the token, after its prefix if it has one."""
        return f"{self.prefix} {self.token}" if self.prefix else self.token


def resolve(
    definition: ApiDefinition,
    base_url: str,
    *,
    token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    use_admin: bool = True,
    admin_token: str | None = None,
    client: httpx.Client | None = None,
    demo_user: int = 0,
) -> Credential | None:
    """The credential to test ``definition`` at ``base_url`` with, or ``None`` if none is known;
    ``demo_user`` picks which of ``/__admin/apis``' demo users (1 for the peer)."""
    if token:
        return Credential(token, "the given token", definition.token_prefix)
    with client or httpx.Client(timeout=10.0) as http:
        if username is not None and password is not None:
            if definition.login is None:
                raise CredentialError(f"{definition.name} has no login operation: give a token instead.")
            return _login(http, definition, definition.login, base_url, username, password, "the given user")
        auth = _admin_auth(http, base_url, definition.name, admin_token) if use_admin else None
        if not auth:
            return None
        users = auth.get("users") or []
        if len(users) <= demo_user:
            return None
        user = users[demo_user]
        label = f"demo user {user.get('name') or user.get('email') or user.get('username')} of /__admin/apis"
        if user.get("token"):
            return Credential(str(user["token"]), label, auth.get("prefix") if auth.get("type") == "apiKey" else None)
        if definition.login and user.get("username") and user.get("password"):
            return _login(http, definition, definition.login, base_url, user["username"], user["password"], label)
        return None


def _admin_auth(http: httpx.Client, base_url: str, api: str, admin_token: str | None = None) -> dict[str, Any] | None:
    """The ``auth`` block our mock publishes for ``api``; ``None`` for any other server (or for our
    mock off loopback without its control-plane token)."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        response = http.get(f"{base_url.rstrip('/')}/__admin/apis", headers=headers)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        apis = response.json().get("apis") or []
    except (ValueError, AttributeError):
        return None
    for entry in apis:
        if isinstance(entry, dict) and entry.get("name") == api:
            auth = entry.get("auth")
            return auth if isinstance(auth, dict) else None
    return None


def _login(
    http: httpx.Client,
    definition: ApiDefinition,
    login: LoginFlow,
    base_url: str,
    username: str,
    password: str,
    label: str,
) -> Credential:
    url = f"{base_url.rstrip('/')}{definition.base_path}{login.path}"
    body = {login.username_field: username, login.password_field: password}
    try:
        response = http.post(url, json=body)
    except httpx.HTTPError as error:
        raise CredentialError(f"login at {url} failed: {error}") from None
    if response.status_code >= 300:
        raise CredentialError(f"login at {url} as {username!r} answered {response.status_code}: {response.text[:200]}")
    try:
        token = resolve_pointer(response.json(), login.token_pointer)
    except ValueError:  # not JSON
        token = None
    if token is None:
        raise CredentialError(f"login at {url} answered no token at {login.token_pointer}")
    return Credential(str(token), f"login of {label} ({username})", definition.token_prefix)


def token_schemes(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The spec's security schemes (name, scheme) that a token fits: HTTP bearer, OAuth 2 and OpenID
    Connect (whose access tokens are sent as bearer tokens), and API keys that are not a cookie (a
    session cookie is not a token)."""
    for name, scheme in ((spec.get("components") or {}).get("securitySchemes") or {}).items():
        if is_bearer(scheme) or (scheme.get("type") == "apiKey" and scheme.get("in") != "cookie"):
            yield name, scheme


def is_bearer(scheme: dict[str, Any]) -> bool:
    """Whether a token goes in ``Authorization: Bearer <token>`` for the scheme."""
    kind = scheme.get("type")
    return (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in ("oauth2", "openIdConnect")


def auth_config(spec: dict[str, Any], credential: Credential) -> dict[str, Any]:
    """Schemathesis' ``[auth.openapi.<scheme>]`` tables for every scheme the credential fits."""
    schemes = {
        name: {"bearer": credential.token} if is_bearer(scheme) else {"api_key": credential.api_key_value}
        for name, scheme in token_schemes(spec)
    }
    return {"openapi": schemes} if schemes else {}


def scheme_headers(spec: dict[str, Any]) -> set[str]:
    """The (lower-case) header names the spec's security schemes read credentials from."""
    names: set[str] = set()
    for scheme in ((spec.get("components") or {}).get("securitySchemes") or {}).values():
        if scheme.get("type") in ("http", "oauth2", "openIdConnect"):
            names.add("authorization")
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            names.add(str(scheme.get("name", "")).lower())
    return names
