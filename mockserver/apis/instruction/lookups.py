"""The instruction service's code tables: the documented ones and the mock's own.

Documented (``specs/instruction.yaml`` enumerates them): case statuses, timestamp names per
role, allowed operations, file types and formats. The rest (products, property value tiers,
property types and ages, access types, cancel reasons) live in the real service's Data service,
which is not part of these docs; these are the mock's values.
"""

from __future__ import annotations

from typing import Any

INTRODUCER = "introducer"
SUPPLIER = "supplier"
#: The party names the docs use in notes (`visibleTo`, `readTimestamps`) for each role.
PARTY = {INTRODUCER: "Introducer", SUPPLIER: "Supplier"}

#: Every status a case goes through, in order; CANCELLED and REJECTED end it early.
LIFECYCLE = (
    "NEW",
    "REFERRED",
    "ORDERED",
    "ALLOCATED",
    "ACCEPTED",
    "APPOINTMENTBOOKED",
    "APPOINTMENTCOMPLETED",
    "COMPLETED",
)
#: The statuses a case ends at.
TERMINAL = ("COMPLETED", "CANCELLED", "REJECTED")
STATUSES = (*LIFECYCLE, "CANCELLED", "REJECTED")

#: A supplier sees a case only at these statuses: once cancelled it loses access.
SUPPLIER_STATUSES = ("ALLOCATED", "ACCEPTED", "APPOINTMENTBOOKED", "APPOINTMENTCOMPLETED", "COMPLETED")

TIMESTAMP_NAMES = (
    "QUOTED",
    "CREATED",
    "ORDERED",
    "ASSIGNED",
    "OFFEREXPIRY",
    "ACCEPTED",
    "APPOINTMENT",
    "EXPECTEDREPORTDATE",
    "COMPLETED",
    "CANCELLED",
)
ROLE_TIMESTAMPS = {
    INTRODUCER: ("QUOTED", "CREATED", "ORDERED", "APPOINTMENT", "EXPECTEDREPORTDATE", "COMPLETED", "CANCELLED"),
    SUPPLIER: ("ASSIGNED", "OFFEREXPIRY", "ACCEPTED", "APPOINTMENT", "EXPECTEDREPORTDATE", "COMPLETED"),
}

#: The operations each role may be offered, in the documented order.
ROLE_OPERATIONS = {
    SUPPLIER: (
        "ACCEPT",
        "DECLINE",
        "BOOKAPPOINTMENT",
        "REBOOKAPPOINTMENT",
        "CONFIRMAPPOINTMENTCOMPLETED",
        "CONFIRMAPPOINTMENTUNCOMPLETED",
        "UPLOADREPORT",
        "REPLACEREPORT",
        "DOWNLOADREPORT",
        "COMPLETECASE",
        "ADDNOTE",
        "MARKNOTESASREAD",
    ),
    INTRODUCER: ("DOWNLOADREPORT", "ADDNOTE", "MARKNOTESASREAD"),
}
#: How long after a report's upload a supplier may still replace it (the docs: "a short time interval").
REPLACE_REPORT_HOURS = 24
#: How long a supplier has to accept an assigned case before the offer expires.
OFFER_HOURS = 48

REPORT_FILE_TYPE = "InstructionReportFromSupplier"
REPORT_FILE_FORMAT = "PDF"

#: Product code -> description, fee model (base + per £1,000 of value; None: price on
#: application) and whether the case needs a report before it can be completed.
PRODUCTS: dict[str, dict[str, Any]] = {
    "RICSL1SURVEY": {"description": "RICS Home Survey - Level 1", "base": 300.0, "perThousand": 0.9, "report": True},
    "RICSL2SURVEY": {"description": "RICS Home Survey - Level 2", "base": 450.0, "perThousand": 1.12, "report": True},
    "RICSL2SURVEYVALUATION": {
        "description": "RICS Home Survey - Level 2 with valuation",
        "base": 550.0,
        "perThousand": 1.2,
        "report": True,
    },
    "RICSL3SURVEY": {"description": "RICS Home Survey - Level 3", "base": 700.0, "perThousand": 1.6, "report": True},
    "HTBVALUATION": {"description": "Help to Buy valuation", "base": 250.0, "perThousand": 0.0, "report": False},
    "SPECIALISTDAMPTIMBER": {
        "description": "Specialist damp and timber report",
        "base": None,
        "perThousand": None,
        "report": True,
    },
    "SPECIALISTSTRUCTURAL": {
        "description": "Structural engineer's report",
        "base": None,
        "perThousand": None,
        "report": True,
    },
}
#: Case attributes (the CASEATTRIBUTES data set) a product may carry.
PRODUCT_ATTRIBUTES = {"HTBVALUATION": ("REWRITE",)}

PROPERTY_TYPES = {
    "DETACHED": "Detached house",
    "SEMIDETACHED": "Semi-detached house",
    "TERRACED": "Terraced",
    "ENDTERRACE": "End of terrace",
    "FLAT": "Flat",
    "MAISONETTE": "Maisonette",
    "BUNGALOW": "Bungalow",
}
PROPERTY_AGES = {
    "LESSTHANTENYEARS": "Less than 10 years",
    "TENTOFIFTYYEARS": "10 to 50 years",
    "FIFTYTOHUNDREDYEARS": "50 to 100 years",
    "OVERHUNDREDYEARS": "Over 100 years",
}
ACCESS_TYPES = {"VENDOR": "Vendor", "ESTATEAGENT": "Estate agent", "OCCUPIER": "Occupier"}
CANCEL_REASONS = ("DATENOTSUITABLE", "NOLONGERREQUIRED", "PURCHASEFELLTHROUGH", "FOUNDANOTHERSURVEYOR", "OTHER")


def _money(amount: int) -> str:
    return f"£{amount:,}"


def _short(amount: int) -> str:
    return f"{amount // 1_000_000}M" if amount % 1_000_000 == 0 else f"{amount // 1000}K"


def _tiers() -> dict[str, str]:
    tiers = {"UPTO100K": "to £100,000"}
    for low in range(100_000, 1_000_000, 50_000):
        tiers[f"{_short(low)}TO{_short(low + 50_000)}"] = f"to {_money(low + 50_000)}"
    tiers["1MTO2M"] = "to £2,000,000"
    tiers["OVER2M"] = "over £2,000,000"
    return tiers


#: Property value tier code -> description, e.g. 350KTO400K -> "to £400,000".
VALUE_TIERS = _tiers()


def value_tier(value: float) -> str:
    if value <= 100_000:
        return "UPTO100K"
    if value > 2_000_000:
        return "OVER2M"
    if value > 1_000_000:
        return "1MTO2M"
    low = int((value - 1) // 50_000) * 50_000
    return f"{_short(low)}TO{_short(low + 50_000)}"


def round5(amount: float) -> float:
    """To the nearest £5, as fees are quoted."""
    return float(round(amount / 5) * 5)


def fee_for(product_code: str, value: float) -> float | None:
    """The total fee including VAT, rounded to £5; ``None`` when the price is on application."""
    product = PRODUCTS[product_code]
    if product["base"] is None:
        return None
    return round5(product["base"] + product["perThousand"] * value / 1000)


#: Towns the generated properties are in: (town, county, postcode areas, country).
TOWNS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("London", "Greater London", ("SW", "SE", "N", "E", "NW", "W"), "England"),
    ("Birmingham", "West Midlands", ("B",), "England"),
    ("Manchester", "Greater Manchester", ("M",), "England"),
    ("Leeds", "West Yorkshire", ("LS",), "England"),
    ("Sheffield", "South Yorkshire", ("S",), "England"),
    ("Bristol", "Bristol", ("BS",), "England"),
    ("Nottingham", "Nottinghamshire", ("NG",), "England"),
    ("Reading", "Berkshire", ("RG",), "England"),
    ("Oxford", "Oxfordshire", ("OX",), "England"),
    ("Cambridge", "Cambridgeshire", ("CB",), "England"),
    ("Brighton", "East Sussex", ("BN",), "England"),
    ("Norwich", "Norfolk", ("NR",), "England"),
    ("York", "North Yorkshire", ("YO",), "England"),
    ("Exeter", "Devon", ("EX",), "England"),
    ("Cardiff", "South Glamorgan", ("CF",), "Wales"),
    ("Swansea", "West Glamorgan", ("SA",), "Wales"),
    ("Edinburgh", "Midlothian", ("EH",), "Scotland"),
    ("Glasgow", "Lanarkshire", ("G",), "Scotland"),
)
STREET_KINDS = ("Road", "Street", "Lane", "Avenue", "Close", "Way", "Gardens", "Crescent", "Drive", "Grove")
BUILDING_KINDS = ("House", "Court", "Lodge", "Mansions", "Point", "Wharf")
#: The letters a UK inward code may use.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
