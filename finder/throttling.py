"""API rate limits kept in the cache every worker shares, keyed by the client's real address.

DRF's own throttles keep their counts in the default cache, which is per process here, and
trust ``X-Forwarded-For`` by a count of proxies; these use ``caches["shared"]`` and
``finder.clients.client_ip`` (the header only from ``TRUSTED_PROXIES``).
"""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from finder.clients import client_ip


class _SharedCounts:
    @property
    def cache(self):
        return caches["shared"]

    def get_ident(self, request) -> str:
        return client_ip(request)


class AnonThrottle(_SharedCounts, AnonRateThrottle):
    """Visitors without an account, per address."""


class UserThrottle(_SharedCounts, UserRateThrottle):
    """Signed-in users and token holders, per user (visitors are AnonThrottle's)."""

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
