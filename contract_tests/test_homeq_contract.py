"""The HomeQ mock against its own spec: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

from contract_tests.conftest import SERVER, load_schema

schema = load_schema("homeq")


@schema.parametrize()
def test_homeq_operations(case):  # type: ignore[no-untyped-def]
    case.call_and_validate()


class HomeQWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Every scenario starts from the seeded state, so that Hypothesis can replay it exactly.
        SERVER.runtime.reset("homeq")


TestHomeQWorkflow = HomeQWorkflow.TestCase
