"""Coverage of a spec by traffic: for each documented operation, which of its documented responses
were answered, how often, and which were never reached; statuses answered that it does not document.

A documented response is named as the spec writes it: a status (``"404"``), a range (``"4XX"``) or
``"default"``. An answered status counts for its own code if the operation documents it, else for
its range, else for ``default``; with none of them it is *undocumented*. The percentage is the
documented responses reached over the documented responses, every operation's counted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from mockserver.engine.coverage import Observed, spec_operations

SCHEMA_VERSION = 1


def documented_code(status: int, codes: Collection[str]) -> str | None:
    """The documented response of ``codes`` an answer of ``status`` counts for (``None``: none)."""
    exact = str(status)
    if exact in codes:
        return exact
    for written in (f"{status // 100}XX", f"{status // 100}xx"):
        if written in codes:
            return written
    return "default" if "default" in codes else None


def code_order(code: str) -> tuple[int, int, str]:
    """Statuses in order, each range right after its statuses, ``default`` last."""
    if code == "default" or not code[:1].isdigit():
        return (10, 0, code)
    return (int(code[0]), 0 if code.isdigit() else 1, code)


@dataclasses.dataclass(frozen=True)
class ResponseCoverage:
    """One documented response of an operation and the answers that counted for it."""

    code: str
    #: The statuses answered that counted for it (several for a range or ``default``).
    statuses: dict[int, int]

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def reached(self) -> bool:
        return self.count > 0


@dataclasses.dataclass(frozen=True)
class OperationCoverage:
    method: str
    #: The path template, as the spec writes it (under the API's base path).
    path: str
    operation_id: str | None
    responses: tuple[ResponseCoverage, ...]
    #: Statuses answered that the operation documents no response for.
    undocumented: dict[int, int]

    @property
    def requests(self) -> int:
        return sum(r.count for r in self.responses) + sum(self.undocumented.values())

    @property
    def reached(self) -> bool:
        return self.requests > 0

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclasses.dataclass(frozen=True)
class Totals:
    operations_reached: int = 0
    operations: int = 0
    responses_reached: int = 0
    responses: int = 0
    #: Answers with a status their operation does not document.
    undocumented: int = 0
    #: Requests that named no documented operation (an unknown path or method).
    unmatched: int = 0

    @property
    def percent(self) -> float:
        """Documented responses reached, in % of those documented (100 when none are)."""
        return 100.0 * self.responses_reached / self.responses if self.responses else 100.0

    def below(self, percent: float) -> bool:
        """Whether the coverage is under ``percent`` (exactly: no rounding decides it)."""
        return self.responses_reached * 100 < percent * self.responses

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))

    def line(self) -> str:
        """``operations 12/12, responses 31/45 (68.9 %)``: what a summary prints."""
        return (
            f"operations {self.operations_reached}/{self.operations}, "
            f"responses {self.responses_reached}/{self.responses} ({self.percent:.1f} %)"
        )


@dataclasses.dataclass(frozen=True)
class ApiCoverage:
    name: str
    title: str
    base_path: str
    operations: tuple[OperationCoverage, ...]
    #: Statuses of the requests to the API that named none of its operations.
    unmatched: dict[int, int]

    @property
    def totals(self) -> Totals:
        return Totals(
            operations_reached=sum(1 for o in self.operations if o.reached),
            operations=len(self.operations),
            responses_reached=sum(1 for o in self.operations for r in o.responses if r.reached),
            responses=sum(len(o.responses) for o in self.operations),
            undocumented=sum(sum(o.undocumented.values()) for o in self.operations),
            unmatched=sum(self.unmatched.values()),
        )

    def columns(self) -> list[str]:
        """Every response code the API documents, and every undocumented status it answered."""
        codes = {r.code for o in self.operations for r in o.responses}
        codes |= {str(s) for o in self.operations for s in o.undocumented}
        return sorted(codes, key=code_order)


@dataclasses.dataclass(frozen=True)
class CoverageReport:
    apis: tuple[ApiCoverage, ...]
    #: Where the traffic came from (a report folder, a HAR file, a running mock).
    source: str
    #: The running mock's session the counts are of (``None``: the default state, or no mock).
    session: str | None = None
    #: What the reader should know about the input (exchanges without an answer, ...).
    notes: tuple[str, ...] = ()

    @property
    def totals(self) -> Totals:
        return sum((api.totals for api in self.apis), Totals())

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "source": self.source,
            "session": self.session,
            "notes": list(self.notes),
            "totals": _totals_dict(self.totals),
            "apis": [
                {
                    "name": api.name,
                    "title": api.title,
                    "basePath": api.base_path,
                    "totals": _totals_dict(api.totals),
                    "unmatched": _counts_list(api.unmatched),
                    "operations": [
                        {
                            "method": o.method,
                            "path": o.path,
                            "operationId": o.operation_id,
                            "requests": o.requests,
                            "responses": [
                                {
                                    "code": r.code,
                                    "count": r.count,
                                    "reached": r.reached,
                                    "statuses": _counts_list(r.statuses),
                                }
                                for r in o.responses
                            ],
                            "undocumented": _counts_list(o.undocumented),
                        }
                        for o in api.operations
                    ],
                }
                for api in self.apis
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CoverageReport:
        """The report :meth:`to_dict` gave (``GET /__admin/coverage``'s answer); ``KeyError``,
        ``TypeError`` or ``ValueError`` for anything else."""
        apis = tuple(
            ApiCoverage(
                name=str(api["name"]),
                title=str(api["title"]),
                base_path=str(api["basePath"]),
                unmatched=_counts(api["unmatched"]),
                operations=tuple(
                    OperationCoverage(
                        method=str(o["method"]),
                        path=str(o["path"]),
                        operation_id=o["operationId"],
                        responses=tuple(
                            ResponseCoverage(str(r["code"]), _counts(r["statuses"])) for r in o["responses"]
                        ),
                        undocumented=_counts(o["undocumented"]),
                    )
                    for o in api["operations"]
                ),
            )
            for api in data["apis"]
        )
        return cls(apis, str(data["source"]), data.get("session"), tuple(map(str, data.get("notes") or ())))


def api_coverage(name: str, title: str, base_path: str, spec: Mapping[str, Any], observed: Observed) -> ApiCoverage:
    """The coverage of ``spec``'s operations by what ``observed`` counted."""
    operations = []
    for ref in spec_operations(spec):
        answered = observed.operations.get(ref.key, {})
        counted: dict[str, dict[int, int]] = {code: {} for code in ref.responses}
        undocumented: dict[int, int] = {}
        for status, count in sorted(answered.items()):
            code = documented_code(status, ref.responses)
            (undocumented if code is None else counted[code])[status] = count
        responses = tuple(ResponseCoverage(code, counted[code]) for code in sorted(counted, key=code_order))
        operations.append(OperationCoverage(ref.method, ref.template, ref.operation_id, responses, undocumented))
    return ApiCoverage(name, title, base_path, tuple(operations), dict(sorted(observed.unmatched.items())))


def _totals_dict(totals: Totals) -> dict[str, Any]:
    return {
        "operations": {"reached": totals.operations_reached, "documented": totals.operations},
        "responses": {"reached": totals.responses_reached, "documented": totals.responses},
        "percent": round(totals.percent, 1),
        "undocumented": totals.undocumented,
        "unmatched": totals.unmatched,
    }


def _counts_list(counts: Mapping[int, int]) -> list[dict[str, int]]:
    return [{"status": status, "count": count} for status, count in sorted(counts.items())]


def _counts(items: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    return {int(item["status"]): int(item["count"]) for item in items}
