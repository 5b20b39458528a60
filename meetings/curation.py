"""Who may curate what: curators see and change only their organizations' listings.

A superuser curates everything. A curator (``Curator``) curates the meetings of their
organizations, and, if they have regions, only those whose location lies in one of them.
Everyone else curates nothing. The admin, the API and the change-report queue all ask here.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from groups.models import Organization
from meetings.models import Curator, Location, Meeting, MeetingQuerySet

User = AbstractBaseUser | AnonymousUser


def curator_of(user: User) -> Curator | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Curator.objects.filter(user=user).prefetch_related("organizations").first()


def curated_organizations(user: User):
    """The organizations whose listings ``user`` may change."""
    if user.is_active and user.is_superuser:
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
    if user.is_active and user.is_superuser:
        return Meeting.objects.all()
    curator = curator_of(user)
    if curator is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(organization__in=curator.organizations.all()).filter(region_filter(curator))


def may_curate(user: User, meeting: Meeting) -> bool:
    return curated_meetings(user).filter(pk=meeting.pk).exists()


def curated_locations(user: User):
    """Locations ``user`` may see and change: those used only by meetings they curate, and, for a
    curator without regions, unused ones; in their regions if they have some."""
    if user.is_active and user.is_superuser:
        return Location.objects.all()
    curator = curator_of(user)
    if curator is None:
        return Location.objects.none()
    others = Meeting.objects.exclude(pk__in=curated_meetings(user).values("pk")).filter(location__isnull=False)
    return (
        Location.objects.filter(region_filter(curator, prefix=""))
        .exclude(pk__in=others.values("location_id"))
        .distinct()
    )
