"""``mockserver contract``: Schemathesis against a deployment of one API or all, with our specs.

Schemathesis does the work (phases, checks, progress display, JUnit/HAR/VCR reports); this module
picks the spec, the URL and the credentials for each API, writes the run's Schemathesis
configuration (``schemathesis.toml`` plus the credentials of this run, referenced through an
environment variable so that no secret lands in a report folder; with a peer, a WFC document
outside it: ``contract.wfc``), runs ``schemathesis run`` and
prints a summary per operation from its JUnit report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import tomli_w

from mockserver.contract.credentials import Credential, CredentialError, auth_config, resolve, scheme_headers
from mockserver.contract.lifecycle import Phases, credential_headers, walk_api
from mockserver.contract.lifecycle_report import REPORT_NAME, report
from mockserver.contract.links import dictionary_values
from mockserver.contract.parentkeys import parent_keys
from mockserver.contract.wfc import WFC_ENV, private_document, wfc_auth, wfc_document
from mockserver.coverage.cli import folder_coverage
from mockserver.engine.paths import PACKAGED_CONTRACT_SETTINGS
from mockserver.engine.registry import ApiDefinition
from mockserver.generic.definition import GenericApi

CREDENTIAL_ENV = "MOCKSERVER_CONTRACT_CREDENTIAL"
#: The repository's Schemathesis settings (its operations' documented exceptions), as the package ships them.
DEFAULT_CONFIG = PACKAGED_CONTRACT_SETTINGS


@dataclasses.dataclass(frozen=True)
class ContractOptions:
    """Every setting of a contract run, with its default."""

    base_url: str
    #: APIs to check; empty means every API of the registry.
    apis: tuple[str, ...] = ()
    report_dir: Path = Path("reports/contract")
    #: Report formats Schemathesis writes (junit, har, vcr, ...); JUnit and HAR are always written.
    reports: tuple[str, ...] = ("junit", "har")
    config_file: Path = DEFAULT_CONFIG
    #: Extra ``Name: value`` headers sent with every request.
    headers: tuple[str, ...] = ()
    token: str | None = None
    username: str | None = None
    password: str | None = None
    #: A second identity for the ``object_level_authorization`` check (its token, or user to log in).
    peer_token: str | None = None
    peer_username: str | None = None
    peer_password: str | None = None
    #: Against our mock, with its first demo user, take its second as the peer when none is given.
    use_peer: bool = True
    #: Ask ``/__admin/apis`` for demo credentials when none are given (our own mock).
    use_admin: bool = True
    #: The mock's control-plane token (``ADMIN_TOKEN``), needed there when it listens off loopback.
    admin_token: str | None = None
    max_examples: int | None = None
    max_time: int | None = None
    #: Seconds an answer may take (``max_response_time``); ``None``: the API's project's limit.
    max_response_time: float | None = None
    seed: int | None = None
    #: One worker by default: CPython 3.11.7's ``ast`` is not thread-safe (gh-106905) and
    #: Hypothesis parses lambdas while it generates, which fails now and then under threads.
    workers: int = 1
    #: Schemathesis' phases and ``lifecycle`` (``contract.lifecycle``), comma-separated; ``None``: all.
    phases: str | None = None
    checks: str = "all"
    include_operation_ids: tuple[str, ...] = ()
    #: Passed to ``schemathesis run`` as they are.
    extra: tuple[str, ...] = ()


@dataclasses.dataclass
class ApiOutcome:
    api: str
    exit_code: int
    operations: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    problem: str | None = None
    #: The coverage line of the run's traffic (``mockserver.coverage``); ``None`` without a HAR.
    coverage: str | None = None
    #: The lifecycle pass's total line (``contract.lifecycle``); ``None`` when it did not run.
    lifecycle: str | None = None

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def run_contract(options: ContractOptions, registry: dict[str, ApiDefinition], out: TextIO | None = None) -> int:
    """Runs the contract check of every selected API; 0 only when nothing failed, 2 on bad usage."""
    out = out or sys.stdout
    names = options.apis or tuple(registry)
    unknown = sorted(set(names) - set(registry))
    if unknown:
        known = ", ".join(registry)
        print(f"mockserver contract: unknown API(s) {', '.join(unknown)}; known: {known}", file=sys.stderr)
        return 2
    if not options.config_file.is_file():
        print(f"mockserver contract: no Schemathesis settings at {options.config_file} (--config)", file=sys.stderr)
        return 2
    base_config = tomllib.loads(options.config_file.read_text(encoding="utf-8"))
    outcomes = [_run_api(registry[name], options, base_config, out) for name in names]
    print("\n" + "=" * 30 + " contract summary " + "=" * 30, file=out)
    for outcome in outcomes:
        failed = sum(1 for _, status, _ in outcome.operations if status in ("failed", "error"))
        verdict = "passed" if outcome.passed else "FAILED"
        detail = outcome.problem or f"{len(outcome.operations)} operations, {failed} with findings"
        print(f"  {outcome.api:<16} {verdict:<7} {detail}", file=out)
        if outcome.coverage:
            print(f"  {'':<16} {'':<7} coverage: {outcome.coverage}", file=out)
        if outcome.lifecycle:
            print(f"  {'':<16} {'':<7} lifecycle: {outcome.lifecycle}", file=out)
    print(f"  reports in {options.report_dir}", file=out)
    return 0 if all(o.passed for o in outcomes) else (2 if any(o.exit_code == 2 for o in outcomes) else 1)


def _run_api(definition: ApiDefinition, options: ContractOptions, base: dict[str, Any], out: TextIO) -> ApiOutcome:
    print(f"\n### {definition.name}: {definition.title}", file=out, flush=True)
    spec = definition.spec
    given = {h.split(":", 1)[0].strip().lower() for h in options.headers}
    credential: Credential | None = None
    if not scheme_headers(spec) & given:
        try:
            credential = resolve(
                definition,
                options.base_url,
                token=options.token,
                username=options.username,
                password=options.password,
                use_admin=options.use_admin,
                admin_token=options.admin_token,
            )
        except CredentialError as error:
            print(f"mockserver contract: {definition.name}: {error}", file=out)
            return ApiOutcome(definition.name, 2, problem=str(error))
    if credential is not None:
        print(f"credentials: {credential.source}", file=out, flush=True)
    elif spec.get("security"):
        print(
            "credentials: none (give --token, --username/--password or --header; operations that need "
            "them will only see 401s)",
            file=out,
            flush=True,
        )
    try:
        peer = _peer(definition, options, credential, out) if credential is not None else None
    except CredentialError as error:
        print(f"mockserver contract: {definition.name}: peer: {error}", file=out)
        return ApiOutcome(definition.name, 2, problem=f"peer: {error}")
    folder = options.report_dir / definition.name
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "schemathesis.toml"
    config = _config(base, definition, credential, peer)
    config_path.write_text(tomli_w.dumps(config), encoding="utf-8")
    phases = Phases.parse(options.phases)
    lifecycle = None
    if phases.lifecycle:
        # Walked before Schemathesis, reported after: its run deletes the records the docs name,
        # under which the examples create theirs (an apartment's notes, a project's entries).
        headers = credential_headers(spec, credential, options.headers)
        dictionaries = dictionary_values(config, definition.title)
        only = options.include_operation_ids
        # A spec served from the spec alone rarely has examples: its walk makes bodies up, and
        # takes its records' parents' keys from what the API lists (``contract.parentkeys``).
        invent = isinstance(definition, GenericApi)
        if isinstance(definition, GenericApi) and definition.generic is not None:
            prefix = options.base_url.rstrip("/") + definition.base_path
            dictionaries = {**parent_keys(definition.generic.model, prefix, headers), **dictionaries}
        lifecycle = walk_api(definition, options.base_url, headers, dictionaries, only=only, invent=invent)
    if phases.schemathesis == ():  # ``--phases lifecycle``: the lifecycle pass alone
        outcome = ApiOutcome(definition.name, 0)
    else:
        outcome = _schemathesis(definition, options, config_path, credential, peer, out)
    if lifecycle is not None:
        report(lifecycle, folder, out)
        outcome.lifecycle = lifecycle.line()
        if lifecycle.failed and outcome.exit_code == 0:
            outcome.exit_code = 1
    else:
        (folder / REPORT_NAME).unlink(missing_ok=True)
    return outcome


def _schemathesis(
    definition: ApiDefinition,
    options: ContractOptions,
    config_path: Path,
    credential: Credential | None,
    peer: Credential | None,
    out: TextIO,
) -> ApiOutcome:
    """``schemathesis run`` of the API; its per-operation summary and its traffic's coverage."""
    spec, folder = definition.spec, config_path.parent
    junit = folder / "junit.xml"
    argv = _argv(definition, options, config_path, folder)
    env = {**os.environ, CREDENTIAL_ENV: credential.token if credential else ""}
    # With a peer the tokens go in a WFC document, kept out of the report folder (``contract.wfc``).
    document = wfc_document(spec, credential, peer) if credential and peer else None
    with private_document(document) if document else contextlib.nullcontext() as wfc_path:
        if wfc_path is not None:
            env[WFC_ENV] = str(wfc_path)
        completed = subprocess.run(argv, env=env, check=False)
    outcome = ApiOutcome(definition.name, completed.returncode, _operations(junit))
    _print_operations(outcome, out)
    # The documented responses the run reached, from its HAR (``mockserver coverage``).
    prefix = urlsplit(options.base_url).path.rstrip("/") + definition.base_path
    covered = folder_coverage(folder, definition, prefix)
    if covered is not None:
        outcome.coverage = covered.totals.line()
        print(f"\n{definition.name}: coverage {outcome.coverage} ({folder / 'coverage.html'})", file=out, flush=True)
    return outcome


def _peer(
    definition: ApiDefinition, options: ContractOptions, credential: Credential, out: TextIO
) -> Credential | None:
    """The second identity of the run: the one given, or our mock's second demo user when the first
    is the main credential too (never the main identity again)."""
    given = bool(options.peer_token) or (options.peer_username is not None and options.peer_password is not None)
    main_given = bool(options.token) or (options.username is not None and options.password is not None)
    peer = None
    if given or options.use_peer:
        peer = resolve(
            definition,
            options.base_url,
            token=options.peer_token,
            username=options.peer_username,
            password=options.peer_password,
            use_admin=options.use_admin and not main_given and definition.demo_users_own_records,
            admin_token=options.admin_token,
            demo_user=1,
        )
    if peer is not None and peer.token == credential.token:
        raise CredentialError("the peer's token is the main credential's: give another user's")
    if peer is not None:
        print(f"peer: {peer.source}", file=out, flush=True)
    else:
        why = "" if definition.demo_users_own_records else f"{definition.name}'s demo users share their records; "
        print(f"peer: none (object-level authorization unchecked; {why}give --peer-token or --peer-username)", file=out)
    return peer


def _config(
    base: dict[str, Any], definition: ApiDefinition, credential: Credential | None, peer: Credential | None = None
) -> dict[str, Any]:
    """``schemathesis.toml`` with this run's auth on the API's project (and no other auth): with a
    peer, the WFC document of both identities, else the credential through OpenAPI's schemes."""
    config = {k: v for k, v in base.items() if k != "project"}
    projects = [dict(p) for p in base.get("project", [])]
    mine = next((p for p in projects if p.get("title") == definition.title), None)
    if mine is None:
        mine = {"title": definition.title}
        projects.append(mine)
    for project in projects:
        project.pop("auth", None)
    if credential is not None and peer is not None:
        mine["auth"] = wfc_auth()
    elif credential is not None:
        reference = Credential("${" + CREDENTIAL_ENV + "}", credential.source, credential.prefix)
        auth = auth_config(definition.spec, reference)
        if auth:
            mine["auth"] = auth
    config["project"] = projects
    return config


def _spec_for_schemathesis(definition: ApiDefinition, folder: Path) -> Path:
    """The spec file Schemathesis reads: the API's own, or for one served from a spec alone
    (``mockserver.generic``) the document it serves, whose made-up operationIds
    ``--include-operation-id`` then names, written into the report folder."""
    if not isinstance(definition, GenericApi):
        return definition.spec_file
    path = folder / "openapi.json"
    path.write_text(json.dumps(definition.spec), encoding="utf-8")
    return path


def _argv(definition: ApiDefinition, options: ContractOptions, config: Path, folder: Path) -> list[str]:
    # JUnit for the summary, HAR for the coverage: both always.
    reports = ["junit", "har", *[r for r in options.reports if r not in ("junit", "har")]]
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"]
    argv += [
        str(_spec_for_schemathesis(definition, folder)),
        "--url",
        options.base_url.rstrip("/") + definition.base_path,
    ]
    argv += ["--checks", options.checks, "--workers", str(options.workers), "--report", ",".join(reports)]
    argv += ["--report-dir", str(folder), "--report-junit-path", str(folder / "junit.xml")]
    for kind, suffix in (("har", "traffic.har"), ("vcr", "traffic.vcr.yaml")):
        if kind in reports:
            argv += [f"--report-{kind}-path", str(folder / suffix)]
    optional = {
        "--max-examples": options.max_examples,
        "--max-time": options.max_time,
        "--max-response-time": options.max_response_time,
        "--seed": options.seed,
        "--phases": Phases.parse(options.phases).argument,
    }
    for flag, value in optional.items():
        if value is not None:
            argv += [flag, str(value)]
    for header in options.headers:
        argv += ["--header", header]
    for operation_id in options.include_operation_ids:
        argv += ["--include-operation-id", operation_id]
    return argv + list(options.extra)


def _operations(junit: Path) -> list[tuple[str, str, str]]:
    """(operation, passed|failed|error|skipped, first line of the finding) per operation of the JUnit report."""
    if not junit.exists():
        return []
    rows: list[tuple[str, str, str]] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        status, detail = "passed", ""
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                status = {"failure": "failed", "error": "error", "skipped": "skipped"}[kind]
                text = (element.text or element.get("message") or "").strip()
                detail = _headline(text)
                break
        rows.append((case.get("name", "?"), status, detail))
    return rows


def _headline(text: str) -> str:
    """The finding's title: the first line that names a check (``- Response violates schema``...)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("- "):
            return line[2:]
    return lines[0] if lines else ""


def _print_operations(outcome: ApiOutcome, out: TextIO) -> None:
    if not outcome.operations:
        print(f"{outcome.api}: no JUnit report (exit code {outcome.exit_code})", file=out)
        return
    width = max(len(name) for name, _, _ in outcome.operations)
    print(f"\n{outcome.api}: per operation", file=out)
    for name, status, detail in outcome.operations:
        mark = {"passed": "ok  ", "failed": "FAIL", "error": "ERR ", "skipped": "skip"}[status]
        print(f"  {mark} {name:<{width}}  {detail}".rstrip(), file=out)
    out.flush()
