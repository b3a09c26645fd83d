"""Thin handlers of ``specs/consumerportal.yaml``: one method per operationId.

Connexion has already checked the session token or cookie (``user`` is the consumer id, ``None``
for a request that sent neither) and validated the parameters and headers against the spec; the
upload's headers arrive as keyword arguments and its file as ``body`` (raw bytes). Each handler
hands plain values to the service.
"""

from __future__ import annotations

from typing import Any

from .service import SESSION_COOKIE
from .state import ConsumerPortalState

Result = tuple[Any, ...]


class ConsumerPortalHandlers:
    def __init__(self, state: ConsumerPortalState) -> None:
        self.service = state.service

    async def get_session(self, user: str | None, consumer_id: str, ip_address: str) -> Result:
        view, session_id = self.service.get_session(user, consumer_id, ip_address)
        return view, 200, {"Set-Cookie": f"{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax"}

    async def get_product_action_download(self, user: str | None, productaction_id: str) -> Result:
        filename, content = self.service.download(user, productaction_id)
        headers = {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{filename}"'}
        return content, 200, headers

    async def upload_file(
        self,
        user: str | None,
        productaction_id: str,
        is_reupload: int,
        filename: str,
        mimetype: str,
        body: Any = None,
        comment: str | None = None,
    ) -> Result:
        content = body if isinstance(body, bytes) else b""  # Connexion hands an empty body over as {}
        result = self.service.upload(
            user,
            productaction_id,
            is_reupload=is_reupload,
            filename=filename,
            mimetype=mimetype,
            comment=comment,
            content=content,
        )
        return result, 200

    async def get_otd_pdf(self, user: str | None, productaction_id: str) -> Result:
        return self.service.otd_pdf(user, productaction_id), 200
