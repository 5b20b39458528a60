"""Who may curate what: curators see and change only their organizations' listings.

A superuser curates everything. A curator (``Curator``) curates the meetings of their
organizations, and, if they have regions, only those whose location lies in one of them.
Everyone else curates nothing. The admin, the API and the change-report queue all ask here.

Model permissions (the "Curators" group, ``setup_curator_group``) say what a curator may do;
the functions here say to which rows.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import Q, QuerySet
from django.utils import timezone

from groups.models import Organization
from meetings import history
from meetings.models import Contact, Curator, Feed, Location, Meeting, MeetingQuerySet

User = AbstractBaseUser | AnonymousUser

CURATOR_GROUP = "Curators"
# What a curator may do in the admin; which rows they may do it to is decided below. Meetings are
# hidden (status "removed" or "draft") rather than deleted, and feeds are kept so re-imports match.
CURATOR_PERMISSIONS = [
    "meetings.view_meeting", "meetings.add_meeting", "meetings.change_meeting",
    "meetings.view_location", "meetings.add_location", "meetings.change_location", "meetings.delete_location",
    "meetings.view_contact", "meetings.add_contact", "meetings.change_contact", "meetings.delete_contact",
    "meetings.view_feed", "meetings.add_feed", "meetings.change_feed",
    # Visitors' reports about their meetings (ChangeReportAdmin): read, then apply, mark fixed or dismiss.
    "meetings.view_changereport", "meetings.change_changereport",
]  # fmt: skip


def is_superuser(user: User) -> bool:
    return bool(user.is_active and user.is_superuser)


def curator_of(user: User) -> Curator | None:
    """The user's Curator row, read once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_curator"):
        user._curator = Curator.objects.filter(user=user).first()
    return user._curator


def curated_organizations(user: User):
    """The organizations whose listings ``user`` may change."""
    if is_superuser(user):
        return Organization.objects.all()
    curator = curator_of(user)
    if curator is None:
        return Organization.objects.none()
    return curator.organizations.all()


def region_filter(curator: Curator, prefix: str = "location__") -> Q:
    """Places in the curator's regions; everything if they have none."""
    codes = curator.region_codes
    if not codes:
        return Q()
    places = Q(pk__in=[])
    for country, state in codes:
        place = Q(**{f"{prefix}country__iexact": country})
        if state:
            place &= Q(**{f"{prefix}state__iexact": state})
        places |= place
    return places


def curated_meetings(user: User) -> MeetingQuerySet:
    """Every meeting ``user`` may change, whatever its status."""
    if is_superuser(user):
        return Meeting.objects.all()
    curator = curator_of(user)
    if curator is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(organization__in=curator.organizations.all()).filter(region_filter(curator))


def curated_locations(user: User):
    """Locations ``user`` may see and change: those used only by meetings they curate, and unused ones;
    in their regions if they have some."""
    if is_superuser(user):
        return Location.objects.all()
    curator = curator_of(user)
    if curator is None:
        return Location.objects.none()
    # A location's region is its own, so only the organizations of the meetings there can make it someone
    # else's. (location__isnull: NOT IN over a NULL would exclude every row.)
    others = Meeting.objects.filter(location__isnull=False).exclude(organization__in=curator.organizations.all())
    return Location.objects.filter(region_filter(curator, prefix="")).exclude(pk__in=others.values("location_id"))


def curated_feeds(user: User) -> QuerySet:
    """The feeds of the organizations ``user`` curates."""
    if is_superuser(user):
        return Feed.objects.all()
    return Feed.objects.filter(organization__in=curated_organizations(user))


def curated_contacts(user: User) -> QuerySet:
    """The contacts of the meetings ``user`` curates; nobody else's are ever shown to them."""
    if is_superuser(user):
        return Contact.objects.all()
    return Contact.objects.filter(meeting__in=curated_meetings(user))


def in_regions(user: User, country: str, state: str) -> bool:
    """Whether a place lies in the user's regions (always, for a superuser or a curator without regions)."""
    if is_superuser(user):
        return True
    curator = curator_of(user)
    if curator is None:
        return False
    codes = curator.region_codes
    country, state = country.strip().upper(), state.strip().upper()
    return not codes or any(country == c and (not s or state == s) for c, s in codes)


def may_place(user: User, organization: Organization | None, location: Location | None) -> bool:
    """Whether a meeting of ``organization`` at ``location`` would be one ``user`` curates; checked before
    saving, so a curator can neither move a meeting to another organization nor out of their regions."""
    if is_superuser(user):
        return True
    if organization is None or not curated_organizations(user).filter(pk=organization.pk).exists():
        return False
    curator = curator_of(user)
    if curator is not None and curator.region_codes and location is None:
        return False  # a meeting without a place lies in no region
    return location is None or in_regions(user, location.country, location.state)


def may_import(user: User, organization: Organization) -> bool:
    """Only curators of a whole organization import: a feed is not limited to a region."""
    if is_superuser(user):
        return True
    curator = curator_of(user)
    return (
        curator is not None and not curator.region_codes and curator.organizations.filter(pk=organization.pk).exists()
    )


def mark_verified(meetings: Iterable[Meeting], user: User, today: dt.date | None = None) -> int:
    """Record that someone checked these listings today; the history says who."""
    today = today or timezone.localdate()
    meetings = list(meetings)
    for meeting in meetings:
        meeting.last_verified = today
    # Verifying does not change the listing itself, so updated_at (the feeds' "updated") stays.
    Meeting.objects.bulk_update(meetings, ["last_verified"], batch_size=history.BATCH_SIZE)
    history.record(meetings, created=False, user=user, reason="verified")
    return len(meetings)


def not_verified_since(meetings: QuerySet, days: int = 365, today: dt.date | None = None) -> QuerySet:
    """Meetings nobody has verified in ``days`` days, or ever."""
    cutoff = (today or timezone.localdate()) - dt.timedelta(days=days)
    return meetings.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))


def setup_curator_group() -> Group:
    """The "Curators" group with exactly the permissions a curator needs (safe to run again)."""
    group, _ = Group.objects.get_or_create(name=CURATOR_GROUP)
    wanted = [name.split(".", 1) for name in CURATOR_PERMISSIONS]
    query = Q(pk__in=[])
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(query))
    if len(permissions) != len(wanted):
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        missing = sorted(set(CURATOR_PERMISSIONS) - found)
        raise LookupError(f"Permissions not found (run migrate first): {', '.join(missing)}")
    group.permissions.set(permissions)
    return group


def enrol(curator: Curator) -> None:
    """Let a curator into the admin: staff, in the Curators group."""
    user = curator.user
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(setup_curator_group())
