"""A bounded pool of threads that runs webhook deliveries: a fixed number of workers, a bounded
queue of waiting tasks, retries scheduled instead of slept.

Tasks wait in one heap by due time (a first attempt is due at once, a retry when its delay has
passed) and a second heap by age. At most ``capacity`` tasks wait; one more drops the oldest waiting
task, which is told why (:meth:`Task.dropped`). Workers start when there is work, at most
``workers`` of them, each with its own ``httpx.Client`` (kept-alive connections to the same
receiver), and end after :data:`IDLE_SECONDS` with nothing to do. A task that asks for a retry goes
back to the heap with its due time; no worker sleeps for it. :meth:`DeliveryPool.clear` forgets
every waiting task and ignores what the tasks in flight ask for.

Removed tasks stay in the heaps until they surface (lazy deletion); the heaps are rebuilt when
stale entries outnumber live ones, so memory stays bounded by ``capacity``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import httpx

#: Seconds a worker with nothing to do waits before it ends (a later task starts a new one).
IDLE_SECONDS = 5.0


class Task(Protocol):
    def run(self, client: httpx.Client) -> float | None:
        """One attempt; returns the seconds until the next one, or ``None`` when done."""

    def dropped(self, reason: str) -> None:
        """The task was dropped from a full queue before its next attempt."""


class DeliveryPool:
    def __init__(
        self,
        workers: int,
        capacity: int,
        client: Callable[[], httpx.Client],
        name: str = "webhook",
    ) -> None:
        self.workers = max(workers, 1)
        self.capacity = max(capacity, 1)
        self._client = client
        self._name = name
        self._cond = threading.Condition()
        self._waiting: dict[int, Task] = {}
        self._due: list[tuple[float, int]] = []
        self._age: list[int] = []
        self._keys = itertools.count(1)
        self._threads: set[threading.Thread] = set()
        self._names = itertools.count(1)
        self._in_flight = 0
        #: Bumped by :meth:`clear`: what a task of an earlier generation asks for is ignored.
        self._generation = 0
        self._closed = False

    def submit(self, tasks: Iterable[Task]) -> None:
        """Queues ``tasks`` for their first attempt, dropping the oldest waiting ones beyond capacity."""
        dropped: list[Task] = []
        now = time.monotonic()
        with self._cond:
            if self._closed:
                return
            for task in tasks:
                self._put(next(self._keys), task, now, dropped)
            self._start_workers()
            self._cond.notify(len(self._waiting))
        self._tell_dropped(dropped)

    def pending(self) -> int:
        """Tasks waiting or being attempted now."""
        with self._cond:
            return len(self._waiting) + self._in_flight

    def threads(self) -> int:
        with self._cond:
            return len(self._threads)

    def clear(self) -> None:
        with self._cond:
            self._generation += 1
            self._waiting.clear()
            self._due.clear()
            self._age.clear()
            self._cond.notify_all()

    def close(self) -> None:
        """Forgets every waiting task; the workers end once their attempt in flight is over."""
        with self._cond:
            self._closed = True
        self.clear()

    # -- under the lock ------------------------------------------------------------------------

    def _put(self, key: int, task: Task, due: float, dropped: list[Task]) -> None:
        """Queues ``task``; beyond capacity, the oldest waiting task goes (a retry being queued
        again may be it: keys are given at the first submit, so age counts from there)."""
        self._waiting[key] = task
        heapq.heappush(self._due, (due, key))
        heapq.heappush(self._age, key)
        while len(self._waiting) > self.capacity:
            oldest = heapq.heappop(self._age)
            if oldest in self._waiting:
                dropped.append(self._waiting.pop(oldest))
        self._compact()

    def _compact(self) -> None:
        live = len(self._waiting)
        if len(self._due) > 2 * live + 64:
            self._due = [entry for entry in self._due if entry[1] in self._waiting]
            heapq.heapify(self._due)
        if len(self._age) > 2 * live + 64:
            self._age = list(self._waiting)
            heapq.heapify(self._age)

    def _start_workers(self) -> None:
        wanted = min(self.workers, len(self._waiting) + self._in_flight)
        while len(self._threads) < wanted:
            thread = threading.Thread(target=self._work, name=f"{self._name}-worker-{next(self._names)}", daemon=True)
            self._threads.add(thread)
            thread.start()

    def _take(self) -> tuple[int, Task, int] | None:
        """The next due task (waiting for one), or ``None`` when this worker should end."""
        idle_until = time.monotonic() + IDLE_SECONDS
        while not self._closed:
            while self._due and self._due[0][1] not in self._waiting:
                heapq.heappop(self._due)
            now = time.monotonic()
            if self._due:
                due, key = self._due[0]
                if due <= now:
                    heapq.heappop(self._due)
                    self._in_flight += 1
                    return key, self._waiting.pop(key), self._generation
                self._cond.wait(due - now)
                idle_until = time.monotonic() + IDLE_SECONDS
            elif now >= idle_until:
                break
            else:
                self._cond.wait(idle_until - now)
        self._threads.discard(threading.current_thread())
        return None

    # -- in a worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        client: httpx.Client | None = None
        try:
            while True:
                with self._cond:
                    taken = self._take()
                if taken is None:
                    return
                key, task, generation = taken
                if client is None:
                    client = self._client()
                try:
                    delay = task.run(client)
                except Exception:  # a task records its own failures; one that escapes must not end the worker
                    delay = None
                dropped: list[Task] = []
                with self._cond:
                    self._in_flight -= 1
                    if delay is not None and generation == self._generation and not self._closed:
                        self._put(key, task, time.monotonic() + max(delay, 0.0), dropped)
                        self._cond.notify()
                self._tell_dropped(dropped)
        finally:
            with self._cond:
                self._threads.discard(threading.current_thread())
            if client is not None:
                client.close()

    def _tell_dropped(self, dropped: list[Task]) -> None:
        reason = (
            f"The delivery queue was full ({self.capacity} waiting, WEBHOOK_QUEUE_SIZE); "
            "this was the oldest waiting delivery."
        )
        for task in dropped:
            task.dropped(reason)
