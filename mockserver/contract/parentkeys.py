"""Keys of records that exist, for the path parameters of a spec served from the spec alone: what
the lifecycle pass (``contract.lifecycle``) needs to create a record below another (LaunchDarkly's
flags below a project: ``POST /flags/{projectKey}``) when the spec gives no example of the parent's
key. They are read from the API itself: each resource's collection is listed, shallowest first (a
nested one once its parents' keys are known), and the keys its records answer with are kept under
the name of the path parameter that names them (``projectKey``), as the run's dictionaries are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from mockserver.engine.jsonpointer import resolve_pointer
from mockserver.generic import model
from mockserver.generic.model import ApiModel, Resource

#: The keys kept per parameter: the first records' (the walk tries them in turn).
KEYS_KEPT = 3
TIMEOUT_SECONDS = 10.0


def parent_keys(found: ApiModel, base_url: str, headers: Mapping[str, str]) -> dict[str, list[Any]]:
    """``path.<parameter>`` -> keys of records the API at ``base_url`` lists (their base path
    included), for every resource of ``found`` whose records answer with their key."""
    keys: dict[str, list[Any]] = {}
    resources = sorted(found.resources.values(), key=lambda r: r.collection.count("{"))
    with httpx.Client(timeout=TIMEOUT_SECONDS) as http:
        for resource in resources:
            if resource.id_hidden or f"path.{resource.param}" in keys:
                continue
            listing = _listing(found, resource)
            if listing is None:
                continue
            for path in _filled(resource.collection, keys):  # below each known parent, until one has records
                kept = _keys(http, base_url.rstrip("/") + path, headers, listing, resource)
                if kept:
                    keys[f"path.{resource.param}"] = kept
                    break
    return keys


def _keys(
    http: httpx.Client, url: str, headers: Mapping[str, str], listing: model.Placement, resource: Resource
) -> list[Any]:
    try:
        answer = http.get(url, headers=dict(headers))
        records = resolve_pointer(answer.json(), listing.envelope or "") if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return []
    values = [r.get(resource.id_field) for r in records if isinstance(r, dict)] if isinstance(records, list) else []
    return [v for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)][:KEYS_KEPT]


def _listing(found: ApiModel, resource: Resource) -> model.Placement | None:
    return next(
        (
            p
            for p in found.operations.values()
            if p.resource == resource.name and p.kind == model.LIST and p.path == resource.collection
        ),
        None,
    )


def _filled(template: str, keys: Mapping[str, list[Any]]) -> list[str]:
    """``template`` with its parameters filled with known keys, each combination of them (none:
    a parameter's keys are not known)."""
    paths = [template]
    for name in re.findall(r"{([^}]+)}", template):
        known = keys.get(f"path.{name}") or []
        paths = [p.replace("{" + name + "}", quote(str(k), safe=""), 1) for p in paths for k in known]
    return paths
