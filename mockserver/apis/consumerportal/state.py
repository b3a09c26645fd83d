"""The consumer portal's state: its store, seeded and loaded with fixtures, and its demo credentials."""

from __future__ import annotations

from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.settings import Settings

from .data import INDEXES, TABLES, populate
from .rules import display_name
from .service import SESSION_COOKIE, ConsumerPortalService


class ConsumerPortalState(SeededState):
    seeding = Seeding("consumerportal", TABLES, INDEXES, populate)

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        self.service = ConsumerPortalService(self.store, clock)
        self.reset()

    def authenticate(self, token: str) -> dict[str, Any] | None:
        """Session token -> the identity Connexion hands to handlers (``user`` is the consumer id)."""
        found = self.store.consumers.values(("id",), token=token)
        return {"sub": found[0][0]} if found else None

    def authenticate_session(self, session_id: str) -> dict[str, Any] | None:
        """Session cookie (the ``session_id`` that getsession shows) -> the consumer's identity."""
        found = self.store.sessions.values(("consumer_id",), session_id=session_id)
        return {"sub": found[0][0]} if found else None

    def auth_description(self) -> dict[str, Any]:
        """The demo consumers, fixtures first: the first one is the default of contract runs. Each
        also has a session cookie, and every call works without either (the spec's ``security``)."""
        sessions = dict(self.store.sessions.values(("consumer_id", "session_id")))
        return {
            "type": "bearer",
            "header": "Authorization",
            "prefix": "Bearer",
            "cookie": SESSION_COOKIE,
            "optional": True,
            "users": [
                {
                    "name": display_name(c),
                    "consumer_id": c["id"],
                    "token": c["token"],
                    "session_id": sessions.get(c["id"]),
                }
                for c in self.store.consumers.all()
                if c.get("token")
            ],
        }
