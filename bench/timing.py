"""Measuring shared by the benchmarks: the timing loop and the per-size table of the in-process
ones (``latency.py``, ``scale.py``, ``homeq_scale.py``), and resident memory (``run.py`` too)."""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import httpx

#: A column of :func:`size_table`: heading, key in the measurement, format spec of its value.
Column = tuple[str, str, str]


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


def size_table(
    first: str,
    columns: Sequence[Column],
    sizes: str,
    measure: Callable[[int], Coroutine[Any, Any, dict[str, float]]],
) -> None:
    """Prints a Markdown table with a row per size of ``sizes`` (comma-separated): the size under
    ``first``, then ``columns`` of what ``measure`` returns for it (each size in its own event loop)."""
    print("| " + " | ".join([first, *(heading for heading, _, _ in columns)]) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for size in (int(s) for s in sizes.split(",")):
        result = asyncio.run(measure(size))
        cells = [f"{size:,}", *(format(result[key], spec) for _, key, spec in columns)]
        print("| " + " | ".join(cells) + " |", flush=True)
        gc.collect()


def rss_kib(pid: int | str = "self") -> int:
    """Resident memory of a process in KiB (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
