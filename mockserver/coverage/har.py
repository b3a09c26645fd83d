"""The exchanges of a HAR file (``mockserver contract``'s ``traffic.har``, a browser's network
panel, a proxy's), routed to the operations of the APIs they were for.

A deployment may serve an API under another path than the spec's base path (behind a gateway's
``/v2``): unless told, the path each API is served under is the one most of the HAR's paths fit
(the API's base path when any fits it).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mockserver.coverage.model import CoverageReport, api_coverage
from mockserver.engine.coverage import DOCS, Observed, OperationRoutes


class HarError(ValueError):
    """A file that is no HAR we can read."""


@dataclasses.dataclass(frozen=True)
class Exchange:
    method: str
    #: The URL's path, percent-decoded (as a server routes it).
    path: str
    status: int


@dataclasses.dataclass(frozen=True)
class HarApi:
    """An API as the HAR is routed to it: its spec (templates relative to ``base_path``)."""

    name: str
    title: str
    base_path: str
    spec: Mapping[str, Any]


@dataclasses.dataclass
class Routed:
    """What a HAR's exchanges counted for: per API, and how many went nowhere."""

    observed: dict[str, Observed]
    #: The path each API was taken to be served under.
    prefixes: dict[str, str]
    #: Exchanges to none of the APIs.
    outside: int = 0
    #: Exchanges without an answer (status 0: the connection failed).
    unanswered: int = 0


def read_har(path: Path) -> tuple[list[Exchange], int]:
    """The answered exchanges of the HAR file at ``path``, and how many had no answer."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["log"]["entries"]
        exchanges, unanswered = [], 0
        for entry in entries:
            status = int(entry["response"]["status"])
            if status <= 0:
                unanswered += 1
                continue
            request = entry["request"]
            exchanges.append(Exchange(str(request["method"]).upper(), unquote(urlsplit(request["url"]).path), status))
    except OSError as exc:
        raise HarError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise HarError(f"{path} is not a HAR file ({type(exc).__name__}: {exc})") from None
    return exchanges, unanswered


def route(exchanges: Iterable[Exchange], apis: Iterable[HarApi], prefixes: Mapping[str, str] | None = None) -> Routed:
    """Counts each exchange for the operation it names, of the first API (the longest prefix
    first) that has one; one that names none counts as unmatched for the API whose prefix it is
    under (for an API at the root: whose paths' first segments it starts with), else as outside.
    As for the running mock (``engine.coverage``), preflights and reads of an API's docs count for
    nothing."""
    exchanges = list(exchanges)
    given = dict(prefixes or {})
    tables = {api.name: (api, OperationRoutes(api.spec)) for api in apis}
    found = {
        name: given[name] if name in given else _prefix(exchanges, api, routes)
        for name, (api, routes) in tables.items()
    }
    order = sorted(tables, key=lambda name: -len(found[name]))
    roots = {
        name: {"/" + t.strip("/").split("/", 1)[0] for t in (api.spec.get("paths") or {})}
        for name, (api, _) in tables.items()
    }
    routed = Routed({name: Observed() for name in tables}, found)
    for exchange in exchanges:
        owner: str | None = None
        owned = ""
        for name in order:
            prefix = found[name]
            if not _under(exchange.path, prefix):
                continue
            ref = tables[name][1].find(exchange.method, exchange.path[len(prefix) :] or "/")
            if ref is not None:
                routed.observed[name].add(ref.key, exchange.status)
                break
            rest = exchange.path[len(prefix) :]
            first = "/" + rest.strip("/").split("/", 1)[0]
            if owner is None and (prefix or first in roots[name] or rest in DOCS or first == "/ui"):
                owner, owned = name, rest
        else:
            if owner is None:
                routed.outside += 1
            elif exchange.method != "OPTIONS" and owned not in DOCS and not owned.startswith("/ui/"):
                routed.observed[owner].add(None, exchange.status)
    return routed


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _prefix(exchanges: list[Exchange], api: HarApi, routes: OperationRoutes) -> str:
    """The path the API is served under in these exchanges: its base path if any exchange names
    one of its operations there, else the prefix under which most do (its base path if none)."""
    votes: Counter[str] = Counter()
    for (method, path), count in Counter((e.method, e.path) for e in exchanges).items():
        for cut in [i for i, char in enumerate(path) if char == "/"]:
            if routes.find(method, path[cut:]) is not None:
                votes[path[:cut]] += count
    if votes[api.base_path] or not votes:
        return api.base_path
    return max(votes, key=lambda prefix: (votes[prefix], -len(prefix)))


def har_coverage(
    exchanges: Iterable[Exchange],
    apis: Iterable[HarApi],
    source: str,
    unanswered: int = 0,
    prefixes: Mapping[str, str] | None = None,
) -> CoverageReport:
    """The coverage of ``apis`` by a HAR's answered exchanges (``unanswered``: those without an
    answer, for the notes)."""
    apis = list(apis)
    routed = route(exchanges, apis, prefixes)
    notes = [
        f"{api.name} was taken to be served under {routed.prefixes[api.name] or '/'} (the spec says "
        f"{api.base_path or '/'})"
        for api in apis
        if routed.prefixes[api.name] != api.base_path
    ]
    if routed.outside:
        notes.append(f"{routed.outside} exchanges were for none of these APIs")
    if unanswered:
        notes.append(f"{unanswered} exchanges got no answer (not counted)")
    report = [api_coverage(a.name, a.title, a.base_path, a.spec, routed.observed[a.name]) for a in apis]
    return CoverageReport(tuple(report), source, notes=tuple(notes))
