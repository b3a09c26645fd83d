"""The HomeQ landlord API (``specs/homeq.yaml``), served at its real paths from the root."""

from __future__ import annotations

from mockserver.admin.extensions import PROJECT_FOLLOWING, ProjectFollowing
from mockserver.engine.registry import SPECS_DIR, ApiDefinition, ErrorFormat, LoginFlow
from mockserver.generic.packaged import on_engine

from .handlers import HomeQHandlers
from .state import LOGIN_PATH, HomeQState

#: HomeQ's error names for errors that do not carry their own (the spec's info.description).
ERROR_NAMES = {
    400: "ValidationError",
    401: "Unauthorized",
    403: "PermissionDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "RateLimited",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


def _project_following(state: HomeQState) -> ProjectFollowing:
    return state.projects


API = on_engine(
    ApiDefinition(
        name="homeq",
        spec_file=SPECS_DIR / "homeq.yaml",
        build_state=HomeQState,
        build_handlers=HomeQHandlers,
        credential_checks=lambda state: {"apiKey": state.check_token},
        auth_challenge='JWT realm="homeq"',
        token_prefix="JWT",
        invalid_credentials_as_anonymous=True,  # the public views (info.description, "Authentication")
        login=LoginFlow(path=LOGIN_PATH, token_pointer="/token"),
        error_format=ErrorFormat(names=ERROR_NAMES, missing_credentials="Please provide a token"),
        # One company: records belong to its offices, and a user sees every office below their own,
        # the admin all of them, so one demo user's records are rightly another's too.
        demo_users_own_records=False,
        control_extensions={PROJECT_FOLLOWING: _project_following},
    )
)
