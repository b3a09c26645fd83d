"""``mockserver coverage``: which documented responses a contract run (its report folder), a HAR file
or a running mock's clients reached, as a terminal table, JSON or an HTML page; exit 1 under
``--fail-under``, 2 on input it cannot read."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from mockserver.coverage.har import HarApi, HarError, har_coverage, read_har
from mockserver.coverage.model import ApiCoverage, CoverageReport
from mockserver.coverage.page import html_report
from mockserver.coverage.text import text_report
from mockserver.engine.registry import ApiDefinition

DEFAULT_REPORT_DIR = Path("reports/contract")
HAR_NAME = "traffic.har"
HTML_NAME = "coverage.html"
DESCRIPTION = (
    "Which documented responses of each operation were answered, and which never were: from a "
    "`mockserver contract` report folder (each API's traffic.har; the default), any HAR file, or a running "
    "mock (its /__admin/coverage). The APIs: the packaged ones, or with --spec FILE any OpenAPI 3.0 spec's. "
    "Exit 1 when --fail-under is not met, 2 on input that cannot be read."
)


class InputError(Exception):
    """Input that cannot be read: exit 2."""


def build_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``coverage`` to a command's subparsers (``mockserver coverage``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "coverage", help="documented responses a contract run or a mock's traffic reached", description=DESCRIPTION
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help=f"a `mockserver contract` report folder (default {DEFAULT_REPORT_DIR})",
    )
    source.add_argument("--har", type=Path, metavar="FILE", help="a HAR file of traffic to the APIs (any client's)")
    source.add_argument("--url", help="a running mock, e.g. http://127.0.0.1:8000 (its /__admin/coverage)")
    parser.add_argument(
        "--api", action="append", dest="apis", metavar="NAME", help="only this API (repeatable; default all)"
    )
    parser.add_argument(
        "--spec",
        action="append",
        dest="spec_files",
        metavar="FILE",
        help="report on this OpenAPI 3.0 spec's operations, instead of the packaged APIs' "
        "(repeatable; SPEC_FILES; --api adds packaged ones)",
    )
    parser.add_argument("--session", metavar="NAME", help="--url: the session's counts instead of the default state's")
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="--url: the mock's control-plane token, when it has one (MOCKSERVER_ADMIN_TOKEN)",
    )
    parser.add_argument(
        "--prefix",
        metavar="PATH",
        help="--har with one --api (or --spec): the path the API is served under in the HAR "
        "(default: found from its paths)",
    )
    parser.add_argument(
        "--specs-dir", help="read the APIs' specs from this folder (SPECS_DIR; default: the packaged ones)"
    )
    parser.add_argument("--format", choices=("text", "json", "html"), default="text", help="report format")
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help=f"write the report here (default: standard output; html from a report folder: {HTML_NAME} in it)",
    )
    parser.add_argument(
        "--fail-under", type=float, metavar="PERCENT", help="exit 1 when less of the documented responses were reached"
    )
    return parser


def run(args: argparse.Namespace, registry: Mapping[str, ApiDefinition], out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        report = _report(args, registry)
    except InputError as exc:
        print(f"mockserver coverage: {exc}", file=sys.stderr)
        return 2
    written = _write(report, args, out)
    totals = report.totals
    if written is not None:
        print(f"coverage: {totals.line()} -> {written}", file=out)
    if args.fail_under is not None and totals.below(args.fail_under):
        print(
            f"mockserver coverage: {totals.percent:.1f} % of the documented responses were reached "
            f"({totals.responses_reached} of {totals.responses}), under --fail-under {args.fail_under:g}",
            file=sys.stderr,
        )
        return 1
    return 0


def _report(args: argparse.Namespace, registry: Mapping[str, ApiDefinition]) -> CoverageReport:
    if args.session is not None and args.url is None:
        raise InputError("--session goes with --url (a running mock's sessions)")
    if args.prefix is not None and (args.har is None or len(args.apis or ()) != 1):
        raise InputError("--prefix goes with --har and one --api")
    if args.url is not None:
        return _from_url(args)
    unknown = sorted(set(args.apis or ()) - set(registry))
    if unknown:
        raise InputError(f"unknown API(s) {', '.join(unknown)}; known: {', '.join(registry)}")
    names = list(args.apis or registry)
    if args.har is not None:
        try:
            exchanges, unanswered = read_har(args.har)
        except HarError as exc:
            raise InputError(str(exc)) from None
        prefixes = {names[0]: args.prefix.rstrip("/")} if args.prefix is not None else None
        return har_coverage(exchanges, [_har_api(registry[n]) for n in names], str(args.har), unanswered, prefixes)
    return _from_report_dir(args.report_dir or DEFAULT_REPORT_DIR, names, registry, explicit=bool(args.apis))


def _har_api(definition: ApiDefinition) -> HarApi:
    return HarApi(definition.name, definition.title, definition.base_path, definition.spec)


def _from_report_dir(
    folder: Path, names: list[str], registry: Mapping[str, ApiDefinition], *, explicit: bool
) -> CoverageReport:
    """Each API's ``traffic.har`` in the folder (those there, unless ``--api`` names them)."""
    if not folder.is_dir():
        raise InputError(f"no report folder {folder} (run `mockserver contract --report-dir {folder}` first)")
    apis: list[ApiCoverage] = []
    notes: list[str] = []
    for name in names:
        har = folder / name / HAR_NAME
        if not har.is_file():
            if explicit:
                raise InputError(f"no {HAR_NAME} for {name} in {folder}")
            continue
        try:
            exchanges, unanswered = read_har(har)
        except HarError as exc:
            raise InputError(str(exc)) from None
        part = har_coverage(exchanges, [_har_api(registry[name])], str(har), unanswered)
        apis += part.apis
        notes += [f"{name}: {note}" for note in part.notes]
    if not apis:
        raise InputError(f"no {HAR_NAME} in any API's folder of {folder} (run `mockserver contract` first)")
    return CoverageReport(tuple(apis), f"{folder} ({HAR_NAME} of each API)", notes=tuple(notes))


def _from_url(args: argparse.Namespace) -> CoverageReport:
    import httpx

    apis = list(args.apis or ())
    params = {"session": args.session} if args.session else {}
    if len(apis) == 1:
        params["api"] = apis[0]
    token = args.admin_token or os.environ.get("MOCKSERVER_ADMIN_TOKEN")
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    url = args.url.rstrip("/") + "/__admin/coverage"
    try:
        response = httpx.get(url, params=params, headers=headers, timeout=30.0)
    except httpx.HTTPError as exc:
        raise InputError(f"cannot reach {url}: {exc}") from None
    if response.status_code != 200:
        detail = response.text[:300].strip()
        raise InputError(f"{url} answered {response.status_code}: {detail}")
    try:
        report = CoverageReport.from_dict(response.json())
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{url} gave no coverage report ({type(exc).__name__}: {exc})") from None
    if apis:
        missing = sorted(set(apis) - {api.name for api in report.apis})
        if missing:
            raise InputError(f"the mock at {args.url} serves no API {', '.join(missing)}")
        report = CoverageReport(
            tuple(a for a in report.apis if a.name in apis), report.source, report.session, report.notes
        )
    return CoverageReport(report.apis, f"{args.url.rstrip('/')} ({report.source})", report.session, report.notes)


def _write(report: CoverageReport, args: argparse.Namespace, out: TextIO) -> Path | None:
    """Writes the report where it goes; the file, if it went to one."""
    target: Path | None = args.output
    if args.format == "html" and target is None and args.har is None and args.url is None:
        target = (args.report_dir or DEFAULT_REPORT_DIR) / HTML_NAME
    if args.format == "json":
        text = json.dumps(report.to_dict(), indent=2) + "\n"
    elif args.format == "html":
        text = html_report(report)
    else:
        colour = target is None and out.isatty() and "NO_COLOR" not in os.environ
        text = text_report(report, colour=colour)
    if target is None:
        out.write(text)
        out.flush()
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def folder_coverage(folder: Path, definition: ApiDefinition, prefix: str) -> CoverageReport | None:
    """The coverage of a ``mockserver contract`` run of one API from its report folder's
    ``traffic.har`` (its paths under ``prefix``), written beside it as ``coverage.json`` and
    ``coverage.html``; ``None`` when the run left no HAR that can be read."""
    try:
        exchanges, unanswered = read_har(folder / HAR_NAME)
    except HarError:
        return None
    api = _har_api(definition)
    report = har_coverage(exchanges, [api], str(folder / HAR_NAME), unanswered, {api.name: prefix})
    (folder / "coverage.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    (folder / HTML_NAME).write_text(html_report(report), encoding="utf-8")
    return report
