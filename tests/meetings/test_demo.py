import pytest
from django.core.management import call_command

from meetings.models import Location, Meeting

pytestmark = pytest.mark.django_db


def test_the_demo_set_spans_fellowships_zones_and_ways_to_attend(site_data):
    demo = Meeting.objects.filter(is_demo=True)
    assert demo.count() >= 200
    assert demo.values("organization").distinct().count() >= 6
    assert demo.values("timezone").distinct().count() >= 8
    assert set(demo.values_list("attendance_mode", flat=True)) >= {"in_person", "online", "hybrid"}
    assert demo.filter(types__code="S").exists(), "some demo meetings are in Spanish"


def test_only_demo_meetings_with_a_venue_claim_wheelchair_access(site_data):
    demo = Meeting.objects.filter(is_demo=True)
    assert demo.filter(types__code="X").exists()
    assert not demo.filter(types__code="X", attendance_mode="online").exists()


def test_every_demo_meeting_says_it_is_sample_data(site_data):
    assert not Meeting.objects.filter(is_demo=False).exists()
    assert not Meeting.objects.exclude(name__startswith="Demo").exists()
    assert not Location.objects.filter(is_demo=False).exists()
    assert not Location.objects.exclude(address="").exists(), "no demo venue has a street address"
    assert (
        not Meeting.objects.exclude(conference_url="")
        .exclude(conference_url__startswith="https://example.org/")
        .exists()
    )


def test_making_the_demo_set_again_replaces_it(site_data):
    before = sorted(Meeting.objects.values_list("slug", flat=True))
    call_command("load_demo_meetings", verbosity=0)
    assert sorted(Meeting.objects.values_list("slug", flat=True)) == before
    assert Location.objects.filter(meetings__isnull=True).count() == 0


def test_a_demo_meeting_page_says_plainly_it_is_not_real(site_data, client):
    meeting = Meeting.objects.first()
    response = client.get(meeting.get_absolute_url())
    assert "This is sample data, not a real meeting." in response.content.decode()


def test_the_meeting_list_marks_demo_meetings(site_data, client):
    page = client.get("/").content.decode()
    assert "Sample data." in page
    assert 'class="badge demo">Demo<' in page
