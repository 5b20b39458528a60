import csv as stdlib_csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from meetings.feeds import csv as csv_feed
from meetings.feeds.records import ContactRecord, FeedError
from meetings.models import Contact, Location, Meeting
from tests.factories import make_meeting

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
TSML = (FIXTURES / "tsml-template.csv").read_bytes()
PARTS = (FIXTURES / "parts.csv").read_bytes()

# What the import passes: lower-cased English names -> codes.
TYPE_NAMES = {
    "open": "O",
    "closed": "C",
    "discussion": "D",
    "wheelchair access": "X",
    "women": "W",
    "step study": "ST",
    "spanish": "S",
    "12 steps & 12 traditions": "12x12",
}


def by_key(parsed):
    return {record.key: record for record in parsed.records}


def test_inside_the_package_import_csv_is_the_standard_library():
    assert csv_feed.csv is stdlib_csv
    assert Path(csv_feed.__file__).name == "csv.py"


def test_the_tsml_template_layout():
    parsed = csv_feed.parse(TSML, TYPE_NAMES)
    records = by_key(parsed)
    assert list(records) == ["after-work-topic", "step-up", "late-night-online"]

    first = records["after-work-topic"]
    assert first.row == 2  # the header is row 1
    assert (first.name, first.slug, first.day, first.start_time, first.end_time) == (
        "After Work Topic",
        "after-work-topic",
        1,
        dt.time(18, 0),
        None,
    )
    assert first.types == ["O", "X"]
    assert (first.timezone, first.group_name, first.website, first.venmo) == (
        "America/Chicago",
        "Hilltop Group",
        "https://hilltop.example.org",
        "@hilltop",
    )
    assert first.updated == dt.datetime(2020, 4, 4, 16, 50, 58, tzinfo=dt.UTC)  # the template's own spelling
    place = first.location
    # TSML's Address holds the whole address when there are no City/State columns.
    assert place.name == "Hilltop Hall"
    assert place.address == place.formatted_address == "100 Hill Rd, Springfield, IL 62701, USA"
    assert (place.region, place.sub_region, place.timezone) == ("Springfield", "North Side", "America/Chicago")

    second = records["step-up"]
    assert (second.row, second.day, second.start_time, second.end_time) == (3, 5, dt.time(19, 30), dt.time(20, 30))
    assert second.types == ["C", "ST", "W"]  # "Step Meeting" is TSML's older name for Step Study
    assert (second.notes, second.location.notes) == ("Bring the book.", "Room 2")

    online = records["late-night-online"]
    assert online.location is None
    assert online.types == ["O", "ONL", "TC"]  # legacy codes the import reads as how to attend
    assert (online.conference_url, online.conference_phone) == ("https://zoom.us/j/5550111", "+1 555 0111")


def test_every_bad_row_is_skipped_with_its_row_number_and_reason():
    parsed = csv_feed.parse(TSML, TYPE_NAMES)
    assert [(s.row, s.key, s.reason) for s in parsed.skipped] == [
        (5, "lost-week", "Day 'Someday' is not a weekday (Sunday…Saturday or 0…6)"),
        (6, "too-late", "Time '25:00' is not a time of day (7:00 PM or 19:00)"),
        # row 7 is empty and ignored
        (8, "nameless", "no Name"),
        (9, "step-up", "the same Slug as row 3"),
    ]


def test_columns_in_any_order_and_case_with_numbers_codes_and_parts_of_the_address():
    parsed = csv_feed.parse(PARTS, TYPE_NAMES)
    morning, evening = parsed.records
    assert (morning.row, evening.row) == (2, 3)
    assert (morning.day, morning.start_time, morning.end_time) == (1, dt.time(7, 0), dt.time(8, 0))
    assert morning.types == ["O", "D", "12x12"]  # codes in any case come back as the table spells them
    assert morning.attendance == "in_person"
    assert morning.contacts == [ContactRecord(name="Pat", email="pat@example.org")]
    place = morning.location
    assert (place.name, place.address, place.city, place.state, place.postal_code, place.country) == (
        "Community Hall",
        "1 Main St",
        "Philadelphia",
        "PA",
        "19103",
        "US",
    )
    assert place.formatted_address == "1 Main St, Philadelphia, PA 19103, USA"
    assert (place.latitude, place.longitude) == (39.9527, -75.1736)

    # A quoted note over two lines is still one row; row numbers count rows, not lines.
    assert evening.notes == "Bring a friend.\nCoffee after."
    assert evening.types == ["C", "S", "YA"]  # YA is no known code: kept for the import to report
    assert evening.attendance == "hybrid"
    assert (evening.conference_url, evening.conference_url_notes) == ("https://zoom.us/j/5550123", "Passcode 42")
    assert evening.contacts == [ContactRecord(phone="555-0100")]


def test_rows_without_a_slug_get_a_stable_key_from_name_day_time_and_address():
    first = csv_feed.parse(PARTS, TYPE_NAMES)
    again = csv_feed.parse(PARTS.decode(), TYPE_NAMES)
    keys = [r.key for r in first.records]
    assert keys == [r.key for r in again.records]
    assert all(key.startswith("csv-") for key in keys) and len(set(keys)) == 2
    assert [(s.row, s.reason) for s in first.skipped] == [
        (4, "Latitude '91' is not between -90 and 90"),
        (5, "Latitude and Longitude go together: give both or neither"),
        (6, "End Time 'later' is not a time of day"),
        (7, "Attendance Option 'sometimes' is not in_person, online, hybrid or inactive"),
        (8, "Day '7' is not a weekday (Sunday…Saturday or 0…6)"),
        (9, "the same name, day, time and address as row 2"),
    ]


def test_utf8_with_a_byte_order_mark_and_a_semicolon_separated_file():
    data = "\ufeffNAME;Day;Time;Location Notes\nCafé Group;sat;7 pm;Über den Hof\n".encode()
    (record,) = csv_feed.parse(data).records
    assert (record.name, record.day, record.start_time) == ("Café Group", 6, dt.time(19, 0))
    assert record.location.notes == "Über den Hof"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:00 PM", dt.time(19, 0)),
        ("7:05pm", dt.time(19, 5)),
        ("12:00 AM", dt.time(0, 0)),
        ("12:30 p.m.", dt.time(12, 30)),
        ("19:00", dt.time(19, 0)),
        ("07:15:30", dt.time(7, 15, 30)),
        ("noon", dt.time(12, 0)),
        ("7", None),
        ("13:00 PM", None),
        ("19:60", None),
    ],
)
def test_times(text, expected):
    assert csv_feed._time(text) == expected


def test_html_in_notes_is_taken_out():
    data = "Name,Day,Time,Notes\nX,Monday,19:00,Side door<br>Ring &amp; <b>wait</b>\n"
    assert csv_feed.parse(data).records[0].notes == "Side door\nRing & wait"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Name,Time\nX,19:00\n", "no Day column"),
        ("Name,Day,Time\nCaf\u00e9,Monday,19:00\n".encode("cp1252"), "not UTF-8"),
        (b'Name,Day,Time\n"X,Monday,19:00\n', "cannot be read as CSV"),
    ],
)
def test_unusable_files_are_a_feed_error(data, message):
    with pytest.raises(FeedError, match=message):
        csv_feed.parse(data)


# Rendering.

RENDER_NAMES = {"Open": "O", "Wheelchair Access": "X", "12 Steps & 12 Traditions": "12x12", "Women": "W"}


def unsaved_meetings() -> list[Meeting]:
    hall = Location(
        name="St. Mark's Hall", address="12 Elm St", city="Syracuse", state="NY", postal_code="13206",
        country="US", formatted_address="12 Elm St, Syracuse, NY 13206, USA", region="Onondaga",
        sub_region="Eastwood", latitude=43.048123, longitude=-76.147456, timezone="America/New_York",
        approximate=False, notes="Basement, \"side\" door",
    )  # fmt: skip
    in_person = Meeting(
        name="Hope, Faith & Courage", slug="hope-faith-courage", group_name="Elm Group", day=1,
        start_time=dt.time(19, 0), end_time=dt.time(20, 30), timezone="America/New_York", location=hall,
        attendance_mode=Meeting.Attendance.HYBRID, conference_url="https://zoom.us/j/5550100",
        conference_url_notes="ID 555 0100\npasscode 42", conference_phone="+1 555 0100",
        conference_phone_notes="Press #", notes="Line one\nLine two, with a comma", group_notes="Since 1984",
        website="https://elm.example.org", feedback_url="https://elm.example.org/feedback", venmo="@elm",
        paypal="elmgroup", square="$elm", world_id="G00012345",
        updated_at=dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    online = Meeting(
        name="=Night Owls", slug="night-owls", day=6, start_time=dt.time(23, 30), end_time=dt.time(0, 30),
        timezone="America/Chicago", attendance_mode=Meeting.Attendance.ONLINE,
        conference_url="https://zoom.us/j/5550111", notes="-bring coffee", updated_at=None,
    )  # fmt: skip
    return [in_person, online]


CODES = {"hope-faith-courage": ["O", "X", "12x12", "YA"], "night-owls": ["W"]}


def codes_for(meeting):
    return CODES[meeting.slug]


def test_render_writes_the_header_first_then_a_line_a_meeting():
    lines = list(csv_feed.render(unsaved_meetings(), "https://finder.example.org/", codes_for, RENDER_NAMES))
    assert len(lines) == 3 and all(line.endswith("\r\n") for line in lines)
    assert lines[0] == ",".join(csv_feed.COLUMNS) + "\r\n"
    row = dict(zip(csv_feed.COLUMNS, next(stdlib_csv.reader([lines[1]])), strict=True))
    assert (row["Time"], row["End Time"], row["Day"]) == ("7:00 PM", "8:30 PM", "Monday")
    assert row["Types"] == "Open, Wheelchair Access, 12 Steps & 12 Traditions, YA"  # names, else the code
    assert row["URL"] == "https://finder.example.org/meetings/hope-faith-courage/"
    assert row["Updated"] == "2024-05-01T12:30:00+00:00"
    night = dict(zip(csv_feed.COLUMNS, next(stdlib_csv.reader([lines[2]])), strict=True))
    # A spreadsheet would run these as formulas: they are written as text.
    assert (night["Name"], night["Notes"]) == ("'=Night Owls", "'-bring coffee")
    assert night["Conference Phone"] == ""


def test_render_then_parse_gives_back_every_stored_field():
    meetings = unsaved_meetings()
    text = "".join(csv_feed.render(meetings, "https://finder.example.org", codes_for, RENDER_NAMES))
    parsed = csv_feed.parse(text, {name.lower(): code for name, code in RENDER_NAMES.items()})
    assert parsed.skipped == []
    records = by_key(parsed)
    for meeting in meetings:
        record = records[meeting.slug]
        assert record.slug == meeting.slug
        assert record.types == codes_for(meeting)
        assert record.url == f"https://finder.example.org/meetings/{meeting.slug}/"
        assert record.updated == meeting.updated_at
        assert record.attendance == meeting.attendance_mode
        for name in (
            "name", "group_name", "day", "start_time", "end_time", "timezone", "conference_url",
            "conference_url_notes", "conference_phone", "conference_phone_notes", "notes", "group_notes",
            "website", "feedback_url", "venmo", "paypal", "square", "world_id",
        ):  # fmt: skip
            assert getattr(record, name) == getattr(meeting, name), name
        if meeting.location is None:
            assert record.location is None
            continue
        for name in (
            "name", "address", "city", "state", "postal_code", "country", "formatted_address", "region",
            "sub_region", "latitude", "longitude", "timezone", "approximate", "notes",
        ):  # fmt: skip
            assert getattr(record.location, name) == getattr(meeting.location, name), name


@pytest.mark.django_db
def test_render_writes_only_contacts_who_agreed_to_be_published():
    meeting = make_meeting(name="Contacts", slug="contacts")
    Contact.objects.create(meeting=meeting, name="Private Person", email="private@example.org")
    Contact.objects.create(
        meeting=meeting, name="Public Person", phone="555-0199", consent_to_publish=True,
        consent_recorded_at=timezone.now(),
    )  # fmt: skip
    meetings = Meeting.objects.filter(pk=meeting.pk).prefetch_related("contacts")
    text = "".join(csv_feed.render(meetings, "https://finder.example.org", lambda m: [], {}))
    assert "Private Person" not in text
    (record,) = csv_feed.parse(text).records
    assert record.contacts == [ContactRecord(name="Public Person", phone="555-0199")]
    assert record.updated == meeting.updated_at.replace(microsecond=0)
