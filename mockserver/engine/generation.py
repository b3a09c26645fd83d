"""What every API's data generator starts from: one ``random.Random(seed)`` and one ``Faker`` in
the API's locale seeded alike, drawn from in a fixed order, so that the same seed gives the same
records on every machine (Faker is pinned in ``pyproject.toml`` because its output changes between
releases). Dates come from the runtime's clock, relative to its anchor day.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, ClassVar

from mockserver.engine.clock import Clock, isoformat
from mockserver.engine.store import Store

if TYPE_CHECKING:
    from faker import Faker


class SeededGenerator:
    #: Faker's locale for names, addresses and texts.
    locale: ClassVar[str] = "en_GB"
    #: The hours (first, last) generated moments fall in.
    office_hours: ClassVar[tuple[int, int]] = (8, 19)
    #: The Faker providers the generators draw from. Faker loads all of its ~25 for each locale
    #: unless told which (~40 ms of every start); add one here before calling its methods.
    providers: ClassVar[tuple[str, ...]] = tuple(
        f"faker.providers.{name}"
        for name in ("person", "address", "phone_number", "company", "job", "date_time", "lorem")
    )

    def __init__(self, store: Store, *, seed: int, volume: int, clock: Clock) -> None:
        self.store = store
        self.seed = seed
        self.volume = volume
        self.clock = clock
        self.rng = random.Random(seed)
        from faker import Faker  # only when data is made: a start that loads it skips Faker's import

        self.fake: Faker = Faker(self.locale, providers=list(self.providers))
        self.fake.seed_instance(seed)

    def moment(self, low_days: int, high_days: int) -> str:
        """A quarter-hour in office hours between ``low_days`` and ``high_days`` from the anchor day."""
        days = self.rng.randint(low_days, high_days)
        return isoformat(self.clock.at(days, self.rng.randint(*self.office_hours), self.rng.choice((0, 15, 30, 45))))
