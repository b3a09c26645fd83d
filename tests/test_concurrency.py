"""64 clients writing at once across the four APIs over real sockets, while another client resets
one API at random moments: afterwards every write acknowledged after its API's last reset is there,
the lists and counts say exactly that, and nothing ever answered 5xx.

A write is *after* a reset when it was sent after the reset's answer came back, *before* it when
its own answer came back before the reset was sent; a write that overlapped the last reset may have
landed on either side, so it is only required to be there entirely or not at all.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from mockserver.web.app import MockServer
from tests.conftest import PORTAL, make_settings
from tests.live import serve

WRITERS = 16  # per API: 64 in all
LOAD_SECONDS = 3.0
#: Resets stop this long before the writers do, so that every API gets writes after its last one.
QUIET_SECONDS = 1.0
#: Bounds on each writer and on the resetter, whatever the machine's speed.
MAX_WRITES = 300
MAX_RESETS = 40
APIS = ("portal", "instruction", "consumerportal", "homeq")
CONSUMERPORTAL = "/consumerportal"
INSTRUCTION = "/instruction"
ESTATE = "/api/v4/estate"
DRAFT = f"{PORTAL}/profile/assessment"


@dataclasses.dataclass
class Write:
    api: str
    writer: int
    #: The tag the write carries (a name, a reference or a comment), unique to it.
    tag: str
    sent: float
    acked: float
    status: int
    #: What was written to: the record's id (creates), the case or the product action (updates).
    key: Any = None


@dataclasses.dataclass
class Reset:
    api: str
    sent: float
    acked: float


@dataclasses.dataclass
class Writer:
    """One thread's target: what it writes with, and how (``write`` answers the response and key)."""

    api: str
    number: int
    headers: dict[str, str]
    write: Callable[[httpx.Client, str], tuple[httpx.Response, Any]]
    #: The success status, and what else a correct mock may answer: a 409 where a reset makes an
    #: upload conflict (the consumer portal's upload vs re-upload).
    ok: int
    allowed: frozenset[int] = frozenset()
    target: Any = None


class Statuses:
    """Every status seen, by anyone: no 5xx may be among them."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.bad: list[str] = []
        self._lock = threading.Lock()

    def note(self, response: httpx.Response) -> httpx.Response:
        with self._lock:
            self.seen[response.status_code] = self.seen.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                self.bad.append(f"{response.request.method} {response.request.url}: {response.text[:300]}")
        return response


def published(client: httpx.Client, api: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in client.get("/__admin/apis").json()["apis"] if a["name"] == api)
    return found


def header(auth: dict[str, Any], user: dict[str, Any]) -> dict[str, str]:
    token = user.get("token") or user["longLivedToken"]
    return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}


# -- the writers of each API ----------------------------------------------------------------------
def portal_writers(client: httpx.Client) -> list[Writer]:
    """Draft application forms (``PUT /profile/assessment``), each a new row, as the demo users."""
    auth = published(client, "portal")["auth"]

    def write(http: httpx.Client, tag: str, headers: dict[str, str]) -> tuple[httpx.Response, Any]:
        applicant = {"firstName": "Writer", "lastName": tag, "email": "w@example.com", "phone": "07700 900123"}
        response = http.put(DRAFT, headers=headers, json={"listingId": 5354, "applicants": [applicant]})
        return response, response.json()["id"] if response.status_code == 201 else None

    users = [header(auth, user) for user in auth["users"]]
    return [
        Writer("portal", n, users[n % len(users)], _bind(write, users[n % len(users)]), 201) for n in range(WRITERS)
    ]


def homeq_writers(client: httpx.Client) -> list[Writer]:
    """Estates (``POST /api/v4/estate``) as the admin, whose token is read, never made up."""
    auth = published(client, "homeq")["auth"]
    admin = header(auth, auth["users"][0])

    def write(http: httpx.Client, tag: str, headers: dict[str, str]) -> tuple[httpx.Response, Any]:
        response = http.post(ESTATE, headers=headers, json={"legal_name": tag, "city": "Stockholm"})
        return response, response.json()["id"] if response.status_code == 200 else None

    return [Writer("homeq", n, admin, _bind(write, admin), 200) for n in range(WRITERS)]


def instruction_writers(client: httpx.Client, server: MockServer) -> list[Writer]:
    """No operation creates a case: each writer sets the references of one case of its own."""
    auth = published(client, "instruction")["auth"]
    introducer = header(auth, auth["users"][0])
    cases = []
    table = server.runtime.apis["instruction"].state.store.instructions  # type: ignore[attr-defined]
    for (key,) in table.values(("tmpReference",)):
        probe = client.put(f"{INSTRUCTION}/{key}/introducerreferences", headers=introducer, json={})
        if probe.status_code == 200:  # the introducer's own, and not read only
            cases.append(key)
    assert len(cases) >= WRITERS // 2, cases
    writers = []
    for n, case in enumerate(cases[:WRITERS]):

        def write(
            http: httpx.Client, tag: str, headers: dict[str, str], case: str = case
        ) -> tuple[httpx.Response, Any]:
            body = {"uniqueCustomerReference": tag}
            return http.put(f"{INSTRUCTION}/{case}/introducerreferences", headers=headers, json=body), case

        writers.append(Writer("instruction", n, introducer, _bind(write, introducer), 200, target=case))
    return writers


def consumerportal_writers(client: httpx.Client) -> list[Writer]:
    """Uploads, one product action per writer: the first makes the action's upload row, later ones
    are re-uploads (a reset makes the action open again: its 409 turns the writer back)."""
    auth = published(client, "consumerportal")["auth"]
    targets = []
    for user in auth["users"]:
        headers = header(auth, user)
        session = consumer_session(client, headers, user["consumer_id"])
        for action in session["duplicate_comfort_data"]["uploadable_productactions"]:
            targets.append((headers, user["consumer_id"], action))
    assert len(targets) >= WRITERS, len(targets)
    writers = []
    for n, (headers, consumer, action) in enumerate(targets[:WRITERS]):
        done = {"value": False}

        def write(
            http: httpx.Client, tag: str, headers: dict[str, str], action: str = action, done: dict[str, bool] = done
        ) -> tuple[httpx.Response, Any]:
            response = http.post(
                f"{CONSUMERPORTAL}/upload_file",
                headers={
                    **headers,
                    "productaction_id": action,
                    "is_reupload": "1" if done["value"] else "0",
                    "filename": "document.pdf",
                    "mimetype": "application/pdf",
                    "comment": tag,
                    "Content-Type": "application/octet-stream",
                },
                content=b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
            )
            if response.status_code in (200, 409):  # 409: a reset came between (or the seed had it done)
                done["value"] = response.status_code == 200 or not done["value"]
            return response, action

        writers.append(
            Writer("consumerportal", n, headers, _bind(write, headers), 200, frozenset({409}), (consumer, action))
        )
    return writers


def _bind(
    write: Callable[..., tuple[httpx.Response, Any]], headers: dict[str, str]
) -> Callable[[httpx.Client, str], tuple[httpx.Response, Any]]:
    return lambda http, tag: write(http, tag, headers)


def consumer_session(client: httpx.Client, headers: dict[str, str], consumer: str) -> dict[str, Any]:
    response = client.get(
        f"{CONSUMERPORTAL}/getsession", params={"consumer_id": consumer, "ip_address": "192.0.2.15"}, headers=headers
    )
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()["consumerportalsession"]
    return session


# -- the load -------------------------------------------------------------------------------------
class Deadline:
    """When the load began and ends: set once every thread is ready to go."""

    def __init__(self) -> None:
        self.began = self.at = 0.0

    def set(self) -> None:
        self.began = time.monotonic()
        self.at = self.began + LOAD_SECONDS


def run_writer(
    origin: str, writer: Writer, start: threading.Barrier, deadline: Deadline, statuses: Statuses
) -> list[Write]:
    done: list[Write] = []
    with httpx.Client(base_url=origin, timeout=10.0) as http:
        http.get("/__admin/health")  # connected before the start, not in the first burst
        start.wait()
        for n in range(MAX_WRITES):
            if time.monotonic() >= deadline.at:
                break
            tag = f"W{writer.number}-{n}"
            sent = time.monotonic()
            response, key = writer.write(http, tag)
            acked = time.monotonic()
            statuses.note(response)
            assert response.status_code in {writer.ok, *writer.allowed}, (writer.api, response.text)
            done.append(Write(writer.api, writer.number, tag, sent, acked, response.status_code, key))
    return done


def run_resetter(origin: str, start: threading.Barrier, deadline: Deadline, statuses: Statuses) -> list[Reset]:
    """Resets one API at a time at random moments, every API in turn (in a shuffled order)."""
    rng = random.Random(17)
    resets: list[Reset] = []
    # Plain httpx, no Origin header: the control plane takes requests from non-browser clients.
    with httpx.Client(base_url=origin, timeout=10.0) as http:
        http.get("/__admin/health")
        start.wait()
        order: list[str] = []
        for _ in range(MAX_RESETS):
            time.sleep(rng.uniform(0.05, 0.25))
            every_api = {r.api for r in resets} == set(APIS)
            if time.monotonic() >= deadline.at - QUIET_SECONDS and every_api:
                break
            if not order:
                order = rng.sample(APIS, len(APIS))
            api = order.pop()
            sent = time.monotonic()
            response = statuses.note(http.post("/__admin/reset", params={"api": api}))
            assert response.status_code == 200, response.text
            resets.append(Reset(api, sent, time.monotonic()))
            # A loaded machine may need longer than the load for one reset of every API: the
            # writers then go on for QUIET_SECONDS after the last one (MAX_WRITES still bounds them).
            deadline.at = max(deadline.at, time.monotonic() + QUIET_SECONDS)
    return resets


# -- what must hold afterwards --------------------------------------------------------------------
@dataclasses.dataclass
class Sides:
    """An API's acknowledged writes split by its last reset."""

    after: list[Write]
    overlapping: list[Write]


def sides(writes: list[Write], ok: int, last: Reset | None) -> Sides:
    acked = [w for w in writes if w.status == ok]
    if last is None:
        return Sides(acked, [])
    return Sides(
        [w for w in acked if w.sent > last.acked],
        [w for w in acked if w.sent <= last.acked and w.acked >= last.sent],
    )


def check_portal(http: httpx.Client, writers: list[Writer], split: Sides, seeded: dict[str, Any]) -> int:
    headers = {w.number: w.headers for w in writers}
    reads = 0

    def holds(write: Write) -> bool:
        nonlocal reads
        reads += 1
        response = http.get(f"{DRAFT}/{write.key}", headers=headers[write.writer])
        return response.status_code == 200 and response.json()["formFields"]["applicants"][0]["lastName"] == write.tag

    for write in split.after:
        assert holds(write), write
    landed = split.after + [w for w in split.overlapping if holds(w)]
    for token, users_writers in _by_user(writers).items():
        mine = {w.key for w in landed if w.writer in users_writers}
        listed = [f["id"] for f in http.get(f"{PORTAL}/profile/assessments/draft", headers=dict(token)).json()["data"]]
        reads += 1
        assert len(listed) == len(set(listed))
        assert set(listed) == seeded["drafts"][token] | mine
    assert published(http, "portal")["records"]["forms"] == seeded["forms"] + len({w.key for w in landed})
    return reads


def _by_user(writers: list[Writer]) -> dict[tuple[tuple[str, str], ...], set[int]]:
    users: dict[tuple[tuple[str, str], ...], set[int]] = {}
    for writer in writers:
        users.setdefault(tuple(sorted(writer.headers.items())), set()).add(writer.number)
    return users


def check_homeq(http: httpx.Client, writers: list[Writer], split: Sides, seeded: dict[str, Any]) -> int:
    admin = writers[0].headers
    reads = 0

    def holds(write: Write) -> bool:
        nonlocal reads
        reads += 1
        response = http.get(f"{ESTATE}/{write.key}", headers=admin)
        return response.status_code == 200 and response.json()["name"] == write.tag

    for write in split.after:
        assert holds(write), write
    landed = {w.key for w in split.after + [w for w in split.overlapping if holds(w)]}
    listed, total = inventory_estates(http, admin)
    reads += len(listed) // 100 + 1
    assert len(listed) == len(set(listed)) == total
    assert set(listed) == seeded["estates"] | landed
    assert published(http, "homeq")["records"]["estates"] == seeded["records"] + len(landed)
    return reads


def inventory_estates(http: httpx.Client, headers: dict[str, str]) -> tuple[list[int], int]:
    """Every estate of the admin's inventory, page by page, and the total the pages give."""
    listed: list[int] = []
    total = -1
    for offset in range(0, 100_000, 100):
        response = http.get(
            "/api/v1/inventory", params={"type": "estate", "amount": 100, "offset": offset}, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        total = page["total"]
        listed += [r["estate"]["id"] for r in page["results"]]
        if offset + 100 >= total:
            break
    return listed, total


def check_instruction(http: httpx.Client, writers: list[Writer], split: Sides, seeded: dict[str, Any]) -> int:
    reads = 0
    for writer in writers:
        mine = [w for w in split.after if w.writer == writer.number]
        response = http.get(f"{INSTRUCTION}/{writer.target}", headers=writer.headers)
        reads += 1
        shown = response.json()["otherInformation"].get("INTRODUCERCUSTOMERREFERENCE")
        if mine:
            # One writer's writes are sequential: the last one acknowledged is what the case holds.
            assert shown == mine[-1].tag, (writer.target, shown, mine[-1])
            found = http.get(f"{INSTRUCTION}/introducer/{mine[-1].tag}", headers=writer.headers)
            assert found.json()["tmpReference"] == writer.target
            for replaced in mine[-4:-1]:  # the reference index forgot the replaced ones
                assert http.get(f"{INSTRUCTION}/introducer/{replaced.tag}", headers=writer.headers).status_code == 404
            reads += 1 + len(mine[-4:-1])
        else:
            overlapping = {w.tag for w in split.overlapping if w.writer == writer.number}
            assert shown in overlapping | {seeded["references"][writer.target]}
    assert published(http, "instruction")["records"]["instructions"] == seeded["records"]
    return reads


def check_consumerportal(http: httpx.Client, writers: list[Writer], split: Sides, seeded: dict[str, Any]) -> int:
    reads = 0
    rows = 0
    for writer in writers:
        consumer, action = writer.target
        shown = consumer_session(http, writer.headers, consumer)["duplicate_comfort_data"]["productactions"][action]
        reads += 1
        mine = [w for w in split.after if w.writer == writer.number]
        if mine:
            assert (shown["is_done"], shown["comment"]) == (1, mine[-1].tag), (action, shown, mine[-1])
        else:
            overlapping = {w.tag for w in split.overlapping if w.writer == writer.number}
            assert shown["comment"] in overlapping | {seeded["comments"][action]}
        # The upload row is there exactly when one of this writer's uploads outlived the last reset.
        rows += shown["comment"].startswith(f"W{writer.number}-")
    assert published(http, "consumerportal")["records"]["uploads"] == seeded["uploads"] + rows
    return reads


def seed_facts(http: httpx.Client, writers: dict[str, list[Writer]]) -> dict[str, dict[str, Any]]:
    """What the seeded state holds of what the checks count (a reset brings exactly this back)."""
    facts: dict[str, dict[str, Any]] = {}
    portal = {}
    for token in _by_user(writers["portal"]):
        portal[token] = {
            f["id"] for f in http.get(f"{PORTAL}/profile/assessments/draft", headers=dict(token)).json()["data"]
        }
    facts["portal"] = {"drafts": portal, "forms": published(http, "portal")["records"]["forms"]}
    admin = writers["homeq"][0].headers
    facts["homeq"] = {
        "estates": set(inventory_estates(http, admin)[0]),
        "records": published(http, "homeq")["records"]["estates"],
    }
    facts["instruction"] = {
        "references": {
            w.target: http.get(f"{INSTRUCTION}/{w.target}", headers=w.headers)
            .json()["otherInformation"]
            .get("INTRODUCERCUSTOMERREFERENCE")
            for w in writers["instruction"]
        },
        "records": published(http, "instruction")["records"]["instructions"],
    }
    comments = {}
    for writer in writers["consumerportal"]:
        consumer, action = writer.target
        comments[action] = consumer_session(http, writer.headers, consumer)["duplicate_comfort_data"]["productactions"][
            action
        ]["comment"]
    facts["consumerportal"] = {"comments": comments, "uploads": published(http, "consumerportal")["records"]["uploads"]}
    return facts


CHECKS = {
    "portal": check_portal,
    "homeq": check_homeq,
    "instruction": check_instruction,
    "consumerportal": check_consumerportal,
}


def test_writes_acknowledged_after_the_last_reset_survive_64_concurrent_writers_and_random_resets(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    # With a cache folder a reset loads the seeded tables (as ``mockserver run`` does) instead of
    # drawing them again: under 64 clients' load a drawn HomeQ reset would take seconds.
    server = MockServer(make_settings(cache_dir=str(tmp_path)))
    statuses = Statuses()
    with serve(server) as origin, httpx.Client(base_url=origin, timeout=10.0) as http:
        writers = {
            "portal": portal_writers(http),
            "homeq": homeq_writers(http),
            "instruction": instruction_writers(http, server),
            "consumerportal": consumerportal_writers(http),
        }
        for group in writers.values():  # each operation's first request (compiling its plan) out of the way
            assert group[0].write(http, "warm-up")[0].status_code in {group[0].ok, *group[0].allowed}
        assert http.post("/__admin/reset").status_code == 200  # the probes and warm-ups undone
        seeded = seed_facts(http, writers)
        everyone = [w for group in writers.values() for w in group]
        deadline = Deadline()
        # The last thread to arrive sets the deadline, so that no thread's set-up eats the load's time.
        start = threading.Barrier(len(everyone) + 1, action=deadline.set)
        results: dict[int, list[Write]] = {}
        resets: list[Reset] = []
        failures: list[BaseException] = []

        def writing(index: int, writer: Writer) -> None:
            try:
                results[index] = run_writer(origin, writer, start, deadline, statuses)
            except BaseException as exc:  # reported below
                failures.append(exc)

        def resetting() -> None:
            try:
                resets.extend(run_resetter(origin, start, deadline, statuses))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=writing, args=(i, w)) for i, w in enumerate(everyone)]
        threads.append(threading.Thread(target=resetting))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 30)
        assert not any(t.is_alive() for t in threads), "a writer hung"
        assert not failures, failures
        load_seconds = time.monotonic() - deadline.began

        writes = [w for done in results.values() for w in done]
        assert {r.api for r in resets} == set(APIS), resets  # the first four resets cover every API
        reads = 0
        for api in APIS:
            mine = [r for r in resets if r.api == api]
            last = max(mine, key=lambda r: r.acked) if mine else None
            split = sides([w for w in writes if w.api == api], writers[api][0].ok, last)
            assert split.after, f"{api}: no write after its last reset"
            reads += CHECKS[api](http, writers[api], split, seeded[api])
        assert not statuses.bad, statuses.bad[:5]
        print(
            f"\n{len(writes)} writes ({sum(w.status < 300 for w in writes)} acknowledged) by {len(everyone)} writers "
            f"in {load_seconds:.1f} s, {len(resets)} resets "
            f"({', '.join(f'{a} {sum(r.api == a for r in resets)}' for a in APIS)}), {reads} reads checked, "
            f"statuses {dict(sorted(statuses.seen.items()))}, {time.monotonic() - began:.1f} s in all"
        )
