"""A hand-built API on the generic engine: its package's handler methods answer the operations they
name, and the engine (``generic.handlers``) answers every other operation of its spec, as for a spec
served with no code (``--spec``).

:func:`on_engine` takes a package's :class:`~mockserver.engine.registry.ApiDefinition` (its state
class and its handler class) and gives it back served so. The package's handlers are the engine's
overrides (``--overrides``, :class:`~mockserver.generic.handlers.GenericHandlers`); its state class
gets the engine's parts (:class:`~mockserver.generic.state.EngineParts`), and the engine's
records live in the package's own store, in tables named ``engine_<resource>`` beside the package's
tables, so that a reset, a session (a fork), ``STATE_DIR`` and the control plane's counts cover both.
The engine's seeding follows the package's, and its spec file is part of the seeded data's key.

What a package says to the engine, on its handler class:

- a method named as an operation's handler answers that operation (everything it does is the package's);
- ``engine_tables``, a mapping of resource names (as ``mockserver run --spec FILE --explain`` shows
  them) to :class:`~mockserver.generic.model.Binding`: the engine keeps those resources' records
  in the package's own tables (which the package seeds), as they are stored there;
- ``engine_rule(operation_id, arguments, resource)``: called before the engine answers one of the
  operations, with the arguments Connexion hands a handler (``token_info``, ``user``, the
  parameters, ``body``) and the resource it acts on (``None``: answered from the spec), under the
  store's lock. It refuses a request by raising a problem (rights, a parent record the
  caller may not see) and answers a :class:`~mockserver.generic.model.Scope`: the fields the
  request's records have (an owner, a company) and those a create sets (an author).

A package that answers every operation itself costs nothing: its own state and handlers are used
as they are, and its spec is not modelled. One that leaves some to the engine has its spec modelled
as parsed (shared, read only), once per spec file version and locale.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from mockserver.engine.clock import Clock
from mockserver.engine.fixtures import read_yaml
from mockserver.engine.paths import spec_path
from mockserver.engine.registry import ApiDefinition, handler_name
from mockserver.engine.snapshots import SeededState, Seeding
from mockserver.engine.store import Store
from mockserver.generic.data import populate_from
from mockserver.generic.handlers import GenericHandlers
from mockserver.generic.inference import infer, operations
from mockserver.generic.source import needs_preparing, prepared
from mockserver.generic.state import EngineParts, GenericSpec
from mockserver.settings import Settings

#: Put before each resource's name to name the engine's tables in a package's store.
TABLE_PREFIX = "engine_"


def on_engine(definition: ApiDefinition) -> ApiDefinition:
    """``definition`` with the engine answering the operations its handler class has no method for."""
    state = definition.build_state
    if not (isinstance(state, type) and issubclass(state, SeededState)):
        raise TypeError(f"{definition.name}: on_engine needs the package's state class, not {state!r}")
    handlers = definition.build_handlers
    return dataclasses.replace(
        definition,
        build_state=_Builder(definition.name, definition.spec_file.name, state, handlers),
        build_handlers=functools.partial(_handlers, handlers),
    )


def state_class(definition: ApiDefinition, settings: Settings) -> type[SeededState]:
    """The class of the states ``definition`` builds with ``settings`` (its package's own class,
    or that class on the engine)."""
    built = definition.build_state
    if isinstance(built, _Builder):
        return built.state_class(settings)
    if isinstance(built, type) and issubclass(built, SeededState):
        return built
    raise TypeError(f"{definition.name}: its states are built by {built!r}, not a state class")


def engine_operations(document: dict[str, Any], handlers: Callable[[Any], object]) -> tuple[str, ...]:
    """The operationIds of ``document`` that ``handlers`` (a handler class) has no method for."""
    return tuple(
        str(operation["operationId"])
        for _, _, operation in operations(document)
        if not callable(getattr(handlers, handler_name(str(operation.get("operationId") or "")), None))
    )


@dataclasses.dataclass(frozen=True)
class _Builder:
    """Builds the package's state as the settings serve it (the spec from their specs folder)."""

    api: str
    spec_name: str
    state: type[SeededState]
    handlers: Callable[[Any], object]

    def __call__(self, settings: Settings, clock: Clock) -> Any:
        return self.state_class(settings)(settings, clock)

    def state_class(self, settings: Settings) -> type[SeededState]:
        """The class of the states it builds with ``settings``."""
        path = spec_path(settings, self.spec_name)
        stat = path.stat()
        return _state_class(self, path, stat.st_mtime_ns, stat.st_size, settings.locale)


@functools.lru_cache(maxsize=32)
def _state_class(builder: _Builder, path: Path, mtime_ns: int, size: int, locale: str) -> type[SeededState]:
    """The package's state class, with the engine's parts for the operations it leaves to the engine
    (the class itself when it leaves none). Made once per spec file version and locale."""
    document = read_yaml(path)
    left = engine_operations(document, builder.handlers)
    if not left:
        return builder.state
    # As parsed unless it must be prepared: a package's spec has its operationIds.
    document = prepared(document) if needs_preparing(document) else document
    model = infer(document).serving(left, TABLE_PREFIX, getattr(builder.handlers, "engine_tables", None))
    spec = GenericSpec(builder.api, path.absolute(), document, model)
    own = builder.state.seeding
    engine_populate = populate_from(model, document, locale)

    def populate(store: Store, *, seed: int, volume: int, clock: Clock, fixtures: Any = None) -> None:
        own.populate(store, seed=seed, volume=volume, clock=clock, fixtures=fixtures)
        engine_populate(store, seed=seed, volume=volume, clock=clock, fixtures=fixtures)

    seeding = Seeding(
        own.api,
        own.tables + model.own_tables,
        own.indexes,
        populate,
        uses_fixtures=own.uses_fixtures,
        made_of=f"{own.made_of}/{spec.digest}/{locale}",
    )
    made = type(
        f"{builder.state.__name__}OnEngine",
        (EngineParts, builder.state),
        {"seeding": seeding, "spec": spec, "locale": locale},
    )
    return cast(type[SeededState], made)


def _handlers(handlers: Callable[[Any], object], state: Any) -> object:
    """The package's handlers, over the engine's for a state that leaves operations to it."""
    return GenericHandlers(state, overrides=handlers) if isinstance(state, EngineParts) else handlers(state)


__all__ = ["TABLE_PREFIX", "engine_operations", "on_engine", "state_class"]
