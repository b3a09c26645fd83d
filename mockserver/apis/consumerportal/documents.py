"""The PDF documents of product actions: what the advisor's files would say, in a few lines.

Each document is built from the dossier's records when it is asked for, so it always names the
current consumer and product, and the same records give the same bytes.
"""

from __future__ import annotations

from typing import Any

from mockserver.engine.pdf import render as build_pdf

from .lookups import OTD_DOCUMENT, OTD_SERVICES
from .rules import display_name, pdf_filename

Record = dict[str, Any]
OTD_FILENAME = "otd.pdf"


def _header(dossier: Record, consumer: Record) -> list[str]:
    address = " ".join(
        filter(None, (consumer["streetname"], consumer["housenumber"], consumer["housenumber_addition"]))
    )
    return [
        f"Dossier: {dossier['code']}",
        f"Voor: {display_name(consumer)}",
        f"Adres: {address}, {consumer['zipcode']} {consumer['city']}",
        f"Adviseur: {dossier['advisor']['name']} ({dossier['advisor']['emailaddress']})",
        "",
    ]


def action_document(action: Record, product: Record, dossier: Record, consumer: Record) -> tuple[str, bytes]:
    """The file name and PDF of the document a product action offers for download."""
    document = action.get("document") or {}
    title = document.get("label") or action["label"]
    lines = _header(dossier, consumer)
    lines += [
        f"Product: {product['label']}",
        f"Referentie: {product['reference_number']}",
    ]
    if product.get("quote_number"):
        lines.append(f"Offertenummer: {product['quote_number']}")
    mortgage = product.get("mortgage")
    if mortgage:
        lines.append(f"Geldverstrekker: {mortgage['lender_name']}")
        if mortgage.get("mortgage_amount") is not None:
            lines.append(f"Hypotheekbedrag: EUR {mortgage['mortgage_amount']:,.0f}".replace(",", "."))
    if document.get("description"):
        lines += ["", document["description"]]
    return pdf_filename(title), build_pdf(title, lines, created=action["date_created"])


def otd_document(action: Record, dossier: Record, consumer: Record) -> tuple[str, bytes]:
    """The file name and PDF of the OTD ("opdracht tot dienstverlening") of a ``SIGN_OTD`` action."""
    lines = _header(dossier, consumer)
    lines += [OTD_DOCUMENT["description"], "", "Uw adviseur verzorgt voor u:"]
    lines += [f"- {service}" for service in OTD_SERVICES]
    status = f"akkoord gegeven op {action['date_executed']}" if action["is_done"] else "nog niet akkoord gegeven"
    lines += ["", f"Status: {status}."]
    return OTD_FILENAME, build_pdf(str(OTD_DOCUMENT["label"]), lines, created=action["date_created"])
