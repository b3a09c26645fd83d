"""Rules set through the control plane on the mocked APIs' traffic, for clients that cannot send
headers (a frontend app): which requests get a forced documented answer, a delay or a network
fault, how often (``probability``) and how many times (``times``).

A rule names its requests by API, by one of the API's operations (its ``operationId``, or its
method and path template as the spec writes them) or not at all (every request of every API).
The newest matching rule shapes a request; a rule that misses its probability draw lets older ones
try. Draws come from a ``random.Random`` of the rule's own, seeded from the server's seed and the
rule's id, so one seed gives one sequence of hits and misses and of delays.

A :class:`RuleSet` is a plain object: the runtime holds the default state's, and anything else
that owns traffic can hold its own. Nothing here knows HTTP; the web layer routes a request to an
operation and carries a rule out (``mockserver.web.rules``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mockserver.engine.jsonpointer import deref
from mockserver.engine.problems import BadRequest, Conflict, NotFound

#: Network faults, carried out by the web layer: the connection reset (RST), closed without an
#: answer, an answer shorter than its ``Content-Length`` then closed, a body sent slowly.
FAULTS = ("connection-reset", "empty-response", "malformed-body", "slow-body")
#: Faults that send no answer at all, so a forced answer cannot go with them.
SILENT_FAULTS = frozenset({"connection-reset", "empty-response"})
DEFAULT_BYTES_PER_SECOND = 100
#: The longest delay a rule may ask for, unless the runtime says otherwise.
MAX_DELAY_MS = 60_000
#: Rules one set keeps; one more is refused (every request to a mocked API looks at them all).
MAX_RULES = 100
#: The 99th percentile of the standard normal distribution: p99 = median * e^(Z99 * sigma).
Z99 = 2.326
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclasses.dataclass(frozen=True)
class FixedDelay:
    ms: int

    def draw(self, rng: random.Random) -> float:
        return float(self.ms)

    def view(self) -> Any:
        return self.ms

    def bound(self) -> int:
        return self.ms


@dataclasses.dataclass(frozen=True)
class UniformDelay:
    low: int
    high: int

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def view(self) -> Any:
        return {"min": self.low, "max": self.high}

    def bound(self) -> int:
        return self.high


@dataclasses.dataclass(frozen=True)
class LogNormalDelay:
    """A long-tailed delay: half of the draws below ``median``, 1 % above ``p99``."""

    median: int
    p99: int

    def draw(self, rng: random.Random) -> float:
        sigma = math.log(self.p99 / self.median) / Z99
        return self.median * math.exp(sigma * rng.gauss(0.0, 1.0))

    def view(self) -> Any:
        return {"median": self.median, "p99": self.p99}

    def bound(self) -> int:
        return self.p99


Delay = FixedDelay | UniformDelay | LogNormalDelay


@dataclasses.dataclass(frozen=True)
class Answer:
    """A documented answer to force, as ``Prefer: code=..., example=...`` forces it."""

    code: int | None
    example: str | None

    def view(self) -> dict[str, Any]:
        return {k: v for k, v in (("code", self.code), ("example", self.example)) if v is not None}


@dataclasses.dataclass(frozen=True)
class NetworkFault:
    kind: str
    #: How fast a ``slow-body`` fault sends the body.
    bytes_per_second: int = DEFAULT_BYTES_PER_SECOND

    @property
    def answers(self) -> bool:
        return self.kind not in SILENT_FAULTS

    def view(self) -> dict[str, Any]:
        if self.kind == "slow-body":
            return {"type": self.kind, "bytes_per_second": self.bytes_per_second}
        return {"type": self.kind}


@dataclasses.dataclass(frozen=True)
class Operation:
    api: str
    operation_id: str
    method: str
    template: str
    responses: dict[str, Any]


@dataclasses.dataclass
class Rule:
    id: int
    api: str | None
    #: The operation the rule is for (``None``: every operation of ``api``).
    operation: Operation | None
    respond: Answer | None
    delay: Delay | None
    fault: NetworkFault | None
    probability: float
    times: int | None
    #: Cap of a drawn delay, in ms.
    max_delay_ms: int
    hits: int = 0
    _draws: random.Random = dataclasses.field(default_factory=random.Random, repr=False)
    _delays: random.Random = dataclasses.field(default_factory=random.Random, repr=False)

    @property
    def operation_id(self) -> str | None:
        return self.operation.operation_id if self.operation else None

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(self.times - self.hits, 0)

    @property
    def expired(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def takes(self) -> bool:
        """Whether the rule shapes the matching request at hand: its ``probability``, drawn."""
        return self.probability >= 1.0 or self._draws.random() < self.probability

    def next_delay_ms(self) -> float | None:
        """The delay for the request this rule just shaped, in ms (``None``: no delay)."""
        if self.delay is None:
            return None
        return min(max(self.delay.draw(self._delays), 0.0), float(self.max_delay_ms))

    def view(self) -> dict[str, Any]:
        """The rule as the control plane lists it: what it does only as far as it does anything."""
        operation = self.operation
        view: dict[str, Any] = {
            "id": self.id,
            "api": self.api,
            "operationId": operation.operation_id if operation else None,
            "method": operation.method if operation else None,
            "template": operation.template if operation else None,
        }
        if self.respond is not None:
            view["respond"] = self.respond.view()
        if self.delay is not None:
            view["delay_ms"] = self.delay.view()
        if self.fault is not None:
            view["fault"] = self.fault.view()
        return view | {
            "probability": self.probability,
            "times": self.times,
            "hits": self.hits,
            "remaining": self.remaining,
        }


class RuleSet:
    """The rules on one state's traffic.

    ``active`` (the rules that can still match, newest first) is what a request looks at, and is
    empty, so cheap to test, when there are none.
    """

    def __init__(self, seed: int, specs: Mapping[str, dict[str, Any]], max_delay_ms: int = MAX_DELAY_MS) -> None:
        self.seed = seed
        self.max_delay_ms = max_delay_ms
        self._specs = specs
        self._operations: dict[str, dict[str, Operation]] = {}
        self._rules: dict[int, Rule] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.active: tuple[Rule, ...] = ()

    # -- the control plane -------------------------------------------------------------------------
    def add(self, body: Mapping[str, Any]) -> Rule:
        """A rule from the control plane's body (already checked against its schema): unknown APIs
        are 404, unknown operations and contradictions 400 problems."""
        api = body.get("api")
        if api is not None and api not in self._specs:
            raise NotFound(f"No API named {api!r} is served; served: {', '.join(self._specs)}.")
        operation = self._operation(api, body)
        respond = _answer(body.get("respond"), operation, self._specs.get(api) if api else None)
        delay = self._delay(body.get("delay_ms"))
        fault = _fault(body.get("fault"))
        if respond is None and delay is None and fault is None:
            raise BadRequest("A rule needs at least one of respond, delay_ms and fault.")
        if respond is not None and fault is not None and not fault.answers:
            raise BadRequest(f"A {fault.kind} fault sends no answer: it cannot go with respond.")
        probability = float(body.get("probability", 1.0))
        if not 0.0 <= probability <= 1.0:
            raise BadRequest(f"probability {probability} is not between 0 and 1.")
        times = body.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise BadRequest(f"times {times!r} is not a whole number of at least 1.")
        with self._lock:
            if len(self._rules) >= MAX_RULES:
                raise Conflict(f"{MAX_RULES} rules are set already; delete some first.")
            number = next(self._ids)
            rule = Rule(
                id=number,
                api=api,
                operation=operation,
                respond=respond,
                delay=delay,
                fault=fault,
                probability=probability,
                times=times,
                max_delay_ms=self.max_delay_ms,
                _draws=random.Random(f"{self.seed}:{number}:draws"),
                _delays=random.Random(f"{self.seed}:{number}:delays"),
            )
            self._rules[number] = rule
            self._refresh()
        return rule

    def rules(self) -> list[Rule]:
        """Every rule, expired ones too (with their hits), oldest first."""
        with self._lock:
            return list(self._rules.values())

    def delete(self, number: int) -> bool:
        with self._lock:
            found = self._rules.pop(number, None) is not None
            self._refresh()
        return found

    def clear(self, api: str | None = None) -> None:
        """Removes ``api``'s rules, or every rule (ids then start again at 1)."""
        with self._lock:
            if api is None:
                self._rules.clear()
                self._ids = itertools.count(1)
            else:
                self._rules = {n: r for n, r in self._rules.items() if r.api != api}
            self._refresh()

    # -- a request ---------------------------------------------------------------------------------
    def pick(self, api: str, operation_id: Callable[[], str | None]) -> Rule | None:
        """The rule that shapes a request to ``api``, counted as a hit; ``operation_id`` names the
        operation the request routes to, asked only if a rule needs it."""
        routed: str | None = None
        asked = False
        with self._lock:
            for rule in self.active:
                if rule.api is not None and rule.api != api:
                    continue
                if rule.operation is not None:
                    if not asked:
                        routed, asked = operation_id(), True
                    if routed != rule.operation.operation_id:
                        continue
                if not rule.takes():
                    continue
                rule.hits += 1
                if rule.expired:
                    self._refresh()
                return rule
        return None

    # -- helpers -----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.active = tuple(r for r in reversed(self._rules.values()) if not r.expired)

    def operations(self, api: str) -> dict[str, Operation]:
        """``api``'s operations by operationId."""
        found = self._operations.get(api)
        if found is None:
            found = self._operations[api] = {op.operation_id: op for op in _operations(api, self._specs[api])}
        return found

    def _operation(self, api: str | None, body: Mapping[str, Any]) -> Operation | None:
        operation_id, method, template = body.get("operationId"), body.get("method"), body.get("template")
        if operation_id is None and method is None and template is None:
            return None
        if api is None:
            raise BadRequest("A rule for one operation needs its api.")
        if operation_id is not None:
            if method is not None or template is not None:
                raise BadRequest("Name the operation by operationId or by method and template, not both.")
            found = self.operations(api).get(operation_id)
            if found is None:
                raise BadRequest(f"The {api} API has no operation {operation_id!r}.")
            return found
        if method is None or template is None:
            raise BadRequest("A method and a template name an operation together; one of them is missing.")
        wanted = (str(method).upper(), template)
        for candidate in self.operations(api).values():
            if (candidate.method, candidate.template) == wanted:
                return candidate
        raise BadRequest(f"The {api} API has no operation {wanted[0]} {template!r}.")

    def _delay(self, raw: Any) -> Delay | None:
        if raw is None:
            return None
        delay: Delay
        if isinstance(raw, int):
            delay = FixedDelay(raw)
        elif "median" in raw:
            delay = LogNormalDelay(int(raw["median"]), int(raw["p99"]))
            if delay.median < 1 or delay.p99 < delay.median:
                raise BadRequest("A log-normal delay needs 1 <= median <= p99.")
        else:
            delay = UniformDelay(int(raw["min"]), int(raw["max"]))
            if delay.low < 0 or delay.high < delay.low:
                raise BadRequest("A uniform delay needs 0 <= min <= max.")
        if isinstance(delay, FixedDelay) and delay.ms < 0:
            raise BadRequest("A delay cannot be negative.")
        if delay.bound() > self.max_delay_ms:
            raise BadRequest(
                f"A delay of {delay.bound()} ms is longer than the longest allowed, {self.max_delay_ms} ms."
            )
        return delay


def _operations(api: str, spec: dict[str, Any]) -> Iterable[Operation]:
    for template, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict) and operation.get("operationId"):
                responses = {str(k): deref(spec, v) for k, v in (operation.get("responses") or {}).items()}
                yield Operation(api, operation["operationId"], method.upper(), template, responses)


def _answer(raw: Mapping[str, Any] | None, operation: Operation | None, spec: dict[str, Any] | None) -> Answer | None:
    """The forced answer; for one operation, checked as ``Prefer`` checks it: a documented status
    (the lowest 2xx without ``code``) and one of that response's named examples."""
    if raw is None:
        return None
    answer = Answer(raw.get("code"), raw.get("example"))
    if answer.code is None and answer.example is None:
        raise BadRequest("respond needs a code, an example or both.")
    if operation is None or spec is None:
        return answer
    codes = sorted(int(status) for status in operation.responses if status.isdigit())
    status = answer.code if answer.code is not None else next((c for c in codes if 200 <= c < 300), None)
    name = operation.operation_id
    if status not in codes:
        asked = f"a {status} answer" if answer.code is not None else "a success answer"
        raise BadRequest(f"{name} documents no {asked}; it documents {', '.join(map(str, codes))}.")
    if answer.example is not None:
        content = operation.responses[str(status)].get("content") or {}
        examples = [n for media in content.values() for n in deref(spec, media).get("examples") or {}]
        if answer.example not in examples:
            named = ", ".join(examples) or "none"
            raise BadRequest(f"The {status} answer of {name} has no example {answer.example!r}; it has {named}.")
    return answer


def _fault(raw: Any) -> NetworkFault | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"type": raw}
    kind = raw.get("type")
    if kind not in FAULTS:
        raise BadRequest(f"No fault named {kind!r}; known: {', '.join(FAULTS)}.")
    rate = int(raw.get("bytes_per_second", DEFAULT_BYTES_PER_SECOND))
    if rate < 1:
        raise BadRequest("bytes_per_second must be at least 1.")
    return NetworkFault(kind, rate)
