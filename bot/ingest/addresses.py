"""The one address policy of the fetcher: which IPs and URLs Byline may contact."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import yarl

from bot.errors import FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS: frozenset[int] = frozenset({80, 443})

PRIVATE_MESSAGE = "that address points inside a private network"
SCHEME_MESSAGE = "that URL must start with http:// or https://"
USERINFO_MESSAGE = "that URL contains a user name or password; remove them and try again"

# Ranges that `ipaddress` reports as global (or not as private) on some CPython versions,
# so `is_global` alone lets them through (RELIABILITY F2).
_EXTRA_DENY: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("224.0.0.0/4"),
    ipaddress.ip_network("240.0.0.0/4"),
    ipaddress.ip_network("fc00::/7"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("ff00::/8"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TEREDO = ipaddress.ip_network("2001::/32")

# A real top-level domain is never numeric, so a host whose last label is a number is meant
# as an IP address; only the canonical dotted quad is accepted, because `0x7f.1`, `127.1`,
# `2130706433` and `0177.0.0.1` are read differently by different resolvers.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_CANONICAL_V4 = re.compile(rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$")


def is_forbidden(ip: str | IPAddress) -> bool:
    """Tell whether an address is anything but a public unicast host."""
    try:
        address = ipaddress.ip_address(str(ip).split("%", 1)[0])
    except ValueError:
        return True  # not an address at all: never connect to it
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif any(address in net for net in _NAT64):
            # NAT64 gateways translate the low 32 bits into the IPv4 target.
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            address = address.sixtofour
        elif address in _TEREDO:
            return True  # the tunnel endpoint is not something we can vet
    if any(address in net for net in _EXTRA_DENY):
        return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One `host` or `host:port` entry of FetchSettings.allow_hosts."""

    host: str
    port: int | None

    @classmethod
    def parse(cls, entry: str) -> AllowEntry:
        """Read `host`, `host:port`, `[v6]` or `[v6]:port`."""
        text = entry.strip().lower()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = rest.removeprefix(":") or None
        elif text.count(":") == 1:
            host, port = text.split(":")
        else:
            host, port = text, None  # a bare IPv6 address or a plain host name
        return cls(normalise_host(host), int(port) if port else None)

    def matches(self, host: str, port: int | None) -> bool:
        """Tell whether a request to host:port is covered by this entry."""
        return self.host == normalise_host(host) and (self.port is None or self.port == port)


def normalise_host(host: str) -> str:
    """Lower-case a host, drop brackets, zone ids and the trailing dot."""
    host = host.strip().lower().strip("[]").rstrip(".")
    return host.split("%", 1)[0]


def parse_allow_hosts(entries: Iterable[str]) -> tuple[AllowEntry, ...]:
    """Parse the allow_hosts setting once."""
    return tuple(AllowEntry.parse(e) for e in entries if e.strip())


def is_allowed_host(host: str, port: int | None, allow: Iterable[AllowEntry]) -> bool:
    """Tell whether host:port was explicitly allowed by the operator."""
    return any(entry.matches(host, port) for entry in allow)


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(
    url: str | yarl.URL,
    allow_hosts: Iterable[str | AllowEntry] = (),
    *,
    allowed_ports: frozenset[int] = DEFAULT_PORTS,
) -> yarl.URL:
    """Check a URL before any network use and return it parsed, or raise FetchRefused."""
    allow = tuple(e if isinstance(e, AllowEntry) else AllowEntry.parse(e) for e in allow_hosts)
    try:
        parsed = url if isinstance(url, yarl.URL) else yarl.URL(url.strip())
    except (ValueError, TypeError):
        raise FetchRefused("that is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(SCHEME_MESSAGE)
    if parsed.user is not None or parsed.password is not None:
        raise FetchRefused(USERINFO_MESSAGE)
    raw_host = parsed.raw_host
    if not raw_host:
        raise FetchRefused("that URL has no host name")
    host = normalise_host(parsed.host or raw_host)
    port = parsed.port
    exempt = is_allowed_host(host, port, allow)
    ip = _literal_ip(host)
    if host == "localhost" or host.endswith(".localhost"):
        # RFC 6761 reserves these names for loopback; refuse them before any lookup.
        if not exempt:
            raise FetchRefused(PRIVATE_MESSAGE)
    elif ip is None:
        labels = host.split(".")
        if _NUMERIC_LABEL.match(labels[-1]) and not _CANONICAL_V4.match(host):
            raise FetchRefused(
                "that IP address is written in an unusual form; write it as four numbers "
                "like 93.184.216.34"
            )
    elif is_forbidden(ip) and not exempt:
        raise FetchRefused(PRIVATE_MESSAGE)
    if port not in allowed_ports and not exempt:
        raise FetchRefused(
            f"port {port} is not allowed; only the standard web ports 80 and 443 can be fetched"
        )
    return parsed
