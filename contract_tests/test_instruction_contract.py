"""The instruction service mock against its own spec: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

from contract_tests.conftest import SERVER, load_schema

schema = load_schema("instruction")


@schema.parametrize()
def test_instruction_operations(case):  # type: ignore[no-untyped-def]
    case.call_and_validate()


class InstructionWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Every scenario starts from the seeded state, so that Hypothesis can replay it exactly.
        SERVER.runtime.reset("instruction")


TestInstructionWorkflow = InstructionWorkflow.TestCase
