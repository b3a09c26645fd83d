"""``mockserver diff OLD NEW``: the changes between two versions of a spec, classed by the
catalogue; exit 0 when nothing breaks for the sides ``--fail-on`` selects, 1 when a breaking
change is not accepted, 2 on a usage error (unreadable spec, bad git ref, not OpenAPI 3.0)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mockserver.diff.accept import apply, load_acceptances
from mockserver.diff.compare import diff_documents
from mockserver.diff.report import FAIL_ON, Report, json_report, junit_report, text_report
from mockserver.diff.rules import RULES
from mockserver.diff.sources import SourceError, load

DESCRIPTION = (
    "List the changes between two versions of an OpenAPI 3.0 spec, each classed breaking or not for "
    "a client and for a server. OLD and NEW are files, or git versions written REF:path "
    "(HEAD~3:specs/portal.yaml). Exit 1 on a breaking change not accepted, 2 on a usage error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", nargs="?", metavar="OLD", help="the old spec: a file or REF:path")
    parser.add_argument("new", nargs="?", metavar="NEW", help="the new spec: a file or REF:path")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text", help="report format")
    parser.add_argument("--output", type=Path, help="write the report here instead of standard output")
    parser.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="client",
        help="which side's breaking changes fail (default: client)",
    )
    parser.add_argument(
        "--accept", type=Path, help="YAML list of accepted changes: {rule, operation?, location?, reason}"
    )
    parser.add_argument("--list-rules", action="store_true", help="print the rule catalogue and exit")


def build_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``diff`` to a command's subparsers (``mockserver diff``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diff", help="breaking changes between two versions of a spec", description=DESCRIPTION
    )
    add_arguments(parser)
    return parser


def list_rules() -> str:
    width = max(map(len, RULES))
    lines = [f"{'id':<{width}}  {'client':<12}  {'server':<12}  summary"]
    lines += [f"{r.id:<{width}}  {r.client:<12}  {r.server:<12}  {r.summary}" for r in RULES.values()]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        sys.stdout.write(list_rules())
        return 0
    if not args.old or not args.new:
        print("mockserver diff: OLD and NEW are required (files or REF:path)", file=sys.stderr)
        return 2
    try:
        old, new = load(args.old), load(args.new)
        acceptances = load_acceptances(args.accept) if args.accept else []
    except SourceError as exc:
        print(f"mockserver diff: {exc}", file=sys.stderr)
        return 2
    changes, unused = apply(diff_documents(old, new), acceptances)
    report = Report(args.old, args.new, changes, args.fail_on, unused)
    if args.format == "junit":
        output: bytes = junit_report(report)
    else:
        output = (json_report(report) if args.format == "json" else text_report(report)).encode()
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_bytes(output)
        except OSError as exc:
            print(f"mockserver diff: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
        if args.format != "text":  # the verdict stays visible in CI logs
            sys.stdout.write(text_report(report).splitlines()[-1] + "\n")
    else:
        sys.stdout.write(output.decode())
    for entry in unused:
        print(f"mockserver diff: warning: accept entry matches no change: {entry.describe()}", file=sys.stderr)
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mockserver diff", description=DESCRIPTION)
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse reported
        return exc.code if isinstance(exc.code, int) else 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
