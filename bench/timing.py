"""Timing shared by the in-process benchmarks (``latency.py``, ``scale.py``, ``homeq_scale.py``)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx


async def median_us(
    client: httpx.AsyncClient, method: str, path: str, count: int, *, warmup: int, check: bool = True, **kwargs: Any
) -> tuple[float, int]:
    """Median microseconds of ``count`` sequential requests after ``warmup`` untimed ones, and the
    last status; with ``check``, anything but 200 stops the benchmark (it would time an error)."""
    samples = []
    status = 0
    for i in range(count + warmup):
        started = time.perf_counter()
        response = await client.request(method, path, **kwargs)
        elapsed = time.perf_counter() - started
        status = response.status_code
        if check and status != 200:
            raise SystemExit(f"bench: {method} {path} answered {status}: {response.text[:200]}")
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples) * 1e6, status
