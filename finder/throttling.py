"""API rate limits counted in one table every worker shares (finder/rates.py), keyed by the client's real address.

DRF's own throttles keep a list of request times in the cache (per process by default here) and trust
``X-Forwarded-For`` by a count of proxies; these count with one statement per request and use
``finder.clients.client_key`` (the header only from ``TRUSTED_PROXIES``; an IPv6 client by its /64).
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from finder import rates
from finder.clients import client_key


class _Counted:
    """``allow_request`` and ``wait`` of DRF's throttles, counting in fixed windows of the rate's period."""

    def get_ident(self, request) -> str:
        return client_key(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        self.count = rates.count_request(self.scope, key, self.duration, now=self.now)
        return self.count.requests <= self.num_requests

    def wait(self) -> float:
        return self.count.wait(self.now)


class AnonThrottle(_Counted, AnonRateThrottle):
    """Visitors without an account, per address."""


class UserThrottle(_Counted, UserRateThrottle):
    """Signed-in users and token holders, per user (visitors are AnonThrottle's)."""

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
