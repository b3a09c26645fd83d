"""Estates, apartments, their media and notes, file references and the place helpers."""

from __future__ import annotations

import base64
import hashlib
import json

from starlette.testclient import TestClient

from tests.homeq.conftest import assert_error, login
from tests.homeq.helpers import DOCS_APARTMENT


def test_the_docs_python_example_works_as_written(client: TestClient) -> None:
    headers = {"Content-Type": "application/json", **login(client, "erik.lindberg")}
    response = client.post(
        "/api/v4/estate", content=json.dumps({"legal_name": "Solrosen I", "city": "Stockholm"}), headers=headers
    )
    assert response.status_code == 200, "could not create the estate"
    assert isinstance(response.json()["id"], int)
    response = client.post("/api/v4/apartment", content=json.dumps(DOCS_APARTMENT), headers=headers)
    assert response.status_code == 201, "could not create the apartment"
    apartment = client.get(f"/api/v4/apartment/{response.json()['id']}", headers=headers).json()
    assert (apartment["estate"], apartment["rent"], apartment["balcony"]) == (15, 7400, "NORTH")


def test_an_estate_is_created_at_the_selected_office_unless_one_is_given(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    created = client.post("/api/v4/estate", json={"legal_name": "Linden 2", "city": "Solna"}, headers=manager)
    assert client.get(f"/api/v4/estate/{created.json()['id']}", headers=manager).json()["office"] == 3
    given = client.post(
        "/api/v4/estate", json={"legal_name": "Linden 3", "city": "Uppsala", "office": 4}, headers=manager
    )
    assert client.get(f"/api/v4/estate/{given.json()['id']}", headers=manager).json()["office"] == 4
    outside = client.post("/api/v4/estate", json={"legal_name": "X", "city": "Lund", "office": 5}, headers=manager)
    assert_error(outside, 404, "NotFound")


def test_an_apartment_inherits_its_estates_office(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    body = {**DOCS_APARTMENT, "estate": 16, "national_id": "1999"}
    created = client.post("/api/v4/apartment", json=body, headers=admin).json()
    assert created["estate"] == 16
    # Estate 16 is at the Uppsala office, so Johan (root office Uppsala) sees the apartment.
    assert client.get(f"/api/v4/apartment/{created['id']}", headers=login(client, "johan.berg")).status_code == 200


def test_an_apartment_is_unique_by_national_id_city_street_and_number(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    assert client.post("/api/v4/apartment", json=DOCS_APARTMENT, headers=admin).status_code == 201
    assert_error(client.post("/api/v4/apartment", json=DOCS_APARTMENT, headers=admin), 409, "ApartmentExists")
    other_number = {**DOCS_APARTMENT, "street_number": "4 B"}
    assert client.post("/api/v4/apartment", json=other_number, headers=admin).status_code == 201
    twin = client.post("/api/v4/apartment", json={**other_number, "national_id": "1305"}, headers=admin).json()
    same_as_first = {"national_id": "1304", "street_number": "4"}
    assert_error(client.patch(f"/api/v4/apartment/{twin['id']}", json=same_as_first, headers=admin), 409)


def test_bodies_failing_the_schema_are_400_validation_errors_in_homeqs_shape(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    body = assert_error(
        client.post("/api/v4/apartment", json={**DOCS_APARTMENT, "zip_code": "1944"}, headers=admin),
        400,
        "ValidationError",
    )
    assert "zip_code" in body["description"]
    estate = {"legal_name": "X", "city": "Stockholm", "org_number": "5566778899"}
    assert_error(client.post("/api/v4/estate", json=estate, headers=admin), 400, "ValidationError")


def test_landlords_see_only_their_office_subtree(client: TestClient) -> None:
    johan = login(client, "johan.berg")
    assert_error(client.get("/api/v4/apartment/12", headers=johan), 404, "NotFound")
    assert_error(client.patch("/api/v4/estate/15", json={"city": "Lund"}, headers=johan), 404)
    assert client.get("/api/v4/estate/16", headers=johan).json()["office"] == 4
    inventory = client.get("/api/v1/inventory?type=estate&amount=100", headers=johan).json()
    assert {r["estate"]["id"] for r in inventory["results"]} >= {16}
    assert 15 not in {r["estate"]["id"] for r in inventory["results"]}


def test_deleting_an_estate_deletes_its_apartments_with_their_media_notes_and_listings(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    assert client.get("/api/v1/object_ad/17", headers=admin).status_code == 200
    assert client.delete("/api/v4/estate/15", headers=admin).status_code == 204
    assert_error(client.get("/api/v4/estate/15"), 404)
    assert_error(client.get("/api/v4/apartment/12", headers=admin), 404)
    assert_error(client.get("/api/v1/apartment/12/notes", headers=admin), 404)
    assert_error(client.get("/api/v1/object_ad/17", headers=admin), 404)


def test_the_public_estate_view_leaves_out_the_landlords_details(client: TestClient) -> None:
    public = client.get("/api/v4/estate/15").json()
    assert public["estate_images"][0]["id"] == 3
    assert not {"bankgiro", "postgiro", "org_number", "office", "apartment_count"} & set(public)


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_a_new_file_gets_an_upload_url_served_by_the_mock_and_a_known_one_none(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    data = b"\xff\xd8 a jpeg"
    body = {
        "content_length": len(data),
        "content_md5": _md5(data),
        "entity_type": "apartment_image",
        "mime_type": "image/jpeg",
        "content_name": "kok.jpg",
    }
    first = client.post("/api/v1/file_reference", json=body, headers=admin)
    assert first.status_code == 201
    reference, url = first.json()["file_reference"], first.json()["signed_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    uploaded = client.put(f"/{path}", content=data, headers=first.json()["headers"])
    assert uploaded.status_code == 200
    assert client.get(f"/{path}").content == data
    again = client.post("/api/v1/file_reference", json=body, headers=admin)
    assert again.status_code == 200
    assert again.json() == {"file_reference": reference}
    picture = client.post(
        "/api/v1/apartment/12/pictures", json={"file_reference": reference, "caption": "Kök"}, headers=admin
    )
    assert picture.status_code == 201
    pictures = client.get("/api/v1/apartment/12/pictures", headers=admin).json()["results"]
    assert pictures[-1] == {
        "apartment": 12,
        "id": picture.json()["id"],
        "position": 1,
        "reference": reference,
        "caption": "Kök",
    }


def test_file_references_check_entity_type_mime_type_and_size(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    base = {
        "content_length": 1000,
        "content_md5": _md5(b"x"),
        "entity_type": "promotion_file",
        "mime_type": "image/png",
    }
    assert_error(client.post("/api/v1/file_reference", json=base, headers=admin), 412, "InvalidMimeType")
    big = {**base, "mime_type": "application/pdf", "content_length": 31457281}
    assert_error(client.post("/api/v1/file_reference", json=big, headers=admin), 412, "ExceedingContentLength")
    empty = {**base, "mime_type": "application/pdf", "content_length": 0}
    assert_error(client.post("/api/v1/file_reference", json=empty, headers=admin), 412, "InvalidContentLength")
    unknown = client.post("/api/v1/apartment/12/pictures", json={"file_reference": "nope"}, headers=admin)
    assert_error(unknown, 400, "ValidationError")


def test_media_are_repositioned_and_deleted(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    view = client.post(
        "/api/v1/apartment/12/3d_views",
        json={"url": "https://my.matterport.com/show/?m=x", "title": "Visning"},
        headers=admin,
    ).json()
    moved = client.patch(f"/api/v1/apartment/12/3d_views/{view['id']}", json={"position": 4}, headers=admin)
    assert moved.json()["position"] == 4
    assert client.delete(f"/api/v1/apartment/12/3d_views/{view['id']}", headers=admin).status_code == 204
    assert_error(client.delete(f"/api/v1/apartment/12/3d_views/{view['id']}", headers=admin), 404)


def test_a_media_change_keeps_only_the_fields_its_operation_documents(client: TestClient) -> None:
    """A video's PATCH takes its position alone: a ``url`` sent with it does not replace the URL
    the video's file gives it (it did, before the engine answered media changes)."""
    admin = login(client, "erik.lindberg")
    body = {
        "content_length": 10,
        "content_md5": _md5(b"a video"),
        "entity_type": "apartment_video",
        "mime_type": "image/jpeg",  # the docs list image types for videos too (the spec says why)
    }
    reference = client.post("/api/v1/file_reference", json=body, headers=admin).json()["file_reference"]
    video = client.post("/api/v1/apartment/12/videos", json={"file_reference": reference}, headers=admin).json()
    url = client.get("/api/v1/apartment/12/videos", headers=admin).json()["results"][-1]["url"]
    assert url.endswith(f"/apartment_videos/{reference}.jpeg")
    changed = client.patch(
        f"/api/v1/apartment/12/videos/{video['id']}",
        json={"position": 5, "url": "https://elsewhere.test/v"},
        headers=admin,
    )
    assert changed.status_code == 200
    assert (changed.json()["position"], changed.json()["url"]) == (5, url)


def test_media_belong_to_their_parent_and_kind(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    view = client.post("/api/v1/apartment/12/3d_views", json={"url": "https://x.test/3d"}, headers=admin).json()
    assert_error(client.patch(f"/api/v1/apartment/13/3d_views/{view['id']}", json={}, headers=admin), 404, "NotFound")
    assert_error(client.patch(f"/api/v1/apartment/12/videos/{view['id']}", json={}, headers=admin), 404, "NotFound")
    assert_error(client.delete(f"/api/v1/apartment/99999/3d_views/{view['id']}", headers=admin), 404, "NotFound")
    observer = login(client, "sara.nilsson")
    assert_error(client.delete(f"/api/v1/apartment/12/3d_views/{view['id']}", headers=observer), 403)
    assert client.get("/api/v1/apartment/12/3d_views", headers=admin).json()["results"][-1]["id"] == view["id"]


def test_a_note_left_without_context_or_text_takes_the_documented_defaults(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    note = client.post("/api/v1/apartment/12/notes", json={}, headers=admin)
    assert note.status_code == 201
    assert (note.json()["context"], note.json()["text"]) == ("A", "")
    assert note.json()["created"] == note.json()["updated"]


def test_apartment_notes_are_written_changed_and_deleted(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    note = client.post("/api/v1/apartment/12/notes", json={"context": "R", "text": "Ny dörr."}, headers=manager)
    assert note.status_code == 201
    assert note.json()["author"] == 15
    changed = client.patch(
        f"/api/v1/apartment/12/notes/{note.json()['id']}", json={"text": "Ny ytterdörr."}, headers=manager
    )
    assert changed.json()["text"] == "Ny ytterdörr."
    assert client.delete(f"/api/v1/apartment/12/notes/{note.json()['id']}", headers=manager).status_code == 204
    assert [n["id"] for n in client.get("/api/v1/apartment/12/notes", headers=manager).json()["notes"]] == [301]


def test_geolocation_helpers_answer_swedish_places(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    found = client.post(
        "/api/v1/apartment/geolocation",
        json={"city": "Uppsala", "street_name": "Ekgatan", "street_number": "4B"},
        headers=admin,
    ).json()
    assert found["county"] == "Uppsala län"
    assert 59.7 < found["latitude"] < 60.0
    reverse = client.post(
        "/api/v1/apartment/reverse_geolocation", json={"latitude": 57.7, "longitude": 11.97}, headers=admin
    ).json()
    assert reverse == {"complete": True, "county": "Västra Götalands län", "municipality": "Göteborg"}
    abroad = client.post(
        "/api/v1/apartment/reverse_geolocation", json={"latitude": 48.8, "longitude": 2.3}, headers=admin
    ).json()
    assert abroad == {"complete": False}


def test_the_static_map_is_a_png_of_the_requested_size(client: TestClient) -> None:
    response = client.get("/api/v1/static_map?company=2&latitude=59.33&longitude=18.06&width=300&height=100")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(response.content[16:20], "big") == 300
