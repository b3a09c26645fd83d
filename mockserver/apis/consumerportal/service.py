"""The consumer portal's operations on its store: every documented rule, no HTTP.

Each public method is one thing a consumer can do; it takes plain values, holds the store lock
while it reads and changes records, and returns the API shape or raises a catalogue problem.
A consumer only ever reaches the product actions of their own dossier: any other id is 404.

The caller is the consumer of the session token or cookie, or ``None`` for a request without
either, which the docs show: getsession then serves the consumer its ``consumer_id`` names, and
the product action operations the consumer whose dossier holds the ``productaction_id``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Forbidden, NotFound
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from . import rules
from .documents import action_document, otd_document
from .lookups import DOWNLOADABLE, SIGN_OTD
from .views import Views

Body = dict[str, Any]
#: The cookie that carries the portal session (``session_id``; PHP's default name, as its format is PHP's).
SESSION_COOKIE = "PHPSESSID"
#: What an OTD is built from: the action, its dossier and the dossier's consumer (and the product,
#: which the action's context reads).
OTD_READS = Reads(tables=("consumers", "dossiers", "products", "productactions"))


class ConsumerPortalService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store, clock)
        self._otds: ViewCache[Body] = ViewCache(store, clock, OTD_READS, size=16)

    # -- helpers ---------------------------------------------------------------------------------
    def _check_consumer(self, consumer_id: str) -> None:
        if consumer_id not in self.store.consumers:  # the token outlived its consumer (e.g. after a reset)
            raise NotFound("The consumer of this session no longer exists.")

    def _consumer(self, consumer_id: str) -> Body:
        self._check_consumer(consumer_id)
        consumer = self.store.consumers.get(consumer_id)
        assert consumer is not None
        return consumer

    def _own_action(self, consumer_id: str | None, action_id: str, *, stored: bool = False) -> tuple[str, Body]:
        """The consumer and one of their own product actions (any consumer's without a caller): a
        copy, or with ``stored`` the stored row itself (for a caller that holds the store's lock while
        it reads it and changes it only through the table)."""
        table = self.store.productactions
        action = table.peek(action_id) if stored else table.get(action_id)
        if action is not None:
            if consumer_id is None:  # the action's own dossier names its consumer
                owner = self.store.dossiers.peek(action["dossier_id"])
                if owner is not None:
                    return owner["consumer_id"], action
            elif action["dossier_id"] == self.views.dossier_of(consumer_id)["id"]:
                return consumer_id, action
        raise NotFound(f"Product action {action_id} does not exist.")

    def _context(self, consumer_id: str, action: Body) -> tuple[Body, Body, Body]:
        """The product, dossier and consumer of one of the consumer's own actions (``_own_action``)."""
        product = self.store.products.get(action["product_id"])
        dossier = self.store.dossiers.get(action["dossier_id"])
        assert product is not None
        assert dossier is not None
        return product, dossier, self._consumer(consumer_id)

    # -- operations ------------------------------------------------------------------------------
    def get_session(self, caller: str | None, consumer_id: str, ip_address: str) -> tuple[Body, str]:
        """The session's view and its ``session_id`` (the session cookie's value)."""
        with self.store.lock:
            if caller is None:
                if consumer_id not in self.store.consumers:
                    raise NotFound(f"There is no consumer {consumer_id}.")
                caller = consumer_id
            elif consumer_id != caller:
                raise Forbidden(f"consumer_id {consumer_id} is not the consumer of this session.")
            self._check_consumer(caller)
            self.store.sessions.change(caller, {"ip_address": ip_address})
            session = self.store.sessions.peek(caller)
            assert session is not None
            return self.views.consumerportal_session(caller), session["session_id"]

    def download(self, caller: str | None, action_id: str) -> tuple[str, bytes]:
        """The file name and PDF of a downloadable product action's document."""
        with self.store.lock:
            caller, action = self._own_action(caller, action_id)
            if action["type"] not in DOWNLOADABLE:
                raise NotFound(
                    f"Product action {action_id} is a {action['type']} action and has no document to download."
                )
            product, dossier, consumer = self._context(caller, action)
        if action["type"] == SIGN_OTD:
            return otd_document(action, dossier, consumer)
        return action_document(action, product, dossier, consumer)

    def otd_pdf(self, caller: str | None, action_id: str) -> Body:
        """The OTD as base64, built again only after a change in what it shows (a shared view)."""
        with self.store.lock:
            return self._otds.get((caller, action_id), lambda: self._otd_pdf(caller, action_id))

    def _otd_pdf(self, caller: str | None, action_id: str) -> Body:
        with self.store.lock:
            caller, action = self._own_action(caller, action_id)
            if action["type"] != SIGN_OTD:
                raise NotFound(f"Product action {action_id} is a {action['type']} action, not an OTD ({SIGN_OTD}).")
            _, dossier, consumer = self._context(caller, action)
        filename, content = otd_document(action, dossier, consumer)
        return {"raw_pdf_data": base64.b64encode(content).decode("ascii"), "filename": filename}

    def upload(
        self,
        caller: str | None,
        action_id: str,
        *,
        is_reupload: int,
        filename: str,
        mimetype: str,
        comment: str | None,
        content: bytes,
    ) -> Body:
        """Stores an upload's metadata and marks the action done; the bytes themselves are not kept.
        A re-upload replaces the action's file: one row per action, with how many files it got."""
        rules.check_not_empty(content)
        with self.store.lock:
            caller, action = self._own_action(caller, action_id, stored=True)
            rules.check_file_type(content, mimetype)
            rules.check_upload(action, is_reupload)
            now = self.clock.stamp()  # ISO 8601 UTC: its first ten characters are the day
            record = {
                "productaction_id": action_id,
                "consumer_id": caller,
                "filename": filename,
                "mimetype": mimetype,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "comment": comment,
                "is_reupload": is_reupload,
                "uploaded_at": now,
            }
            earlier = self.store.uploads.peek(action_id)
            if earlier is None:
                self.store.uploads.insert({**record, "uploads": 1}, key_field="productaction_id")
            else:
                self.store.uploads.change(action_id, {**record, "uploads": earlier["uploads"] + 1})
            self.store.productactions.change(
                action_id, {"is_done": 1, "date_executed": now[:10], "comment": comment or ""}
            )
        return {"operation_result": "ok"}
