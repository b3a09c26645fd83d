"""HomeQ's organisation: company, offices, employees, right profiles, tenants, environment reset.

Each public method is one thing a caller can do; it takes plain values and the :class:`Caller`,
holds the store lock while it reads and changes records, and returns the API shape or raises a
catalogue problem (with HomeQ's error name as ``code``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Forbidden, PreconditionFailed
from mockserver.engine.store import Store

from .access import Caller
from .data import employee_record
from .lookups import RIGHTS
from .rules import OFFICE_DEFAULTS, check_office_email, not_found, subtree
from .views import Views

Body = dict[str, Any]
#: Fields an employee may change on themself, and on the employees below them (with the right).
SELF_FIELDS = frozenset({"first_name", "last_name", "phone_number", "personal_number", "selected_office"})
OTHERS_FIELDS = frozenset({"right_profile", "root_office", "phone_number", "personal_number"})


class Organisation:
    def __init__(self, store: Store, clock: Clock, secret: bytes) -> None:
        self.store = store
        self.clock = clock
        #: The state's signing secret (``tokens.new_secret``): API users' passwords come from it.
        self.secret = secret
        self.views = Views(store)

    # -- company ---------------------------------------------------------------------------------
    def company(self, caller: Caller) -> Any:
        if not caller.landlord:
            companies = sorted(self.store.companies.all(), key=lambda c: c["id"])
            return [{"id": c["id"], "name": c["name"]} for c in companies]
        return self.views.company(self._company(caller))

    def _company(self, caller: Caller) -> dict[str, Any]:
        company = self.store.companies.get(caller.company)
        if company is None:  # pragma: no cover - employees always belong to a company
            raise not_found("Company", caller.company)
        return company

    def update_company(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            company = self._company(caller)
            changes: Body = {k: body[k] for k in ("bankgiro", "postgiro", "org_number", "minimum_up_time") if k in body}
            if "external_reservation_link" in body:
                changes["external_reservation_link"] = body["external_reservation_link"]
            if "fast_api_key" in body:
                key = body["fast_api_key"]
                # The key is tried against Fastighetsägarna Dokument before it is stored; the mock's
                # stand-in accepts keys of at least 16 characters without spaces.
                if key and (len(key) < 16 or any(ch.isspace() for ch in key)):
                    raise PreconditionFailed(
                        "The Fastighetsägarna Dokument API key does not work.", code="InvalidFastApiKey"
                    )
                changes["fast_api_key"] = key or None
            for field, target in (("logo_image_id", "logo_image"), ("cover_image_id", "cover_image")):
                if field in body:
                    changes[target] = self._image(body[field], target)
            return self.views.company(self.store.companies.update(company["id"], changes))

    def _image(self, image_id: str | None, kind: str) -> dict[str, Any] | None:
        if image_id is None:
            return None
        number = int(hashlib.sha256(image_id.encode()).hexdigest()[:6], 16)
        reference = image_id.replace("-", "")
        url = f"https://homeq-media-live.s3.amazonaws.com/{kind}s/{reference}.png"
        return {
            "id": number,
            "url": url,
            "thumbnail_url": f"https://homeq-media-live.s3.amazonaws.com/320/{kind}s/{reference}.jpeg",
        }

    def reset_environment(self, caller: Caller) -> None:
        """Removes the company's inventory and its traces; employees and requirement profiles stay."""
        with self.store.lock:
            store = self.store
            estates = set(store.estates.keys(company=caller.company))
            apartments = {key for estate in estates for key in store.apartments.keys(estate=estate)}
            projects = set(store.projects.keys(company=caller.company))
            parents = {"estate": estates, "apartment": apartments, "project": projects}
            for apartment in apartments:
                for listing in store.listings.keys(apartment=apartment):
                    store.listings.delete(listing)
                    for application in store.applications.keys(listing=listing):
                        store.applications.delete(application)
                for note in store.apartment_notes.keys(apartment=apartment):
                    store.apartment_notes.delete(note)
            for medium, kind, parent in store.media.values(("id", "kind", "parent")):
                if parent in parents[kind.split("_", 1)[0]]:
                    store.media.delete(medium)
            for entry, project in store.project_entries.values(("id", "project")):
                if project in projects:
                    store.project_entries.delete(entry)
            for table, ids in ((store.apartments, apartments), (store.estates, estates), (store.projects, projects)):
                for key in ids:
                    table.delete(key)

    # -- offices ---------------------------------------------------------------------------------
    def _offices(self, caller: Caller) -> list[dict[str, Any]]:
        return self.store.offices.find(company=caller.company)

    def visible_office(self, caller: Caller, office_id: int) -> dict[str, Any]:
        office = self.store.offices.get(office_id)
        if office is None or office["company"] != caller.company or office_id not in caller.offices:
            raise not_found("Office", office_id)
        return office

    def list_offices(self, caller: Caller, mode: str, office_id: int | None) -> list[Body]:
        if not caller.landlord:
            return []
        offices = self._offices(caller)
        if mode == "manage" and "entity.organization" in caller.rights:
            visible = offices
        else:
            visible = [o for o in offices if o["id"] in caller.offices]
        if office_id is not None:
            visible = [o for o in visible if o["id"] == office_id]
        return [self.views.office(o) for o in sorted(visible, key=lambda o: o["id"])]

    def _parent_office(self, caller: Caller, office_id: int) -> None:
        office = self.store.offices.get(office_id)
        if office is None or office["company"] != caller.company or office_id not in caller.offices:
            raise Forbidden("Office in question is not a sub office of the user", code="PermissionError")

    def create_office(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            self._parent_office(caller, body["parent"])
            record = {**OFFICE_DEFAULTS, **{k: v for k, v in body.items() if k != "logo"}, "company": caller.company}
            record["logo"] = self._logo(body.get("logo"))
            check_office_email(record)
            return {"id": self.store.offices.insert(record)["id"]}

    @staticmethod
    def _logo(data: str | None) -> str | None:
        if not data:
            return None
        digest = hashlib.md5(data.encode(), usedforsecurity=False).hexdigest()
        return f"https://homeq-media-live.s3.amazonaws.com/landlord_offices/logos/{digest}.jpg"

    def update_office(self, caller: Caller, office_id: int, body: Body) -> Body:
        with self.store.lock:
            office = self.visible_office(caller, office_id)
            changes = {k: v for k, v in body.items() if k != "logo"}
            if "logo" in body:
                changes["logo"] = self._logo(body["logo"])
            if "parent" in body:
                parent = body["parent"]
                self._parent_office(caller, parent)
                if parent in subtree(self._offices(caller), office_id):
                    raise PreconditionFailed("An office cannot be moved below itself.", code="IllegalOfficeHierarchy")
            check_office_email({**office, **changes})
            return self.views.office(self.store.offices.update(office_id, changes))

    # -- employees -------------------------------------------------------------------------------
    def _employee(self, caller: Caller, employee_id: int) -> dict[str, Any]:
        employee = self.store.employees.get(employee_id)
        if (
            employee is None
            or employee["company"] != caller.company
            or (employee_id != caller.id and employee["root_office"] not in caller.offices)
        ):
            raise not_found("Employee", employee_id)
        return employee

    def list_employees(self, caller: Caller) -> Body:
        below = subtree(self._offices(caller), caller.selected_office or caller.root_office or 0)
        employees = self.store.employees.where(lambda e: e["company"] == caller.company and e["root_office"] in below)
        return {"employees": [self.views.employee_item(e) for e in sorted(employees, key=lambda e: e["id"])]}

    def get_employee(self, caller: Caller, employee_id: int) -> Body:
        return {"employees": [self.views.employee_detail(self._employee(caller, employee_id))]}

    def update_employee(self, caller: Caller, employee_id: int, body: Body) -> Body:
        with self.store.lock:
            employee = self._employee(caller, employee_id)
            own = employee_id == caller.id
            allowed = SELF_FIELDS if own else OTHERS_FIELDS
            refused = sorted(set(body) - allowed)
            if refused:
                whose = "your own" if own else "another employee's"
                raise Forbidden(f"You may not change {whose} {', '.join(refused)}.", code="PermissionDenied")
            changes: Body = {}
            for field in ("first_name", "last_name", "personal_number"):
                if field in body:
                    changes[field] = body[field]
            if "phone_number" in body:
                changes["phone"] = body["phone_number"]
            if "right_profile" in body:
                profile = self.store.right_profiles.get(body["right_profile"])
                if profile is None or profile["company"] not in (None, caller.company):
                    raise not_found("Right profile", body["right_profile"])
                changes["right_profile"] = profile["id"]
            if "root_office" in body:
                self.visible_office(caller, body["root_office"])
                # A new root office also becomes the selected office.
                changes["root_office"] = changes["selected_office"] = body["root_office"]
            if "selected_office" in body:
                office = self.store.offices.get(body["selected_office"])
                below = subtree(self._offices(caller), employee["root_office"])
                if office is None or office["id"] not in below:
                    raise Forbidden(
                        "The selected office must be at or below your root office.", code="PermissionDenied"
                    )
                changes["selected_office"] = office["id"]
            return {"employees": [self.views.employee_detail(self.store.employees.update(employee_id, changes))]}

    def delete_employee(self, caller: Caller, employee_id: int) -> None:
        with self.store.lock:
            self._employee(caller, employee_id)
            if employee_id == caller.id:
                raise Forbidden("You cannot delete yourself.", code="PermissionDenied")
            self.store.employees.delete(employee_id)

    def create_api_user(self, caller: Caller) -> Body:
        with self.store.lock:
            eid = self.store.employees.next_id()
            # From the signing secret, not the public seed: nobody else can work the password out.
            secret = hmac.new(self.secret, f"homeq-api-user:{eid}".encode(), hashlib.sha256).hexdigest()
            username = f"api-user-{eid}-{secret[:6]}"
            password = secret[6:30]
            self.store.employees.insert(
                employee_record(
                    {
                        "id": eid,
                        "company": caller.company,
                        "username": username,
                        "password": password,
                        "first_name": "API",
                        "last_name": f"user {eid}",
                        "email": f"{username}@api.homeq.se",
                        "personal_number": "",
                        "phone": "",
                        # An API user acts with the rights of its creator's profile, at their root office.
                        "right_profile": self._profile_of(caller.id),
                        "root_office": caller.root_office,
                        "api_user": True,
                        "date_joined": self.clock.stamp(),
                    }
                )
            )
            return {"id": eid, "username": username, "password": password}

    def _profile_of(self, employee_id: int) -> int | None:
        employee = self.store.employees.get(employee_id)
        return employee["right_profile"] if employee else None

    # -- right profiles and rights ---------------------------------------------------------------
    def list_right_profiles(self, caller: Caller) -> Body:
        profiles = self.store.right_profiles.where(lambda p: p["company"] in (None, caller.company))
        holders = Counter(key for (key,) in self.store.employees.values(("right_profile",), company=caller.company))
        return {
            "right_profiles": [
                {**self.views.right_profile(p), "employees": holders[p["id"]]}
                for p in sorted(profiles, key=lambda p: p["id"])
            ]
        }

    @staticmethod
    def _rights(rights: list[str]) -> list[str]:
        """Each right once, in the order sent (the spec's ``Right`` enum has refused unknown ones)."""
        return sorted(set(rights), key=rights.index)

    def create_right_profile(self, caller: Caller, body: Body) -> Body:
        with self.store.lock:
            record = {"company": caller.company, "name": body["name"], "rights": self._rights(body["rights"])}
            return self.views.right_profile(self.store.right_profiles.insert(record))

    def _custom_profile(self, caller: Caller, profile_id: int) -> dict[str, Any]:
        profile = self.store.right_profiles.get(profile_id)
        if profile is None or profile["company"] not in (None, caller.company):
            raise not_found("Right profile", profile_id)
        if profile["company"] is None:
            raise Forbidden("The default right profiles cannot be changed.", code="PermissionDenied")
        return profile

    def update_right_profile(self, caller: Caller, profile_id: int, body: Body) -> Body:
        with self.store.lock:
            self._custom_profile(caller, profile_id)
            changes = {"name": body["name"], "rights": self._rights(body["rights"])}
            return self.views.right_profile(self.store.right_profiles.update(profile_id, changes))

    def delete_right_profile(self, caller: Caller, profile_id: int) -> None:
        with self.store.lock:
            self._custom_profile(caller, profile_id)
            # Employees of a deleted profile are left without one (and cannot log in: 409).
            for employee in self.store.employees.keys(right_profile=profile_id):
                self.store.employees.change(employee, {"right_profile": None})
            self.store.right_profiles.delete(profile_id)

    @staticmethod
    def list_rights() -> Body:
        return {"rights": [{"name": name, "path": name, "description": text} for name, _, text in RIGHTS]}

    # -- existing tenants ------------------------------------------------------------------------
    def update_existing_tenants(self, caller: Caller, operations: list[Body]) -> Body:
        created = deleted = 0
        with self.store.lock:
            self.store.existing_tenants.ensure_room(sum(op["action"] == "create" for op in operations))
            for operation in operations:
                ssn = operation["ssn"].strip()
                existing = self.store.existing_tenants.find_one(company=caller.company, ssn=ssn)
                if operation["action"] == "create" and existing is None:
                    self.store.existing_tenants.insert({"company": caller.company, "ssn": ssn})
                    created += 1
                elif operation["action"] == "delete" and existing is not None:
                    self.store.existing_tenants.delete(existing["id"])
                    deleted += 1
        return {"created": created, "deleted": deleted}
