"""The coverage report as a terminal table and as an HTML page (``mockserver.coverage.text``,
``mockserver.coverage.page``)."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

from mockserver.coverage import CoverageReport, api_coverage, html_report, text_report
from mockserver.engine.coverage import Observed
from tests.coverage.helpers import SPEC

HOSTILE = '<script>alert("x")</script>'


def report(spec: dict = SPEC, title: str = "Pets", source: str = "test") -> CoverageReport:  # type: ignore[type-arg]
    observed = Observed()
    observed.add("listPets", 200, 14)
    observed.add("listPets", 401, 3)
    observed.add("getPet", 503, 2)
    observed.add(None, 404, 1)
    return CoverageReport((api_coverage("pets", title, "/pets-api", spec, observed),), source, notes=("a note",))


class Cells(HTMLParser):
    """Each table row's cells: (class, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._cell: list[str] | None = None
        self._class = ""
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell, self._class = [], dict(attrs).get("class") or ""
        elif tag == "script":
            self.scripts += 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append((self._class, "".join(self._cell)))
            self._cell = None


def test_the_page_is_a_grid_of_operations_by_codes_coloured_by_outcome() -> None:
    page = html_report(report())
    assert page.startswith("<!DOCTYPE html>")
    for fetched in ("<link", "src=", "@import", "url("):  # self-contained: nothing is fetched
        assert fetched not in page
    parser = Cells()
    parser.feed(page)
    assert parser.scripts == 0
    header = re.findall(r'<th class="code" scope="col">([^<]+)</th>', page)
    assert header == ["200", "201", "204", "400", "404", "4XX", "503", "default"]
    rows = [row for row in parser.rows if row]
    listed, added, got = rows[0], rows[1], rows[2]
    assert listed[0] == ("hit", "14")
    assert listed[5] == ("hit", "3")  # 4XX, from 401
    assert listed[1][0] == "none"
    assert added[1] == ("miss", "0")
    assert added[7] == ("miss", "0")  # default
    assert got[6] == ("undoc", "2")  # 503, which getPet does not document
    assert got[4] == ("miss", "0")
    assert listed[-1] == ("row", "2/2")
    assert "1 requests named no documented operation" in page


def test_every_string_from_a_spec_or_a_source_is_escaped() -> None:
    spec = copy.deepcopy(SPEC)
    spec["paths"][f"/x/{HOSTILE}"] = {"get": {"operationId": HOSTILE, "responses": {"200": {}}}}
    page = html_report(report(spec, title=HOSTILE, source=HOSTILE))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    parser = Cells()
    parser.feed(page)
    assert parser.scripts == 0


def test_the_table_names_what_each_operation_reached_and_never_did() -> None:
    text = text_report(report())
    lines = text.splitlines()
    assert lines[0] == "coverage of test"
    listed = next(line for line in lines if "listPets" in line)
    assert listed.startswith("  [x] GET    /pets")
    assert listed.endswith("reached 200 x14, 4XX x3 (401 x3)")
    added = next(line for line in lines if "addPet" in line)
    assert added.startswith("  [ ] POST")
    assert added.endswith("never 201, 400, default")
    got = next(line for line in lines if "getPet" in line)
    assert got.startswith("  [!] GET")
    assert got.endswith("never 200, 404   UNDOCUMENTED 503 x2")
    assert "  unmatched: 1 requests named no documented operation (404 x1)" in lines
    assert "note: a note" in lines
    assert lines[-1] == "total: operations 2/5, responses 2/9 (22.2 %); 2 undocumented answers"
    assert "\033[" not in text
    assert "\033[32m" in text_report(report(), colour=True)
