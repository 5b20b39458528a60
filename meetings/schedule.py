"""When meetings happen, computed in each meeting's own time zone.

Meetings store a weekday (0 = Sunday) and a wall-clock start in their zone. "Today",
"starting in the next hour" and "in progress now" therefore differ from zone to zone; every
zone that shares the current UTC offset shares the same local clock, so the conditions are
built once per group of such zones, not once per meeting or per zone.

The zone conditions name every zone in use (hundreds, for a directory of the world). Built as
Q objects, Django spent ~40 ms of Python per search resolving and compiling them
(benchmarks/README.md), so they are written as SQL text once a minute, cached, and handed to the
ORM as ``RawSQL``. They name the ``meetings_meeting`` table, so use them on Meeting querysets.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.db import connection
from django.db.models import BooleanField, F, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractHour, ExtractMinute, Greatest, Mod
from django.db.models.sql import Query

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

# Start-time windows, as TSML and the Meeting Guide app name them; night wraps past midnight.
TIMES_OF_DAY: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(4, 0), dt.time(12, 0)),
    "midday": (dt.time(11, 0), dt.time(14, 0)),
    "afternoon": (dt.time(12, 0), dt.time(17, 0)),
    "evening": (dt.time(17, 0), dt.time(21, 0)),
    "night": (dt.time(21, 0), dt.time(4, 0)),
}


def weekday_of(moment: dt.datetime) -> int:
    """Meeting Guide weekday (0 = Sunday) of an aware datetime, in its own zone."""
    return (moment.weekday() + 1) % 7


def week_minute(day: int, time: dt.time) -> int:
    return day * MINUTES_PER_DAY + time.hour * 60 + time.minute


@cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@cache
def zone(name: str) -> ZoneInfo:
    """ZoneInfo keeps few zones alive; reading 600 zone files per search cost ~45 ms (benchmarks/README.md)."""
    return ZoneInfo(name)


@lru_cache(maxsize=32)
def _grouped(minute: dt.datetime, zones: tuple[str, ...]) -> dict[dt.datetime, list[str]]:
    # One grouping serves every search in the same minute.
    groups: dict[dt.datetime, list[str]] = defaultdict(list)
    for name in zones:
        groups[minute.astimezone(zone(name)).replace(tzinfo=None)].append(name)
    return dict(groups)


def _column(name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote('meetings_meeting')}.{quote(name)}"


def _time(value: dt.time):
    return connection.ops.adapt_timefield_value(value)


# IANA zone names: letters, digits and _ + - /. Nothing that needs quoting in SQL or in an array literal.
_PLAIN_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")


def _zones_in(group: list[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        if all(_PLAIN_ZONE_NAME.fullmatch(name) for name in group):
            # Written into the SQL (cached for the minute): as parameters, psycopg quoted and merged
            # the ~50 lists of a "soon" search into its text for every search, ~5 ms (benchmarks/README.md).
            return f"{_column('timezone')} = ANY('{{{','.join(group)}}}'::text[])", []
        # One array parameter, not one per zone; PostgreSQL reads IN (…) as = ANY(array) anyway.
        return f"{_column('timezone')} = ANY(%s)", [list(group)]
    return f"{_column('timezone')} IN ({', '.join(['%s'] * len(group))})", list(group)


def _zones_key(zones: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(zones) if zones is not None else _all_zones()


def _condition(sql: str, params: tuple) -> Q:
    return Q(RawSQL(f"({sql})", params, output_field=BooleanField()))


def _window_sql(day: int, start: dt.time, minutes: int) -> tuple[str, list]:
    """Meetings starting in [day start, +minutes), across midnight and the week's end."""
    begin = week_minute(day, start)
    end = begin + minutes
    parts, params = [], []
    while begin < end:
        day_index, minute = divmod(begin % MINUTES_PER_WEEK, MINUTES_PER_DAY)
        day_end = min(end, begin - minute + MINUTES_PER_DAY)
        part = f"{_column('day')} = %s AND {_column('start_time')} >= %s"
        params += [day_index, _time(dt.time(minute // 60, minute % 60))]
        if day_end - begin < MINUTES_PER_DAY - minute:
            upper_minute = minute + (day_end - begin)
            part += f" AND {_column('start_time')} < %s"
            params.append(_time(dt.time(upper_minute // 60, upper_minute % 60)))
        parts.append(f"({part})")
        begin = day_end
    return " OR ".join(parts), params


@lru_cache(maxsize=32)
def _starting_within_sql(minute: dt.datetime, minutes: int, zones: tuple[str, ...]) -> tuple[str, tuple]:
    parts, params = [], []
    for local, group in _grouped(minute, zones).items():
        window, window_params = _window_sql(weekday_of(local), local.time(), minutes)
        in_zones, zone_params = _zones_in(group)
        parts.append(f"(({window}) AND {in_zones})")
        params += window_params + zone_params
    return " OR ".join(parts) or "1 = 0", tuple(params)


def starting_within(now: dt.datetime, minutes: int = 60, zones: Iterable[str] | None = None) -> Q:
    """Meetings whose next start, in their own zone, is within ``minutes`` from ``now``."""
    return _condition(*_starting_within_sql(_minute(now), minutes, _zones_key(zones)))


def _crosses_midnight() -> str:
    return f"{_column('end_time')} < {_column('start_time')}"


def _not_over_today() -> str:
    """SQL: a meeting of today that ends after the clock (its one parameter), or only tomorrow."""
    return f"({_column('end_time')} > %s OR {_crosses_midnight()})"


@lru_cache(maxsize=32)
def _in_progress_sql(minute: dt.datetime, zones: tuple[str, ...]) -> tuple[str, tuple]:
    day_, start, end = _column("day"), _column("start_time"), _column("end_time")
    parts, params = [], []
    for local, group in _grouped(minute, zones).items():
        day, clock = weekday_of(local), _time(local.time())
        in_zones, zone_params = _zones_in(group)
        started_today = f"({day_} = %s AND {start} <= %s AND {_not_over_today()})"
        started_yesterday = f"({day_} = %s AND {end} > %s AND {_crosses_midnight()})"
        parts.append(f"({in_zones} AND ({started_today} OR {started_yesterday}))")
        params += [*zone_params, day, clock, clock, (day - 1) % 7, clock]
    return " OR ".join(parts) or "1 = 0", tuple(params)


def in_progress(now: dt.datetime, zones: Iterable[str] | None = None) -> Q:
    """Meetings going on at ``now`` in their own zone, including those that began before midnight."""
    return _condition(*_in_progress_sql(_minute(now), _zones_key(zones)))


@lru_cache(maxsize=32)
def _on_day_sql(minute: dt.datetime, days_ahead: int, zones: tuple[str, ...]) -> tuple[str, tuple]:
    if days_ahead == 0:
        return _rest_of_today_sql(minute, zones)
    by_weekday: dict[int, list[str]] = defaultdict(list)
    for local, group in _grouped(minute, zones).items():
        by_weekday[(weekday_of(local) + days_ahead) % 7].extend(group)
    parts, params = [], []
    for day, group in by_weekday.items():
        in_zones, zone_params = _zones_in(group)
        parts.append(f"({_column('day')} = %s AND {in_zones})")
        params += [day, *zone_params]
    return " OR ".join(parts) or "1 = 0", tuple(params)


def _rest_of_today_sql(minute: dt.datetime, zones: tuple[str, ...]) -> tuple[str, tuple]:
    # Today's meetings that are not over: one that ended this morning is next week's, not today's.
    parts, params = [], []
    for local, group in _grouped(minute, zones).items():
        in_zones, zone_params = _zones_in(group)
        parts.append(f"({_column('day')} = %s AND {_not_over_today()} AND {in_zones})")
        params += [weekday_of(local), _time(local.time()), *zone_params]
    return " OR ".join(parts) or "1 = 0", tuple(params)


def on_day(now: dt.datetime, days_ahead: int, zones: Iterable[str] | None = None) -> Q:
    """Meetings on the local "today" (0) or "tomorrow" (1) of their own zone; today's only until they end."""
    return _condition(*_on_day_sql(_minute(now), days_ahead, _zones_key(zones)))


# The visitor's days and hours. A search without a place (online meetings, mostly) is read in the visitor's
# zone: "today" is the rest of the visitor's day, "evening" their evening. A window of the visitor's week is
# turned into the instants it spans in the coming week (the part already past, next week's: a meeting's next
# start is never behind), and each zone sees those instants on its own clock; zones that see all of them alike
# share one condition. Reading the clocks at the window's own instants, not now, keeps a daylight-saving change
# later in the week in its place (a London meeting on the Sunday New York springs forward).


def visitor_week_minute(now: dt.datetime, visitor: str) -> int:
    """The visitor's current minute of the week (0 = Sunday 00:00)."""
    return _visitors_week(now, visitor)[1]


def _visitors_week(now: dt.datetime, visitor: str) -> tuple[dt.datetime, int]:
    """On the visitor's wall clock (naive): 00:00 of the Sunday that starts their week, and the minute of it now."""
    here = now.astimezone(zone(visitor)).replace(tzinfo=None)
    minute = week_minute(weekday_of(here), here.time())
    return here.replace(second=0, microsecond=0) - dt.timedelta(minutes=minute), minute


@lru_cache(maxsize=64)
def _visitor_windows_sql(
    minute: dt.datetime,
    visitor: str,
    windows: tuple[tuple[int, int], ...],
    weekly: bool,
    zones: tuple[str, ...],
    begun: bool,
) -> tuple[str, tuple]:
    """Meetings starting within ``windows`` in the coming week; ``begun``: in the day before now instead (the
    start of a meeting in progress, which is its next start until it ends). ``weekly``: the windows recur each
    week (Mondays, evenings), else they are this week's only (today, tomorrow)."""
    visitor_zone = zone(visitor)
    sunday, now = _visitors_week(minute, visitor)
    # A meeting begins "in progress" at its very minute (schedule.in_progress), so the day before now ends after
    # now. The coming week is a few hours longer on the visitor's clock than any zone's week can be short: each
    # zone's own week is cut out of it below.
    first, last = (now - MINUTES_PER_DAY, now + 1) if begun else (now, now + MINUTES_PER_WEEK + 180)
    pieces = []  # the windows within [first, last), as minutes of the visitor's week
    for begin, end in windows:
        for weeks in (-1, 0, 1) if weekly else (0,):
            low = max(begin + weeks * MINUTES_PER_WEEK, first)
            high = min(end + weeks * MINUTES_PER_WEEK, last)
            if low < high:
                pieces.append((low, high))
    instants = [tuple(_instant(sunday + dt.timedelta(minutes=m), visitor_zone) for m in piece) for piece in pieces]
    # Zones by how their clocks read every piece's start and end, within the zone's own coming week: from now
    # until its clock reads now again a week on. A week with a daylight-saving change is an hour shorter or
    # longer than seven days, and each meeting must be seen there once, at its next start.
    by_clocks: dict[tuple, list[str]] = defaultdict(list)
    for name in zones:
        tz = zone(name)
        if begun:
            start, end = minute - dt.timedelta(days=1), minute + dt.timedelta(minutes=1)
        else:
            start, end = minute, _instant(minute.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=7), tz)
        clocks = []
        for low, high in instants:
            low, high = max(low, start), min(high, end)
            if low < high:
                clocks.append((low.astimezone(tz).replace(tzinfo=None), high.astimezone(tz).replace(tzinfo=None)))
        by_clocks[tuple(clocks)].append(name)
    parts, params = [], []
    for clocks, group in by_clocks.items():
        spans, span_params = [], []
        for low, high in clocks:
            span, found = _window_sql(weekday_of(low), low.time(), round((high - low).total_seconds() / 60))
            if span:
                spans.append(f"({span})")
                span_params += found
        if spans:
            in_zones, zone_params = _zones_in(group)
            parts.append(f"(({' OR '.join(spans)}) AND {in_zones})")
            params += span_params + zone_params
    return " OR ".join(parts) or "1 = 0", tuple(params)


def _instant(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The moment a wall clock in ``tz`` reads ``wall``; for a time skipped by a daylight-saving change, the
    moment it was skipped (the first time after it that exists), so that a window ending at 01:30 on the
    night 01:00 jumps to 02:00 ends at that jump. A time that occurs twice is its first occurrence."""
    for _ in range(180):  # no zone skips more than two hours
        moment = wall.replace(tzinfo=tz)
        if moment.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == wall:
            return moment
        wall += dt.timedelta(minutes=1)
    return wall.replace(tzinfo=tz)


@lru_cache(maxsize=32)
def _next_start_on_visitors_clock_sql(minute: dt.datetime, visitor: str) -> tuple[str, tuple]:
    """PostgreSQL: the minute of each meeting's next start (as ``next_start`` computes it) on the visitor's wall
    clock, counted from 1 January 1970 (a Thursday), as an integer.

    The database converts between zones itself (AT TIME ZONE, from the same IANA data), so one short
    expression serves every zone, daylight-saving changes included; the window-by-window conditions below,
    for SQLite, grow with the zones in use (150 kB of SQL and most of a second for a world of meetings).
    The next start is the meeting's own clock now plus ``minutes_until_next``, which counts on that clock.
    """
    if not _PLAIN_ZONE_NAME.fullmatch(visitor):
        raise ValueError(f"not a zone name: {visitor!r}")
    zone_ = _column("timezone")
    local = f"(TIMESTAMPTZ '{minute.astimezone(dt.UTC).isoformat()}' AT TIME ZONE {zone_})"
    until, params = _minutes_until_sql_in_own_zones(minute)
    start = f"(({local} + make_interval(mins => CAST({until} AS integer))) AT TIME ZONE {zone_})"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({start} AT TIME ZONE '{visitor}')) / 60) AS bigint)", params


def _ranges_sql(ranges: Iterable[tuple[int, int]]) -> str:
    """An int8multirange literal: the value is tested once per row, however many ranges (PostgreSQL 14+)."""
    return "'{" + ",".join(f"[{low},{high})" for low, high in ranges if low < high) + "}'::int8multirange"


def _visitor_windows_sql_pg(
    minute: dt.datetime, visitor: str, windows: tuple[tuple[int, int], ...], weekly: bool
) -> tuple[str, tuple]:
    clock, params = _next_start_on_visitors_clock_sql(minute, visitor)
    if weekly:  # on the visitor's minute of the week (the epoch began on a Thursday), wrapping round its end
        value = f"MOD({clock} + {4 * MINUTES_PER_DAY}, {MINUTES_PER_WEEK})"
        ranges = [(low - shift, high - shift) for low, high in windows for shift in (0, MINUTES_PER_WEEK)]
    else:  # this week's: minutes of the visitor's wall clock since the epoch
        sunday, _ = _visitors_week(minute, visitor)
        base = round((sunday - dt.datetime(1970, 1, 1)).total_seconds() / 60)
        value, ranges = clock, [(base + low, base + high) for low, high in windows]
    # A meeting's own day is within two of the visitor's (clocks are at most 26 hours apart, Kiritimati's and
    # Baker Island's): a cheap condition first leaves the conversion to the meetings of those days.
    visitor_days = {
        day % 7 for low, high in windows for day in range(low // MINUTES_PER_DAY, (high - 1) // MINUTES_PER_DAY + 1)
    }
    days = sorted({(day + step) % 7 for day in visitor_days for step in (-2, -1, 0, 1, 2)})
    near = f"{_column('day')} IN ({', '.join(map(str, days))}) AND " if len(days) < 7 else ""
    return f"({near}{_ranges_sql(ranges)} @> {value})", params


def starting_in_visitors_week(
    now: dt.datetime, visitor: str, windows: Iterable[tuple[int, int]], zones=None, *, weekly: bool = True
) -> Q:
    """Meetings whose next start (``next_start``: for one in progress, the start it began at) is within any of
    ``windows``: [begin, end) minutes of the visitor's week (0 = Sunday 00:00 of this week; a window may run
    past its end), wherever the meeting is. ``weekly``: every week's (Monday, "evening"), else this week's
    only ("today", "tomorrow")."""
    if connection.vendor == "postgresql":
        return _condition(*_visitor_windows_sql_pg(_minute(now), visitor, tuple(windows), weekly))
    key = (_minute(now), visitor, tuple(windows), weekly, _zones_key(zones))
    going = in_progress(now, zones)
    return (_condition(*_visitor_windows_sql(*key, begun=False)) & ~going) | (
        _condition(*_visitor_windows_sql(*key, begun=True)) & going
    )


def starting_at_visitors_hours(now: dt.datetime, visitor: str, spans: Iterable[tuple[int, int]], zones=None) -> Q:
    """Meetings whose next start, on the visitor's clock, is within any of ``spans``: [begin, end) minutes of the
    day (end may pass midnight: 21:00-04:00 is (1260, 1680)). Each day of the week is a window of its own."""
    windows = [(day * MINUTES_PER_DAY + begin, day * MINUTES_PER_DAY + end) for day in range(7) for begin, end in spans]
    return starting_in_visitors_week(now, visitor, windows, zones)


def minutes_of_day(start: dt.time, end: dt.time) -> tuple[int, int]:
    """[start, end) as minutes of the day, end past midnight if the span wraps (TIMES_OF_DAY's night)."""
    begin, finish = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return begin, finish if finish > begin else finish + MINUTES_PER_DAY


def _minute(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def time_of_day(names: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for name in names:
        start, end = TIMES_OF_DAY[name]
        if start < end:
            q |= Q(start_time__gte=start, start_time__lt=end)
        else:
            q |= Q(start_time__gte=start) | Q(start_time__lt=end)
    return q


def start_between(after: dt.time | None, before: dt.time | None) -> Q:
    """Start times in [after, before]; a range like 22:00 to 02:00 wraps past midnight."""
    if after and before and after > before:
        return Q(start_time__gte=after) | Q(start_time__lte=before)
    q = Q()
    if after:
        q &= Q(start_time__gte=after)
    if before:
        q &= Q(start_time__lte=before)
    return q


def minutes_until_next(now: dt.datetime, zones: Iterable[str] | None = None) -> RawSQL:
    """An ORM expression: minutes from ``now`` to each meeting's next start in its zone.

    A meeting in progress gets a negative value (minutes since it began), so it sorts first.
    ``zones`` (default all) is read only where the database cannot convert to a row's own zone (SQLite):
    pass a lazy list, and PostgreSQL never reads it.
    """
    if connection.vendor == "postgresql":
        sql, params = _minutes_until_sql_in_own_zones(_minute(now))
    else:
        sql, params = _minutes_until_sql(_minute(now), _zones_key(zones))
    return RawSQL(sql, params, output_field=IntegerField())


@lru_cache(maxsize=32)
def _minutes_until_sql(minute: dt.datetime, zones: tuple[str, ...]) -> tuple[str, tuple]:
    return _minutes_until_clock(*_local_clock_sql(minute, zones))


@lru_cache(maxsize=32)
def _minutes_until_sql_in_own_zones(minute: dt.datetime) -> tuple[str, tuple]:
    # PostgreSQL converts the moment to each row's zone itself (AT TIME ZONE, from the same IANA data):
    # no list of zones to fetch, group and send, and the same short statement for every search. The moment
    # is written into the SQL (an ISO timestamp we format ourselves), not adapted by psycopg for each search.
    local = f"(TIMESTAMPTZ '{minute.astimezone(dt.UTC).isoformat()}' AT TIME ZONE {_column('timezone')})"
    # One conversion per row: the local time's minutes since 1 January 1970, a Thursday (4 days after a Sunday).
    clock = f"MOD(CAST(FLOOR(EXTRACT(EPOCH FROM {local}) / 60) AS bigint) + {4 * MINUTES_PER_DAY}, {MINUTES_PER_WEEK})"
    return _minutes_until_clock(f"CAST({clock} AS integer)", ())


def _minutes_until_clock(sql: str, params: tuple) -> tuple[str, tuple]:
    """Minutes until the next start, given SQL for each row's current minute of the week in its zone."""
    # Written with the ORM's functions, so that each database gets its own SQL, and compiled once a
    # minute: resolving this tree for every search cost ~3 ms (benchmarks/README.md, run 6).
    clock = RawSQL(sql, params, output_field=IntegerField())
    start_of_day = ExtractHour("start_time") * 60 + ExtractMinute("start_time")
    end_of_day = ExtractHour("end_time") * 60 + ExtractMinute("end_time")
    start = F("day") * MINUTES_PER_DAY + start_of_day
    # A meeting is in progress while 0 <= minutes since its start < its duration (at least 1).
    integer = IntegerField()
    duration = Greatest(
        Mod(end_of_day - start_of_day + MINUTES_PER_DAY, MINUTES_PER_DAY, output_field=integer), 1, output_field=integer
    )
    since_start = Mod(start - clock + MINUTES_PER_WEEK + duration - 1, MINUTES_PER_WEEK, output_field=integer)
    return _compiled(since_start - duration + 1)


def _compiled(expression) -> tuple[str, tuple]:
    """The SQL of an expression over the meetings table, as the ORM writes it for this database."""
    from meetings.models import Meeting  # this module is imported by meetings.models

    query = Query(Meeting)
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(expression.resolve_expression(query))
    return sql, tuple(params)


@lru_cache(maxsize=32)
def _local_clock_sql(minute: dt.datetime, zones: tuple[str, ...]) -> tuple[str, tuple]:
    """Each meeting's zone's current minute of the week."""
    whens, params = [], []
    for local, group in _grouped(minute, zones).items():
        in_zones, zone_params = _zones_in(group)
        whens.append(f"WHEN {in_zones} THEN %s")
        params += [*zone_params, week_minute(weekday_of(local), local.time())]
    if not whens:  # no meetings yet, so no zones in use
        return "(0)", ()
    return f"(CASE {' '.join(whens)} ELSE 0 END)", tuple(params)


def next_start(day: int, start: dt.time, end: dt.time, zone_name: str, now: dt.datetime) -> dt.datetime:
    """The aware datetime of the meeting's current (if in progress) or next start, in its zone."""
    tz = zone(zone_name)
    local = now.astimezone(tz)
    duration = (week_minute(0, end) - week_minute(0, start)) % MINUTES_PER_DAY
    days_ahead = (day - weekday_of(local)) % 7
    candidate = dt.datetime.combine(local.date() + dt.timedelta(days=days_ahead), start, tzinfo=tz)
    if candidate + dt.timedelta(minutes=duration) <= local:
        candidate += dt.timedelta(days=7)
    elif candidate - dt.timedelta(days=7) + dt.timedelta(minutes=duration) > local:
        candidate -= dt.timedelta(days=7)
    return candidate
