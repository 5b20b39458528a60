"""Syncing a parsed feed: created / updated / unchanged / deactivated / skipped, in one transaction."""

import dataclasses
import datetime as dt

import pytest

from groups.models import Organization
from meetings import importing
from meetings.feeds.records import ContactRecord, LocationRecord, MeetingRecord, ParsedFeed, SkippedRow
from meetings.importing import FeedImportError, import_feed
from meetings.models import Contact, Feed, Location, Meeting, Place

pytestmark = pytest.mark.django_db


def record(row: int, key: str, **fields) -> MeetingRecord:
    fields.setdefault("name", f"Meeting {key}")
    fields.setdefault("day", 2)
    fields.setdefault("start_time", dt.time(19, 0))
    fields.setdefault(
        "location",
        LocationRecord(
            name="St. Luke's", address="330 S 13th St", city="Philadelphia", state="PA", postal_code="19107",
            country="US", formatted_address="330 S 13th St, Philadelphia, PA 19107, USA",
            latitude=39.9459, longitude=-75.1629,
        ),
    )  # fmt: skip
    return MeetingRecord(row=row, key=key, **fields)


def feed_of(*records: MeetingRecord, skipped=()) -> ParsedFeed:
    return ParsedFeed(records=list(records), skipped=list(skipped))


@pytest.fixture
def feed(directory):
    return Feed.objects.create(
        name="SEPA intergroup", organization=Organization.objects.get(slug="alcoholics-anonymous")
    )


@pytest.fixture
def al_anon_feed(directory):
    return Feed.objects.create(name="Mass Al-Anon", organization=Organization.objects.get(slug="al-anon"))


class TestSync:
    def test_a_first_import_creates_every_meeting(self, feed):
        report = import_feed(feed_of(record(1, "a", types=["O", "D"]), record(2, "b", types=["C"])), feed)
        assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
        meeting = Meeting.objects.get(feed=feed, feed_key="a")
        assert sorted(t.code for t in meeting.types.all()) == ["D", "O"]
        assert meeting.slug == "aa-meeting-a" and meeting.status == Meeting.Status.PUBLISHED
        assert meeting.end_time == dt.time(20, 0)
        assert Location.objects.count() == 1, "meetings at the same place share it"

    def test_the_importing_process_counts_its_new_meetings_at_once(
        self, client, feed, django_capture_on_commit_callbacks
    ):
        assert "None listed yet" in client.get("/organizations/alcoholics-anonymous/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            import_feed(feed_of(record(1, "a"), record(2, "b")), feed)
        assert "2 meetings</a>" in client.get("/organizations/alcoholics-anonymous/").content.decode()

    def test_an_end_equal_to_the_start_is_taken_as_no_end(self, feed):
        import_feed(feed_of(record(1, "a", start_time=dt.time(19, 0), end_time=dt.time(19, 0))), feed)
        assert Meeting.objects.get(feed_key="a").end_time == dt.time(20, 0)

    def test_importing_the_same_feed_again_changes_nothing(self, feed):
        parsed = feed_of(record(1, "a", types=["O"]), record(2, "b", notes="Side door"))
        import_feed(parsed, feed)
        before = list(Meeting.objects.order_by("pk").values("pk", "slug", "updated_at", "location_id"))
        report = import_feed(parsed, feed)
        assert (report.created, report.updated, report.unchanged, report.deactivated) == (0, 0, 2, [])
        assert list(Meeting.objects.order_by("pk").values("pk", "slug", "updated_at", "location_id")) == before
        assert Location.objects.count() == 1

    def test_a_changed_meeting_is_updated_in_place(self, feed):
        import_feed(feed_of(record(1, "a", types=["O"])), feed)
        original = Meeting.objects.get(feed_key="a")
        report = import_feed(feed_of(record(1, "a", types=["C"], start_time=dt.time(20, 30), name="Renamed")), feed)
        assert (report.created, report.updated) == (0, 1)
        meeting = Meeting.objects.get(feed_key="a")
        assert meeting.pk == original.pk and meeting.slug == original.slug
        assert (meeting.name, meeting.start_time, [t.code for t in meeting.types.all()]) == (
            "Renamed",
            dt.time(20, 30),
            ["C"],
        )

    def test_a_meeting_gone_from_the_feed_is_deactivated_not_deleted(self, feed):
        import_feed(feed_of(record(1, "a"), record(2, "b", name="Gone Group")), feed)
        report = import_feed(feed_of(record(1, "a")), feed)
        assert report.deactivated == ["Gone Group (b)"]
        gone = Meeting.objects.get(feed_key="b")
        assert gone.status == Meeting.Status.REMOVED
        assert not Meeting.objects.published().filter(pk=gone.pk).exists()
        report = import_feed(feed_of(record(1, "a"), record(2, "b", name="Gone Group")), feed)
        assert report.updated == 1 and Meeting.objects.get(feed_key="b").status == Meeting.Status.PUBLISHED

    def test_skipped_rows_are_reported_with_their_reason(self, feed):
        parsed = feed_of(
            record(1, "a"),
            record(2, "a"),
            record(3, "c", location=None),
            record(4, "d", day=None),
            skipped=[SkippedRow(5, "no name")],
        )
        report = import_feed(parsed, feed)
        assert report.created == 1
        reasons = {row.row: row.reason for row in report.skipped}
        assert reasons == {
            5: "no name",
            2: "the same id appears earlier in the feed",
            3: "no address and no way to join online",
            4: "no weekday",
        }
        assert "Skipped row 3 (c): no address and no way to join online" in report.lines()

    def test_a_failure_half_way_leaves_the_database_as_it_was(self, feed, monkeypatch):
        import_feed(feed_of(record(1, "a", name="Before")), feed)

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(importing.Meeting.objects, "bulk_update", broken)
        with pytest.raises(FeedImportError, match=r"disk full.*Nothing was changed"):
            import_feed(feed_of(record(1, "a", name="After"), record(2, "b")), feed)
        assert list(Meeting.objects.values_list("name", flat=True)) == ["Before"]

    def test_a_failure_on_one_row_names_that_row(self, feed, monkeypatch):
        def broken(record, codes, location):
            if record.row == 3:
                raise RuntimeError("unexpected")
            return Meeting.Attendance.IN_PERSON

        monkeypatch.setattr(importing, "_attendance", broken)
        with pytest.raises(FeedImportError, match="at row 3"):
            import_feed(feed_of(record(1, "a"), record(3, "c")), feed)
        assert not Meeting.objects.exists()


class TestAttendance:
    @pytest.mark.parametrize(
        ("fields", "expected"),
        [
            ({}, "in_person"),
            ({"conference_url": "https://example.org/j"}, "hybrid"),
            ({"conference_phone": "+1 555 0100"}, "hybrid"),
            ({"conference_url": "https://example.org/j", "types": ["TC"]}, "online"),
            ({"types": ["TC"]}, "inactive"),
            ({"types": ["ONL"]}, "hybrid"),
            ({"attendance": "online", "conference_url": "https://example.org/j"}, "online"),
        ],
    )
    def test_attendance_follows_tsmls_rules(self, feed, fields, expected):
        import_feed(feed_of(record(1, "a", **fields)), feed)
        assert Meeting.objects.get().attendance_mode == expected

    def test_an_approximate_address_with_a_link_is_online(self, feed):
        place = LocationRecord(city="Philadelphia", state="PA", formatted_address="Philadelphia, PA, USA",
                               latitude=39.95, longitude=-75.16, approximate=True)  # fmt: skip
        import_feed(feed_of(record(1, "a", location=place, conference_url="https://example.org/j")), feed)
        assert Meeting.objects.get().attendance_mode == "online"

    def test_a_street_address_in_the_formatted_address_is_precise(self, feed):
        place = LocationRecord(
            formatted_address="14 E Mill Rd, Flourtown, PA 19031, USA", latitude=40.1, longitude=-75.2
        )
        vague = LocationRecord(formatted_address="Flourtown, PA, USA", latitude=40.1, longitude=-75.2)
        link = "https://example.org/j"
        import_feed(feed_of(record(1, "a", location=place, types=["ONL"], conference_url=link),
                            record(2, "b", location=vague, types=["ONL"], conference_url=link)), feed)  # fmt: skip
        assert dict(Meeting.objects.values_list("feed_key", "attendance_mode")) == {"a": "hybrid", "b": "online"}

    def test_an_online_meeting_needs_no_address(self, feed):
        import_feed(feed_of(record(1, "a", location=None, conference_url="https://example.org/j")), feed)
        meeting = Meeting.objects.get()
        assert (meeting.attendance_mode, meeting.location) == ("online", None)


class TestTypes:
    def test_unknown_codes_are_kept_and_reported_never_dropped(self, feed):
        report = import_feed(feed_of(record(1, "a", types=["O", "XYZ", "ASBI"])), feed)
        meeting = Meeting.objects.get()
        assert [t.code for t in meeting.types.all()] == ["O"]
        assert meeting.unmapped_types == ["ASBI", "XYZ"]
        assert report.unknown_types == {"XYZ": 1, "ASBI": 1}

    def test_a_fellowship_reads_codes_through_its_own_table(self, al_anon_feed):
        report = import_feed(feed_of(record(1, "a", types=["Y", "A", "W"])), al_anon_feed)
        meeting = Meeting.objects.get()
        assert sorted(t.code for t in meeting.types.all()) == ["A", "W"]
        assert meeting.unmapped_types == ["Y"], "Alateen is kept as Al-Anon's own code, not 'Young People'"
        assert not report.unknown_types


class TestPlacesAndZones:
    def test_a_meeting_without_a_zone_takes_it_from_its_zip_code(self, feed):
        import_feed(feed_of(record(1, "a")), feed, default_timezone="Pacific/Honolulu")
        assert Meeting.objects.get().timezone == "America/New_York"

    def test_a_meeting_without_a_zone_or_zip_code_takes_it_from_the_nearest_city(self, feed):
        Place.objects.create(geonameid=1, name="Madrid", search_name="madrid", country="ES", latitude=40.4168,
                             longitude=-3.7038, population=3_000_000, timezone="Europe/Madrid")  # fmt: skip
        place = LocationRecord(name="Centro", formatted_address="Calle Mayor 1, Madrid", latitude=40.4153,
                               longitude=-3.7089, country="ES")  # fmt: skip
        import_feed(feed_of(record(1, "a", location=place)), feed)
        assert Meeting.objects.get().timezone == "Europe/Madrid"

    def test_otherwise_the_imports_default_zone_is_used_and_counted(self, feed):
        place = LocationRecord(name="Somewhere", formatted_address="Nowhere Road")
        report = import_feed(
            feed_of(record(1, "a", location=place, conference_url="https://example.org/j")),
            feed,
            default_timezone="America/Denver",
        )
        assert Meeting.objects.get().timezone == "America/Denver"
        assert report.default_timezone == 1

    def test_a_stated_zone_wins(self, feed):
        import_feed(feed_of(record(1, "a", timezone="America/Chicago")), feed)
        assert Meeting.objects.get().timezone == "America/Chicago"

    def test_missing_coordinates_are_placed_at_the_zip_code_or_flagged(self, feed):
        at_zip = LocationRecord(name="Hall", address="1 Main St", city="Woodlyn", state="PA", postal_code="19094")
        nowhere = LocationRecord(name="Barn", address="Farm Road", city="Atlantis")
        report = import_feed(feed_of(record(1, "a", location=at_zip), record(2, "b", location=nowhere)), feed)
        placed = Meeting.objects.get(feed_key="a").location
        assert placed.latitude is not None and placed.approximate
        assert Meeting.objects.get(feed_key="b").location.needs_location
        assert report.placed_at_postal_code == 1
        assert report.needs_location == ["row 2 (Meeting b)"]
        assert (
            import_feed(feed_of(record(1, "a", location=at_zip), record(2, "b", location=nowhere)), feed).unchanged == 2
        )


class TestPrivacy:
    def test_contacts_are_kept_private(self, feed, client):
        contact = ContactRecord(name="Pat Secretary", email="pat@example.org", phone="+1 555 0101")
        import_feed(feed_of(record(1, "a", contacts=[contact])), feed)
        stored = Contact.objects.get()
        assert (stored.name, stored.consent_to_publish) == ("Pat Secretary", False)
        meeting = Meeting.objects.get()
        assert "pat@example.org" not in client.get(meeting.get_absolute_url()).content.decode()
        assert "pat@example.org" not in client.get(f"/api/v1/meetings/{meeting.slug}/").content.decode()

    def test_a_changed_contact_list_replaces_the_old_one(self, feed):
        import_feed(feed_of(record(1, "a", contacts=[ContactRecord(name="Old")])), feed)
        report = import_feed(feed_of(record(1, "a", contacts=[ContactRecord(name="New")])), feed)
        assert report.updated == 1
        assert list(Contact.objects.values_list("name", flat=True)) == ["New"]


def test_every_record_field_reaches_the_meeting(feed):
    full = record(
        1, "full", name="Full", group_name="Group", end_time=dt.time(21, 0), timezone="America/New_York",
        conference_url="https://example.org/j", conference_url_notes="ID 1", conference_phone="+1 555 0100",
        conference_phone_notes="PIN 2", notes="Notes", group_notes="GN", website="https://example.org/g",
        url="https://example.org/m", feedback_url="https://example.org/f", venmo="@g", paypal="g", square="$g",
        world_id="G1",
    )  # fmt: skip
    import_feed(feed_of(full), feed)
    meeting = Meeting.objects.get()
    for name in (f.name for f in dataclasses.fields(MeetingRecord)):
        if name in {
            "row",
            "key",
            "day",
            "start_time",
            "types",
            "attendance",
            "slug",
            "updated",
            "location",
            "contacts",
        }:
            continue
        assert getattr(meeting, name) == getattr(full, name), name
