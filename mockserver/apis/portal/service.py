"""The portal's operations on its store: every documented rule, no HTTP.

Each public method is one thing a customer can do; it takes plain values, holds the store lock
while it reads and changes records, and returns the API shape or raises a catalogue problem.
"""

from __future__ import annotations

from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Conflict, Forbidden, NotFound, field_error, validation_failed
from mockserver.engine.store import Store

from . import rules
from .views import Views, profile

Body = dict[str, Any]


def flag(value: str | None) -> bool | None:
    """The documented boolean query values: 1/true and 0/false; absent is None."""
    if value is None:
        return None
    return value.lower() in ("1", "true")


class PortalService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store)

    # -- helpers ---------------------------------------------------------------------------------
    def _customer(self, customer_id: int, *, read_only: bool = False) -> dict[str, Any]:
        """The customer's record: a copy, or with ``read_only`` the stored row (for views)."""
        customer = self.store.customers.peek(customer_id) if read_only else self.store.customers.get(customer_id)
        if customer is None:  # the token outlived its customer (e.g. after a reset)
            raise NotFound("The customer of this token no longer exists.")
        return customer

    def _listing(self, listing_id: int) -> dict[str, Any]:
        listing = self.store.listings.get(listing_id)
        if listing is None:
            raise NotFound(f"Listing {listing_id} does not exist.")
        return listing

    def _own(self, table: str, record_id: int, customer_id: int, label: str) -> dict[str, Any]:
        record: dict[str, Any] | None = getattr(self.store, table).get(record_id)
        if record is None or record["customerId"] != customer_id:
            raise NotFound(f"{label} {record_id} does not exist.")
        return record

    def _update_profile(self, customer: dict[str, Any], body: Body) -> dict[str, Any]:
        changes = rules.profile_changes(body)
        blank = [n for n in rules.REQUIRED_IF_PRESENT if n in changes and not changes[n]]
        if blank:
            raise validation_failed([field_error(n, "Required if present: may not be null or empty.") for n in blank])
        # UTM parameters are kept only on the first update of a passwordless registration.
        if customer.get("passwordless") and rules.utm_is_empty(customer.get("utm")):
            utm = rules.utm_values(body)
            if utm:
                changes["utm"] = utm
        changes["passwordless"] = False
        changes["updatedAt"] = self.clock.stamp()
        return self.store.customers.update(customer["id"], changes)

    # -- profile ---------------------------------------------------------------------------------
    def get_profile(self, customer_id: int) -> Body:
        return profile(self._customer(customer_id, read_only=True))

    def update_profile(self, customer_id: int, body: Body) -> Body:
        with self.store.lock:
            return profile(self._update_profile(self._customer(customer_id), body))

    def change_password(self, customer_id: int, body: Body) -> Body:
        with self.store.lock:
            customer = self._customer(customer_id)
            if customer.get("password") is None or body["currentPassword"] != customer["password"]:
                raise Forbidden("The current password is not correct.")
            self.store.customers.change(customer_id, {"password": body["newPassword"], "updatedAt": self.clock.stamp()})
        return {"message": "The password has been changed."}

    def change_email(self, customer_id: int, body: Body) -> Body:
        with self.store.lock:
            customer = self._customer(customer_id)
            if body["currentEmail"].lower() != customer["email"].lower():
                raise Forbidden("The current e-mail address is not correct.")
            if customer.get("password") is None or body["password"] != customer["password"]:
                raise Forbidden("The password is not correct.")
            new = body["newEmail"]
            taken = self.store.customers.first(lambda c: c["email"].lower() == new.lower() and c["id"] != customer_id)
            if taken is not None:
                raise Conflict(f"The e-mail address {new} is already used by another customer.")
            self.store.customers.change(customer_id, {"email": new, "updatedAt": self.clock.stamp()})
        return {"message": "The e-mail address has been changed."}

    # -- favourites ------------------------------------------------------------------------------
    def _favourite(self, customer_id: int, listing_id: int) -> dict[str, Any] | None:
        return self.store.favourites.find_one(customerId=customer_id, listingId=listing_id)

    def is_favourite(self, customer_id: int, listing_id: int) -> bool:
        return self._favourite(customer_id, listing_id) is not None

    def add_favourite(self, customer_id: int, listing_id: int) -> None:
        with self.store.lock:
            self._customer(customer_id)
            self._listing(listing_id)
            if self._favourite(customer_id, listing_id) is None:
                self.store.favourites.insert(
                    {"customerId": customer_id, "listingId": listing_id, "createdAt": self.clock.stamp()}
                )

    def list_favourites(self, customer_id: int) -> Body:
        today = self.clock.stamp()[:10]
        favourites = sorted(self.store.favourites.values(("id", "listingId"), customerId=customer_id))
        listings = [self.store.listings.peek(listing_id) for _, listing_id in favourites]
        return {"data": [self.views.listing(lst, today) for lst in listings if lst is not None]}

    def remove_favourite(self, customer_id: int, listing_id: int) -> None:
        with self.store.lock:
            favourite = self._favourite(customer_id, listing_id)
            if favourite is None:
                raise NotFound(f"Listing {listing_id} is not in your favourites.")
            self.store.favourites.delete(favourite["id"])

    # -- applications ----------------------------------------------------------------------------
    def update_application(
        self, customer_id: int, application_id: int, body: Body, validate_eligibility: str | None
    ) -> Body:
        with self.store.lock:
            record = self._own("applications", application_id, customer_id, "Application")
            if record["isArchived"]:
                raise Conflict(f"Application {application_id} is archived and cannot be updated.")
            if flag(validate_eligibility):
                missing = rules.missing_eligibility_fields(body)
                if missing:
                    raise validation_failed(missing)
            customer = self._update_profile(self._customer(customer_id), body)
            listing = self._listing(record["listingId"])
            changes: Body = {
                "eligibilityStatus": rules.assess_eligibility(customer, listing),
                "updatedAt": self.clock.stamp(),
            }
            if "additionalInfo" in body:
                changes["additionalInfo"] = body["additionalInfo"] or None
            utm = rules.utm_values(body)
            if utm and rules.utm_is_empty(record.get("utm")):
                changes["utm"] = utm
            record = self.store.applications.update(application_id, changes)
            return self.views.application(record, self.clock.stamp(), customer=True)

    def archive_application(self, customer_id: int, application_id: int) -> Body:
        with self.store.lock:
            record = self._own("applications", application_id, customer_id, "Application")
            now = self.clock.stamp()
            if not record["isArchived"]:
                for appointment in self._upcoming_confirmed(application_id, now):
                    self.store.appointments.change(appointment["id"], {"status": "cancelled", "updatedAt": now})
                record = self.store.applications.update(application_id, {"isArchived": True, "updatedAt": now})
            return self.views.application(record, now)

    # -- appointments ----------------------------------------------------------------------------
    def _upcoming_confirmed(self, application_id: int, now: str) -> list[dict[str, Any]]:
        return [
            a
            for a in self.store.appointments.find(applicationId=application_id, status="confirmed")
            if a["dateTime"] > now
        ]

    def _booked(self, slot_id: int) -> int:
        return self.store.appointments.count(slotId=slot_id, status="confirmed")

    def _open_slots(self, application: dict[str, Any], now: str) -> list[dict[str, Any]]:
        """Open-day slots of the application's listing that are still ahead and not full."""
        if application["isArchived"]:
            return []
        slots = self.store.slots.find(listingId=application["listingId"])
        ahead = [s for s in slots if f"{s['date']}T{s['slotTime']}:00Z" > now]
        return sorted(
            (s for s in ahead if self._booked(s["id"]) < s["capacity"]),
            key=lambda s: (s["date"], s["slotTime"], s["id"]),
        )

    def available_appointments(self, customer_id: int, application_id: int) -> Body:
        application = self._own("applications", application_id, customer_id, "Application")
        days: dict[str, list[dict[str, Any]]] = {}
        for slot in self._open_slots(application, self.clock.stamp()):
            days.setdefault(slot["date"], []).append(
                {"id": slot["id"], "slotTime": slot["slotTime"], "slotDurationMin": slot["slotDurationMin"]}
            )
        return {"data": [{"date": day, "slots": slots} for day, slots in days.items()]}

    def _pick_slot(
        self, application: dict[str, Any], slot_id: int, now: str, keep: int | None = None
    ) -> dict[str, Any]:
        slot = self.store.slots.get(slot_id)
        ahead = slot is not None and f"{slot['date']}T{slot['slotTime']}:00Z" > now
        if slot is None or slot["listingId"] != application["listingId"] or not ahead:
            raise NotFound(
                f"Slot {slot_id} is not among the available appointments of application {application['id']}."
            )
        if slot_id != keep and self._booked(slot_id) >= slot["capacity"]:
            raise Conflict(f"Slot {slot_id} is fully booked; pick another one.")
        return slot

    def book_appointment(self, customer_id: int, application_id: int, body: Body) -> Body:
        with self.store.lock:
            application = self._own("applications", application_id, customer_id, "Application")
            now = self.clock.stamp()
            if application["isArchived"]:
                raise Conflict(f"Application {application_id} is archived; appointments cannot be booked.")
            if self._upcoming_confirmed(application_id, now):
                raise Conflict(
                    "This application already has an upcoming confirmed appointment: change or cancel it first."
                )
            slot = self._pick_slot(application, body["slot"], now)
            record = self.store.appointments.insert(
                {
                    "applicationId": application_id,
                    "customerId": customer_id,
                    "slotId": slot["id"],
                    "type": "open-day",
                    "dateTime": f"{slot['date']}T{slot['slotTime']}:00Z",
                    "durationMin": slot["slotDurationMin"],
                    "status": "confirmed",
                    "remarks": body.get("remarks") or None,
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
            self.store.applications.change(application_id, {"updatedAt": now})
            return self.views.appointment(record)

    def application_appointments(self, customer_id: int, application_id: int) -> Body:
        self._own("applications", application_id, customer_id, "Application")
        records = self.store.appointments.find(applicationId=application_id)
        return {"data": [self.views.appointment(a) for a in sorted(records, key=lambda a: (a["dateTime"], a["id"]))]}

    def list_appointments(self, customer_id: int, upcoming: str | None) -> Body:
        wanted = flag(upcoming)
        now = self.clock.stamp()

        def keep(a: dict[str, Any]) -> bool:
            if wanted is None:
                return True
            return bool(a["status"] == "confirmed" and (a["dateTime"] > now) == wanted)

        mine = self.store.appointments.find(customerId=customer_id)
        records = sorted(filter(keep, mine), key=lambda a: (a["dateTime"], a["id"]))
        data = []
        for record in records:
            application = self.store.applications.get(record["applicationId"])
            assert application is not None
            data.append({**self.views.appointment(record), "application": self.views.application(application, now)})
        return {"data": data}

    def _changeable(self, customer_id: int, appointment_id: int, now: str) -> dict[str, Any]:
        record = self._own("appointments", appointment_id, customer_id, "Appointment")
        if record["status"] == "cancelled":
            raise Conflict(f"Appointment {appointment_id} is cancelled; book a new one instead.")
        if record["dateTime"] <= now:
            raise Conflict(f"Appointment {appointment_id} is in the past.")
        return record

    def change_slot(self, customer_id: int, appointment_id: int, body: Body) -> Body:
        with self.store.lock:
            now = self.clock.stamp()
            record = self._changeable(customer_id, appointment_id, now)
            application = self.store.applications.get(record["applicationId"])
            assert application is not None
            if application["isArchived"]:
                raise Conflict(f"Application {application['id']} is archived.")
            slot = self._pick_slot(application, body["slot"], now, keep=record.get("slotId"))
            changes: Body = {
                "slotId": slot["id"],
                "type": "open-day",
                "dateTime": f"{slot['date']}T{slot['slotTime']}:00Z",
                "durationMin": slot["slotDurationMin"],
                "updatedAt": now,
            }
            if "remarks" in body:
                changes["remarks"] = body["remarks"] or None
            return self.views.appointment(self.store.appointments.update(appointment_id, changes))

    def cancel_appointment(self, customer_id: int, appointment_id: int) -> Body:
        with self.store.lock:
            now = self.clock.stamp()
            self._changeable(customer_id, appointment_id, now)
            return self.views.appointment(
                self.store.appointments.update(appointment_id, {"status": "cancelled", "updatedAt": now})
            )

    # -- application forms -----------------------------------------------------------------------
    def _form_target(self, body: Body) -> tuple[dict[str, Any], int | None]:
        listing = self._listing(body["listingId"])
        property_id = body.get("propertyId")
        if property_id is not None:
            plot = self.store.properties.get(property_id)
            if plot is None or plot["listingId"] != listing["id"]:
                raise NotFound(f"Property {property_id} is not part of listing {listing['id']}.")
        return listing, property_id

    @staticmethod
    def _fields(body: Body, property_id: int | None) -> Body:
        return {"listingId": body["listingId"], "propertyId": property_id, "applicants": body["applicants"]}

    def start_form(self, customer_id: int, body: Body) -> Body:
        with self.store.lock:
            self._customer(customer_id)
            listing, property_id = self._form_target(body)
            now = self.clock.stamp()
            record = self.store.forms.insert(
                {
                    "customerId": customer_id,
                    "listingId": listing["id"],
                    "propertyId": property_id,
                    "applicationId": None,
                    "status": "draft",
                    "formFields": self._fields(body, property_id),
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
            return self.views.form(record, now)

    def edit_form(self, customer_id: int, form_id: int, body: Body) -> Body:
        with self.store.lock:
            record = self._own("forms", form_id, customer_id, "Application form")
            if record["status"] != "draft":
                raise Conflict(f"Application form {form_id} has been submitted and can no longer be edited.")
            listing, property_id = self._form_target(body)
            now = self.clock.stamp()
            record = self.store.forms.update(
                form_id,
                {
                    "listingId": listing["id"],
                    "propertyId": property_id,
                    "formFields": self._fields(body, property_id),
                    "updatedAt": now,
                },
            )
            return self.views.form(record, now)

    def _check_complete(self, body: Body) -> None:
        errors = rules.applicant_errors(body["applicants"], self.clock.today())
        if errors:
            raise validation_failed(errors)

    def _lead(self, customer: dict[str, Any], listing: dict[str, Any], property_id: int | None, now: str) -> int:
        """The customer's active application for the listing, registered now if there is none."""
        existing = self.store.applications.find_one(
            customerId=customer["id"], listingId=listing["id"], isArchived=False
        )
        if existing is not None:
            return int(existing["id"])
        created = self.store.applications.insert(
            {
                "customerId": customer["id"],
                "listingId": listing["id"],
                "propertyId": property_id,
                "additionalInfo": None,
                "eligibilityStatus": rules.assess_eligibility(customer, listing),
                "isArchived": False,
                "decision": None,
                "utm": None,
                "createdAt": now,
                "updatedAt": now,
            }
        )
        return int(created["id"])

    def _ensure_room(self, *tables: str) -> None:
        """A submission may create a row in each of ``tables``: a full one refuses it before any
        changes, never half way."""
        for table in tables:
            getattr(self.store, table).ensure_room()

    def submit_form(self, customer_id: int, body: Body) -> Body:
        with self.store.lock:
            customer = self._customer(customer_id)
            listing, property_id = self._form_target(body)
            self._check_complete(body)
            self._ensure_room("applications", "forms")
            now = self.clock.stamp()
            draft: dict[str, Any] | None
            if body.get("id") is not None:
                draft = self._own("forms", body["id"], customer_id, "Application form")
                if draft["status"] != "draft":
                    raise Conflict(f"Application form {draft['id']} has already been submitted.")
            else:
                drafts = self.store.forms.find(customerId=customer_id, status="draft", listingId=listing["id"])
                draft = max(drafts, key=lambda f: f["id"]) if drafts else None
            values = {
                "listingId": listing["id"],
                "propertyId": property_id,
                "status": "submitted",
                "applicationId": self._lead(customer, listing, property_id, now),
                "formFields": self._fields(body, property_id),
                "updatedAt": now,
            }
            if draft is not None:
                record = self.store.forms.update(draft["id"], values)
            else:
                record = self.store.forms.insert({"customerId": customer_id, "createdAt": now, **values})
            return self.views.form(record, now)

    def submit_public_form(self, body: Body, new_token: Any) -> Body:
        """A logged-out submission: attached to the customer with the main applicant's e-mail."""
        with self.store.lock:
            listing, property_id = self._form_target(body)
            self._check_complete(body)
            self._ensure_room("customers", "applications", "forms")
            now = self.clock.stamp()
            email = body["applicants"][0]["email"]
            customer = self.store.customers.first(lambda c: c["email"].lower() == email.lower())
            if customer is None:
                cid = self.store.customers.next_id()
                customer = self.store.customers.insert(
                    {
                        **rules.PROFILE_DEFAULTS,
                        "id": cid,
                        "email": email,
                        "password": None,
                        "token": new_token(cid),
                        "passwordless": True,
                        "utm": None,
                        "createdAt": now,
                        "updatedAt": now,
                    }
                )
            record = self.store.forms.insert(
                {
                    "customerId": customer["id"],
                    "listingId": listing["id"],
                    "propertyId": property_id,
                    "status": "submitted",
                    "applicationId": self._lead(customer, listing, property_id, now),
                    "formFields": self._fields(body, property_id),
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
            return self.views.form(record, now)

    def list_forms(self, customer_id: int, status: str | None = None) -> Body:
        now = self.clock.stamp()
        records = self.store.forms.find(customerId=customer_id, **({"status": status} if status is not None else {}))
        return {"data": [self.views.form(f, now) for f in sorted(records, key=lambda f: f["id"])]}
