"""``mockserver run --reload``: a supervisor restarts the server on a change of the specs, fixtures
or code (``mockserver.reload``). Each test starts the real command on copies of the specs and
fixtures, changes a copy and waits (bounded) for what the server publishes."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.engine.paths import PACKAGED_FIXTURES, PACKAGED_SPECS

PORTAL = "/api/rest/portal"
ALICE = {"Authorization": "Bearer demo-alice-token"}
FAVOURITE = f"{PORTAL}/profile/favourites/5355"
#: A change must be served within this many seconds of the file's write (issue 21).
RELOAD_BOUND = 2.0
#: Bounded waits: a server's first start, a failure's report, the supervisor's exit.
START_BOUND = 30.0
EXIT_BOUND = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], bound: float, what: str) -> Any:
    deadline = time.monotonic() + bound
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not within {bound} s"
        time.sleep(0.01)


class Supervised:
    """``mockserver run --reload`` on copies of the specs and fixtures, in a folder of its own."""

    def __init__(self, folder: Path, *options: str) -> None:
        self.specs = folder / "specs"
        self.fixtures = folder / "fixtures"
        if not self.specs.exists():
            shutil.copytree(PACKAGED_SPECS, self.specs)
            shutil.copytree(PACKAGED_FIXTURES, self.fixtures)
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.stderr_file = folder / f"stderr-{self.port}.txt"
        command = [sys.executable, "-m", "mockserver", "run", "--reload", "--port", str(self.port)]
        command += ["--specs-dir", str(self.specs), "--fixtures-dir", str(self.fixtures), *options]
        with self.stderr_file.open("wb") as stderr:
            # Only APIs the tests use: each (re)start builds less.
            self.tmp = folder / f"tmp-{self.port}"  # where the supervisor's own state folder goes
            self.tmp.mkdir()
            env = {**os.environ, "CACHE_DIR": str(folder / "cache"), "TMPDIR": str(self.tmp)}
            self.process = subprocess.Popen(
                [*command, "--api", "portal"], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        # A connection per request: none is cut by a server that stops (a reload must refuse none).
        self.client = httpx.Client(base_url=self.origin, timeout=10, headers={"Connection": "close"})
        wait_for(self.answers, START_BOUND, "the first start")

    def answers(self) -> bool:
        assert self.process.poll() is None, self.stderr()
        try:
            return self.client.get("/__admin/health").status_code == 200
        except httpx.TransportError:
            return False

    def stderr(self) -> str:
        return self.stderr_file.read_text(errors="replace")

    def info(self, field: str = "version") -> str:
        answer = self.client.get(f"{PORTAL}/openapi.json")
        assert answer.status_code == 200, answer.text
        return str(answer.json()["info"][field])

    def version(self) -> str:
        return self.info("version")

    def edit_spec(self, change: Callable[[str], str]) -> float:
        """Changes the portal's spec copy once the supervisor's children settled; the moment of the
        write (``time.monotonic``)."""
        self.settle()
        path = self.specs / "portal.yaml"
        text = change(path.read_text())
        written = time.monotonic()
        path.write_text(text)
        return written

    def set_info(self, field: str, value: str) -> float:
        return self.edit_spec(lambda text: re.sub(rf"(?m)^  {field}: .*$", f"  {field}: {value}", text, count=1))

    def set_version(self, version: str) -> float:
        return self.set_info("version", version)

    def served_within(self, value: str, written: float, field: str = "version") -> float:
        wait_for(lambda: self.info(field) == value, RELOAD_BOUND + 3, f"{field} {value} served")
        took = time.monotonic() - written
        print(f"{field} {value} served {took:.2f} s after the write")
        return took

    def settle(self) -> None:
        """Waits (bounded) until the children use no CPU for a while: the spare started after the
        last reload has its modules imported and waits for the next change, as it would when
        someone edits a file (the tests run next to others: a spare still importing would measure
        the machine's load, not the reload)."""
        quiet_since = time.monotonic()
        used = self.cpu()
        deadline = quiet_since + 15
        while time.monotonic() - quiet_since < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.cpu()
            if now != used:
                used, quiet_since = now, time.monotonic()

    def cpu(self) -> int:
        """Clock ticks of CPU the children used so far (``/proc/<pid>/stat``: utime + stime)."""
        total = 0
        for pid in self.children():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:  # the supervisor is gone
            return []

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(EXIT_BOUND)
        finally:
            self.client.close()
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Callable[..., Supervised]]:
    started: list[Supervised] = []

    def start(*options: str) -> Supervised:
        started.append(Supervised(tmp_path, *options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_a_spec_change_is_served_within_2_s_and_a_broken_spec_keeps_the_previous_one(
    supervised: Callable[..., Supervised],
) -> None:
    server = supervised()
    assert server.version() == "1.0.0"
    with requests_meanwhile(server) as failures:
        took = server.served_within("1.0.1", server.set_version("1.0.1"))
    assert took < RELOAD_BOUND
    assert failures == []
    wait_for(lambda: "reloaded (specs/portal.yaml changed) in " in server.stderr(), 5, "the reload's line")

    # A spec that does not parse: reported with its file and error; the previous one still serves.
    server.edit_spec(lambda text: text.replace("openapi: 3.0.3", "openapi: [3.0.3", 1))
    report = wait_for(lambda: _failure(server, 1), 10, "the broken YAML's report")
    assert "specs/portal.yaml" in report
    assert "line 1" in report
    assert "Traceback" not in report
    assert server.version() == "1.0.1"

    # One that parses but is no OpenAPI document.
    server.edit_spec(lambda text: text.replace("openapi: [3.0.3", "openapi: 3.0.3", 1).replace("\npaths:", "\npathz:"))
    report = wait_for(lambda: _failure(server, 2), 10, "the invalid spec's report")
    assert "specs/portal.yaml" in report
    assert "pathz" in report or "'paths' is a required property" in report
    assert "Traceback" not in report
    assert server.version() == "1.0.1"

    # Fixed: served again.
    took = server.served_within("1.0.2", server.edit_spec(_fixed("1.0.2")))
    assert took < RELOAD_BOUND


@contextlib.contextmanager
def requests_meanwhile(server: Supervised) -> Iterator[list[str]]:
    """Requests on new connections, one after the other, in a thread; yields their failures."""
    failures: list[str] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                status = httpx.get(f"{server.origin}/__admin/health", timeout=10).status_code
                if status != 200:
                    failures.append(f"status {status}")
            except httpx.HTTPError as exc:
                failures.append(repr(exc))

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    try:
        yield failures
    finally:
        done.set()
        thread.join(timeout=15)


def _fixed(version: str) -> Callable[[str], str]:
    def fix(text: str) -> str:
        text = text.replace("\npathz:", "\npaths:")
        return re.sub(r"(?m)^  version: .*$", f"  version: {version}", text, count=1)

    return fix


def _failure(server: Supervised, count: int) -> str | None:
    """The ``count``-th failure's report in the supervisor's output (up to the next line of its own)."""
    parts = server.stderr().split("mockserver: reload failed, still serving the previous version:\n")
    if len(parts) <= count:
        return None
    return parts[count].split("\nmockserver: ")[0]


@pytest.mark.parametrize("state_dir", [True, False], ids=["state-dir", "no-state-dir"])
def test_what_clients_changed_is_kept_across_a_reload(
    supervised: Callable[..., Supervised], tmp_path: Path, state_dir: bool
) -> None:
    server = supervised(*(["--state-dir", str(tmp_path / "state")] if state_dir else []))
    assert server.client.head(FAVOURITE, headers=ALICE).status_code == 404
    assert server.client.post(f"{PORTAL}/profile/favourites", headers=ALICE, json={"listing": 5355}).status_code == 201
    took = server.served_within("Portal, reloaded", server.set_info("title", "Portal, reloaded"), field="title")
    assert took < RELOAD_BOUND
    assert server.client.head(FAVOURITE, headers=ALICE).status_code == 200
    server.set_version("1.0.1")
    if state_dir:
        # The state kept is refused on another version of a spec (``engine.persistence``): reported,
        # and the previous version keeps serving, the favourite with it.
        report = wait_for(lambda: _failure(server, 1), 10, "the refused state's report")
        assert "the portal spec's version 1.0.0 (now 1.0.1)" in report
        assert str(tmp_path / "state") in report
        assert server.version() == "1.0.0"
        assert server.client.head(FAVOURITE, headers=ALICE).status_code == 200
        # And after the supervisor stopped, the next one on the folder has it too.
        assert server.stop() == 0
        server.set_version("1.0.0")
        again = supervised("--state-dir", str(tmp_path / "state"))
        assert again.client.head(FAVOURITE, headers=ALICE).status_code == 200
    else:
        # The supervisor's own state folder starts afresh instead.
        server.served_within("1.0.1", time.monotonic())
        assert server.client.head(FAVOURITE, headers=ALICE).status_code == 404


def test_a_fixture_change_is_served(supervised: Callable[..., Supervised]) -> None:
    server = supervised()

    def development() -> str:
        return str(
            server.client.get(f"{PORTAL}/profile/favourites", headers=ALICE).json()["data"][0]["developmentName"]
        )

    assert development() == "Riverside Quarter"
    listings = server.fixtures / "portal" / "listings.yaml"
    server.settle()
    written = time.monotonic()
    listings.write_text(listings.read_text().replace("name: Riverside Quarter,", "name: Riverside Quay,", 1))
    wait_for(lambda: development() == "Riverside Quay", RELOAD_BOUND + 3, "the fixture's change")
    print(f"fixture change served {time.monotonic() - written:.2f} s after the write")
    wait_for(lambda: "reloaded (fixtures/portal/listings.yaml changed)" in server.stderr(), 5, "the reload's line")


def test_sigterm_stops_the_supervisor_and_its_server(supervised: Callable[..., Supervised]) -> None:
    server = supervised()
    children = wait_for(lambda: len(server.children()) == 2 and server.children(), 10, "the server and its spare")
    signalled = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - signalled < 10
    for pid in children:
        assert not Path(f"/proc/{pid}").exists()
    assert list(server.tmp.iterdir()) == []  # its own state folder deleted
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.origin}/__admin/health", timeout=2)


def test_a_server_that_dies_is_reported_and_the_next_change_starts_one(supervised: Callable[..., Supervised]) -> None:
    server = supervised()
    for pid in server.children():  # the server and the spare waiting for the next change
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: "the server exited on its own (exit code -9)" in server.stderr(), 5, "the report")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.origin}/__admin/health", timeout=0.5)  # waits in the backlog: nobody accepts
    took = server.served_within("1.0.1", server.set_version("1.0.1"))
    assert took < RELOAD_BOUND
