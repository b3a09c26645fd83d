"""The consumer portal's fixed tables: action types, documents, lenders, insurers and offices.

Only ``MORTGAGE`` and ``UPLOAD_DOCUMENTMANAGEMENT_FILE`` are documented; the other kinds are the
mock's reading of what a Dutch mortgage dossier holds (see ``specs/consumerportal.yaml``).
"""

from __future__ import annotations

from typing import Any

UPLOAD = "UPLOAD_DOCUMENTMANAGEMENT_FILE"
DOWNLOAD = "DOWNLOAD_DOCUMENTMANAGEMENT_FILE"
SIGN_OTD = "SIGN_OTD"
#: Action types whose document get_product_action_download serves.
DOWNLOADABLE = (DOWNLOAD, SIGN_OTD)

MORTGAGE = "MORTGAGE"
INSURANCE = "INSURANCE"
#: The letter of a product type in its reference number (``TEST-1-M-<hash>``).
REFERENCE_LETTER = {MORTGAGE: "M", INSURANCE: "I"}

#: Documents a consumer uploads. ``{name}`` is the consumer the document is about.
UPLOAD_DOCUMENTS: dict[str, dict[str, Any]] = {
    "id": {
        "action": "Aanleveren van geldig legitimatiebewijs ({name})",
        "label": "Geldig legitimatiebewijs (Paspoort of Europese Identiteitskaart)",
        "requirements": [
            "Paspoort opengevouwen met beide pagina's in beeld",
            "Europese Identiteitskaart, kopie op ware grootte van de voor- en achterzijde.",
        ],
        "specific": True,
    },
    "employer": {
        "action": "Aanleveren van werkgeversverklaring ({name})",
        "label": "Werkgeversverklaring",
        "requirements": [
            "Volledig ingevuld en ondertekend door de werkgever",
            "Niet ouder dan drie maanden",
        ],
        "specific": True,
    },
    "payslip": {
        "action": "Aanleveren van recente salarisstrook ({name})",
        "label": "Salarisstrook",
        "requirements": ["De meest recente salarisstrook", "Niet ouder dan twee maanden"],
        "specific": True,
    },
    "uwv": {
        "action": "Aanleveren van UWV-verzekeringsbericht ({name})",
        "label": "UWV-verzekeringsbericht",
        "requirements": ["Te downloaden via mijn.uwv.nl", "Alle pagina's, als PDF"],
        "specific": True,
    },
    "bank": {
        "action": "Aanleveren van bankafschrift met salarisbijschrijving ({name})",
        "label": "Bankafschrift met salarisbijschrijving",
        "requirements": ["Naam en rekeningnummer zichtbaar", "Niet ouder dan drie maanden"],
        "specific": True,
    },
    "purchase": {
        "action": "Aanleveren van getekende koopovereenkomst",
        "label": "Koopovereenkomst",
        "requirements": ["Getekend door koper en verkoper", "Alle pagina's inclusief bijlagen"],
        "specific": False,
    },
    "valuation": {
        "action": "Aanleveren van gevalideerd taxatierapport",
        "label": "Taxatierapport",
        "requirements": ["Gevalideerd door NWWI of Taxateurs Unie", "Niet ouder dan zes maanden"],
        "specific": False,
    },
    "health": {
        "action": "Aanleveren van gezondheidsverklaring ({name})",
        "label": "Gezondheidsverklaring",
        "requirements": ["Volledig ingevuld", "Ondertekend en gedateerd"],
        "specific": True,
    },
}
#: The income and house documents a generated mortgage asks for (identity documents always).
MORTGAGE_UPLOADS = ("employer", "payslip", "uwv", "bank", "purchase", "valuation")

#: Documents of the advisor that the consumer downloads. ``{product}`` is the product label.
DOWNLOAD_DOCUMENTS: dict[str, dict[str, Any]] = {
    "quote": {
        "action": "Downloaden van de hypotheekofferte",
        "label": "Hypotheekofferte {product}",
        "description": "Lees de offerte goed door voordat u deze ondertekent.",
    },
    "advice": {
        "action": "Downloaden van het adviesrapport",
        "label": "Adviesrapport",
        "description": "Het advies met de onderbouwing van de gekozen hypotheek.",
    },
    "policy": {
        "action": "Downloaden van het polisblad",
        "label": "Polisblad {product}",
        "description": "",
    },
}

OTD_DOCUMENT: dict[str, Any] = {
    "action": "Akkoord geven op de opdracht tot dienstverlening",
    "label": "Opdracht tot dienstverlening",
    "description": "De afspraken over de dienstverlening van uw adviseur en de kosten daarvan.",
}
OTD_SERVICES = (
    "Inventarisatie van uw financiële situatie en wensen",
    "Analyse en advies over de hypotheek en bijbehorende verzekeringen",
    "Bemiddeling bij de aanvraag tot en met het passeren bij de notaris",
)

#: Lenders and the product labels a generated mortgage is drawn from.
LENDERS: dict[str, tuple[str, ...]] = {
    "SNS Bank": ("SNS Budget Hypotheek", "SNS Hypotheek"),
    "ABN AMRO": ("ABN AMRO Woning Hypotheek", "ABN AMRO Budget Hypotheek"),
    "Rabobank": ("Rabobank Hypotheek", "Rabobank Duurzaam Wonen Hypotheek"),
    "ING": ("ING Hypotheek",),
    "Nationale-Nederlanden": ("NN Hypotheek",),
    "Aegon": ("Aegon Hypotheek",),
    "Florius": ("Florius Profijt Hypotheek",),
    "Obvion": ("Obvion Basic Hypotheek", "Obvion Hypotheek"),
    "ASN Bank": ("ASN Duurzame Hypotheek",),
    "RegioBank": ("RegioBank Hypotheek",),
    "Munt Hypotheken": ("Munt Hypotheek",),
    "BLG Wonen": ("BLG Wonen Hypotheek",),
}
INSURANCE_PRODUCTS = (
    "Nationale-Nederlanden Overlijdensrisicoverzekering",
    "Allianz Overlijdensrisicoverzekering",
    "a.s.r. Overlijdensrisicoverzekering",
    "Centraal Beheer Woonlastenverzekering",
)
ARRANGEMENTS = ("Annuïteitenhypotheek", "Lineaire hypotheek", "Aflossingsvrije hypotheek")
TIMELINE_STEPS = ("Oriëntatie", "Adviesgesprek", "Offerte aangevraagd", "Offerte getekend", "Taxatie", "Notaris")

#: Advice offices that own the generated dossiers: (code, name, city, domain, phone).
OFFICES: tuple[tuple[str, str, str, str, str], ...] = (
    ("DEV", "Hypotheekadvies Oost", "Deventer", "hypotheekadviesoost.nl", "0570 612 300"),
    ("UTR", "Domstad Hypotheken", "Utrecht", "domstadhypotheken.nl", "030 231 8800"),
    ("ZWL", "IJssel Financieel Advies", "Zwolle", "ijsselfinancieel.nl", "038 421 5500"),
    ("GRO", "Noorderhuis Hypotheekadvies", "Groningen", "noorderhuis.nl", "050 313 6200"),
    ("EHV", "Brabant Hypotheekwinkel", "Eindhoven", "brabanthypotheekwinkel.nl", "040 244 7100"),
)

#: Dutch area codes for generated landline numbers.
AREA_CODES = ("010", "020", "030", "038", "040", "050", "053", "055", "070", "0570", "0548", "0523", "0592")
#: Surname prefixes (tussenvoegsels) split off Faker's surnames.
SURNAME_PREFIXES = ("van", "de", "der", "den", "ter", "ten", "het", "'t", "in", "op", "te", "von", "la", "le")
EMAIL_DOMAINS = ("ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.com", "outlook.com", "xs4all.nl", "planet.nl")
