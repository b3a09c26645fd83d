"""A small, valid PDF written by hand: the report file a supplier uploads.

One A4 page of Helvetica text. The cross-reference table holds the real byte offset of every
object, so any PDF reader (and ``tests/instruction``) can parse it. No dependency is worth it for
this; the output is deterministic for the same lines.
"""

from __future__ import annotations

from collections.abc import Sequence

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842
_LEFT, _TOP, _LEADING = 56, 780, 16


def _text(value: str) -> bytes:
    """A PDF literal string in WinAnsi (Latin-1 covers what we write, £ included)."""
    raw = value.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(title: str, lines: Sequence[str]) -> bytes:
    ops = [b"BT", b"/F2 16 Tf", f"{_LEFT} {_TOP} Td".encode(), _text(title) + b" Tj", b"/F1 11 Tf"]
    ops.append(f"0 -{_LEADING * 2} Td".encode())
    for line in lines:
        ops.append(_text(line) + b" Tj")
        ops.append(f"0 -{_LEADING} Td".encode())
    ops.append(b"ET")
    return b"\n".join(ops)


def render(title: str, lines: Sequence[str], *, subject: str = "") -> bytes:
    stream = _content(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Title " + _text(title) + b" /Subject " + _text(subject) + b" /Producer (mockserver) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
