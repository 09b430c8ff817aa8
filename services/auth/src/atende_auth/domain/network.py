"""Client addresses behind trusted proxies, and the per-role IP allowlist."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from atende_core.identity import Role

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> Address | None:
    """The address in `value`, or None when it is not one."""
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _within(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(peer: str, forwarded_for: Sequence[str], trusted_proxies: Sequence[Network]) -> str:
    """The client's address: the peer, unless it is a trusted proxy, in which case the right-most
    X-Forwarded-For entry that is not itself a trusted proxy (entries left of it are client-made)."""
    address = parse_address(peer)
    if address is None:
        return peer
    if not _within(address, trusted_proxies):
        return str(address)
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        hop_address = parse_address(hop)
        if hop_address is None:
            return str(address)  # a garbled header: trust nothing beyond the proxy itself
        if not _within(hop_address, trusted_proxies):
            return str(hop_address)
        address = hop_address
    return str(address)


def ip_allowed(ip: str, role: Role, allowlist: Mapping[Role, Sequence[Network]]) -> bool:
    """True when `role` has no allowlist or `ip` falls within one of its networks."""
    networks = allowlist.get(role) or ()
    if not networks:
        return True
    address = parse_address(ip)
    return address is not None and _within(address, networks)
