"""The one settings object: every default of the mock server lives here.

The CLI, the environment and the tests all build a :class:`Settings`; nothing else in the package
reads the environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

ENV_PREFIX = ""


@dataclasses.dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 1234
    #: The day generated dates are laid out around. ``None`` means today (UTC): the same seed then
    #: gives byte-identical data on every machine on the same day; fix it to freeze data for good.
    anchor_date: dt.date | None = None
    #: How many records the generators make (customers, listings, ...). Fixtures come on top.
    volume: int = 20
    #: Which APIs of the registry to serve; empty means all of them.
    apis: tuple[str, ...] = ()
    #: Validate every response against the spec (on in tests; costs throughput, so off for `run`).
    validate_responses: bool = False
    #: Largest request body accepted, in bytes; larger ones get 413.
    max_body_bytes: int = 1_048_576
    #: Largest file the upload target (``/__admin/uploads/...``, where pre-signed upload URLs point)
    #: takes: HomeQ documents images and PDFs up to 30 MiB.
    max_upload_bytes: int = 33_554_432
    #: How many requests the `/__admin/requests` journal keeps.
    journal_size: int = 200
    #: CORS: origins allowed to call the mock from a browser ("*" for any).
    cors_origins: tuple[str, ...] = ("*",)
    log_level: str = "warning"
    #: Serve plain valid requests without Connexion's middleware stack (``mockserver.web.fastpath``);
    #: everything else, and every request that would fail, still goes through Connexion.
    fast_path: bool = True
    #: Deliberate contract breaks (see ``mockserver.web.faults.FAULTS``); empty for a correct mock.
    faults: tuple[str, ...] = ()
    #: Webhooks: seconds between delivery attempts (HomeQ itself waits 5 minutes), how many attempts
    #: at most, and how long one attempt may take.
    webhook_retry_seconds: float = 1.0
    webhook_max_attempts: int = 5
    webhook_timeout: float = 5.0
    #: How many webhook deliveries the control plane keeps.
    webhook_history: int = 200
    #: Hosts webhook targets may name besides loopback (127.0.0.0/8, ::1, localhost); "*" for any.
    #: The mock's own control plane is never a target, whatever this allows.
    webhook_allowed_hosts: tuple[str, ...] = ()
    #: Webhook registrations kept per API at most; one more is refused.
    webhook_max_registrations: int = 100
    #: Threads that deliver webhooks, and how many deliveries may wait for them (a full queue drops
    #: the oldest waiting delivery and records it as dropped).
    webhook_workers: int = 4
    webhook_queue_size: int = 1000
    #: The control plane's credential (``Authorization: Bearer <token>``). Empty: none on a loopback
    #: address; on any other address ``mockserver run`` generates one and prints it at start.
    admin_token: str = ""
    #: Origins whose pages may call the control plane from a browser (CORS and the cross-site
    #: checks let them through), e.g. a frontend's own dev tools; none by default.
    admin_origins: tuple[str, ...] = ()
    #: The secret HomeQ's JWTs are signed with. Empty: a random one per state, so that nothing
    #: public lets anyone mint a token; set it for tokens that stay valid across restarts.
    jwt_secret: str = ""
    #: Records one table keeps at most (per API); a create beyond it gets 409 ``store-full``.
    max_records: int = 200_000
    #: Request headers: their total size in bytes and their count (431 beyond either), and the
    #: seconds a client has to send the request line and headers before the connection is closed.
    max_header_bytes: int = 65_536
    max_header_count: int = 100
    header_timeout: float = 10.0
    #: Seconds a shutdown (SIGTERM, Ctrl-C) waits for requests in flight before closing them.
    shutdown_timeout: float = 5.0
    #: The longest ``Prefer: delay=<ms>`` a request may ask for; a longer one is refused (400).
    max_delay_ms: int = 60_000
    #: Clients' sessions (``X-Mock-Session``, ``/__sessions/<name>/...``; ``engine.sessions``): one
    #: unused this many seconds is dropped, and one more than ``max_sessions`` drops the least
    #: recently used.
    session_idle_seconds: float = 1800.0
    max_sessions: int = 64
    #: ``mockserver proxy``: the deployment requests are forwarded to, and how long to wait for it.
    target: str | None = None
    target_timeout: float = 30.0
    #: Where the APIs' specs and fixtures are read from (a team's own copies: ``SPECS_DIR``,
    #: ``FIXTURES_DIR``, ``--specs-dir``, ``--fixtures-dir``). Empty: the ones the package ships.
    specs_dir: str = ""
    fixtures_dir: str = ""
    #: Spec files served from the spec alone (``--spec``, ``SPEC_FILES``; ``mockserver.generic``),
    #: instead of the packaged APIs (beside the ones ``apis`` names, if it names any).
    spec_files: tuple[str, ...] = ()
    #: ``MODULE:NAME`` of the overrides of those APIs' operations (``--overrides``; ``mockserver.generic.handlers``).
    spec_overrides: str = ""
    #: Faker's locale for the data of APIs served from their spec (``LOCALE``).
    locale: str = "en_US"
    #: Where what clients changed (records, sessions) is kept across restarts, in one SQLite file
    #: (``engine.persistence``). Empty: nothing is kept, every start is the seeded state.
    state_dir: str = ""
    #: Seconds between two writes of the changes to ``state_dir``: what a kill -9 may lose at most
    #: (a clean shutdown writes everything).
    state_flush_seconds: float = 0.5
    #: Where work that only depends on a file's content is kept between runs (digests of validated
    #: specs, parsed large YAML). Empty: nothing on disk; ``from_env`` defaults it to the user's
    #: cache folder (``$XDG_CACHE_HOME/mockserver`` or ``~/.cache/mockserver``).
    cache_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from environment variables (``PORT``, ``HOST``, ``SEED``, ...)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _parse(field.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        values.setdefault("cache_dir", default_cache_dir(env))
        return cls(**values)

    def __post_init__(self) -> None:
        if not self.session_idle_seconds > 0:
            raise ValueError(f"SESSION_IDLE_SECONDS must be more than 0, not {self.session_idle_seconds}")
        if self.max_sessions < 1:
            raise ValueError(f"MAX_SESSIONS must be at least 1, not {self.max_sessions}")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def default_cache_dir(env: Mapping[str, str]) -> str:
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mockserver")


def _parse(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if kind.startswith("dt.date"):
            return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name.upper()}={raw!r}: {exc}") from None
    return raw
