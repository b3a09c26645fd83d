"""The ``Prefer`` request header (RFC 7240, in Prism's vocabulary): a client chooses the answer.

``code=N``
    the operation's documented ``N`` answer, without running the operation (nothing changes);
    ``N`` equal to the operation's success (its lowest documented 2xx) runs it as usual.
``example=NAME``
    the named example (``examples: {NAME: ...}``) of the response for ``code``, or of the success
    response; never runs the operation, whatever the code.
``delay=MS``
    the answer, whatever it is (a 401, a 422 included), no sooner than ``MS`` milliseconds after
    the request came in; at most ``Settings.max_delay_ms``.

A forced body is the spec's example for that response (the media type's ``example``, the first of
its ``examples``, the schema's ``example``), or one made up from its schema
(:mod:`mockserver.engine.schemadata`), the same for the same seed, operation and status; its
documented headers are made up alike, in the documented media type.

Credentials and request validation come first: ``code`` and ``example`` are applied where the
handler would run (``web.binding``), so a request that fails either gets that error, not the forced
answer. Other preferences (``return=minimal``, ``respond-async``) and parameters after ``;`` are
ignored, as RFC 7240 says; the first of a repeated preference counts. A malformed ``code``,
``example`` or ``delay``, or one the operation does not document, is refused with the catalogue's
400 ``preference-not-applicable`` naming what it documents. Every answer a preference shaped says
so in ``Preference-Applied``.

Another layer may choose preferences for a request (the control plane's rules): a
:class:`Preferences` under the scope key :data:`SCOPE_KEY`, set on the scope before this module's
middleware sees the request; the header wins, preference by preference.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import re
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.engine.jsonpointer import deref
from mockserver.engine.problems import PreferenceNotApplicable
from mockserver.engine.runtime import ADMIN_PREFIX
from mockserver.engine.schemadata import instance_of
from mockserver.web.jsonifier import JSONIFIER

#: Where another layer puts the :class:`Preferences` it chose for a request.
SCOPE_KEY = "mockserver.preferences"
APPLIED = "Preference-Applied"
_PREFER = b"prefer"
_APPLIED = APPLIED.lower().encode()
_KNOWN = frozenset({"code", "example", "delay"})
_STATUS = re.compile(r"[1-5][0-9]{2}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: Headers the server writes itself: a documented one is not made up.
_SERVER_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})


@dataclasses.dataclass(frozen=True)
class Preferences:
    """What a request asks for; ``None``: not asked."""

    code: int | None = None
    example: str | None = None
    delay_ms: int | None = None

    def over(self, other: Preferences | None) -> Preferences:
        """These preferences, each one not given taken from ``other``."""
        if other is None:
            return self
        return Preferences(
            self.code if self.code is not None else other.code,
            self.example if self.example is not None else other.example,
            self.delay_ms if self.delay_ms is not None else other.delay_ms,
        )


def parse_prefer(values: list[str], *, max_delay_ms: int | None = None) -> Preferences:
    """The preferences of a request's ``Prefer`` header values; :class:`PreferenceNotApplicable`
    for a malformed ``code``, ``example`` or ``delay`` (or a delay over ``max_delay_ms``)."""
    found = _tokens(values)
    code = _code(found["code"]) if "code" in found else None
    example = found.get("example")
    if "example" in found and not example:
        raise PreferenceNotApplicable("`example` needs the name of one of the response's examples: `example=NAME`.")
    delay = _delay(found["delay"], max_delay_ms) if "delay" in found else None
    return Preferences(code, example, delay)


def request_preferences(scope: Scope, max_delay_ms: int) -> Preferences | None:
    """The request's preferences (its header over those another layer chose); ``None`` without."""
    values = [value.decode("latin-1") for name, value in scope["headers"] if name == _PREFER]
    chosen = scope.get(SCOPE_KEY)
    if not values and chosen is None:
        return None
    preferences = parse_prefer(values, max_delay_ms=max_delay_ms).over(chosen)
    if preferences.delay_ms is not None:
        _delay(str(preferences.delay_ms), max_delay_ms)
    return preferences


def _tokens(values: Iterable[str]) -> dict[str, str | None]:
    """The known preferences by lower-case name, the first of each, values unquoted (``None``
    for a name without ``=``)."""
    found: dict[str, str | None] = {}
    for value in values:
        for preference in _split(value, ","):
            head = _split(preference, ";")[0].strip()
            name, equals, raw = head.partition("=")
            name = name.strip().lower()
            if name in _KNOWN and name not in found:
                found[name] = _unquote(raw.strip()) if equals else None
    return found


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quoted strings."""
    parts, start, quoted, escaped = [], 0, False, False
    for at, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return parts


def _unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    return word


def _quote(word: str) -> str:
    if _TOKEN.fullmatch(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _code(raw: str | None) -> int:
    if raw is None or not _STATUS.fullmatch(raw):
        raise PreferenceNotApplicable(f"`code={raw or ''}` is not a status code: give three digits, e.g. `code=404`.")
    return int(raw)


def _delay(raw: str | None, max_delay_ms: int | None) -> int:
    if raw is None or not raw.isascii() or not raw.isdigit():
        raise PreferenceNotApplicable(
            f"`delay={raw or ''}` is not a number of milliseconds: give a whole number from 0"
            + (f" to {max_delay_ms}." if max_delay_ms is not None else ".")
        )
    delay = int(raw)
    if max_delay_ms is not None and delay > max_delay_ms:
        raise PreferenceNotApplicable(
            f"`delay={delay}` is longer than this server waits: at most {max_delay_ms} ms (`MAX_DELAY_MS`)."
        )
    return delay


# -- forced answers --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Forced:
    """A forced answer, as a handler gives it: body (``None``: none), status and headers (the
    media type among them)."""

    body: Any
    status: int
    headers: dict[str, str]


class OperationAnswers:
    """What one operation documents, and the answers a ``Prefer`` forces from it."""

    def __init__(
        self,
        spec: dict[str, Any],
        operation: dict[str, Any],
        key: tuple[Any, ...],
        *,
        challenge: str | None = None,
        max_delay_ms: int,
    ) -> None:
        self.spec = spec
        #: What a made-up body is drawn from: the server's seed and the operation (and the status).
        self.key = key
        self.challenge = challenge
        self.max_delay_ms = max_delay_ms
        self.responses: dict[int, dict[str, Any]] = {
            int(status): deref(spec, response)
            for status, response in (operation.get("responses") or {}).items()
            if _STATUS.fullmatch(str(status))
        }
        self.codes = sorted(self.responses)
        #: The status the operation answers when it succeeds: the lowest documented 2xx.
        self.success = next((code for code in self.codes if 200 <= code < 300), None)
        self.name = str(operation.get("operationId", ""))
        self._cache: dict[tuple[int, str | None], Forced] = {}

    def examples(self, status: int) -> list[str]:
        """The names of the examples of the ``status`` response, over all its media types."""
        content = self.responses.get(status, {}).get("content") or {}
        return [name for media in content.values() for name in deref(self.spec, media).get("examples") or {}]

    def answer(self, preferences: Preferences) -> Forced | None:
        """The forced answer, or ``None`` when the operation runs as usual (no ``code`` or
        ``example``, or ``code`` its success without ``example``)."""
        if preferences.code is None and preferences.example is None:
            return None
        status = preferences.code if preferences.code is not None else self.success
        if status is None or status not in self.responses:
            asked = f"`code={status}`" if preferences.code is not None else "an example of the success response"
            raise self.refused(f"{asked} is not documented for {self.name}.")
        if preferences.example is None and status == self.success:
            return None
        if preferences.example is not None and preferences.example not in self.examples(status):
            raise self.refused(f"The {status} response of {self.name} has no example `{preferences.example}`.")
        cached = self._cache.get((status, preferences.example))
        if cached is None:
            cached = self._cache[(status, preferences.example)] = self._build(status, preferences.example)
        return cached

    def applied(self, preferences: Preferences, status: int) -> str | None:
        """The ``Preference-Applied`` value of an answer with ``status`` to a request with
        ``preferences`` (a delay is added where it is applied, in :class:`PreferenceDelay`)."""
        tokens = []
        if preferences.code is not None and preferences.code == status:
            tokens.append(f"code={status}")
        if preferences.example is not None and (preferences.code is None or preferences.code == status):
            tokens.append(f"example={_quote(preferences.example)}")
        return ", ".join(tokens) or None

    def documented(self) -> str:
        """What the operation documents, in words."""
        named = [f"{', '.join(f'`{n}`' for n in self.examples(c))} (of {c})" for c in self.codes if self.examples(c)]
        codes = ", ".join(map(str, self.codes))
        return f"{self.name} documents the codes {codes}" + (
            f" and the examples {'; '.join(named)}." if named else " and no named examples."
        )

    def refused(self, detail: str) -> PreferenceNotApplicable:
        """The catalogue's problem for a preference the operation cannot give: ``detail``, what the
        operation documents, and the same as members a program can read."""
        examples = {str(code): self.examples(code) for code in self.codes if self.examples(code)}
        return PreferenceNotApplicable(
            f"{detail} {self.documented()}", extra={"codes": self.codes, "examples": examples}
        )

    def _build(self, status: int, example: str | None) -> Forced:
        response = self.responses[status]
        content: dict[str, Any] = response.get("content") or {}
        documented = [(media_type, deref(self.spec, media)) for media_type, media in content.items()]
        if example is not None:  # the media type that has it
            documented = [(t, m) for t, m in documented if example in (m.get("examples") or {})]
        headers = self._headers(status, response)
        if not documented:
            return Forced(None, status, headers)
        media_type, media = documented[0]
        headers["Content-Type"] = media_type
        body = copy.deepcopy(self._body(status, media, example))  # never the spec's own example
        if body is not None and "json" not in media_type.lower() and not isinstance(body, bytes):
            # Media types the jsonifier does not write (a PDF, an image): their bytes.
            body = body.encode() if isinstance(body, str) else JSONIFIER.dumps_bytes(body)
        return Forced(body, status, headers)

    def _body(self, status: int, media: dict[str, Any], example: str | None) -> Any:
        examples: dict[str, Any] = media.get("examples") or {}
        if example is not None:
            return deref(self.spec, examples[example]).get("value")
        if "example" in media:
            return media["example"]
        for named in examples.values():
            named = deref(self.spec, named)
            if "value" in named:
                return named["value"]
        schema = deref(self.spec, media.get("schema"))
        if isinstance(schema, dict) and "example" in schema:
            return schema["example"]
        if schema is None:
            return None
        return instance_of(schema, self.spec, (*self.key, status))

    def _headers(self, status: int, response: dict[str, Any]) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, header in (response.get("headers") or {}).items():
            if name.lower() in _SERVER_HEADERS:
                continue
            header = deref(self.spec, header)
            if "example" in header:
                value = header["example"]
            else:
                value = instance_of(header.get("schema") or {}, self.spec, (*self.key, status, name))
            headers[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if status == 401 and self.challenge:
            # RFC 9110 requires a challenge with every 401: the one the API's own 401s carry.
            headers = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
            headers["WWW-Authenticate"] = self.challenge
        return headers


class SpecAnswers:
    """The forced answers of one API's operations, by ``operationId``."""

    def __init__(self, spec: dict[str, Any], *, seed: int, max_delay_ms: int, challenge: str | None = None) -> None:
        self.spec = spec
        self.seed = seed
        self.max_delay_ms = max_delay_ms
        self.challenge = challenge
        self._operations = {
            operation["operationId"]: operation
            for item in (spec.get("paths") or {}).values()
            for operation in (deref(spec, item) or {}).values()
            if isinstance(operation, dict) and "operationId" in operation
        }

    def for_operation(self, operation_id: str) -> OperationAnswers | None:
        operation = self._operations.get(operation_id)
        if operation is None:
            return None
        return OperationAnswers(
            self.spec,
            operation,
            (self.seed, operation_id),
            challenge=self.challenge,
            max_delay_ms=self.max_delay_ms,
        )


# -- delay ---------------------------------------------------------------------------------------
class PreferenceDelay:
    """Holds back the answer to a request with ``Prefer: delay=MS`` until ``MS`` milliseconds after
    it came in, whatever the answer (a refused credential, a failed validation, a forced answer),
    and adds ``delay=MS`` to its ``Preference-Applied``. A delay that is malformed or over
    ``max_delay_ms`` is not applied here; the operation's handler refuses it (``web.binding``),
    after credentials and validation, as it refuses every inapplicable preference."""

    def __init__(self, app: ASGIApp, max_delay_ms: int) -> None:
        self.app = app
        self.max_delay_ms = max_delay_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [value.decode("latin-1") for name, value in scope["headers"] if name == _PREFER]
        chosen = scope.get(SCOPE_KEY)
        delay = self._delay(values, chosen) if values or chosen is not None else None
        if delay is None or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        due = time.monotonic() + delay / 1000

        async def delayed(message: Message) -> None:
            if message["type"] == "http.response.start":
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                message["headers"] = _with_applied(message.get("headers") or [], f"delay={delay}".encode())
            await send(message)

        await self.app(scope, receive, delayed)

    def _delay(self, values: list[str], chosen: Preferences | None) -> int | None:
        found = _tokens(values)
        if "delay" in found:  # the header's, even a malformed one, wins over another layer's
            try:
                return _delay(found["delay"], self.max_delay_ms)
            except PreferenceNotApplicable:
                return None
        if chosen is not None and chosen.delay_ms is not None and 0 <= chosen.delay_ms <= self.max_delay_ms:
            return chosen.delay_ms
        return None


def _with_applied(headers: Iterable[tuple[bytes, bytes]], token: bytes) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``token`` added to ``Preference-Applied`` (made when there is none)."""
    result = list(headers)
    for at, (name, value) in enumerate(result):
        if name.lower() == _APPLIED:
            result[at] = (name, value + b", " + token if value else token)
            return result
    result.append((_APPLIED, token))
    return result
