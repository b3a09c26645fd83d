"""Command line: ``mockserver run`` serves every API (the Makefile's ``make run``)."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import secrets
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# httpx imports its own command-line client when click, rich and pygments are installed (Schemathesis
# brings them): ~90 ms of every start, for a command this process never runs. Its fallback, an
# explanation to install them, takes its place.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from mockserver.settings import Settings  # noqa: E402
from mockserver.web.faults import FAULTS, check_faults  # noqa: E402

if TYPE_CHECKING:
    from mockserver.engine.registry import ApiDefinition
    from mockserver.web.app import MockServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    parser.add_argument("--version", action=PrintVersion, help="print the version and exit")
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
        "--spec",
        action="append",
        dest="spec_files",
        metavar="FILE",
        help="serve this OpenAPI 3.0 spec statefully from the spec alone, instead of the packaged APIs "
        "(repeatable; SPEC_FILES; --api adds packaged ones)",
    )
    run.add_argument(
        "--explain",
        action="store_true",
        help="with --spec: print what was inferred for each operation (resources, keys, answers) and exit",
    )
    run.add_argument("--locale", help="Faker's locale for the data of --spec APIs (LOCALE; default en_US)")
    run.add_argument(
        "--overrides",
        metavar="MODULE:NAME",
        help="with --spec: NAME(state) builds an object whose async methods answer their operations instead "
        "(a module or a .py file; SPEC_OVERRIDES)",
    )
    run.add_argument(
        "--specs-dir", help="read the APIs' specs from this folder (SPECS_DIR; default: the packaged ones)"
    )
    run.add_argument(
        "--fixtures-dir", help="read the APIs' fixtures from this folder (FIXTURES_DIR; default: the packaged ones)"
    )
    run.add_argument(
        "--state-dir", help="keep what clients change across restarts in this folder (STATE_DIR; default: nothing kept)"
    )
    run.add_argument(
        "--reload",
        action="store_true",
        help="restart on a change of the specs, fixtures or code, keeping the state (a broken spec keeps the old one)",
    )
    run.add_argument(
        "--validate-responses",
        action="store_true",
        default=None,
        help="check every response against its spec (VALIDATE_RESPONSES)",
    )
    run.add_argument("--log-level", help="uvicorn log level (LOG_LEVEL; default warning)")
    # A child of `run --reload` (``mockserver.reload``): the socket it serves on, the pipe it reports on.
    run.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    run.add_argument("--control-fd", type=int, help=argparse.SUPPRESS)
    run.add_argument(
        "--fault",
        action="append",
        dest="faults",
        metavar="NAME",
        help=f"break the contract on purpose, to test contract checks (FAULTS; repeatable; {', '.join(FAULTS)})",
    )

    lint = commands.add_parser("lint", help="check specs: OpenAPI structure plus the house rules")
    lint.add_argument(
        "specs", nargs="*", type=Path, help="spec files or folders of them (default: the specs --specs-dir names)"
    )
    lint.add_argument(
        "--spec",
        action="append",
        dest="spec_files",
        metavar="FILE",
        type=Path,
        default=[],
        help="lint this spec file (repeatable; the same as naming it among SPECS, with which it combines)",
    )
    lint.add_argument("--specs-dir", help="the specs to lint by default (SPECS_DIR; default: the packaged ones)")
    lint.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    lint.add_argument("--rule", action="append", dest="rules", help="run only this rule id (repeatable)")
    lint.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    contract = commands.add_parser(
        "contract",
        help="fuzz a deployment (or our mock) against the specs with Schemathesis",
        description="Runs Schemathesis (all phases, all checks) against BASE_URL for each API: the packaged "
        "ones, or with --spec FILE any OpenAPI 3.0 spec (beside the packaged ones --api names). Credentials: "
        "--token / --username and --password (also MOCKSERVER_TOKEN, MOCKSERVER_USERNAME, MOCKSERVER_PASSWORD), "
        "--header, or, against our mock, the demo user /__admin/apis publishes. A second user for the "
        "object-level authorization check: --peer-token / --peer-username and --peer-password, or, against our "
        "mock, its second demo user. Then the lifecycle pass walks every resource's life along the spec's "
        "links. Arguments after -- go to `schemathesis run` unchanged. Exit code 0 only when nothing failed.",
    )
    contract.add_argument(
        "--base-url", required=True, help="origin of the deployment, e.g. https://staging.example.com"
    )
    contract.add_argument("--api", action="append", dest="apis", help="check only this API (repeatable; default all)")
    contract.add_argument(
        "--spec",
        action="append",
        dest="spec_files",
        metavar="FILE",
        help="check the deployment against this OpenAPI 3.0 spec, instead of the packaged APIs "
        "(repeatable; SPEC_FILES; --api adds packaged ones)",
    )
    contract.add_argument(
        "--specs-dir", help="read the APIs' specs from this folder (SPECS_DIR; default: the packaged ones)"
    )
    contract.add_argument("--report-dir", type=Path, default=Path("reports/contract"), help="where reports go")
    contract.add_argument(
        "--report", default="junit,har", help="report formats: junit and har (always written), vcr (comma-separated)"
    )
    contract.add_argument("--config", type=Path, help="Schemathesis settings (default: the repo's schemathesis.toml)")
    contract.add_argument("-H", "--header", action="append", dest="headers", default=[], help="'Name: value' header")
    contract.add_argument("--token", help="bearer token or API key (MOCKSERVER_TOKEN)")
    contract.add_argument("--username", help="log in as this user, for APIs with a login (MOCKSERVER_USERNAME)")
    contract.add_argument("--password", help="password for --username (MOCKSERVER_PASSWORD)")
    contract.add_argument(
        "--peer-token", help="a second user's token: object-level authorization checks (MOCKSERVER_PEER_TOKEN)"
    )
    contract.add_argument("--peer-username", help="log in as this second user (MOCKSERVER_PEER_USERNAME)")
    contract.add_argument("--peer-password", help="password for --peer-username (MOCKSERVER_PEER_PASSWORD)")
    contract.add_argument(
        "--no-peer", action="store_true", help="against our mock, do not take its second demo user as the peer"
    )
    contract.add_argument("--no-admin", action="store_true", help="never ask /__admin/apis for demo credentials")
    contract.add_argument(
        "--admin-token", help="our mock's control-plane token, when it listens off loopback (MOCKSERVER_ADMIN_TOKEN)"
    )
    contract.add_argument("-n", "--max-examples", type=int, help="test cases per operation and phase")
    contract.add_argument("--max-time", type=int, help="time budget in seconds for each API")
    contract.add_argument(
        "--max-response-time",
        type=_positive_seconds,
        metavar="SECONDS",
        help="fail an answer slower than this (default: the API's project in schemathesis.toml)",
    )
    contract.add_argument("--seed", type=int, help="random seed (default: schemathesis.toml's)")
    contract.add_argument("-w", "--workers", type=int, default=1, help="concurrent workers (default 1)")
    contract.add_argument(
        "--phases",
        help="examples,coverage,fuzzing,stateful (Schemathesis') and lifecycle (each resource's create, read, "
        "update, delete and read again along the spec's links; lifecycle.xml); default: all; "
        "`--phases lifecycle` runs the lifecycle pass alone",
    )
    contract.add_argument("--checks", default="all", help="Schemathesis checks (default: all)")
    contract.add_argument(
        "--include-operation-id", action="append", dest="operation_ids", default=[], help="only this operation"
    )
    contract.add_argument("extra", nargs=argparse.REMAINDER, help="-- then arguments for `schemathesis run`")
    proxy = commands.add_parser(
        "proxy",
        help="forward to a deployment and check every request and response against the specs",
        description="Forwards every request to --target unchanged and reports what each exchange breaks in the "
        "X-Mockserver-Violations / X-Mockserver-Violation response headers and at /__admin/requests. The specs: "
        "the packaged APIs', or with --spec FILE any OpenAPI 3.0 spec (beside the packaged ones --api names).",
    )
    proxy.add_argument("--target", help="the deployment to forward to, e.g. https://staging.example.com (TARGET)")
    proxy.add_argument("--host", help="interface to listen on (HOST; default 127.0.0.1)")
    proxy.add_argument("--port", type=int, help="port (PORT; default 8000)")
    proxy.add_argument("--api", action="append", dest="apis", help="check only this API's spec (repeatable)")
    proxy.add_argument(
        "--spec",
        action="append",
        dest="spec_files",
        metavar="FILE",
        help="check the traffic against this OpenAPI 3.0 spec, instead of the packaged APIs "
        "(repeatable; SPEC_FILES; --api adds packaged ones)",
    )
    proxy.add_argument(
        "--specs-dir", help="read the APIs' specs from this folder (SPECS_DIR; default: the packaged ones)"
    )
    proxy.add_argument("--timeout", type=float, help="seconds to wait for the target (TARGET_TIMEOUT; default 30)")
    proxy.add_argument("--log-level", help="uvicorn log level (LOG_LEVEL; default warning)")
    from mockserver.diff.cli import build_parser as diff_parser

    diff_parser(commands)
    from mockserver.coverage.cli import build_parser as coverage_parser

    coverage_parser(commands)
    return parser


def proxy(args: argparse.Namespace) -> int:
    import uvicorn

    from mockserver.proxy import ProxyApp
    from mockserver.web.adminguard import AdminGuard

    try:
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            apis=tuple(args.apis) if args.apis else None,
            target=args.target,
            target_timeout=args.timeout,
            log_level=args.log_level,
            specs_dir=args.specs_dir,
            spec_files=_spec_files(args),
        )
        settings, registry = checked_apis(settings)
        settings = with_admin_token(settings)
        app = ProxyApp(settings, registry)
    except ValueError as exc:
        print(f"mockserver proxy: {exc}", file=sys.stderr)
        return 2
    origin = f"http://{settings.host}:{settings.port}"
    print(f"mockserver proxy: {origin} -> {app.target}; violations at {origin}/__admin/requests", flush=True)
    if settings.admin_token:
        print(f"  control plane token (Authorization: Bearer ...): {settings.admin_token}", flush=True)
    # Its journal is a control plane like the mock's: not for web pages, and off loopback behind a token.
    uvicorn.run(AdminGuard(app, settings.admin_token), **_uvicorn_options(settings))
    return 0


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):  # NaN too
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def _spec_files(args: argparse.Namespace) -> tuple[str, ...] | None:
    """``--spec``'s files (``None`` without: ``SPEC_FILES`` or none)."""
    return tuple(str(file) for file in args.spec_files) if args.spec_files else None


def checked_apis(settings: Settings) -> tuple[Settings, dict[str, ApiDefinition]]:
    """The APIs a command checks, as the settings serve them (``apis.served_registry``: with ``--spec``, an
    API from each beside the packaged ones ``--api`` names; else the packaged ones). A spec that
    cannot be served or an unknown API raises ``ValueError``."""
    from mockserver.apis import served_registry
    from mockserver.engine.registry import as_served

    settings, registry = served_registry(settings)
    return settings, as_served(registry, settings)


def _checked_from(args: argparse.Namespace, command: str) -> tuple[Settings, dict[str, ApiDefinition]] | None:
    """:func:`checked_apis` for ``--specs-dir``, ``--api`` and ``--spec``; a refusal is a line on stderr."""
    try:
        return checked_apis(
            Settings.from_env(
                specs_dir=args.specs_dir, apis=tuple(args.apis or ()) or None, spec_files=_spec_files(args)
            )
        )
    except ValueError as exc:
        print(f"mockserver {command}: {exc}", file=sys.stderr)
        return None


def contract(args: argparse.Namespace) -> int:
    import os

    from mockserver.contract.runner import ContractOptions, run_contract

    checked = _checked_from(args, "contract")
    if checked is None:
        return 2
    settings, registry = checked
    extra = tuple(args.extra[1:] if args.extra[:1] == ["--"] else args.extra)
    options = ContractOptions(
        base_url=args.base_url,
        # With spec files, their APIs and the packaged ones --api names; else --api's (none: all).
        apis=settings.apis if settings.spec_files else tuple(args.apis or ()),
        report_dir=args.report_dir,
        reports=tuple(r.strip() for r in args.report.split(",") if r.strip()),
        headers=tuple(args.headers),
        token=args.token or os.environ.get("MOCKSERVER_TOKEN") or None,
        username=args.username or os.environ.get("MOCKSERVER_USERNAME") or None,
        password=args.password or os.environ.get("MOCKSERVER_PASSWORD") or None,
        peer_token=args.peer_token or os.environ.get("MOCKSERVER_PEER_TOKEN") or None,
        peer_username=args.peer_username or os.environ.get("MOCKSERVER_PEER_USERNAME") or None,
        peer_password=args.peer_password or os.environ.get("MOCKSERVER_PEER_PASSWORD") or None,
        use_peer=not args.no_peer,
        use_admin=not args.no_admin,
        admin_token=args.admin_token or os.environ.get("MOCKSERVER_ADMIN_TOKEN") or None,
        max_examples=args.max_examples,
        max_time=args.max_time,
        max_response_time=args.max_response_time,
        seed=args.seed,
        workers=args.workers,
        phases=args.phases,
        checks=args.checks,
        include_operation_ids=tuple(args.operation_ids),
        extra=extra,
        **({"config_file": args.config} if args.config else {}),
    )
    return run_contract(options, registry)


def coverage(args: argparse.Namespace) -> int:
    from mockserver.coverage.cli import run as report_coverage

    checked = _checked_from(args, "coverage")
    if checked is None:
        return 2
    settings, registry = checked
    if settings.spec_files:  # the spec files' APIs are named as --api names APIs (and the packaged ones it names)
        args = argparse.Namespace(**{**vars(args), "apis": list(settings.apis)})
    return report_coverage(args, registry)


def lint(args: argparse.Namespace) -> int:
    from mockserver.engine.paths import specs_dir
    from mockserver.lint import RULES, lint_file
    from mockserver.lint.runner import has_errors, junit_report, spec_files, text_report

    if args.list_rules:
        for rule in RULES.values():
            print(f"{rule.id}  {rule.severity:<7}  {rule.summary}")
        return 0
    unknown = sorted(set(args.rules or ()) - set(RULES))
    if unknown:
        print(f"mockserver lint: unknown rule(s) {', '.join(unknown)}; see --list-rules", file=sys.stderr)
        return 2
    try:
        named = [*args.specs, *args.spec_files]
        paths = spec_files(named or [specs_dir(Settings.from_env(specs_dir=args.specs_dir))])
    except ValueError as exc:
        print(f"mockserver lint: {exc}", file=sys.stderr)
        return 2
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
        faults=tuple(args.faults) if args.faults else None,
        specs_dir=args.specs_dir,
        fixtures_dir=args.fixtures_dir,
        state_dir=args.state_dir,
        spec_files=_spec_files(args),
        locale=args.locale,
        spec_overrides=args.overrides,
    )


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    """One worker on the settings' address; the access log only where its level shows it (below
    ``info`` uvicorn would still work out each line's fields, ~3 µs a request, to drop it). The
    HTTP protocol bounds request heads (size, count, time to send them: ``mockserver.web.protocol``)
    and a shutdown waits ``shutdown_timeout`` for requests in flight, then closes them."""
    from mockserver.web.protocol import http_protocol

    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": settings.log_level in ("trace", "debug", "info"),
        "workers": 1,
        "http": http_protocol(settings),
        "timeout_graceful_shutdown": settings.shutdown_timeout,
    }


def with_admin_token(settings: Settings) -> Settings:
    """Off loopback, anyone who can reach the port could read demo passwords and wipe the data: the
    control plane then needs a token, a new one each start unless ``ADMIN_TOKEN`` is set."""
    from mockserver.engine.hosts import is_loopback_host

    if settings.admin_token or is_loopback_host(settings.host):
        return settings
    return settings.replace(admin_token=secrets.token_urlsafe(24))


def run(settings: Settings) -> None:
    import uvicorn

    from mockserver.engine.persistence import StateRefused
    from mockserver.web.app import create_app

    settings = with_admin_token(settings)
    try:
        server = create_app(settings)
    except StateRefused as exc:  # another server on the folder, or a state kept with other settings
        print(f"mockserver: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    try:
        print_banner(settings, server)
        # What is built by now (specs, Connexion's app, the seeded data) lives as long as the process:
        # out of the collector's full passes, which would walk it again and again under load (HomeQ's
        # inventory page over sockets: 1,117 -> 1,322 req/s).
        gc.freeze()
        serve(uvicorn.run, server, settings)
    finally:
        server.runtime.close()  # the last changes written, the state folder let go


def serve(run_server: Callable[..., None], app: Any, settings: Settings, **options: Any) -> None:
    """``run_server(app, ...)`` (``uvicorn.run``) until a shutdown, then returns, on SIGTERM as on
    Ctrl-C: uvicorn answers the requests in flight, then raises the signal it caught again, and
    SIGTERM's default action would end the process there, before what follows the server (writing
    the state) runs. Here SIGTERM is Ctrl-C's ``KeyboardInterrupt``, which uvicorn takes as done."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        run_server(app, **{**_uvicorn_options(settings), **options})
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_reloading(settings: Settings, argv: Sequence[str]) -> int:
    """``run --reload``: a supervisor (``mockserver.reload``) runs the server in a child and
    replaces it on a change of the specs, fixtures or code."""
    from mockserver import reload

    return reload.supervise(with_admin_token(settings), argv)


def serve_inherited(settings: Settings, listen_fd: int, control_fd: int) -> int:
    """A child of ``run --reload``: builds the server, tells the supervisor it is ready, waits for
    its go, then serves on the socket it inherited (the supervisor's, open across restarts)."""
    import asyncio
    import socket

    from mockserver import reload

    channel = reload.ChildChannel(control_fd)
    try:
        import uvicorn

        from mockserver.web.app import create_app
    except Exception as exc:  # the code is broken: the supervisor says why, the previous version serves on
        channel.failed(reload.describe_failure(exc, settings))
        return 1
    if not channel.loaded():
        return 0  # a spare that was not needed
    try:
        server, fresh = reload.build_standby(settings, create_app)
    except Exception as exc:
        channel.failed(reload.describe_failure(exc, settings))
        return 1
    command = channel.ready()
    if command is None:
        return 0  # not wanted any more (a newer change, or the supervisor stops)
    if server is None:  # the state folder is free now: the server on it, its state restored
        if fresh:
            reload.forget_state(settings.state_dir)
            print("mockserver: the state kept across reloads does not fit this version: seeded afresh", flush=True)
        try:
            server = create_app(settings)
        except Exception as exc:
            channel.failed(reload.describe_failure(exc, settings))
            return 1
    if command.get("banner"):
        print_banner(settings, server, private_state=reload.private_state(settings))
    gc.freeze()
    channel.stop_with_supervisor()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                channel.serving()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # No more accepting: new connections wait in the backlog for the next child. uvicorn's
            # shutdown closes every connection without a request yet, those it accepted a moment
            # ago too, whose request is on its way: a short wait lets it in, to be answered.
            for listening in self.servers:
                listening.close()
            await asyncio.sleep(0.05)
            await super().shutdown(sockets=sockets)

    def run_server(app: Any, **options: Any) -> None:
        Server(uvicorn.Config(app, **options)).run(sockets=[socket.socket(fileno=listen_fd)])

    try:
        serve(run_server, server, settings)
    finally:
        server.runtime.close()  # what is left of the state written, the folder let go
        channel.stopped()
    return 0


def print_banner(settings: Settings, server: MockServer, private_state: bool = False) -> None:
    """What ``mockserver run`` prints at start: the seed, the anchor day, the state restored, where
    each API is (``private_state``: the state folder is ``run --reload``'s own, not worth a line)."""
    if settings.faults:
        print(f"mockserver: FAULT MODE {', '.join(settings.faults)}: this server breaks its contract", flush=True)
    print(f"mockserver: seed {settings.seed}, anchor day {server.runtime.clock.anchor}", flush=True)
    kept = server.runtime.persistence
    if kept is not None and not private_state:
        restored = sum(kept.restored.values())
        taken = " (the state's: no ANCHOR_DATE given)" if settings.anchor_date is None and restored else ""
        print(
            f"mockserver: state kept in {kept.path}: {restored} records and {kept.restored_sessions} sessions "
            f"restored{taken}",
            flush=True,
        )
    for served in server.runtime.apis.values():
        base = f"http://{settings.host}:{settings.port}{served.definition.base_path}"
        print(f"  {served.name:<10} {base}  (docs {base}/ui/)", flush=True)
    print(f"  control    http://{settings.host}:{settings.port}/__admin/apis", flush=True)
    if settings.admin_token:
        print(f"  control plane token (Authorization: Bearer ...): {settings.admin_token}", flush=True)


class PrintVersion(argparse.Action):
    """``--version``: ``mockserver <version>``, then exit 0 (the version looked up only then)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"mockserver {version()}")
        parser.exit()


def version() -> str:
    """The installed distribution's version (the package's own in a checkout that is not installed)."""
    import importlib.metadata

    try:
        return importlib.metadata.version("mockserver")
    except importlib.metadata.PackageNotFoundError:
        from mockserver import __version__

        return __version__


def explain(settings: Settings) -> int:
    """``run --spec FILE --explain``: each spec's model (``generic.explain``), nothing served."""
    from mockserver.generic.definition import SpecRefused, load_specs
    from mockserver.generic.explain import text

    if not settings.spec_files:
        print("mockserver: --explain needs --spec FILE", file=sys.stderr)
        return 2
    try:
        for spec in load_specs(settings.spec_files):
            print(text(spec) + "\n", flush=True)
    except SpecRefused as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "lint":
        return lint(args)
    if args.command == "contract":
        return contract(args)
    if args.command == "diff":
        from mockserver.diff.cli import run as diff

        return diff(args)
    if args.command == "proxy":
        return proxy(args)
    if args.command == "coverage":
        return coverage(args)
    try:
        settings = settings_from(args)
        check_faults(settings.faults)
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    if args.command == "run":
        if args.explain:
            return explain(settings)
        if args.reload:
            return run_reloading(settings, sys.argv[1:] if argv is None else argv)
        if args.listen_fd is not None and args.control_fd is not None:
            return serve_inherited(settings, args.listen_fd, args.control_fd)
        try:
            run(settings)
        except ValueError as exc:
            # A spec or fixtures folder not in --specs-dir / --fixtures-dir (``MissingDataError``), a
            # --spec that cannot be served (``SpecRefused``), an unknown --api: a line, no traceback.
            print(f"mockserver: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
