"""Every spec is valid OpenAPI, every operation is traced to the docs, and each is served as written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import ADMIN_SPEC, MockServer
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
INVENTORY = ROOT.parent / "shared" / "api-docs" / "operations-inventory.json"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS]


@pytest.mark.parametrize("path", [*SPECS, ROOT / "mockserver" / "admin" / "openapi.yaml"], ids=lambda p: p.name)
def test_spec_is_valid_openapi_3_0(path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.0.")
    validate(spec)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_operation_is_described_and_traced_to_the_docs(path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    documented = None
    if INVENTORY.exists():
        documented = {entry["id"] for entry in json.loads(INVENTORY.read_text())["operations"]}
    for method, route, op in operations(spec):
        where = f"{method.upper()} {route}"
        assert op.get("summary"), where
        assert op.get("tags"), where
        assert op.get("x-doc-ref") or op.get("x-inferred"), where
        if documented is not None and op.get("x-doc-ref"):
            refs = op["x-doc-ref"] if isinstance(op["x-doc-ref"], list) else [op["x-doc-ref"]]
            assert set(refs) <= documented, where


def test_serving_the_specs_leaves_the_loaded_documents_unchanged() -> None:
    """The server hands each API's parsed spec (shared by every server in the process, and read by
    the fast path and the tools) to Connexion without copying it: Connexion must only read it."""
    from mockserver.engine.fixtures import read_yaml

    def dump() -> str:
        documents = {name: definition.spec for name, definition in APIS.items()}
        return json.dumps({**documents, "admin": read_yaml(ADMIN_SPEC)}, sort_keys=True, default=str)

    before = dump()
    with TestClient(MockServer(make_settings(fast_path=False))) as client:
        assert client.get("/api/rest/portal/profile").status_code == 401
        assert client.get("/__admin/apis").status_code == 200
        assert client.get("/api/rest/portal/openapi.json").status_code == 200
    assert dump() == before


#: (base path, spec file) of every served document.
SERVED = [*((api.base_path, api.spec_file) for api in APIS.values()), ("/__admin", ADMIN_SPEC)]


@pytest.fixture(scope="module")
def served() -> Iterator[TestClient]:
    with TestClient(MockServer(make_settings())) as client:
        yield client


@pytest.mark.parametrize(("base", "path"), SERVED, ids=lambda v: getattr(v, "name", None))
def test_each_api_serves_its_spec_as_written_references_and_servers_kept(
    served: TestClient, base: str, path: Path
) -> None:
    """A client generated from the live URL is the one generated from the file."""
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = served.get(f"{base}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == written
    assert '"$ref"' in response.text
    assert response.json()["servers"] == written["servers"]
    as_yaml = served.get(f"{base}/openapi.yaml")
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.text) == written


@pytest.mark.parametrize("base", [base for base, _ in SERVED])
def test_swagger_ui_reads_the_spec_served_beside_it(served: TestClient, base: str) -> None:
    page = served.get(f"{base}/ui/")
    assert page.status_code == 200
    assert f'url: "{base}/openapi.json"' in page.text
