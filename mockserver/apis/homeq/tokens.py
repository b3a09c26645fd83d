"""HomeQ's credentials: HS256 JSON Web Tokens and TOTP codes, with the standard library only.

A token is signed with a secret chosen when the state is made: random, unless ``Settings.jwt_secret``
names one (teams whose tools keep tokens across restarts). It stays the same across resets, so a
token stays valid as long as its user exists; one issued by another mock is rejected. The seed is
public (``/__admin/health``), so nothing is derived from it. Two-factor codes
follow RFC 6238 (SHA-1, 30-second steps, 6 digits), so a demo secret can be added to any
authenticator app.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets
import struct
from typing import Any

HEADER = {"typ": "JWT", "alg": "HS256"}
#: The kinds of caller a token is issued to (its ``type`` claim).
KINDS = ("landlord", "consumer")


class TokenError(Exception):
    """Why a token was refused, in the words of HomeQ's documented 401 descriptions."""


UNDECODABLE = "Could not decode JWT token"
EXPIRED = "Signature of the token is expired"
VERIFICATION_FAILED = "There was a problem with verifying your token"


def new_secret(configured: str = "") -> bytes:
    """The signing secret: the configured one (``JWT_SECRET``, for tokens that outlive a restart),
    else 32 random bytes, which nothing public reveals."""
    return configured.encode() if configured else secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(payload: dict[str, Any], secret: bytes) -> str:
    header = _b64(json.dumps(HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{header}.{body}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def decode(token: str, secret: bytes, now: int) -> dict[str, Any]:
    """The payload of a valid token; raises :class:`TokenError` otherwise."""
    payload = _verified(token, secret)
    if payload["exp"] <= now:
        raise TokenError(EXPIRED)
    return dict(payload)


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: bytes) -> dict[str, Any]:
    """A token's payload once its form and signature check out (what does not change with time; a
    client sends the same token on every call, so the last few thousand are remembered)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError(UNDECODABLE)
    try:
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TokenError(UNDECODABLE) from None
    if not isinstance(header, dict) or not isinstance(payload, dict) or header.get("alg") != "HS256":
        raise TokenError(UNDECODABLE)
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise TokenError(VERIFICATION_FAILED)
    if not _claims_typed(payload):
        raise TokenError(VERIFICATION_FAILED)
    return payload


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _claims_typed(payload: dict[str, Any]) -> bool:
    """Whether every claim the mock reads has the type it issues it with: a validly signed token
    (signed with a leaked or configured secret) is still input, and a list where an id belongs
    must be a 401, not a failure further in."""
    return (
        _is_int(payload.get("exp"))
        and payload.get("type") in KINDS
        and _is_int(payload.get("user_id"))
        and (payload.get("company_id") is None or _is_int(payload.get("company_id")))
        and ("iat" not in payload or _is_int(payload["iat"]))
    )


def totp(secret_b32: str, unix_time: float, step: int = 30, digits: int = 6) -> str:
    """The RFC 6238 code of ``secret_b32`` (base32, as authenticator apps take it) at a moment."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = struct.pack(">Q", int(unix_time // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp_matches(secret_b32: str, code: str, unix_time: float) -> bool:
    """Accepts the current code and its neighbours (clock drift of one step either way)."""
    return any(hmac.compare_digest(totp(secret_b32, unix_time + drift * 30), code) for drift in (-1, 0, 1))
