"""What a diff is made of: the catalogue's rules and the changes found, each naming its rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["breaking", "non-breaking", "info"]
Side = Literal["client", "server"]

_PARAM = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class Rule:
    """One kind of change and what it does to each side: can an existing client still call the API,
    does an existing server implementation still conform to the new spec."""

    id: str
    client: Level
    server: Level
    summary: str

    def level(self, side: Side) -> Level:
        return self.client if side == "client" else self.server


@dataclass(frozen=True)
class Change:
    """A change found: its rule, the operation (``METHOD /path`` as the new spec writes it, the old
    one's for a removed operation; empty for the document as a whole), a JSON-pointer-like location
    inside that operation (or the document), the old and new values, and, once an accept file
    matched it, the reason it was accepted."""

    rule: str
    operation: str
    location: str
    message: str
    old: Any = None
    new: Any = None
    accepted: str | None = None


def path_key(path: str) -> str:
    """A path template with its parameters' names dropped: ``/a/{id}`` and ``/a/{x}`` are one path."""
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def operation_key(operation: str) -> str:
    """``get /a/{x}`` → ``GET /a/{}``: how operations written by people are matched."""
    method, _, path = operation.strip().partition(" ")
    return f"{method.upper()} {path_key(path.strip())}"


def pointer(*parts: object) -> str:
    """A JSON pointer from its parts, each escaped (``application/json`` → ``application~1json``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
