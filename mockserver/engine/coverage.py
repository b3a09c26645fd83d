"""What the running mock answered, per API, operation and status: the counts behind
``GET /__admin/coverage`` (the report itself is ``mockserver.coverage``'s).

Every answered request is noted as it is (method, path, status: one dict increment) and routed to
its operation only when the counts are read, or when the distinct paths noted since pile up past
:data:`FOLD_AT`: routing costs the read, not the request. The runtime keeps one
:class:`Coverage` for the default state and each session one of its own, as they keep journals.

:class:`OperationRoutes` finds the operation a method and a path name with the spec's path templates,
as the server routes (a parameter is one whole segment or part of one, a literal segment beats a
parameter, ``HEAD`` falls back to ``GET``); ``mockserver coverage`` routes the paths of a HAR file
with it too. Nothing here knows HTTP.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: The methods an OpenAPI path item may hold.
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: Distinct (method, path, status) noted before they are routed to their operations.
FOLD_AT = 2048
#: The paths under an API's base path that serve its docs, not its operations.
DOCS = frozenset({"/ui", "/ui/", "/openapi.json", "/openapi.yaml"})


@dataclasses.dataclass(frozen=True)
class OperationRef:
    """One documented operation: what names it and the response keys it documents, as written
    (``"200"``, ``"4XX"``, ``"default"``)."""

    method: str
    template: str
    operation_id: str | None
    responses: tuple[str, ...]

    @property
    def key(self) -> str:
        """How counts name it: its operationId, or its method and template when it has none."""
        return self.operation_id or f"{self.method} {self.template}"


def spec_operations(spec: Mapping[str, Any]) -> list[OperationRef]:
    """The spec's operations, in the order it writes them."""
    found = []
    for template, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                codes = tuple(str(code) for code in operation.get("responses") or {})
                found.append(OperationRef(method.upper(), str(template), operation.get("operationId"), codes))
    return found


class OperationRoutes:
    """One API's operations by method and path, its templates under ``prefix`` (its base path)."""

    def __init__(self, spec: Mapping[str, Any], prefix: str = "") -> None:
        self.operations = spec_operations(spec)
        self._routes: dict[tuple[str, int], list[tuple[int, re.Pattern[str], OperationRef]]] = {}
        for ref in self.operations:
            full = prefix + ref.template
            regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(full))
            self._routes.setdefault((ref.method, full.count("/")), []).append((full.count("{"), re.compile(regex), ref))
        for candidates in self._routes.values():
            candidates.sort(key=lambda candidate: candidate[0])  # stable: spec order among equals

    def find(self, method: str, path: str) -> OperationRef | None:
        """The operation ``method`` and ``path`` name; ``None`` if none does."""
        segments = path.count("/")
        for wanted in (method, "GET") if method == "HEAD" else (method,):
            for _, pattern, ref in self._routes.get((wanted, segments), ()):
                if pattern.fullmatch(path):
                    return ref
        return None


@dataclasses.dataclass
class Observed:
    """What one API answered: per operation (:attr:`OperationRef.key`) the count of each status,
    and the statuses of the requests that named none of its operations."""

    operations: dict[str, dict[int, int]] = dataclasses.field(default_factory=dict)
    unmatched: dict[int, int] = dataclasses.field(default_factory=dict)

    def add(self, key: str | None, status: int, count: int = 1) -> None:
        counts = self.unmatched if key is None else self.operations.setdefault(key, {})
        counts[status] = counts.get(status, 0) + count

    def copy(self) -> Observed:
        return Observed({k: dict(v) for k, v in self.operations.items()}, dict(self.unmatched))


#: Where a request goes: ``(api, operation key)``, the key ``None`` for no operation of the API;
#: ``None`` for a request not counted at all.
Locate = Callable[[str, str], tuple[str, str | None] | None]


class ServedRoutes:
    """The served APIs' operations: which API and operation a request to the server names.

    ``apis`` gives each API's base path and spec, ``api_for_path`` the API a path belongs to (the
    runtime's). Each API's routes are compiled on first use. A CORS preflight (``OPTIONS`` that no
    operation documents) is the browser's, not a call of the client's, and is not counted; nor is
    a read of the API's docs (its Swagger UI and spec, :data:`DOCS`)."""

    def __init__(
        self, apis: Mapping[str, tuple[str, Mapping[str, Any]]], api_for_path: Callable[[str], str | None]
    ) -> None:
        self._apis = apis
        self._api_for_path = api_for_path
        self._routes: dict[str, OperationRoutes] = {}

    def routes(self, api: str) -> OperationRoutes:
        found = self._routes.get(api)
        if found is None:
            base, spec = self._apis[api]
            found = self._routes[api] = OperationRoutes(spec, base)
        return found

    def locate(self, method: str, path: str) -> tuple[str, str | None] | None:
        api = self._api_for_path(path)
        if api is None:
            return None
        ref = self.routes(api).find(method, path)
        if ref is not None:
            return api, ref.key
        rest = path[len(self._apis[api][0]) :]
        if method == "OPTIONS" or rest in DOCS or rest.startswith("/ui/"):
            return None
        return api, None


class Coverage:
    """The statuses one state's APIs answered, per operation.

    :meth:`record` takes no lock: the server counts on its event loop's one thread, and a dict
    increment is all a request should pay (a lock would double it). A read or a fold swaps the
    noted requests for a fresh dict under the lock and routes the old one; a request counted on
    another thread at that very moment may be lost, never miscounted.
    """

    def __init__(self, locate: Locate) -> None:
        self._locate = locate
        self._pending: dict[tuple[str, str, int], int] = {}
        self._observed: dict[str, Observed] = {}
        self._lock = threading.Lock()

    def record(self, method: str, path: str, status: int) -> None:
        """One answered request (the journal's middleware calls this for every request)."""
        key = (method, path, status)
        pending = self._pending
        pending[key] = pending.get(key, 0) + 1
        if len(pending) > FOLD_AT:
            with self._lock:
                self._fold()

    def observed(self, apis: Iterable[str] | None = None) -> dict[str, Observed]:
        """What each API (or each of ``apis``) answered so far: copies."""
        with self._lock:
            self._fold()
            names = self._observed if apis is None else apis
            return {name: self._observed[name].copy() if name in self._observed else Observed() for name in names}

    def clear(self, api: str | None = None) -> None:
        """Forgets what ``api`` answered, or what every API did."""
        with self._lock:
            if api is None:
                self._pending = {}
                self._observed.clear()
            else:
                self._fold()
                self._observed.pop(api, None)

    def _fold(self) -> None:
        """Routes what was noted since the last fold to its API and operation (under the lock)."""
        noted, self._pending = self._pending, {}
        where: dict[tuple[str, str], tuple[str, str | None] | None] = {}
        for (method, path, status), count in list(noted.items()):
            place = (method, path)
            if place not in where:
                where[place] = self._locate(method, path)
            found = where[place]
            if found is not None:
                api, key = found
                observed = self._observed.get(api)
                if observed is None:
                    observed = self._observed[api] = Observed()
                observed.add(key, status, count)
