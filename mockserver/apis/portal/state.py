"""The portal's state: its store, seeded and loaded with fixtures, and its demo credentials."""

from __future__ import annotations

from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.settings import Settings

from .data import INDEXES, TABLES, populate, token_for
from .service import PortalService


class PortalState(SeededState):
    seeding = Seeding("portal", TABLES, INDEXES, populate)

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        self.service = PortalService(self.store, clock)
        self.reset()

    def new_token(self, customer_id: int) -> str:
        return token_for(self.settings.seed, customer_id)

    def authenticate(self, token: str) -> dict[str, Any] | None:
        """Bearer token -> the identity Connexion hands to handlers (``user`` is the customer id)."""
        found = self.store.customers.values(("id", "email"), token=token) if token else []
        if not found:
            return None
        customer_id, email = found[0]
        return {"sub": customer_id, "email": email}

    def auth_description(self) -> dict[str, Any]:
        customers = sorted(self.store.customers.where(lambda c: bool(c.get("token"))), key=lambda c: c["id"])
        return {
            "type": "bearer",
            "header": "Authorization",
            "prefix": "Bearer",
            "users": [
                {
                    "email": c["email"],
                    "password": c.get("password"),
                    "token": c["token"],
                    **({"name": c["key"]} if c.get("key") else {}),
                }
                for c in customers
            ],
        }
