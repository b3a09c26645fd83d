"""Turns a stored case into the Instruction of ``specs/instruction.yaml``, as one role sees it.

The same case looks different to its introducer and to its supplier: status codes, timestamps,
fees, milestones, notes, other information and allowed operations are each filtered or derived
per role (``rules``). Key order follows the docs' example.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mockserver.engine.clock import parse
from mockserver.engine.store import Store, json_copy

from . import rules
from .lookups import INTRODUCER, PARTY, SUPPLIER

Record = dict[str, Any]


def _milestone(code: str) -> Record:
    """A milestone not reached yet: everything null, as in the docs' example."""
    return {
        "milestoneCode": code,
        "completedTimestamp": None,
        "organisationTypeCode": None,
        "organisationName": None,
        "personName": None,
        "currentState": None,
        "expectedTimestamp": None,
        "data": {},
    }


def _done_by(milestone: Record, by: Record | None) -> None:
    if by:
        for key in ("organisationTypeCode", "organisationName", "personName"):
            milestone[key] = by.get(key)


def _tmp(milestone: Record, brand: str) -> None:
    """Done by TMP itself: no person, and the empty state the docs' example shows."""
    milestone.update({"organisationTypeCode": "TMP", "organisationName": brand, "personName": ""})


def customer_names(customers: list[Record]) -> str:
    return " & ".join(" ".join(p for p in (c.get("firstName"), c.get("lastName")) if p) for c in customers)


def note(record: Record, organisation: Record) -> Record:
    party = PARTY[organisation["role"]]
    own = record.get("createdByOrganisationId") == organisation["id"]
    return {
        "caseNoteReference": record.get("caseNoteReference") if own else None,
        "createdTimestamp": record["createdTimestamp"],
        "createdByOrganisationName": record["createdByOrganisationName"],
        "createdByOrganisationTypeCode": record["createdByOrganisationTypeCode"],
        "personName": record.get("personName"),
        "readTimestamp": record["readTimestamps"].get(party),
        "visibleTo": list(record["visibleTo"]),
        "readTimestamps": dict(record["readTimestamps"]),
        "noteBody": record["noteBody"],
        "isVisibleToCustomer": "Customer" in record["visibleTo"],
        "sequence": record["sequence"],
    }


class Views:
    """Names of organisations (supplier, TMP brand) come from the store.

    Views read the stored rows themselves (under the store lock, as the service calls them) and
    copy every mutable part they hand out, so that an answer never shares objects with the store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def _organisation(self, organisation_id: str | None) -> Record | None:
        return self.store.organisations.peek(organisation_id) if organisation_id else None

    def _brand(self, record: Record) -> str:
        introducer = self._organisation(record["introducerId"])
        return str(introducer["brand"]) if introducer else "The Moving Portal"

    def instruction(self, record: Record, organisation: Record, now: dt.datetime) -> Record:
        role = organisation["role"]
        supplier = self._organisation(record.get("supplierId"))
        accepted = bool(record["timestamps"].get("ACCEPTED"))
        notes = sorted((n for n in record["notes"] if rules.note_visible(n, role)), key=lambda n: n["sequence"])
        configuration = dict(record["configuration"]) if role == INTRODUCER else {"CanViewReport": True}
        return {
            "tmpReference": record["tmpReference"],
            "tmpCustomerReference": record["tmpCustomerReference"],
            "caseIndex": record["caseIndex"],
            "caseStatusCode": rules.status_code(record, role),
            "isOnHold": record["isOnHold"],
            "productCode": record["productCode"],
            "attributes": dict(record["attributes"]),
            "supplierName": supplier["name"] if supplier and accepted else None,
            "timestamps": rules.timestamps(record, role),
            "fee": rules.fee(record, role),
            "milestones": self.milestones(record, role, now),
            "isVisibleToCustomers": record["isVisibleToCustomers"],
            "primaryCustomer": dict(record["primaryCustomer"]),
            "customerNames": customer_names(record["customers"]),
            "customers": [dict(c) for c in record["customers"]],
            "hasUnreadNotes": rules.has_unread_notes(record, role),
            "notes": [note(n, organisation) for n in notes],
            "files": [dict(f) for f in record["files"]],
            "property": json_copy(record["property"]),
            "otherInformation": rules.other_information(record, role),
            "allowedOperations": rules.allowed_operations(record, role, now),
            "configuration": configuration,
        }

    # -- milestones ------------------------------------------------------------------------------
    def milestones(self, record: Record, role: str, now: dt.datetime) -> list[Record]:
        reached = record["timestamps"]
        if role == SUPPLIER:
            return [
                self._assigned(record, now),
                self._accepted(record),
                self._appointment(record),
                self._completed(record),
            ]
        milestones = [self._allocated(record), self._appointment(record)]
        # "If the case has been Cancelled then this milestone will not appear", and the reverse.
        if not reached.get("CANCELLED"):
            milestones.append(self._completed(record))
        if not reached.get("COMPLETED"):
            milestones.append(self._cancelled(record))
        return milestones

    def _allocated(self, record: Record) -> Record:
        milestone = _milestone("ALLOCATED")
        assigned = record["timestamps"].get("ASSIGNED")
        supplier = self._organisation(record.get("supplierId"))
        if assigned and supplier:
            milestone["completedTimestamp"] = assigned
            milestone["data"] = {"SupplierName": supplier["name"]}
        return milestone

    def _assigned(self, record: Record, now: dt.datetime) -> Record:
        reached = record["timestamps"]
        milestone = _milestone("ASSIGNED")
        _tmp(milestone, self._brand(record))
        expiry = reached.get("OFFEREXPIRY")
        if reached.get("ACCEPTED"):
            state = "ACCEPTED"
        elif expiry and now > parse(expiry):
            state = "OVERDUE"
        else:
            state = "WAITING"
        milestone.update({"completedTimestamp": reached.get("ASSIGNED"), "currentState": state})
        milestone["expectedTimestamp"] = expiry
        return milestone

    def _accepted(self, record: Record) -> Record:
        reached = record["timestamps"]
        milestone = _milestone("ACCEPTED")
        if not reached.get("ACCEPTED"):
            milestone["expectedTimestamp"] = reached.get("OFFEREXPIRY")
            return milestone
        _done_by(milestone, record.get("acceptedBy"))
        milestone.update({"completedTimestamp": reached["ACCEPTED"], "currentState": "COMPLETED"})
        if record["fee"].get("supplier") is not None:
            milestone["data"] = {"YourFeeInclVAT": record["fee"]["supplier"]}
        return milestone

    def _appointment(self, record: Record) -> Record:
        reached = record["timestamps"]
        milestone = _milestone("APPOINTMENT")
        appointment = record.get("appointment")
        if not appointment:
            return milestone
        _done_by(milestone, appointment.get("bookedBy"))
        if reached.get("COMPLETED"):
            state = "COMPLETED"
        elif reached.get("EXPECTEDREPORTDATE"):
            state = "CONFIRMCOMPLETED"
        else:
            state = "BOOKED"
        milestone.update(
            {
                "completedTimestamp": appointment["bookedAt"],
                "currentState": state,
                "expectedTimestamp": reached.get("APPOINTMENT"),
            }
        )
        if appointment.get("timeslotCode"):
            milestone["data"] = {"TIMESLOTCODE": appointment["timeslotCode"]}
        return milestone

    def _completed(self, record: Record) -> Record:
        reached = record["timestamps"]
        milestone = _milestone("COMPLETED")
        if reached.get("COMPLETED"):
            _done_by(milestone, record.get("completedBy"))
            milestone.update({"completedTimestamp": reached["COMPLETED"], "currentState": "COMPLETED"})
        elif reached.get("EXPECTEDREPORTDATE"):
            milestone["currentState"] = "APPOINTMENTCONFIRMEDCOMPLETED"
        milestone["expectedTimestamp"] = reached.get("EXPECTEDREPORTDATE")
        return milestone

    def _cancelled(self, record: Record) -> Record:
        cancelled = record["timestamps"].get("CANCELLED")
        milestone = _milestone("CANCELLED")
        if not cancelled:
            return milestone
        _tmp(milestone, self._brand(record))
        milestone.update({"completedTimestamp": cancelled, "currentState": ""})
        reason = record.get("cancellation") or {}
        data = {"ReasonCode": reason.get("reasonCode")} if reason.get("reasonCode") else {}
        if reason.get("otherReason"):
            data["OtherReason"] = reason["otherReason"]
        milestone["data"] = data
        return milestone
