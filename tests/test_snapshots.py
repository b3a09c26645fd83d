"""Seeded data kept in the cache folder: a start that finds it loads exactly what it would have made."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.engine.clock import Clock
from mockserver.web.app import MockServer
from tests.conftest import ANCHOR, MOMENT, credentials, make_settings
from tests.plain_requests import REQUESTS

ROOT = Path(__file__).resolve().parent.parent


def dump(server: MockServer, api: str) -> Any:
    return copy.deepcopy(server.runtime.apis[api].state.store.dump())  # type: ignore[attr-defined]


def answers(server: MockServer, api: str) -> list[tuple[int, str]]:
    """Every GET of ``tests/plain_requests.py``, as the API's first demo user (moments of "now" masked:
    each server's clock starts when it is built)."""
    with TestClient(server) as client:
        headers = credentials(client, api)
        calls = [c for c in REQUESTS[api] if c.method == "GET"]
        return [
            (r.status_code, MOMENT.sub("<moment>", r.text))
            for r in (client.get(APIS[api].base_path + c.path, headers=headers) for c in calls)
        ]


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_start_from_the_cache_has_the_same_data_and_answers_as_one_that_makes_it(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(apis=(api,), cache_dir=str(tmp_path))
    made = MockServer(make_settings(apis=(api,)))
    first = MockServer(settings)  # makes the data and keeps it
    assert len(list((tmp_path / "data").glob(f"{api}-*.pickle"))) == 1

    def unused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the data should have been loaded, not made")

    monkeypatch.setattr(f"mockserver.apis.{api}.state.populate", unused)
    loaded = MockServer(settings)  # loads it
    expected = dump(made, api)
    assert dump(loaded, api) == dump(first, api) == expected
    assert answers(loaded, api) == answers(made, api)  # (the consumer portal's GET writes)
    # A reset loads it again, and writes made before it are gone.
    loaded.runtime.reset(api)
    assert dump(loaded, api) == expected


def test_another_seed_volume_or_anchor_day_is_other_data(tmp_path: Path) -> None:
    base = make_settings(apis=("portal",), cache_dir=str(tmp_path))
    variants = [base, base.replace(seed=7), base.replace(volume=3), base.replace(anchor_date=dt.date(2026, 5, 1))]
    dumps = [dump(MockServer(settings), "portal") for settings in variants]
    assert all(a != b for i, a in enumerate(dumps) for b in dumps[i + 1 :])
    assert len(list((tmp_path / "data").glob("portal-*.pickle"))) == len(variants)
    for settings, expected in zip(variants, dumps, strict=True):
        assert dump(MockServer(settings), "portal") == expected
        assert dump(MockServer(settings.replace(cache_dir="")), "portal") == expected


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_data_depends_on_the_anchor_day_not_on_the_time_it_is_made(api: str) -> None:
    """What makes keeping it sound: the same anchor day gives the same data at any real time."""
    definition = APIS[api]
    settings = make_settings(apis=(api,))
    now, later = Clock(ANCHOR), Clock(ANCHOR)
    later.advance(dt.timedelta(days=3, hours=5, minutes=7))
    a, b = definition.build_state(settings, now), definition.build_state(settings, later)
    assert a.store.dump() == b.store.dump()  # type: ignore[attr-defined]


def test_a_damaged_cache_file_is_made_again(tmp_path: Path) -> None:
    settings = make_settings(apis=("instruction",), cache_dir=str(tmp_path))
    expected = dump(MockServer(settings), "instruction")
    (cached,) = (tmp_path / "data").glob("instruction-*.pickle")
    cached.write_bytes(b"not a pickle")
    assert dump(MockServer(settings), "instruction") == expected
    assert pickle.loads(cached.read_bytes())  # written again, whole


def test_a_start_that_finds_its_data_does_not_import_faker(tmp_path: Path) -> None:
    script = (
        "import sys, datetime as dt\n"
        "from mockserver.settings import Settings\n"
        "from mockserver.web.app import MockServer\n"
        f"MockServer(Settings(anchor_date=dt.date(2026, 3, 2), cache_dir={str(tmp_path)!r}))\n"
        "print('faker' in sys.modules)\n"
    )

    def start() -> str:
        run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert start() == "True"  # the first start makes the data
    assert start() == "False"


def test_the_cache_key_covers_every_api_s_data_code() -> None:
    """An API's generation code (``apis/<name>/data.py``) makes its seeded data as much as the engine
    does: a change there must not load data made by the old code."""
    from mockserver.engine import snapshots

    hashed = {p.resolve() for p in snapshots.PACKAGE.rglob("*.py")}
    for api in APIS:
        assert (ROOT / "mockserver" / "apis" / api / "data.py").resolve() in hashed
