"""Days and hours on the visitor's clock (a search without a place), checked against Python by brute force.

Meetings in 16 zones (half-hour and 45-minute offsets, both sides of the date line, daylight saving on either
hemisphere) are searched from each zone at midnight, a minute before it and at random moments; what the
database finds must be exactly the meetings whose next start (``schedule.next_start``), on the visitor's
clock, falls on the days and hours asked for, in quiet weeks and in weeks with a daylight-saving change.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict

from meetings import schedule
from meetings.filters import MeetingFilter
from meetings.models import Meeting
from tests.factories import make_meeting, make_organization

pytestmark = pytest.mark.django_db

ZONES = [
    "UTC", "America/New_York", "America/Los_Angeles", "America/St_Johns", "Europe/London", "Asia/Kolkata",
    "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Pacific/Chatham", "Australia/Lord_Howe",
    "Australia/Eucla", "Asia/Tokyo", "Pacific/Auckland", "Asia/Tehran", "America/Sao_Paulo",
]  # fmt: skip
DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
SEARCHES = [
    {"day": ["today"]}, {"day": ["tomorrow"]}, {"day": ["today", "tomorrow"]}, {"day": ["saturday"]},
    {"day": ["today"], "time": ["evening"]}, {"day": ["today"], "time": ["night"]}, {"time": ["night"]},
    {"time": ["morning", "evening"]}, {"start_after": "22:00", "start_before": "01:00"}, {"start_after": "09:00"},
    {"start_before": "08:59"}, {"start_after": "12:00", "start_before": "12:00"},
    {"day": ["today"], "start_after": "18:00"},
]  # fmt: skip
WEEKS = [
    dt.datetime(2026, 1, 14, tzinfo=dt.UTC),  # no change of offset anywhere within eight days
    dt.datetime(2026, 3, 4, tzinfo=dt.UTC),  # North America springs forward on Sunday 8 March
    dt.datetime(2026, 3, 25, tzinfo=dt.UTC),  # Europe on the 29th; Lord Howe and Chatham fall back in April
]


@pytest.fixture
def meetings():
    organization, rng, made = make_organization(), random.Random(7), []
    starts = [(0, 0), (23, 59), (23, 30), (0, 30), (12, 0), (4, 0), (21, 0), (17, 0)]
    for number in range(len(ZONES) * 6):
        hour, minute = rng.choice(starts) if rng.random() < 0.4 else (rng.randrange(24), rng.choice([0, 1, 30, 59]))
        end = (hour * 60 + minute + rng.choice([30, 90, 240])) % 1440
        made.append(
            make_meeting(
                organization=organization,
                name=f"m{number}",
                slug=f"m{number}",
                day=rng.randrange(7),
                start_time=dt.time(hour, minute),
                end_time=dt.time(end // 60, end % 60),
                timezone=ZONES[number % len(ZONES)],
                attendance_mode=Meeting.Attendance.ONLINE,
            )
        )
    return made


def expected(meetings, now: dt.datetime, visitor: str, search: dict) -> set[str]:
    here = ZoneInfo(visitor)
    today = now.astimezone(here).date()
    found = set()
    for meeting in meetings:
        start = schedule.next_start(meeting.day, meeting.start_time, meeting.end_time, meeting.timezone, now)
        start = start.astimezone(here)
        clock = start.hour * 60 + start.minute
        days = {
            "today": start.date() == today,
            "tomorrow": start.date() == today + dt.timedelta(days=1),
            **{name: schedule.weekday_of(start) == number for number, name in enumerate(DAY_NAMES)},
        }
        spans = [schedule.minutes_of_day(*schedule.TIMES_OF_DAY[name]) for name in search.get("time", [])]
        after = _minutes(search.get("start_after", "00:00"))
        before = _minutes(search.get("start_before", "23:59"))
        on_a_day = not search.get("day") or any(days[name] for name in search["day"])
        at_an_hour = not spans or any(low <= clock < high or low <= clock + 1440 < high for low, high in spans)
        in_range = (after <= clock <= before) if after <= before else (clock >= after or clock <= before)
        if on_a_day and at_an_hour and in_range:
            found.add(meeting.name)
    return found


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def found(now: dt.datetime, visitor: str, search: dict) -> set[str]:
    query = QueryDict(mutable=True)
    query.update({"attendance": "online", "tz": visitor})
    for name, value in search.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filtered = MeetingFilter(query, now=now)
    assert filtered.is_valid(), filtered.errors
    return {meeting.name for meeting in filtered.qs}


@pytest.mark.parametrize("week", WEEKS, ids=lambda week: week.date().isoformat())
def test_the_database_finds_exactly_the_meetings_whose_next_start_is_on_the_visitors_days_and_hours(meetings, week):
    rng = random.Random(week.toordinal())
    moments = []
    for visitor in ZONES[::3]:
        midnight = week.astimezone(ZoneInfo(visitor)).replace(hour=0, minute=0) + dt.timedelta(days=1)
        moments += [(visitor, midnight), (visitor, midnight - dt.timedelta(minutes=1))]
    moments += [(rng.choice(ZONES), week + dt.timedelta(minutes=rng.randrange(6 * 1440))) for _ in range(8)]
    wrong = []
    for visitor, now in moments:
        today = DAY_NAMES[schedule.weekday_of(now.astimezone(ZoneInfo(visitor)))]
        for search in [*SEARCHES, {"day": [today]}]:
            got, want = found(now, visitor, search), expected(meetings, now, visitor, search)
            if got != want:
                wrong.append((visitor, now.isoformat(), search, sorted(got - want), sorted(want - got)))
    assert wrong == []
