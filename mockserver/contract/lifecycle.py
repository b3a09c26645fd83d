"""The lifecycle pass of ``mockserver contract``: every resource's whole life, walked along the
spec's links, the same way on every run.

Schemathesis' stateful phase walks the links at random, so on a large spec it chains a record's
create, read, update, delete and read-after-delete for a few resources a run, a different few each
seed; no library we know walks the links deterministically with the two checks that need the whole
chain. This pass does, before Schemathesis' run of an API (whose fuzzing deletes the records the
docs name, under which the examples create theirs) and reported after it. A resource is an operation that creates
(a POST, or a PUT that answers 201) whose success response links to others: its links to GET and
HEAD operations are reads, to PATCH and PUT updates, to DELETE deletes. For each, in the spec's
order, it sends the create (its documented example), each read, each update, the reads again,
then each delete and what the delete's own response links to (a read or update that must now
answer 404, and a create that adds the record back and reads it: the record a documented example
names, such as a demo user's favourite, is back as it was);
after the delete it also sends the create's reads again. Two findings, titled as Schemathesis
titles them:

- **Created resource not found**: a read, update or delete of what a create just made answers 404;
- **Deleted resource still available**: a read or update after a successful delete answers 2xx.

Any other unexpected status is a note on the resource, not a finding (Schemathesis' checks judge
statuses). A resource whose create cannot be built or does not succeed is "not reached", with the
reason; at most :data:`MAX_REQUESTS` requests are sent per resource, and one resource's trouble
never stops the others (``contract.lifecycle_report`` writes the results).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from mockserver.contract.credentials import Credential
from mockserver.contract.links import (
    ABSENT,
    Exchange,
    Link,
    Operation,
    Request,
    Unbuildable,
    build,
    operations,
    success_links,
)
from mockserver.contract.wfc import fixed_headers
from mockserver.engine.registry import ApiDefinition

#: The pass's name in ``--phases``.
LIFECYCLE = "lifecycle"
NOT_FOUND = "Created resource not found"
STILL_AVAILABLE = "Deleted resource still available"
#: Requests one resource's walk may send (a create with many links sends about 16).
MAX_REQUESTS = 20
#: Requests of one step, when an answer is a 4xx (a 404 to a create: its parent record, an id
#: the docs fix, may have been deleted by the run before this pass): each with the next example
#: body and parameter values (``links.build``'s ``attempt``), while they differ.
ATTEMPTS = 3
TIMEOUT_SECONDS = 30.0
READS = frozenset({"GET", "HEAD"})
UPDATES = frozenset({"PATCH", "PUT"})
GONE = frozenset({404, 410})


@dataclasses.dataclass(frozen=True)
class Resource:
    create: Operation
    links: tuple[Link, ...]

    @property
    def name(self) -> str:
        return f"Lifecycle {self.create.label}"

    def linked(self, methods: frozenset[str]) -> list[Link]:
        return [link for link in self.links if link.target.method in methods]


@dataclasses.dataclass(frozen=True)
class Step:
    #: ``C``, ``R``, ``U``, ``D``; ``R404``/``U404`` after a delete; ``P`` a parent record created
    #: to create the resource through its link.
    label: str
    method: str
    path: str
    status: int
    expected: bool

    @property
    def short(self) -> str:
        return self.label if self.expected else f"{self.label}!{self.status}"

    def line(self) -> str:
        mark = "" if self.expected else "  (unexpected)"
        return f"{self.label:<5}{self.method} {self.path} -> {self.status}{mark}"


@dataclasses.dataclass
class Walk:
    """What one resource's walk sent and found."""

    resource: Resource
    steps: list[Step] = dataclasses.field(default_factory=list)
    #: Title -> the messages of its occurrences.
    findings: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Why the resource was not reached (its create not built, or not successful).
    skipped: str | None = None
    #: A transport error that ended the walk.
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if self.findings:
            return "failed"
        return "skipped" if self.skipped else "passed"

    @property
    def whole(self) -> bool:
        """Every step the links plan was taken and answered as expected."""
        return self.status == "passed" and not self.notes

    @property
    def trail(self) -> str:
        return "-".join(step.short for step in self.steps)

    def find(self, title: str, message: str) -> None:
        self.findings.setdefault(title, []).append(message)


@dataclasses.dataclass(frozen=True)
class Lifecycle:
    """The pass over one API."""

    api: str
    walks: tuple[Walk, ...]

    @property
    def failed(self) -> bool:
        return any(walk.status in ("failed", "error") for walk in self.walks)

    def line(self) -> str:
        if not self.walks:
            return "no resource (no create links to a read, an update or a delete)"
        whole = sum(1 for walk in self.walks if walk.whole)
        found = sum(len(walk.findings) for walk in self.walks)
        errors = sum(1 for walk in self.walks if walk.error)
        tail = f", {errors} errors" if errors else ""
        return f"{whole}/{len(self.walks)} resources walked whole, {found} findings{tail}"


def resources(spec: dict[str, Any]) -> list[Resource]:
    """The spec's resources in its order: each create whose success response links to a read, an
    update or a delete."""
    index = operations(spec)
    found = []
    for operation in index.values():
        if operation.method not in ("POST", "PUT"):
            continue
        if operation.method == "PUT" and "201" not in (operation.node.get("responses") or {}):
            continue  # a PUT that answers no 201 changes a record rather than creating one
        links = success_links(spec, operation, index)
        if any(link.target.method in READS | UPDATES | {"DELETE"} for link in links):
            found.append(Resource(operation, links))
    return found


def credential_headers(
    spec: dict[str, Any], credential: Credential | None, given: tuple[str, ...] = ()
) -> dict[str, str]:
    """The headers every request of the pass carries: the credential in the spec's schemes, and the
    run's own ``Name: value`` headers (which win)."""
    headers = {h["name"]: h["value"] for h in fixed_headers(spec, credential)} if credential else {}
    for header in given:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    return headers


def walk_api(
    definition: ApiDefinition,
    base_url: str,
    headers: Mapping[str, str],
    dictionaries: Mapping[str, list[Any]],
    *,
    only: tuple[str, ...] = (),
    client: httpx.Client | None = None,
    invent: bool = False,
) -> Lifecycle:
    """Walks every resource of ``definition`` at ``base_url`` (only the creates named in ``only``,
    when given); with ``invent``, bodies the spec has no example of are made from their schemas."""
    spec = definition.spec
    prefix = base_url.rstrip("/") + definition.base_path
    walks = []
    with client or httpx.Client(timeout=TIMEOUT_SECONDS) as http:
        for resource in resources(spec):
            if only and resource.create.operation_id not in only:
                continue
            walker = _Walker(http, prefix, spec, dictionaries, headers, Walk(resource), invent)
            walks.append(walker.run())
    return Lifecycle(definition.name, tuple(walks))


class _Budget(Exception):
    """The walk has sent :data:`MAX_REQUESTS` requests."""


class _Walker:
    """Sends one resource's requests and judges their answers into its :class:`Walk`."""

    def __init__(
        self,
        http: httpx.Client,
        prefix: str,
        spec: dict[str, Any],
        dictionaries: Mapping[str, list[Any]],
        headers: Mapping[str, str],
        walk: Walk,
        invent: bool = False,
    ) -> None:
        self.http, self.prefix, self.spec, self.dictionaries = http, prefix, spec, dictionaries
        self.invent = invent
        self.headers, self.walk = dict(headers), walk
        self.index = operations(spec)
        self.sent = 0
        #: The body of the last answer (a create's, when it fails, says why).
        self.text = ""
        #: The (method, path) of each request sent after the delete: none is sent twice.
        self.after: set[tuple[str, str]] = set()

    def run(self) -> Walk:
        try:
            self._life()
        except _Budget:
            self.walk.notes.append(f"stopped after {MAX_REQUESTS} requests")
        except httpx.HTTPError as error:
            self.walk.error = f"{type(error).__name__}: {error}"
        return self.walk

    def _life(self) -> None:
        resource = self.walk.resource
        created = self._create()
        if created is None:
            return
        reads = resource.linked(READS)
        for link in reads:
            self._present("R", link, created)
        changed = [self._present("U", link, created) for link in resource.linked(UPDATES)]
        if any(exchange is not None and _ok(exchange.status) for exchange in changed):
            for link in reads:
                self._present("R", link, created)
        for link in resource.linked(frozenset({"DELETE"})):
            deleted = self._present("D", link, created)
            if deleted is not None and _ok(deleted.status):
                self._after_delete(deleted, created, reads)

    def _create(self) -> Exchange | None:
        """The resource's create from its examples; when none succeeds, through the link of another
        create that leads to it (a listing for an apartment just created: ``P`` then ``C``)."""
        operation = self.walk.resource.create
        try:
            created = self._tries("C", operation, retry=_client_error)
        except Unbuildable as reason:
            why = f"create not built: {reason}"
        else:
            if created is not None:
                self._step("C", created, _ok(created.status))
                if _ok(created.status):
                    return created
                why = f"{operation.operation_id} answered {created.status}: {_excerpt(self.text)}"
        created = self._through_parent()
        if created is None:
            self.walk.skipped = why
        return created

    def _through_parent(self) -> Exchange | None:
        target = self.walk.resource.create
        for parent in self.index.values():
            if parent.method not in ("POST", "PUT") or parent == target:
                continue
            for link in success_links(self.spec, parent, self.index):
                if link.target != target:
                    continue
                try:
                    made = self._tries("P", parent, retry=_client_error)
                except Unbuildable:
                    break
                if made is None:
                    break
                self._step("P", made, _ok(made.status))
                if not _ok(made.status):
                    break
                created = self._follow("C", link, made)
                if created is not None:
                    self._step("C", created, _ok(created.status))
                return created if created is not None and _ok(created.status) else None
        return None

    def _present(self, label: str, link: Link, source: Exchange, made: Exchange | None = None) -> Exchange | None:
        """Follows ``link`` from ``source`` to what ``made`` (by default ``source``) created: a 404
        is :data:`NOT_FOUND`."""
        made = made or source
        exchange = self._follow(label, link, source)
        if exchange is None:
            return None
        self._step(label, exchange, _ok(exchange.status))
        if exchange.status in GONE:
            self.walk.find(
                NOT_FOUND,
                f"{self._label(made)} answered {made.status}, then {self._label(exchange)} "
                f"({link.target.operation_id}, link {link.name}) answered {exchange.status}",
            )
        elif not _ok(exchange.status):
            self.walk.notes.append(f"{link.target.operation_id} answered {exchange.status}")
        return exchange

    def _gone(self, label: str, link: Link, source: Exchange, deleted: Exchange) -> None:
        """Follows ``link`` to what was just deleted: a 2xx is :data:`STILL_AVAILABLE`."""
        exchange = self._follow(label, link, source, once=True)
        if exchange is None:
            return
        self._step(label, exchange, exchange.status in GONE)
        if _ok(exchange.status):
            self.walk.find(
                STILL_AVAILABLE,
                f"{self._label(deleted)} answered {deleted.status}, then {self._label(exchange)} "
                f"({link.target.operation_id}, link {link.name}) answered {exchange.status}",
            )
        elif exchange.status not in GONE:
            self.walk.notes.append(f"{link.target.operation_id} after the delete answered {exchange.status}")

    def _after_delete(self, deleted: Exchange, created: Exchange, reads: list[Link]) -> None:
        own = success_links(self.spec, deleted.request.operation, self.index)
        creates = {self.walk.resource.create.operation_id}
        again = [link for link in own if link.target.method == "POST" or link.target.operation_id in creates]
        checks = [link for link in own if link not in again and link.target.method in READS | UPDATES]
        for link in checks:
            self._gone(f"{_letter(link)}404", link, deleted, deleted)
        for link in reads:
            self._gone(f"{_letter(link)}404", link, created, deleted)
        for link in again:
            self._recreate(link, deleted, checks)

    def _recreate(self, link: Link, deleted: Exchange, checks: list[Link]) -> None:
        """Adds the deleted record back through the delete's link and reads it; it stays, as it was
        before the walk when the create found it there."""
        exchange = self._follow("C", link, deleted)
        if exchange is None:
            return
        self._step("C", exchange, _ok(exchange.status))
        if not _ok(exchange.status):
            self.walk.notes.append(f"{link.target.operation_id} after the delete answered {exchange.status}")
            return
        own = success_links(self.spec, link.target, self.index)
        reads = [(item, exchange) for item in own if item.target.method in READS]
        reads = reads or [(item, deleted) for item in checks if item.target.method in READS]
        for item, source in reads:
            self._present("R", item, source, exchange)

    def _follow(self, label: str, link: Link, source: Exchange, once: bool = False) -> Exchange | None:
        """Follows ``link`` from ``source``; ``None`` when it cannot be built (noted) or, ``once``,
        was sent already."""
        try:
            return self._tries(label, link.target, link, source, _retryable, once)
        except Unbuildable as reason:
            self.walk.notes.append(f"{link.target.operation_id} not sent: {reason}")
            return None

    def _tries(
        self,
        label: str,
        operation: Operation,
        link: Link | None = None,
        source: Exchange | None = None,
        retry: Callable[[int], bool] = lambda status: False,
        once: bool = False,
    ) -> Exchange | None:
        """Sends the request, then, while the answer is one to ``retry`` on, the next candidates
        (another example body, another parent): up to :data:`ATTEMPTS` in all. Returns the last
        answer, the earlier ones recorded as unexpected steps."""
        request = build(operation, self.spec, self.dictionaries, link, source, invent=self.invent)
        if once:
            key = (request.operation.method, request.path)
            if key in self.after:
                return None
            self.after.add(key)
        exchange = self._send(request)
        for attempt in range(1, ATTEMPTS):
            if not retry(exchange.status):
                break
            following = build(operation, self.spec, self.dictionaries, link, source, attempt, invent=self.invent)
            if following == exchange.request:
                break
            self._step(label, exchange, False)
            exchange = self._send(following)
        return exchange

    def _send(self, request: Request) -> Exchange:
        if self.sent >= MAX_REQUESTS:
            raise _Budget
        self.sent += 1
        method = request.operation.method
        headers = {**self.headers, **request.headers}
        body: dict[str, Any] = {}
        if request.body is not ABSENT:
            body = {"json": request.body}
            if request.media_type and request.media_type != "application/json":
                headers["Content-Type"] = request.media_type
        response = self.http.request(
            method, self.prefix + request.path, params=dict(request.query), headers=headers, **body
        )
        self.text = response.text if method != "HEAD" else ""
        try:
            payload = response.json() if self.text else ABSENT
        except ValueError:
            payload = ABSENT
        return Exchange(request, response.status_code, dict(response.headers), payload)

    def _step(self, label: str, exchange: Exchange, expected: bool) -> None:
        request = exchange.request
        self.walk.steps.append(
            Step(label, request.operation.method, self._url_path(request), exchange.status, expected)
        )

    def _url_path(self, request: Request) -> str:
        path = urlsplit(self.prefix).path + request.path
        return f"{path}?{urlencode(dict(request.query))}" if request.query else path

    def _label(self, exchange: Exchange) -> str:
        return f"{exchange.request.operation.method} {self._url_path(exchange.request)}"


def _ok(status: int) -> bool:
    return 200 <= status < 300


def _client_error(status: int) -> bool:
    return 400 <= status < 500


def _retryable(status: int) -> bool:
    """A refusal another example may avoid; a 404 is the answer a step judges."""
    return _client_error(status) and status not in GONE


def _letter(link: Link) -> str:
    return "R" if link.target.method in READS else "U"


def _excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


@dataclasses.dataclass(frozen=True)
class Phases:
    """``--phases`` read: Schemathesis' phases (``None``: all of them; empty: Schemathesis does not
    run) and whether this pass (``lifecycle``) runs. Without ``--phases`` everything runs."""

    schemathesis: tuple[str, ...] | None = None
    lifecycle: bool = True

    @classmethod
    def parse(cls, text: str | None) -> Phases:
        if text is None:
            return cls()
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        return cls(tuple(name for name in names if name != LIFECYCLE), LIFECYCLE in names)

    @property
    def argument(self) -> str | None:
        """The value of ``schemathesis run --phases``."""
        return None if self.schemathesis is None else ",".join(self.schemathesis)
