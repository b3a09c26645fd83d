"""Small, valid one-page PDF documents written by hand (no PDF library is worth it for this).

APIs that serve files (instruction reports, consumer-portal downloads) serve real PDFs: header
``%PDF-1.4`` with a binary comment, catalog, page tree, one A4 page, Helvetica and Helvetica-Bold,
a content stream, an info dictionary, a cross-reference table whose byte offsets are exact, and
``%%EOF``. The same arguments give the same bytes, so downloads are as deterministic as the rest
of the seeded data.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_LINE_HEIGHT = 16
#: What fits on the page: longer documents are cut, never spill off it.
MAX_LINES = 45
MAX_CHARS = 90


def _text(value: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (Latin-1 accents and £ survive, the rest is ``?``)."""
    raw = value[:MAX_CHARS].encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(title: str, lines: Sequence[str]) -> bytes:
    top = PAGE_HEIGHT - _MARGIN - 6
    ops = [b"BT", b"/F2 16 Tf", f"{_MARGIN} {top} Td".encode(), _text(title) + b" Tj", b"/F1 11 Tf"]
    ops.append(f"0 -{_LINE_HEIGHT * 2} Td".encode())
    for line in lines[:MAX_LINES]:
        ops.append(_text(line) + b" Tj")
        ops.append(f"0 -{_LINE_HEIGHT} Td".encode())
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def render(title: str, lines: Sequence[str], *, subject: str = "", created: str | None = None) -> bytes:
    """A one-page A4 PDF showing ``title`` (bold) and up to :data:`MAX_LINES` ``lines``.

    ``created`` (``YYYY-MM-DD``) becomes the CreationDate; without it the bytes depend on the
    arguments only. The same arguments give the same bytes, so the last few hundred documents are
    remembered (downloads are read far more often than their records change).
    """
    return _render(title, tuple(lines), subject, created)


@functools.lru_cache(maxsize=256)
def _render(title: str, lines: tuple[str, ...], subject: str, created: str | None) -> bytes:
    stream = _content(title, lines)
    info = b"<< /Title " + _text(title) + b" /Subject " + _text(subject) + b" /Producer (mockserver)"
    if created:
        info += b" /CreationDate (D:" + created.replace("-", "").encode("ascii") + b"000000Z)"
    info += b" >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        # The end-of-line before ``endstream`` is not part of the stream's /Length (PDF 1.4, 3.2.7).
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        info,
    ]
    # The binary comment tells transfer tools that the file is not text (PDF 1.4, 3.4.1).
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
