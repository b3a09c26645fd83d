"""Thin handlers of ``specs/portal.yaml``: one method per operationId.

Connexion has already checked the token (``user`` is the customer id) and validated parameters and
body against the spec; each handler hands plain values to the service and returns
``(body, status)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from mockserver.engine.problems import NotFound
from mockserver.generic.model import OWNER, Binding, Scope

from .service import flag
from .state import PortalState

Result = tuple[Any, int]


#: Where a customer's own records keep their owner (the engine's ``model.OWNER``).
OWNED = {OWNER: "customerId"}


def _missing(label: str) -> Callable[[Any], Exception]:
    return lambda key: NotFound(f"{label} {key} does not exist.")


class PortalHandlers:
    #: The customer's applications and application forms are read, and the applications listed, by
    #: the engine from the portal's own tables (resources as ``mockserver run --spec
    #: specs/portal.yaml --explain`` names them), shown as the portal shows them.
    engine_tables: ClassVar[dict[str, Binding]] = {
        "profile_applications": Binding(
            "applications", OWNED, _missing("Application"), ("id",), "show_application", "list_application"
        ),
        "profile_assessment": Binding("forms", OWNED, _missing("Application form"), ("id",), "show_form"),
    }

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.service = state.service

    def engine_rule(self, operation_id: str, arguments: dict[str, Any], resource: str | None) -> Scope | None:
        """The applications listed are the archived ones or the others when ``archived`` says."""
        archived = flag(arguments.get("archived")) if operation_id == "listApplications" else None
        return Scope({"isArchived": archived}) if archived is not None else None

    def show_application(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.service.views.application(record, self.service.clock.stamp(), customer=True)

    def list_application(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.service.views.application(record, self.service.clock.stamp())

    def show_form(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.service.views.form(record, self.service.clock.stamp())

    # profile
    async def get_profile(self, user: int) -> Result:
        return self.service.get_profile(user), 200

    async def update_profile(self, user: int, body: dict[str, Any]) -> Result:
        return self.service.update_profile(user, body), 200

    async def change_password(self, user: int, body: dict[str, Any]) -> Result:
        return self.service.change_password(user, body), 200

    async def change_email(self, user: int, body: dict[str, Any]) -> Result:
        return self.service.change_email(user, body), 200

    # favourites
    async def check_favourite(self, user: int, listing_id: int) -> Result:
        return None, 200 if self.service.is_favourite(user, listing_id) else 404

    async def add_favourite(self, user: int, body: dict[str, Any]) -> Result:
        self.service.add_favourite(user, body["listing"])
        return None, 201

    async def list_favourites(self, user: int) -> Result:
        return self.service.list_favourites(user), 200

    async def remove_favourite(self, user: int, listing_id: int) -> Result:
        self.service.remove_favourite(user, listing_id)
        return None, 204

    # applications
    async def update_application(
        self, user: int, application_id: int, body: dict[str, Any], validate_eligibility: str | None = None
    ) -> Result:
        return self.service.update_application(user, application_id, body, validate_eligibility), 200

    async def archive_application(self, user: int, application_id: int) -> Result:
        return self.service.archive_application(user, application_id), 200

    # appointments
    async def list_available_appointments(self, user: int, application_id: int) -> Result:
        return self.service.available_appointments(user, application_id), 200

    async def book_appointment(self, user: int, application_id: int, body: dict[str, Any]) -> Result:
        return self.service.book_appointment(user, application_id, body), 201

    async def list_application_appointments(self, user: int, application_id: int) -> Result:
        return self.service.application_appointments(user, application_id), 200

    async def list_appointments(self, user: int, upcoming: str | None = None) -> Result:
        return self.service.list_appointments(user, upcoming), 200

    async def change_appointment_slot(self, user: int, appointment_id: int, body: dict[str, Any]) -> Result:
        return self.service.change_slot(user, appointment_id, body), 200

    async def cancel_appointment(self, user: int, appointment_id: int) -> Result:
        return self.service.cancel_appointment(user, appointment_id), 200

    # application forms
    async def start_assessment(self, user: int, body: dict[str, Any]) -> Result:
        return self.service.start_form(user, body), 201

    async def edit_assessment(self, user: int, assessment_id: int, body: dict[str, Any]) -> Result:
        return self.service.edit_form(user, assessment_id, body), 200

    async def submit_assessment(self, user: int, body: dict[str, Any]) -> Result:
        return self.service.submit_form(user, body), 201

    async def submit_public_assessment(self, body: dict[str, Any]) -> Result:
        return self.service.submit_public_form(body, self.state.new_token), 201

    async def list_assessments(self, user: int) -> Result:
        return self.service.list_forms(user), 200

    async def list_draft_assessments(self, user: int) -> Result:
        return self.service.list_forms(user, "draft"), 200

    async def list_submitted_assessments(self, user: int) -> Result:
        return self.service.list_forms(user, "submitted"), 200
