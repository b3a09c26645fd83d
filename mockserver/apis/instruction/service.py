"""The instruction service's operations on its store: every documented rule, no HTTP.

Each public method is one thing an organisation can do; it takes the caller's organisation id and
plain values, holds the store lock while it reads and changes cases, and returns the API shape
(as the caller's role sees it) or raises a catalogue problem.
"""

from __future__ import annotations

from typing import Any

from mockserver.engine import pdf
from mockserver.engine.clock import Clock
from mockserver.engine.problems import Conflict, Forbidden, NotFound, field_error
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from . import rules
from .data import KEY
from .lookups import PRODUCTS
from .referenceindex import ReferenceIndex
from .views import Views, customer_names

Record = dict[str, Any]
#: What a case's view is built from: the case's row, the organisations (the caller's role, the
#: names of the others), and the clock's second (its milestones' and operations' now).
CASE_READS = Reads(row="instructions", tables=("organisations",), clock=True)


class InstructionService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.views = Views(store)
        self._views: ViewCache[Record] = ViewCache(store, clock, CASE_READS, size=256)
        self.references = ReferenceIndex(store)

    # -- helpers ---------------------------------------------------------------------------------
    # The records these return are the stored rows, not copies: callers only read them, holding
    # the store lock, and views copy what they hand out.
    def _organisation(self, organisation_id: str) -> Record:
        organisation = self.store.organisations.peek(organisation_id)
        if organisation is None:  # the key outlived its organisation (e.g. after a reset)
            raise NotFound("The organisation of this API key no longer exists.")
        return organisation

    def _require_role(self, organisation: Record, role: str, what: str) -> None:
        if organisation["role"] != role:
            raise Forbidden(f"Only {role}s can {what}; this API key belongs to a {organisation['role']}.")

    def _visible(self, organisation: Record, tmp_reference: str) -> Record:
        record = self.store.instructions.peek(tmp_reference.upper())
        if record is None or not rules.can_see(record, organisation):
            # The docs: "404 Not Found if the instruction does not exist or you do not have access to it."
            raise NotFound(f"Instruction {tmp_reference} does not exist or you do not have access to it.")
        return record

    def _view(self, record: Record, organisation: Record) -> Record:
        """The case as ``organisation`` sees it, built again only after a change in what it reads
        (:data:`CASE_READS`; a shared view: callers must not change it)."""
        key = (record[KEY], organisation["id"])
        return self._views.get(key, lambda: self._build_view(*key))

    def _build_view(self, case: str, organisation_id: str) -> Record:
        record = self.store.instructions.peek(case)
        organisation = self.store.organisations.peek(organisation_id)
        assert record is not None
        assert organisation is not None
        return self.views.instruction(record, organisation, self.clock.now())

    def _with_reference(
        self, organisation: Record, role: str, value: str, other_than: str | None = None
    ) -> Record | None:
        """The organisation's case (but ``other_than``) that has ``value`` as one of its ``role`` references."""
        return self.references.find(role, value, lambda r: rules.can_see(r, organisation), other_than)

    def _by_reference(self, organisation: Record, reference: str) -> Record:
        role = organisation["role"]
        found = self._with_reference(organisation, role, reference)
        if found is None:
            raise NotFound(f"No instruction of yours has the {role} reference {reference!r}.")
        return found

    # -- look-ups --------------------------------------------------------------------------------
    def get(self, organisation_id: str, tmp_reference: str) -> Record:
        with self.store.lock:
            organisation = self._organisation(organisation_id)
            return self._view(self._visible(organisation, tmp_reference), organisation)

    def get_by_reference(self, organisation_id: str, role: str, reference: str) -> Record:
        """By the caller's own customer or integration reference; only its own role's references."""
        with self.store.lock:
            organisation = self._organisation(organisation_id)
            self._require_role(organisation, role, f"look instructions up by {role} reference")
            return self._view(self._by_reference(organisation, reference), organisation)

    # -- references ------------------------------------------------------------------------------
    def update_references(self, organisation_id: str, role: str, tmp_reference: str, body: Record) -> Record:
        with self.store.lock:
            organisation = self._organisation(organisation_id)
            self._require_role(organisation, role, f"set {role} references")
            record = self._visible(organisation, tmp_reference)
            if record.get("readOnly"):
                raise Conflict(f"Instruction {record['tmpReference']} is read only: its references cannot be updated.")
            wanted = rules.requested_references(body)
            errors = []
            for kind, value in wanted.items():
                clash = self._reference_owner(organisation, role, value, record["tmpReference"])
                if clash is not None:
                    errors.append(
                        field_error(
                            rules.REFERENCE_FIELDS[kind],
                            f"{value!r} is already a reference of instruction {clash}; references must be unique.",
                        )
                    )
            if errors:
                raise Conflict(errors[0]["message"], errors=errors)
            self.store.instructions.change(record["tmpReference"], {f"{role}References": wanted})
            return self._view(record, organisation)  # the stored row, changed in place

    def _reference_owner(self, organisation: Record, role: str, value: str | None, own: str) -> str | None:
        """The other case of this organisation that already uses ``value`` as a reference, if any."""
        if value is None:
            return None
        clash = self._with_reference(organisation, role, value, other_than=own)
        return str(clash["tmpReference"]) if clash else None

    # -- files -----------------------------------------------------------------------------------
    def file(self, organisation_id: str, tmp_reference: str, file_name: str) -> tuple[bytes, str]:
        """The file's bytes and name. Names are looked up among the case's files, never on a disk."""
        with self.store.lock:
            organisation = self._organisation(organisation_id)
            record = self._visible(organisation, tmp_reference)
            listed = None
            if rules.is_plain_file_name(file_name):
                listed = next((f for f in record["files"] if f["fileReference"] == file_name), None)
            if listed is None:
                raise NotFound(f"Instruction {record['tmpReference']} has no file named {file_name!r}.")
            if not rules.can_view_reports(record, organisation["role"]):
                raise NotFound(
                    f"The files of instruction {record['tmpReference']} are not available to you "
                    "(configuration.CanViewReport is false)."
                )
            title, lines = self._report(record, listed)
            name = str(listed["fileReference"])
        # Rendered outside the lock: the lines are plain strings read from the rows.
        return pdf.render(title, lines, subject=name), name

    def _report(self, record: Record, listed: Record) -> tuple[str, list[str]]:
        """The title and lines of the report PDF of ``listed``."""
        prop = record["property"]
        supplier = self.store.organisations.peek(record.get("supplierId") or "")
        lines = [
            f"TMP reference: {record['tmpReference']}",
            f"Product: {PRODUCTS[record['productCode']]['description']} ({record['productCode']})",
            f"Customer(s): {customer_names(record['customers'])}",
            f"Property: {prop['propertyAddressDescription']}",
            f"Property type: {prop['propertyTypeDescription']}, {prop['propertyAgeDescription']}",
            f"Value or purchase price: £{prop['propertyValueOrPurchasePrice']:,.2f}",
            f"Surveyor: {supplier['name'] if supplier else 'not allocated'}",
            f"Inspection: {record['timestamps'].get('APPOINTMENT', 'not booked')}",
            f"Report uploaded: {listed['createdTimestamp']}",
            "",
            "This report was generated by the mock instruction service for testing.",
        ]
        return f"Survey report {record['tmpReference']}", lines
