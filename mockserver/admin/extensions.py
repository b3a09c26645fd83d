"""The control plane's extension points: controls that only some APIs have.

An API offers one in :attr:`ApiDefinition.control_extensions
<mockserver.engine.registry.ApiDefinition.control_extensions>`, under the extension's name, with a
function that takes the API's state and returns an object of the extension's protocol below. The
control plane answers 400 for an API that does not offer the extension a call needs.
"""

from __future__ import annotations

from typing import Any, Protocol

#: ``/__admin/projects/...``: consumers following an API's projects (HomeQ).
PROJECT_FOLLOWING = "project-following"


class ProjectFollowing(Protocol):
    """Simulates a consumer following or unfollowing a project, for APIs that do not serve the
    consumer side."""

    def followers(self, project_id: int) -> list[int]:
        """The ids of the consumers following the project (404 problem for an unknown project)."""

    def follow(self, project_id: int, consumer_id: int, following: bool) -> dict[str, Any]:
        """Records that the consumer starts (``following``) or stops following the project and sends
        the API's event when that changes something; returns ``{project, consumer, following,
        changed, followers, event, deliveries}``. Unknown project or consumer: 404 problem; stopping
        without following: 409 problem."""
