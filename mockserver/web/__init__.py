"""The web layer: the ASGI application around Connexion (``mockserver.web.app``)."""

from __future__ import annotations

import warnings

from starlette.exceptions import StarletteDeprecationWarning

# Connexion 3.3 imports Starlette's TestClient when it is imported (connexion.apps.abstract), and
# that module, finding httpx but not its successor httpx2, warns on every start of a plain install
# (only the dev extras bring httpx2). Nothing here uses the TestClient; this one warning, from that
# one import, is not ours to fix. Every Connexion import in the package goes through this package.
warnings.filterwarnings(
    "ignore",
    message=r"Using `httpx` with `starlette\.testclient` is deprecated",
    category=StarletteDeprecationWarning,
    module=r"connexion\.apps\.abstract",
)
