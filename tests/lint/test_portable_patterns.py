"""REG002: every spec pattern means the same to Python's ``re`` and to JavaScript's ``RegExp`` with the
``u`` flag, and the names and addresses the docs allow pass both."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.engine.jsonpointer import deref
from mockserver.lint import lint_spec
from mockserver.lint.patterns import divergences
from mockserver.lint.rules import schemas

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILES = [*sorted((ROOT / "specs").glob("*.yaml")), ROOT / "mockserver" / "admin" / "openapi.yaml"]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: JavaScript's reading is not checked")

# Each compiled with the u flag, as ajv and Prism do; `test` searches like Python's re.search.
NODE_SCRIPT = """
const {patterns, samples} = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = patterns.map((pattern) => {
  try {
    const regex = new RegExp(pattern, "u");
    return samples.map((sample) => regex.test(sample));
  } catch (error) {
    return String(error.message);
  }
});
process.stdout.write(JSON.stringify(results));
"""


def javascript_matches(patterns: list[str], samples: list[str]) -> list[list[bool] | str]:
    """For each pattern, whether JavaScript finds it in each sample (or why it does not compile):
    one node process for them all."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", NODE_SCRIPT],
        input=json.dumps({"patterns": patterns, "samples": samples}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results: list[list[bool] | str] = json.loads(done.stdout)
    return results


def python_matches(pattern: str, samples: list[str]) -> list[bool]:
    return [re.search(pattern, sample) is not None for sample in samples]


def spec_patterns() -> dict[str, str]:
    """Every schema pattern of the four specs and the control plane's, by file and pointer."""
    found = {}
    for path in SPEC_FILES:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, node in schemas(spec):
            if isinstance(node.get("pattern"), str):
                found[f"{path.name}#/{'/'.join(map(str, where))}"] = node["pattern"]
    return found


FLAGGED = [
    # (pattern, the construct reported)
    (r"^[\w\:\.\s]+$(?!\n)", r"\w"),
    (r"^[\w\:\.\s]+$(?!\n)", r"\:"),
    (r"^[\w\:\.\s]+$(?!\n)", r"\s"),
    (r"^\d{4}$(?!\n)", r"\d"),
    (r"^\D$(?!\n)", r"\D"),
    (r"^\W$(?!\n)", r"\W"),
    (r"^\S$(?!\n)", r"\S"),
    (r"\bword\b", r"\b"),
    (r"^a\-b$(?!\n)", r"\-"),
    (r"^[0-9]{4}$", "$"),
    (r"^(?P<year>[0-9]{4})$(?!\n)", "(?P<year>"),
    (r"^(?P<a>a)(?P=a)$(?!\n)", "(?P=a)"),
    (r"^(?<year>[0-9]{4})$(?!\n)", "(?<year>"),
    (r"(?i)^abc$(?!\n)", "(?i)"),
    (r"^(?i:abc)$(?!\n)", "(?i:"),
    (r"^a(?#note)$(?!\n)", "(?#note)"),
    (r"^(?>a+)b$(?!\n)", "(?>"),
    (r"\Aabc\Z", r"\A"),
    (r"\Aabc\Z", r"\Z"),
    (r"^a.c$(?!\n)", "."),
    (r"^a{,3}$(?!\n)", "{,3}"),
    (r"^{a}$(?!\n)", "{"),
    (r"^a}$(?!\n)", "}"),
    (r"^a]$(?!\n)", "]"),
    (r"^a*+$(?!\n)", "+"),
    (r"^(?=a)*a$(?!\n)", "*"),
    (r"^[]a]$(?!\n)", "[]"),
    (r"^[[a]$(?!\n)", "["),
    (r"^[a--]$(?!\n)", "--"),
    (r"^\uD83D\uDE00$(?!\n)", r"\uD83D"),
    (r"^\u{1F600}$(?!\n)", r"\u{1F600}"),
    (r"^\p{L}+$(?!\n)", r"\p{L}"),
    (r"^\01$(?!\n)", r"\01"),
    (r"^[\1]$(?!\n)", r"\1"),
    (r"^\1(a)$(?!\n)", r"\1"),
]

PORTABLE = [
    r"^[A-Za-z0-9_]+$(?!\n)",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$(?!\n)",
    r"^[ \t\n\r\f\v]*$(?!\n)",
    r"[^ \t\n\r\f\v]",
    r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ0-9_:. \t\n\r\f\v]+$(?!\n)",
    r"^[a-z][a-z0-9_-]{0,63}$(?!\n)",
    r"^(estate|apartment|object_ad)\.[1-9][0-9]*$(?!\n)",
    r"^[^/\\]+$(?!\n)",
    r"^[\-+]?[0-9]+$(?!\n)",
    r"^(a)\1$(?!\n)",
    r"^(?:ab)+(?=c)c(?!d)$(?!\n)",
    r"(?<=x)y(?<!z)",
    r"^a{2,3}?b{2,}c{2}$(?!\n)",
    r"^[^\n]*$(?!\n)",
    r"^\x41\u00e9\/\.\*\[\]\{\}\(\)\|\^\$$(?!\n)",
    r"[\b]",
    "^https?://",
    "",
]

# Strings where the two engines' readings of the flagged constructs part: Unicode letters, digits
# and spaces, a trailing newline, other line breaks.
SAMPLES = [
    "", "a", "abc", "ABC", "a_b", "a b", "a-b", "a:b", "a.b", "abc\n", "1234", "1234\n", "2024-01-31",
    "٣٤٥٦", "Västerås", "Ĳsselmeer", "a\u00a0b", "a\x1cb", "a\ufeffb", "a\rb", "a\u2028b", "\n", "-", "é",
    "😀", "https://x", "xy", "zy", "aab", "ccc", "aabbc", "Aé/.*[]{}()|^$",
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "construct"), FLAGGED)
def test_a_construct_read_differently_is_reported_with_what_to_write_instead(pattern: str, construct: str) -> None:
    found = {d.construct: d for d in divergences(pattern)}
    assert construct in found, divergences(pattern)
    assert re.search(r": (write|drop) ", found[construct].reason), found[construct].reason


@pytest.mark.parametrize("pattern", PORTABLE)
def test_a_portable_pattern_has_no_divergence(pattern: str) -> None:
    assert divergences(pattern) == []


def test_the_advice_names_the_portable_spelling() -> None:
    reasons = {d.construct: d.reason for d in divergences(r"^\w\d\s$")}
    assert "[A-Za-z0-9_]" in reasons[r"\w"]
    assert "À-ÖØ-öø-ÿ" in reasons[r"\w"]
    assert "[0-9]" in reasons[r"\d"]
    assert r"[ \t\n\r\f\v]" in reasons[r"\s"]
    assert r"$(?!\n)" in reasons["$"]


def test_a_construct_repeated_in_a_pattern_is_reported_once_with_each_position() -> None:
    (digits, end) = divergences(r"^\d{4}-\d{2}$")
    assert (digits.construct, digits.positions) == (r"\d", (1, 7))
    assert end.construct == "$"


def test_the_rule_reports_each_pattern_at_its_location_parameters_included() -> None:
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "pattern": r"^\d+$"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    findings = lint_spec(spec, ["REG002"])
    assert {f.location for f in findings} == {"#/paths/~1x/get/parameters/0/schema/pattern"}
    assert any(r"\d" in f.message and "[0-9]" in f.message for f in findings)


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_the_specs_and_the_control_plane_have_no_pattern_read_differently(path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [f"{f.location}: {f.message}" for f in lint_spec(spec, ["REG002"])] == []


def test_the_spectral_rule_catches_the_common_constructs_and_passes_the_specs() -> None:
    ruleset = yaml.safe_load((ROOT / ".spectral.yaml").read_text(encoding="utf-8"))
    not_match = re.compile(ruleset["rules"]["REG002"]["then"]["functionOptions"]["notMatch"])
    for pattern in (r"^[\w\:\.\s]+$", r"^\d+$(?!\n)", r"^[0-9]$", r"(?P<a>a)$(?!\n)", r"(?i)a"):
        assert not_match.search(pattern), pattern
    assert [p for p in spec_patterns().values() if not_match.search(p)] == []


@needs_node
def test_javascript_reads_every_spec_pattern_as_python_does() -> None:
    found = spec_patterns()
    samples = [*SAMPLES, *NAMES, *ADDRESSES, *POSTCODES, *(f"{s}\n" for s in NAMES + ADDRESSES + POSTCODES)]
    javascript = javascript_matches(list(found.values()), samples)
    for (where, pattern), reading in zip(found.items(), javascript, strict=True):
        assert reading == python_matches(pattern, samples), f"{where}: {pattern}"


@needs_node
def test_javascript_reads_the_portable_forms_as_python_does() -> None:
    javascript = javascript_matches(PORTABLE, SAMPLES)
    for pattern, reading in zip(PORTABLE, javascript, strict=True):
        assert reading == python_matches(pattern, SAMPLES), pattern


# Names and addresses the docs allow, for the fields that carry a pattern.
NAMES = [
    "Åsa", "Björn", "Märta-Lisa", "Zoë", "Noël", "Anaïs", "René", "IJsbrand", "Ĳsbrand", "van 't Hoff",
    "d'Ancona", "de Vries-van Dijk", "O'Brien", "Smith-Jones", "Siân", "McDonald",
]  # fmt: skip
ADDRESSES = ["Västerås", "Malmö", "Umeå", "Upplands Väsby", "Örebro", "Linnégatan", "S:t Eriksgatan", "Nijmegen"]
POSTCODES = ["SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "sw1a1aa"]

FIELDS: dict[tuple[str, str], list[str]] = {
    # (spec, schema pointer): samples that field must accept
    ("homeq.yaml", "#/components/schemas/ApartmentCreate/properties/street_name"): [
        "Storgatan", "Östra Hamngatan", "S:t Eriksgatan", "Linnégatan", "Kungsgatan 5.", "IJsselstraat",
        "Ĳsselstraat", "Coöperatiestraat", "Ruïnelaan", "Curaçaostraat", "Baker Street", "St. Albans Road",
    ],
    ("homeq.yaml", "#/components/schemas/ApartmentUpdate/properties/street_name"): ["Sankt Göransgatan 3"],
    ("homeq.yaml", "#/components/schemas/ApartmentCreate/properties/street_number"): ["4", "4B", "12 b", "7ö"],
    ("homeq.yaml", "#/components/schemas/EstateCreate/properties/city"): [
        "Västerås", "Malmö", "Göteborg", "Umeå", "Upplands Väsby", "Örebro", "IJmuiden", "Nijmegen", "Edinburgh",
    ],
    ("homeq.yaml", "#/components/schemas/EstateUpdate/properties/city"): ["Skövde", "Enköping"],
    ("homeq.yaml", "#/components/schemas/ApartmentCreate/properties/zip_code"): ["19448", "72211"],
    ("portal.yaml", "#/components/schemas/ProfileUpdate/properties/firstName"): NAMES,
    ("portal.yaml", "#/components/schemas/ProfileUpdate/properties/lastName"): NAMES,
    ("portal.yaml", "#/components/schemas/ProfileUpdate/properties/homePostcode"): POSTCODES,
    ("portal.yaml", "#/components/schemas/ProfileUpdate/properties/workPostcode"): POSTCODES,
}  # fmt: skip
# What the same fields refuse, in both engines: a trailing newline, letters beyond Latin script.
REFUSED: dict[tuple[str, str], list[str]] = {
    ("homeq.yaml", "#/components/schemas/ApartmentCreate/properties/street_name"): ["Storgatan 1, Solna", "Улица"],
    ("homeq.yaml", "#/components/schemas/EstateCreate/properties/city"): ["Upplands-Bro", "Tórshavn?"],
    ("homeq.yaml", "#/components/schemas/ApartmentCreate/properties/zip_code"): ["19448\n", "١٩٤٤٨"],
    ("portal.yaml", "#/components/schemas/ProfileUpdate/properties/homePostcode"): ["SW1A 1AA\n"],
}


def field_pattern(spec_name: str, location: str) -> str:
    spec = yaml.safe_load((ROOT / "specs" / spec_name).read_text(encoding="utf-8"))
    schema = deref(spec, {"$ref": location})
    pattern: str = schema["pattern"]
    return pattern


def test_names_and_addresses_the_docs_allow_pass_python_and_the_rest_do_not() -> None:
    for field, samples in FIELDS.items():
        pattern = field_pattern(*field)
        assert [s for s in samples if not re.search(pattern, s)] == [], field
    for field, samples in REFUSED.items():
        pattern = field_pattern(*field)
        assert [s for s in samples if re.search(pattern, s)] == [], field


@needs_node
def test_names_and_addresses_read_alike_in_javascript() -> None:
    fields = {**FIELDS}
    for field, refused in REFUSED.items():
        fields[field] = [*fields.get(field, []), *refused]
    patterns = [field_pattern(*field) for field in fields]
    samples = sorted({s for listed in fields.values() for s in listed})
    for field, pattern, reading in zip(fields, patterns, javascript_matches(patterns, samples), strict=True):
        assert reading == python_matches(pattern, samples), field
