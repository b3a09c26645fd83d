"""The coverage report as a terminal table: a line per operation (its mark, method, path and
operationId, the responses reached with their counts, those never reached, statuses it does not
document), the totals after each API and at the end. Plain ASCII; colour only when asked (a TTY)."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.coverage.model import ApiCoverage, CoverageReport, OperationCoverage, ResponseCoverage

LEGEND = "[x] every documented response reached  [~] some  [ ] none  [!] an undocumented status answered"
GREEN, RED, MAGENTA, BOLD, DIM, RESET = "\033[32m", "\033[31m", "\033[35m", "\033[1m", "\033[2m", "\033[0m"


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if self.colour and text else text


def text_report(report: CoverageReport, colour: bool = False) -> str:
    paint = _Paint(colour)
    title = f"coverage of {report.source}" + (f", session {report.session}" if report.session else "")
    lines = [paint(title, BOLD), paint(LEGEND, DIM)]
    for api in report.apis:
        lines += ["", *_api_lines(api, paint)]
    for note in report.notes:
        lines.append(f"note: {note}")
    totals = report.totals
    extra = f"; {totals.undocumented} undocumented answers" if totals.undocumented else ""
    lines += ["", paint(f"total: {totals.line()}{extra}", BOLD)]
    return "\n".join(lines) + "\n"


def _api_lines(api: ApiCoverage, paint: _Paint) -> list[str]:
    totals = api.totals
    where = f" ({api.base_path})" if api.base_path else " (at the root)"
    lines = [paint(f"{api.name}: {api.title}{where}", BOLD), f"  {totals.line()}"]
    if not api.operations:
        return [*lines, "  (no documented operations)"]
    method_width = max(len(o.method) for o in api.operations)
    path_width = max(len(o.path) for o in api.operations)
    id_width = max(len(o.operation_id or "") for o in api.operations)
    for operation in api.operations:
        head = f"  {_mark(operation)} {operation.method:<{method_width}} {operation.path:<{path_width}}"
        head += f"  {operation.operation_id or '':<{id_width}}"
        lines.append(f"{head}  {_outcome(operation, paint)}".rstrip())
    if api.unmatched:
        lines.append(
            f"  unmatched: {sum(api.unmatched.values())} requests named no documented operation "
            f"({_counts(api.unmatched)})"
        )
    return lines


def _mark(operation: OperationCoverage) -> str:
    if operation.undocumented:
        return "[!]"
    reached = sum(1 for r in operation.responses if r.reached)
    if reached and reached == len(operation.responses):
        return "[x]"
    return "[~]" if reached else "[ ]"


def _outcome(operation: OperationCoverage, paint: _Paint) -> str:
    reached = [r for r in operation.responses if r.reached]
    never = [r.code for r in operation.responses if not r.reached]
    parts = []
    if reached:
        parts.append("reached " + paint(", ".join(_reached(r) for r in reached), GREEN))
    if never:
        parts.append("never " + paint(", ".join(never), RED))
    if operation.undocumented:
        parts.append("UNDOCUMENTED " + paint(_counts(operation.undocumented), MAGENTA))
    return "   ".join(parts)


def _reached(response: ResponseCoverage) -> str:
    """``200 x14``; for a range or ``default``, the statuses that counted for it too."""
    text = f"{response.code} x{response.count}"
    if not response.code.isdigit():
        text += f" ({_counts(response.statuses)})"
    return text


def _counts(counts: Mapping[int, int]) -> str:
    return ", ".join(f"{status} x{count}" for status, count in sorted(counts.items()))
