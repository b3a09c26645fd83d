"""What the portal tests share: an applicant complete enough to submit an application form, and such a form."""

from __future__ import annotations

import copy
from typing import Any

#: A working applicant whose answers are enough to submit an application form.
COMPLETE_APPLICANT: dict[str, Any] = {
    "email": "dana@example.com",
    "title": "Mrs",
    "firstName": "Dana",
    "lastName": "Price",
    "maritalStatus": 2,
    "phone": "07700 900321",
    "dateOfBirth": "1988-02-03",
    "livingCircumstance": 1,
    "homeAddressLine1": "3 Mill Road",
    "homeAddressLine2": "Romsey",
    "homePostcode": "CB1 3NL",
    "homeLocalAuthorityId": 8,
    "homeMoveInDate": "2020-09-01",
    "workingCircumstance": 1,
    "employerName": "Fen Labs",
    "workAddressLine1": "1 Station Road",
    "workAddressLine2": "Cambridge",
    "workPostcode": "CB1 2JW",
    "workLocalAuthorityId": 8,
    "annualSalary": 48000,
    "deposit": 20000,
    "savings": 5000,
    "failedLoanOrCreditAgreement": False,
    "declaredBankrupt": False,
    "enteredIVA": False,
    "ownPets": True,
    "gender": 2,
    "MODWorker": False,
}


def complete(listing: int = 5354, **changes: Any) -> dict[str, Any]:
    """A form for ``listing`` with one complete applicant, ``changes`` made to them."""
    applicant = {**copy.deepcopy(COMPLETE_APPLICANT), **changes}
    return {"listingId": listing, "applicants": [applicant]}
