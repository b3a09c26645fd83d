"""The entries of one page of HomeQ's inventory (``/api/v1/inventory``): an estate, an apartment or
a listing (``object_ad``), each with the references HomeQ's search index keeps beside it.

A page is built from the stored rows themselves, read without copying: the inventory holds the
store's lock while it builds one, and every view is a new container of the rows' scalar values
(the one stored container an entry shows, a listing's winner, is copied). What the entries of a
page share (an estate's reference, a project's, a requirement profile's, the moment, the nightly
statistics) is built once per page; nothing is kept from one page to the next.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mockserver.engine.store import Store

if TYPE_CHECKING:
    from .market import Market

Body = dict[str, Any]


class Page:
    def __init__(self, store: Store, market: Market, stamp: str) -> None:
        self.store = store
        self.market = market
        #: When the page was read: every entry's ``indexed_at`` and every listing's statistics.
        self.stamp = stamp
        self.results: list[Body] = []
        self._estates: dict[int, Body] = {}
        self._projects: dict[int, Body | None] = {}
        self._requirements: dict[int, Body | None] = {}
        #: The version of apartments' references, read once: a page is built under the store's lock.
        self._apartment_version: tuple[int, ...] | None = None
        self._nightly_stats: Body | None = None

    def add(self, kind: str, estate: Body, record: Body, listing: Body | None) -> None:
        """Appends the entry of ``kind`` (``estate``, ``apartment`` or ``object_ad``) for ``estate``
        and, below it, the apartment ``record`` and its ``listing``."""
        estate_ref = self._estates.get(estate["id"])
        if estate_ref is None:
            estate_ref = self._estates[estate["id"]] = self.market.shared_estate_ref(estate)
        key = listing["id"] if listing else record["id"]
        view: Body = {"type": kind, "identifier": f"{kind}.{key}", "indexed_at": self.stamp, "estate": estate_ref}
        if kind != "estate":
            if self._apartment_version is None:
                self._apartment_version = self.market.apartment_refs_version()
            view["apartment"] = self.market.shared_apartment_ref(record, self._apartment_version)
            view["project"] = self._project(estate.get("project"))
            view["requirements"] = self._requirement(listing["requirement"]) if listing else None
            view["reserved_application"] = self._winner(listing) if listing else None
            if listing is not None:
                if self._nightly_stats is None:
                    self._nightly_stats = self.market.nightly_stats(self.stamp)
                view["object_ad"] = {**self.market._ad(listing, self.stamp), "nightly_stats": self._nightly_stats}
        self.results.append(view)

    def _project(self, project_id: int | None) -> Body | None:
        if not project_id:
            return None
        if project_id not in self._projects:
            project = self.store.projects.peek(project_id)
            self._projects[project_id] = {"id": project["id"], "name": project["name"]} if project else None
        return self._projects[project_id]

    def _requirement(self, requirement_id: int | None) -> Body | None:
        if not requirement_id:
            return None
        if requirement_id not in self._requirements:
            requirement = self.store.requirements.peek(requirement_id)
            self._requirements[requirement_id] = (
                {
                    "allows_pets": requirement["pets"],
                    "allows_smoking": requirement["smoking"],
                    "is_senior": requirement["senior"],
                    "is_student": requirement["student"],
                    "is_youth": requirement["youth"],
                    "pk": requirement["id"],
                }
                if requirement
                else None
            )
        return self._requirements[requirement_id]

    def _winner(self, listing: Body) -> Body | None:
        """The winning application of a rented or deleted listing, the reserved one of a reserved one."""
        winner: Body | None = listing.get("winner")
        if winner:
            return copy.deepcopy(winner)  # stored with the listing, and nested
        if listing["status"] == "reserved" and listing.get("reserved_candidate"):
            application = self.store.applications.peek(listing["reserved_candidate"])
            return self.market.application_info(application) if application else None
        return None
