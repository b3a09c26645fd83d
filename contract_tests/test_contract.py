"""Every API's mock against its own spec: examples, coverage, fuzzing and stateful phases.

One Schemathesis test over the operations of every API in the registry, and one stateful run per API
whose scenarios each start from that API's seeded state. Each API's settings and exceptions are its
project in ``schemathesis.toml``.
"""

from __future__ import annotations

import struct

import pytest
import schemathesis
from hypothesis import strategies as st

from contract_tests.conftest import SERVER, load_schema
from mockserver.apis import APIS
from mockserver.engine.pdf import render as build_pdf


def tiny_tiff() -> bytes:
    """A 1x1 bilevel TIFF: the header, one IFD of eight entries and one byte of pixel data."""
    entries = [(256, 3, 1), (257, 3, 1), (258, 3, 1), (259, 3, 1), (262, 3, 0), (273, 4, 110), (278, 3, 1)]
    entries.append((279, 4, 1))
    ifd = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00"


# Schemathesis brings files for the image types it knows; the consumer portal's upload also takes these two.
schemathesis.openapi.media_type(
    "application/pdf", st.builds(build_pdf, st.text(max_size=30), st.lists(st.text(max_size=40), max_size=3))
)
schemathesis.openapi.media_type("image/tiff", st.just(tiny_tiff()))

SCHEMAS = {api: load_schema(api) for api in APIS}


@schemathesis.pytest.parametrize(**SCHEMAS)
def test_operations(case: schemathesis.Case) -> None:
    case.call_and_validate()


def workflow(api: str) -> type[schemathesis.stateful.APIStateMachine]:
    """The API's state machine: Schemathesis' stateful phase, from the seeded state every time."""

    class Workflow(SCHEMAS[api].as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the seeded state, so that Hypothesis can replay it exactly.
            SERVER.runtime.reset(api)

    Workflow.__name__ = Workflow.__qualname__ = f"{api}Workflow"
    return Workflow


WORKFLOWS = {api: workflow(api) for api in APIS}


@pytest.mark.parametrize("api", list(WORKFLOWS))
def test_workflow(api: str) -> None:
    # Through the machine's own TestCase: the settings and failure reports of a collected one.
    WORKFLOWS[api].TestCase().runTest()
