"""Specs are validated by Connexion once, then remembered by digest (in the process and on disk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import OpenAPISpecification

from mockserver.web import specs
from mockserver.web.specs import ValidatedSpecs

SPEC: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}


def counting(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    original = specs._connexion_validate

    def spy(cls: type, spec: dict[str, Any]) -> None:
        calls.append(spec)
        original(cls, spec)

    monkeypatch.setattr(specs, "_connexion_validate", spy)
    return calls


def test_a_spec_is_checked_once_and_remembered_across_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting(monkeypatch)
    first = ValidatedSpecs()
    first.use_folder(str(tmp_path))
    first.validate(OpenAPISpecification, SPEC)
    first.validate(OpenAPISpecification, dict(SPEC))
    assert len(calls) == 1
    later = ValidatedSpecs()  # a new process, the same cache folder
    later.use_folder(str(tmp_path))
    later.validate(OpenAPISpecification, SPEC)
    assert len(calls) == 1
    assert len((tmp_path / specs.CACHE_FILE).read_text().split()) == 1


def test_a_changed_spec_is_checked_again_and_an_invalid_one_still_fails(tmp_path: Path) -> None:
    cache = ValidatedSpecs()
    cache.use_folder(str(tmp_path))
    cache.validate(OpenAPISpecification, SPEC)
    broken = {**SPEC, "paths": {"/x": {"get": {"responses": "nope"}}}}
    with pytest.raises(InvalidSpecification):
        cache.validate(OpenAPISpecification, broken)
    with pytest.raises(InvalidSpecification):  # and it was not remembered
        cache.validate(OpenAPISpecification, broken)


def test_an_unwritable_cache_folder_only_costs_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting(monkeypatch)
    blocker = tmp_path / "file"  # a file where the folder should be: nothing can be written under it
    blocker.write_text("")
    cache = ValidatedSpecs()
    cache.use_folder(str(blocker / "sub"))
    cache.validate(OpenAPISpecification, SPEC)  # no error
    cache.validate(OpenAPISpecification, SPEC)
    assert len(calls) == 1  # still remembered in the process
    later = ValidatedSpecs()  # a new process, the same folder
    later.use_folder(str(blocker / "sub"))
    later.validate(OpenAPISpecification, SPEC)
    assert len(calls) == 2  # the cost: it is checked again
    assert blocker.read_text() == ""


def test_large_yaml_is_kept_parsed_on_disk_and_reparsed_when_it_changes(tmp_path: Path) -> None:
    from mockserver.engine import fixtures

    source = tmp_path / "big.yaml"
    source.write_text("day: 2026-03-02\nitems:\n" + "".join(f"  - n: {n}\n" for n in range(10_000)))
    fixtures.use_cache_folder(str(tmp_path / "cache"))
    try:
        first = fixtures.read_yaml(source)
        kept = list((tmp_path / "cache" / "yaml").glob("*.pickle"))
        fixtures._parsed.cache_clear()  # a new process
        again = fixtures.read_yaml(source)
        source.write_text("day: 2026-03-03\nitems: []\n" + "#" * fixtures.DISK_CACHE_MIN_BYTES)
        changed = fixtures.read_yaml(source)
    finally:
        fixtures.use_cache_folder("")
        fixtures._parsed.cache_clear()
    assert len(kept) == 1
    assert again == first
    assert str(first["day"]) == "2026-03-02"  # YAML's own types survive the cache
    assert changed == {"day": changed["day"], "items": []}
    assert str(changed["day"]) == "2026-03-03"


def test_settings_from_the_environment_use_the_user_cache_folder() -> None:
    from mockserver.settings import Settings

    assert Settings().cache_dir == ""
    assert Settings.from_env({"XDG_CACHE_HOME": "/x"}).cache_dir == "/x/mockserver"
    assert Settings.from_env({"HOME": "/home/a"}).cache_dir == "/home/a/.cache/mockserver"
    assert Settings.from_env({"CACHE_DIR": "/c"}).cache_dir == "/c"
