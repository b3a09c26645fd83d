"""Stateful reach, the lost writes: see `test_stateful_reach.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.test_stateful_reach import assert_caught


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_default_run_catches_lost_writes_whatever_the_seed(seed: int, tmp_path: Path) -> None:
    assert_caught("lost-write", seed, tmp_path)
