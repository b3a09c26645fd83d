"""The HTTP/1.1 connection ``mockserver run`` and ``mockserver proxy`` serve with: uvicorn's
httptools protocol (what its ``auto`` picks when httptools is installed, as it is here) with
bounds that a client cannot stretch.

- **Head size and count** (``MAX_HEADER_BYTES``, ``MAX_HEADER_COUNT``): a request line plus header
  fields larger than the limit, or more fields than it, is answered 431 (the catalogue's
  ``HeadersTooLarge``) and the connection is closed. httptools gathers one header's name and value
  inside the parser until the field ends, and hands it over only then, so counting finished fields
  alone would let a single endless header grow without bound: the bytes received while a head is
  incomplete are counted too, before the parser keeps them, which holds memory at the limit plus a
  read or two (256 KiB each). A refused head right behind a request still unanswered (pipelined)
  closes the connection without a 431, which would come before that answer.
- **Head deadline** (``HEADER_TIMEOUT``): a connection has that long, from connecting or from its
  previous response's end, to deliver a complete head; then it is closed. uvicorn's keep-alive
  timer covers only silence, and stops at the first byte, so a head sent a byte at a time
  (slowloris) would hold its connection for ever. One timer per connection, re-armed lazily; a
  response's end is read off uvicorn's keep-alive timer, armed then, rather than from a clock.
- **Shutdown** (``SHUTDOWN_TIMEOUT``, also uvicorn's ``timeout_graceful_shutdown``): connections
  with a request in flight are closed at the deadline.
- **Closing after a refusal**: closing a socket with unread data resets the connection, which can
  destroy the answer before the client reads it; so the refused connection is half-closed after
  the answer and what the client still sends is dropped until it closes, for at most the head
  deadline again.
- **The connection, for the app** (``scope["extensions"][CONNECTION]``, a :class:`Connection`):
  the control plane's network-fault rules (``web.rules``) reset or close the connection a request
  came on, which ASGI's messages cannot do.

Everything else is uvicorn's (``httptools_impl``, pinned with uvicorn in ``pyproject.toml``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mockserver.engine.problems import PROBLEM_MEDIA_TYPE, HeadersTooLarge
from mockserver.settings import Settings

#: The request line's bytes besides its target (``GET `` and `` HTTP/1.1\r\n``) and the empty line
#: that ends the head; each header field adds ``: `` and ``\r\n`` to its name and value.
REQUEST_LINE_BYTES = 17
FIELD_BYTES = 4
#: Timers may fire this much before their time; a deadline met that closely has passed.
TIMER_SLACK = 0.01
#: The scope extension that holds the request's :class:`Connection`.
CONNECTION = "mockserver.connection"
#: ``SO_LINGER`` on, with no time to linger: closing the socket then sends a reset (RST).
RESET_ON_CLOSE = struct.pack("ii", 1, 0)


class Connection:
    """What the app may do to the connection its request came on."""

    __slots__ = ("_transport",)

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    @property
    def closed(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        """Closes the connection once what was written is sent (the client then reads an end)."""
        self._transport.close()

    def reset(self) -> None:
        """Drops the connection at once, unsent bytes and all, with a reset (RST) the client sees as
        ``ECONNRESET``."""
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        self._transport.abort()


class _HeadRefused(Exception):
    """Raised inside a parser callback to stop parsing a head that broke a limit."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Limits come as class attributes: :func:`http_protocol` makes a subclass per settings, as
    uvicorn builds a protocol per connection from the class alone. Per request this adds a few
    attribute reads and one call (~0.5 µs); the exact size of a head is added up only when the
    reads that brought it exceed the limit."""

    # Slots, not the instance dict: uvicorn's protocol already keeps 28 attributes there, and past
    # 30 CPython gives up the dict's compact layout, which slows every attribute read (~0.2 µs a
    # request).
    __slots__ = (
        "_connection",
        "_head_deadline",
        "_head_received",
        "_head_slack",
        "_head_timer",
        "_in_head",
        "_keep_alive_to_head",
        "_last_read",
        "_refusal",
        "_refused_instance",
    )

    max_header_bytes = Settings.max_header_bytes
    max_header_count = Settings.max_header_count
    header_timeout = Settings.header_timeout
    shutdown_timeout = Settings.shutdown_timeout

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Whether the current message's head is incomplete, and the bytes of the reads that came
        #: while it was: a lower bound of its size, short of the rest of the read the previous
        #: message ended in (``_head_slack`` bytes at most).
        self._in_head = True
        self._head_received = 0
        self._last_read = 0
        self._head_slack = 0
        #: Why a parser callback refused the head (the problem's detail), and the request's path.
        self._refusal: str | None = None
        self._refused_instance: str | None = None
        self._head_deadline = 0.0
        self._head_timer: asyncio.TimerHandle | None = None
        #: From the moment uvicorn's keep-alive timer will fire to the next head's deadline: both
        #: count from the end of the last response.
        self._keep_alive_to_head = self.header_timeout - self.timeout_keep_alive

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._connection = Connection(transport)
        self._head_deadline = self.loop.time() + self.header_timeout
        self._head_timer = self.loop.call_at(self._head_deadline, self._check_head_deadline)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's, plus the head's deadline and size.
        keep_alive = self.timeout_keep_alive_task
        if keep_alive is not None:
            # The first bytes since a response, which ended when this timer was armed: reading it
            # spares every response a clock reading of its own.
            self._head_deadline = keep_alive.when() + self._keep_alive_to_head
            keep_alive.cancel()
            self.timeout_keep_alive_task = None
        self._last_read = size = len(data)
        if self._in_head:
            self._head_received += size
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse_head(self._refusal, self._refused_instance)
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._head_received > self.max_header_bytes and self._in_head:
            # Refused as it streams in: httptools would keep the unfinished header field whole.
            self._refuse_head(f"The request line and headers are larger than {self.max_header_bytes} bytes.", None)

    # Parser callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.headers) >= self.max_header_count:
            self._refuse_in_parser(f"The request has more than {self.max_header_count} header fields.")
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        limit = self.max_header_bytes
        if self._head_received + self._head_slack > limit and self._head_size() > limit:
            self._refuse_in_parser(f"The request line and headers are larger than {limit} bytes.")
        self._in_head = False
        self.scope["extensions"] = {CONNECTION: self._connection}  # type: ignore[dict-item]  # an object, not a dict
        HttpToolsProtocol.on_headers_complete(self)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_received = 0
        self._head_slack = self._last_read
        # uvicorn's, inline: one call less on every request.
        if (self.parser.should_upgrade() and self._should_upgrade()) or self.cycle.response_complete:
            return
        self.cycle.more_body = False
        self.cycle.message_event.set()

    def _head_size(self) -> int:
        """The head's size as sent (with single spaces after colons: the parser drops the rest)."""
        fields = sum(len(name) + len(value) for name, value in self.headers)
        return REQUEST_LINE_BYTES + len(self.url) + fields + FIELD_BYTES * len(self.headers)

    def _refuse_in_parser(self, detail: str) -> None:
        # The target is complete once a header field is: the problem can name its path.
        self._refusal, self._refused_instance = detail, _path(self.url)
        raise _HeadRefused

    def shutdown(self) -> None:
        HttpToolsProtocol.shutdown(self)
        if not self.transport.is_closing():
            # Closed at the deadline, the request in flight sees its client gone and ends; uvicorn's
            # own deadline (the same) would cancel it instead, logged as a failure with a 500 sent.
            self.loop.call_later(self.shutdown_timeout, self.transport.close)

    def _check_head_deadline(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        keep_alive = self.timeout_keep_alive_task
        if keep_alive is not None:
            self._head_deadline = keep_alive.when() + self._keep_alive_to_head
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A request is being read or answered; its response's end sets the next deadline.
            next_check = now + self.header_timeout
        elif now + TIMER_SLACK >= self._head_deadline:
            self.transport.close()
            return
        else:
            next_check = self._head_deadline
        self._head_timer = self.loop.call_at(next_check, self._check_head_deadline)

    def _refuse_head(self, detail: str, instance: str | None) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if not (self.cycle is None or self.cycle.response_complete) or self.pipeline:
            # A response is still to be written on this connection: a 431 now would come first.
            self.transport.close()
            return
        problem = HeadersTooLarge(detail)
        body = orjson.dumps(problem.to_dict(instance))
        content = [STATUS_LINE[problem.status]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [
            b"content-type: " + PROBLEM_MEDIA_TYPE.encode() + b"\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
        transport = self.transport
        transport.write(b"".join(content))
        if transport.can_write_eof():
            transport.write_eof()
        transport.set_protocol(_Drain(self, transport))


class _Drain(asyncio.Protocol):
    """What a refused connection becomes: drops what arrives until the client closes, or the head
    deadline passes again; the connection stays its protocol's for uvicorn (shutdown, bookkeeping)."""

    def __init__(self, owner: BoundedHttpToolsProtocol, transport: asyncio.Transport) -> None:
        self.owner = owner
        self.timer = owner.loop.call_later(owner.header_timeout, transport.close)

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> None:
        # Returning nothing lets the transport close itself.
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.timer.cancel()
        self.owner.connection_lost(exc)


def _path(target: bytes) -> str | None:
    try:
        path: bytes | None = httptools.parse_url(target).path
    except httptools.HttpParserError:
        return None
    return path.decode("latin-1") if path else None


def http_protocol(settings: Settings) -> type[BoundedHttpToolsProtocol]:
    """The protocol class uvicorn is given (``http=``), with the settings' limits."""
    return type(
        "HttpProtocol",
        (BoundedHttpToolsProtocol,),
        {
            "max_header_bytes": settings.max_header_bytes,
            "max_header_count": settings.max_header_count,
            "header_timeout": settings.header_timeout,
            "shutdown_timeout": settings.shutdown_timeout,
        },
    )
