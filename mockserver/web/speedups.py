"""Per-request work Connexion 3.3 does that the spec already fixes, taken off the hot path.

Each patch is measured (``bench/run.py``; numbers in ARCHITECTURE.md) and keeps Connexion's
behaviour: it only computes once what Connexion recomputes on every request.

- ``AsyncOperation.fn`` builds the handler's decorator stack (parameter parsing, response
  serialisation) on every call, running ``inspect.signature`` three times per request; the stack
  depends only on the operation, so it is built once per operation.
"""

from __future__ import annotations

import functools

from connexion.apps.asynchronous import AsyncOperation

_decorated = functools.cached_property(AsyncOperation.fn.fget)
_decorated.__set_name__(AsyncOperation, "fn")
AsyncOperation.fn = _decorated
