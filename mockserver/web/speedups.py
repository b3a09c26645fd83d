"""Per-request work Connexion 3.3 does that the spec already fixes, taken off the hot path.

Each patch keeps Connexion's behaviour: it only computes once what Connexion recomputes on every
request (measured with ``bench/run.py`` and cProfile; numbers in docs/performance.md).

- ``AsyncOperation.fn`` builds the handler's decorator stack on every call; the stack depends only
  on the operation, so it is built once per operation.
- ``ASGIDecorator.__call__`` then re-applies the parameter and response decorators on every
  request (``inspect.signature`` each time); they depend only on the function, so once.
- ``AbstractSecurityHandler._accepts_kwarg`` inspects the credential function's signature twice
  per request; a function's signature does not change, so it is remembered.

And one at start-up: ``resolve_refs`` deep-copies each spec with ``copy.deepcopy``; a spec is JSON
data, which :func:`mockserver.engine.store.json_copy` copies twice as fast (HomeQ's: ~15 ms less).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import json_schema
from connexion.apps.asynchronous import AsyncOperation
from connexion.context import receive, scope
from connexion.decorators.main import ASGIDecorator
from connexion.security import AbstractSecurityHandler

from mockserver.engine.store import json_copy

_decorated = functools.cached_property(AsyncOperation.fn.fget)
_decorated.__set_name__(AsyncOperation, "fn")
AsyncOperation.fn = _decorated


def _decorate_once(self: ASGIDecorator, function: Callable[..., Any]) -> Callable[..., Any]:
    decorated = self.decorate(function)

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        request = self.framework.get_request(uri_parser=self.uri_parser, scope=scope, receive=receive)
        return await decorated(request)

    return wrapper


ASGIDecorator.__call__ = _decorate_once
AbstractSecurityHandler._accepts_kwarg = staticmethod(
    functools.lru_cache(maxsize=4096)(AbstractSecurityHandler._accepts_kwarg)
)
json_schema.deepcopy = json_copy
