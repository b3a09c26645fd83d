"""The portal's documented business rules as pure functions (no store, no HTTP)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mockserver.engine.problems import field_error

from .lookups import ELIGIBILITY_FIELDS, is_working

#: Profile fields a customer may change (PUT /profile, and through PUT /applications/{id}).
PROFILE_FIELDS = (
    "title",
    "firstName",
    "lastName",
    "phone",
    "dateOfBirth",
    "bestTimeToContactYou",
    "buyingInterestPeriod",
    "annualHouseholdIncome",
    "deposit",
    "livingCircumstance",
    "homePostcode",
    "homeAddress",
    "dependants",
    "workingCircumstance",
    "workPostcode",
    "workAddress",
    "occupation",
    "employerName",
    "armedForcesMember",
    "keyworker",
    "hasDisability",
    "housingWaitingList",
    "homeOwnershipStatus",
    "eligibleCitizen",
    "remarks",
    "privacyPolicyAccepted",
    "newsletterConsent",
    "newsSurveysConsent",
    "partnersOffersConsent",
    "smsConsent",
    "whatsappConsent",
)
PROFILE_DEFAULTS: dict[str, Any] = dict.fromkeys(PROFILE_FIELDS)
UTM_FIELDS = ("utmSource", "utmMedium", "utmCampaign", "utmTerm", "utmContent")
REQUIRED_IF_PRESENT = ("firstName", "lastName")
#: What a profile value is trimmed of, and what a required name may not consist of only.
BLANK = " \t\n\r\f\v"


def profile_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The profile fields a PUT body sets. Null and empty values reset a field to null."""
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name not in body:
            continue
        value = body[name]
        if isinstance(value, str):
            # ASCII white space only, as the spec's patterns say "blank" (JSON Schema regexes and
            # Python's strip() disagree on the rest of Unicode's spaces).
            value = value.strip(BLANK)
        if value in ("", [], None) and name not in REQUIRED_IF_PRESENT:
            value = None
        changes[name] = value
    return changes


def utm_values(body: dict[str, Any]) -> dict[str, Any] | None:
    sent = {name: body.get(name) or None for name in UTM_FIELDS}
    return sent if any(sent.values()) else None


def utm_is_empty(utm: dict[str, Any] | None) -> bool:
    return not utm or not any(utm.values())


def assess_eligibility(customer: dict[str, Any], listing: dict[str, Any]) -> str:
    """passed, considered, incomplete or failed, from the customer's eligibility fields.

    The docs name the statuses but not the criteria; these are the mock's: any eligibility field
    missing -> incomplete; not a British or EU/EEA citizen, or a household income above the
    listing's cap -> failed; already owning property (status 3 or 4) -> considered; else passed.
    """
    if any(customer.get(name) is None for name in ELIGIBILITY_FIELDS):
        return "incomplete"
    cap = listing.get("maxHouseholdIncome")
    if customer["eligibleCitizen"] is False or (cap is not None and customer["annualHouseholdIncome"] > cap):
        return "failed"
    if customer["homeOwnershipStatus"] in (3, 4):
        return "considered"
    return "passed"


def missing_eligibility_fields(body: dict[str, Any]) -> list[dict[str, str]]:
    return [
        field_error(name, "Required when validate_eligibility is set.")
        for name in ELIGIBILITY_FIELDS
        if body.get(name) in (None, "")
    ]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def applicant_errors(applicants: list[dict[str, Any]], today: dt.date) -> list[dict[str, str]]:
    """The conditional rules of a complete application form that JSON Schema cannot state."""
    errors: list[dict[str, str]] = []

    def need(prefix: str, applicant: dict[str, Any], names: tuple[str, ...], why: str) -> None:
        for name in names:
            if applicant.get(name) in (None, ""):
                errors.append(field_error(f"{prefix}.{name}", f"Required {why}."))

    def past(prefix: str, value: Any, name: str) -> None:
        day = _date(value)
        if day is not None and day >= today:
            errors.append(field_error(f"{prefix}.{name}", "Must be a date in the past."))

    for index, applicant in enumerate(applicants):
        prefix = f"applicants.{index}"
        same_address = applicant.get("addressSameAsMainApplicant")
        if index > 0 and same_address is None:
            errors.append(field_error(f"{prefix}.addressSameAsMainApplicant", "Required for additional applicants."))
        if index == 0 or same_address is False:
            need(
                prefix,
                applicant,
                ("homeAddressLine1", "homeAddressLine2", "homePostcode", "homeLocalAuthorityId"),
                "if addressSameAsMainApplicant is false",
            )
        if is_working(applicant.get("workingCircumstance")):
            need(
                prefix,
                applicant,
                ("employerName", "workAddressLine1", "workAddressLine2", "workPostcode", "workLocalAuthorityId"),
                "if the applicant is working",
            )
        if applicant.get("hasLoans") is True:
            need(prefix, applicant, ("loanBalance", "loanPurpose", "loanEndDate"), "if hasLoans is true")
            end = _date(applicant.get("loanEndDate"))
            if end is not None and end <= today:
                errors.append(field_error(f"{prefix}.loanEndDate", "Must be a date in the future."))
        if applicant.get("relatedToHAWorker") is True:
            need(prefix, applicant, ("relationshipToHAWorker",), "if relatedToHAWorker is true")
        if applicant.get("immediateFamilyInLocalAuthority") is True:
            need(prefix, applicant, ("immediateFamilyRelation",), "if immediateFamilyInLocalAuthority is true")
        past(prefix, applicant.get("dateOfBirth"), "dateOfBirth")
        past(prefix, applicant.get("homeMoveInDate"), "homeMoveInDate")
        for number, previous in enumerate(applicant.get("previousAddresses") or []):
            past(f"{prefix}.previousAddresses.{number}", previous.get("dateMovedIn"), "dateMovedIn")
    return errors
