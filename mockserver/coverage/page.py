"""The coverage report as one self-contained HTML page (inline CSS, no script, nothing fetched): the
totals, then per API a grid of its operations (rows) by the response codes it documents (columns),
each cell coloured: reached (with its count), documented but never reached, not documented for
that operation, or answered without being documented. Every string from a spec or a source is
escaped."""

from __future__ import annotations

from html import escape

from mockserver.coverage.model import ApiCoverage, CoverageReport, OperationCoverage, Totals

STYLE = """
:root { --bg: #fff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --head: #f6f8fa;
  --hit: #dafbe1; --hit-fg: #116329; --miss: #ffebe9; --miss-fg: #a40e26; --none: #f6f8fa;
  --undoc: #fbefff; --undoc-fg: #8250df; --bar: #2da44e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --head: #161b22;
    --hit: #12361f; --hit-fg: #56d364; --miss: #3d1418; --miss-fg: #ff7b72; --none: #161b22;
    --undoc: #2c1a47; --undoc-fg: #d2a8ff; --bar: #2ea043; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 0; }
h2 small { font-weight: normal; color: var(--muted); font-size: 14px; margin-left: 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 190px; }
.card b { display: block; font-size: 22px; }
.bar { height: 8px; background: var(--miss); border-radius: 4px; overflow: hidden; margin-top: 6px; }
.bar span { display: block; height: 100%; background: var(--bar); }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0 24px; color: var(--muted); }
.legend i { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px;
  margin-right: 6px; border: 1px solid var(--line); }
nav { margin-bottom: 24px; } nav a { margin-right: 16px; color: inherit; }
section { margin: 0 0 36px; }
.stats { margin: 6px 0 10px; } .stats .bar { max-width: 420px; }
.wrap { overflow: auto; max-height: 85vh; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: separate; border-spacing: 0; width: max-content; min-width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; white-space: nowrap; }
thead th { position: sticky; top: 0; background: var(--head); font-weight: 600; z-index: 1; }
thead th.code { text-align: center; min-width: 52px; }
thead th:first-child { left: 0; z-index: 2; text-align: left; }
tbody th { position: sticky; left: 0; background: var(--bg); text-align: left; font-weight: normal;
  border-right: 1px solid var(--line); }
td { text-align: center; font-variant-numeric: tabular-nums; }
td.hit { background: var(--hit); color: var(--hit-fg); font-weight: 600; }
td.miss { background: var(--miss); color: var(--miss-fg); }
td.none { background: repeating-linear-gradient(45deg, var(--none), var(--none) 4px, transparent 4px,
  transparent 8px); }
td.undoc { background: var(--undoc); color: var(--undoc-fg); font-weight: 700; outline: 2px solid var(--undoc-fg);
  outline-offset: -2px; }
td.row { color: var(--muted); text-align: right; }
.method { display: inline-block; min-width: 58px; font-weight: 700; font-size: 12px; }
.GET { color: #0969da; } .POST { color: #1a7f37; } .PUT, .PATCH { color: #9a6700; } .DELETE { color: #cf222e; }
.opid { color: var(--muted); margin-left: 8px; }
footer { color: var(--muted); border-top: 1px solid var(--line); padding-top: 12px; }
"""


def html_report(report: CoverageReport) -> str:
    totals = report.totals
    source = escape(report.source) + (f", session <code>{escape(report.session)}</code>" if report.session else "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>API coverage: {escape(report.source)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<header><h1>API coverage</h1>",
        f'<div class="muted">{source}</div>',
        _cards(totals),
        _legend(),
    ]
    parts += [f"<p>{escape(note)}</p>" for note in report.notes]
    if len(report.apis) > 1:
        links = " ".join(
            f'<a href="#api-{escape(api.name)}">{escape(api.name)}</a> <span class="muted">'
            f"{api.totals.percent:.1f}&nbsp;%</span>"
            for api in report.apis
        )
        parts.append(f"<nav>{links}</nav>")
    parts.append("</header>")
    parts += [_section(api) for api in report.apis]
    parts.append(
        "<footer>Coverage is the documented responses reached over the documented responses, every "
        "operation's counted: a status counts for its own code, else its range (<code>4XX</code>), else "
        "<code>default</code>. Made by <code>mockserver coverage</code>.</footer></body></html>"
    )
    return "\n".join(parts) + "\n"


def _bar(percent: float) -> str:
    return f'<div class="bar" role="img" aria-label="{percent:.1f} %"><span style="width:{percent:.1f}%"></span></div>'


def _cards(totals: Totals) -> str:
    operations = 100.0 * totals.operations_reached / totals.operations if totals.operations else 100.0
    cards = [
        (
            "Responses reached",
            f"{totals.percent:.1f} %",
            f"{totals.responses_reached} of {totals.responses} documented",
            _bar(totals.percent),
        ),
        (
            "Operations reached",
            f"{totals.operations_reached} / {totals.operations}",
            "called at least once",
            _bar(operations),
        ),
        ("Undocumented answers", str(totals.undocumented), "statuses no response documents", ""),
        ("Unmatched requests", str(totals.unmatched), "named no documented operation", ""),
    ]
    inner = "".join(
        f'<div class="card"><span class="muted">{name}</span><b>{value}</b>'
        f'<span class="muted">{detail}</span>{bar}</div>'
        for name, value, detail, bar in cards
    )
    return f'<div class="cards">{inner}</div>'


def _legend() -> str:
    items = [
        ("var(--hit)", "reached (answers)"),
        ("var(--miss)", "documented, never reached"),
        ("var(--none)", "not documented for the operation"),
        ("var(--undoc)", "answered, not documented"),
    ]
    inner = "".join(f'<span><i style="background:{colour}"></i>{label}</span>' for colour, label in items)
    return f'<div class="legend">{inner}</div>'


def _section(api: ApiCoverage) -> str:
    totals = api.totals
    where = escape(api.base_path) if api.base_path else "at the root"
    columns = api.columns()
    head = "".join(f'<th class="code" scope="col">{escape(code)}</th>' for code in columns)
    rows = "\n".join(_row(operation, columns) for operation in api.operations)
    unmatched = ""
    if api.unmatched:
        counts = ", ".join(f"{status}&nbsp;×&nbsp;{count}" for status, count in api.unmatched.items())
        unmatched = (
            f'<p class="muted">{totals.unmatched} requests named no documented operation of this API ({counts}).</p>'
        )
    return (
        f'<section id="api-{escape(api.name)}"><h2>{escape(api.name)}<small>{escape(api.title)} · '
        f"<code>{where}</code></small></h2>"
        f'<div class="stats">operations {totals.operations_reached}/{totals.operations} · responses '
        f"{totals.responses_reached}/{totals.responses} (<b>{totals.percent:.1f}&nbsp;%</b>)"
        f"{' · ' + str(totals.undocumented) + ' undocumented answers' if totals.undocumented else ''}"
        f"{_bar(totals.percent)}</div>"
        f'<div class="wrap"><table><thead><tr><th scope="col">Operation</th>{head}'
        f'<th scope="col">Reached</th></tr></thead><tbody>\n{rows}\n</tbody></table></div>{unmatched}</section>'
    )


def _row(operation: OperationCoverage, columns: list[str]) -> str:
    by_code = {r.code: r for r in operation.responses}
    cells = []
    for column in columns:
        response = by_code.get(column)
        if response is not None:
            statuses = ", ".join(f"{s}: {n}" for s, n in response.statuses.items())
            if response.reached:
                tip = f"{column}: {_answers(response.count)}" + (f" ({statuses})" if not column.isdigit() else "")
                cells.append(f'<td class="hit" title="{escape(tip)}">{response.count}</td>')
            else:
                cells.append(f'<td class="miss" title="{escape(column)}: documented, never answered">0</td>')
        elif column.isdigit() and int(column) in operation.undocumented:
            count = operation.undocumented[int(column)]
            cells.append(f'<td class="undoc" title="{escape(column)}: {_answers(count)}, not documented">{count}</td>')
        else:
            cells.append('<td class="none"></td>')
    reached = sum(1 for r in operation.responses if r.reached)
    label = (
        f'<span class="method {escape(operation.method)}">{escape(operation.method)}</span>'
        f"<code>{escape(operation.path)}</code>"
        + (f'<span class="opid">{escape(operation.operation_id)}</span>' if operation.operation_id else "")
    )
    row = f'<td class="row">{reached}/{len(operation.responses)}</td>'
    return f'<tr><th scope="row">{label}</th>{"".join(cells)}{row}</tr>'


def _answers(count: int) -> str:
    return f"{count} answer" if count == 1 else f"{count} answers"
