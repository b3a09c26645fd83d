"""In-process latency of single requests through the whole ASGI stack (no sockets, one at a time):
the quickest way to see what a change to the request path costs.

Usage: ``python bench/latency.py [--requests 400] [--api portal] [PATH ...]`` (GETs of the API's
paths, as its first demo user), e.g. ``python bench/latency.py /profile /profile/applications`` or
``python bench/latency.py --api homeq '/api/v1/inventory?type=apartment&amount=20'``;
``--workloads`` times each single-request workload of ``bench/workloads.py`` for the API instead
(bodies, uploads and errors included); ``--direct`` calls the ASGI app itself, without httpx's
transport (which adds a few hundred microseconds), to see the server's own cost; ``--origin URL`` sends
``Origin: URL`` with every request, as a page of another origin (a frontend's dev server) does;
``--fast-path-off`` times Connexion's stack alone (``FAST_PATH=0``); ``--session NAME`` sends
``X-Mock-Session: NAME`` with every request, so that the same requests run in a client's session
(with that session's demo credentials) instead of the default state; ``--spec FILE`` serves that
spec from the spec alone (``mockserver run --spec``) instead of the packaged API, e.g.
``python bench/latency.py --direct --spec specs/portal.yaml /profile/applications/1``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from run import call_body, call_headers  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

from bench.timing import asgi_median_us, median_us  # noqa: E402
from mockserver.apis import APIS  # noqa: E402
from mockserver.settings import Settings  # noqa: E402
from mockserver.web.app import MockServer  # noqa: E402


async def credentials(client: httpx.AsyncClient, api: str, session: str | None = None) -> dict[str, str]:
    """The first demo user's headers, as the control plane lists them (in ``session``: made first)."""
    listing = "/__admin/apis"
    if session is not None:
        (await client.put(f"/__admin/sessions/{session}")).raise_for_status()
        listing += f"?session={session}"
    auth = next(a["auth"] for a in (await client.get(listing)).json()["apis"] if a["name"] == api)
    user = auth["users"][0]
    token = user.get("token") or user["longLivedToken"]
    return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}


async def measure(
    api: str,
    paths: list[str],
    count: int,
    workloads: bool,
    direct: bool,
    origin: str | None,
    fast_path: bool = True,
    session: str | None = None,
    spec: str | None = None,
) -> None:
    if spec is None:
        server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), apis=(api,), fast_path=fast_path))
    else:
        server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), spec_files=(spec,), fast_path=fast_path))
        api = next(iter(server.runtime.apis))
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = await credentials(client, api, session)
        if origin:
            headers["Origin"] = origin
        if session is not None:
            headers["X-Mock-Session"] = session
        base = server.runtime.apis[api].definition.base_path

        async def timed(method: str, path: str, **kwargs: Any) -> tuple[float, int]:
            if direct:
                return await asgi_median_us(server, method, path, count, warmup=20, **kwargs)
            return await median_us(client, method, path, count, warmup=20, check=False, **kwargs)

        if not workloads:
            for path in paths:
                median, status = await timed("GET", base + path, headers=headers)
                print(f"{path}: median {median:,.0f} µs ({status})")
            return
        for workload in WORKLOADS[api]:
            if len(workload.calls) != 1:
                continue
            (call,) = workload.calls
            body = call_body(call)
            median, status = await timed(
                call.method,
                base + call.path,
                headers=call_headers(call, headers),
                content=body.encode() if body is not None else None,
            )
            print(f"{workload.name}: median {median:,.0f} µs ({status})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--api", default="portal", choices=sorted(APIS))
    parser.add_argument("--workloads", action="store_true", help="time the API's single-request workloads")
    parser.add_argument("--origin", help="send this Origin header with every request (a cross-origin page)")
    parser.add_argument("--fast-path-off", action="store_true", help="Connexion's stack alone (FAST_PATH=0)")
    parser.add_argument("--direct", action="store_true", help="call the ASGI app directly: no httpx client in between")
    parser.add_argument("--session", help="send X-Mock-Session: SESSION with every request (a client's session)")
    parser.add_argument("--spec", help="serve this spec from the spec alone (mockserver run --spec) instead")
    parser.add_argument("paths", nargs="*", default=["/profile", "/profile/applications"])
    args = parser.parse_args()
    asyncio.run(
        measure(
            args.api,
            args.paths,
            args.requests,
            args.workloads,
            args.direct,
            args.origin,
            not args.fast_path_off,
            args.session,
            args.spec,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
