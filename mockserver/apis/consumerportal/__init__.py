"""The Dutch mortgage consumer portal (``specs/consumerportal.yaml``, base path ``/consumerportal``)."""

from __future__ import annotations

from mockserver.engine.registry import SPECS_DIR, ApiDefinition
from mockserver.generic.packaged import on_engine

from .handlers import ConsumerPortalHandlers
from .state import ConsumerPortalState

API = on_engine(
    ApiDefinition(
        name="consumerportal",
        spec_file=SPECS_DIR / "consumerportal.yaml",
        build_state=ConsumerPortalState,
        build_handlers=ConsumerPortalHandlers,
        credential_checks=lambda state: {"bearer": state.authenticate, "apiKey": state.authenticate_session},
        auth_challenge='Bearer realm="consumerportal"',
    )
)
