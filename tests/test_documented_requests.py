"""Every request the docs show, sent as they show it with only the host changed, gets the answer
the docs give: their success status, every key of their response example, and the values of it
that the fixtures reproduce (ids, names, states; not clocks or generated values).

The requests are the files of ``tests/documented/``, one per API: each case names the documented
operation (its ``x-doc-ref``) and the lines of the docs it comes from, the request, and the docs'
answer; a comment says why an id differs from the docs'. A sample that cannot be sent as shown (a
template of field descriptions, Redoc's ``"string"`` placeholders that break a documented rule) is
listed under ``excused`` with the reason. Every case goes to a freshly reset mock on both HTTP
paths, the fast path and Connexion's, which must answer it alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from tests.conftest import MOMENT, make_settings

CASES_DIR = Path(__file__).resolve().parent / "documented"
METHODS = ("get", "put", "post", "delete", "patch", "head")
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
#: Where a dictionary key or a list item of the docs' answer is missing from the mock's.
MISSING = object()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    #: A raw body (an upload's file) instead of JSON.
    content: str | None = None
    #: The demo user whose credential goes with the request (``None``: none, as the docs show it).
    user: str | None = None
    #: The demo user whose token fills ``{token}`` in the request, where the docs send it in the body.
    token_of: str | None = None


@dataclass(frozen=True)
class Case:
    api: str
    ref: str
    name: str
    doc: str
    request: Request
    status: int
    #: Requests that make what this one needs (a record to update), answered with a 2xx.
    before: tuple[Request, ...] = ()
    #: The docs' example answer: every key must be in the mock's.
    answer: Any = None
    #: ``all`` or the JSON pointers (``*`` for any list index) of ``answer`` whose values the mock repeats.
    same: str | tuple[str, ...] = ()
    #: Pointers of ``answer`` left out of ``same: all``, each with the reason.
    differs: dict[str, str] = field(default_factory=dict)
    #: Keys the mock leaves out of the answer on purpose, each with the reason.
    absent: dict[str, str] = field(default_factory=dict)
    #: List pointer -> key whose value pairs the docs' items with the mock's (instead of by position).
    match: dict[str, str] = field(default_factory=dict)
    #: Pointer -> the fields the docs' field table lists for the object there.
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Response header -> a regular expression its value must match.
    answered_headers: dict[str, str] = field(default_factory=dict)
    #: The first bytes of a binary answer.
    starts: str | None = None
    #: The answer has no body (the docs say so).
    empty: bool = False

    @property
    def id(self) -> str:
        return f"{self.ref}[{self.name}]" if self.name else self.ref


#: What a request of a case file may say, and what the case around it.
REQUEST_KEYS = {"method", "path", "query", "headers", "body", "content", "as", "token_of"}
CASE_KEYS = REQUEST_KEYS | {"ref", "name", "doc", "status", "before", "answer", "same", "differs", "absent", "match"}
CASE_KEYS |= {"fields", "answered_headers", "starts", "empty"}


def request(raw: dict[str, Any], keys: set[str] = REQUEST_KEYS) -> Request:
    assert set(raw) <= keys, f"unknown keys {set(raw) - keys} in {raw}"
    return Request(
        method=raw["method"],
        path=raw["path"],
        query=raw.get("query") or {},
        headers={k: str(v) for k, v in (raw.get("headers") or {}).items()},
        body=raw.get("body"),
        content=raw.get("content"),
        user=raw.get("as"),
        token_of=raw.get("token_of"),
    )


def load() -> tuple[list[Case], dict[str, list[dict[str, str]]]]:
    """The cases of every file, and each API's samples not sent (``ref``, ``doc``, ``reason``):
    those ``excused`` and the operations whose request the docs do not show (``unshown``)."""
    cases: list[Case] = []
    unsent: dict[str, list[dict[str, str]]] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        api = document["api"]
        unsent[api] = [*(document.get("excused") or []), *(document.get("unshown") or [])]
        for raw in document["cases"]:
            same = raw.get("same", ())
            cases.append(
                Case(
                    api=api,
                    ref=raw["ref"],
                    name=raw.get("name", ""),
                    doc=raw["doc"],
                    request=request(raw, CASE_KEYS),
                    status=raw["status"],
                    before=tuple(request(step) for step in raw.get("before") or ()),
                    answer=raw.get("answer"),
                    same=same if same == "all" else tuple(same),
                    differs=raw.get("differs") or {},
                    absent=raw.get("absent") or {},
                    match=raw.get("match") or {},
                    fields={k: tuple(v) for k, v in (raw.get("fields") or {}).items()},
                    answered_headers=raw.get("answered_headers") or {},
                    starts=raw.get("starts"),
                    empty=raw.get("empty", False),
                )
            )
    return cases, unsent


CASES, UNSENT = load()


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, TestClient]]:
    """A mock with the fast path and one without, to send every request to both."""
    with (
        TestClient(MockServer(make_settings())) as fast,
        TestClient(MockServer(make_settings(fast_path=False))) as connexion,
    ):
        yield {"fast path": fast, "connexion": connexion}


def credential(client: TestClient, api: str, user: str) -> tuple[dict[str, str], str]:
    """The header that authenticates as the API's demo user named ``user`` (by name, username,
    e-mail or token, as the control plane lists them), and the user's token."""
    auth = next(a["auth"] for a in client.get("/__admin/apis").json()["apis"] if a["name"] == api)
    for entry in [*auth["users"], *auth.get("consumers", [])]:
        if user in (entry.get("name"), entry.get("username"), entry.get("email"), entry.get("token")):
            token = entry.get("token") or entry["longLivedToken"]
            return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}, token
    raise LookupError(f"{api} publishes no demo user {user!r}")


def filled(value: Any, context: dict[str, Any]) -> Any:
    """``value`` with ``{token}`` and ``{before[0][id]}`` in its strings filled in."""
    if isinstance(value, str) and "{" in value:
        return value.format_map(context)
    if isinstance(value, dict):
        return {k: filled(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, context) for v in value]
    return value


def send(client: TestClient, api: str, step: Request, before: list[Any]) -> Any:
    headers = credential(client, api, step.user)[0] if step.user else {}
    token = credential(client, api, step.token_of)[1] if step.token_of else ""
    context = {"token": token, "before": before}
    headers = {**headers, **filled(step.headers, context)}
    if step.content is not None:
        content: bytes | None = step.content.encode()
    elif step.body is not None:
        content = json.dumps(filled(step.body, context)).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        content = None
    return client.request(
        step.method,
        filled(step.path, context),
        params=filled(step.query, context),
        headers=headers,
        content=content,
    )


def pairs(documented: Any, served: Any, match: dict[str, str], at: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(pointer, the docs' value, the mock's value) for every leaf of the docs' answer; a whole
    object or list where the mock serves something else there (``null`` for an absent object)."""
    if isinstance(documented, dict) and documented:
        if not isinstance(served, dict):
            yield at, documented, served
            return
        for key, value in documented.items():
            yield from pairs(value, served.get(key, MISSING), match, f"{at}/{key}")
    elif isinstance(documented, list) and documented:
        if not isinstance(served, list):
            yield at, documented, served
            return
        key = match.get(at)
        for index, item in enumerate(documented):
            if key:
                found = (s for s in served if isinstance(s, dict) and s.get(key) == item.get(key))
                counterpart = next(found, MISSING)
            else:
                counterpart = served[index] if index < len(served) else MISSING
            yield from pairs(item, counterpart, match, f"{at}/{index}")
    else:
        yield at, documented, served


def covered(pointer: str, patterns: Any) -> bool:
    """Whether ``pointer`` is one of ``patterns`` or lies below one (``*`` stands for a list index)."""
    parts = pointer.split("/")
    for pattern in patterns:
        wanted = pattern.split("/")
        if len(wanted) <= len(parts) and all(w in ("*", p) for w, p in zip(wanted, parts, strict=False)):
            return True
    return False


def equal(documented: Any, served: Any) -> bool:
    if isinstance(documented, bool) or isinstance(served, bool):
        return documented is served
    return bool(documented == served)


def disagreements(case: Case, served: Any) -> list[str]:
    """Where the mock's answer does not agree with the docs' example."""
    found = []
    for pointer, documented, value in pairs(case.answer, served, case.match):
        compared = (case.same == "all" or covered(pointer, case.same)) and not covered(pointer, case.differs)
        if value is MISSING:
            if not covered(pointer, case.absent) and (compared or not pointer.rsplit("/", 1)[-1].isdigit()):
                found.append(f"{pointer}: missing (the docs show {documented!r})")
        elif isinstance(documented, dict | list) and value is not None and not isinstance(value, type(documented)):
            found.append(f"{pointer}: the docs show {type(documented).__name__}, the mock {value!r}")
        elif compared and not equal(documented, value):
            found.append(f"{pointer}: the docs show {documented!r}, the mock {value!r}")
    for at, names in case.fields.items():
        target = served
        for part in filter(None, at.split("/")):
            target = target[int(part)] if isinstance(target, list) else target[part]
        found += [f"{at}/{name}: missing (a field of the docs' table)" for name in names if name not in target]
    return found


def comparable(response: Any) -> tuple[int, str | None, str, dict[str, str]]:
    """A response with the clock and signed tokens masked, to compare two servers' answers."""
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "server")}
    text = JWT.sub("<jwt>", MOMENT.sub("<moment>", response.text))
    return response.status_code, response.headers.get("content-type"), text, headers


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_documented_request_gets_the_documented_answer(servers: dict[str, TestClient], case: Case) -> None:
    answers = {}
    for path_name, client in servers.items():
        assert client.post("/__admin/reset", params={"api": case.api}).status_code == 200
        client.cookies.clear()  # a session cookie of the previous case would identify its consumer
        before: list[Any] = []
        for step in case.before:
            made = send(client, case.api, step, before)
            assert made.status_code < 300, f"{path_name}: {step.method} {step.path}: {made.text}"
            before.append(made.json() if made.content else None)
        response = send(client, case.api, case.request, before)
        where = f"{path_name}, the docs' {case.doc}"
        assert response.status_code == case.status, f"{where}: {response.text}"
        if case.answer is not None or case.fields:
            assert disagreements(case, response.json()) == [], where
        for name, pattern in case.answered_headers.items():
            assert re.fullmatch(pattern, response.headers.get(name, "")), f"{where}: {name}: {response.headers}"
        if case.starts is not None:
            assert response.content.startswith(case.starts.encode()), where
        if case.empty:
            assert response.content == b"", where
        answers[path_name] = comparable(response)
    assert answers["fast path"] == answers["connexion"]


def documented_operations(api: str) -> set[str]:
    refs: set[str] = set()
    for item in APIS[api].spec["paths"].values():
        for method in METHODS:
            ref = (item.get(method) or {}).get("x-doc-ref")
            refs.update(ref if isinstance(ref, list) else [ref] if ref else [])
    return refs


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_documented_operation_is_sent_or_its_sample_excused(api: str) -> None:
    assert api in UNSENT, f"no tests/documented/{api}.yaml"
    sent = {case.ref for case in CASES if case.api == api}
    unsent = {entry["ref"] for entry in UNSENT[api]}
    assert all(entry["doc"] and entry["reason"] for entry in UNSENT[api])
    documented = documented_operations(api)
    assert documented - sent - unsent == set()
    assert (sent | unsent) - documented == set(), "a case names an operation the spec does not have"
