"""The instruction service's documented rules as pure functions (no store, no HTTP).

A case is stored once, in the mock's own shape, with its internal status (``lookups.STATUSES``);
these functions decide what each role may see of it and do with it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mockserver.engine.clock import parse

from .lookups import (
    INTRODUCER,
    PARTY,
    PRODUCTS,
    REPLACE_REPORT_HOURS,
    ROLE_OPERATIONS,
    ROLE_TIMESTAMPS,
    SUPPLIER,
    SUPPLIER_STATUSES,
)

Record = dict[str, Any]

#: The docs: "These references can be at most 30 characters long and must be unique."
MAX_REFERENCE_LENGTH = 30
#: A file name is one path segment of a plain name: no separators, no dot-only names, no controls.
_PLAIN_FILE_NAME = re.compile(r"^(?!\.+$)[^/\\\x00-\x1f\x7f]{1,255}$")


def can_see(record: Record, organisation: Record) -> bool:
    """Introducers see their own instructions; suppliers the ones allocated to them, until cancelled."""
    if organisation["role"] == INTRODUCER:
        return bool(record["introducerId"] == organisation["id"])
    return record.get("supplierId") == organisation["id"] and record["status"] in SUPPLIER_STATUSES


def status_code(record: Record, role: str) -> str:
    """The case status as the role sees it: an introducer has no ACCEPTED status (still ALLOCATED)."""
    status = str(record["status"])
    if role == INTRODUCER and status == "ACCEPTED":
        return "ALLOCATED"
    return status


def timestamps(record: Record, role: str) -> dict[str, str]:
    """The role's timestamps of the states reached; OFFEREXPIRY only while the offer is open."""
    reached: dict[str, str] = record["timestamps"]
    shown = {name: reached[name] for name in ROLE_TIMESTAMPS[role] if reached.get(name)}
    if record["status"] != "ALLOCATED":
        shown.pop("OFFEREXPIRY", None)
    return shown


def fee(record: Record, role: str) -> dict[str, float]:
    amounts = record["fee"]
    if role == SUPPLIER:
        return {"YOURFEEINCLVAT": amounts["supplier"]} if amounts.get("supplier") is not None else {}
    shown: dict[str, float] = {}
    if amounts.get("total") is not None:
        shown["TOTALFEEINCLVAT"] = amounts["total"]
    if amounts.get("introducer") is not None:
        shown["YOURFEEINCLVAT"] = amounts["introducer"]
    # "This value will not be present for cases at the New status."
    if amounts.get("due") and record["status"] != "NEW":
        shown["TOTALDUEINCLVAT"] = amounts["due"]
    return shown


def references(record: Record, role: str) -> dict[str, str | None]:
    refs: dict[str, str | None] = record[f"{role}References"]
    return refs


def other_information(record: Record, role: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    prefix = role.upper()
    refs = references(record, role)
    if refs.get("customer"):
        info[f"{prefix}CUSTOMERREFERENCE"] = refs["customer"]
    if refs.get("integration"):
        info[f"{prefix}INTEGRATIONREFERENCE"] = refs["integration"]
    if role == INTRODUCER and record["fee"].get("total") is None:
        info["ISPRICEONAPPLICATION"] = True
    # Terms and conditions are sent by the supplier once it has accepted: the introducer sees
    # that stage as ALLOCATED, the supplier as ACCEPTED.
    if record["status"] == "ACCEPTED":
        terms = record.get("termsAndConditions")
        if terms == "SENT":
            info["TERMSANDCONDITIONSSENT"] = True
        elif terms == "RECEIVED":
            info["TERMSANDCONDITIONSRECEIVED"] = True
    if record.get("readOnly"):
        info["READONLY"] = True
    return info


def note_visible(note: Record, role: str) -> bool:
    return PARTY[role] in note["visibleTo"]


def has_unread_notes(record: Record, role: str) -> bool:
    """A note the role's party can see, did not write and has not read."""
    party = PARTY[role]
    return any(
        note_visible(n, role) and n["createdByOrganisationTypeCode"] != party and party not in n["readTimestamps"]
        for n in record["notes"]
    )


def can_view_reports(record: Record, role: str) -> bool:
    return role == SUPPLIER or bool(record["configuration"].get("CanViewReport"))


def allowed_operations(record: Record, role: str, now: dt.datetime) -> list[str]:
    """What the role may do next, from the status, the case's files and configuration."""
    status = record["status"]
    reports = [f for f in record["files"] if f["fileFormatCode"] == "PDF"]
    allowed: set[str] = set()
    if reports and can_view_reports(record, role):
        allowed.add("DOWNLOADREPORT")
    if not record.get("readOnly"):
        allowed.add("ADDNOTE")
        if has_unread_notes(record, role):
            allowed.add("MARKNOTESASREAD")
        if role == SUPPLIER:
            allowed |= _supplier_operations(record, status, reports, now)
    return [code for code in ROLE_OPERATIONS[role] if code in allowed]


def _supplier_operations(record: Record, status: str, reports: list[Record], now: dt.datetime) -> set[str]:
    if status == "ALLOCATED":
        return {"ACCEPT", "DECLINE"}
    if status == "ACCEPTED":
        return {"BOOKAPPOINTMENT"}
    if status == "APPOINTMENTBOOKED":
        return {"REBOOKAPPOINTMENT", "CONFIRMAPPOINTMENTCOMPLETED", "CONFIRMAPPOINTMENTUNCOMPLETED"}
    operations: set[str] = set()
    if status == "APPOINTMENTCOMPLETED":
        if not reports:
            operations.add("UPLOADREPORT")
        # "It may not be required to upload a report to complete a case."
        if reports or not PRODUCTS[record["productCode"]]["report"]:
            operations.add("COMPLETECASE")
    if reports and status in ("APPOINTMENTCOMPLETED", "COMPLETED"):
        latest = max(parse(f["createdTimestamp"]) for f in reports)
        if now - latest <= dt.timedelta(hours=REPLACE_REPORT_HOURS):
            operations.add("REPLACEREPORT")
    return operations


def is_plain_file_name(name: str) -> bool:
    """False for anything that tries to leave the instruction's folder (``..``, ``a/b``, ``a\\b``)."""
    return bool(_PLAIN_FILE_NAME.match(name))


def reference_key(value: str) -> str:
    """What references compare by: they are unique, and looked up, without regard to case."""
    return value.casefold()


def requested_references(body: Record) -> dict[str, str | None]:
    """The references a PUT sets: it replaces both, and a reference left out or null is removed."""
    return {
        "customer": body.get("uniqueCustomerReference") or None,
        "integration": body.get("uniqueIntegrationReference") or None,
    }


#: Body field of each stored reference kind.
REFERENCE_FIELDS = {"customer": "uniqueCustomerReference", "integration": "uniqueIntegrationReference"}
