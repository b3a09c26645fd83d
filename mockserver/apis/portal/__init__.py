"""The UK home-buying customer portal (``specs/portal.yaml``, base path ``/api/rest/portal``)."""

from __future__ import annotations

from mockserver.engine.registry import SPECS_DIR, ApiDefinition
from mockserver.generic.packaged import on_engine

from .handlers import PortalHandlers
from .state import PortalState

API = on_engine(
    ApiDefinition(
        name="portal",
        spec_file=SPECS_DIR / "portal.yaml",
        build_state=PortalState,
        build_handlers=PortalHandlers,
        credential_checks=lambda state: {"bearer": state.authenticate},
        auth_challenge='Bearer realm="portal"',
    )
)
