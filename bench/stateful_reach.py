"""How far Schemathesis' stateful phase got with each resource's life, from a contract run's report.

    mockserver contract --base-url http://127.0.0.1:8000 --api homeq --report junit,ndjson \\
        --report-dir reports/reach --seed 1
    python bench/stateful_reach.py reports/reach

A resource is a collection that a POST creates in and the item path below it. For each one this
prints the steps that some stateful scenario chained on one record, in order: C (created: a 2xx POST
whose request or answer names the id), R (read back, 2xx), U (changed, 2xx), D (deleted, 2xx), and
R404 (a read or change after the delete that answered 404). A resource with C, D and R404 had the
whole life that the use-after-free and created-but-not-found checks look at.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockserver.apis import APIS

#: Collections created through another path than their own (HomeQ's API users are employees).
CREATED_ELSEWHERE = {"/api/v1/employees/api_user": "/api/v1/employees"}
STEPS = ("C", "R", "U", "D", "R404")


def resources(spec: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(collection path a POST creates in, item path) -> the item path's methods."""
    paths = spec["paths"]
    found: dict[tuple[str, str], set[str]] = {}
    for create_path, item in paths.items():
        if "post" not in item:
            continue
        collection = CREATED_ELSEWHERE.get(create_path, create_path).rstrip("/")
        for path, operations in paths.items():
            if path.startswith(collection + "/{") and path.count("/") == collection.count("/") + 1:
                methods = {m for m in operations if m in ("get", "head", "put", "patch", "delete")}
                found[(create_path, path)] = methods
    return found


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "/?$")


def _json(payload: Any) -> Any:
    if not payload:
        return None
    raw = base64.b64decode(payload["$base64"]) if isinstance(payload, dict) and "$base64" in payload else payload
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return None


def _scalars(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for item in value.values():
            _scalars(item, found)
    elif isinstance(value, list):
        for item in value:
            _scalars(item, found)
    elif value is not None and not isinstance(value, bool):
        found.add(str(value))
    return found


def _life(steps: list[dict[str, Any]], create: re.Pattern[str], item: re.Pattern[str], base: str) -> set[str]:
    """The most steps of one record's life that these exchanges (one scenario) chained."""
    created: set[str] = set()
    lives: dict[str, list[tuple[str, int]]] = {}
    for step in steps:
        request, response = step["request"], step.get("response")
        if not response:
            continue
        path = urlsplit(request["uri"]).path[len(base) :]
        status = response["status_code"]
        if request["method"] == "POST" and create.match(path):
            if 200 <= status < 300:
                created |= _scalars(_json(response.get("content")), set()) | _scalars(_json(request.get("body")), set())
            continue
        match = item.match(path)
        if match:
            lives.setdefault(match.group(1), []).append((request["method"], status))
    best: set[str] = set()
    for key, exchanges in lives.items():
        got = {"C"} if key in created else set()
        deleted = False
        for method, status in exchanges:
            ok = 200 <= status < 300
            if method in ("GET", "HEAD") and ok and not deleted and "C" in got:
                got.add("R")
            elif method in ("PUT", "PATCH") and ok:
                got.add("U")
            elif method == "DELETE" and ok:
                deleted = True
                got.add("D")
            elif deleted and status == 404 and method != "DELETE":
                got.add("R404")
        best = max(best, got, key=len)
    return best


def reach(report: Path, api: str) -> dict[str, set[str]]:
    definition = APIS[api]
    found = {key: set[str]() for key in resources(definition.spec)}
    patterns = {key: (_pattern(key[0]), _pattern(key[1])) for key in found}
    for ndjson in sorted(report.glob("*.ndjson")):
        for line in ndjson.read_text(encoding="utf-8").splitlines():
            event = json.loads(line).get("ScenarioFinished")
            if not event or event.get("phase") != "stateful":
                continue
            steps = sorted((event["recorder"].get("interactions") or {}).values(), key=lambda s: s["timestamp"])
            for key, (create, item) in patterns.items():
                life = _life(steps, create, item, definition.base_path)
                if len(life) > len(found[key]):
                    found[key] = life
    return {item: steps for (_, item), steps in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report_dir", type=Path, help="a contract run's --report-dir (run with --report ndjson)")
    args = parser.parse_args(argv)
    for folder in sorted(p for p in args.report_dir.iterdir() if p.is_dir() and p.name in APIS):
        found = reach(folder, folder.name)
        whole = [item for item, steps in found.items() if {"C", "D", "R404"} <= steps]
        print(f"{folder.name}: {len(whole)}/{len(found)} resources with the whole life chained")
        for item, steps in sorted(found.items()):
            print(f"  {'-'.join(s for s in STEPS if s in steps) or '(none)':<16} {item}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
