"""Thin handlers of ``specs/instruction.yaml``: one method per operationId.

Connexion has already checked the API key (``user`` is the caller's organisation id) and
validated parameters and body against the spec (``caseIndex`` can only be 1); each handler hands
plain values to the service and returns ``(body, status[, headers])``.
"""

from __future__ import annotations

from typing import Any

from .lookups import INTRODUCER, SUPPLIER
from .state import InstructionState

Result = tuple[Any, ...]


class InstructionHandlers:
    def __init__(self, state: InstructionState) -> None:
        self.service = state.service

    async def get_instruction(self, user: str, tmp_reference: str) -> Result:
        return self.service.get(user, tmp_reference), 200

    async def get_instruction_by_introducer_reference(
        self, user: str, reference: str, case_index: int | None = None
    ) -> Result:
        return self.service.get_by_reference(user, INTRODUCER, reference), 200

    async def get_instruction_by_supplier_reference(
        self, user: str, reference: str, case_index: int | None = None
    ) -> Result:
        return self.service.get_by_reference(user, SUPPLIER, reference), 200

    async def get_instruction_file(self, user: str, tmp_reference: str, file_name: str) -> Result:
        content, name = self.service.file(user, tmp_reference, file_name)
        headers = {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{name}"'}
        return content, 200, headers

    async def update_introducer_references(self, user: str, tmp_reference: str, body: dict[str, Any]) -> Result:
        return self.service.update_references(user, INTRODUCER, tmp_reference, body), 200

    async def update_supplier_references(self, user: str, tmp_reference: str, body: dict[str, Any]) -> Result:
        return self.service.update_references(user, SUPPLIER, tmp_reference, body), 200
