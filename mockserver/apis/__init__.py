"""The registry of mocked APIs: one entry per API served."""

from __future__ import annotations

from mockserver.apis import consumerportal, homeq, instruction, portal
from mockserver.engine.registry import ApiDefinition
from mockserver.settings import Settings

APIS: dict[str, ApiDefinition] = {api.name: api for api in (portal.API, consumerportal.API, instruction.API, homeq.API)}


def registry_for(settings: Settings) -> dict[str, ApiDefinition]:
    """The APIs the settings serve: the hand-built ones, or, with spec files (``--spec``), an API
    served from each (``mockserver.generic``) beside the hand-built ones ``apis`` names. A spec that
    cannot be served raises :class:`~mockserver.generic.SpecRefused`."""
    if not settings.spec_files:
        return APIS
    from mockserver.generic.definition import generic_apis

    unknown = sorted(set(settings.apis) - set(APIS))
    if unknown:
        raise ValueError(f"unknown API(s): {', '.join(unknown)}; known: {', '.join(APIS)}")
    chosen = {name: APIS[name] for name in settings.apis}
    return {**chosen, **generic_apis(settings.spec_files, settings, taken=chosen)}


def served_registry(settings: Settings) -> tuple[Settings, dict[str, ApiDefinition]]:
    """:func:`registry_for` the settings, and the settings naming what it holds when spec files are
    served (``apis`` then names the packaged APIs beside them, not all that are served)."""
    registry = registry_for(settings)
    return (settings.replace(apis=tuple(registry)) if settings.spec_files else settings), registry
