"""`mockserver run` (what `make run` calls) serves every API over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from mockserver.cli import build_parser, settings_from


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("log_level", ["warning", "info"])
def test_run_serves_every_api_on_loopback(log_level: str) -> None:
    """...and logs each request where the log level shows uvicorn's access log (``info``)."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "SEED": "42", "ANCHOR_DATE": "2026-03-02"}
    env["LOG_LEVEL"] = log_level
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    with process:
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    health = httpx.get(f"{base}/__admin/health", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                    assert time.monotonic() < deadline, "server did not start within 30 s"
                    time.sleep(0.1)
            assert health.json()["seed"] == 42
            profile = httpx.get(f"{base}/api/rest/portal/profile", headers={"Authorization": "Bearer demo-alice-token"})
            assert profile.json()["email"] == "alice@example.com"
        finally:
            process.terminate()
            process.wait(timeout=10)
        output = process.stdout.read().decode() if process.stdout else ""
    assert ('"GET /api/rest/portal/profile HTTP/1.1" 200' in output) == (log_level == "info"), output


def test_settings_come_from_flags_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEED", "5")
    monkeypatch.setenv("PORT", "9001")
    settings = settings_from(build_parser().parse_args(["run", "--seed", "6", "--api", "portal"]))
    assert (settings.seed, settings.port, settings.apis) == (6, 9001, ("portal",))


def test_bad_environment_values_are_reported_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ValueError, match="PORT='eighty'"):
        settings_from(build_parser().parse_args(["run"]))
