"""State kept across restarts (``STATE_DIR``, ``engine.persistence``): every change clients made to
records, every session and every uploaded file comes back after a restart (a clean one, or a
kill -9 once the changes are written), in the same order, with the ids going on and HomeQ's tokens
still valid; a reset drops what was kept; a state kept with other settings, or a folder another
server uses, is refused with a message that says what differs and how to start fresh; without
``STATE_DIR`` nothing is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.engine.persistence import FILE, StateRefused
from mockserver.engine.store import json_copy
from mockserver.web.app import MockServer
from tests.conftest import ALICE, ANCHOR, PORTAL, credentials, make_settings

FAVOURITES = f"{PORTAL}/profile/favourites"
ESTATE = "/api/v4/estate"
LOGIN = "/api/v2/tokens/"
REFERENCES = "/instruction/TMP110001/introducerreferences"
CONSUMER = "CNSRCEC47CDCA8A89085FB562D681733A6"
SESSION_CALL = f"/consumerportal/getsession?consumer_id={CONSUMER}&ip_address="
#: Bounded waits: a server start, a write of the state.
START_SECONDS = 60.0
WRITE_SECONDS = 20.0


def kept_settings(state_dir: Path, **changes: Any) -> Any:
    # A random HomeQ secret (no JWT_SECRET): the one kept with the state must come back.
    return make_settings(**{"state_dir": str(state_dir), "state_flush_seconds": 0.05, "jwt_secret": "", **changes})


@contextlib.contextmanager
def running(settings: Any) -> Iterator[tuple[MockServer, TestClient]]:
    server = MockServer(settings)
    try:
        with TestClient(server, raise_server_exceptions=True) as client:
            yield server, client
    finally:
        server.runtime.close()


def homeq_token(client: Any, headers: dict[str, str] | None = None, session: str | None = None) -> dict[str, str]:
    """A JWT from HomeQ's login as its first demo user (in ``session``, if named)."""
    listed = client.get("/__admin/apis", params={"session": session} if session else {}).json()["apis"]
    user = next(a for a in listed if a["name"] == "homeq")["auth"]["users"][0]
    body = {"username": user["username"], "password": user["password"]}
    response = client.post(LOGIN, json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return {"Authorization": f"JWT {response.json()['token']}"}


def tables(server: MockServer, session: str | None = None) -> dict[str, dict[str, Any]]:
    """Every row of every table of every API (copies), in the tables' order, and their next ids."""
    runtime = server.runtime
    found = runtime.sessions.get(session) if session else None
    states = found.states if found is not None else {name: served.state for name, served in runtime.apis.items()}
    return {
        api: {
            table.name: ([(key, json_copy(row)) for key, row in table.dump()[0].items()], table.upcoming_id)
            for table in state.store  # type: ignore[attr-defined]
        }
        for api, state in states.items()
    }


def write_everywhere(client: TestClient, session: str = "w3") -> dict[str, Any]:
    """Creates, changes and deletes records in every API, in the default state and in ``session``;
    answers what the checks after a restart need."""
    seeded = client.get(FAVOURITES, headers=ALICE).json()["data"]
    assert client.post(FAVOURITES, json={"listing": 5355}, headers=ALICE).status_code == 201
    assert client.post(FAVOURITES, json={"listing": 5356}, headers=ALICE).status_code == 201
    gone = seeded[0]["id"]
    assert client.delete(f"{FAVOURITES}/{gone}", headers=ALICE).status_code == 204
    assert client.put(f"{PORTAL}/profile", json={"phone": "07700 900123"}, headers=ALICE).status_code == 200
    token = homeq_token(client)
    estates = []
    for name in ("Kept One", "Kept Two"):
        made = client.post(ESTATE, json={"legal_name": name, "city": "Lund"}, headers=token)
        assert made.status_code == 200, made.text
        estates.append(made.json()["id"])
    references = {"uniqueCustomerReference": "KEPT-1", "uniqueIntegrationReference": "KEPT-INT-1"}
    assert client.put(REFERENCES, json=references, headers=credentials(client, "instruction")).status_code == 200
    consumer = client.get(SESSION_CALL + "203.0.113.77", headers=credentials(client, "consumerportal"))
    assert consumer.status_code == 200, consumer.text
    upload = client.put(
        "/__admin/uploads/homeq/images/kept.png", content=b"\x89PNG kept", headers={"Content-Type": "image/png"}
    )
    assert upload.status_code == 200
    # The session: its own token, estate and favourite.
    in_session = {"X-Mock-Session": session}
    session_token = homeq_token(client, in_session, session=None)
    made = client.post(
        ESTATE, json={"legal_name": "Session Estate", "city": "Malmö"}, headers={**session_token, **in_session}
    )
    assert made.status_code == 200, made.text
    assert client.post(FAVOURITES, json={"listing": 5357}, headers={**ALICE, **in_session}).status_code == 201
    return {
        "gone": gone,
        "token": token,
        "estates": estates,
        "session_token": {**session_token, **in_session},
        "session_estate": made.json()["id"],
    }


def test_every_change_comes_back_after_a_restart(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path)) as (server, client):
        made = write_everywhere(client)
        before = tables(server)
        before_session = tables(server, "w3")
        favourites = client.get(FAVOURITES, headers=ALICE).json()["data"]
        profile = client.get(f"{PORTAL}/profile", headers=ALICE).json()
    assert (tmp_path / FILE).exists()
    with running(kept_settings(tmp_path)) as (server, client):
        assert tables(server) == before  # every row, in the same order, and the same next ids
        assert tables(server, "w3") == before_session
        assert client.get(FAVOURITES, headers=ALICE).json()["data"] == favourites
        assert made["gone"] not in {f["id"] for f in favourites}
        assert client.get(f"{PORTAL}/profile", headers=ALICE).json() == profile
        # HomeQ's token from before the restart still works, and ids go on.
        for estate in made["estates"]:
            assert client.get(f"{ESTATE}/{estate}", headers=made["token"]).status_code == 200
        again = client.post(ESTATE, json={"legal_name": "After", "city": "Lund"}, headers=made["token"])
        assert again.status_code == 200, again.text
        assert again.json()["id"] > max(made["estates"])
        # The session is there, with its own token and data; the default state does not see them.
        assert [s["name"] for s in client.get("/__admin/sessions").json()["sessions"]] == ["w3"]
        in_session = client.get(f"{ESTATE}/{made['session_estate']}", headers=made["session_token"])
        assert in_session.status_code == 200
        assert "Session Estate" in in_session.text
        assert "Session Estate" not in client.get(f"{ESTATE}/{made['session_estate']}", headers=made["token"]).text
        assert "5357" in client.get(FAVOURITES, headers={**ALICE, "X-Mock-Session": "w3"}).text
        assert "5357" not in client.get(FAVOURITES, headers=ALICE).text
        assert client.get("/__admin/uploads/homeq/images/kept.png").content == b"\x89PNG kept"
        state = client.get("/__admin/state").json()
        assert state["dir"] == str(tmp_path.resolve())
        assert state["restoredSessions"] == 1
        assert sum(state["restored"].values()) > 0


def test_a_reset_drops_what_was_kept(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path)) as (server, client):
        seeded = tables(server)
        write_everywhere(client)
        assert client.post("/__admin/reset").status_code == 200
    with running(kept_settings(tmp_path)) as (server, client):
        assert tables(server) == seeded
        assert client.get("/__admin/uploads/homeq/images/kept.png").status_code == 404
        # The session was not reset: it is still there, with its changes.
        assert [s["name"] for s in client.get("/__admin/sessions").json()["sessions"]] == ["w3"]


def test_a_reset_of_one_api_or_one_session_drops_only_its_changes(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path)) as (server, client):
        seeded = tables(server)
        write_everywhere(client)
        changed = tables(server)
        changed_session = tables(server, "w3")
        assert client.post("/__admin/reset?api=portal").status_code == 200
        assert client.post("/__admin/reset?session=w3&api=homeq").status_code == 200
        session_after = tables(server, "w3")
    with running(kept_settings(tmp_path)) as (server, _):
        now = tables(server)
        assert now["portal"] == seeded["portal"]
        assert {api: rows for api, rows in now.items() if api != "portal"} == {
            api: rows for api, rows in changed.items() if api != "portal"
        }
        in_session = tables(server, "w3")
        assert in_session == session_after
        assert in_session["homeq"] != changed_session["homeq"]
        assert in_session["portal"] == changed_session["portal"]


def test_a_session_removed_is_not_kept(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path)) as (_, client):
        write_everywhere(client)
        assert client.delete("/__admin/sessions/w3").status_code == 204
        assert (
            client.post(FAVOURITES, json={"listing": 5358}, headers={**ALICE, "X-Mock-Session": "w4"}).status_code
            == 201
        )
    with running(kept_settings(tmp_path)) as (server, client):
        assert [s["name"] for s in client.get("/__admin/sessions").json()["sessions"]] == ["w4"]
        assert server.runtime.persistence is not None
        assert server.runtime.persistence.restored_sessions == 1


def test_other_settings_are_refused_saying_what_differs(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path, seed=7)) as (_, client):
        assert client.post(FAVOURITES, json={"listing": 5355}, headers=ALICE).status_code == 201
    with pytest.raises(StateRefused) as refused:
        MockServer(kept_settings(tmp_path, seed=8, volume=9))
    message = str(refused.value)
    assert "seed 7 (now 8)" in message
    assert "volume 8 (now 9)" in message
    assert "--seed 7" in message
    assert f"delete {tmp_path.resolve() / FILE}" in message
    with pytest.raises(StateRefused, match=r"anchor day 2026-03-02 \(now 2026-03-03\)"):
        MockServer(kept_settings(tmp_path, seed=7, anchor_date=ANCHOR.replace(day=3)))
    # Without an anchor day the kept one is taken.
    with running(kept_settings(tmp_path, seed=7, anchor_date=None)) as (server, client):
        assert server.runtime.clock.anchor == ANCHOR
        assert "5355" in client.get(FAVOURITES, headers=ALICE).text


def test_without_an_anchor_day_the_kept_one_is_taken_and_the_clock_runs_from_now(tmp_path: Path) -> None:
    """A state made without ANCHOR_DATE (yesterday, say) is restored on its day, the time running
    from now as it did; one made with ANCHOR_DATE starts its clock there again (above)."""
    with running(kept_settings(tmp_path, anchor_date=None)) as (_, client):
        assert client.post(FAVOURITES, json={"listing": 5355}, headers=ALICE).status_code == 201
    with contextlib.closing(sqlite3.connect(tmp_path / FILE)) as db, db:
        db.execute("UPDATE meta SET value = '2026-03-01' WHERE name = 'anchor'")
    with running(kept_settings(tmp_path, anchor_date=None)) as (server, _):
        clock = server.runtime.clock
        assert clock.anchor == dt.date(2026, 3, 1)
        assert abs((clock.now() - dt.datetime.now(dt.UTC)).total_seconds()) < 5


def test_sessions_forgotten_beyond_the_cap_are_not_kept(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path, max_sessions=1)) as (_, client):
        for name in ("first", "second"):
            made = client.post(FAVOURITES, json={"listing": 5355}, headers={**ALICE, "X-Mock-Session": name})
            assert made.status_code == 201
    with running(kept_settings(tmp_path, max_sessions=1)) as (_, client):
        assert [s["name"] for s in client.get("/__admin/sessions").json()["sessions"]] == ["second"]


def test_a_state_that_keeps_nothing_takes_the_new_settings(tmp_path: Path) -> None:
    with running(kept_settings(tmp_path, seed=7)):
        pass
    with running(kept_settings(tmp_path, seed=8)) as (server, _):
        assert server.runtime.settings.seed == 8


def test_a_second_server_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    refused = pytest.raises(StateRefused, match=r"another mockserver \(pid \d+\) keeps its state in")
    with running(kept_settings(tmp_path)), refused:
        MockServer(kept_settings(tmp_path))
    with running(kept_settings(tmp_path)):  # let go on close
        pass


def test_a_write_that_fails_is_made_again_by_the_next_one(tmp_path: Path) -> None:
    """A full disk, say: what the failed write took is kept in memory and written with the next."""
    settings = kept_settings(tmp_path, state_flush_seconds=3600.0)  # only the test's own flushes
    with running(settings) as (server, client):
        kept = server.runtime.persistence
        assert kept is not None
        real_write = kept._write

        def full_disk(*args: Any) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        kept._write = full_disk  # type: ignore[method-assign]
        made = write_everywhere(client)
        with pytest.raises(sqlite3.OperationalError):
            kept.flush()
        assert kept.pending() > 0
        kept._write = real_write  # type: ignore[method-assign]
        before = tables(server)
    with running(kept_settings(tmp_path)) as (server, client):
        assert tables(server) == before
        for estate in made["estates"]:
            assert client.get(f"{ESTATE}/{estate}", headers=made["token"]).status_code == 200


def test_closing_twice_is_fine_and_leaves_no_thread(tmp_path: Path) -> None:
    server = MockServer(kept_settings(tmp_path))
    assert any(t.name == "mockserver-state" for t in threading.enumerate())
    server.runtime.close()
    server.runtime.close()
    assert not any(t.name == "mockserver-state" for t in threading.enumerate())


def test_without_a_state_dir_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    server = MockServer(make_settings())
    with TestClient(server) as client:
        write_everywhere(client)
        assert client.get("/__admin/state").json() == {"dir": None}
    assert server.runtime.persistence is None
    assert not any(t.name == "mockserver-state" for t in threading.enumerate())
    assert list(tmp_path.iterdir()) == []


# -- a real server, killed and restarted ---------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def real_server(state_dir: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"JWT_SECRET", "STATE_DIR", "ANCHOR_DATE", "SEED"}}
    env |= {"STATE_FLUSH_SECONDS": "0.2", "VOLUME": "8", "LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "mockserver", "run", "--port", str(port), "--state-dir", str(state_dir)]
    command += ["--anchor-date", ANCHOR.isoformat(), *extra]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None:
            try:
                httpx.get(f"{base}/__admin/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def acknowledged_writes(base: str, count: int) -> dict[str, Any]:
    """``count`` estates in HomeQ, favourites in the portal, and an estate in a session: each
    acknowledged (201) before the next."""
    with httpx.Client(base_url=base, timeout=10) as client:
        token = homeq_token(client)
        estates = []
        for number in range(count):
            made = client.post(ESTATE, json={"legal_name": f"Acknowledged {number}", "city": "Lund"}, headers=token)
            assert made.status_code == 200, made.text
            estates.append(made.json()["id"])
        listings = [5355, 5356, 5357]
        for listing in listings:
            assert client.post(FAVOURITES, json={"listing": listing}, headers=ALICE).status_code == 201
        in_session = {"X-Mock-Session": "killed"}
        session_token = {**homeq_token(client, in_session, session=None), **in_session}
        made = client.post(ESTATE, json={"legal_name": "In a session", "city": "Lund"}, headers=session_token)
        assert made.status_code == 200, made.text
        return {"token": token, "estates": estates, "session_token": session_token, "session_estate": made.json()["id"]}


def check_writes(base: str, made: dict[str, Any]) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        for number, estate in enumerate(made["estates"]):
            got = client.get(f"{ESTATE}/{estate}", headers=made["token"])
            assert got.status_code == 200, (estate, got.text)
            assert f"Acknowledged {number}" in got.text
        favourites = str(client.get(FAVOURITES, headers=ALICE).json())
        assert all(str(listing) in favourites for listing in (5355, 5356, 5357))
        got = client.get(f"{ESTATE}/{made['session_estate']}", headers=made["session_token"])
        assert got.status_code == 200
        assert "In a session" in got.text


def wait_written(base: str) -> None:
    deadline = time.monotonic() + WRITE_SECONDS
    while httpx.get(f"{base}/__admin/state").json()["pending"]:
        assert time.monotonic() < deadline, "the changes were not written"
        time.sleep(0.02)


def test_a_killed_server_comes_back_with_every_acknowledged_write(tmp_path: Path) -> None:
    with real_server(tmp_path) as (process, base):
        made = acknowledged_writes(base, 40)
        wait_written(base)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    with real_server(tmp_path) as (process, base):
        check_writes(base, made)


def test_sigterm_right_after_the_writes_loses_nothing(tmp_path: Path) -> None:
    with real_server(tmp_path) as (process, base):
        made = acknowledged_writes(base, 40)
        process.terminate()  # no waiting for the thread's write: the shutdown writes
        assert process.wait(timeout=30) == 0
    with real_server(tmp_path) as (process, base):
        check_writes(base, made)


def test_a_restart_with_another_seed_exits_2_saying_how_to_start_fresh(tmp_path: Path) -> None:
    with real_server(tmp_path, "--seed", "42") as (process, base):
        acknowledged_writes(base, 1)
        process.terminate()
        assert process.wait(timeout=30) == 0
    with real_server(tmp_path, "--seed", "43") as (process, _):
        assert process.wait(timeout=START_SECONDS) == 2
        assert process.stderr is not None
        error = process.stderr.read().decode()
    assert "seed 42 (now 43)" in error
    assert "--seed 42" in error
    assert f"delete {tmp_path.resolve() / FILE}" in error
    assert error.startswith("mockserver: ")
    assert "Traceback" not in error


def test_a_second_real_server_on_the_same_folder_exits_2(tmp_path: Path) -> None:
    with real_server(tmp_path) as (first, _):
        with real_server(tmp_path) as (second, _):
            assert second.wait(timeout=START_SECONDS) == 2
            assert second.stderr is not None
            error = second.stderr.read().decode()
        assert f"another mockserver (pid {first.pid})" in error
        assert "Traceback" not in error
        assert first.poll() is None
