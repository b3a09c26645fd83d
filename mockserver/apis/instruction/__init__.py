"""The instruction service for introducers and suppliers (``specs/instruction.yaml``, ``/instruction``)."""

from __future__ import annotations

from mockserver.engine.registry import SPECS_DIR, ApiDefinition
from mockserver.generic.packaged import on_engine

from .handlers import InstructionHandlers
from .state import InstructionState

API = on_engine(
    ApiDefinition(
        name="instruction",
        spec_file=SPECS_DIR / "instruction.yaml",
        build_state=InstructionState,
        build_handlers=InstructionHandlers,
        credential_checks=lambda state: {"apiKey": state.authenticate},
        auth_challenge='ApiKey realm="instruction", header="X-Api-Key"',
    )
)
