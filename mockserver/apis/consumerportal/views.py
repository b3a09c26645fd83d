"""Turns stored consumer portal records into the shapes of ``specs/consumerportal.yaml``.

Counters and the regrouped lists of ``duplicate_comfort_data`` are computed here from the product
actions every time, never stored, so they cannot drift from the actions' ``is_done``. The records
are the store's copies, so views share their values instead of copying them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from .lookups import DOWNLOADABLE, UPLOAD
from .rules import counters, display_name

Record = dict[str, Any]
#: Maps keyed by id; PHP writes an empty one as ``[]``, and so does the documented example.
IdMap = dict[str, Any] | list[Any]

_ACTION_FIELDS = (
    "id",
    "date_created",
    "date_executed",
    "is_done",
    "type",
    "comment",
    "label",
    "product_id",
    "document",
)
_PERSON_FIELDS = ("name", "phone", "emailaddress", "avatar_base64")
_CONSUMER_FIELDS = (
    "id",
    "gender",
    "initials",
    "firstname",
    "prefix",
    "surname",
    "display_name",
    "streetname",
    "housenumber",
    "housenumber_addition",
    "date_of_birth",
    "zipcode",
    "city",
    "phone",
    "phone_mobile",
    "emailaddress",
)


def id_map(records: Iterable[Record], view: Callable[[Record], Any]) -> IdMap:
    mapped = {record["id"]: view(record) for record in records}
    return mapped or []


def product_action(record: Record) -> Record:
    return {name: record[name] for name in _ACTION_FIELDS}


def person(record: Record) -> Record:
    return {name: record[name] for name in _PERSON_FIELDS}


def consumer(record: Record) -> Record:
    full = {**record, "display_name": display_name(record)}
    return {name: full[name] for name in _CONSUMER_FIELDS}


def session(record: Record) -> Record:
    return {"date_started": record["date_started"], "session_id": record["session_id"], "state": record["state"]}


#: What the consumer's views (the session, the OTD) are built from. Not ``uploads``: every upload
#: writes its action's row there, shown by no view.
READS = Reads(tables=("consumers", "sessions", "dossiers", "products", "productactions"))


class Views:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self._sessions: ViewCache[Record] = ViewCache(store, clock, READS)

    def dossier_of(self, consumer_id: str) -> Record:
        """The consumer's dossier: the stored row, read only."""
        found = self.store.dossiers.peek_find(consumer_id=consumer_id)
        dossier = found[0] if found else None
        assert dossier is not None, f"consumer {consumer_id} has no dossier"
        return dossier

    def consumerportal_session(self, consumer_id: str) -> Record:
        """The session's view, built again only after a change in what it shows (a shared view:
        callers must not change it)."""
        with self.store.lock:
            return self._sessions.get(consumer_id, lambda: self._session(consumer_id))

    def _session(self, consumer_id: str) -> Record:
        """The session's view, built from the stored rows without copying them (never changed here)."""
        owner = self.store.consumers.peek(consumer_id)
        portal_session = self.store.sessions.peek(consumer_id)
        assert owner is not None
        assert portal_session is not None
        dossier = self.dossier_of(consumer_id)
        products = self.store.products.peek_find(dossier_id=dossier["id"])
        actions = self.store.productactions.peek_find(dossier_id=dossier["id"])
        per_product = {p["id"]: [a for a in actions if a["product_id"] == p["id"]] for p in products}

        def product(record: Record) -> Record:
            own = per_product[record["id"]]
            return {
                "id": record["id"],
                "type": record["type"],
                "label": record["label"],
                "reference_number": record["reference_number"],
                "quote_number": record["quote_number"],
                "mortgage": record["mortgage"],
                "productaction_counters": counters(own),
                "productactions": id_map(own, product_action),
            }

        return {
            "consumerportalsession": {
                "session": session(portal_session),
                "dossier": {
                    "id": dossier["id"],
                    "code": dossier["code"],
                    "date_created": dossier["date_created"],
                    "owner": person(dossier["owner"]),
                    "advisor": person(dossier["advisor"]),
                    "products": id_map(products, product),
                    "consumer": consumer(owner),
                },
                "duplicate_comfort_data": {
                    "downloadable_productactions": id_map(
                        (a for a in actions if a["type"] in DOWNLOADABLE), product_action
                    ),
                    "uploadable_productactions": id_map((a for a in actions if a["type"] == UPLOAD), product_action),
                    "actioncounter_total": counters(actions),
                    "actioncounter_per_product": {pid: counters(own) for pid, own in per_product.items()} or [],
                    "most_recent_appointment": False,
                    "productactions": id_map(actions, product_action),
                },
            }
        }
