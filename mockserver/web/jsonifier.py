"""JSON serialisation of handler results: compact, UTF-8, one trailing newline, with orjson.

orjson writes the same text as ``json.dumps(separators=(",", ":"), ensure_ascii=False)`` plus
Connexion's newline, about 15 times faster (a 20-item list: 60 -> 4 µs). Two spellings differ
and keep their value: small and large floats (``1e-05`` is ``0.00001``, ``2.5e-07`` is ``2.5e-7``).
Dates and times are written the way Connexion's encoder writes them (a naive datetime gets a
``Z``); whatever orjson refuses (an integer beyond 64 bits, an unknown type) goes to the standard
encoder, so nothing serialises differently from Connexion's default or fails where it did not.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import orjson
from connexion.jsonifier import Jsonifier

from mockserver.engine.viewcache import serialised

#: Without ``OPT_NON_STR_KEYS``, which halves orjson's speed (HomeQ's inventory page: 48 -> 25 µs):
#: a dict with a key that is not a string goes to the standard encoder, which writes it as before.
_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    """Connexion's encoder's choices for the types plain JSON has no word for."""
    if isinstance(value, dt.datetime):
        return value.isoformat("T") if value.tzinfo else value.isoformat("T") + "Z"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


class FastJsonifier(Jsonifier):
    """Connexion's :class:`~connexion.jsonifier.Jsonifier`, serialising with orjson."""

    def dumps(self, data: Any, **kwargs: Any) -> str:
        if kwargs:  # options only the standard encoder knows
            return str(super().dumps(data, **kwargs))
        return self.dumps_bytes(data).decode()

    def dumps_bytes(self, data: Any) -> bytes:
        """The answer's bytes (what the fast path sends); a cached view's are written once."""
        return serialised(data, self._encode)

    def _encode(self, data: Any) -> bytes:
        try:
            return orjson.dumps(data, default=_default, option=_OPTIONS)
        except TypeError:
            return str(super().dumps(data)).encode()


JSONIFIER = FastJsonifier(json, separators=(",", ":"), ensure_ascii=False)
#: JSON text (bytes or str) to Python values.
loads = orjson.loads
