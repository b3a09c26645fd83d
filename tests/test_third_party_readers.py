"""The specs read the same in the tools users point at them (Spectral and Redocly: tests/lint).

- openapi-python-client generates a client from every spec without a warning (binary media types
  mapped to ``application/octet-stream``, its documented way to take them), types the nullable
  references and enums ``X | None`` with one enum class, and its models parse the mock's answers.
- openapi-typescript types them ``X | null``.
- Prism compiles the validators of the nullable enums: a nullable enum that lists ``null`` used to
  make it append a second ``null`` and validate nothing at all on that operation.

The specs' nullable forms and why are explained above ``components.schemas`` in each spec.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
#: Where `make bench` installs Prism (bench/package.json, pinned by its lock file).
BENCH = ROOT / "bench"
PRISM = BENCH / "node_modules" / ".bin" / "prism"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
UTC = re.compile(r"\+00:00$")
#: openapi-python-client's way to take binary bodies of other types (its README, "Configuration").
CONFIG = """content_type_overrides:
  application/pdf: application/octet-stream
  image/png: application/octet-stream
  image/jpeg: application/octet-stream
  image/gif: application/octet-stream
  image/tiff: application/octet-stream
"""


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A client package generated from each spec (``<api>_client``, importable from its parent)."""
    if not GENERATOR.exists():
        pytest.fail("openapi-python-client is missing: `make install` installs the dev dependencies")
    out = tmp_path_factory.mktemp("clients")
    (out / "config.yaml").write_text(CONFIG)
    made: dict[str, Path] = {}
    for name, definition in APIS.items():
        target = out / f"{name}_client"
        result = subprocess.run(
            [
                str(GENERATOR),
                "generate",
                "--path",
                str(definition.spec_file),
                "--output-path",
                str(target),
                "--config",
                str(out / "config.yaml"),
                "--meta",
                "none",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},  # its ruff
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Warning" not in result.stdout + result.stderr, f"{name}: {result.stdout}{result.stderr}"
        made[name] = target
    return made


def annotation(package: Path, model: str, field: str) -> str:
    source = (package / "models" / f"{model}.py").read_text()
    line = next(line for line in source.splitlines() if line.strip().startswith(f"{field}:"))
    return line.split(":", 1)[1].strip()


def test_nullable_references_and_enums_are_typed_x_or_none(clients: dict[str, Path]) -> None:
    portal = clients["portal"]
    assert annotation(portal, "profile", "living_circumstance") == "LivingCircumstance | None"
    assert annotation(portal, "profile", "home_ownership_status") == "None | ProfileHomeOwnershipStatusType0"
    enums = [p.stem for p in (portal / "models").glob("profile_home_ownership_status*.py")]
    assert enums == ["profile_home_ownership_status_type_0"]
    instruction = clients["instruction"]
    current = annotation(instruction, "instruction_milestone", "current_state")
    assert current.replace("None | ", "").replace(" | None", "").replace(" | Unset", "").count("|") == 0, current


def test_the_generated_models_parse_the_mocks_answers(clients: dict[str, Path]) -> None:
    """The portal's profile (nullable references and enums) and the consumer portal's session
    (nullable references, maps), fetched by the generated clients from the mock."""
    server = MockServer(make_settings(apis=("portal", "consumerportal")))
    sys.path.insert(0, str(clients["portal"].parent))
    try:
        portal = importlib.import_module("portal_client")
        get_profile = importlib.import_module("portal_client.api.profile.get_profile")
        consumer = importlib.import_module("consumerportal_client")
        get_session = importlib.import_module("consumerportal_client.api.consumerportal.get_session")
    finally:
        del sys.path[0]
    with TestClient(server):  # started once; the clients below share it
        alice = portal.AuthenticatedClient(base_url="http://testserver/api/rest/portal", token="demo-alice-token")
        alice.set_httpx_client(
            TestClient(
                server,
                base_url="http://testserver/api/rest/portal",
                headers={"Authorization": "Bearer demo-alice-token"},
            )
        )
        profile = get_profile.sync_detailed(client=alice)
        anyone = consumer.Client(base_url="http://testserver/consumerportal")
        anyone.set_httpx_client(TestClient(server, base_url="http://testserver/consumerportal"))
        session = get_session.sync_detailed(
            client=anyone, consumer_id="CNSRCEC47CDCA8A89085FB562D681733A6", ip_address="192.0.2.15"
        )
    assert profile.status_code == 200, profile.content[:300]
    assert type(profile.parsed).__name__ == "Profile"
    assert session.status_code == 200, session.content[:300]
    assert type(session.parsed).__name__ == "GetSessionResponse"
    # Everything reads back as it came (a datetime as the same moment, written +00:00).
    assert as_z(profile.parsed.to_dict()) == httpx.Response(200, content=profile.content).json()
    assert as_z(session.parsed.to_dict()) == httpx.Response(200, content=session.content).json()


def as_z(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: as_z(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_z(item) for item in value]
    return UTC.sub("Z", value) if isinstance(value, str) and MOMENT.fullmatch(value) else value


def test_openapi_typescript_types_nullable_references_and_enums_as_x_or_null(node_tools: Path, tmp_path: Path) -> None:
    for name, definition in APIS.items():
        out = tmp_path / f"{name}.d.ts"
        done = subprocess.run(
            [str(node_tools / "openapi-typescript"), str(definition.spec_file), "-o", str(out)],
            cwd=tmp_path,  # in the checkout it reads redocly.yaml's list of APIs instead (README)
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    portal = (tmp_path / "portal.d.ts").read_text()
    assert 'livingCircumstance: components["schemas"]["LivingCircumstance"] | null;' in portal
    assert "homeOwnershipStatus: (1 | 2 | 3 | 4) | null;" in portal
    instruction = (tmp_path / "instruction.d.ts").read_text()
    assert '"WAITING" | "OVERDUE"' in instruction
    assert "null | null" not in instruction + portal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    """Prism 5 mocking the portal's spec (installed from npm as `make bench` installs it)."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("needs Node.js and npm (for Prism)")
    if not PRISM.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True, capture_output=True, timeout=600
        )
    port = free_port()
    command = [str(PRISM), "mock", str(APIS["portal"].spec_file), "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(origin, timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, "prism exited"
                assert time.monotonic() < deadline, "prism did not start within 60 s"
                time.sleep(0.2)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("value", "status"),
    [(None, 200), (2, 200), (9, 422), ("2", 422)],
)
def test_prism_validates_the_nullable_enums(prism: str, value: Any, status: int) -> None:
    response = httpx.put(
        f"{prism}/profile", json={"livingCircumstance": value}, headers={"Authorization": "Bearer x"}, timeout=10
    )
    assert response.status_code == status, response.text
