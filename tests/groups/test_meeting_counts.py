"""How many meetings each organization lists: directory, fact sheets, comparisons (groups/meeting_counts.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import Organization
from meetings.models import Meeting
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def listed_counts(html: str) -> dict[str, str]:
    """Each organization's "N meetings listed" link on the directory, by slug."""
    return dict(re.findall(r"\?organization=([a-z0-9-]+)\">(\d+ meetings? listed)</a>", html))


@pytest.fixture
def meetings(directory):
    smart = Organization.objects.get(slug="smart-recovery")
    make_meeting(organization=smart)
    make_meeting(organization=smart)
    make_meeting(organization=smart, status=Meeting.Status.DRAFT)
    make_meeting(organization=Organization.objects.get(slug="al-anon"), status=Meeting.Status.REMOVED)


def test_the_directory_counts_each_organizations_published_meetings(client, meetings):
    counts = listed_counts(client.get("/organizations/").content.decode())

    assert counts == {"smart-recovery": "2 meetings listed"}, "drafts and removed meetings are not listed"


def test_fact_sheets_and_comparisons_give_the_same_count(client, meetings):
    sheet = client.get("/organizations/smart-recovery/").content.decode()
    compared = client.get("/organizations/compare/", {"o": ["smart-recovery", "al-anon"]}).content.decode()

    assert "2 meetings</a>" in sheet
    assert ">2</a></td><td>None listed yet</td>" in compared


def test_a_second_visit_does_not_count_every_meeting_again(client, meetings):
    client.get("/organizations/")
    with CaptureQueriesContext(connection) as second:
        html = client.get("/organizations/").content.decode()

    assert listed_counts(html) == {"smart-recovery": "2 meetings listed"}
    assert not [query for query in second.captured_queries if "COUNT(" in query["sql"].upper()]
