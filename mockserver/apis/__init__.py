"""The registry of mocked APIs: one entry per API served."""

from __future__ import annotations

from mockserver.apis import consumerportal, homeq, instruction, portal
from mockserver.engine.registry import ApiDefinition

APIS: dict[str, ApiDefinition] = {api.name: api for api in (portal.API, consumerportal.API, instruction.API, homeq.API)}
