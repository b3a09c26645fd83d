"""JSON serialisation of handler results: compact, UTF-8, no pretty-printing on the hot path."""

from __future__ import annotations

import json

from connexion.jsonifier import Jsonifier

JSONIFIER = Jsonifier(json, separators=(",", ":"), ensure_ascii=False)
