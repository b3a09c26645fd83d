"""A request body is read by orjson where it can be (``web.validation.strict_json``) and by the
standard library otherwise: both must give the same value, of the same types, or the same 400
(``stdlib_json`` is the reference: the parser the server used before)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.engine.problems import BadRequest
from mockserver.web.validation import stdlib_json, strict_json


def outcome(read: Any, raw: bytes, encoding: str = "utf-8") -> tuple[str, Any]:
    try:
        return "value", typed(read(raw, encoding))
    except BadRequest as exc:
        return "400", exc.detail


def typed(value: Any) -> Any:
    """The value with each scalar's type beside it (``1 == 1.0 == True`` must not pass)."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


TRICKY = [
    b"",
    b"   \r\n\t",
    "\u00a0".encode(),
    b"null",
    b"{}",
    b'{"a": 1, "b": 2, "a": 3}',
    b"1e400",
    b"-1e400",
    b"1E400",
    b"1e-400",
    b"0e999999",
    b"NaN",
    b"-Infinity",
    b"Infinity",
    b"1.7976931348623157e308",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"123456789012345678901234567890",
    b'{"n": -123456789012345678901234567890}',
    b"12345678901234567890.5",
    b"-0",
    b"-0.0",
    b"1.0",
    b"1e2",
    b"01",
    b"1.",
    b".5",
    b'"\t"',
    b'"\\u0000"',
    b'"\\ud800"',
    b'"\\udc00"',
    b'"\\ud800\\u0041"',
    b'"\\ud83d\\ude00"',
    b'{"\\ud800": 1}',
    b'"\xed\xa0\x80"',
    b'{"a": "\xff"}',
    b"\xef\xbb\xbf{}",
    b'{"a": 1} x',
    b'{"a": 1}\n',
    b'{"a": [1, 2,]}',
    b"[" * 300 + b"]" * 300,
    b"[" * 995 + b"]" * 995,
    b"[" * 1020 + b"]" * 1020,
    b"[" * 1030 + b"]" * 1030,
    b'{"city": 5}',
    '{"name": "Zoë 😀"}'.encode(),
]


@pytest.mark.parametrize("raw", TRICKY, ids=[repr(raw[:24]) for raw in TRICKY])
def test_tricky_bodies_read_as_the_standard_library_reads_them(raw: bytes) -> None:
    assert outcome(strict_json, raw) == outcome(stdlib_json, raw)


def test_a_body_in_another_encoding_is_read_by_the_standard_library() -> None:
    raw = '{"naam": "Zoë"}'.encode("latin-1")
    assert outcome(strict_json, raw, "latin-1") == ("value", typed({"naam": "Zoë"}))
    assert outcome(strict_json, raw, "utf-8")[0] == "400"


def test_big_integers_keep_every_digit() -> None:
    assert strict_json(b'{"id": 123456789012345678901234567890}') == {"id": 123456789012345678901234567890}


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 1]), ascii=st.booleans())
def test_any_json_reads_as_the_standard_library_reads_it(value: Any, indent: int | None, ascii: bool) -> None:
    raw = json.dumps(value, indent=indent, ensure_ascii=ascii).encode("utf-8", "surrogatepass")
    assert outcome(strict_json, raw) == outcome(stdlib_json, raw)


@settings(max_examples=400, deadline=None)
@given(raw=st.binary(max_size=40) | st.text(alphabet='{}[]",:0123456789.eE+-tfnrul \\', max_size=30).map(str.encode))
def test_any_bytes_read_or_refused_as_the_standard_library_does(raw: bytes) -> None:
    assert outcome(strict_json, raw) == outcome(stdlib_json, raw)
