"""Exports: the Meeting Guide feed, CSV and calendars, and what importing our own export gives back."""

import datetime as dt
import json
import re

import icalendar
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.models import Organization
from meetings.feeds import meeting_guide
from meetings.importing import import_feed
from meetings.models import Feed, Location, Meeting, MeetingType
from meetings.sources import parse_source
from tests.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

LOCATION_FIELDS = [
    "name", "address", "city", "state", "postal_code", "country", "formatted_address", "region", "sub_region",
    "latitude", "longitude", "approximate",
]  # fmt: skip
MEETING_FIELDS = [
    "name", "group_name", "day", "start_time", "end_time", "timezone", "attendance_mode", "conference_url",
    "conference_url_notes", "conference_phone", "conference_phone_notes", "notes", "group_notes", "website",
    "feedback_url", "venmo", "paypal", "square", "unmapped_types",
]  # fmt: skip


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def snapshot(meeting: Meeting) -> dict:
    values = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    values["types"] = sorted(t.code for t in meeting.types.all())
    location = meeting.location
    values["location"] = None if location is None else {name: getattr(location, name) for name in LOCATION_FIELDS}
    return values


def reimport(client, url: str, organization: Organization, format: str) -> tuple[dict, dict]:
    """Export, import the export into a new feed, and return both sides by the original slug."""
    response = client.get(url)
    assert response.status_code == 200
    originals = {m.slug: snapshot(m) for m in Meeting.objects.filter(organization=organization, feed=None)}
    feed = Feed.objects.create(name=f"Round trip {format}", organization=organization, format=format)
    report = import_feed(parse_source(body(response), format), feed)
    assert report.skipped == [] and report.created == len(originals)
    copies = {m.feed_key: snapshot(m) for m in Meeting.objects.filter(feed=feed).select_related("location")}
    return originals, copies


class TestRoundTrip:
    @pytest.fixture
    def organization(self, directory):
        return Organization.objects.get(slug="al-anon")

    def make_meetings(self, organization):
        types = MeetingType.objects.in_bulk(field_name="code")
        hall = make_location(name="Hall & Annex", address="12 Elm St", city="Springfield", state="MA",
                             postal_code="01103", country="US", region="Hampden", sub_region="Downtown",
                             formatted_address="12 Elm St, Springfield, MA 01103, USA",
                             latitude=42.1015, longitude=-72.5898)  # fmt: skip
        online_place = make_location(name="", formatted_address="Boston, MA, USA", city="Boston", state="MA",
                                     country="US", latitude=42.36, longitude=-71.06, approximate=True)  # fmt: skip
        in_person = make_meeting(organization=organization, name="Courage to Change", location=hall, day=0,
                                 start_time=dt.time(23, 30), end_time=dt.time(0, 45), notes="Line one\nLine two",
                                 group_name="Courage Group", venmo="@courage", unmapped_types=["AC", "Y"])  # fmt: skip
        in_person.types.set([types["O"], types["Y"], types["S"], types["12x12"]])
        online = make_meeting(organization=organization, name="Online Hope", location=online_place, day=3,
                              attendance_mode="online", conference_url="https://example.org/j/9",
                              conference_url_notes="Passcode 1", conference_phone="+1 555 0100,,123#",
                              timezone="America/New_York")  # fmt: skip
        online.types.set([types["C"]])
        make_meeting(organization=organization, name="Hybrid", location=hall, attendance_mode="hybrid",
                     conference_url="https://example.org/j/10", day=6, start_time=dt.time(9, 0))  # fmt: skip
        make_meeting(organization=organization, name="Closed for now", location=hall, attendance_mode="inactive")

    @pytest.mark.parametrize(("path", "format"), [("/meetings/feed/al-anon.json", "meeting_guide"),
                                                  ("/meetings/feed/al-anon.csv", "csv")])  # fmt: skip
    def test_exporting_and_importing_again_reproduces_every_meeting(self, client, organization, path, format):
        self.make_meetings(organization)
        originals, copies = reimport(client, path, organization, format)
        assert copies == originals

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        # Importing tidies runs of whitespace in one-line fields, so names come tidy, in any script.
        names=st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"],
                                             include_characters=" "), min_size=1, max_size=40)
                       .map(lambda text: " ".join(text.split())).filter(bool), min_size=1, max_size=4),
        day=st.integers(0, 6),
        start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
        minutes=st.integers(15, 240),
        zone=st.sampled_from(["America/New_York", "America/Los_Angeles", "Europe/London", "Pacific/Fiji"]),
        latitude=st.floats(-89, 89).map(lambda v: round(v, 6)).filter(lambda v: v != 0),
        longitude=st.floats(-179.9, 179.9).map(lambda v: round(v, 6)).filter(lambda v: v != 0),
        codes=st.sets(st.sampled_from(["O", "C", "W", "M", "S", "EN", "X", "D", "SP", "12x12", "Y", "A"]), max_size=5),
    )  # fmt: skip
    def test_any_meeting_survives_the_feed_round_trip(self, client, organization, names, day, start, minutes, zone,
                                                      latitude, longitude, codes):  # fmt: skip
        with transaction.atomic():
            types = MeetingType.objects.filter(code__in=codes)
            place = make_location(name="Venue", address="1 Main St", formatted_address="1 Main St, Town",
                                  latitude=latitude, longitude=longitude, timezone="")  # fmt: skip
            end = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()
            for name in names:
                meeting = make_meeting(organization=organization, name=name, day=day, start_time=start,
                                       end_time=end, timezone=zone, location=place)  # fmt: skip
                meeting.types.set(types)
            originals, copies = reimport(client, "/meetings/feed/al-anon.json", organization, "meeting_guide")
            assert sorted(copies.values(), key=repr) == sorted(originals.values(), key=repr)
            transaction.set_rollback(True)


class TestFeeds:
    def test_the_feed_lists_public_meetings_and_never_demo_ones(self, client, finder_meetings):
        demo = make_meeting(name="Demo thing", is_demo=True)
        rows = json.loads(body(client.get("/meetings/feed.json")))
        slugs = {row["slug"] for row in rows}
        assert {"mujeres", "smart-online", "friday-celebrate"} <= slugs
        assert demo.slug not in slugs and "draft" not in slugs
        assert client.get("/meetings/feed.json")["Access-Control-Allow-Origin"] == "*"

    def test_the_feed_of_a_search_uses_the_finders_parameters(self, client, finder_meetings):
        rows = json.loads(body(client.get("/meetings/feed.json", {"type": ["W", "S"]})))
        assert [row["slug"] for row in rows] == ["mujeres"]
        row = rows[0]
        assert (row["day"], row["time"], row["timezone"]) == (2, "19:30", "America/New_York")
        assert row["url"] == "http://testserver/meetings/mujeres/"

    def test_a_bad_search_parameter_is_a_400_naming_it(self, client, finder_meetings):
        response = client.get("/meetings/feed.json", {"day": "someday"})
        assert response.status_code == 400 and "day" in response.json()

    @pytest.mark.parametrize("path", ["/meetings/feed.json", "/meetings/feed.csv", "/meetings/calendar.ics"])
    def test_a_misspelt_parameter_is_a_400_naming_it_not_every_meeting(self, client, finder_meetings, path):
        response = client.get(path, {"dya": "2", "type": "W"})
        assert response.status_code == 400
        assert response.json() == {"dya": ["Unknown parameter."]}
        assert client.get(path, {"day": "2", "format": "json"}).status_code == 200

    def test_downloads_past_the_hourly_limit_are_refused_saying_when_to_try_again(
        self, client, finder_meetings, settings
    ):
        settings.FEED_DOWNLOADS_PER_HOUR = 2
        assert [client.get(path).status_code for path in ("/meetings/feed.json", "/meetings/feed.csv")] == [200, 200]
        refused = client.get("/meetings/calendar.ics")
        assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
        assert re.fullmatch(
            r"Too many downloads from your address this hour: try again in \d+ minutes\.", refused.json()["detail"]
        )
        assert client.get("/meetings/feed.json", REMOTE_ADDR="192.0.2.9").status_code == 200  # another client
        settings.FEED_DOWNLOADS_PER_HOUR = 0  # no limit
        assert client.get("/meetings/feed.json").status_code == 200

    def test_one_organizations_feed(self, client, finder_meetings):
        rows = json.loads(body(client.get("/meetings/feed/smart-recovery.json")))
        assert {row["slug"] for row in rows} == {"burlington-smart", "smart-online"}
        assert client.get("/meetings/feed/no-such-org.json").status_code == 404

    def test_pages_announce_the_feed(self, client, finder_meetings):
        link = '<link rel="alternate" type="application/json" title="Meetings Feed" href="/meetings/feed.json?type=W">'
        assert link in client.get("/", {"type": "W"}).content.decode()
        organization_page = client.get("/organizations/smart-recovery/").content.decode()
        assert 'title="Meetings Feed" href="/meetings/feed/smart-recovery.json"' in organization_page

    def test_the_feed_streams_in_few_queries(self, client, finder_meetings, django_assert_max_num_queries):
        with django_assert_max_num_queries(6):
            body(client.get("/meetings/feed.json"))

    def test_a_search_as_a_calendar(self, client, finder_meetings):
        response = client.get("/meetings/calendar.ics", {"organization": "smart-recovery"})
        calendar = icalendar.Calendar.from_ical(response.content)
        events = {str(event["summary"]) for event in calendar.walk("VEVENT")}
        assert events == {"Burlington SMART · SMART", "SMART Online Evening · SMART"}
        assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"America/New_York", "America/Los_Angeles"}

    def test_the_csv_export_has_tsmls_columns(self, client, finder_meetings):
        response = client.get("/meetings/feed.csv", {"q": "Mujeres"})
        header, row = body(response).decode().splitlines()[:2]
        assert header.split(",")[:4] == ["Time", "End Time", "Day", "Name"]
        assert "Mujeres en Recuperación" in row and "Women" in row


def test_parsing_a_feed_never_touches_the_database(django_assert_num_queries):
    feed = json.dumps([{"name": "A", "slug": "a", "day": 1, "time": "19:00", "types": ["O"]}])
    with django_assert_num_queries(0):
        assert meeting_guide.parse(feed).records[0].name == "A"


def test_meetings_at_one_place_share_one_location_after_a_reimport(client, directory):
    organization = Organization.objects.get(slug="alcoholics-anonymous")
    hall = make_location(name="Shared Hall")
    first = make_meeting(organization=organization, location=hall)
    second = make_meeting(organization=organization, location=hall)
    feed = Feed.objects.create(name="copy", organization=organization)
    import_feed(parse_source(body(client.get("/meetings/feed/alcoholics-anonymous.json")), "meeting_guide"), feed)
    copies = Meeting.objects.filter(feed=feed, feed_key__in=[first.slug, second.slug])
    assert copies.count() == 2
    assert len({copy.location_id for copy in copies}) == 1
    assert Location.objects.filter(name="Shared Hall").count() == 2  # ours and the copy's
