"""Any OpenAPI 3.0 spec served statefully with no code (``mockserver.generic``), proven on public
specs nobody here wrote (``tests/generic/specs/``): every resource's create -> list -> read ->
update -> delete round trip, on the fast path and through Connexion; no operation of the Petstore
answers 5xx; seeded data valid and reproducible; errors in the API's documented shape; sessions,
reset, credentials; ``--explain``; specs that cannot be served refused in one line. Every test
server validates its own answers (``make_settings``: ``validate_responses``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from connexion.decorators.parameter import pythonic as connexion_pythonic
from starlette.testclient import TestClient

from mockserver import cli
from mockserver.engine.jsonpointer import deref
from mockserver.generic import model
from mockserver.generic.explain import summary
from mockserver.generic.handlers import pythonic
from mockserver.generic.inference import operations
from mockserver.generic.state import GenericSpec
from mockserver.web.app import MockServer
from tests.conftest import make_settings
from tests.generic.roundtrip import headers_for, roundtrip

SPECS = Path(__file__).resolve().parent / "specs"
PETSTORE = SPECS / "petstore.yaml"
EXPANDED = SPECS / "petstore-expanded.yaml"
CRM = SPECS / "apideck-crm.json"
LAUNCHDARKLY = SPECS / "launchdarkly.json"


def served(*files: Path, **changes: Any) -> MockServer:
    return MockServer(make_settings(**{"spec_files": tuple(str(f) for f in files), "volume": 4, **changes}))


@pytest.fixture(scope="module")
def crm() -> Iterator[TestClient]:
    with TestClient(served(CRM)) as client:
        yield client


def spec_of(client: TestClient, name: str) -> GenericSpec:
    generic = client.app.runtime.apis[name].definition.generic  # type: ignore[attr-defined]
    assert isinstance(generic, GenericSpec)
    return generic


def walkable(spec: GenericSpec) -> list[model.Resource]:
    kinds: dict[str, set[str]] = {}
    for placement in spec.model.operations.values():
        kinds.setdefault(placement.resource or "", set()).add(placement.kind)
    return [
        r
        for r in spec.model.resources.values()
        if {model.READ, model.DELETE} <= kinds.get(r.name, set())
        and kinds.get(r.name, set()) & {model.CREATE, model.CREATE_MANY}
    ]


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "connexion"])
@pytest.mark.parametrize(
    ("file", "name", "expected"),
    [
        (PETSTORE, "petstore", 3),
        (EXPANDED, "petstore-expanded", 1),
        (CRM, "apideck-crm", 8),
        (LAUNCHDARKLY, "launchdarkly", 12),
    ],
)
def test_every_resource_round_trips(file: Path, name: str, expected: int, fast_path: bool) -> None:
    with TestClient(served(file, fast_path=fast_path)) as client:
        spec = spec_of(client, name)
        resources = walkable(spec)
        assert len(resources) >= expected, [r.name for r in resources]
        walked = {}
        for resource in resources:
            walked[resource.name] = roundtrip(
                client, spec, client.app.runtime.apis[name].definition.base_path, resource
            )
        assert all(steps[-1] == "deleted, then 404" for steps in walked.values()), walked


def _value(spec: GenericSpec, client: TestClient, parameter: dict[str, Any]) -> Any:
    """A value for a path parameter: a seeded record's key where the parameter names one."""
    for resource in spec.model.resources.values():
        if resource.param == parameter["name"]:
            return client.app.runtime.apis[spec.name].state.records.table(resource).all()[0][resource.id_field]  # type: ignore[attr-defined]
    schema = parameter.get("schema") or {}
    return 1 if schema.get("type") == "integer" else "x"


def test_no_petstore_operation_answers_a_server_error() -> None:
    """Each operation once, with a body made from its schema: never 5xx (answers are validated)."""
    from mockserver.engine.fakedata import fake_instance
    from mockserver.generic.schemas import request_schema

    with TestClient(served(PETSTORE)) as client:
        spec = spec_of(client, "petstore")
        headers = headers_for(spec)
        statuses = {}
        for path, method, operation in operations(spec.document):
            params = list(operation.get("parameters") or [])
            url = "/v2" + path
            query = {}
            for parameter in params:
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", str(_value(spec, client, parameter)))
                elif parameter["in"] == "query" and parameter.get("required"):
                    query[parameter["name"]] = "available" if parameter["name"] == "status" else "x"
            schema = request_schema(spec.document, operation)
            body = fake_instance(schema, spec.document, operation["operationId"]) if schema is not None else None
            content = deref(spec.document, operation.get("requestBody") or {}).get("content") or {}
            if "multipart/form-data" in content:
                files = {"file": ("pet.png", b"\x89PNG", "image/png")}
                response = client.request(method, url, files=files, headers=headers, params=query)
            elif isinstance(body, dict) and "application/json" not in content:
                response = client.request(method, url, data=body, headers=headers, params=query)
            else:
                response = client.request(method, url, json=body, headers=headers, params=query)
            statuses[operation["operationId"]] = response.status_code
        assert all(status < 500 for status in statuses.values()), statuses
        # Only updatePet fails: its made-up body names a pet that does not exist (404).
        assert {op: status for op, status in statuses.items() if status >= 300} == {"updatePet": 404}


def test_seeded_data_is_reproducible_and_follows_the_seed_and_locale() -> None:
    def pets(**changes: Any) -> list[dict[str, Any]]:
        with TestClient(served(EXPANDED, **changes)) as client:
            return client.get("/api/pets").json()

    first = pets()
    assert first == pets()
    assert first != pets(seed=7)
    assert [p["name"] for p in first] != [p["name"] for p in pets(locale="de_DE")]
    assert len(first) == 4
    assert all(isinstance(p["id"], int) for p in first)


def test_a_record_created_in_a_session_stays_there_until_reset(crm: TestClient) -> None:
    spec = spec_of(crm, "apideck-crm")
    headers = headers_for(spec)
    session = {**headers, "X-Mock-Session": "generic-1"}
    created = crm.post("/crm/leads", json={"name": "Elon Musk", "company_name": "Spacex"}, headers=session)
    assert created.status_code == 201, created.text
    key = created.json()["data"]["id"]
    assert crm.get(f"/crm/leads/{key}", headers=session).json()["data"]["name"] == "Elon Musk"
    assert crm.get(f"/crm/leads/{key}", headers=headers).status_code in (200, 404)
    default = crm.get("/crm/leads", headers=headers).json()["data"]
    assert "Elon Musk" not in [lead.get("name") for lead in default]
    assert crm.post("/__admin/reset").status_code == 200
    assert crm.post("/crm/leads", json={"name": "Ada", "company_name": "Lovelace"}, headers=headers).status_code == 201
    assert crm.post("/__admin/reset?api=apideck-crm").json() == {"reset": ["apideck-crm"]}
    assert "Ada" not in [lead.get("name") for lead in crm.get("/crm/leads", headers=headers).json()["data"]]


def test_errors_take_the_api_s_documented_shape(crm: TestClient) -> None:
    spec = spec_of(crm, "apideck-crm")
    response = crm.get("/crm/leads/no-such-lead", headers=headers_for(spec))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status_code"] == 404, body
    assert "no-such-lead" in body["message"], body
    invalid = crm.post("/crm/leads", json={"name": 5}, headers=headers_for(spec))
    assert invalid.status_code in (400, 422)
    assert invalid.json()["status_code"] == invalid.status_code


def test_credentials_are_the_demo_users_and_app_ids_take_any_value(crm: TestClient) -> None:
    spec = spec_of(crm, "apideck-crm")
    good = headers_for(spec)
    assert crm.get("/crm/leads", headers=good).status_code == 200
    assert crm.get("/crm/leads", headers={**good, "x-apideck-app-id": "some-other-app"}).status_code == 200
    assert crm.get("/crm/leads", headers={**good, "Authorization": "Bearer stranger"}).status_code == 401
    assert crm.get("/crm/leads", headers={k: v for k, v in good.items() if k != "Authorization"}).status_code == 401
    auth = next(a["auth"] for a in crm.get("/__admin/apis").json()["apis"] if a["name"] == "apideck-crm")
    assert [u["token"] for u in auth["users"]] == ["apideck-crm-alice-token", "apideck-crm-bob-token"]


def test_nested_records_live_under_their_parent() -> None:
    with TestClient(served(LAUNCHDARKLY)) as client:
        spec = spec_of(client, "launchdarkly")
        headers = headers_for(spec)
        projects = client.get("/api/v2/projects", headers=headers).json()["items"]
        first, second = projects[0]["key"], projects[1]["key"]
        body = {"key": "staging-eu", "name": "Staging EU", "color": "417505"}
        created = client.post(f"/api/v2/projects/{first}/environments", json=body, headers=headers)
        assert created.status_code == 201, created.text
        assert client.get(f"/api/v2/projects/{first}/environments/staging-eu", headers=headers).status_code == 200
        assert client.get(f"/api/v2/projects/{second}/environments/staging-eu", headers=headers).status_code == 404
        assert (
            client.get("/api/v2/projects/no-such-project/environments/staging-eu", headers=headers).status_code == 404
        )


def test_connexion_s_argument_names_are_found_again() -> None:
    for file in (PETSTORE, EXPANDED, CRM, LAUNCHDARKLY):
        document = json.loads(file.read_text()) if file.suffix == ".json" else yaml.safe_load(file.read_text())
        names = {
            deref(document, p).get("name")
            for _, _, operation in operations(document)
            for p in operation.get("parameters") or []
        }
        assert names
        assert all(pythonic(n) == connexion_pythonic(n) for n in names)


def test_explain_lists_every_operation_and_what_answers_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--spec", str(PETSTORE), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "pet " in out
    assert "/pet/{petId}" in out
    assert "key id (integer)" in out
    assert "GET     /store/inventory" in out
    assert "answered from the spec" in out
    assert "20 operations: 16 keep records, 1 answered from the spec below a record, 3 answered" in out


def test_the_public_specs_are_mostly_placed_as_resources() -> None:
    from mockserver.generic.definition import load_spec

    found = {f.stem: summary(load_spec(f, f.stem)) for f in (PETSTORE, EXPANDED, CRM, LAUNCHDARKLY)}
    assert found["apideck-crm"] == {"operations": 40, "resources": 8, "stateful": 40, "actions": 0, "unplaced": 0}
    assert found["petstore-expanded"]["stateful"] == 4
    assert found["launchdarkly"]["stateful"] >= 80, found["launchdarkly"]


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}, "Swagger 2.0: convert it"),
        ({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}, "must be OpenAPI 3.0.x"),
        ({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}, "no OpenAPI document"),
    ],
)
def test_a_spec_that_cannot_be_served_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any], says: str
) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document))
    assert cli.main(["run", "--spec", str(path), "--explain"]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_multipart_operation_without_a_body_is_no_server_error() -> None:
    """Connexion took a request with neither body nor type for the operation's first type, a form,
    and parsed nothing as multipart: a 500 (``web.mediatypes``)."""
    with TestClient(served(PETSTORE)) as client:
        headers = headers_for(spec_of(client, "petstore"))
        pet = client.get("/v2/pet/findByStatus?status=available&status=pending&status=sold", headers=headers).json()[0]
        response = client.post(f"/v2/pet/{pet['id']}/uploadImage", headers=headers)
        assert response.status_code == 200, response.text
        assert client.post("/v2/pet/999999/uploadImage", headers=headers).status_code == 404


def test_prefer_rules_docs_and_cors_work_as_for_the_packaged_apis(crm: TestClient) -> None:
    spec = spec_of(crm, "apideck-crm")
    headers = headers_for(spec)
    forced = crm.get("/crm/leads", headers={**headers, "Prefer": "code=404"})
    assert forced.status_code == 404
    assert forced.headers["Preference-Applied"] == "code=404"
    rule = {"api": "apideck-crm", "operationId": "companiesAll", "respond": {"code": 402}, "times": 1}
    assert crm.post("/__admin/rules", json=rule).status_code == 201
    assert crm.get("/crm/companies", headers=headers).status_code == 402
    assert crm.get("/crm/companies", headers=headers).status_code == 200
    assert crm.get("/ui/").status_code == 200
    assert crm.get("/openapi.json").json()["info"]["title"] == "CRM API"
    preflight = crm.options(
        "/crm/leads",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_seeding_stops_where_the_item_path_takes_no_more_keys() -> None:
    """The Petstore's orders are read at ids 1 to 10: a volume of 20 seeds 10 of them, and a create
    beyond the last free key is a conflict, not a record no path can read."""
    with TestClient(served(PETSTORE, volume=20)) as client:
        headers = headers_for(spec_of(client, "petstore"))
        assert client.get("/v2/store/order/10", headers=headers).status_code == 200
        created = client.post("/v2/store/order", json={"petId": 1, "quantity": 1}, headers=headers)
        assert created.status_code == 409, created.text


def test_records_below_the_caller_are_each_caller_s_own() -> None:
    """A collection below ``/profile`` (or ``/me``, ``/account``) holds each demo user's own
    records: the portal's spec served with no code, as alice and as bob."""
    portal = Path(__file__).resolve().parents[2] / "specs" / "portal.yaml"
    with TestClient(served(portal)) as client:
        base = "/api/rest/portal/profile/applications"
        alice = {"Authorization": "Bearer portal-alice-token"}
        bob = {"Authorization": "Bearer portal-bob-token"}
        hers = {a["id"] for a in client.get(base, headers=alice).json()["data"]}
        his = {a["id"] for a in client.get(base, headers=bob).json()["data"]}
        assert hers
        assert his
        assert not hers & his
        one = min(hers)
        assert client.get(f"{base}/{one}", headers=alice).status_code == 200
        assert client.get(f"{base}/{one}", headers=bob).status_code == 404


def test_creates_link_to_their_record_s_operations(crm: TestClient) -> None:
    """The served document links each create to the record's read, update and delete (``x-inferred``),
    so that Schemathesis' stateful phase reaches the records it creates."""
    document = crm.get("/openapi.json").json()
    created = document["paths"]["/crm/leads"]["post"]["responses"]["201"]
    links = created["links"]
    assert {link["operationId"] for link in links.values()} == {"leadsOne", "leadsUpdate", "leadsDelete"}
    assert all(link["parameters"] == {"id": "$response.body#/data/id"} for link in links.values())
    assert all(link["x-inferred"] for link in links.values())
    # The shared response the other operations use gains none.
    assert "links" not in document["components"]["responses"]["CreateLeadResponse"]


def test_a_spec_connexion_cannot_read_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec that passes as OpenAPI 3.0 but breaks Connexion (a property named ``$ref`` whose value
    is no reference, from a published Petstore): refused at start in one line, exit 2."""

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server should not have started")

    monkeypatch.setattr("mockserver.cli.serve", never)
    document = yaml.safe_load(EXPANDED.read_text())
    document["components"]["schemas"]["NewPet"]["properties"]["$ref"] = None
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document))
    assert cli.main(["run", "--spec", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockserver: Connexion cannot serve {path} (broken): ")
    assert err.count("\n") == 1


def test_deep_object_filters_filter_and_too_deep_ones_are_a_400(crm: TestClient) -> None:
    headers = headers_for(spec_of(crm, "apideck-crm"))
    leads = crm.get("/crm/leads", headers=headers).json()["data"]
    name = leads[0]["name"]
    found = crm.get("/crm/leads", params={"filter[name]": name}, headers=headers).json()["data"]
    assert found
    assert {lead["name"] for lead in found} == {name}
    # Connexion cast the leaves along the schema and failed (a 500) where a client nests deeper.
    deeper = crm.get("/crm/opportunities", params={"filter[monetary_amount][x]": "1"}, headers=headers)
    assert deeper.status_code == 400, deeper.text
    assert deeper.json()["ref"] == "https://developers.apideck.com/errors#requestvalidationerror"


def test_an_optional_json_body_may_be_left_out() -> None:
    """``requestBody`` without ``required: true`` (LaunchDarkly's approval requests): no body is a
    valid request; a JSON ``null`` for a body that is not nullable is still refused."""
    with TestClient(served(LAUNCHDARKLY)) as client:
        headers = headers_for(spec_of(client, "launchdarkly"))
        path = "/api/v2/projects/no-such-project/flags/f/environments/e/approval-requests/r"
        assert client.delete(path, headers=headers).status_code == 404
        null = client.request("DELETE", path, headers={**headers, "Content-Type": "application/json"}, content=b"null")
        assert null.status_code == 400


def test_what_clients_create_is_kept_across_restarts(tmp_path: Path) -> None:
    """``STATE_DIR`` keeps a served-from-spec API's records as it keeps the packaged APIs'."""
    first = served(EXPANDED, state_dir=str(tmp_path))
    with TestClient(first) as client:
        created = client.post("/api/pets", json={"name": "Kept", "tag": "cat"}).json()
    first.runtime.close()
    second = served(EXPANDED, state_dir=str(tmp_path))
    try:
        with TestClient(second) as client:
            assert client.get(f"/api/pets/{created['id']}").json() == created
    finally:
        second.runtime.close()


def test_a_recursive_schema_is_no_server_error(tmp_path: Path) -> None:
    """A schema that contains itself (a comment's replies are comments, as in Gitea's spec): Connexion
    resolves it into an object that contains itself, which the validators walked for ever (a 500)."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Comments", "version": "1"},
        "paths": {
            "/comments": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comment"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comment"}}},
                        }
                    },
                }
            },
            "/comments/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comment"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Comment": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "text": {"type": "string"},
                        "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
                    },
                }
            }
        },
    }
    path = tmp_path / "comments.json"
    path.write_text(json.dumps(document))
    for fast_path in (True, False):
        with TestClient(served(path, fast_path=fast_path)) as client:
            body = {"text": "a", "replies": [{"text": "b", "replies": [{"text": "c"}]}]}
            created = client.post("/comments", json=body)
            assert created.status_code == 201, created.text
            read = client.get(f"/comments/{created.json()['id']}")
            assert read.status_code == 200, read.text
            assert read.json()["replies"][0]["replies"][0]["text"] == "c"
            assert client.post("/comments", json={"replies": []}).status_code in (400, 422)


OVERRIDES = '''
class Overrides:
    """Pets are only ever the one the test names; a create still goes to the generic engine."""

    def __init__(self, state):
        self.state = state

    async def find_pets(self, **arguments):
        limit = arguments.get("limit")
        return [{"id": 7, "name": "Overridden", "tag": str(limit)}], 200
'''


def test_overrides_answer_their_operations_and_the_rest_stays_generic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "hooks.py"
    module.write_text(OVERRIDES)
    with TestClient(served(EXPANDED, spec_overrides=f"{module}:Overrides")) as client:
        assert client.get("/api/pets?limit=3").json() == [{"id": 7, "name": "Overridden", "tag": "3"}]
        created = client.post("/api/pets", json={"name": "Generic"})
        assert created.status_code == 200
        assert client.get(f"/api/pets/{created.json()['id']}").json()["name"] == "Generic"
        # In a session too: the session's own handlers carry the overrides.
        assert client.get("/api/pets", headers={"X-Mock-Session": "s1"}).json()[0]["name"] == "Overridden"
    assert cli.main(["run", "--spec", str(EXPANDED), "--overrides", f"{module}:Missing"]) == 2
    assert "--overrides" in capsys.readouterr().err


def test_untyped_parameters_and_references_into_paths_are_served(tmp_path: Path) -> None:
    """As DigitalOcean's published spec has them: a key that is ``anyOf: [integer, string]`` (Connexion
    read its ``type`` and failed: a 500), and answers that ``$ref`` another operation's
    (``#/paths/~1keys/get/responses/404``), which the validators could not follow (a 500)."""
    not_found = {"$ref": "#/paths/~1keys/get/responses/404"}
    # Percent-encoded, as a URI fragment may be (DigitalOcean's ``~1v2~1droplets~1%7Bdroplet_id%7D``).
    encoded = {"$ref": "#/paths/~1keys~1%7Bkey_id%7D/get/responses/200/content/application~1json/schema"}
    key_param = {
        "name": "key_id",
        "in": "path",
        "required": True,
        "schema": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    }
    key = {
        "type": "object",
        "required": ["name"],
        "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}},
    }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Keys", "version": "1"},
        "paths": {
            "/keys": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {"application/json": {"schema": {"type": "array", "items": key}}},
                        },
                        "404": {
                            "description": "",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "properties": {"message": {"type": "string"}}}
                                }
                            },
                        },
                    }
                },
                "post": {
                    "requestBody": {"required": True, "content": {"application/json": {"schema": key}}},
                    "responses": {
                        "201": {"description": "", "content": {"application/json": {"schema": encoded}}},
                        "404": not_found,
                    },
                },
            },
            "/keys/{key_id}": {
                "get": {
                    "parameters": [key_param],
                    "responses": {
                        "200": {"description": "", "content": {"application/json": {"schema": key}}},
                        "404": not_found,
                    },
                }
            },
        },
    }
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(document))
    for fast_path in (True, False):
        with TestClient(served(path, fast_path=fast_path)) as client:
            created = client.post("/keys", json={"name": "laptop"})
            assert created.status_code == 201, created.text
            assert client.get(f"/keys/{created.json()['id']}").json()["name"] == "laptop"
            missing = client.get("/keys/no-such-key")
            assert missing.status_code == 404, missing.text
            assert "no-such-key" in missing.json()["message"]


def test_uuid_keys_stay_unique_create_after_create(tmp_path: Path) -> None:
    """Text keys take no number of their own: each create's UUID was the same (a 500 on Linode's spec)."""
    document = json.loads(json.dumps(yaml.safe_load(EXPANDED.read_text())))
    pet = document["components"]["schemas"]["Pet"]
    pet["allOf"][1]["properties"]["id"] = {"type": "string", "format": "uuid", "readOnly": True}
    for parameter in document["paths"]["/pets/{id}"]["get"]["parameters"]:
        parameter["schema"] = {"type": "string", "format": "uuid"}
    path = tmp_path / "uuid-pets.json"
    path.write_text(json.dumps(document))
    with TestClient(served(path)) as client:
        ids = {client.post("/api/pets", json={"name": f"p{n}"}).json()["id"] for n in range(5)}
        assert len(ids) == 5


def test_new_keys_stay_within_what_the_key_s_schema_takes(tmp_path: Path) -> None:
    """Keys of ``format: int32`` after a client took 2**31 - 1 (Netlify's snippets: the next number
    broke the answer's schema), and keys of an ``enum`` (Linode's Longview plans: seeding ran out
    of them and made up ``"7"``)."""
    document = yaml.safe_load(EXPANDED.read_text())
    document["components"]["schemas"]["Pet"]["allOf"][1]["properties"]["id"] = {"type": "integer", "format": "int32"}
    path = tmp_path / "int32.json"
    path.write_text(json.dumps(document))
    with TestClient(served(path)) as client:
        assert client.post("/api/pets", json={"name": "max", "id": 2**31 - 1}).status_code == 200
        after = client.post("/api/pets", json={"name": "next"}).json()["id"]
        assert 0 < after < 2**31 - 1
    plans = ["plan-a", "plan-b", "plan-c"]
    document = yaml.safe_load(EXPANDED.read_text())
    document["components"]["schemas"]["Pet"]["allOf"][1]["properties"]["id"] = {"type": "string", "enum": plans}
    for parameter in document["paths"]["/pets/{id}"]["get"]["parameters"]:
        parameter["schema"] = {"type": "string", "enum": plans}
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(document))
    with TestClient(served(path, volume=5)) as client:
        assert sorted(p["id"] for p in client.get("/api/pets").json()) == plans
        assert client.post("/api/pets", json={"name": "one too many"}).status_code == 409


def test_a_hostname_field_takes_host_names_only(tmp_path: Path) -> None:
    """``format: hostname`` was not checked, so an empty one was kept and answered back against the
    answer's schema (DigitalOcean's CDN endpoints: Schemathesis' response check failed)."""
    document = yaml.safe_load(EXPANDED.read_text())
    document["components"]["schemas"]["NewPet"]["properties"]["tag"] = {"type": "string", "format": "hostname"}
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps(document))
    with TestClient(served(path)) as client:
        assert all(pet["tag"] for pet in client.get("/api/pets").json())
        assert client.post("/api/pets", json={"name": "a", "tag": ""}).status_code in (400, 422)
        assert client.post("/api/pets", json={"name": "a", "tag": "cdn.example.com"}).status_code == 200


def test_a_replacement_drops_fields_in_a_session_too(tmp_path: Path) -> None:
    """A ``PUT`` without an optional field takes it out of the record, in a client's session as in
    the shared state (the session's table is a fork: it was a 500 there), and the fork's base keeps it."""
    thing = {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}, "note": {"type": "string"}}}
    body = {"required": True, "content": {"application/json": {"schema": thing}}}
    answer = {"description": "", "content": {"application/json": {"schema": thing}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things": {"post": {"requestBody": body, "responses": {"201": answer}}},
            "/things/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "get": {"responses": {"200": answer}},
                "put": {"requestBody": body, "responses": {"200": answer}},
            },
        },
    }
    spec = tmp_path / "things.yaml"
    spec.write_text(yaml.safe_dump(document))
    with TestClient(served(spec)) as client:
        for headers in ({"X-Mock-Session": "s1"}, {}):
            made = client.post("/things", json={"note": "keep"}, headers=headers).json()
            replaced = client.put(f"/things/{made['id']}", json={}, headers=headers)
            assert replaced.status_code == 200, replaced.text
            assert "note" not in client.get(f"/things/{made['id']}", headers=headers).json()
        seeded = client.get("/things/1").json()
        assert client.put("/things/1", json={}, headers={"X-Mock-Session": "s2"}).status_code == 200
        assert client.get("/things/1").json() == seeded


def test_a_reference_cycle_is_read_as_nothing() -> None:
    """``A`` -> ``B`` -> ``A`` has no schema at its end: following it ends (it looped for ever, so
    ``--explain`` of such a spec never answered)."""
    document = {
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}
    }
    assert deref(document, {"$ref": "#/components/schemas/A"}) == {}
    assert deref(document, {"$ref": "#/components/schemas/B"}) == {}


def test_a_success_documented_as_2xx_is_answered_with_its_example_and_headers(tmp_path: Path) -> None:
    """The response that documents the answer is read under its own key (``2XX``, not ``200``)."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Ranges", "version": "1"},
        "paths": {
            "/status": {
                "get": {
                    "responses": {
                        "2XX": {
                            "description": "",
                            "headers": {"X-Rate": {"schema": {"type": "integer"}, "example": 5}},
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
                                    "example": {"a": "documented"},
                                }
                            },
                        }
                    }
                }
            }
        },
    }
    spec = tmp_path / "ranges.yaml"
    spec.write_text(yaml.safe_dump(document))
    with TestClient(served(spec)) as client:
        answer = client.get("/status")
        assert (answer.status_code, answer.json(), answer.headers.get("X-Rate")) == (200, {"a": "documented"}, "5")
