"""The public card search's index: every public listing's searchable values as numpy columns.

A card search filters and orders listings by values spread over four tables (the listing's status
and sorting mode, its apartment's rent, rooms, area, floor, amenities and coordinates, its estate's
company and project, its requirement profile's pets flag and audience). Reading those records per
listing made a search cost ~40 µs for every public listing in the store; here each public listing
is one row of flat columns, so a search is a handful of vectorised comparisons (a few hundred µs for
30,000 listings) and records are read only for the page that is shown.

The index is built on the first search (so that numpy is imported only when a search needs it) and
then kept exact by :meth:`mockserver.engine.store.Table.watch` callbacks on the four tables: every write
refreshes the rows it touches, under the store's lock, before anyone can search again. Over a fork
of a frozen store (:meth:`mockserver.engine.store.Store.fork`) the first search takes the frozen
store's index (built once, :meth:`~mockserver.engine.store.Store.derived`), shared until the fork
changes a card (then copied: a few array copies) and refreshed for the listings the fork has
touched, instead of reading every listing again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from mockserver.engine.store import ForkTable, Store

from .views import present

if TYPE_CHECKING:
    import numpy as np

Body = dict[str, Any]

#: Card statuses, in the order of their codes.
STATUSES = ("active", "approved", "paused", "reserved")
#: The search flags that include or exclude each candidate sorting mode.
MODES = ("first_come_first", "queue_points", "random")
AUDIENCES = ("everyone", "senior", "student", "youth")
#: Card search flag -> apartment field (each flag is one bit of the ``amenities`` column).
AMENITIES = {
    "balcony": "balcony",
    "bathtub": "bathtub",
    "dishwasher": "dishwasher",
    "drier": "dryer",
    "elevator": "elevator",
    "garage": "garage",
    "handicap_friendly": "handicap_adapted",
    "kitchen_fan": "kitchen_fan",
    "parking": "parking",
    "patio": "patio",
    "washing_machine": "washing_machine",
}
#: The range filters: search key (``min_``/``max_`` prefix) -> column.
RANGES = {"rent": "rent", "room": "rooms", "area": "area", "floor": "floor"}
#: Column name -> numpy dtype.
COLUMNS = {
    "key": "int64",
    "status": "int8",
    "project_rental": "bool",
    "mode": "int8",
    "rent": "float64",
    "rooms": "float64",
    "area": "float64",
    "floor": "float64",
    "lat": "float64",
    "lon": "float64",
    "amenities": "int32",
    "company": "int64",
    "estate": "int64",
    "project": "int64",
    "pets": "bool",
    "audience": "int8",
    "publish": "float64",
    "boost": "float64",
}
NO_PROJECT = -1


class Matches:
    """The rows of one search's hits."""

    def __init__(self, index: CardIndex, rows: np.ndarray, distance: np.ndarray | None) -> None:
        self.index = index
        self.rows = rows
        self.distance = distance

    def __len__(self) -> int:
        return len(self.rows)

    def top(self, field: str, descending: bool, count: int) -> list[tuple[float, int]]:
        """The first ``count`` hits as (sort value, listing id), ordered by value then id (both
        reversed when ``descending``), with no full sort of the hits."""
        import numpy as np

        if count <= 0 or len(self.rows) == 0:
            return []
        columns = self.index.columns
        if field == "distance" and self.distance is not None:
            values = self.distance
        else:
            values = columns[_SORT_COLUMNS.get(field, "publish")][self.rows]
            if field in RANGES.values():  # an apartment without the value sorts as 0
                values = np.nan_to_num(values, nan=0.0)
        keys = columns["key"][self.rows]
        # Smallest first in (primary, secondary) order.
        primary, secondary = (-values, -keys) if descending else (values, keys)
        chosen = np.arange(len(values))
        if len(values) > count:
            threshold = np.partition(primary, count - 1)[count - 1]
            better = np.flatnonzero(primary < threshold)
            tied = np.flatnonzero(primary == threshold)
            needed = count - len(better)
            if len(tied) > needed:
                tied = tied[np.argpartition(secondary[tied], needed - 1)[:needed]]
            chosen = np.concatenate([better, tied])
        order = chosen[np.lexsort((secondary[chosen], primary[chosen]))]
        return [(float(values[i]), int(keys[i])) for i in order]


_SORT_COLUMNS = {
    "publish_date": "publish",
    "boost_value": "boost",
    "rent": "rent",
    "rooms": "rooms",
    "area": "area",
    "floor": "floor",
}


#: The tables a card is made from, each with the listings' field that names its row.
_SOURCES = (("listings", "id"), ("apartments", "apartment"), ("estates", "estate"), ("requirements", "requirement"))


class CardIndex:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.columns: dict[str, np.ndarray] = {}
        self._row: dict[int, int] = {}  # listing id -> row
        self._free: list[int] = []
        self._built = False
        #: Whether the columns, rows and free rows are a frozen base's, not to be changed in place.
        self._borrowed = False
        for table, field in _SOURCES:
            getattr(store, table).watch(self._watcher(field))

    # -- upkeep ----------------------------------------------------------------------------------
    def _watcher(self, field: str) -> Callable[[Any], None]:
        """Refreshes the rows of the listings whose ``field`` is the changed row's key (a listing's
        own ``id`` for the listings table); a cleared table drops the index until the next search."""

        def changed(key: Any) -> None:
            if not self._built:
                return
            if key is None:
                self._built = False
            elif field == "id":
                self._refresh(key)
            else:
                for listing in self.store.listings.keys(**{field: key}):
                    self._refresh(listing)

        return changed

    def _build(self) -> None:
        import numpy as np

        if self._copy_base():
            return
        keys = [key for status in STATUSES for key in self.store.listings.keys(status=status)]
        rows = [values for key in keys if (values := self._values(key)) is not None]
        capacity = max(64, len(rows) + len(rows) // 4)
        self.columns = {name: np.zeros(capacity, dtype=dtype) for name, dtype in COLUMNS.items()}
        self.columns["key"][:] = -1
        self.columns["status"][:] = len(STATUSES)
        for number, values in enumerate(rows):
            for name, value in zip(COLUMNS, values, strict=True):
                self.columns[name][number] = value
        self._row = {values[0]: number for number, values in enumerate(rows)}
        self._free = list(range(capacity - 1, len(rows) - 1, -1))
        self._borrowed, self._built = False, True

    def _copy_base(self) -> bool:
        """Over a fork whose four tables still read through to its frozen base: the base's index
        (its columns shared until the fork first changes one, then copied: :meth:`_own`), with the
        listings the fork has touched (or whose apartment, estate or requirement it has) refreshed;
        says whether it was so."""
        seeded = self.store.base
        tables = [cast(ForkTable, getattr(self.store, table)) for table, _ in _SOURCES]
        if seeded is None or any(table.base is None for table in tables):
            return False
        base = seeded.derived(CardIndex, lambda: CardIndex(seeded).built())
        self.columns, self._row, self._free = base.columns, base._row, base._free
        self._borrowed = self._built = True
        listings = self.store.listings
        for table, (_, field) in zip(tables, _SOURCES, strict=True):
            for key in table.touched():
                for listing in [key] if field == "id" else listings.keys(**{field: key}):
                    self._refresh(listing)
        return True

    def built(self) -> CardIndex:
        """The index, built now."""
        if not self._built:
            self._build()
        return self

    def _own(self) -> None:
        """Copies the base's columns before their first change (see :meth:`_copy_base`)."""
        self.columns = {name: column.copy() for name, column in self.columns.items()}
        self._row, self._free = dict(self._row), list(self._free)
        self._borrowed = False

    def _refresh(self, key: int) -> None:
        values = self._values(key)
        row = self._row.get(key)
        if self._borrowed and (values is not None or row is not None):
            self._own()
        if values is None:
            if row is not None:
                del self._row[key]
                self.columns["key"][row] = -1
                self.columns["status"][row] = len(STATUSES)
                self._free.append(row)
            return
        if row is None:
            if not self._free:
                self._grow()
            row = self._row[key] = self._free.pop()
        for name, value in zip(COLUMNS, values, strict=True):
            self.columns[name][row] = value

    def _grow(self) -> None:
        import numpy as np

        size = len(self.columns["key"])
        for name, column in self.columns.items():
            grown = np.zeros(size * 2, dtype=column.dtype)
            grown[:size] = column
            if name == "key":
                grown[size:] = -1
            elif name == "status":
                grown[size:] = len(STATUSES)
            self.columns[name] = grown
        self._free.extend(range(size * 2 - 1, size - 1, -1))

    def _values(self, key: int) -> tuple[Any, ...] | None:
        """A listing's row, or None when it cannot be a card (not public, or its apartment or
        estate is gone)."""
        listing = self.store.listings.peek(key)
        if listing is None or listing["status"] not in STATUSES:
            return None
        apartment = self.store.apartments.peek(listing["apartment"])
        estate = self.store.estates.peek(apartment["estate"]) if apartment else None
        if apartment is None or estate is None:
            return None
        requirement = self.store.requirements.peek(listing["requirement"]) if listing["requirement"] else None
        amenities = 0
        for bit, field in enumerate(AMENITIES.values()):
            if present(apartment.get(field)):
                amenities |= 1 << bit
        mode = listing["candidate_sorting_mode"]
        return (
            key,
            STATUSES.index(listing["status"]),
            bool(listing["is_project_rental"]),
            MODES.index(mode) if mode in MODES else len(MODES),
            _number(apartment.get("rent")),
            _number(apartment.get("rooms")),
            _number(apartment.get("area")),
            _number(apartment.get("floor")),
            _number(apartment.get("latitude")),
            _number(apartment.get("longitude")),
            amenities,
            estate["company"],
            estate["id"],
            estate.get("project") or NO_PROJECT,
            bool(requirement and requirement["pets"]),
            AUDIENCES.index(audience(requirement)),
            publish_moment(listing["date_publish"]),
            boost(key),
        )

    # -- search ----------------------------------------------------------------------------------
    def match(self, body: Body, centre: tuple[float, float], radius_km: float | None, by_distance: bool) -> Matches:
        """The listings a card search hits (``body`` as documented for ``POST /api/v3/cards/``);
        their distances from ``centre`` are computed when a radius or the sorting needs them."""
        import numpy as np

        if not self._built:
            self._build()
        c = self.columns
        company, project = body.get("company"), body.get("project")
        # Lookup tables by code (a free row's status is len(STATUSES): never shown).
        shown = np.zeros(len(STATUSES) + 1, dtype=bool)
        shown[[STATUSES.index("active"), STATUSES.index("approved")]] = True
        for status in ("paused", "reserved"):
            shown[STATUSES.index(status)] = bool(body.get(status)) or company is not None
        mask = shown[c["status"]]
        if project is None:
            mask &= ~c["project_rental"]
        for code, mode in enumerate(MODES):
            if not body.get(mode, True):
                mask &= c["mode"] != code
        ads = body.get("project_ads") if project is not None else body.get("ads")
        if ads:
            mask &= np.isin(c["key"], list(ads))
        for key, column in RANGES.items():
            low, high = body.get(f"min_{key}"), body.get(f"max_{key}")
            if low is not None:
                mask &= c[column] >= low
            if high is not None:
                mask &= c[column] <= high
        wanted = sum(1 << bit for bit, flag in enumerate(AMENITIES) if body.get(flag))
        if wanted:
            mask &= (c["amenities"] & wanted) == wanted
        for key in ("company", "estate", "project"):
            if body.get(key) is not None:
                mask &= c[key] == body[key]
        bounds = body.get("geo_bounds")
        if bounds and all(k in bounds for k in ("min_lat", "max_lat", "min_lng", "max_lng")):
            mask &= (c["lat"] >= bounds["min_lat"]) & (c["lat"] <= bounds["max_lat"])
            mask &= (c["lon"] >= bounds["min_lng"]) & (c["lon"] <= bounds["max_lng"])
        if body.get("pets"):
            mask &= c["pets"]
        if body.get("tags"):
            tagged = np.zeros(len(AUDIENCES), dtype=bool)
            tagged[[AUDIENCES.index(t) for t in body["tags"] if t in AUDIENCES]] = True
            mask &= tagged[c["audience"]]
        rows = np.flatnonzero(mask)
        distance = None
        if radius_km is not None or by_distance:
            distance = distances(centre, c["lat"][rows], c["lon"][rows])
        if radius_km is not None and distance is not None:
            inside = distance <= radius_km
            rows, distance = rows[inside], distance[inside]
        return Matches(self, rows, distance)


def distances(centre: tuple[float, float], lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from ``centre`` (the haversine formula, vectorised)."""
    import numpy as np

    lat1, lon1 = math.radians(centre[0]), math.radians(centre[1])
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    result: np.ndarray = 6371.0 * 2 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


def audience(requirement: Body | None) -> str:
    for flag in ("senior", "student", "youth"):
        if requirement and requirement.get(flag):
            return flag
    return "everyone"


def boost(listing_id: int) -> float:
    """A stable per-listing boost between 1 and 2 (HomeQ's promotion weight)."""
    return 1 + hashlib.sha256(str(listing_id).encode()).digest()[0] / 255


def publish_moment(value: str | None) -> float:
    """A publish date or moment as seconds since the epoch (UTC when it has no zone); no date sorts
    before every date."""
    if not value:
        return -math.inf
    if "T" not in value:
        moment = dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time(0, 0), dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
