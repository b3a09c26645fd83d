"""Schemathesis against the mock in-process: one schema per served API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig

from mockserver.apis import APIS
from mockserver.settings import Settings
from mockserver.web.app import MockServer

ROOT = Path(__file__).resolve().parent.parent
CONFIG = SchemathesisConfig.from_path(str(ROOT / "schemathesis.toml"))

# One mock for the whole contract run, with response validation on: the mock must never break
# the contract it serves, and a broken response becomes a 500 that the checks report.
# HomeQ's tokens are signed with a random secret unless one is set: this one makes the static token
# in schemathesis.toml valid (Schemathesis cannot log in and add HomeQ's "JWT " prefix itself).
SETTINGS = Settings(anchor_date=dt.date(2026, 3, 2), validate_responses=True, volume=8, jwt_secret="contract-tests")
SERVER = MockServer(SETTINGS)


def load_schema(api: str) -> schemathesis.schemas.BaseSchema:
    base = APIS[api].base_path
    return schemathesis.openapi.from_asgi(f"{base}/openapi.json", SERVER, config=CONFIG)
