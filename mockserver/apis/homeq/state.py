"""HomeQ's state: its store, seeded and loaded with fixtures, its services and demo credentials."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Unauthorized
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.engine.webhooks import Webhooks
from mockserver.settings import Settings

from . import tokens
from .access import NOT_LANDLORD, Access
from .data import INDEXES, TABLES, intercom_hash, populate
from .events import EVENT_NAMES, Events
from .inventory import Inventory
from .limits import RateLimiter
from .listings import Listings
from .market import Market
from .organisation import Organisation
from .projects import Projects
from .search import Search

#: The demo users published first, in this order (the admin first: tools log in as the first).
PUBLISHED_KEYS = ("admin", "manager", "employee", "observer")
LOGIN_PATH = "/api/v2/tokens/"


def _secret(configured: str, fork: bool, session: str | None) -> bytes:
    """The signing secret of a state: ``tokens.new_secret``'s, but for a fork. A named fork of a mock
    with a configured secret derives its own from it and the name (its tokens outlive a restart,
    as the configured secret's do); any other fork gets a random one."""
    if not fork:
        return tokens.new_secret(configured)
    if configured and session is not None:
        return hmac.new(configured.encode(), f"homeq-session:{session}".encode(), hashlib.sha256).digest()
    return tokens.new_secret()


class HomeQState(SeededState):
    seeding = Seeding("homeq", TABLES, INDEXES, populate)

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        #: Chosen once per state, kept across resets (see ``tokens``); a fork's is its own, so that
        #: no token works in another fork or in the state it was forked from.
        self.secret = _secret(settings.jwt_secret, seeded is not None, session)
        self.access = Access(self.store, clock, self.secret)
        self.organisation = Organisation(self.store, clock, self.secret)
        upload_base = f"http://{settings.host}:{settings.port}/__admin/uploads/homeq"
        self.inventory = Inventory(self.store, clock, upload_base)
        self.market = Market(self.store, clock)
        self.webhooks = Webhooks(settings, clock, EVENT_NAMES)
        self.events = Events(self.store, clock, self.webhooks)
        self.listings = Listings(self.store, clock, self.market, self.events)
        self.search = Search(self.store, clock, self.market)
        self.projects = Projects(self.store, clock, self.market, self.events)
        #: The static map's documented 429 (its limit is not documented: 60 a minute per company).
        self.maps = RateLimiter(clock, 60)
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state; webhook registrations and deliveries and rate limits start over."""
        with self.store.lock:  # one step: no request sees the new data with the old registrations or limits
            super().reset()
            self.webhooks.clear()
            self.listings.reads.clear()
            self.maps.clear()

    def persisted_extras(self) -> dict[str, str]:
        """The signing secret, kept with the state on disk (``STATE_DIR``) so that the tokens clients
        hold still work after a restart; none when ``JWT_SECRET`` is set (the secret is made from it)."""
        return {} if self.settings.jwt_secret else {"secret": self.secret.hex()}

    def restore_extras(self, extras: dict[str, str]) -> None:
        kept = extras.get("secret")
        if kept and not self.settings.jwt_secret:
            self.secret = self.access.secret = self.organisation.secret = bytes.fromhex(kept)

    def trigger_event(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The control plane's on-demand event: built from the stored records, sent to every
        registration that wants it."""
        body = self.events.sample(event, fields)
        return {"event": event, "body": body, "deliveries": self.events.send(event, body)}

    def check_token(self, header_value: str) -> dict[str, Any] | None:
        """Connexion's check of the ``Authorization`` header (``JWT <token>``)."""
        return self.access.check_header(header_value)

    def login(self, body: dict[str, Any]) -> dict[str, Any]:
        employee = self.access.login(body)
        token = self.access.issue("landlord", employee["id"], employee["company"])
        return self.organisation.views.token_response(
            employee, token, intercom_hash(self.settings.seed, employee["id"])
        )

    def verify(self, token: str | None) -> dict[str, Any]:
        caller = self.access.caller_from_token((token or "").strip())
        if not caller.landlord:
            raise Unauthorized(NOT_LANDLORD, code="Unauthorized")
        employee = self.store.employees.get(caller.id)
        assert employee is not None
        return self.organisation.views.token_response(
            employee, token or "", intercom_hash(self.settings.seed, caller.id)
        )

    def auth_description(self) -> dict[str, Any]:
        employees = {e["key"]: e for e in self.store.employees.all() if e.get("key")}
        profiles = {p["id"]: p["name"] for p in self.store.right_profiles.all()}
        users = []
        for key in [*PUBLISHED_KEYS, *sorted(set(employees) - set(PUBLISHED_KEYS))]:
            employee = employees.get(key)
            if employee is None:
                continue
            user: dict[str, Any] = {
                "name": key,
                "username": employee["username"],
                "password": employee["password"],
                "rightProfile": profiles.get(employee["right_profile"]),
                "longLivedToken": self.access.long_lived("landlord", employee["id"], employee["company"]),
            }
            if employee.get("two_factor_secret"):
                user["totpSecret"] = employee["two_factor_secret"]
            if employee.get("requires_device"):
                user["deviceTokens"] = list(employee["device_tokens"])
                user["checkinToken"] = f"checkin:{employee['personal_number']}"
            users.append(user)
        consumers = [
            {
                "name": c.get("key") or f"consumer {c['id']}",
                "longLivedToken": self.access.long_lived("consumer", c["id"], None),
            }
            for c in sorted(self.store.consumers.all(), key=lambda c: c["id"])
        ]
        return {
            "type": "jwt",
            "header": "Authorization",
            "prefix": "JWT",
            "login": {"path": LOGIN_PATH, "method": "POST"},
            "users": users,
            "consumers": consumers,
        }
