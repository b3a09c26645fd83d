"""This checkout's answers beside another revision's, for one sequence of requests: how operations
moved between a package and the generic engine (``mockserver.generic.packaged``) are shown to
answer as they did.

    python -m tests.differential REV        # e.g. HEAD~1, or the commit before a move

It checks ``REV`` out into a temporary git worktree, has each checkout answer :func:`exercise`
against its own mock of HomeQ and the portal (a subprocess each, importing that checkout's code), and compares every
answer's status, content type and JSON body (moments masked, key order ignored). It prints how
many requests it sent and each one answered otherwise, and exits 1 when there is one.

The sequence covers what the engine answers for the packages: HomeQ's apartment and user notes,
project freetext and timeline entries and every kind of medium, the portal's applications and
application forms; as each demo user and without credentials, for records of theirs, of others and
of none, before and after changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The fields of each kind of medium's file reference (``POST /api/v1/file_reference``).
ENTITIES = {
    ("apartment", "pictures"): "apartment_image",
    ("apartment", "videos"): "apartment_video",
    ("estate", "pictures"): "estate_image",
    ("estate", "area_pictures"): "estate_area_image",
    ("projects", "pictures"): "project_image",
    ("projects", "videos"): "project_video",
}


def exercise() -> list[str]:
    """The sequence against a HomeQ mock of the code imported: one line per answer."""
    from starlette.testclient import TestClient

    from mockserver.web.app import MockServer
    from tests.conftest import MOMENT, make_settings
    from tests.homeq.conftest import PASSWORDS

    server = MockServer(make_settings(apis=("homeq", "portal")))
    answers: list[str] = []
    with TestClient(server) as client:
        users: dict[str | None, dict[str, str]] = {}

        def fresh() -> None:
            server.runtime.reset()
            for name, password in PASSWORDS.items():
                token = client.post("/api/v2/tokens/", json={"username": name, "password": password}).json()["token"]
                users[name] = {"Authorization": f"JWT {token}"}
            users[None] = {}

        def send(method: str, path: str, user: str | None, body: Any = None) -> None:
            response = client.request(method, path, headers=users[user], json=body)
            shown = MOMENT.sub("<t>", response.text)
            answers.append(
                json.dumps(
                    [method, path, user, body, response.status_code, response.headers.get("content-type"), shown]
                )
            )

        fresh()
        admin = users["erik.lindberg"]
        listed = client.get("/api/v1/projects", headers=admin).json()["projects"]
        projects = [*(p["id"] for p in listed[:3]), 99999]
        for user in [*PASSWORDS, None]:
            fresh()
            _notes(send, user)
            _entries(send, user, projects)
        for user in ("erik.lindberg", "johan.berg", "sara.nilsson", None):
            fresh()
            _media(client, send, user, admin, server, projects)
        _portal(client, answers)
    return answers


def _portal(client: Any, answers: list[str]) -> None:
    """The customer's applications and application forms, as alice, bob and nobody."""
    from tests.conftest import ALICE, BOB, MOMENT, PORTAL

    def send(method: str, path: str, who: str, body: Any = None) -> None:
        headers = {"alice": ALICE, "bob": BOB, "none": {}}[who]
        response = client.request(method, PORTAL + path, headers=headers, json=body)
        shown = MOMENT.sub("<t>", response.text)
        answers.append(
            json.dumps([method, path, who, body, response.status_code, response.headers.get("content-type"), shown])
        )

    form = {
        "listingId": 5354,
        "applicants": [{"firstName": "A", "lastName": "T", "email": "a@example.com", "phone": "07700 900123"}],
    }
    for who in ("alice", "bob", "none"):
        for query in ("", "?archived=1", "?archived=0", "?archived=true", "?archived=false"):
            send("GET", "/profile/applications" + query, who)
        for application in (101, 102, 103, 104, 105, 1, 99999):
            send("GET", f"/profile/applications/{application}", who)
            send("PATCH", f"/profile/applications/{application}/archive", who)
            send("GET", f"/profile/applications/{application}", who)
        send("GET", "/profile/applications?archived=1", who)
        send("PUT", "/profile/assessment", who, form)
        for assessment in (201, 202, 203, 204, 205, 1, 99999):
            send("GET", f"/profile/assessment/{assessment}", who)
        send("GET", "/profile/assessments", who)


def _notes(send: Any, user: str | None) -> None:
    for apartment in (12, 13, 99999):
        path = f"/api/v1/apartment/{apartment}/notes"
        send("GET", path, user)
        for body in ({}, {"text": "x"}, {"context": "R", "text": "y"}, {"context": "Q"}):
            send("POST", path, user, body)
        send("GET", path, user)
        for note in (301, 302, 303, 5):
            send("PATCH", f"{path}/{note}", user, {"text": "z"})
            send("PATCH", f"{path}/{note}", user, {})
        send("DELETE", f"{path}/301", user)
        send("DELETE", f"{path}/301", user)
        send("GET", path, user)
    for profile in (9120, 1, 99999):
        send("GET", f"/api/v1/user_notes?user_profile={profile}", user)
        send("POST", "/api/v1/user_notes", user, {"user_profile": profile, "text": "a"})
        send("GET", f"/api/v1/user_notes?user_profile={profile}", user)
    send("GET", "/api/v1/user_notes", user)
    for note in (88, 1, 2, 99999):
        send("PATCH", f"/api/v1/user_notes/{note}", user, {"text": "b"})
        send("PATCH", f"/api/v1/user_notes/{note}", user, {})
        send("DELETE", f"/api/v1/user_notes/{note}", user)
        send("DELETE", f"/api/v1/user_notes/{note}", user)


def _entries(send: Any, user: str | None, projects: list[int]) -> None:
    for project in projects:
        for kind, body, change in (
            ("freetext", {"description": "d", "position": 1, "title": "t"}, {"position": 0}),
            ("timeline", {"date": "2026-06-01", "description": "d", "title": "t"}, {"date": "2020-01-01"}),
        ):
            path = f"/api/v1/projects/{project}/{kind}"
            send("GET", path, user)
            send("POST", path, user, body)
            send("POST", path, user, {})
            send("GET", path, user)
            for entry in (1, 2, 3, 50, 99999):
                send("PATCH", f"{path}/{entry}", user, change)
                send("GET", path, user)
                send("DELETE", f"{path}/{entry}", user)
            send("GET", path, user)
            send("GET", f"/api/v1/projects/{project}", user)


def _media(client: Any, send: Any, user: str | None, admin: dict[str, str], server: Any, projects: list[int]) -> None:
    stored = server.runtime.apis["homeq"].state.store.media.values(("parent", "kind"))

    def having(prefix: str) -> tuple[int, ...]:
        return (*sorted({parent for parent, kind in stored if kind.startswith(prefix)})[:4], 99999)

    for parent_kind, parents, kinds in (
        ("apartment", (*having("apartment"), 12, 13), ("3d_views", "pictures", "videos")),
        ("estate", having("estate"), ("area_pictures", "pictures")),
        ("projects", (*having("project"), *projects), ("3d_views", "pictures", "videos")),
    ):
        for parent in parents:
            for kind in kinds:
                path = f"/api/v1/{parent_kind}/{parent}/{kind}"
                query = "?picture_type=project_image" if (parent_kind, kind) == ("projects", "pictures") else ""
                send("GET", path + query, user)
                if kind == "3d_views":
                    send("POST", path, user, {"url": "https://x.test/3d", "title": "T", "position": "2"})
                    send("POST", path, user, {"url": "https://x.test/3e", "title": "U"})
                for n in range(2 if kind != "3d_views" else 0):
                    made = client.post(
                        "/api/v1/file_reference",
                        headers=admin,
                        json={
                            "entity_type": ENTITIES[(parent_kind, kind)],
                            "mime_type": "image/jpeg",  # the docs list image types for videos too
                            "content_length": 10,
                            "content_md5": f"{parent}{kind}{n}",
                            "content_name": "f",
                        },
                    )
                    reference = made.json().get("file_reference")
                    send("POST", path, user, {"file_reference": reference, "caption": f"c{n}", "private": True})
                listed = client.get(path + query, headers=admin)
                found = [m["id"] for m in listed.json().get("results", [])] if listed.status_code == 200 else []
                for medium in (*found, 1, 99999):
                    change = {
                        "caption": "c",
                        "position": 3,
                        "title": "t",
                        **({"url": "u"} if kind == "3d_views" else {}),
                    }
                    send("PATCH", f"{path}/{medium}", user, change)
                    send("PATCH", f"{path}/{medium}", user, {})
                send("GET", path + query, user)
                for medium in (*found[::2], 99999):
                    send("DELETE", f"{path}/{medium}", user)
                    send("DELETE", f"{path}/{medium}", user)
                send("GET", path + query, user)
                if (parent_kind, kind) == ("projects", "pictures"):
                    send("GET", path + "?picture_type=floor_plan", user)
                    send("GET", path, user)


def _answers_of(tree: Path) -> list[str]:
    """The sequence's answers by the checkout at ``tree``, in a process of its own."""
    done = subprocess.run(  # this file's sequence, the tree's code (``--answer`` imports from the folder it runs in)
        [sys.executable, str(Path(__file__).resolve()), "--answer"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def _same(old: str, new: str) -> bool:
    *head_old, body_old = json.loads(old)
    *head_new, body_new = json.loads(new)
    return bool(head_old == head_new and _parsed(body_old) == _parsed(body_new))


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("revision", nargs="?", help="the git revision to compare with (e.g. HEAD~1)")
    parser.add_argument("--answer", action="store_true", help="print this checkout's answers (one JSON line each)")
    args = parser.parse_args(argv)
    if args.answer:
        sys.path.insert(0, str(Path.cwd()))  # the checkout it runs in, before any installed one
        print("\n".join(exercise()))
        return 0
    if not args.revision:
        parser.error("name a revision to compare with")
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), args.revision], cwd=ROOT, check=True)
        try:
            old = _answers_of(tree)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    new = _answers_of(ROOT)
    if len(old) != len(new):
        print(f"{args.revision} answered {len(old)} requests, this checkout {len(new)}")
        return 1
    differing = [(o, n) for o, n in zip(old, new, strict=True) if not _same(o, n)]
    for o, n in differing:
        print(f"{args.revision}: {o}\nnow: {n}\n")
    print(f"{len(new)} requests, {len(differing)} answered otherwise than at {args.revision}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
