"""A hand-built package on the generic engine (``mockserver.generic.packaged``): its handler methods
answer their operations, the engine the rest, in the package's own tables where it binds them, under
its rule; the same hooks serve ``--overrides``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Forbidden, NotFound
from mockserver.engine.registry import ApiDefinition
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.generic.model import Binding, Scope
from mockserver.generic.packaged import on_engine, state_class
from mockserver.generic.state import EngineParts
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import make_settings
from tests.generic.test_generic_serving import EXPANDED, served

THING = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "label": {"type": "string"},
        "note": {"type": "string"},
        "shout": {"type": "string", "readOnly": True},
    },
}
WRITE = {"type": "object", "properties": {"label": {"type": "string"}, "note": {"type": "string", "default": "none"}}}
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Things", "version": "1"},
    "servers": [{"url": "/things-api"}],
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "responses": {
                    "200": {
                        "description": "",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"things": {"type": "array", "items": THING}},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createThing",
                "requestBody": {"required": True, "content": {"application/json": {"schema": WRITE}}},
                "responses": {"201": {"description": "", "content": {"application/json": {"schema": THING}}}},
            },
        },
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getThing",
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": THING}}},
                    "404": {"description": ""},
                },
            },
            "patch": {
                "operationId": "updateThing",
                "requestBody": {"content": {"application/json": {"schema": WRITE}}},
                "responses": {"200": {"description": "", "content": {"application/json": {"schema": THING}}}},
            },
            "delete": {"operationId": "deleteThing", "responses": {"204": {"description": ""}}},
        },
        "/hello": {
            "get": {
                "operationId": "hello",
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"type": "string"}}}}
                },
            }
        },
        "/status": {
            "get": {
                "operationId": "getStatus",
                "responses": {
                    "200": {
                        "description": "",
                        "headers": {
                            "X-Rate": {"schema": {"type": "integer"}, "example": 5},
                            "Content-Type": {"schema": {"type": "string"}, "example": "text/nonsense"},
                        },
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"up": {"type": "boolean"}}},
                                "example": {"up": True},
                            }
                        },
                    }
                },
            }
        },
    },
}


def _populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Any = None) -> None:
    for label, owner in (("b", "me"), ("a", "me"), ("c", "you")):
        store.items.insert({"label": label, "note": "seeded", "owner": owner, "made_by": "seed"})


class ThingsState(SeededState):
    seeding = Seeding("things", ("items",), {}, _populate, uses_fixtures=False)

    def __init__(
        self, settings: Settings, clock: Clock, *, seeded: Store | None = None, session: str | None = None
    ) -> None:
        super().__init__(settings, clock, seeded=seeded, session=session)
        self.reset()

    def auth_description(self) -> dict[str, Any]:
        return {}


class ThingsHandlers:
    """Says hello itself; leaves the things to the engine, in its ``items`` table, the caller's only."""

    engine_tables: ClassVar[dict[str, Binding]] = {
        "things": Binding(
            "items", missing=lambda key: NotFound(f"Thing {key} is gone."), order=("label", "id"), view="shown"
        )
    }

    def __init__(self, state: ThingsState) -> None:
        self.state = state
        self.ruled: list[str] = []

    async def hello(self) -> tuple[Any, int]:
        return "hello from the package", 200

    def shown(self, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "shout": str(record["label"]).upper()}

    def engine_rule(self, operation_id: str, arguments: dict[str, Any], resource: str | None) -> Scope | None:
        self.ruled.append(operation_id)
        if isinstance(arguments.get("body"), dict) and arguments["body"].get("label") == "forbidden":
            raise Forbidden("No forbidden things.")
        return None if operation_id == "getStatus" else Scope({"owner": "me"}, created={"made_by": "rule"})


class WholeHandlers(ThingsHandlers):
    """Answers every operation itself."""

    async def list_things(self) -> tuple[Any, int]:
        return {"things": []}, 200

    async def create_thing(self, body: Any) -> tuple[Any, int]:
        return {"id": 1}, 201

    async def get_thing(self, thing_id: int) -> tuple[Any, int]:
        return {"id": thing_id}, 200

    async def update_thing(self, thing_id: int, body: Any = None) -> tuple[Any, int]:
        return {"id": thing_id}, 200

    async def delete_thing(self, thing_id: int) -> tuple[Any, int]:
        return None, 204

    async def get_status(self) -> tuple[Any, int]:
        return {"up": False}, 200


def _definition(folder: Path, handlers: type[ThingsHandlers]) -> tuple[Settings, ApiDefinition]:
    (folder / "things.yaml").write_text(yaml.safe_dump(SPEC))
    definition = ApiDefinition(
        name="things",
        spec_file=folder / "things.yaml",
        build_state=ThingsState,
        build_handlers=handlers,
        credential_checks=lambda state: {},
    )
    return make_settings(apis=("things",), specs_dir=str(folder)), on_engine(definition)


@pytest.fixture
def things(tmp_path: Path) -> tuple[MockServer, TestClient]:
    settings, definition = _definition(tmp_path, ThingsHandlers)
    server = MockServer(settings, {"things": definition})
    return server, TestClient(server, raise_server_exceptions=True)


def test_a_package_answering_every_operation_is_served_as_it_is(tmp_path: Path) -> None:
    settings, definition = _definition(tmp_path, WholeHandlers)
    assert state_class(definition, settings) is ThingsState
    state = definition.build_state(settings, Clock(settings.anchor_date))
    assert type(state) is ThingsState
    assert type(definition.build_handlers(state)) is WholeHandlers


def test_the_engine_answers_what_the_package_leaves_in_the_package_tables(
    things: tuple[MockServer, TestClient],
) -> None:
    server, client = things
    state = server.runtime.apis["things"].state
    assert isinstance(state, EngineParts)
    assert isinstance(state, ThingsState)
    assert state.counts() == {"items": 3}  # no tables of the engine's own: the one resource is bound
    with client:
        assert client.get("/things-api/hello").json() == "hello from the package"
        # The caller's things only (the rule's scope), in the binding's order, as the package shows them.
        listed = client.get("/things-api/things").json()["things"]
        assert [(t["label"], t["shout"], t["note"]) for t in listed] == [("a", "A", "seeded"), ("b", "B", "seeded")]
        assert all(set(t) == {"id", "label", "note", "shout"} for t in listed)  # fitted: no owner, no made_by
        made = client.post("/things-api/things", json={"label": "d", "owner": "you"})
        assert made.status_code == 201
        assert made.json() == {"id": 4, "label": "d", "note": "none", "shout": "D"}  # the body's default
        assert state.store.items.get(4) == {"id": 4, "label": "d", "note": "none", "owner": "me", "made_by": "rule"}
        changed = client.patch("/things-api/things/4", json={"label": "e", "owner": "you", "made_by": "me"})
        assert changed.json()["label"] == "e"
        assert state.store.items.get(4)["owner"] == "me"  # what the scope places, and what is not declared, stay
        assert state.store.items.get(4)["made_by"] == "rule"
        other = client.get("/things-api/things/3")
        assert (other.status_code, other.json()["detail"]) == (404, "Thing 3 is gone.")
        assert client.post("/things-api/things", json={"label": "forbidden"}).status_code == 403
        assert client.delete("/things-api/things/4").status_code == 204
        assert client.get("/things-api/things/4").status_code == 404
        status = client.get("/things-api/status")
        assert status.json() == {"up": True}
        assert status.headers["X-Rate"] == "5"  # documented, with its example
        assert status.headers["content-type"] == "application/json"  # the server's own, not the spec's
        # A session keeps its own things; a reset brings the package's seeded ones back.
        assert (
            client.post("/things-api/things", json={"label": "s"}, headers={"X-Mock-Session": "s1"}).status_code == 201
        )
        assert "s" not in [t["label"] for t in client.get("/things-api/things").json()["things"]]
        server.runtime.reset("things")
        assert [t["label"] for t in client.get("/things-api/things").json()["things"]] == ["a", "b"]


OVERRIDES = '''
from mockserver.engine.problems import Forbidden


class Rules:
    """Nobody deletes a pet named Rex; every other request is the engine's, as it is."""

    def __init__(self, state):
        self.state = state

    def engine_rule(self, operation_id, arguments, resource):
        if operation_id == "deletePet":
            pet = self.state.store.pets.get(int(arguments["id_"]))
            if pet is not None and pet.get("name") == "Rex":
                raise Forbidden("Rex stays.")
        return None
'''


def test_overrides_of_a_spec_served_api_may_set_rules_too(tmp_path: Path) -> None:
    module = tmp_path / "rules.py"
    module.write_text(OVERRIDES)
    with TestClient(served(EXPANDED, spec_overrides=f"{module}:Rules")) as client:
        rex = client.post("/api/pets", json={"name": "Rex"}).json()
        other = client.post("/api/pets", json={"name": "Fido"}).json()
        assert client.delete(f"/api/pets/{rex['id']}").status_code == 403
        assert client.delete(f"/api/pets/{other['id']}").status_code == 204
        assert client.get(f"/api/pets/{rex['id']}").json()["name"] == "Rex"
