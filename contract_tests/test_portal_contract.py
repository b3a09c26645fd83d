"""The portal mock against its own spec: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

from contract_tests.conftest import load_schema

schema = load_schema("portal")


@schema.parametrize()
def test_portal_operations(case):  # type: ignore[no-untyped-def]
    case.call_and_validate()


PortalWorkflow = schema.as_state_machine()
TestPortalWorkflow = PortalWorkflow.TestCase
