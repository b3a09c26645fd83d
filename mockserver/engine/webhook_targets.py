"""Which URLs a webhook may be delivered to.

A webhook makes the mock send requests of its own, so a registration must not turn it into a way
to reach what its user could not (a cloud metadata address, a database port on the host) or into
a way to call the mock's own control plane (a webhook to ``/__admin/reset`` would wipe every API
on the next event). The rules:

* ``http`` or ``https`` with a host, and no credentials (``user:pass@``) in the URL;
* the host is a loopback address (127.0.0.0/8, ``::1``, ``localhost``) or one of
  ``Settings.webhook_allowed_hosts`` (exact, case-insensitive; ``*`` allows any);
* whatever that setting says, never this mock's own control plane: a local address (loopback,
  unspecified, one of this machine's), or a name resolving to one, at ``Settings.port`` with a path
  that is ``/__admin`` or under it once percent-decoded and normalised.

Hosts are compared in one canonical form: lower case without trailing dots, IPv4-mapped IPv6
addresses as their IPv4 address. Hosts that resolvers read as an address but that are not written
as one (``2130706433``, ``0x7f.1``, ``127.1``) and percent-encoded hosts are refused outright: what
they mean depends on the resolver. Nothing here knows of an HTTP framework; ``httpx`` only parses
the URL, as it will when it sends the delivery.
"""

from __future__ import annotations

import socket
import urllib.parse

import httpx

from mockserver.engine.hosts import IPAddress, ip_address, is_loopback_host
from mockserver.settings import Settings

#: The hosts allowed without any setting.
LOOPBACK_NAMES = frozenset({"localhost"})
ADMIN_SEGMENT = "__admin"
SETTING = "WEBHOOK_ALLOWED_HOSTS"


def refusal(url: str, settings: Settings) -> str | None:
    """Why ``url`` may not be a webhook target, or ``None`` when it may."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return f"The webhook URL {url!r} is not a valid URL ({exc})."
    if parsed.scheme not in ("http", "https"):
        return f"The webhook URL {url!r} must use http or https."
    if parsed.userinfo or "@" in urllib.parse.urlsplit(url).netloc:
        return f"The webhook URL {url!r} carries credentials (user:password@); they are refused."
    host = canonical_host(parsed.raw_host.decode("ascii"))
    if not host:
        return f"The webhook URL {url!r} has no host."
    if "%" in host:
        return f"The webhook URL {url!r} has a percent-encoded host; write the host plainly."
    address = ip_address(host)
    if address is None and _resolver_reads_as_address(host):
        return (
            f"The webhook URL {url!r} writes an IP address in a non-standard form ({host}); "
            "write IPv4 addresses as four decimal numbers (127.0.0.1)."
        )
    if not _allowed(host, address, settings.webhook_allowed_hosts):
        return (
            f"The webhook host {host!r} is not allowed: only loopback hosts (127.0.0.0/8, ::1, localhost) "
            f"and the hosts listed in the setting {SETTING} are (it lists {_listed(settings)})."
        )
    if targets_own_control_plane(url, settings):
        return own_control_plane_reason(url, settings)
    return None


def targets_own_control_plane(url: str, settings: Settings) -> bool:
    """Whether a request to ``url`` would reach this mock's own ``/__admin``. Names are resolved
    only when the port and the path already match, so an ordinary target costs no look-up."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if port != settings.port or not is_admin_path(parsed.raw_path.decode("ascii")):
        return False
    host = canonical_host(parsed.raw_host.decode("ascii"))
    address = ip_address(host)
    if address is not None:
        return is_local_address(address)
    if is_loopback_host(host) or _resolver_reads_as_address(host):
        return True
    return any(is_local_address(found) for found in _resolve(host, port))


def own_control_plane_reason(url: str, settings: Settings) -> str:
    return (
        f"The webhook URL {url!r} points at this mock's own control plane (/__admin on port {settings.port}); "
        f"it is never a webhook target, whatever {SETTING} allows."
    )


def canonical_host(host: str) -> str:
    """``host`` as hosts are compared: lower case, without brackets or trailing dots, an
    IPv4-mapped IPv6 address as its IPv4 address, other addresses in their compressed form."""
    host = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    address = ip_address(host)
    return host if address is None else str(address)


def is_admin_path(raw_path: str) -> bool:
    """Whether the path, percent-decoded (repeatedly), with dot segments, repeated slashes,
    backslashes and ``;`` parameters resolved as lenient servers do, is ``/__admin`` or under it."""
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    for _ in range(8):  # %252e... decodes a layer at a time
        decoded = urllib.parse.unquote(path)
        if decoded == path:
            break
        path = decoded
    segments: list[str] = []
    for segment in path.replace("\\", "/").split("/"):
        segment = segment.split(";", 1)[0].strip()
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return bool(segments) and segments[0].lower() == ADMIN_SEGMENT


def is_local_address(address: IPAddress) -> bool:
    """Loopback, unspecified (``0.0.0.0`` reaches this machine) or bound to one of this machine's
    interfaces: binding a socket to it works only then."""
    if address.is_loopback or address.is_unspecified:
        return True
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def _allowed(host: str, address: IPAddress | None, allowed_hosts: tuple[str, ...]) -> bool:
    if host in LOOPBACK_NAMES or (address is not None and address.is_loopback):
        return True
    listed = {canonical_host(h) for h in allowed_hosts}
    return "*" in listed or host in listed


def _listed(settings: Settings) -> str:
    return ", ".join(settings.webhook_allowed_hosts) or "nothing"


def _resolver_reads_as_address(host: str) -> bool:
    """``inet_aton`` (what ``getaddrinfo`` uses) reads ``2130706433``, ``0x7f.1`` or ``0177.1`` as
    IPv4 addresses that :mod:`ipaddress` does not."""
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    return True


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # an unresolvable name reaches nothing; delivery checks again
    found = []
    for info in infos:
        address = ip_address(str(info[4][0]).split("%", 1)[0])
        if address is not None:
            found.append(address)
    return found
