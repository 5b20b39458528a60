"""The client's address, trusting ``X-Forwarded-For`` only from the proxies in ``TRUSTED_PROXIES``.

Rate limits (API throttling, change reports, login lockout) key on ``client_key``: the address, or
for IPv6 its /64. Taking the header from anyone would let a client pick its own key; behind a proxy,
the proxy's address alone would put every visitor in one bucket. Addresses are used as keys only,
never stored.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:  # a dual-stack socket writes 10.0.0.2 as ::ffff:10.0.0.2
        return ip.ipv4_mapped
    return ip


def _trusted(address: str) -> bool:
    ip = _parsed(address)
    return ip is not None and any(ip in network for network in _networks())


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]


def client_ip(request: HttpRequest) -> str:
    """The nearest address that is not one of our proxies.

    ``X-Forwarded-For`` is read right to left: each trusted proxy appends the address it saw,
    so the first untrusted address from the right is the client (anything left of it is the
    client's own claim and may be forged).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a garbled header from a trusted proxy: fall back to the proxy
    return forwarded[0] if forwarded else remote


# An IPv6 network hands each customer at least a /64 and lets a device take any address in it (RFC 8981
# privacy addresses change by themselves), so per address one client would have 2**64 limits.
IPV6_CLIENT_PREFIX = 64


def client_key(request: HttpRequest) -> str:
    """What rate limits and lockouts count by: the client's IPv4 address, or the /64 of its IPv6 one."""
    address = client_ip(request)
    ip = _parsed(address)
    if ip is None:
        return address
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
