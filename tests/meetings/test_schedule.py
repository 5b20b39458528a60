"""Times are computed in each meeting's own zone, across midnight and the end of the week."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from meetings import schedule
from meetings.models import Meeting
from tests.factories import make_meeting, make_organization

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# Tuesday 25 November 2025, 19:00 in New York (standard time, UTC-5).
TUESDAY_7PM_NY = dt.datetime(2025, 11, 25, 19, 0, tzinfo=NEW_YORK)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, SATURDAY, SUNDAY = 1, 2, 3, 4, 6, 0


def names(q) -> set[str]:
    return set(Meeting.objects.filter(q).values_list("name", flat=True))


@pytest.fixture
def organization():
    return make_organization()


def meeting(organization, name, day, start, end=None, zone="America/New_York"):
    return make_meeting(
        organization=organization, name=name, day=day, start_time=dt.time(*start),
        end_time=dt.time(*end) if end else None, timezone=zone,
    )  # fmt: skip


class TestStartingSoon:
    def test_a_meeting_starting_within_the_hour_in_its_zone_is_soon(self, organization):
        meeting(organization, "NY 7:30", TUESDAY, (19, 30))
        meeting(organization, "NY 8:30", TUESDAY, (20, 30))
        meeting(organization, "LA 7:30", TUESDAY, (19, 30), zone="America/Los_Angeles")  # 3 hours later
        meeting(organization, "Chicago 6:45", TUESDAY, (18, 45), zone="America/Chicago")  # 19:45 in New York
        assert names(schedule.starting_within(TUESDAY_7PM_NY, 60)) == {"NY 7:30", "Chicago 6:45"}

    def test_the_window_crosses_midnight_and_the_end_of_the_week(self, organization):
        meeting(organization, "Sunday 00:15", SUNDAY, (0, 15))
        meeting(organization, "Saturday 23:50", SATURDAY, (23, 50))
        meeting(organization, "Sunday 01:00", SUNDAY, (1, 0))
        saturday_late = dt.datetime(2025, 11, 29, 23, 30, tzinfo=NEW_YORK)
        assert names(schedule.starting_within(saturday_late, 60)) == {"Sunday 00:15", "Saturday 23:50"}

    def test_a_meeting_that_already_started_is_not_starting_soon(self, organization):
        meeting(organization, "NY 6:30", TUESDAY, (18, 30))
        assert names(schedule.starting_within(TUESDAY_7PM_NY, 60)) == set()


class TestInProgress:
    def test_a_meeting_going_on_now_is_in_progress(self, organization):
        meeting(organization, "6:30-7:30", TUESDAY, (18, 30), (19, 30))
        meeting(organization, "6:00-7:00", TUESDAY, (18, 0), (19, 0))  # just ended
        meeting(organization, "7:00-8:00", TUESDAY, (19, 0), (20, 0))  # just began
        assert names(schedule.in_progress(TUESDAY_7PM_NY)) == {"6:30-7:30", "7:00-8:00"}

    def test_a_meeting_that_crosses_midnight_is_in_progress_on_both_sides(self, organization):
        meeting(organization, "Late", TUESDAY, (23, 0), (1, 0))
        assert names(schedule.in_progress(dt.datetime(2025, 11, 25, 23, 30, tzinfo=NEW_YORK))) == {"Late"}
        assert names(schedule.in_progress(dt.datetime(2025, 11, 26, 0, 30, tzinfo=NEW_YORK))) == {"Late"}
        assert names(schedule.in_progress(dt.datetime(2025, 11, 26, 1, 30, tzinfo=NEW_YORK))) == set()

    def test_in_progress_uses_the_meetings_own_zone(self, organization):
        meeting(organization, "Tokyo Wednesday 9:00", WEDNESDAY, (9, 0), (10, 0), zone="Asia/Tokyo")
        # 19:30 Tuesday in New York is 09:30 Wednesday in Tokyo.
        assert names(schedule.in_progress(dt.datetime(2025, 11, 25, 19, 30, tzinfo=NEW_YORK))) == {
            "Tokyo Wednesday 9:00"
        }


class TestDays:
    def test_today_is_each_meetings_own_today(self, organization):
        meeting(organization, "NY Tuesday", TUESDAY, (20, 0))
        meeting(organization, "Tokyo Wednesday", WEDNESDAY, (12, 0), zone="Asia/Tokyo")
        meeting(organization, "Tokyo Tuesday", TUESDAY, (12, 0), zone="Asia/Tokyo")
        assert names(schedule.on_day(TUESDAY_7PM_NY, 0)) == {"NY Tuesday", "Tokyo Wednesday"}

    def test_today_leaves_out_meetings_that_are_over_and_keeps_those_still_going(self, organization):
        # A "Today" search at 7 PM listed this noon's meeting, which is next week's by then.
        meeting(organization, "Noon", TUESDAY, (12, 0), (13, 0))
        meeting(organization, "Ended at 7", TUESDAY, (18, 0), (19, 0))
        meeting(organization, "In progress", TUESDAY, (18, 30), (19, 30))
        meeting(organization, "Late, past midnight", TUESDAY, (23, 0), (0, 30))
        assert names(schedule.on_day(TUESDAY_7PM_NY, 0)) == {"In progress", "Late, past midnight"}
        # Tomorrow is the whole day.
        meeting(organization, "Wednesday early", WEDNESDAY, (6, 0), (7, 0))
        assert names(schedule.on_day(TUESDAY_7PM_NY, 1)) == {"Wednesday early"}

    def test_tomorrow_after_saturday_is_sunday(self, organization):
        meeting(organization, "Sunday", SUNDAY, (10, 0))
        saturday = dt.datetime(2025, 11, 29, 12, 0, tzinfo=NEW_YORK)
        assert names(schedule.on_day(saturday, 1)) == {"Sunday"}

    def test_night_wraps_past_midnight_and_morning_does_not(self, organization):
        meeting(organization, "22:00", TUESDAY, (22, 0))
        meeting(organization, "02:00", TUESDAY, (2, 0))
        meeting(organization, "07:00", TUESDAY, (7, 0))
        assert names(schedule.time_of_day(["night"])) == {"22:00", "02:00"}
        assert names(schedule.time_of_day(["morning"])) == {"07:00"}

    def test_an_explicit_start_range_may_wrap_past_midnight(self, organization):
        meeting(organization, "23:00", TUESDAY, (23, 0))
        meeting(organization, "12:00", TUESDAY, (12, 0))
        assert names(schedule.start_between(dt.time(22, 0), dt.time(1, 0))) == {"23:00"}
        assert names(schedule.start_between(dt.time(11, 0), None)) == {"23:00", "12:00"}


class TestNextStart:
    def test_the_database_orders_meetings_by_their_next_start_like_python_does(self, organization):
        for index, (day, start, zone) in enumerate(
            [
                (TUESDAY, (19, 30), "America/New_York"),
                (TUESDAY, (18, 30), "America/Los_Angeles"),
                (WEDNESDAY, (8, 0), "Europe/London"),
                (TUESDAY, (18, 0), "America/New_York"),
                (SUNDAY, (9, 0), "Pacific/Auckland"),
                (TUESDAY, (18, 30), "America/New_York"),
            ]
        ):
            meeting(organization, f"m{index}", day, start, zone=zone)
        ordered = list(Meeting.objects.by_next_start(TUESDAY_7PM_NY))
        expected = sorted(ordered, key=lambda m: (m.next_start(TUESDAY_7PM_NY), m.pk))
        assert [m.name for m in ordered] == [m.name for m in expected]
        assert ordered[0].name == "m5", "the meeting in progress comes first"

    @pytest.mark.parametrize(
        "now",
        [
            dt.datetime(2025, 11, 29, 23, 45, tzinfo=NEW_YORK),  # Saturday night in New York: the week wraps
            dt.datetime(2025, 11, 25, 18, 40, tzinfo=dt.UTC),  # 00:10 Wednesday in Kolkata (UTC+5:30)
            dt.datetime(2025, 11, 26, 13, 20, tzinfo=dt.UTC),  # Thursday 00:50 in Adelaide (UTC+10:30)
        ],
    )
    def test_the_database_and_python_agree_on_the_next_start_in_odd_zones_and_across_midnight(self, organization, now):
        for index, (day, start, end, zone) in enumerate(
            [
                (SATURDAY, (23, 30), (0, 30), "America/New_York"),  # crosses midnight into Sunday
                (SUNDAY, (0, 0), (1, 0), "America/New_York"),
                (TUESDAY, (23, 55), (0, 55), "Asia/Kolkata"),
                (WEDNESDAY, (0, 30), (1, 30), "Asia/Kolkata"),
                (WEDNESDAY, (23, 0), (1, 0), "Australia/Adelaide"),
                (THURSDAY, (7, 0), None, "Australia/Adelaide"),
                (SUNDAY, (9, 0), None, "Pacific/Auckland"),
                (MONDAY, (12, 0), None, "Europe/London"),
            ]
        ):
            meeting(organization, f"m{index}", day, start, end, zone=zone)
        ordered = list(Meeting.objects.by_next_start(now))
        expected = sorted(ordered, key=lambda m: (m.next_start(now), m.pk))
        assert [m.name for m in ordered] == [m.name for m in expected]

    def test_the_next_start_is_next_week_once_todays_meeting_is_over(self, organization):
        over = meeting(organization, "over", TUESDAY, (17, 0), (18, 0))
        assert over.next_start(TUESDAY_7PM_NY) == dt.datetime(2025, 12, 2, 17, 0, tzinfo=NEW_YORK)

    def test_the_next_start_keeps_local_time_across_a_daylight_saving_change(self, organization):
        sunday = meeting(organization, "Sunday 10", SUNDAY, (10, 0))
        before_change = dt.datetime(2026, 3, 6, 12, 0, tzinfo=NEW_YORK)  # Friday; clocks change Sunday 8 March
        start = sunday.next_start(before_change)
        assert (start.hour, start.tzname()) == (10, "EDT")


@pytest.mark.django_db
def test_a_site_with_no_meetings_yet_lists_none_soonest_first():
    from meetings.models import Meeting

    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert list(Meeting.objects.by_next_start(now, zones=[])) == []
    assert list(Meeting.objects.filter(schedule.starting_within(now, 60, zones=[]))) == []


class TestZoneLists:
    @pytest.fixture
    def postgresql(self, monkeypatch):
        from django.db import connections

        monkeypatch.setattr(type(connections["default"]), "vendor", "postgresql")

    def test_zone_names_are_written_into_the_sql_when_they_need_no_quoting(self, postgresql):
        sql, params = schedule._zones_in(["America/New_York", "America/Port-au-Prince", "Etc/GMT+5"])
        assert params == []
        assert "'{America/New_York,America/Port-au-Prince,Etc/GMT+5}'" in sql

    def test_any_other_name_goes_as_a_parameter(self, postgresql):
        for odd in ("Bad'Zone", "Bad,Zone", "Bad Zone", "Bad}Zone", 'Bad"Zone', "Bad\\Zone"):
            sql, params = schedule._zones_in(["America/New_York", odd])
            assert params == [["America/New_York", odd]] and odd not in sql


class TestTheVisitorsDaysAndHours:
    """Without a place, "today" and "evening" are the visitor's, wherever the (online) meetings are."""

    def test_the_rest_of_the_visitors_day_holds_meetings_elsewhere_that_start_before_their_midnight(self, organization):
        meeting(organization, "NY 20:00", TUESDAY, (20, 0))
        meeting(organization, "LA 20:30", TUESDAY, (20, 30), zone="America/Los_Angeles")  # 23:30 in New York
        meeting(organization, "LA 21:30", TUESDAY, (21, 30), zone="America/Los_Angeles")  # 00:30 Wednesday
        meeting(organization, "Tokyo Wed 12:00", WEDNESDAY, (12, 0), zone="Asia/Tokyo")  # 22:00 Tuesday
        meeting(organization, "Tokyo Wed 15:00", WEDNESDAY, (15, 0), zone="Asia/Tokyo")  # 01:00 Wednesday
        meeting(organization, "NY 18:00", TUESDAY, (18, 0))  # over
        now_minute = schedule.visitor_week_minute(TUESDAY_7PM_NY, "America/New_York")
        assert now_minute == TUESDAY * 1440 + 19 * 60
        rest_of_today = (now_minute, (TUESDAY + 1) * 1440)
        found = names(schedule.starting_in_visitors_week(TUESDAY_7PM_NY, "America/New_York", [rest_of_today]))
        assert found == {"NY 20:00", "LA 20:30", "Tokyo Wed 12:00"}

    def test_a_window_may_run_past_the_end_of_the_visitors_week(self, organization):
        meeting(organization, "Sydney Monday 09:00", MONDAY, (9, 0), zone="Australia/Sydney")  # Sunday 17:00 NY
        saturday_night = [(SATURDAY * 1440 + 20 * 60, 8 * 1440)]  # Saturday 20:00 to the end of Sunday
        assert names(schedule.starting_in_visitors_week(TUESDAY_7PM_NY, "America/New_York", saturday_night)) == {
            "Sydney Monday 09:00"
        }

    def test_the_visitors_evening_and_night_are_read_on_their_clock(self, organization):
        meeting(organization, "LA 14:30", TUESDAY, (14, 30), zone="America/Los_Angeles")  # 17:30 in New York
        meeting(organization, "LA 18:30", TUESDAY, (18, 30), zone="America/Los_Angeles")  # 21:30
        meeting(organization, "London 23:00", TUESDAY, (23, 0), zone="Europe/London")  # 18:00
        meeting(organization, "Tokyo 12:00", WEDNESDAY, (12, 0), zone="Asia/Tokyo")  # 22:00
        meeting(organization, "London 08:00", WEDNESDAY, (8, 0), zone="Europe/London")  # 03:00
        meeting(organization, "NY 08:00", WEDNESDAY, (8, 0))

        def at(*names_):
            spans = [schedule.minutes_of_day(*schedule.TIMES_OF_DAY[name]) for name in names_]
            return names(schedule.starting_at_visitors_hours(TUESDAY_7PM_NY, "America/New_York", spans))

        assert at("evening") == {"LA 14:30", "London 23:00"}
        assert at("night") == {"LA 18:30", "Tokyo 12:00", "London 08:00"}
        assert at("morning") == {"NY 08:00"}
