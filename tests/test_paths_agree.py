"""One HTTP behaviour whichever path answers: every operation of the four APIs, fast path on and off.

Schemathesis generates positive and negative cases for every operation (a fixed seed: Hypothesis
runs derandomised), and each operation's first case also goes out in the variations generated data
does not reach (other media types, no or a wrong credential, a CORS request and its preflight).
Each request goes to two servers seeded alike, one with the fast path
(``web.fastpath``) and one with Connexion's stack only. Both get the same requests in the same
order, so their states stay alike; their answers must be equal: status, the headers that matter
and the body (moments of their clocks and HomeQ's signed tokens masked, since the two servers
started apart). ``PATHS_AGREE_EXAMPLES`` sets the cases per operation and mode (default 2; CI's
nightly or a developer chasing a difference can raise it).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from tests.conftest import JWT, MOMENT, make_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = SchemathesisConfig.from_path(str(ROOT / "schemathesis.toml"))
EXAMPLES = int(os.environ.get("PATHS_AGREE_EXAMPLES", "2"))
#: Headers that differ between two servers by nature, not by path.
IGNORED = frozenset({"date", "server", "content-length"})


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[TestClient, TestClient]]:
    # The secret of schemathesis.toml's static HomeQ token, as the contract tests set it.
    settings = make_settings(jwt_secret="contract-tests")
    fast, slow = MockServer(settings), MockServer(settings.replace(fast_path=False))
    assert fast.fast_path is not None
    with TestClient(fast, raise_server_exceptions=False) as a, TestClient(slow, raise_server_exceptions=False) as b:
        yield a, b


def cases(api: str) -> Iterator[tuple[str, schemathesis.Case]]:
    """The operation's label and each generated case, positive then negative, in a fixed order."""
    schema = schemathesis.openapi.from_path(str(APIS[api].spec_file), config=CONFIG)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            found: list[schemathesis.Case] = []

            @hypothesis.settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            @given(operation.as_strategy(generation_mode=mode))
            def collect(case: schemathesis.Case) -> None:
                found.append(case)  # noqa: B023 (run at once, within this iteration)

            try:
                collect()
            except hypothesis.errors.Unsatisfiable:  # no negative case exists for this operation
                continue
            yield from ((f"{operation.label} ({mode.value})", case) for case in found)


def request_of(case: schemathesis.Case, base: str) -> dict[str, Any] | None:
    """httpx's arguments for the case; ``None`` for one HTTP cannot carry (a header that is not latin-1)."""
    kwargs = case.as_transport_kwargs(base_url=f"http://testserver{base}")
    headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k != "X-Schemathesis-TestCaseId"}
    try:
        for name, value in headers.items():
            name.encode("latin-1"), str(value).encode("latin-1")
    except UnicodeEncodeError:
        return None
    if "data" in kwargs and isinstance(kwargs["data"], (bytes, str)):
        kwargs["content"] = kwargs.pop("data")
    kwargs.pop("cookies", None)
    cookies = case.cookies or {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return {**kwargs, "headers": headers}


#: Changes to a request that Schemathesis' data do not make: headers set (None: removed).
VARIATIONS: list[dict[str, str | None]] = [
    {"Content-Type": "application/vnd.api+json"},
    {"Content-Type": "application/json; charset=utf-8"},
    {"Content-Type": "text/plain"},
    {"Content-Type": "multipart/form-data"},
    {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": None},
    {"Authorization": None, "X-Api-Key": None},
    {"Authorization": "Bearer nobody", "X-Api-Key": "nobody"},
    {"Origin": "http://localhost:3000"},
]


def variations(kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for change in VARIATIONS:
        headers = {k: v for k, v in kwargs["headers"].items() if k.title() not in change}
        headers.update({k: v for k, v in change.items() if v is not None})
        yield {**kwargs, "headers": headers}
    preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": kwargs["method"]}
    yield {"method": "OPTIONS", "url": kwargs["url"], "params": kwargs.get("params"), "headers": preflight}


def answer(response: Any) -> tuple[int, dict[str, str], str]:
    headers = {k: v for k, v in response.headers.items() if k not in IGNORED}
    body = JWT.sub("<jwt>", MOMENT.sub("<moment>", response.text))
    with contextlib.suppress(ValueError):  # not JSON: compared as text
        body = json.dumps(json.loads(body), sort_keys=True)
    return response.status_code, headers, body


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_operation_answers_alike_on_both_paths(servers: tuple[TestClient, TestClient], api: str) -> None:
    fast, slow = servers
    fast.cookies.clear()
    slow.cookies.clear()
    differences: list[str] = []
    sent = 0
    varied: set[str] = set()
    for label, case in cases(api):
        kwargs = request_of(case, APIS[api].base_path)
        if kwargs is None:
            continue
        requests = [kwargs]
        if label not in varied and label.endswith("(positive)"):
            varied.add(label)
            requests += variations(kwargs)
        for request in requests:
            fast.cookies.clear()  # each case carries its own cookies, not getsession's
            slow.cookies.clear()
            one, other = answer(fast.request(**request)), answer(slow.request(**request))
            sent += 1
            if one != other:
                shown = {k: v for k, v in request.items() if k != "content"}
                differences.append(f"{label}: {shown}\n  fast path: {one}\n  Connexion: {other}")
    assert sent > 0
    assert not differences, f"{len(differences)} of {sent} cases differ:\n" + "\n".join(differences[:10])
