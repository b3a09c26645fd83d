"""HomeQ's webhook events (the spec's ``x-webhooks``: a POST per event), built from the store's records.

Each builder returns the documented body of one event, with a fresh ``uuid`` and ``created``;
:class:`Events` sends it through the API's :class:`~mockserver.engine.webhooks.Webhooks` and can build a
sample of any event for the control plane's "trigger".
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import NotFound, PreconditionFailed
from mockserver.engine.store import Store
from mockserver.engine.webhooks import Webhooks

Body = dict[str, Any]
EVENT_NAMES = ("reservation", "application_signature", "signing_completed", "agreement_created", "project_follow")
#: The documented ``type`` of each event (two are copies of another event's value in the docs).
EVENT_TYPES = {
    "reservation": "reservation",
    "application_signature": "application_signature",
    "signing_completed": "signing_completed",
    "agreement_created": "signing_completed",
    "project_follow": "reservation",
}


def date_of_birth(ssn: str) -> str:
    digits = ssn.replace("-", "")
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) >= 8 else "1990-01-01"


def person(consumer: Body) -> Body:
    """A consumer as the events' ``UserReservationInfo``."""
    return {
        "city": consumer.get("city", ""),
        "date_of_birth": date_of_birth(consumer.get("ssn") or ""),
        "email": consumer["email"],
        "first_name": consumer["first_name"],
        "last_name": consumer["last_name"],
        "phone": consumer.get("phone", ""),
        "ssn": consumer.get("ssn"),
        "street": consumer.get("street", ""),
        "zip_code": consumer.get("zip_code", ""),
    }


class Events:
    def __init__(self, store: Store, clock: Clock, webhooks: Webhooks) -> None:
        self.store = store
        self.clock = clock
        self.webhooks = webhooks

    def _base(self, event: str, listing: Body | None = None) -> Body:
        body: Body = {"type": EVENT_TYPES[event], "uuid": str(uuidlib.uuid4()), "created": self.clock.stamp()}
        if listing is not None:
            apartment = self.store.apartments.get(listing["apartment"]) or {}
            body.update(
                {
                    "apartment_id": listing["apartment"],
                    "company_id": apartment.get("company", 0),
                    "object_ad_id": listing["id"],
                    "office_id": apartment.get("office", 0),
                }
            )
        return body

    def _consumer(self, consumer_id: int | None) -> Body | None:
        return self.store.consumers.get(consumer_id) if consumer_id is not None else None

    def _employee(self, employee_id: int) -> Body:
        return self.store.employees.get(employee_id) or {"email": "", "first_name": "", "last_name": "", "id": 0}

    # -- the five events -------------------------------------------------------------------------
    def reservation(self, listing: Body, application: Body, employee_id: int) -> Body:
        body = self._base("reservation", listing)
        employee = self._employee(employee_id)
        body["employee"] = {k: employee[k] for k in ("email", "first_name", "last_name")}
        body["applicant"] = person(self._consumer(application["consumer"]) or {})
        for role in ("fellow", "warrantor"):
            other = self._consumer(application.get(role))
            if other is not None:
                body[role] = person(other)
        return body

    def signature(self, listing: Body, name: str, signatory_type: str) -> Body:
        return {
            **self._base("application_signature", listing),
            "signatory_name": name,
            "signatory_type": signatory_type,
        }

    def signing_completed(self, listing: Body, signatories: list[Body]) -> Body:
        return {**self._base("signing_completed", listing), "signatories": signatories}

    def agreement_created(self, listing: Body, agreement_id: int, employee_id: int) -> Body:
        employee = self._employee(employee_id)
        body = self._base("agreement_created", listing)
        # The agreement event names the root office.
        office = self.store.offices.get(body["office_id"]) or {}
        while office.get("parent") is not None:
            office = self.store.offices.get(office["parent"]) or {}
        body["office_id"] = office.get("id", body["office_id"])
        body["agreement_id"] = agreement_id
        body["employee"] = {
            "email": employee["email"],
            "first_name": employee["first_name"],
            "last_name": employee["last_name"],
            "user_id": employee["id"],
        }
        return body

    def project_follow(self, project: Body, consumer: Body, subscribed: bool) -> Body:
        return {
            **self._base("project_follow"),
            "company_id": project["company"],
            "office_id": project["office"],
            "project_id": project["id"],
            "email_id": consumer["email"],
            "first_name": consumer["first_name"],
            "last_name": consumer["last_name"],
            "ssn": consumer.get("ssn"),
            "interaction_type": "SUBSCRIBED" if subscribed else "UNSUBSCRIBED",
        }

    def send(self, event: str, body: Body) -> list[int]:
        return self.webhooks.emit(event, body)

    # -- the control plane's trigger -------------------------------------------------------------
    def sample(self, event: str, fields: Body) -> Body:
        """A body of ``event`` built from stored records (``object_ad_id``, ``project_id``,
        ``consumer_id``, ``employee_id`` choose them), other ``fields`` copied over it."""
        if event not in EVENT_NAMES:
            raise NotFound(f"No webhook event named {event!r}; known: {', '.join(EVENT_NAMES)}.")
        chosen = dict(fields)
        employee_id = int(chosen.pop("employee_id", 15))
        consumer = self.store.consumers.get(int(chosen.pop("consumer_id", 9120)))
        if consumer is None:
            raise PreconditionFailed("consumer_id: no such consumer.")
        if event == "project_follow":
            project = self.store.projects.get(int(chosen.pop("project_id", 12)))
            if project is None:
                raise PreconditionFailed("project_id: no such project.")
            subscribed = chosen.pop("interaction_type", "SUBSCRIBED") != "UNSUBSCRIBED"
            body = self.project_follow(project, consumer, subscribed)
        else:
            listing = self.store.listings.get(int(chosen.pop("object_ad_id", 17)))
            if listing is None:
                raise PreconditionFailed("object_ad_id: no such listing.")
            name = f"{consumer['first_name']} {consumer['last_name']}"
            if event == "reservation":
                body = self.reservation(listing, {"consumer": consumer["id"]}, employee_id)
            elif event == "application_signature":
                body = self.signature(listing, name, "TENANT")
            elif event == "signing_completed":
                body = self.signing_completed(listing, [signatory(consumer, "TENANT")])
            else:
                agreement = self.store.agreements.find_one(apartment=listing["apartment"])
                body = self.agreement_created(listing, agreement["id"] if agreement else 0, employee_id)
        body.update(chosen)
        return body


def signatory(person_record: Body, signatory_type: str) -> Body:
    return {
        "email": person_record.get("email", ""),
        "first_name": person_record.get("first_name", ""),
        "last_name": person_record.get("last_name", ""),
        "signatory_type": signatory_type,
        "ssn": person_record.get("ssn") or person_record.get("personal_number") or "",
    }
