"""What a client's isolated session costs: forking an API's seeded state (``SeededState.fork``), its
first write, its first read and its reset, at the default volume and with a large store, and the
memory each fork holds.

Usage: ``python bench/sessions.py [--sizes 0,100000] [--apis portal,homeq] [--forks 30]``. For each
API and size it builds the API's state in-process with that many records added to the seeded data
(size 0: the default volume as it is) in its biggest table: the portal's applications, the
consumer portal's product actions, the instruction API's cases, HomeQ's apartments (100 to an
estate, a listing on every third, as ``bench/homeq_scale.py`` adds them). It then times, once, the
frozen seeded store that forks read through to (``seeded()``, made on the first fork; its memory
as RSS growth) and the first fork (which builds the structures forks share: HomeQ's estate order,
the instruction API's reference index), and the median over ``--forks`` further forks of: making
one, its first write through the API's services (a favourite, a session's address, a case's
references, an estate), its reset and, in forks of their own, a first read after that write
(Alice's applications, an OTD document, a case by reference, a card search: HomeQ's takes the
shared card index). What was made before the forks is frozen for the garbage collector
(``gc.freeze``: a collection of a large store would otherwise land on whichever sample it
interrupts). Memory per fork is traced (``tracemalloc``) over ten forks, each with its first write.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import functools
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.homeq_scale import add_apartments
from bench.timing import rss_kib
from mockserver.apis import APIS
from mockserver.apis.instruction.lookups import INTRODUCER
from mockserver.engine.clock import Clock
from mockserver.engine.store import Store
from mockserver.generic.packaged import state_class
from mockserver.settings import Settings

ANCHOR = dt.date(2026, 3, 2)
CONSUMER = "CNSRCEC47CDCA8A89085FB562D681733A6"
#: One of that consumer's product actions with an OTD document.
OTD = "PRA0117B05B5D89DBD8632C06847CB133"
State = Any


# -- filling the seeded data -------------------------------------------------------------------------
def fill_portal(store: Store, size: int) -> None:
    template = next(a for a in store.applications.all() if a["customerId"] != 1)
    for n in range(size):
        record = copy.copy(template)
        record.update(id=None, customerId=1_000_000 + n % max(size // 10, 1), isArchived=n % 4 == 0)
        store.applications.insert(record)


def fill_consumerportal(store: Store, size: int) -> None:
    template = store.productactions.all()[0]
    for n in range(size):
        store.productactions.insert({**template, "id": f"PRABENCH{n:09d}", "dossier_id": f"DSBENCH{n % 10_000}"})


def fill_instruction(store: Store, size: int) -> None:
    template = store.instructions.all()[0]
    for n in range(size):
        case = {**template, "tmpReference": f"TMPB{n:08d}"}
        case["introducerReferences"] = {"customer": f"B-C-{n}", "integration": f"B-I-{n}"}
        case["supplierReferences"] = {"customer": f"S-C-{n}", "integration": None}
        store.instructions.insert(case, key_field="tmpReference")


def fill_homeq(store: Store, size: int) -> None:
    add_apartments(store, size)


FILLS: dict[str, Callable[[Store, int], None]] = {
    "portal": fill_portal,
    "consumerportal": fill_consumerportal,
    "instruction": fill_instruction,
    "homeq": fill_homeq,
}


# -- a write and a read per API, through its services ---------------------------------------------
def homeq_caller(state: State) -> Any:
    return state.access.landlord_caller(state.store.employees.find_one(username="erik.lindberg"))


def homeward(state: State) -> str:
    found: str = state.store.organisations.find_one(apiKey="demo-homeward-key")["id"]
    return found


WRITES: dict[str, Callable[[State], object]] = {
    "portal": lambda s: s.service.add_favourite(1, 5355),
    "consumerportal": lambda s: s.service.get_session(None, CONSUMER, "203.0.113.9"),
    "instruction": lambda s: s.service.update_references(
        homeward(s), INTRODUCER, "TMP110001", {"uniqueCustomerReference": "Session-1"}
    ),
    "homeq": lambda s: s.inventory.create_estate(homeq_caller(s), {"legal_name": "Session", "city": "Stockholm"}),
}
READS: dict[str, Callable[[State], object]] = {
    "portal": lambda s: s.service.list_appointments(1, None),
    "consumerportal": lambda s: s.service.otd_pdf(CONSUMER, OTD),
    "instruction": lambda s: s.service.get_by_reference(homeward(s), INTRODUCER, "Session-1"),
    "homeq": lambda s: s.search.search_cards({"max_rent": 10000, "amount": 10}),
}


def state_with(api: str, size: int) -> State:
    """The API's state (no cache folder), its seeded data grown by ``size`` records."""
    settings = Settings(anchor_date=ANCHOR, apis=(api,), cache_dir="")
    kind = state_class(APIS[api], settings)
    seeding = kind.seeding

    def grown(store: Store, **kwargs: Any) -> None:
        seeding.populate(store, **kwargs)
        FILLS[api](store, size)

    # A subclass seeds the grown data, and so do its forks (``fork`` makes the state's own class).
    grown_kind = type(kind.__name__, (kind,), {"seeding": dataclasses.replace(seeding, populate=grown)})
    return grown_kind(settings, Clock(ANCHOR))


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(api: str, size: int, forks: int) -> dict[str, float]:
    state = state_with(api, size)
    gc.collect()
    before = rss_kib()
    seeded_s, seeded = timed(state.seeded)
    gc.collect()
    seeded_mib = (rss_kib() - before) / 1024
    records = max(seeded.counts().values())
    first_fork_s, warm = timed(state.fork)
    WRITES[api](warm)
    READS[api](warm)  # HomeQ: the first card search of any fork builds the shared index
    gc.collect()
    gc.freeze()  # what was there before the forks: no collection walks it while they are timed
    samples: dict[str, list[float]] = {"fork": [], "write": [], "reset": [], "read": []}
    for _ in range(forks):
        seconds, forked = timed(state.fork)
        samples["fork"].append(seconds)
        samples["write"].append(timed(functools.partial(WRITES[api], forked))[0])
        samples["reset"].append(timed(forked.reset)[0])
    for _ in range(forks):  # apart: HomeQ's first card search sweeps the caches for what follows it
        forked = state.fork()
        WRITES[api](forked)
        samples["read"].append(timed(functools.partial(READS[api], forked))[0])
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.take_snapshot()
    kept = []
    for _ in range(10):
        forked = state.fork()
        WRITES[api](forked)
        kept.append(forked)
    gc.collect()
    gc.unfreeze()
    traced = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(start, "filename"))
    tracemalloc.stop()
    result = {f"{name}_us": statistics.median(values) * 1e6 for name, values in samples.items()}
    result.update(
        records=records,
        seeded_s=seeded_s,
        seeded_mib=seeded_mib,
        first_fork_ms=first_fork_s * 1e3,
        kib_per_fork=traced / 10 / 1024,
    )
    return result


COLUMNS = [
    ("biggest table", "records", ",.0f"),
    ("seeded() s", "seeded_s", ".2f"),
    ("seeded MiB", "seeded_mib", ".1f"),
    ("first fork ms", "first_fork_ms", ",.1f"),
    ("fork µs", "fork_us", ",.0f"),
    ("first write µs", "write_us", ",.0f"),
    ("first read µs", "read_us", ",.0f"),
    ("reset µs", "reset_us", ",.0f"),
    ("KiB per fork", "kib_per_fork", ",.1f"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,100000", help="records added to the biggest table (comma-separated)")
    parser.add_argument("--apis", default=",".join(APIS), help="APIs (comma-separated)")
    parser.add_argument("--forks", type=int, default=30, help="forks timed per API and size (median)")
    args = parser.parse_args()
    print("| API | added | " + " | ".join(heading for heading, _, _ in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for api in args.apis.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            result = measure(api, size, args.forks)
            cells = [api, f"{size:,}", *(format(result[key], spec) for _, key, spec in COLUMNS)]
            print("| " + " | ".join(cells) + " |", flush=True)
            gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
