"""Where a request comes from: the connecting address, or, when that is a proxy the settings
trust (`DESEO_TRUSTED_PROXIES`), the client its `X-Forwarded-For` names. Anyone can send that
header, so from anyone else it is ignored: rate limits count per address, and an address a
client picks for itself would let it pick a fresh one for each attempt."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from fastapi import Request

Networks = tuple[IPv4Network | IPv6Network, ...]


def proxy_networks(proxies: Iterable[str]) -> Networks:
    """The trusted proxies as networks ("10.0.0.5" is a network of one address)."""
    return tuple(ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    """The client's address. Behind trusted proxies: the last address in `X-Forwarded-For`
    that is not one of them (each proxy appends the address it was reached from, so what
    lies left of the nearest untrusted hop is the client's to invent)."""
    direct = request.client.host if request.client is not None else "unknown"
    networks: Networks = request.app.state.proxies
    if not networks or not _trusted(direct, networks):
        return direct
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return direct
