"""Outbound webhooks: URLs registered through the control plane, and deliveries to them.

An API's state owns a :class:`Webhooks` and calls :meth:`Webhooks.emit` when one of its documented
events happens. Registrations are checked by :mod:`mockserver.engine.webhook_targets` (loopback or
``webhook_allowed_hosts`` only, never the mock's own control plane) and capped at
``webhook_max_registrations``. Each delivery is POSTed as JSON by the bounded worker pool of
:mod:`mockserver.engine.webhook_pool` (``webhook_workers`` threads, ``webhook_queue_size`` waiting
deliveries; a full queue drops the oldest waiting one), so the request that caused it never waits;
an answer other than 200 (or no answer) is retried after ``webhook_retry_seconds``, at most
``webhook_max_attempts`` times. A delivery is never sent to the own control plane, checked again
before every attempt (a name may resolve differently by then). Registrations and the outcome of
every delivery (pending, retrying, delivered, failed, dropped) are kept for ``/__admin/webhooks``.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from mockserver.engine import webhook_targets
from mockserver.engine.clock import Clock
from mockserver.engine.problems import BadRequest, Conflict
from mockserver.engine.webhook_pool import DeliveryPool
from mockserver.settings import Settings

#: ``post(url, body, timeout) -> status``: sends one attempt (tests replace the httpx client with it).
Post = Callable[[str, dict[str, Any], float], int]


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
    def __init__(self, settings: Settings, clock: Clock, events: Iterable[str], post: Post | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.events = tuple(events)
        self._post = post
        self._lock = threading.Lock()
        self._registrations: dict[int, Registration] = {}
        self._deliveries: collections.deque[dict[str, Any]] = collections.deque(maxlen=settings.webhook_history)
        self._ids = itertools.count(1)
        self._delivery_ids = itertools.count(1)
        #: Bumped by :meth:`clear`: deliveries of an earlier generation are neither sent nor recorded.
        self._generation = 0
        self.pool = DeliveryPool(settings.webhook_workers, settings.webhook_queue_size, self._client)

    def register(self, url: str, events: Iterable[str] = ()) -> dict[str, Any]:
        chosen = tuple(dict.fromkeys(events))
        unknown = [e for e in chosen if e not in self.events]
        if unknown:
            raise BadRequest(f"Unknown event(s) {', '.join(unknown)}; known: {', '.join(self.events)}.")
        refused = webhook_targets.refusal(url, self.settings)
        if refused:
            raise BadRequest(refused)
        limit = self.settings.webhook_max_registrations
        with self._lock:
            if len(self._registrations) >= limit:
                raise Conflict(
                    f"This API already has {len(self._registrations)} webhook registrations, as many as it keeps "
                    f"(WEBHOOK_MAX_REGISTRATIONS={limit}); remove one or raise the setting."
                )
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

    def pending(self) -> int:
        """Deliveries waiting for an attempt or being attempted now."""
        return self.pool.pending()

    def clear(self) -> None:
        with self._lock:
            self._registrations.clear()
            self._deliveries.clear()
            self._generation += 1
        self.pool.clear()

    def close(self) -> None:
        """Stops delivering: the workers end once their attempt in flight is over."""
        self.clear()
        self.pool.close()

    def emit(self, event: str, body: dict[str, Any]) -> list[int]:
        """Queues ``body`` for every registration that wants ``event``; returns the delivery ids
        (none when nobody listens)."""
        created = self.clock.stamp()
        with self._lock:
            started = []
            for registration in self._registrations.values():
                if not registration.wants(event):
                    continue
                record: dict[str, Any] = {
                    "id": next(self._delivery_ids),
                    "registration": registration.id,
                    "url": registration.url,
                    "event": event,
                    "body": body,
                    "created": created,
                    "status": "pending",
                    "reason": None,
                    "attempts": [],
                }
                self._deliveries.append(record)
                started.append(_Delivery(self, record, self._generation))
        # Outside our lock: the pool tells dropped deliveries under its own, then takes ours.
        self.pool.submit(started)
        return [d.record["id"] for d in started]

    def _client(self) -> httpx.Client:
        # Redirects are not followed (httpx's default, stated here on purpose): a receiver answering
        # 307 to /__admin/reset must not make the mock call its own control plane. Proxies from the
        # environment are not used either: the target that was checked is the one connected to.
        return httpx.Client(timeout=self.settings.webhook_timeout, follow_redirects=False, trust_env=False)

    def _attempt(self, delivery: _Delivery, client: httpx.Client) -> float | None:
        record = delivery.record
        if delivery.generation != self._generation:
            return None
        url = record["url"]
        if webhook_targets.targets_own_control_plane(url, self.settings):
            reason = webhook_targets.own_control_plane_reason(url, self.settings)
            self._record(delivery, None, f"Refused, not sent: {reason}", reason=reason, final=True)
            return None
        try:
            if self._post is not None:
                status: int | None = self._post(url, record["body"], self.settings.webhook_timeout)
            else:
                status = client.post(url, json=record["body"]).status_code
            error = None
        except Exception as exc:  # any failure to deliver is an outcome to record
            status, error = None, f"{type(exc).__name__}: {exc}"
        retry = self._record(delivery, status, error)
        return self.settings.webhook_retry_seconds if retry else None

    def _record(
        self, delivery: _Delivery, status: int | None, error: str | None, reason: str | None = None, final: bool = False
    ) -> bool:
        """Records one attempt; whether another one is due."""
        record = delivery.record
        with self._lock:
            if delivery.generation != self._generation:
                return False
            attempt = len(record["attempts"]) + 1
            record["attempts"].append({"attempt": attempt, "at": self.clock.stamp(), "status": status, "error": error})
            if status == 200:
                record["status"] = "delivered"
                return False
            if final or attempt >= max(self.settings.webhook_max_attempts, 1):
                record["status"], record["reason"] = "failed", reason
                return False
            record["status"] = "retrying"
            return True

    def _drop(self, delivery: _Delivery, reason: str) -> None:
        with self._lock:
            if delivery.generation == self._generation:
                delivery.record["status"], delivery.record["reason"] = "dropped", reason


class _Delivery:
    """One delivery as the pool's task."""

    def __init__(self, hooks: Webhooks, record: dict[str, Any], generation: int) -> None:
        self.hooks = hooks
        self.record = record
        self.generation = generation

    def run(self, client: httpx.Client) -> float | None:
        return self.hooks._attempt(self, client)

    def dropped(self, reason: str) -> None:
        self.hooks._drop(self, reason)


def _copy(delivery: dict[str, Any]) -> dict[str, Any]:
    return {**delivery, "attempts": [dict(a) for a in delivery["attempts"]]}
