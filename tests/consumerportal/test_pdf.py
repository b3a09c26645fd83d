"""The hand-written PDFs are valid files."""

from __future__ import annotations

from mockserver.engine.pdf import render as build_pdf
from tests.consumerportal.helpers import assert_valid_pdf


def test_a_built_pdf_has_an_exact_cross_reference_table() -> None:
    assert_valid_pdf(build_pdf("Hypotheekofferte", ["Dossier: TEST-1", "Voor: Jan Janssen"]))


def test_text_is_escaped_and_accents_are_kept() -> None:
    pdf = build_pdf("Offerte (concept) \\ versie 2", ["Financiële situatie", "(", ")"])
    assert_valid_pdf(pdf)
    assert b"(Offerte \\(concept\\) \\\\ versie 2) Tj" in pdf
    assert "Financiële".encode("cp1252") in pdf


def test_the_same_arguments_give_the_same_bytes() -> None:
    assert build_pdf("A", ["b"], created="2026-03-02") == build_pdf("A", ["b"], created="2026-03-02")
    assert b"/CreationDate (D:20260302000000Z)" in build_pdf("A", ["b"], created="2026-03-02")


def test_long_documents_stay_on_one_page() -> None:
    pdf = build_pdf("Lang", [f"regel {n} " + "x" * 200 for n in range(100)])
    assert_valid_pdf(pdf)
    assert pdf.count(b" Tj") == 1 + 45
