"""What the public exports contain, and the type codes each meeting is written with.

Feeds carry real listings only: demo meetings are sample data and never leave the site.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet

from finder import rates
from meetings.models import Meeting, OrganizationTypeCode

DOWNLOAD_WINDOW_SECONDS = 3600


def public_meetings() -> QuerySet:
    """Published meetings (temporarily inactive ones too: feeds say so), with what the renderers read."""
    return Meeting.objects.published().filter(is_demo=False).with_details()


def take_download_slot(client: str) -> float:
    """Count one feed or calendar download from ``client`` (``finder.clients.client_key``): 0 while it is within
    ``FEED_DOWNLOADS_PER_HOUR`` (0 lifts the limit), else the seconds until it may download again.

    A whole-site feed streams every meeting; the page and the API are limited apart.
    """
    return rates.take_slot("feeds", client, settings.FEED_DOWNLOADS_PER_HOUR, DOWNLOAD_WINDOW_SECONDS)


def codes_for() -> Callable[[Meeting], list[str]]:
    """A function giving a meeting's codes as its own fellowship writes them.

    Shared types are written with the fellowship's own code where it has one (Al-Anon's "Young
    Adults" is YA, not Y, which Al-Anon reads as Alateen), and codes kept from the source as given,
    so that exporting and importing again changes nothing. Reads the code tables once.
    """
    own: dict[tuple[int, str], str] = {}
    for organization_id, shared, code in OrganizationTypeCode.objects.filter(meeting_type__isnull=False).values_list(
        "organization_id", "meeting_type__code", "code"
    ):
        own.setdefault((organization_id, shared), code)

    def codes(meeting: Meeting) -> list[str]:
        shared = [own.get((meeting.organization_id, t.code), t.code) for t in meeting.types.all()]
        return sorted(dict.fromkeys([*shared, *meeting.unmapped_types]))

    return codes
