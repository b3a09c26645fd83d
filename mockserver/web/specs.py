"""Connexion checks a spec against the OpenAPI schema on every ``add_api``, several times per
server: for HomeQ's 10,000 lines that is most of the time a server takes to start (and the tests
build hundreds of servers). A document that passed once needs no second check, so the digests of
validated documents are remembered in the process and in a small file in the cache folder
(``Settings.cache_dir``: ``CACHE_DIR``, by default the user's cache folder), much like
Python's own ``.pyc`` files. A changed spec has another digest and is validated again; ``make
lint`` validates every spec with openapi-spec-validator besides.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from connexion.spec import Specification

CACHE_FILE = "validated-specs"
_connexion_validate = Specification._validate_spec.__func__


class ValidatedSpecs:
    def __init__(self) -> None:
        self._digests: set[str] = set()
        self._lock = threading.Lock()
        self._file: Path | None = None

    def use_folder(self, folder: str) -> None:
        """Remember validated specs in ``folder`` across runs (empty: in this process only)."""
        if not folder:
            return
        path = Path(folder) / CACHE_FILE
        with self._lock:
            if path == self._file:
                return
            self._file = path
            with contextlib.suppress(OSError):
                self._digests |= set(path.read_text(encoding="ascii").split())

    def validate(self, cls: type[Specification], spec: dict[str, Any]) -> None:
        digest = hashlib.blake2b(json.dumps(spec, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
        if digest in self._digests:
            return
        _connexion_validate(cls, spec)
        with self._lock:
            self._digests.add(digest)
            if self._file is not None:
                try:
                    self._file.parent.mkdir(parents=True, exist_ok=True)
                    with self._file.open("a", encoding="ascii") as fh:
                        fh.write(digest + "\n")
                except OSError:
                    pass  # a read-only home folder only costs the check on the next start


VALIDATED = ValidatedSpecs()


def _validate(cls: type[Specification], spec: dict[str, Any]) -> None:
    VALIDATED.validate(cls, spec)


Specification._validate_spec = classmethod(_validate)
