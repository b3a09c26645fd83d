"""The package is complete: built as `python -m build` builds it (the sdist, then the wheel from the
sdist) and installed into a fresh virtualenv, `mockserver` serves, lints and reads a team's own specs
from any folder, with nothing but the wheel and its dependencies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import venv
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plain_requests import REQUESTS
from tests.test_cli import free_port

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
#: What the build does not read: the repository's tests, tools, outputs and virtualenvs...
TOP_LEFT_OUT = {".git", ".venv", "tests", "contract_tests", "bench", "docs", "reports", "build", "dist", ".hypothesis"}


def left_out(folder: str, names: list[str]) -> set[str]:
    """...and caches anywhere (``shutil.copytree``'s ``ignore``)."""
    top = TOP_LEFT_OUT if Path(folder) == ROOT else set()
    return {n for n in names if n in top or n in {"__pycache__", "node_modules"} or n.endswith((".egg-info", "_cache"))}


def shipped() -> dict[str, Path]:
    """Every file the package must carry (its place in the package -> the repository's file)."""
    files = {f"mockserver/{p.relative_to(ROOT / 'mockserver')}": p for p in (ROOT / "mockserver").rglob("*.py")}
    files["mockserver/admin/openapi.yaml"] = ROOT / "mockserver" / "admin" / "openapi.yaml"
    files["mockserver/_data/schemathesis.toml"] = ROOT / "schemathesis.toml"
    for folder in ("specs", "fixtures"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                files[f"mockserver/_data/{folder}/{path.relative_to(ROOT / folder)}"] = path
    return {name: path for name, path in files.items() if "__pycache__" not in name}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel), built from a copy of the repository (no build/ or egg-info left in it)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=left_out)
    dist = work / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], capture_output=True, text=True, timeout=300
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def installed(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and its dependencies (pip's cache makes it quick); its bin/."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(home, with_pip=False)
    # This interpreter's pip installs into the new one (`--python`): no pip bootstrapped there.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(home / "bin" / "python"), "install", "--quiet", str(built[1])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return home / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> dict[str, Any]:
    """Where the installed commands run: a folder that is not the repository, an environment that
    names no folders of ours and keeps its caches in the temporary folder."""
    env = {k: v for k, v in os.environ.items() if k not in {"SPECS_DIR", "FIXTURES_DIR", "PYTHONPATH", "VIRTUAL_ENV"}}
    env["CACHE_DIR"] = str(tmp_path / "cache")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    return {"cwd": cwd, "env": env}


def test_the_sdist_and_the_wheel_carry_the_specs_fixtures_and_settings(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    assert sorted(set(shipped()) - in_wheel) == []
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for folder in ("specs", "fixtures"):
        files = {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert files
        assert files <= in_sdist
    assert {"mockserver/admin/openapi.yaml", "schemathesis.toml"} <= in_sdist


def test_the_installed_command_knows_its_version_and_lints_the_packaged_specs(
    installed: Path, elsewhere: dict[str, Any]
) -> None:
    version = subprocess.run([installed / "mockserver", "--version"], capture_output=True, text=True, **elsewhere)
    assert (version.returncode, version.stdout, version.stderr) == (0, f"mockserver {VERSION}\n", "")
    lint = subprocess.run([installed / "mockserver", "lint"], capture_output=True, text=True, **elsewhere)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.endswith("4 file(s), 0 error(s), 0 warning(s)\n")
    assert "mockserver/_data/specs/portal.yaml: OK" in lint.stdout
    assert "Warning" not in lint.stderr


def serving(bin_: Path, args: list[str], where: dict[str, Any], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Starts ``mockserver run`` on a free port; returns it once its control plane answers."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([bin_ / "mockserver", "run", "--port", str(port), *args], stderr=out, **where)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/__admin/health", timeout=1)
            return process, base
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"mockserver run did not start: {log.read_text()}")
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_installed_server_serves_every_api_without_a_warning(
    installed: Path, elsewhere: dict[str, Any], tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    process, base = serving(installed, [], {**elsewhere, "stdout": subprocess.DEVNULL}, log)
    try:
        apis = httpx.get(f"{base}/__admin/apis").json()["apis"]
        assert sorted(api["name"] for api in apis) == sorted(REQUESTS)
        assert httpx.get(f"{base}/api/rest/portal/profile").status_code == 401
        for api in apis:
            call = next(c for c in REQUESTS[api["name"]] if c.method == "GET" and c.expect == 200)
            url = base + api["basePath"] + call.path
            auth, user = api["auth"], api["auth"]["users"][0]
            token = user.get("token") or user["longLivedToken"]
            headers = {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}
            assert httpx.get(url, headers=headers).status_code == 200, url
            assert httpx.get(f"{base}{api['basePath']}/ui/").status_code == 200
    finally:
        stop(process)
    assert "Warning" not in log.read_text(), log.read_text()


def test_the_installed_server_reads_a_team_s_own_specs_and_fixtures(
    installed: Path, elsewhere: dict[str, Any], tmp_path: Path
) -> None:
    specs = shutil.copytree(ROOT / "specs", tmp_path / "my-specs")
    fixtures = shutil.copytree(ROOT / "fixtures", tmp_path / "my-fixtures")
    portal = specs / "portal.yaml"
    portal.write_text(portal.read_text().replace("title: Home-buying customer portal API (mock)", "title: Our portal"))
    customers = fixtures / "portal" / "customers.yaml"
    customers.write_text(customers.read_text().replace("alice@example.com", "alice@team.example"))
    bin_ = installed
    lint = subprocess.run(
        [bin_ / "mockserver", "lint", "--specs-dir", specs], capture_output=True, text=True, **elsewhere
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert f"{portal}: OK" in lint.stdout

    args = ["--api", "portal", "--specs-dir", str(specs), "--fixtures-dir", str(fixtures)]
    log = tmp_path / "stderr.log"
    process, base = serving(bin_, args, {**elsewhere, "stdout": subprocess.DEVNULL}, log)
    try:
        assert [api["title"] for api in httpx.get(f"{base}/__admin/apis").json()["apis"]] == ["Our portal"]
        profile = httpx.get(f"{base}/api/rest/portal/profile", headers={"Authorization": "Bearer demo-alice-token"})
        assert profile.json()["email"] == "alice@team.example"
    finally:
        stop(process)

    portal.unlink()
    missing = subprocess.run(
        [bin_ / "mockserver", "run", "--specs-dir", specs], capture_output=True, text=True, timeout=60, **elsewhere
    )
    assert (missing.returncode, missing.stderr) == (2, f"mockserver: no spec portal.yaml in {specs} (--specs-dir)\n")
