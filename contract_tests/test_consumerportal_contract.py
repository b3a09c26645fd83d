"""The consumer portal mock against its own spec: examples, coverage, fuzzing and stateful phases."""

from __future__ import annotations

import struct

import schemathesis
from hypothesis import strategies as st

from contract_tests.conftest import SERVER, load_schema
from mockserver.pdf import render as build_pdf


def tiny_tiff() -> bytes:
    """A 1x1 bilevel TIFF: the header, one IFD of eight entries and one byte of pixel data."""
    entries = [(256, 3, 1), (257, 3, 1), (258, 3, 1), (259, 3, 1), (262, 3, 0), (273, 4, 110), (278, 3, 1)]
    entries.append((279, 4, 1))
    ifd = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00"


# Schemathesis brings files for the image types it knows; the upload also takes these two.
schemathesis.openapi.media_type(
    "application/pdf", st.builds(build_pdf, st.text(max_size=30), st.lists(st.text(max_size=40), max_size=3))
)
schemathesis.openapi.media_type("image/tiff", st.just(tiny_tiff()))

schema = load_schema("consumerportal")


@schema.parametrize()
def test_consumerportal_operations(case):  # type: ignore[no-untyped-def]
    case.call_and_validate()


class ConsumerPortalWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Every scenario starts from the seeded state, so that Hypothesis can replay it exactly.
        SERVER.runtime.reset("consumerportal")


TestConsumerPortalWorkflow = ConsumerPortalWorkflow.TestCase
