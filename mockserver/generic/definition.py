"""An API served from a spec file alone, as the registry knows APIs (:class:`ApiDefinition`)."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from mockserver.engine.registry import ApiDefinition
from mockserver.generic.answers import error_format
from mockserver.generic.auth import DemoCredentials
from mockserver.generic.handlers import GenericHandlers, Overrides
from mockserver.generic.inference import infer
from mockserver.generic.links import with_links
from mockserver.generic.source import SpecRefused, prepared, read_spec
from mockserver.generic.state import GenericSpec, GenericState, state_class
from mockserver.settings import Settings


@dataclasses.dataclass(frozen=True)
class GenericApi(ApiDefinition):
    """An :class:`ApiDefinition` whose spec is the prepared document (``generic.source``), not the file."""

    generic: GenericSpec | None = dataclasses.field(default=None, compare=False, hash=False)

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        assert self.generic is not None
        return self.generic.document


def api_name(path: Path, taken: Collection[str]) -> str:
    """The API's name: the file's name without its suffix, in lower case (``Petstore.yaml`` ->
    ``petstore``), numbered when another API has it."""
    base = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "api"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def load_spec(path: Path, name: str) -> GenericSpec:
    """``path`` read, prepared and modelled (:class:`~mockserver.generic.source.SpecRefused` if it
    cannot be served)."""
    document = prepared(read_spec(path))
    found = infer(document)
    return GenericSpec(name, path.absolute(), with_links(document, found), found)


def generic_api(spec: GenericSpec, settings: Settings, overrides: Overrides | None = None) -> GenericApi:
    state = state_class(spec, settings.locale)

    def checks(served: GenericState) -> dict[str, Any]:
        return served.credentials.checks()

    auth = DemoCredentials(spec.name, spec.document).description()
    return GenericApi(
        name=spec.name,
        spec_file=spec.path,
        build_state=state,
        build_handlers=functools.partial(GenericHandlers, overrides=overrides) if overrides else GenericHandlers,
        credential_checks=checks,
        auth_challenge="Bearer" if auth.get("type") == "bearer" else ("Basic" if auth.get("type") == "basic" else None),
        error_format=error_format(spec.document, settings.seed, settings.locale),
        demo_users_own_records=False,
        spec_in_specs_dir=False,
        generic=spec,
    )


def load_overrides(reference: str) -> Overrides:
    """``MODULE:NAME`` (a module on the path, or a ``.py`` file) -> the callable it names."""
    module_name, _, attribute = reference.rpartition(":")
    if not module_name or not attribute:
        raise SpecRefused(f"--overrides {reference!r}: give MODULE:NAME (a module or a .py file, and a name in it)")
    try:
        if module_name.endswith(".py"):
            location = importlib.util.spec_from_file_location(Path(module_name).stem, Path(module_name).expanduser())
            if location is None or location.loader is None:
                raise ImportError(f"no Python file {module_name}")
            module = importlib.util.module_from_spec(location)
            location.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
        found = getattr(module, attribute)
    except (ImportError, AttributeError, OSError, SyntaxError) as exc:
        raise SpecRefused(f"--overrides {reference}: cannot load it ({type(exc).__name__}: {exc})") from None
    if not callable(found):
        raise SpecRefused(f"--overrides {reference}: {attribute} is not callable (a class taking the API's state)")
    return cast(Overrides, found)


def generic_apis(files: Sequence[str], settings: Settings, taken: Collection[str] = ()) -> dict[str, GenericApi]:
    """An API for each spec file, named after it (:func:`api_name`), with the settings' overrides."""
    overrides = load_overrides(settings.spec_overrides) if settings.spec_overrides else None
    return {spec.name: generic_api(spec, settings, overrides) for spec in load_specs(files, taken)}


def load_specs(files: Sequence[str], taken: Collection[str] = ()) -> Iterator[GenericSpec]:
    """Each file's spec (:func:`load_spec`), named after it (:func:`api_name`), one after the other."""
    names = set(taken)
    for file in files:
        path = Path(file).expanduser()
        name = api_name(path, names)
        names.add(name)
        yield load_spec(path, name)


__all__ = [
    "GenericApi",
    "SpecRefused",
    "api_name",
    "generic_api",
    "generic_apis",
    "load_overrides",
    "load_spec",
    "load_specs",
]
