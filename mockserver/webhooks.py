"""Outbound webhooks: URLs registered through the control plane, and deliveries to them.

An API's state owns a :class:`Webhooks` and calls :meth:`Webhooks.emit` when one of its documented
events happens. Each delivery is POSTed as JSON from a daemon thread, so the request that caused it
never waits; an answer other than 200 (or no answer) is retried after ``webhook_retry_seconds``, at
most ``webhook_max_attempts`` times. Registrations and the outcome of every delivery are kept for
``/__admin/webhooks``.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from mockserver.clock import Clock
from mockserver.settings import Settings


@dataclasses.dataclass(frozen=True)
class Registration:
    id: int
    url: str
    #: The event names delivered to ``url``; empty means every event.
    events: tuple[str, ...] = ()

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "events": list(self.events)}


class Webhooks:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        events: Iterable[str],
        post: Callable[[str, dict[str, Any], float], int] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.events = tuple(events)
        self._post = post or _post
        self._lock = threading.Lock()
        self._registrations: dict[int, Registration] = {}
        self._deliveries: collections.deque[dict[str, Any]] = collections.deque(maxlen=settings.webhook_history)
        self._ids = itertools.count(1)
        self._delivery_ids = itertools.count(1)
        #: Bumped by :meth:`clear`: threads of an earlier generation stop retrying.
        self._generation = 0

    def register(self, url: str, events: Iterable[str] = ()) -> dict[str, Any]:
        chosen = tuple(dict.fromkeys(events))
        unknown = [e for e in chosen if e not in self.events]
        if unknown:
            raise ValueError(f"Unknown event(s) {', '.join(unknown)}; known: {', '.join(self.events)}.")
        with self._lock:
            registration = Registration(next(self._ids), url, chosen)
            self._registrations[registration.id] = registration
            return registration.view()

    def unregister(self, registration_id: int) -> bool:
        with self._lock:
            return self._registrations.pop(registration_id, None) is not None

    def registrations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.view() for r in self._registrations.values()]

    def deliveries(self) -> list[dict[str, Any]]:
        """Every kept delivery, newest first, as it stands now."""
        with self._lock:
            return [_copy(d) for d in reversed(self._deliveries)]

    def clear(self) -> None:
        with self._lock:
            self._registrations.clear()
            self._deliveries.clear()
            self._generation += 1

    def emit(self, event: str, body: dict[str, Any]) -> list[int]:
        """Starts delivering ``body`` to every registration that wants ``event``; returns the
        delivery ids (none when nobody listens)."""
        with self._lock:
            targets = [r for r in self._registrations.values() if r.wants(event)]
            started = []
            for registration in targets:
                delivery: dict[str, Any] = {
                    "id": next(self._delivery_ids),
                    "registration": registration.id,
                    "url": registration.url,
                    "event": event,
                    "body": body,
                    "created": self.clock.stamp(),
                    "status": "pending",
                    "attempts": [],
                }
                self._deliveries.append(delivery)
                started.append(delivery)
            generation = self._generation
        for delivery in started:
            threading.Thread(
                target=self._deliver, args=(delivery, generation), name=f"webhook-{delivery['id']}", daemon=True
            ).start()
        return [d["id"] for d in started]

    def _deliver(self, delivery: dict[str, Any], generation: int) -> None:
        tries = max(self.settings.webhook_max_attempts, 1)
        for attempt in range(1, tries + 1):
            if generation != self._generation:
                return
            try:
                status: int | None = self._post(delivery["url"], delivery["body"], self.settings.webhook_timeout)
                error = None
            except Exception as exc:  # any failure to deliver is an outcome to record
                status, error = None, f"{type(exc).__name__}: {exc}"
            with self._lock:
                delivery["attempts"].append(
                    {"attempt": attempt, "at": self.clock.stamp(), "status": status, "error": error}
                )
                if status == 200:
                    delivery["status"] = "delivered"
                    return
                delivery["status"] = "failed" if attempt == tries else "retrying"
            if attempt < tries:
                time.sleep(self.settings.webhook_retry_seconds)


def _post(url: str, body: dict[str, Any], timeout: float) -> int:
    response = httpx.post(url, json=body, timeout=timeout)
    return response.status_code


def _copy(delivery: dict[str, Any]) -> dict[str, Any]:
    return {**delivery, "attempts": [dict(a) for a in delivery["attempts"]]}
