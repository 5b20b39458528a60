"""Small builders for test data: each fills in what a test does not care about."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.test import Client

from groups.models import Organization
from meetings import curation
from meetings.models import Curator, Location, Meeting

_numbers = itertools.count(1)


def make_organization(**fields) -> Organization:
    n = next(_numbers)
    fields.setdefault("name", f"Test Fellowship {n}")
    fields.setdefault("slug", f"test-fellowship-{n}")
    fields.setdefault("approach", Organization.Approach.TWELVE_STEP)
    return Organization.objects.create(**fields)


def make_location(**fields) -> Location:
    fields.setdefault("name", "Community Hall")
    fields.setdefault("formatted_address", "1 Main St, Philadelphia, PA 19103, USA")
    fields.setdefault("latitude", 39.9527)
    fields.setdefault("longitude", -75.1736)
    fields.setdefault("timezone", "America/New_York")
    return Location.objects.create(**fields)


def make_meeting(**fields) -> Meeting:
    n = next(_numbers)
    fields.setdefault("name", f"Meeting {n}")
    fields.setdefault("slug", f"meeting-{n}")
    fields.setdefault("day", 2)
    fields.setdefault("start_time", dt.time(19, 0))
    fields.setdefault("timezone", "America/New_York")
    if "organization" not in fields:
        fields["organization"] = make_organization()
    mode = fields.get("attendance_mode", Meeting.Attendance.IN_PERSON)
    if mode in (Meeting.Attendance.IN_PERSON, Meeting.Attendance.HYBRID) and "location" not in fields:
        fields["location"] = make_location()
    if mode in (Meeting.Attendance.ONLINE, Meeting.Attendance.HYBRID):
        fields.setdefault("conference_url", "https://example.org/join/123")
    return Meeting.objects.create(**fields)


def make_curator(username: str, *organizations: Organization, regions: str = "", password: str | None = None):
    """A user who curates these organizations (in ``regions``, if given), in the curators' group."""
    user = get_user_model().objects.create_user(username, password=password)
    curator = Curator.objects.create(user=user, regions=regions)
    curator.organizations.set(organizations)
    curation.enrol(curator)
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
