"""A stateful, faker-seeded mock and contract-test server for the APIs it knows."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Settings", "__version__", "create_app"]

from mockserver.settings import Settings
from mockserver.web.app import create_app
