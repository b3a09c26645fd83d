"""The otherwise valid request of each operation, per API, that ``tests/test_boundaries.py``
changes one field of at a time: what the demo data needs instead of the spec's examples (ids the
demo user may see, bodies that reach the handler's rules), the state a request needs made first,
and the spec-valid values that a rule beyond the field refuses (``Baseline.excused``), with why.
Operations not listed here are sent as their spec examples describe them.
"""

from __future__ import annotations

from typing import Any

from tests.boundary_requests import Baseline, Prepared, Requests, Setup
from tests.portal.helpers import COMPLETE_APPLICANT

# -- portal (Alice, fixtures/portal/) -----------------------------------------------------------
#: A complete applicant who is not working and has no loans, so that only the main applicant's home
#: address is conditionally required (``Applicant``'s description); and who says whether they share
#: the main address, so that copies of them are valid further applicants.
_APPLICANT: dict[str, Any] = {
    **{k: v for k, v in COMPLETE_APPLICANT.items() if not k.startswith(("employer", "work"))},
    "addressSameAsMainApplicant": False,
    "workingCircumstance": 4,
    "hasLoans": False,
    "relatedToHAWorker": False,
    "immediateFamilyInLocalAuthority": False,
}
_DRAFT = {
    "listingId": 5354,
    "applicants": [
        {"firstName": "Alice", "lastName": "Thompson", "email": "alice@example.com", "phone": "07700 900123"}
    ],
}
_MAIN_ADDRESS = "required of the main applicant (a conditional rule of Applicant's description)"
_WORKING = "makes the employer's name and address required (a conditional rule of Applicant's description)"
_SUBMISSION = Baseline(
    body={"listingId": 5354, "applicants": [_APPLICANT]},
    excused={
        **{
            f"body applicants.0.{name} = {value}": _MAIN_ADDRESS
            for name in ("homeAddressLine1", "homeAddressLine2", "homePostcode", "homeLocalAuthorityId")
            for value in ("null", '""', '" "', '"\\r"')
        },
        **{f"body applicants.0.workingCircumstance = {value}": _WORKING for value in (1, 2, 3)},
    },
)
_PORTAL = {
    "PATCH /profile/change-password": Baseline(
        body={"currentPassword": "Alice-demo-2024", "newPassword": "Alice-demo-2025"}
    ),
    "PATCH /profile/change-email": Baseline(
        body={"currentEmail": "alice@example.com", "newEmail": "alice.t@example.com", "password": "Alice-demo-2024"}
    ),
    **{
        f"{method} /profile/applications/{{applicationId}}{tail}": Baseline(path={"applicationId": 102})
        for method, tail in (
            ("GET", ""),
            ("PUT", ""),
            ("PATCH", "/archive"),
            ("GET", "/available-appointments"),
            ("GET", "/appointments"),
        )
    },
    "POST /profile/applications/{applicationId}/appointments": Baseline(
        path={"applicationId": 102}, body={"slot": 2420, "remarks": "Coming with my partner."}
    ),
    "PUT /profile/appointments/{appointmentId}": Baseline(
        path={"appointmentId": 301}, body={"slot": 2418, "remarks": "Later, please"}
    ),
    "PATCH /profile/appointments/{appointmentId}/cancel": Baseline(path={"appointmentId": 301}),
    "PUT /profile/assessment": Baseline(body=_DRAFT),
    "PUT /profile/assessment/{assessmentId}": Baseline(path={"assessmentId": 201}, body=_DRAFT),
    "GET /profile/assessment/{assessmentId}": Baseline(path={"assessmentId": 201}),
    "POST /profile/assessment": _SUBMISSION,
    "POST /assessment": _SUBMISSION,
}

# -- instruction service (fixtures/instruction/) ----------------------------------------------------
_VERITAS = {"X-Api-Key": "demo-veritas-key"}
_INSTRUCTION = {
    "GET /supplier/{reference}": Baseline(path={"reference": "VS-C-110007"}, auth=_VERITAS),
    "PUT /{tmpReference}/supplierreferences": Baseline(path={"tmpReference": "TMP110007"}, auth=_VERITAS),
}

# -- consumer portal (fixtures/consumerportal/) ----------------------------------------------------
#: A PNG (what the upload's example ``mimetype`` says), sent as the operation's documented bytes.
_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"
_FILE_TYPE = "must name the type of the file's bytes (a rule between the header and the body)"
_CONSUMERPORTAL = {
    "POST /upload_file": Baseline(
        content=(_PNG, "application/octet-stream"),
        excused={
            f'header mimetype = "{media}"': _FILE_TYPE
            for media in ("application/pdf", "image/jpeg", "image/gif", "image/tiff")
        },
    ),
}

# -- HomeQ (the admin erik.lindberg, fixtures/homeq/) ----------------------------------------------
_FILE = {"content_length": 482113, "content_md5": "RrCnCF6WCrKM+DVDwsr7cw==", "content_name": "a.jpg"}
_THREE_D = {"title": "3D", "url": "https://example.com/3d"}


def _made(path: str, body: dict[str, Any], into: str, **fixed: Any) -> Setup:
    """A setup that POSTs ``body`` to ``path`` and puts the new record's id into the path parameter
    ``into`` (and ``fixed`` into the others)."""

    def setup(client: Requests, auth: dict[str, str]) -> Prepared:
        made = client.request("POST", path, json=body, headers=auth)
        assert made.status_code in (200, 201), made.text
        return Prepared(path={**fixed, into: made.json()["id"]})

    return setup


def _file(entity_type: str) -> Setup:
    """A setup that makes a file reference for ``entity_type`` and sends it as the body's ``file_reference``."""

    def setup(client: Requests, auth: dict[str, str]) -> Prepared:
        body = {**_FILE, "entity_type": entity_type, "mime_type": "image/jpeg"}
        made = client.request("POST", "/api/v1/file_reference", json=body, headers=auth)
        assert made.status_code == 201, made.text
        return Prepared(body={"file_reference": made.json()["file_reference"]})

    return setup


def _media(path: str, entity_type: str, into: str, extra: dict[str, Any], **fixed: Any) -> Setup:
    """A setup that makes a picture or video (of a new file reference for ``entity_type``)."""

    def setup(client: Requests, auth: dict[str, str]) -> Prepared:
        reference = _file(entity_type)(client, auth).body
        return _made(path, {**reference, **extra}, into, **fixed)(client, auth)

    return setup


def _estate_of_project_12(client: Requests, auth: dict[str, str]) -> Prepared:
    """A new estate of project 12's office (4), in no project yet."""
    body = {"legal_name": "Eken 5", "city": "Uppsala", "office": 4}
    made = client.request("POST", "/api/v4/estate", json=body, headers=auth)
    assert made.status_code == 200, made.text
    return Prepared(path={"project_id": 12, "estate_id": made.json()["id"]})


def _both(*methods: str, at: str, **baseline: Any) -> dict[str, Baseline]:
    """One baseline for several operations of the path ``at`` (``_both("PATCH", "DELETE", at=...)``)."""
    return {f"{method} {at}": Baseline(**baseline) for method in methods}


_FILE_REFERENCE = "must name a file reference the company made for the entity type (the field's description, 400)"
_FILE_FIELDS = {"body floor_plan_reference": _FILE_REFERENCE, "body promotion_file_reference": _FILE_REFERENCE}
_HOMEQ: dict[str, Baseline] = {
    "POST /api/v2/tokens/": Baseline(
        excused={
            **{
                f"body username = {blank}": "documented: a blank username gets 412 UsernameMissing"
                for blank in ('""', '" "', '"\\r"')
            },
            'body password = ""': "documented: an empty password gets 412 PasswordMissing",
        }
    ),
    "POST /api/v2/tokens/verify/": Baseline(
        setup=lambda client, auth: Prepared(body={"token": auth["Authorization"].removeprefix("JWT ")})
    ),
    "GET /api/v1/digital_contract/verify": Baseline(query={"uuid": "0b6a8f6e-3c2d-4a1b-9e7f-5d3c1a2b4c6d"}),
    "GET /api/v1/user_notes": Baseline(query={"user_profile": 9120}),
    # Apartment 12 (of estate 15) with picture 51 and note 301.
    **{
        f"{method} /api/v1/apartment/{{apartment_id}}/{kind}": Baseline(path={"apartment_id": 12})
        for method in ("GET", "POST")
        for kind in ("3d_views", "pictures", "notes", "videos")
    },
    "POST /api/v1/apartment/{apartment_id}/pictures": Baseline(
        path={"apartment_id": 12}, excused={"body file_reference": _FILE_REFERENCE}
    ),
    "POST /api/v1/apartment/{apartment_id}/videos": Baseline(
        path={"apartment_id": 12}, setup=_file("apartment_video"), excused={"body file_reference": _FILE_REFERENCE}
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/apartment/{apartment_id}/3d_views/{three_d_view_id}",
        setup=_made("/api/v1/apartment/12/3d_views", _THREE_D, "three_d_view_id", apartment_id=12),
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/apartment/{apartment_id}/pictures/{picture_id}",
        path={"apartment_id": 12, "picture_id": 51},
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/apartment/{apartment_id}/videos/{video_id}",
        setup=_media("/api/v1/apartment/12/videos", "apartment_video", "video_id", {}, apartment_id=12),
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/apartment/{apartment_id}/notes/{note_id}",
        path={"apartment_id": 12, "note_id": 301},
    ),
    "POST /api/v4/apartment": Baseline(excused=_FILE_FIELDS),
    "GET /api/v4/apartment/{id}": Baseline(path={"id": 12}),
    "PATCH /api/v4/apartment/{id}": Baseline(path={"id": 12}, excused=_FILE_FIELDS),
    "DELETE /api/v4/apartment/{id}": Baseline(path={"id": 13}),
    "GET /api/v4/estate/{id}": Baseline(path={"id": 15}),
    "PATCH /api/v4/estate/{id}": Baseline(path={"id": 15}),
    "DELETE /api/v4/estate/{id}": Baseline(
        setup=_made("/api/v4/estate", {"legal_name": "Eken 5", "city": "Uppsala"}, "id")
    ),
    # Estate 15 with picture 3 and area picture 7.
    "GET /api/v1/estate/{estate_id}/pictures": Baseline(path={"estate_id": 15}),
    "GET /api/v1/estate/{estate_id}/area_pictures": Baseline(path={"estate_id": 15}),
    "POST /api/v1/estate/{estate_id}/pictures": Baseline(
        path={"estate_id": 15}, excused={"body file_reference": _FILE_REFERENCE}
    ),
    "POST /api/v1/estate/{estate_id}/area_pictures": Baseline(
        path={"estate_id": 15}, excused={"body file_reference": _FILE_REFERENCE}
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/estate/{estate_id}/pictures/{picture_id}",
        path={"estate_id": 15, "picture_id": 3},
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/estate/{estate_id}/area_pictures/{area_picture_id}",
        path={"estate_id": 15, "area_picture_id": 7},
    ),
    # Listing 17 on apartment 12 (apartment 13 has none); listing 18 is reserved.
    "POST /api/v1/object_ad": Baseline(
        body={"access_date": "2024-01-01", "apartment": 13, "date_publish": "2023-11-15", "requirement": 13}
    ),
    "GET /api/v1/object_ad/{id}": Baseline(path={"id": 17}),
    "PATCH /api/v1/object_ad/{id}": Baseline(path={"id": 17}),
    "DELETE /api/v1/object_ad/{id}": Baseline(
        setup=_made("/api/v1/object_ad", {"apartment": 13, "requirement": 13, "is_draft": True}, "id")
    ),
    "POST /api/v1/object_ad/{object_ad_id}/reservation/confirm": Baseline(path={"object_ad_id": 18}),
    "POST /api/v1/object_ad/{object_ad_id}/reservation/reject": Baseline(path={"object_ad_id": 18}),
    "POST /api/v1/file_reference": Baseline(
        excused={
            f"body content_length = {size}": "documented: zero or less gets 412 InvalidContentLength"
            for size in (0, -1)
        }
    ),
    "PATCH /api/v1/office/{id}": Baseline(path={"id": 4}),
    "GET /api/v1/employees/{employee_id}": Baseline(path={"employee_id": 16}),
    "PATCH /api/v1/employees/{employee_id}": Baseline(path={"employee_id": 10}),
    "DELETE /api/v1/employees/{employee_id}": Baseline(setup=_made("/api/v1/employees/api_user", {}, "employee_id")),
    **_both(
        "PUT",
        "DELETE",
        at="/api/v1/right_profiles/{right_profile_id}",
        setup=_made(
            "/api/v1/right_profiles", {"name": "Uthyrare", "rights": ["entity.Apartment.update"]}, "right_profile_id"
        ),
    ),
    "PATCH /api/v1/company": Baseline(
        excused={
            "body fast_api_key": "documented: a key that does not work gets 412 InvalidFastApiKey; the stand-in "
            "check (16 characters or more, no white space) is in the field's description"
        }
    ),
    # Project 12 (of office 4, with estate 16) with freetext 5 and timeline entry 7.
    **{
        f"{method} /api/v1/projects/{{project_id}}{tail}": Baseline(path={"project_id": 12})
        for method, tail in (
            ("GET", ""),
            ("PATCH", ""),
            ("GET", "/3d_views"),
            ("POST", "/3d_views"),
            ("GET", "/pictures"),
            ("GET", "/videos"),
            ("GET", "/freetext"),
            ("POST", "/freetext"),
            ("GET", "/location"),
            ("PUT", "/location"),
            ("GET", "/timeline"),
            ("POST", "/timeline"),
            ("GET", "/estates"),
            ("GET", "/inventory"),
        )
    },
    "DELETE /api/v1/projects/{project_id}": Baseline(setup=_made("/api/v1/projects", {"name": "Eken 2"}, "project_id")),
    "POST /api/v1/projects/{project_id}/pictures": Baseline(
        path={"project_id": 12}, setup=_file("project_image"), excused={"body file_reference": _FILE_REFERENCE}
    ),
    "POST /api/v1/projects/{project_id}/videos": Baseline(
        path={"project_id": 12}, setup=_file("project_video"), excused={"body file_reference": _FILE_REFERENCE}
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/projects/{project_id}/3d_views/{three_d_view_id}",
        setup=_made("/api/v1/projects/12/3d_views", _THREE_D, "three_d_view_id", project_id=12),
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/projects/{project_id}/pictures/{picture_id}",
        setup=_media(
            "/api/v1/projects/12/pictures",
            "project_image",
            "picture_id",
            {"picture_type": "project_image"},
            project_id=12,
        ),
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/projects/{project_id}/videos/{video_id}",
        setup=_media(
            "/api/v1/projects/12/videos", "project_video", "video_id", {"video_type": "project_video"}, project_id=12
        ),
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/projects/{project_id}/freetext/{freetext_id}",
        path={"project_id": 12, "freetext_id": 5},
    ),
    **_both(
        "PATCH",
        "DELETE",
        at="/api/v1/projects/{project_id}/timeline/{timeline_id}",
        path={"project_id": 12, "timeline_id": 7},
    ),
    "POST /api/v1/projects/{project_id}/estates/{estate_id}": Baseline(setup=_estate_of_project_12),
    "DELETE /api/v1/projects/{project_id}/estates/{estate_id}": Baseline(path={"project_id": 12, "estate_id": 16}),
    # Requirement profile 13 (listings 17 and 18 use it) and user note 88.
    "POST /api/v1/requirements": Baseline(
        excused={"body parent_requirements_id": "must name a requirement profile of the company (its description, 400)"}
    ),
    "GET /api/v1/requirements/{id}": Baseline(path={"id": 13}),
    "PATCH /api/v1/requirements/{id}": Baseline(path={"id": 13}),
    "DELETE /api/v1/requirements/{id}": Baseline(setup=_made("/api/v1/requirements", {"name": "Student"}, "id")),
    **_both("PATCH", "DELETE", at="/api/v1/user_notes/{note_id}", path={"note_id": 88}),
}

BASELINES: dict[str, dict[str, Baseline]] = {
    "portal": _PORTAL,
    "instruction": _INSTRUCTION,
    "consumerportal": _CONSUMERPORTAL,
    "homeq": _HOMEQ,
}

#: The errors an API names for a refusal that comes from state or from another field, never from
#: the value's own form, and why: a spec-valid value that gets one of them is not a disagreement.
EXCUSED_ERRORS: dict[str, dict[str, str]] = {
    "homeq": {
        "ApartmentDoesNotExist": "names an apartment that does not exist (HomeQ's documented 412)",
        "MissingRequirement": "names a requirement profile that does not exist, or none while is_draft is false",
        "AdDoesNotExist": "names a listing that does not exist (HomeQ's documented 412)",
        "NoSuchObjectAd": "names a listing that does not exist (HomeQ's documented 412)",
        "InvalidStatus": "a status the listing cannot move to from its current one",
        "IllegalOfficeHierarchy": "an office below itself, or an estate and a project of different offices",
        "InvalidMimeType": "a mime type the entity type does not take (FileReferenceRequest's description)",
        "ExceedingContentLength": "over the entity type's size limit (FileReferenceRequest's description)",
    },
}
