import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings.models import Contact, Feed, Location, Meeting, MeetingRows, MeetingType, Weekday
from tests.factories import make_location, make_meeting, make_organization

pytestmark = pytest.mark.django_db


def refused(**location_fields) -> bool:
    try:
        with transaction.atomic():
            make_location(**location_fields)
    except IntegrityError:
        return True
    return False


class TestLocationConstraints:
    def test_it_refuses_a_latitude_beyond_the_poles(self):
        assert refused(latitude=90.5, longitude=0)
        assert refused(latitude=-91, longitude=0)

    def test_it_refuses_a_longitude_beyond_180_degrees(self):
        assert refused(latitude=0, longitude=180.01)
        assert refused(latitude=0, longitude=-200)

    def test_it_accepts_the_poles_and_the_antimeridian(self):
        assert not refused(latitude=90, longitude=180)
        assert not refused(latitude=-90, longitude=-180)

    def test_it_refuses_a_latitude_without_a_longitude(self):
        assert refused(latitude=40.0, longitude=None)

    def test_a_location_without_coordinates_is_kept_and_flagged(self):
        location = make_location(latitude=None, longitude=None)
        assert location.needs_location

    def test_it_rejects_an_unknown_time_zone(self):
        location = Location(name="Hall", timezone="America/Philly")
        with pytest.raises(ValidationError) as error:
            location.full_clean()
        assert "timezone" in error.value.message_dict


class TestMeetingTimes:
    def test_the_end_defaults_to_one_hour_after_the_start(self):
        meeting = make_meeting(start_time=dt.time(19, 30))
        meeting.refresh_from_db()
        assert meeting.end_time == dt.time(20, 30)

    def test_a_late_meeting_ends_after_midnight_by_default(self):
        meeting = make_meeting(start_time=dt.time(23, 30))
        meeting.refresh_from_db()
        assert meeting.end_time == dt.time(0, 30)
        assert meeting.crosses_midnight
        assert meeting.duration == dt.timedelta(hours=1)

    def test_an_end_before_the_start_is_allowed_for_meetings_crossing_midnight(self):
        meeting = make_meeting(start_time=dt.time(22, 0), end_time=dt.time(1, 0))
        meeting.full_clean()
        assert meeting.duration == dt.timedelta(hours=3)

    def test_a_weekday_outside_sunday_to_saturday_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(day=7)

    def test_it_rejects_an_unknown_time_zone(self):
        meeting = make_meeting()
        meeting.timezone = "Mars/Olympus_Mons"
        with pytest.raises(ValidationError) as error:
            meeting.full_clean()
        assert "timezone" in error.value.message_dict

    def test_bmlt_weekdays_count_sunday_as_one(self):
        assert Weekday.from_bmlt(1) == Weekday.SUNDAY
        assert Weekday.from_bmlt(7) == Weekday.SATURDAY
        with pytest.raises(ValueError):
            Weekday.from_bmlt(0)

    def test_a_date_gives_its_meeting_guide_weekday(self):
        assert Weekday.from_date(dt.date(2026, 11, 29)) == Weekday.SUNDAY
        assert Weekday.from_date(dt.date(2026, 11, 25)) == Weekday.WEDNESDAY


class TestTimeZones:
    @pytest.fixture
    def python_knows_a_zone_the_database_may_not(self, monkeypatch):
        from meetings import models

        monkeypatch.setattr(models, "_ZONES", None)  # worked out again, then forgotten after the test
        monkeypatch.setattr(models, "available_timezones", lambda: {"America/New_York", "Mars/Olympus_Mons"})
        yield
        monkeypatch.setattr(models, "_ZONES", None)

    def test_a_zone_the_database_server_lacks_is_refused_on_postgresql(self, python_knows_a_zone_the_database_may_not):
        # PostgreSQL converts to each meeting's zone in searches and fails the whole query on one it lacks.
        from django.db import connection

        from meetings.models import validate_time_zone

        validate_time_zone("America/New_York")
        if connection.vendor == "postgresql":
            with pytest.raises(ValidationError):
                validate_time_zone("Mars/Olympus_Mons")
        else:
            validate_time_zone("Mars/Olympus_Mons")  # SQLite does no zone arithmetic of its own


class TestMeetingIdentity:
    def test_a_duplicate_slug_is_refused(self):
        make_meeting(slug="tuesday-night")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(slug="tuesday-night")

    def test_a_feed_cannot_hold_the_same_meeting_twice(self):
        organization = make_organization()
        feed = Feed.objects.create(name="Intergroup feed", organization=organization)
        make_meeting(organization=organization, feed=feed, feed_key="42")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(organization=organization, feed=feed, feed_key="42")

    def test_meetings_without_a_feed_key_do_not_collide(self):
        organization = make_organization()
        feed = Feed.objects.create(name="Hand-made", organization=organization)
        make_meeting(organization=organization, feed=feed)
        make_meeting(organization=organization, feed=feed)
        assert feed.meetings.count() == 2


class TestAttendance:
    def test_an_in_person_meeting_without_a_location_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(attendance_mode=Meeting.Attendance.IN_PERSON, location=None)

    def test_an_online_meeting_needs_no_location(self):
        meeting = make_meeting(attendance_mode=Meeting.Attendance.ONLINE)
        assert meeting.location is None
        meeting.full_clean()

    def test_an_online_meeting_needs_a_way_to_join(self):
        meeting = make_meeting(attendance_mode=Meeting.Attendance.ONLINE, conference_url="")
        with pytest.raises(ValidationError) as error:
            meeting.full_clean()
        assert "conference_url" in error.value.message_dict

    def test_a_phone_number_is_enough_to_join(self):
        meeting = make_meeting(
            attendance_mode=Meeting.Attendance.ONLINE, conference_url="", conference_phone="+1 555 0100"
        )
        meeting.full_clean()


class TestMeetingQueries:
    @pytest.fixture
    def meetings(self):
        organization = make_organization(slug="aa")
        return {
            "in_person": make_meeting(organization=organization),
            "online": make_meeting(organization=organization, attendance_mode=Meeting.Attendance.ONLINE),
            "hybrid": make_meeting(attendance_mode=Meeting.Attendance.HYBRID),
            "inactive": make_meeting(attendance_mode=Meeting.Attendance.INACTIVE),
            "draft": make_meeting(status=Meeting.Status.DRAFT),
        }

    def names(self, queryset) -> set[str]:
        return set(queryset.values_list("name", flat=True))

    def test_active_hides_drafts_and_temporarily_inactive_meetings(self, meetings):
        expected = {meetings[key].name for key in ("in_person", "online", "hybrid")}
        assert self.names(Meeting.objects.active()) == expected

    def test_online_includes_hybrid_meetings(self, meetings):
        assert self.names(Meeting.objects.active().online()) == {meetings["online"].name, meetings["hybrid"].name}

    def test_in_person_includes_hybrid_meetings(self, meetings):
        assert self.names(Meeting.objects.active().in_person()) == {
            meetings["in_person"].name,
            meetings["hybrid"].name,
        }

    def test_for_organization_takes_a_slug_or_an_organization(self, meetings):
        organization = meetings["in_person"].organization
        expected = {meetings["in_person"].name, meetings["online"].name}
        assert self.names(Meeting.objects.for_organization("aa")) == expected
        assert self.names(Meeting.objects.for_organization(organization)) == expected


class TestContacts:
    def test_only_contacts_with_recorded_consent_are_publishable(self):
        meeting = make_meeting()
        Contact.objects.create(meeting=meeting, name="Private Person", email="private@example.org")
        Contact.objects.create(
            meeting=meeting,
            name="Public Secretary",
            consent_to_publish=True,
            consent_recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )
        assert [c.name for c in meeting.contacts.publishable()] == ["Public Secretary"]

    def test_consent_without_a_date_is_refused(self):
        meeting = make_meeting()
        with pytest.raises(IntegrityError), transaction.atomic():
            Contact.objects.create(meeting=meeting, name="Someone", consent_to_publish=True)


class RowsOfAFewColumns(MeetingRows):
    fields = ("name", "day", "start_time", "end_time", "timezone", "updated_at", "is_demo", "last_verified")
    organization_fields = ("slug",)
    location_fields = ("name", "latitude", "approximate")


class TestMeetingRows:
    """Plain rows for lists: the same values, types and types list as the meetings themselves."""

    @pytest.fixture
    def meetings(self, directory):
        organization = make_organization(slug="aa", name="AA")
        in_person = make_meeting(
            organization=organization, name="Hall", start_time=dt.time(19, 30), last_verified=dt.date(2026, 11, 1),
            location=make_location(name="Church", latitude=39.95, longitude=-75.16),
        )  # fmt: skip
        online = make_meeting(organization=organization, name="Online", attendance_mode=Meeting.Attendance.ONLINE)
        in_person.types.set(MeetingType.objects.filter(code__in=["O", "W"]))
        return in_person, online

    def check(self, rows, in_person, online):
        by_name = {row.name: row for row in rows}
        hall, web = by_name["Hall"], by_name["Online"]
        assert (hall.pk, hall.start_time, hall.last_verified) == (in_person.pk, dt.time(19, 30), dt.date(2026, 11, 1))
        assert hall.updated_at == Meeting.objects.get(pk=in_person.pk).updated_at and hall.updated_at.tzinfo
        assert hall.is_demo is False and web.last_verified is None
        assert (hall.organization.slug, hall.location.name, hall.location.latitude) == ("aa", "Church", 39.95)
        assert hall.location.approximate is False and web.location is None
        assert [t.code for t in hall.type_list] == [t.code for t in in_person.type_list] and web.type_list == []
        now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
        assert hall.next_start(now) == in_person.next_start(now)

    def test_a_list_reads_rows_with_the_values_of_its_meetings(self, meetings, django_assert_num_queries):
        with django_assert_num_queries(2):  # the rows, then their types
            rows = list(Meeting.objects.read_as(RowsOfAFewColumns).order_by("name"))
        self.check(rows, *meetings)

    def test_rows_read_by_key_have_the_same_values(self, meetings, django_assert_num_queries):
        keys = [meeting.pk for meeting in meetings]
        with django_assert_num_queries(2):
            rows = RowsOfAFewColumns.by_key(keys, "default")
        self.check(rows, *meetings)
        assert RowsOfAFewColumns.by_key(keys[:1], "default")[0].name == "Hall"

    def test_a_search_s_annotations_come_with_the_rows(self, meetings):
        rows = Meeting.objects.read_as(RowsOfAFewColumns).near(39.95, -75.16, 5)
        assert [(row.name, round(row.distance, 3)) for row in rows] == [("Hall", 0.0)]


def test_a_meeting_remembers_its_next_start_only_for_the_same_moment_and_schedule(db):
    meeting = Meeting(day=Weekday.TUESDAY, start_time=dt.time(19, 0), end_time=dt.time(20, 0), timezone="UTC")
    monday = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert meeting.next_start(monday) == dt.datetime(2026, 12, 8, 19, 0, tzinfo=dt.UTC)
    meeting.day = Weekday.WEDNESDAY  # changed since: worked out again
    assert meeting.next_start(monday) == dt.datetime(2026, 12, 9, 19, 0, tzinfo=dt.UTC)
    assert meeting.next_start(dt.datetime(2026, 12, 9, 21, 0, tzinfo=dt.UTC)).day == 16  # another moment
