"""`mockserver run` (what `make run` calls) serves every API over real HTTP on 127.0.0.1."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.cli import build_parser, main, settings_from
from mockserver.engine.registry import FIXTURES_DIR, SPECS_DIR
from mockserver.web.app import MockServer
from tests.conftest import make_settings


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


def test_version_is_the_installed_distribution_s(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"mockserver {importlib.metadata.version('mockserver')}\n"


@pytest.fixture
def no_folder_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECS_DIR", raising=False)
    monkeypatch.delenv("FIXTURES_DIR", raising=False)


@pytest.mark.usefixtures("no_folder_env")
def test_lint_lints_the_packaged_specs_or_the_specs_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    assert capsys.readouterr().out.endswith("4 file(s), 0 error(s), 0 warning(s)\n")
    shutil.copy(SPECS_DIR / "portal.yaml", tmp_path)
    assert main(["lint", "--specs-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'portal.yaml'}: OK" in out
    assert out.endswith("1 file(s), 0 error(s), 0 warning(s)\n")


@pytest.mark.usefixtures("no_folder_env")
def test_lint_never_passes_on_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--specs-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"mockserver lint: no specs (*.yaml) in {tmp_path}\n"
    monkeypatch.setenv("SPECS_DIR", str(tmp_path))
    assert main(["lint"]) == 2
    assert "no specs (*.yaml)" in capsys.readouterr().err
    assert main(["lint", str(tmp_path / "nothing.yaml")]) == 2
    assert capsys.readouterr().err == f"mockserver lint: no such spec file or folder: {tmp_path / 'nothing.yaml'}\n"


def own_copies(tmp_path: Path) -> tuple[Path, Path]:
    """A team's own copies of the specs and fixtures: the portal's title and its demo user changed."""
    specs, fixtures = shutil.copytree(SPECS_DIR, tmp_path / "my-specs"), shutil.copytree(FIXTURES_DIR, tmp_path / "f")
    portal = specs / "portal.yaml"
    portal.write_text(portal.read_text().replace("title: Home-buying customer portal API (mock)", "title: Our portal"))
    customers = fixtures / "portal" / "customers.yaml"
    customers.write_text(customers.read_text().replace("alice@example.com", "alice@team.example"))
    return specs, fixtures


def test_the_specs_and_fixtures_dirs_are_what_is_served_and_seeded(tmp_path: Path) -> None:
    specs, fixtures = own_copies(tmp_path)
    cache = str(tmp_path / "cache")
    packaged = MockServer(make_settings(apis=("portal",), cache_dir=cache))  # keeps its seeded data in the cache
    own = MockServer(make_settings(apis=("portal",), cache_dir=cache, specs_dir=str(specs), fixtures_dir=str(fixtures)))
    alice = {"Authorization": "Bearer demo-alice-token"}
    with TestClient(own) as client, TestClient(packaged) as other:
        assert client.get("/api/rest/portal/profile", headers=alice).json()["email"] == "alice@team.example"
        assert other.get("/api/rest/portal/profile", headers=alice).json()["email"] == "alice@example.com"
        assert client.get("/api/rest/portal/openapi.json").json()["info"]["title"] == "Our portal"
        assert other.get("/api/rest/portal/openapi.json").json()["info"]["title"] != "Our portal"
        # Swagger UI loads the spec it documents from that openapi.json.
        assert "/api/rest/portal/openapi.json" in client.get("/api/rest/portal/ui/").text
        assert [api["title"] for api in client.get("/__admin/apis").json()["apis"]] == ["Our portal"]
    assert own.runtime.apis["portal"].definition.spec_file == specs / "portal.yaml"


def test_a_missing_spec_or_fixtures_folder_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server should not have started")

    monkeypatch.setattr("mockserver.cli.serve", never)
    specs, fixtures = own_copies(tmp_path)
    (specs / "homeq.yaml").unlink()
    shutil.rmtree(fixtures / "instruction")
    assert main(["run", "--specs-dir", str(specs)]) == 2
    assert capsys.readouterr().err == f"mockserver: no spec homeq.yaml in {specs} (--specs-dir)\n"
    assert main(["run", "--fixtures-dir", str(fixtures), "--api", "instruction"]) == 2
    assert capsys.readouterr().err == f"mockserver: no fixtures folder instruction/ in {fixtures} (--fixtures-dir)\n"
    # The others read only the specs they serve or check.
    assert main(["contract", "--base-url", "http://127.0.0.1:9", "--specs-dir", str(specs), "--api", "homeq"]) == 2
    assert capsys.readouterr().err == f"mockserver contract: no spec homeq.yaml in {specs} (--specs-dir)\n"
    assert main(["proxy", "--target", "http://127.0.0.1:9", "--specs-dir", str(specs)]) == 2
    assert capsys.readouterr().err == f"mockserver proxy: no spec homeq.yaml in {specs} (--specs-dir)\n"
