"""Time as the mock sees it.

Generated data is laid out around an anchor day so that a seed reproduces it exactly; the clock
runs from that anchor at real speed, so "upcoming" and "past" keep their meaning when the anchor is
fixed in the past or the future.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import time

from mockserver.engine.readlog import ReadLog, ReadLogs

UTC = dt.UTC


class Clock:
    def __init__(self, anchor: dt.date | None = None) -> None:
        real_now = dt.datetime.now(UTC)
        self.anchor: dt.date = anchor or real_now.date()
        if anchor is None:
            self._offset = dt.timedelta(0)
        else:
            # Start the shifted clock at the anchor day's noon.
            start = dt.datetime.combine(anchor, dt.time(12, 0), UTC)
            self._offset = start - real_now
        self._monotonic_origin = time.monotonic()
        self._offset_seconds = self._offset.total_seconds()
        self._last_second: tuple[int, dt.datetime] = (-1, real_now)
        self._last_stamp: tuple[dt.datetime | None, str] = (None, "")
        #: The read logs open on the clock (see :meth:`noting_reads`).
        self.read_logs = ReadLogs()

    def now(self) -> dt.datetime:
        """The clock's moment, to the second (made once a second: every request asks for it)."""
        second = math.floor(time.time() + self._offset_seconds)
        last = self._last_second
        if last[0] != second:
            last = self._last_second = (second, dt.datetime.fromtimestamp(second, UTC))
        return last[1]

    def stamp(self) -> str:
        """Now, as the ISO 8601 UTC text every API stores and answers (written once a second:
        every request stamps its journal entry)."""
        now = self.now()
        last = self._last_stamp
        if last[0] is not now and last[0] != now:
            last = self._last_stamp = (now, isoformat(now))
        return last[1]

    def advance(self, delta: dt.timedelta) -> None:
        """Moves the clock on (tests and the control plane use it to reach scheduled moments)."""
        self._offset += delta
        self._offset_seconds = self._offset.total_seconds()

    def noting_reads(self, log: ReadLog) -> contextlib.AbstractContextManager[ReadLog]:
        """Inside, whether this thread asks the time (:meth:`now`, and so :meth:`stamp` and
        :meth:`today`) is noted in ``log`` (for view caches' check of what a view reads)."""
        return self.read_logs.opened(log, self._noting)

    def _noting(self, on: bool) -> None:
        self.__class__ = _NotingClock if on else Clock

    def today(self) -> dt.date:
        return self.now().date()

    def at(self, days: int, hour: int = 0, minute: int = 0) -> dt.datetime:
        """A moment ``days`` after the anchor day (negative: before), independent of the real time."""
        day = self.anchor + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), UTC)


class _NotingClock(Clock):
    """A clock that notes who asks it the time in its open read logs (:meth:`Clock.noting_reads`)."""

    def now(self) -> dt.datetime:
        self.read_logs.clock()
        return super().now()


def isoformat(moment: dt.datetime) -> str:
    """RFC 3339 with a ``Z``, the way the documented APIs write date-times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
