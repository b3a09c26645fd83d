"""A stateful, faker-seeded mock and contract-test server for the APIs it knows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Settings", "__version__", "create_app"]

if TYPE_CHECKING:
    from mockserver.settings import Settings
    from mockserver.web.app import create_app


def __getattr__(name: str) -> Any:
    """``Settings`` and ``create_app`` on first use: importing a submodule (the command line, the
    linter) does not load the whole server."""
    if name == "Settings":
        from mockserver.settings import Settings

        return Settings
    if name == "create_app":
        from mockserver.web.app import create_app

        return create_app
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
