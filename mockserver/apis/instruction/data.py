"""The instruction service's stored shape, and the completion of short records into it.

Fixtures (``fixtures/instruction/``) and the generator (``generate``) both write cases in a short
form: what follows from something else (fee amounts from the product and property value, tier
and type descriptions from their codes, address descriptions from their elements, who accepted
or completed a case) is filled in here, so that every case is stored complete and consistent.
"""

from __future__ import annotations

from typing import Any

from mockserver.engine.store import Store

from .lookups import (
    ACCESS_TYPES,
    INTRODUCER,
    PROPERTY_AGES,
    PROPERTY_TYPES,
    REPORT_FILE_FORMAT,
    REPORT_FILE_TYPE,
    VALUE_TIERS,
    fee_for,
    round5,
    value_tier,
)

TABLES = ("organisations", "instructions")
#: Every request finds its organisation by API key.
INDEXES: dict[str, tuple[str, ...]] = {"organisations": ("apiKey",)}
KEY = "tmpReference"

Record = dict[str, Any]


def default_fee(product_code: str, value: float) -> Record:
    total = fee_for(product_code, value)
    if total is None:  # price on application: only the supplier's quoted fee is known
        return {"total": None, "introducer": None, "supplier": round5(300 + value / 1000), "due": None}
    return {"total": total, "introducer": round5(total * 0.12), "supplier": round5(total * 0.65), "due": None}


def _by_supplier(store: Store, record: Record, person: int = 0) -> Record | None:
    supplier = store.organisations.get(record.get("supplierId")) if record.get("supplierId") else None
    if supplier is None:
        return None
    people = supplier.get("people") or [""]
    return {
        "organisationTypeCode": "Supplier",
        "organisationName": supplier["name"],
        "personName": people[person % len(people)],
    }


def complete(record: Record, store: Store) -> Record:
    """A stored case from a short one; whatever the short one states is kept as it is."""
    introducer = store.organisations.get(record["introducerId"])
    if introducer is None or introducer["role"] != INTRODUCER:
        raise ValueError(f"{record[KEY]}: introducerId {record['introducerId']!r} is not an introducer")
    case: Record = {
        KEY: record[KEY],
        "tmpCustomerReference": record.get("tmpCustomerReference") or record[KEY],
        "caseIndex": 1,
        "status": record["status"],
        "isOnHold": False,
        "productCode": record["productCode"],
        "attributes": {},
        "introducerId": record["introducerId"],
        "supplierId": None,
        "readOnly": False,
        "isVisibleToCustomers": True,
        "timestamps": {},
        "acceptedBy": None,
        "appointment": None,
        "completedBy": None,
        "cancellation": None,
        "termsAndConditions": None,
        "primaryCustomer": {},
        "customers": [],
        "notes": [],
        "files": [],
        "configuration": {"CanViewReport": bool(introducer.get("canViewReport", True))},
    }
    case.update({k: v for k, v in record.items() if k in case})
    for role in ("introducer", "supplier"):
        case[f"{role}References"] = {"customer": None, "integration": None, **(record.get(f"{role}References") or {})}
    case["property"] = complete_property(record["property"])
    case["fee"] = {
        **default_fee(case["productCode"], case["property"]["propertyValueOrPurchasePrice"]),
        **(record.get("fee") or {}),
    }
    reached = case["timestamps"]
    if reached.get("ACCEPTED") and not case["acceptedBy"]:
        case["acceptedBy"] = _by_supplier(store, case)
    if case["appointment"]:
        case["appointment"] = {"bookedBy": _by_supplier(store, case), "timeslotCode": None, **case["appointment"]}
    if reached.get("COMPLETED") and not case["completedBy"]:
        case["completedBy"] = _by_supplier(store, case)
    case["notes"] = [
        {"caseNoteReference": None, "createdByOrganisationId": None, "personName": None, "readTimestamps": {}, **n}
        for n in case["notes"]
    ]
    case["files"] = [
        {"fileTypeCode": REPORT_FILE_TYPE, "fileFormatCode": REPORT_FILE_FORMAT, **f} for f in case["files"]
    ]
    return case


def _describe(address: Record, country: str) -> str:
    lines = [address.get(f"addressLine{i}") for i in range(1, 5)]
    return ", ".join([*(line for line in lines if line), address["postcode"], country])


def complete_address(address: Record) -> Record:
    full = {
        "addressFormatCode": "DEFAULT",
        "addressLine1": None,
        "addressLine2": None,
        "addressLine3": None,
        "addressLine4": None,
        "postcode": None,
        "countryCode": "GB",
    }
    full.update({k: v for k, v in address.items() if k in full})
    return full


def describe_access(access: Record) -> str:
    kind = ACCESS_TYPES[access["accessTypeCode"]]
    who = access["contactName"]
    if access.get("firmName") and access["firmName"] != "N/A":
        who = f"{who}, {access['firmName']}"
    return f"{kind}: {who} ({access['telephoneNumber']} - {access['emailAddress']})"


def complete_property(short: Record) -> Record:
    """The documented InstructionProperty: codes with their descriptions, addresses with theirs."""
    country = str(short.get("countryName") or "England")
    value = short["propertyValueOrPurchasePrice"]
    tier = short.get("propertyValueTierCode") or value_tier(value)
    address = complete_address(short["propertyAddress"])
    correspondence = complete_address(short.get("correspondenceAddress") or address)
    access = {
        "accessTypeCode": short["accessDetails"]["accessTypeCode"],
        "firmName": "N/A",
        "emailAddress": None,
        "contactName": None,
        "telephoneNumber": None,
        **short["accessDetails"],
    }
    return {
        "propertyValueOrPurchasePrice": float(value),
        "propertyValueTierCode": tier,
        "propertyValueTierDescription": short.get("propertyValueTierDescription") or VALUE_TIERS[tier],
        "propertyTypeCode": short["propertyTypeCode"],
        "propertyTypeDescription": short.get("propertyTypeDescription") or PROPERTY_TYPES[short["propertyTypeCode"]],
        "propertyAgeCode": short["propertyAgeCode"],
        "propertyAgeDescription": short.get("propertyAgeDescription") or PROPERTY_AGES[short["propertyAgeCode"]],
        "propertyAddressDescription": short.get("propertyAddressDescription") or _describe(address, country),
        "propertyAddress": address,
        "correspondenceAddressDescription": short.get("correspondenceAddressDescription")
        or _describe(correspondence, str(short.get("correspondenceCountryName") or country)),
        "correspondenceAddress": correspondence,
        "accessDetailsDescription": short.get("accessDetailsDescription") or describe_access(access),
        "accessDetails": access,
    }
