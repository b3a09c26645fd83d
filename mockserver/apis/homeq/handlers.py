"""Thin handlers of ``specs/homeq.yaml``: one method per operationId.

Connexion has already checked the ``Authorization: JWT <token>`` header (``token_info`` carries the
caller) and validated parameters and bodies; each handler asks :class:`Access` for the caller with
the rights its operation needs, hands plain values to a service and returns ``(body, status)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mockserver.generic.model import Binding, Scope

from .access import Caller, optional_caller
from .rules import not_found
from .state import HomeQState

Result = tuple[Any, int] | tuple[Any, int, dict[str, str]]
Info = dict[str, Any] | None
Body = dict[str, Any]
#: ``listInventory``'s filters: Connexion's pythonic parameter names -> the documented names.
INVENTORY_FILTERS = {
    "type_": "type",
    "apartmentexternal_id": "apartment.external_id",
    "estateexternal_id": "estate.external_id",
    "apartmentid": "apartment.id",
    "estateid": "estate.id",
    "projectid": "project.id",
    "listingemployeeid": "listing.employee.id",
    "exclude_projects": "exclude_projects",
    "use_root_office": "use_root_office",
    "listingstatus": "listing.status",
}

#: Where a project entry keeps its project, and each project entry resource's kind of entry.
PROJECT = {"project_id": "project"}
ENTRY_KINDS = {"api_v1_projects_freetext": "freetext", "api_v1_projects_timeline": "timeline"}
#: The media the engine lists, changes and deletes in the ``media`` table (HomeQ adds them:
#: ``_add``): each resource's kind of medium.
MEDIA_KINDS = {
    "api_v1_apartment_3d_views": "apartment_3d",
    "api_v1_apartment_pictures": "apartment_picture",
    "api_v1_apartment_videos": "apartment_video",
    "api_v1_estate_area_pictures": "estate_area_picture",
    "api_v1_estate_pictures": "estate_picture",
    "api_v1_projects_3d_views": "project_3d",
    "api_v1_projects_pictures": "project_picture",
    "api_v1_projects_videos": "project_video",
}


def _missing_note(note_id: Any) -> Exception:
    return not_found("Note", note_id)


def _missing_entry(entry_id: Any) -> Exception:
    return not_found("Entry", entry_id)


def _missing_medium(medium_id: Any) -> Exception:
    return not_found("Media file", medium_id)


class HomeQHandlers:
    def __init__(self, state: HomeQState) -> None:
        self.state = state
        self.org = state.organisation
        self.inv = state.inventory
        self.market = state.market
        self.listings = state.listings
        self.search = state.search
        self.projects = state.projects

    # -- what the engine answers (``generic.packaged``) ----------------------------------------------
    #: Apartment and user notes are plain records: the engine lists, creates, changes and deletes
    #: them in HomeQ's own tables (the resources as ``mockserver run --spec specs/homeq.yaml
    #: --explain`` names them), under HomeQ's rules (:meth:`engine_rule`).
    engine_tables: ClassVar[dict[str, Binding]] = {
        "api_v1_apartment_notes": Binding("apartment_notes", {"apartment_id": "apartment"}, _missing_note, ("id",)),
        "api_v1_user_notes": Binding("user_notes", missing=_missing_note, order=("id",)),
        "api_v1_projects_freetext": Binding("project_entries", PROJECT, _missing_entry, ("position", "id")),
        "api_v1_projects_timeline": Binding("project_entries", PROJECT, _missing_entry, ("date", "id")),
        **{
            resource: Binding(
                "media", {f"{kind.split('_')[0]}_id": "parent"}, _missing_medium, ("position", "id"), "show_medium"
            )
            for resource, kind in MEDIA_KINDS.items()
        },
    }

    def engine_rule(self, operation_id: str, arguments: dict[str, Any], resource: str | None) -> Scope | None:
        """The caller needs the operation's rights. A medium or a project's entry needs its parent
        (a published project, or one the caller manages, to list its videos or entries) and is of
        its resource's kind; an apartment's notes need the apartment, in the caller's offices; user
        notes are the caller's company's. A new note is the caller's."""
        if resource is None:
            return None  # answered from the spec (the deprecation endpoint): no rule
        token_info, body = arguments.get("token_info"), arguments.get("body")
        public = operation_id in ("listProjectVideos", "listProjectFreetextEntries", "listProjectTimelineEntries")
        if resource in MEDIA_KINDS or resource in ENTRY_KINDS:
            kind = MEDIA_KINDS.get(resource) or ENTRY_KINDS[resource]
            parent = arguments[f"{kind.split('_')[0]}_id"] if resource in MEDIA_KINDS else arguments["project_id"]
            if public:
                self.projects.public_project(optional_caller(token_info), parent)
            elif resource in MEDIA_KINDS:
                self.inv.parent(self._caller(token_info, operation_id, body), kind, parent)
            else:
                self.projects.project(self._caller(token_info, operation_id, body), parent)
            return Scope({"kind": kind})
        caller = self._caller(token_info, operation_id, body)
        made = {"author": caller.id}
        if resource == "api_v1_apartment_notes":
            self.inv.apartment(caller, arguments["apartment_id"])
            return Scope(created=made)
        mine: dict[str, Any] = {"company": caller.company}
        if "user_profile" in arguments:  # a list names the user whose notes it lists
            mine["user_profile"] = arguments["user_profile"]
        return Scope(mine, created=made)

    def show_medium(self, medium: Body) -> Body:
        """A stored medium as answered (its URL made from its file reference)."""
        return self.inv.views.medium(medium)

    def _caller(self, token_info: Info, operation_id: str, body: Body | None = None, **kwargs: Any) -> Caller:
        caller = self.state.access.authorize(token_info, operation_id, body, **kwargs)
        # What HomeQ's background jobs have done by now (scheduled publishing, closing, removal).
        self.listings.settle()
        return caller

    # authentication (the deprecation endpoint is answered from its spec by the engine)
    async def login(self, body: Body) -> Result:
        return self.state.login(body), 200

    async def verify_token(self, body: Body) -> Result:
        return self.state.verify(body.get("token")), 200

    # agreements
    async def list_agreements(
        self,
        token_info: Info,
        page: int = 1,
        apartment_id: int | None = None,
        signed_after: str | None = None,
        rental_id: int | None = None,
    ) -> Result:
        caller = self._caller(token_info, "listAgreements", consumers=True)
        filters = {"apartment_id": apartment_id, "signed_after": signed_after, "rental_id": rental_id}
        return self.market.list_agreements(caller, page, filters), 200

    async def verify_digital_contract(self, uuid: str | None = None) -> Result:
        return self.market.verify_digital_contract(uuid), 200

    # apartment media
    def _add(self, token_info: Info, op: str, kind: str, parent: int, body: Body) -> Result:
        return self.inv.add_medium(self._caller(token_info, op, body), kind, parent, body), 201

    async def create_apartment_three_d_view(self, token_info: Info, apartment_id: int, body: Body) -> Result:
        return self._add(token_info, "createApartmentThreeDView", "apartment_3d", apartment_id, body)

    async def create_apartment_picture(self, token_info: Info, apartment_id: int, body: Body) -> Result:
        return self._add(token_info, "createApartmentPicture", "apartment_picture", apartment_id, body)

    async def create_apartment_video(self, token_info: Info, apartment_id: int, body: Body) -> Result:
        return self._add(token_info, "createApartmentVideo", "apartment_video", apartment_id, body)

    # apartments
    async def estimate_geolocation(self, token_info: Info, body: Body) -> Result:
        self._caller(token_info, "estimateGeolocation", body)
        return self.inv.geolocate(body), 200

    async def reverse_geolocation(self, token_info: Info, body: Body) -> Result:
        self._caller(token_info, "reverseGeolocation", body)
        return self.inv.reverse_geolocate(body), 200

    async def create_apartment(self, token_info: Info, body: Body) -> Result:
        return self.inv.create_apartment(self._caller(token_info, "createApartment", body), body), 201

    async def get_apartment(self, token_info: Info, id_: int) -> Result:
        return self.inv.get_apartment(self._caller(token_info, "getApartment"), id_), 200

    async def update_apartment(self, token_info: Info, id_: int, body: Body) -> Result:
        return self.inv.update_apartment(self._caller(token_info, "updateApartment", body), id_, body), 200

    async def delete_apartment(self, token_info: Info, id_: int) -> Result:
        self.inv.delete_apartment(self._caller(token_info, "deleteApartment"), id_)
        return None, 204

    # estates
    async def create_estate(self, token_info: Info, body: Body) -> Result:
        # The docs' example asserts 200 for a created estate.
        return self.inv.create_estate(self._caller(token_info, "createEstate", body), body), 200

    async def get_estate(self, id_: int, token_info: Info = None) -> Result:
        return self.inv.get_estate(optional_caller(token_info), id_), 200

    async def update_estate(self, token_info: Info, id_: int, body: Body) -> Result:
        return self.inv.update_estate(self._caller(token_info, "updateEstate", body), id_, body), 200

    async def delete_estate(self, token_info: Info, id_: int) -> Result:
        self.inv.delete_estate(self._caller(token_info, "deleteEstate"), id_)
        return None, 204

    async def create_estate_area_picture(self, token_info: Info, estate_id: int, body: Body) -> Result:
        return self._add(token_info, "createEstateAreaPicture", "estate_area_picture", estate_id, body)

    async def create_estate_picture(self, token_info: Info, estate_id: int, body: Body) -> Result:
        return self._add(token_info, "createEstatePicture", "estate_picture", estate_id, body)

    # existing tenants, static map, inventory
    async def update_existing_tenants(self, token_info: Info, body: Body) -> Result:
        caller = self._caller(token_info, "updateExistingTenants", body)
        return self.org.update_existing_tenants(caller, body["operations"]), 200

    async def get_static_map(
        self, company: int, latitude: float, longitude: float, zoom: int = 8, width: int = 715, height: int = 210
    ) -> Result:
        self.state.maps.hit(company)
        image = self.inv.static_map(latitude, longitude, zoom, width, height)
        return image, 200, {"Content-Type": "image/png"}

    async def list_inventory(self, token_info: Info, amount: int = 10, offset: int = 0, **filters: Any) -> Result:
        caller = self._caller(token_info, "listInventory")
        chosen = {INVENTORY_FILTERS[k]: v for k, v in filters.items() if k in INVENTORY_FILTERS}
        return self.search.inventory(caller, chosen, amount, offset), 200

    # listings and reservations
    async def create_listing(self, token_info: Info, body: Body) -> Result:
        return self.listings.create(self._caller(token_info, "createListing", body), body), 201

    async def get_listing(self, token_info: Info, id_: int) -> Result:
        return self.listings.get(self._caller(token_info, "getListing"), id_), 200

    async def update_listing(self, token_info: Info, id_: int, body: Body) -> Result:
        return self.listings.update(self._caller(token_info, "updateListing", body), id_, body), 200

    async def delete_listing(self, token_info: Info, id_: int) -> Result:
        self.listings.delete(self._caller(token_info, "deleteListing"), id_)
        return None, 204

    async def list_rejection_reasons(self, token_info: Info) -> Result:
        self._caller(token_info, "listRejectionReasons")
        return self.listings.rejection_reasons(), 200

    async def confirm_reservation(self, token_info: Info, object_ad_id: int) -> Result:
        self.listings.confirm(self._caller(token_info, "confirmReservation"), object_ad_id)
        return None, 204

    async def reject_reservation(self, token_info: Info, object_ad_id: int, body: Body) -> Result:
        self.listings.reject(self._caller(token_info, "rejectReservation", body), object_ad_id, body["reason"])
        return None, 204

    # file references
    async def create_file_reference(self, token_info: Info, body: Body) -> Result:
        caller = self._caller(token_info, "createFileReference", body, consumers=True)
        return self.inv.create_file_reference(caller, body)

    # offices
    async def list_offices(self, token_info: Info, mode: str, office_id: int | None = None) -> Result:
        caller = self._caller(token_info, "listOffices", consumers=True)
        return self.org.list_offices(caller, mode, office_id), 200

    async def create_office(self, token_info: Info, body: Body) -> Result:
        return self.org.create_office(self._caller(token_info, "createOffice", body), body), 201

    async def update_office(self, token_info: Info, id_: int, body: Body) -> Result:
        return self.org.update_office(self._caller(token_info, "updateOffice", body), id_, body), 200

    # employees
    async def list_employees(self, token_info: Info) -> Result:
        return self.org.list_employees(self._caller(token_info, "listEmployees")), 200

    async def create_api_user(self, token_info: Info) -> Result:
        return self.org.create_api_user(self._caller(token_info, "createApiUser")), 201

    async def get_employee(self, token_info: Info, employee_id: int) -> Result:
        caller = self._caller(token_info, "getEmployee", target_employee=employee_id)
        return self.org.get_employee(caller, employee_id), 200

    async def update_employee(self, token_info: Info, employee_id: int, body: Body) -> Result:
        caller = self._caller(token_info, "updateEmployee", body, target_employee=employee_id)
        return self.org.update_employee(caller, employee_id, body), 200

    async def delete_employee(self, token_info: Info, employee_id: int) -> Result:
        self.org.delete_employee(self._caller(token_info, "deleteEmployee"), employee_id)
        return None, 204

    # right profiles and rights
    async def list_right_profiles(self, token_info: Info) -> Result:
        return self.org.list_right_profiles(self._caller(token_info, "listRightProfiles")), 200

    async def create_right_profile(self, token_info: Info, body: Body) -> Result:
        return self.org.create_right_profile(self._caller(token_info, "createRightProfile", body), body), 201

    async def update_right_profile(self, token_info: Info, right_profile_id: int, body: Body) -> Result:
        caller = self._caller(token_info, "updateRightProfile", body)
        return self.org.update_right_profile(caller, right_profile_id, body), 200

    async def delete_right_profile(self, token_info: Info, right_profile_id: int) -> Result:
        self.org.delete_right_profile(self._caller(token_info, "deleteRightProfile"), right_profile_id)
        return None, 204

    async def list_rights(self, token_info: Info) -> Result:
        self._caller(token_info, "listRights")
        return self.org.list_rights(), 200

    # company
    async def get_company(self, token_info: Info) -> Result:
        return self.org.company(self._caller(token_info, "getCompany", consumers=True)), 200

    async def update_company(self, token_info: Info, body: Body) -> Result:
        return self.org.update_company(self._caller(token_info, "updateCompany", body), body), 200

    async def reset_environment(self, token_info: Info) -> Result:
        self.org.reset_environment(self._caller(token_info, "resetEnvironment"))
        return None, 204

    # projects
    async def list_projects(self, token_info: Info, external_id: str | None = None) -> Result:
        return self.projects.list_projects(self._caller(token_info, "listProjects"), external_id), 200

    async def create_project(self, token_info: Info, body: Body) -> Result:
        return self.projects.create_project(self._caller(token_info, "createProject", body), body), 201

    async def get_project(self, project_id: int, token_info: Info = None) -> Result:
        return self.projects.get_project(optional_caller(token_info), project_id), 200

    async def update_project(self, token_info: Info, project_id: int, body: Body) -> Result:
        return self.projects.update_project(self._caller(token_info, "updateProject", body), project_id, body), 200

    async def delete_project(self, token_info: Info, project_id: int) -> Result:
        self.projects.delete_project(self._caller(token_info, "deleteProject"), project_id)
        return None, 204

    async def create_project_three_d_view(self, token_info: Info, project_id: int, body: Body) -> Result:
        return self._add(token_info, "createProjectThreeDView", "project_3d", project_id, body)

    async def create_project_picture(self, token_info: Info, project_id: int, body: Body) -> Result:
        return self._add(token_info, "createProjectPicture", "project_picture", project_id, body)

    async def create_project_video(self, token_info: Info, project_id: int, body: Body) -> Result:
        return self._add(token_info, "createProjectVideo", "project_video", project_id, body)

    async def get_project_location(self, project_id: int, token_info: Info = None) -> Result:
        return self.projects.get_location(optional_caller(token_info), project_id), 200

    async def update_project_location(self, token_info: Info, project_id: int, body: Body) -> Result:
        caller = self._caller(token_info, "updateProjectLocation", body)
        return self.projects.update_location(caller, project_id, body), 200

    async def list_project_estates(self, token_info: Info, project_id: int) -> Result:
        return self.projects.list_project_estates(self._caller(token_info, "listProjectEstates"), project_id), 200

    async def add_project_estate(self, token_info: Info, project_id: int, estate_id: int) -> Result:
        self.projects.add_project_estate(self._caller(token_info, "addProjectEstate"), project_id, estate_id)
        return None, 204

    async def remove_project_estate(self, token_info: Info, project_id: int, estate_id: int) -> Result:
        self.projects.remove_project_estate(self._caller(token_info, "removeProjectEstate"), project_id, estate_id)
        return None, 204

    async def get_project_inventory(self, token_info: Info, project_id: int) -> Result:
        return self.projects.project_inventory(self._caller(token_info, "getProjectInventory"), project_id), 200

    # requirement profiles
    async def list_requirement_profiles(self, token_info: Info) -> Result:
        return self.market.list_requirements(self._caller(token_info, "listRequirementProfiles")), 200

    async def create_requirement_profile(self, token_info: Info, body: Body) -> Result:
        caller = self._caller(token_info, "createRequirementProfile", body)
        return self.market.create_requirement(caller, body), 201

    async def get_requirement_profile(self, token_info: Info, id_: int) -> Result:
        return self.market.get_requirement(self._caller(token_info, "getRequirementProfile"), id_), 200

    async def update_requirement_profile(self, token_info: Info, id_: int, body: Body) -> Result:
        caller = self._caller(token_info, "updateRequirementProfile", body)
        return self.market.update_requirement(caller, id_, body), 200

    async def delete_requirement_profile(self, token_info: Info, id_: int) -> Result:
        self.market.delete_requirement(self._caller(token_info, "deleteRequirementProfile"), id_)
        return None, 204

    # card search
    async def search_cards(self, body: Body) -> Result:
        self.listings.settle()
        return self.search.search_cards(body), 200
