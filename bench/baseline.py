"""The ceiling: a bare Starlette app answering the benchmark's requests with the same bytes our mock
answered, without validation or state. Started by ``bench/run.py`` as
``python bench/baseline.py PORT ANSWERS.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build(answers: dict[str, dict[str, object]]) -> Starlette:
    async def answer(request: Request) -> Response:
        query = request.scope["query_string"].decode("latin-1")
        key = f"{request.method} {request.url.path}" + (f"?{query}" if query else "")
        found = answers.get(key)
        if found is None:
            return Response(status_code=404)
        body_in = await request.body()
        if "json" in request.headers.get("content-type", ""):
            json.loads(body_in or b"null")
        body = str(found["body"]).encode("latin-1")
        return Response(body, status_code=int(str(found["status"])), media_type=str(found["type"]) or None)

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    routes = [Route("/__admin/health", health), Route("/{path:path}", answer, methods=methods)]
    return Starlette(routes=routes)


if __name__ == "__main__":
    port, answers_file = int(sys.argv[1]), Path(sys.argv[2])
    app = build(json.loads(answers_file.read_text()))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
