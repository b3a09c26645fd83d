"""HomeQ's projects: landlord and public views, publishing, their estates, freetext and timeline
entries, location, the project inventory (each apartment's stage within the project), and the
consumers following a project (the ``project_follow`` webhook event)."""

from __future__ import annotations

import functools
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Conflict, Forbidden, NotFound, PreconditionFailed
from mockserver.engine.store import Store

from .access import Caller
from .data import project_record
from .events import Events
from .inventory import delete_media
from .listings import open_listings
from .market import Market, as_datetime
from .rules import by_id, not_found, spec

Body = dict[str, Any]


class Projects:
    def __init__(self, store: Store, clock: Clock, market: Market, events: Events) -> None:
        self.store = store
        self.clock = clock
        self.market = market
        self.events = events

    def project(self, caller: Caller, project_id: int) -> Body:
        project = self.store.projects.get(project_id)
        if project is None or not caller.manages(project):
            raise not_found("Project", project_id)
        return project

    def public_project(self, caller: Caller | None, project_id: int) -> tuple[Body, bool]:
        """A project and whether the caller sees its landlord view (others see published ones only)."""
        project = self.store.projects.get(project_id)
        if project is None:
            raise not_found("Project", project_id)
        landlord = bool(caller and caller.landlord and caller.manages(project))
        if not landlord and not project["published"]:
            raise not_found("Project", project_id)
        return project, landlord

    @staticmethod
    def _status(project: Body) -> str:
        if project["closed"]:
            return "Closed"
        return "Published" if project["published"] else "Not published"

    def project_view(self, project: Body, landlord: bool) -> Body:
        apartments = self.market._project_apartments(project["id"])

        def span(field: str) -> list[float]:
            values = [float(a[field]) for a in apartments]
            return [min(values), max(values)] if values else []

        view: Body = {
            key: project[key]
            for key in (
                "id",
                "name",
                "info_header",
                "info_description",
                "candidate_sorting_mode",
                "contract_system",
                "closed",
                "close_date",
                "is_short_lease",
                "published",
                "publish_date",
                "show_area_info_module",
                "show_area_media_module",
                "show_email_collection_module",
                "show_freetext_module",
                "show_timeline_module",
            )
        }
        view.update(
            {
                "apartment_count": project["apartment_count"] or len(apartments),
                "area_info_header": project["area_info_header"] or "",
                "area_info_description": project["area_info_description"] or "",
                "external_id": project["external_id"],
                "landlord": {"id": project["company"]},
                "office": {"id": project["office"]},
                "logo": None,
                "public_profile_slug": "sweden-real-estate-ab",
                "range_information": {f: span(f) for f in ("area", "floor", "rent", "rooms")},
                "status": self._status(project),
            }
        )
        if project["preliminary_move_in_date"]:
            view["preliminary_move_in_date"] = project["preliminary_move_in_date"]
        if landlord:
            view["prioritize_existing_tenants"] = project["prioritize_existing_tenants"]
            view["viewing_notes"] = project["viewing_notes"]
            view["autopilot"] = {"state": "idle", "next_engagement": self.clock.stamp()}
        else:
            view.pop("external_id")
            view["freetext_entries"] = self._entries(project["id"], "freetext")
        return view

    def _entries(self, project_id: int, kind: str) -> list[Body]:
        entries = self.store.project_entries.find(project=project_id, kind=kind)
        key = (lambda e: (e["position"], e["id"])) if kind == "freetext" else (lambda e: (e["date"], e["id"]))
        fields = (
            ("id", "position", "title", "description") if kind == "freetext" else ("id", "date", "title", "description")
        )
        return [{f: e[f] for f in fields} for e in sorted(entries, key=key)]

    def list_projects(self, caller: Caller, external_id: str | None) -> Body:
        projects = self.store.projects.where(
            lambda p: caller.manages(p) and (external_id is None or p["external_id"] == external_id)
        )
        return {
            "projects": [
                {
                    "apartments": sum(
                        self.store.apartments.count(estate=estate)
                        for estate in self.store.estates.keys(project=p["id"])
                    ),
                    "closed": p["closed"],
                    "external_id": p["external_id"],
                    "id": p["id"],
                    "name": p["name"],
                    "office": p["office"],
                    "published": p["published"],
                    "status": self._status(p),
                }
                for p in sorted(projects, key=lambda p: p["id"])
            ]
        }

    def create_project(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            office = body.get("office", caller.selected_office)
            if office not in caller.offices:
                raise Forbidden(f"Office {office} is not at or below your root office.", code="PermissionDenied")
            record = project_record(
                {
                    "company": caller.company,
                    "office": office,
                    "name": body["name"],
                    "external_id": body.get("external_id", ""),
                    "created": self.clock.stamp(),
                }
            )
            project = self.store.projects.insert(record)
            return {"id": project["id"], "name": project["name"], "external_id": project["external_id"]}

    def get_project(self, caller: Caller | None, project_id: int) -> Body:
        project, landlord = self.public_project(caller, project_id)
        return self.project_view(project, landlord)

    def update_project(self, caller: Caller, project_id: int, body: Body) -> Body:
        # Only the documented fields: the body may carry others (the schema allows them), and the
        # record holds fields that are not the client's to set (company, office, followers).
        body = {k: v for k, v in body.items() if k in _updatable_fields()}
        with self.store.lock:
            project = self.project(caller, project_id)
            merged = {**project, **body}
            if body.get("published") and not project["published"]:
                if not merged["info_header"] or merged["location"] is None or merged["closed"]:
                    raise PreconditionFailed(
                        "A project needs an info header and a location, and must be open, to be published.",
                        code="ProjectNotPublishable",
                    )
                body = {**body, "publish_date": self.clock.today().isoformat()}
            if body.get("closed") and not project["closed"]:
                body = {**body, "close_date": self.clock.today().isoformat()}
            return self.project_view(self.store.projects.update(project_id, body), landlord=True)

    def delete_project(self, caller: Caller, project_id: int) -> None:
        with self.store.lock:
            project = self.project(caller, project_id)
            if project["published"]:
                raise PreconditionFailed("A published project cannot be deleted.", code="ProjectPublished")
            for estate in self.store.estates.keys(project=project_id):
                self.store.estates.change(estate, {"project": None})
            for entry in self.store.project_entries.keys(project=project_id):
                self.store.project_entries.delete(entry)
            delete_media(self.store, "project", project_id)
            self.store.projects.delete(project_id)

    def get_location(self, caller: Caller | None, project_id: int) -> Body:
        project, _ = self.public_project(caller, project_id)
        return dict(project["location"] or {})

    def update_location(self, caller: Caller, project_id: int, body: Body) -> Body:
        with self.store.lock:
            self.project(caller, project_id)
            return dict(self.store.projects.update(project_id, {"location": dict(body)})["location"])

    def list_project_estates(self, caller: Caller, project_id: int) -> list[Body]:
        self.project(caller, project_id)
        result = []
        for estate in sorted(self.store.estates.find(project=project_id), key=by_id):
            apartments = self.store.apartments.count(estate=estate["id"])
            ads = open_listings(self.store, estate=estate["id"])
            result.append({"id": estate["id"], "name": estate["legal_name"], "apartments": apartments, "ads": ads})
        return result

    def _project_estate(self, caller: Caller, project_id: int, estate_id: int) -> tuple[Body, Body]:
        project = self.project(caller, project_id)
        estate = self.store.estates.get(estate_id)
        if estate is None or not caller.manages(estate):
            raise not_found("Estate", estate_id)
        return project, estate

    def add_project_estate(self, caller: Caller, project_id: int, estate_id: int) -> None:
        with self.store.lock:
            project, estate = self._project_estate(caller, project_id, estate_id)
            if project["closed"]:
                raise PreconditionFailed("The project is closed.", code="ProjectClosed")
            if estate["office"] != project["office"]:
                raise PreconditionFailed(
                    "Estate and project need to belong to the same office", code="IllegalOfficeHierarchy"
                )
            if estate.get("project") is not None:
                raise PreconditionFailed("The estate is already in a project.", code="AlreadyInProject")
            self.store.estates.change(estate_id, {"project": project_id})

    def remove_project_estate(self, caller: Caller, project_id: int, estate_id: int) -> None:
        with self.store.lock:
            _, estate = self._project_estate(caller, project_id, estate_id)
            if estate.get("project") != project_id:
                raise PreconditionFailed("The estate is not in the project.", code="NotInProject")
            if open_listings(self.store, estate=estate_id):
                raise PreconditionFailed("The estate has listings in the project.", code="HasAds")
            self.store.estates.change(estate_id, {"project": None})

    def project_inventory(self, caller: Caller, project_id: int) -> Body:
        self.project(caller, project_id)
        results: list[Body] = []
        for apartment in sorted(self.market._project_apartments(project_id), key=by_id):
            estate = self.store.estates.get(apartment["estate"]) or {}
            # Only the apartment's listings within the project count; a rented one that has been
            # closed is a snapshot of an earlier rental, an open one is the current stage.
            project_ads = [
                lst for lst in self.store.listings.find(apartment=apartment["id"]) if lst["is_project_rental"]
            ]
            listing = next((lst for lst in project_ads if lst["status"] not in ("deleted", "closing")), None)
            snapshots = [
                {
                    "closed": as_datetime(lst.get("rented_at") or lst["created"]),
                    "employee": lst.get("rented_by") or "",
                    "outcome": "Rented",
                }
                for lst in sorted(project_ads, key=by_id)
                if lst["status"] == "closing"
            ]
            results.append(
                {
                    "apartment": {
                        "id": apartment["id"],
                        "landlord_object_id": apartment.get("landlord_object_id"),
                        "national_id": apartment["national_id"],
                        "notes_count": self.store.apartment_notes.count(apartment=apartment["id"]),
                        "rent": apartment["rent"],
                        "rooms": apartment["rooms"],
                        "street": apartment["street_name"],
                        "street_number": apartment["street_number"],
                    },
                    "estate": {"id": estate.get("id", 0), "name": estate.get("legal_name", "")},
                    "object_ad": (
                        {
                            "applications": self.store.applications.count(listing=listing["id"]),
                            "id": listing["id"],
                            "move_in_date": as_datetime(listing["access_date"]),
                            "prior_access_available": listing["prior_access"],
                            "requirement": listing["requirement"],
                            "status": listing["status"],
                        }
                        if listing
                        else None
                    ),
                    "snapshots": snapshots,
                }
            )
        return {"results": results}

    # -- consumers following projects -------------------------------------------------------------
    # HomeQ's consumers follow projects in its consumer app, which this API does not serve: the
    # control plane simulates them, and the landlord learns of it by the ``project_follow`` event.
    def _followed(self, project_id: int, consumer_id: int | None = None) -> tuple[Body, Body | None]:
        project = self.store.projects.get(project_id)
        if project is None:
            raise NotFound(f"Project {project_id} was not found.")
        consumer = self.store.consumers.get(consumer_id) if consumer_id is not None else None
        if consumer_id is not None and consumer is None:
            raise NotFound(f"Consumer {consumer_id} was not found.")
        return project, consumer

    def followers(self, project_id: int) -> list[int]:
        project, _ = self._followed(project_id)
        return list(project["followers"])

    def follow(self, project_id: int, consumer_id: int, following: bool) -> Body:
        """``consumer_id`` starts (``following``) or stops following the project; the
        ``project_follow`` event is sent when that changes something. Following again changes
        nothing; only a follower can stop, and only a published project (the one consumers see) can
        be followed."""
        with self.store.lock:
            project, consumer = self._followed(project_id, consumer_id)
            assert consumer is not None
            followers = list(project["followers"])
            changed = (consumer_id in followers) != following
            if not following and not changed:
                raise Conflict(f"Consumer {consumer_id} does not follow project {project_id}.")
            if following and changed and not project["published"]:
                raise Conflict(f"Project {project_id} is not published: consumers cannot see it to follow it.")
            event: Body | None = None
            deliveries: list[int] = []
            if changed:
                followers = [*followers, consumer_id] if following else [f for f in followers if f != consumer_id]
                self.store.projects.change(project_id, {"followers": followers})
                event = self.events.project_follow(project, consumer, following)
                deliveries = self.events.send("project_follow", event)
            return {
                "project": project_id,
                "consumer": consumer_id,
                "following": following,
                "changed": changed,
                "followers": followers,
                "event": event,
                "deliveries": deliveries,
            }


@functools.cache
def _updatable_fields() -> frozenset[str]:
    return frozenset(spec()["components"]["schemas"]["ProjectUpdate"]["properties"])
