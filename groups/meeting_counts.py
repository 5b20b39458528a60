"""How many meetings each organization lists, for the directory, fact sheets and comparisons.

Counted once a minute per process, not on every page: joining every organization to all its meetings
took ~100 ms per directory page at 150,000 meetings (benchmarks/README.md, run 15), and the number is
the same for every visitor. An import clears it in its own process, as it does the zones in use; a
change in the admin or the API, or an import in another process, shows within the minute.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count

from groups.models import Organization

CACHE_KEY = "groups:meeting-counts"
CACHE_SECONDS = 60


def meeting_counts() -> dict[int, int]:
    """Published meetings by organization key; organizations without any are left out."""
    counts = cache.get(CACHE_KEY)
    if counts is None:
        # Through the relation: groups does not import meetings.
        meetings = Organization._meta.get_field("meetings").related_model.objects
        grouped = meetings.published().order_by().values("organization").annotate(count=Count("pk"))
        counts = dict(grouped.values_list("organization", "count"))
        cache.set(CACHE_KEY, counts, CACHE_SECONDS)
    return counts


def with_meeting_counts(organizations: Iterable[Organization]) -> list[Organization]:
    """The organizations, each with ``meeting_count``."""
    counts = meeting_counts()
    listed = list(organizations)
    for organization in listed:
        organization.meeting_count = counts.get(organization.pk, 0)
    return listed
