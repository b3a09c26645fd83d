"""Host names and addresses, read as this machine reads them: one place for the control plane's
guard (``web.adminguard``), the webhook targets' rules and ``mockserver run``'s choice of a token."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Names that reach this machine's loopback interface (``*.localhost`` too, RFC 6761).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def ip_address(host: str) -> IPAddress | None:
    """``host`` as an address when it is written as one (an IPv4-mapped IPv6 address as its IPv4
    address); ``None`` for a name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback_host(host: str) -> bool:
    """Whether a host name or address (no port, brackets allowed) names the loopback interface."""
    host = host.strip().lower().strip("[]")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = ip_address(host)
    return address is not None and address.is_loopback
