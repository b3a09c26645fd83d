"""HomeQ's documented rate limits (the listing read allows 60 requests a minute per user)."""

from __future__ import annotations

import collections
import datetime as dt
import math
import threading
from collections.abc import Hashable

from mockserver.engine.clock import Clock
from mockserver.engine.problems import TooManyRequests

RATE_LIMITED = "You have been rate limited. Please try again later."


class RateLimiter:
    """A sliding window of ``limit`` requests per ``window`` for each key, on the mock's clock."""

    def __init__(self, clock: Clock, limit: int, window: dt.timedelta = dt.timedelta(minutes=1)) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._seen: dict[Hashable, collections.deque[dt.datetime]] = {}
        self._lock = threading.Lock()

    def hit(self, key: Hashable) -> None:
        """Counts one request of ``key``; raises 429 ``RateLimited`` (with ``Retry-After``) past the limit."""
        now = self.clock.now()
        with self._lock:
            seen = self._seen.setdefault(key, collections.deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                wait = max(math.ceil((seen[0] + self.window - now).total_seconds()), 1)
                raise TooManyRequests(RATE_LIMITED, code="RateLimited", headers={"Retry-After": str(wait)})
            seen.append(now)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
