"""A meeting's own page and its calendar file."""

import icalendar
import pytest

pytestmark = pytest.mark.django_db


def test_an_in_person_meeting_page_gives_time_zone_place_and_directions(client, finder_meetings):
    html = client.get("/meetings/mujeres/").content.decode()
    assert "Every Tuesday" in html and "7:30 PM" in html and "America/New_York" in html
    assert "Center City Church" in html
    assert "openstreetmap.org/directions?to=39.952600%2C-75.163500" in html
    assert 'href="/organizations/alcoholics-anonymous/"' in html
    assert "Women" in html and "Spanish" in html and "Open" in html
    assert "Not verified yet" in html
    assert 'href="/meetings/mujeres.ics"' in html


def test_an_online_meeting_page_gives_its_join_link(client, finder_meetings):
    html = client.get("/meetings/smart-online/").content.decode()
    assert 'href="https://example.org/j/1"' in html
    assert "Directions" not in html


def test_a_meeting_page_links_to_report_a_problem_and_to_the_groups_own_feedback_page(client, finder_meetings):
    meeting = finder_meetings["open_aa"]
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="/meetings/kensington-open/report/"' in html
    assert "intergroup.example.org" not in html
    type(meeting).objects.filter(pk=meeting.pk).update(feedback_url="https://intergroup.example.org/feedback")
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="/meetings/kensington-open/report/"' in html
    assert 'href="https://intergroup.example.org/feedback"' in html


def test_the_calendar_file_repeats_weekly_in_the_meetings_zone(client, finder_meetings):
    response = client.get("/meetings/friday-celebrate.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="friday-celebrate.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    start = event.decoded("dtstart")
    assert (start.weekday(), start.hour, start.minute) == (4, 23, 30)  # Friday 23:30
    assert str(start.tzinfo) == "America/New_York"
    assert event.decoded("duration").total_seconds() == 3600
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert b"TZID=America/New_York" in response.content


def test_a_demo_meetings_calendar_entry_says_it_is_sample_data(client, site_data):
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(is_demo=True).first()
    assert b"sample data" in client.get(f"/meetings/{meeting.slug}.ics").content
