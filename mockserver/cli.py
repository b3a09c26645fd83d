"""Command line: ``mockserver run`` serves every API (the Makefile's ``make run``)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from mockserver.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve every API in specs/ (settings also from PORT, HOST, SEED, ...)")
    run.add_argument("--host", help="interface to listen on (HOST; default 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (PORT; default 8000)")
    run.add_argument("--seed", type=int, help="data seed (SEED; default 1234)")
    run.add_argument(
        "--anchor-date",
        type=dt.date.fromisoformat,
        help="day generated dates are laid out around (ANCHOR_DATE; default today, UTC)",
    )
    run.add_argument("--volume", type=int, help="generated records per API (VOLUME; default 20)")
    run.add_argument("--api", action="append", dest="apis", help="serve only this API (repeatable)")
    run.add_argument(
        "--validate-responses",
        action="store_true",
        default=None,
        help="check every response against its spec (VALIDATE_RESPONSES)",
    )
    run.add_argument("--log-level", help="uvicorn log level (LOG_LEVEL; default warning)")

    lint = commands.add_parser("lint", help="check specs: OpenAPI structure plus the house rules")
    lint.add_argument("specs", nargs="*", type=Path, help="spec files (default: specs/*.yaml)")
    lint.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    lint.add_argument("--rule", action="append", dest="rules", help="run only this rule id (repeatable)")
    lint.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    return parser


def lint(args: argparse.Namespace) -> int:
    from mockserver.lint import RULES, lint_file
    from mockserver.lint.runner import has_errors, junit_report, text_report
    from mockserver.registry import SPECS_DIR

    if args.list_rules:
        for rule in RULES.values():
            print(f"{rule.id}  {rule.severity:<7}  {rule.summary}")
        return 0
    unknown = sorted(set(args.rules or ()) - set(RULES))
    if unknown:
        print(f"mockserver lint: unknown rule(s) {', '.join(unknown)}; see --list-rules", file=sys.stderr)
        return 2
    paths = args.specs or sorted(SPECS_DIR.glob("*.yaml"))
    results = {path: lint_file(path, args.rules) for path in paths}
    print(text_report(results))
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_bytes(junit_report(results))
    return 1 if has_errors(results) else 0


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=args.host,
        port=args.port,
        seed=args.seed,
        anchor_date=args.anchor_date,
        volume=args.volume,
        apis=tuple(args.apis) if args.apis else None,
        validate_responses=args.validate_responses,
        log_level=args.log_level,
    )


def run(settings: Settings) -> None:
    import uvicorn

    from mockserver.web.app import create_app

    server = create_app(settings)
    print(f"mockserver: seed {settings.seed}, anchor day {server.runtime.clock.anchor}", flush=True)
    for served in server.runtime.apis.values():
        base = f"http://{settings.host}:{settings.port}{served.definition.base_path}"
        print(f"  {served.name:<10} {base}  (docs {base}/ui/)", flush=True)
    print(f"  control    http://{settings.host}:{settings.port}/__admin/apis", flush=True)
    uvicorn.run(server, host=settings.host, port=settings.port, log_level=settings.log_level, workers=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "lint":
        return lint(args)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    if args.command == "run":
        run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
