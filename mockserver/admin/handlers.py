"""Handlers of the control plane. Each is a small task on the :class:`Runtime`.

A call about an API's state, journal, rules or webhooks acts on the default state or, with
``session`` (a query parameter, or a field of the body), on that client's session
(``engine.sessions``); an unknown session is 404.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any, cast

from mockserver.admin.extensions import PROJECT_FOLLOWING, ProjectFollowing
from mockserver.coverage import CoverageReport, api_coverage, html_report
from mockserver.engine.problems import CATALOGUE, BadRequest, NotFound
from mockserver.engine.registry import ApiState, WebhookSource
from mockserver.engine.rules import RuleSet
from mockserver.engine.runtime import Runtime
from mockserver.engine.sessions import Journal, Session, check_name

#: The media types the upload target serves files back as (its spec lists them).
SERVED_TYPES = ("image/jpeg", "image/png", "application/pdf", "video/mp4")
HTML = "text/html"


class AdminHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _check_api(self, api: str | None) -> None:
        if api is not None and api not in self.runtime.apis:
            known = ", ".join(self.runtime.apis)
            raise NotFound(f"No API named {api!r} is served; served: {known}.")

    def _session(self, name: str | None) -> Session | None:
        """The session ``name`` (``None``: the default state); 404 for an unknown one, the
        ``session-name-invalid`` problem for a name no session can have."""
        if name is None:
            return None
        session = self.runtime.sessions.get(check_name(name))
        if session is None:
            raise NotFound(
                f"No session named {name!r}: make it with PUT /__admin/sessions/{name}, or by a request in it."
            )
        return session

    def _state(self, api: str, session: Session | None) -> ApiState:
        return self.runtime.apis[api].state if session is None else session.states[api]

    def _journal(self, session: Session | None) -> Journal:
        return self.runtime.journal if session is None else session.journal

    def _rules(self, session: Session | None) -> RuleSet:
        return self.runtime.rules if session is None else session.rules

    async def get_health(self) -> tuple[dict[str, Any], int]:
        return {
            "status": "ok",
            "uptimeSeconds": round(time.monotonic() - self.runtime.started, 3),
            "seed": self.runtime.settings.seed,
            "anchorDate": self.runtime.clock.anchor.isoformat(),
            "apis": list(self.runtime.apis),
        }, 200

    async def list_apis(self, session: str | None = None) -> tuple[dict[str, Any], int]:
        found = self._session(session)
        apis = []
        for served in self.runtime.apis.values():
            base = served.definition.base_path
            state = self._state(served.name, found)
            apis.append(
                {
                    "name": served.name,
                    "title": served.definition.title,
                    "basePath": base,
                    "spec": f"{base}/openapi.json",
                    "docs": f"{base}/ui/",
                    "auth": state.auth_description(),
                    "records": state.counts(),
                }
            )
        return {"apis": apis}, 200

    async def reset_state(self, api: str | None = None, session: str | None = None) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        found = self._session(session)
        return {"reset": self.runtime.reset(api) if found is None else found.reset(api)}, 200

    async def list_requests(
        self, limit: int | None = None, api: str | None = None, session: str | None = None
    ) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        entries = self._journal(self._session(session)).entries()
        if api is not None:
            entries = [e for e in entries if e["api"] == api]
        if limit is not None:
            entries = entries[:limit]
        return {"requests": entries}, 200

    async def get_coverage(
        self, api: str | None = None, session: str | None = None, format: str | None = None, accept: str | None = None
    ) -> tuple[Any, ...]:
        """The documented responses each operation answered (``engine.coverage``), as JSON or, with
        ``format=html`` or a browser's ``Accept``, as a page."""
        self._check_api(api)
        found = self._session(session)
        names = [api] if api is not None else list(self.runtime.apis)
        observed = (self.runtime.coverage if found is None else found.coverage).observed(names)
        apis = []
        for name in names:
            definition = self.runtime.apis[name].definition
            apis.append(api_coverage(name, definition.title, definition.base_path, definition.spec, observed[name]))
        where = "the default state" if found is None else f"the session {found.name}"
        report = CoverageReport(tuple(apis), f"the running mock, {where}", found.name if found else None)
        if format == "html" or (format is None and _prefers_html(accept)):
            return html_report(report), 200, {"Content-Type": HTML}
        return report.to_dict(), 200

    async def list_rules(self, api: str | None = None, session: str | None = None) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        rules = self._rules(self._session(session)).rules()
        return {"rules": [r.view() for r in rules if api is None or r.api == api]}, 200

    async def add_rule(self, body: dict[str, Any], session: str | None = None) -> tuple[dict[str, Any], int]:
        """Unknown operations, contradictions and undocumented answers are 400 problems, one rule
        too many is 409 (raised by :class:`~mockserver.engine.rules.RuleSet`)."""
        self._check_api(body.get("api"))
        named = _one_session(session, body.get("session"))
        rule = self._rules(self._session(named)).add({k: v for k, v in body.items() if k != "session"})
        return rule.view(), 201

    async def delete_rule(self, rule: int, session: str | None = None) -> tuple[None, int]:
        if not self._rules(self._session(session)).delete(rule):
            raise NotFound(f"No rule {rule} is set" + (f" in the session {session!r}." if session else "."))
        return None, 204

    # -- sessions ----------------------------------------------------------------------------------
    async def list_sessions(self) -> tuple[dict[str, Any], int]:
        sessions = self.runtime.sessions
        return {
            "sessions": [sessions.view(s) for s in sessions.all()],
            "idleSeconds": sessions.idle_seconds,
            "maxSessions": sessions.max_sessions,
        }, 200

    # A name that is no session name is the ``session-name-invalid`` problem (``check_name``), as
    # for a request to a mocked API that names it: the spec leaves the path parameter free.
    async def get_session(self, name: str) -> tuple[dict[str, Any], int]:
        found = self._session(check_name(name))
        assert found is not None
        return self.runtime.sessions.view(found), 200

    async def put_session(self, name: str) -> tuple[dict[str, Any], int]:
        session, made = self.runtime.sessions.create(check_name(name))
        return self.runtime.sessions.view(session), 201 if made else 200

    async def delete_session(self, name: str) -> tuple[None, int]:
        if not self.runtime.sessions.remove(check_name(name)):
            raise NotFound(f"No session named {name!r}.")
        return None, 204

    async def get_state(self) -> tuple[dict[str, Any], int]:
        persistence = self.runtime.persistence
        return (persistence.status() if persistence is not None else {"dir": None}), 200

    async def list_problems(self) -> tuple[dict[str, Any], int]:
        return {
            "problems": [
                {"type": k.type, "slug": k.slug, "status": k.status, "title": k.title, "description": k.description}
                for k in CATALOGUE.values()
            ]
        }, 200

    def _webhook_source(self, api: str, session: str | None = None) -> WebhookSource:
        self._check_api(api)
        state = self._state(api, self._session(session))
        if not isinstance(state, WebhookSource):
            raise BadRequest(f"The {api} API sends no webhooks.")
        return state

    async def list_webhooks(self, api: str | None = None, session: str | None = None) -> tuple[dict[str, Any], int]:
        self._check_api(api)
        found = self._session(session)
        events: dict[str, list[str]] = {}
        registrations: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        for name in self.runtime.apis:
            state = self._state(name, found)
            if api not in (None, name) or not isinstance(state, WebhookSource):
                continue
            hooks = state.webhooks
            events[name] = list(hooks.events)
            registrations += [{"api": name, **r} for r in hooks.registrations()]
            deliveries += [{"api": name, **d} for d in hooks.deliveries()]
        deliveries.sort(key=lambda d: d["created"], reverse=True)
        return {"events": events, "webhooks": registrations, "deliveries": deliveries}, 200

    async def register_webhook(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Unknown events and refused targets are 400 problems, one registration too many is 409
        (raised by :class:`~mockserver.engine.webhooks.Webhooks`)."""
        source = self._webhook_source(body["api"], body.get("session"))
        registration = source.webhooks.register(body["url"], body.get("events") or ())
        return {"api": body["api"], **registration}, 201

    async def delete_webhook(self, api: str, registration: int, session: str | None = None) -> tuple[None, int]:
        if not self._webhook_source(api, session).webhooks.unregister(registration):
            raise NotFound(f"The {api} API has no webhook registration {registration}.")
        return None, 204

    async def trigger_webhook(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        source = self._webhook_source(body["api"], body.get("session"))
        return source.trigger_event(body["event"], dict(body.get("fields") or {})), 202

    def _project_following(self, api: str, session: str | None) -> ProjectFollowing:
        self._check_api(api)
        served = self.runtime.apis[api]
        build = served.definition.control_extensions.get(PROJECT_FOLLOWING)
        if build is None:
            raise BadRequest(f"The {api} API has no projects for consumers to follow.")
        return cast(ProjectFollowing, build(self._state(api, self._session(session))))

    async def list_project_followers(
        self, api: str, project: int, session: str | None = None
    ) -> tuple[dict[str, Any], int]:
        return {
            "api": api,
            "project": project,
            "followers": self._project_following(api, session).followers(project),
        }, 200

    async def follow_project(
        self, api: str, project: int, consumer: int, session: str | None = None
    ) -> tuple[dict[str, Any], int]:
        result = self._project_following(api, session).follow(project, consumer, True)
        return {"api": api, **result}, 201 if result["changed"] else 200

    async def unfollow_project(
        self, api: str, project: int, consumer: int, session: str | None = None
    ) -> tuple[dict[str, Any], int]:
        return {"api": api, **self._project_following(api, session).follow(project, consumer, False)}, 200

    async def put_upload(
        self,
        api: str,
        folder: str,
        name: str,
        body: bytes,
        content_md5: str | None = None,
        content_type: str | None = None,
    ) -> tuple[None, int, dict[str, str]]:
        self._check_api(api)
        data = body if isinstance(body, bytes) else str(body).encode()
        digest = hashlib.md5(data, usedforsecurity=False)
        if content_md5 is not None and content_md5.strip() != base64.b64encode(digest.digest()).decode():
            raise BadRequest("The Content-MD5 you specified did not match what was received (BadDigest).")
        self.runtime.uploads.put(f"{api}/{folder}/{name}", data, content_type or "application/octet-stream")
        return None, 200, {"ETag": f'"{digest.hexdigest()}"'}

    async def get_upload(self, api: str, folder: str, name: str) -> tuple[bytes, int, dict[str, str]]:
        self._check_api(api)
        found = self.runtime.uploads.get(f"{api}/{folder}/{name}")
        if found is None:
            raise NotFound(f"Nothing was uploaded to {api}/{folder}/{name}.")
        data, content_type = found
        if content_type not in SERVED_TYPES:
            content_type = "application/octet-stream"
        return data, 200, {"Content-Type": content_type}


def _prefers_html(accept: str | None) -> bool:
    """Whether ``Accept`` ranks ``text/html`` above JSON (a browser's address bar does; curl's
    ``*/*`` does not)."""
    ranks: dict[str, float] = {}
    for item in (accept or "").split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranks[kind.lower()] = max(quality, ranks.get(kind.lower(), 0.0))
    html = ranks.get("text/html", 0.0)
    return html > 0 and html > ranks.get("application/json", 0.0)


def _one_session(query: str | None, body: str | None) -> str | None:
    """The session a call names in its query or its body (the same, if both)."""
    if query is not None and body is not None and query != body:
        raise BadRequest(f"The query names the session {query!r}, the body the session {body!r}: name one.")
    return query if query is not None else body
