"""What the public exports contain, and the type codes each meeting is written with.

Feeds carry real listings only: demo meetings are sample data and never leave the site.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from meetings.models import Meeting, OrganizationTypeCode


def public_meetings() -> QuerySet:
    """Published meetings (temporarily inactive ones too: feeds say so), with what the renderers read."""
    return Meeting.objects.published().filter(is_demo=False).with_details()


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
