"""The consumer portal's rules as pure functions (no store, no HTTP)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from mockserver.engine.problems import BadRequest, Conflict, field_error, validation_failed

from .lookups import UPLOAD

#: The first bytes of each accepted file type (the ``mimetype`` header must match the file).
FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


def counters(actions: Iterable[dict[str, Any]]) -> dict[str, int]:
    """``{total, done}`` of product actions, from their ``is_done``."""
    flags = [action["is_done"] for action in actions]
    return {"total": len(flags), "done": sum(1 for flag in flags if flag == 1)}


def sniff(content: bytes) -> str | None:
    """The accepted media type whose signature ``content`` starts with, if any."""
    for media_type, signatures in FILE_SIGNATURES.items():
        if content.startswith(signatures):
            return media_type
    return None


def check_not_empty(content: bytes) -> None:
    if not content:
        raise BadRequest("The file is empty: send its bytes as the request body.")


def check_file_type(content: bytes, mimetype: str) -> None:
    """The bytes of an upload must be a file of the type its ``mimetype`` header claims."""
    found = sniff(content)
    if found != mimetype:
        what = f"it looks like {found}" if found else "its first bytes are not those of any accepted file type"
        raise validation_failed([field_error("mimetype", f"The file is not {mimetype}: {what}.")])


def check_upload(action: dict[str, Any], is_reupload: int) -> None:
    """Once per product action, unless it is a reupload; and only for upload actions."""
    action_id = action["id"]
    if action["type"] != UPLOAD:
        raise Conflict(f"Product action {action_id} is a {action['type']} action; only {UPLOAD} actions take files.")
    if action["is_done"] and not is_reupload:
        raise Conflict(f"A file was already uploaded for product action {action_id}; send is_reupload 1 to replace it.")
    if not action["is_done"] and is_reupload:
        raise Conflict(
            f"No file was uploaded for product action {action_id} yet, so there is nothing to replace; "
            "send is_reupload 0."
        )


def display_name(consumer: dict[str, Any]) -> str:
    parts = (consumer.get("firstname"), consumer.get("prefix"), consumer.get("surname"))
    return " ".join(part for part in parts if part)


def ascii_text(text: str) -> str:
    """``text`` without its accents (``Financiële`` -> ``Financiele``), for e-mail addresses and file names."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def pdf_filename(label: str) -> str:
    """A safe attachment name from a document label: ``Hypotheekofferte SNS`` -> ``hypotheekofferte-sns.pdf``."""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text(label).lower()).strip("-")
    return f"{slug or 'document'}.pdf"
