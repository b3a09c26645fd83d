"""The instruction service's state: its store, seeded and loaded with fixtures, and its API keys."""

from __future__ import annotations

from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.settings import Settings

from .data import INDEXES, TABLES
from .generate import populate
from .lookups import INTRODUCER
from .service import InstructionService

API_KEY_HEADER = "X-Api-Key"


class InstructionState(SeededState):
    seeding = Seeding("instruction", TABLES, INDEXES, populate)

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        self.service = InstructionService(self.store, clock)
        self.reset()

    def authenticate(self, api_key: str) -> dict[str, Any] | None:
        """API key -> the identity Connexion hands to handlers (``user`` is the organisation id)."""
        found = self.store.organisations.values(("id", "role", "name"), apiKey=api_key)
        if not found:
            return None
        organisation_id, role, name = found[0]
        return {"sub": organisation_id, "role": role, "name": name}

    def auth_description(self) -> dict[str, Any]:
        """Demo organisations, introducers first: the first one is the default of a contract run."""
        organisations = sorted(
            self.store.organisations.where(lambda o: bool(o.get("apiKey"))), key=lambda o: o["role"] != INTRODUCER
        )
        return {
            "type": "apiKey",
            "header": API_KEY_HEADER,
            "prefix": None,
            "users": [{"name": o["name"], "role": o["role"], "token": o["apiKey"]} for o in organisations],
        }
