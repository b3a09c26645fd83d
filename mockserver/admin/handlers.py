"""Handlers of the control plane. Each is a small task on the :class:`Runtime`."""

from __future__ import annotations

import time
from typing import Any

from mockserver.problems import CATALOGUE, NotFound
from mockserver.runtime import Runtime


class AdminHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _check_api(self, api: str | None) -> None:
        if api is not None and api not in self.runtime.apis:
            known = ", ".join(self.runtime.apis)
            raise NotFound(f"No API named {api!r} is served; served: {known}.")

    async def get_health(self) -> tuple[dict[str, Any], int]:
        return {
            "status": "ok",
            "uptimeSeconds": round(time.monotonic() - self.runtime.started, 3),
            "seed": self.runtime.settings.seed,
            "anchorDate": self.runtime.clock.anchor.isoformat(),
            "apis": list(self.runtime.apis),
        }, 200

    async def list_apis(self) -> tuple[dict[str, Any], int]:
        apis = []
        for served in self.runtime.apis.values():
            base = served.definition.base_path
            apis.append(
                {
                    "name": served.name,
                    "title": served.definition.title,
                    "basePath": base,
                    "spec": f"{base}/openapi.json",
                    "docs": f"{base}/ui/",
                    "auth": served.state.auth_description(),
                    "records": served.state.counts(),
                }
            )
        return {"apis": apis}, 200

    async def reset_state(self, api: str | None = None) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        return {"reset": self.runtime.reset(api)}, 200

    async def list_requests(self, limit: int | None = None, api: str | None = None) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        entries = self.runtime.journal.entries()
        if api is not None:
            entries = [e for e in entries if e["api"] == api]
        if limit is not None:
            entries = entries[:limit]
        return {"requests": entries}, 200

    async def list_problems(self) -> tuple[dict[str, Any], int]:
        return {
            "problems": [
                {"type": k.type, "slug": k.slug, "status": k.status, "title": k.title, "description": k.description}
                for k in CATALOGUE.values()
            ]
        }, 200
