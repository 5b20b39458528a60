"""Links in a feed: web addresses become links, the rest stays readable, and the curator is told which rows."""

import json

import pytest

from groups.models import Organization
from meetings.feeds import csv as csv_feed
from meetings.feeds import meeting_guide
from meetings.importing import import_feed
from meetings.models import Feed, Meeting

pytestmark = pytest.mark.django_db

LONG_WEBSITE = "https://example.org/" + "a" * 500
CHURCH = {
    "location": "St. Luke's", "formatted_address": "330 S 13th St, Philadelphia, PA 19107, USA",
    "latitude": 39.9459, "longitude": -75.1629, "timezone": "America/New_York",
}  # fmt: skip
FEED = [
    {"slug": "monday", "name": "Monday Night Group", "day": 1, "time": "19:00", "types": ["ONL"],
     "conference_url": "zoom.us/j/123456789", "timezone": "America/New_York"},
    {"slug": "tuesday", "name": "Tuesday Group", "day": 2, "time": "19:00", "types": ["ONL"],
     "conference_url": "javascript:alert(1)", "conference_url_notes": "Passcode 1234",
     "timezone": "America/New_York"},
    {"slug": "wednesday", "name": "Wednesday Step Study", "day": 3, "time": "19:00", "website": LONG_WEBSITE,
     **CHURCH},
]  # fmt: skip


@pytest.fixture
def feed(directory):
    return Feed.objects.create(
        name="SEPA intergroup", organization=Organization.objects.get(slug="alcoholics-anonymous")
    )


def import_json(rows: list[dict], feed: Feed):
    return import_feed(meeting_guide.parse(json.dumps(rows)), feed)


def test_a_join_link_without_a_scheme_is_stored_as_a_web_address_and_linked(feed, client):
    report = import_json(FEED, feed)
    meeting = Meeting.objects.get(feed_key="monday")
    assert meeting.conference_url == "https://zoom.us/j/123456789"
    assert 'href="https://zoom.us/j/123456789"' in client.get(meeting.get_absolute_url()).content.decode()
    assert "1 join link had no https:// and was given one." in report.lines()
    assert not any("Monday Night Group" in line for line in report.lines()), "an added scheme is no problem"


def test_a_javascript_join_link_is_not_stored_but_kept_in_the_join_notes(feed, client):
    report = import_json(FEED, feed)
    meeting = Meeting.objects.get(feed_key="tuesday")
    assert meeting.conference_url == ""
    assert meeting.conference_url_notes == "Passcode 1234\nJoin: javascript:alert(1)"
    assert meeting.attendance_mode == "online", "imported as before: the feed gave a way to join"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Join: javascript:alert(1)" in page and 'href="javascript:' not in page
    assert any(
        line.startswith("2 web addresses were not kept as links: ")
        and 'row 2 (Tuesday Group): join link "javascript:alert(1)" is not a web address, kept in the join notes'
        " (there is no other link or phone to join online)"
        in line
        for line in report.lines()
    ), report.lines()


def test_an_over_long_website_is_not_cut_but_left_out_and_reported(feed):
    report = import_json(FEED, feed)
    meeting = Meeting.objects.get(feed_key="wednesday")
    assert meeting.website == ""
    assert meeting.attendance_mode == "in_person"
    line = next(line for line in report.lines() if "web addresses were not kept" in line)
    assert 'row 3 (Wednesday Step Study): website "https://example.org/aaa' in line
    assert '…" is longer than the 500 characters a link can have' in line
    assert LONG_WEBSITE not in line, "the report quotes the start of a long address, not all of it"


def test_importing_the_same_feed_again_changes_nothing_and_reports_again(feed):
    import_json(FEED, feed)
    report = import_json(FEED, feed)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert len(report.web_addresses) == 2
    assert Meeting.objects.get(feed_key="tuesday").conference_url_notes.count("Join:") == 1


def test_a_refused_join_link_with_a_phone_says_nothing_about_no_way_to_join(feed):
    row = {**FEED[1], "conference_phone": "+1 555 0100"}
    report = import_json([row], feed)
    assert report.web_addresses == [
        'row 1 (Tuesday Group): join link "javascript:alert(1)" is not a web address, kept in the join notes'
    ]


def test_a_join_text_already_in_the_notes_is_not_repeated(feed):
    row = {**FEED[1], "conference_url": "Zoom ID 123 456 7890", "conference_url_notes": "Zoom ID 123 456 7890"}
    import_json([row], feed)
    meeting = Meeting.objects.get()
    assert (meeting.conference_url, meeting.conference_url_notes) == ("", "Zoom ID 123 456 7890")


def test_an_app_link_at_a_venue_keeps_the_meeting_hybrid_as_before(feed):
    row = {**FEED[2], "website": "", "conference_url": "zoommtg://zoom.us/join?confno=1"}
    report = import_json([row], feed)
    meeting = Meeting.objects.get()
    assert (meeting.attendance_mode, meeting.conference_url) == ("hybrid", "")
    assert meeting.conference_url_notes == "Join: zoommtg://zoom.us/join?confno=1"
    assert "zoommtg://zoom.us/join?confno=1" in str(report)


def test_a_listing_and_feedback_link_are_read_the_same_way(feed):
    row = {**FEED[2], "website": "www.example.org", "url": "example.org/m/1", "feedback_url": "mailto:a@example.org"}
    report = import_json([row], feed)
    meeting = Meeting.objects.get()
    assert (meeting.website, meeting.url, meeting.feedback_url) == (
        "https://www.example.org",
        "https://example.org/m/1",
        "",
    )
    assert report.web_addresses == [
        'row 1 (Wednesday Step Study): feedback link "mailto:a@example.org" is not a web address'
    ]
    assert "1 website had no https:// and was given one." in report.lines()
    assert "1 listing link had no https:// and was given one." in report.lines()


def test_a_csv_feed_is_read_the_same_way(feed):
    parsed = csv_feed.parse(
        "Slug,Name,Day,Time,Attendance Option,Conference URL\n"
        "a,Online Group,Monday,7:00 PM,online,us02web.zoom.us/j/8?pwd=x\n"
        "b,App Group,Monday,8:00 PM,online,zoommtg://zoom.us/join?confno=8\n"
    )
    report = import_feed(parsed, feed)
    assert dict(Meeting.objects.values_list("feed_key", "conference_url")) == {
        "a": "https://us02web.zoom.us/j/8?pwd=x",
        "b": "",
    }
    assert 'row 3 (App Group): join link "zoommtg://zoom.us/join?confno=8"' in report.web_addresses[0]
