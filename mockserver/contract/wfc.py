"""Two identities for a contract run, as Schemathesis takes them: a Web Fuzzing Commons auth document.

Schemathesis' ``object_level_authorization`` check replays one user's reads of their own records as
a peer, who must not get them. It learns of several users only from a WFC document
(``[auth.wfc]``, with ``peers``), which it refuses beside ``[auth.openapi]``: with a peer, the
run's auth is that document, one user per identity (the main one first and pinned, so every
operation is tested as it, as without a peer), each with the header values of the spec's security
schemes. Schemathesis' ``ignored_auth`` check still finds those headers in the spec's schemes.

The document holds the tokens themselves (its loader resolves no ``${ENV}`` reference), so it never
goes into the report folder: :func:`private_document` writes it to a temporary file of the user's
alone (0600, outside the reports) that is deleted after the run, and the run's ``schemathesis.toml``
names it through :data:`WFC_ENV`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockserver.contract.credentials import Credential, is_bearer, token_schemes

#: The environment variable the run's ``schemathesis.toml`` reads the document's path from.
WFC_ENV = "MOCKSERVER_CONTRACT_WFC"
#: The identities' names in the document, as Schemathesis' findings name them.
MAIN, PEER = "main", "peer"


def fixed_headers(spec: dict[str, Any], credential: Credential) -> list[dict[str, str]]:
    """The headers that carry ``credential`` in each of the spec's security schemes (once per name)."""
    headers: dict[str, dict[str, str]] = {}
    for _, scheme in token_schemes(spec):
        if is_bearer(scheme):
            name, value = "Authorization", f"Bearer {credential.token}"
        elif scheme.get("in") == "header":
            name, value = str(scheme.get("name", "")), credential.api_key_value
        else:
            continue  # an API key in the query: no header carries it
        headers.setdefault(name.lower(), {"name": name, "value": value})
    return list(headers.values())


def wfc_document(spec: dict[str, Any], main: Credential, peer: Credential) -> dict[str, Any]:
    """The WFC auth document of the two identities (secrets included: see :func:`private_document`)."""
    users = ((MAIN, main), (PEER, peer))
    return {"auth": [{"name": name, "fixedHeaders": fixed_headers(spec, who)} for name, who in users]}


def wfc_auth() -> dict[str, Any]:
    """The ``[auth]`` table of the API's project: the document at ``$WFC_ENV``, main pinned, both peers."""
    return {"wfc": {"path": "${" + WFC_ENV + "}", "user": MAIN, "peers": [MAIN, PEER]}}


@contextlib.contextmanager
def private_document(document: dict[str, Any]) -> Iterator[Path]:
    """``document`` in a temporary JSON file only its owner can read, removed on the way out."""
    descriptor, name = tempfile.mkstemp(prefix="mockserver-wfc-", suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file)
        yield path
    finally:
        path.unlink(missing_ok=True)
