#!/usr/bin/env python
"""The searches of search.py again, with the fixes that benchmarks/README.md recommends.

    python benchmarks/proposed_fixes.py [search.py's options] [--fix NAME ...]

Nothing in the project is edited: each fix is patched into this process only, and the indexes are
changed in the benchmark database and put back as the models declare them at the end (search.py also
puts them back when it starts), so the same data can be timed with and without the fixes. Each patch
is a sketch of the change proposed for the file named beside it. With no --fix, all are applied.

  zone-cache      meetings/schedule.py: keep ZoneInfo objects (ZoneInfo(name) reads the zone file
                  again each time nothing else holds it) and group the zones once per minute.
  zones-in-use    meetings/schedule.py (or filters.py): build the time conditions from the zones
                  meetings use, not all ~600 IANA names.
  no-distinct     meetings/filters.py: type=... joins one row per code, so no SELECT DISTINCT.
  one-query-page  meetings/api.py: the page query carries the total (COUNT(*) OVER ()), instead of a
                  separate COUNT that runs the whole search a second time.
  next-start-once meetings/api.py: compute each meeting's next start once, not three times.
  indexes         meetings/models.py: Meeting index (day, start_time, timezone) instead of (day,
                  start_time), and a new one on (location, day).
  no-parallel     PostgreSQL setting: max_parallel_workers_per_gather = 0 (small queries on 2 cores).
"""

import functools
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search  # this folder, not an installed package

FIXES = ["zone-cache", "zones-in-use", "no-distinct", "one-query-page", "next-start-once", "indexes", "no-parallel"]
INDEXES = {
    "bench_meeting_location_day": ("location", "day"),
    "bench_meeting_day_time_zone": ("day", "start_time", "timezone"),
}


def zone_cache() -> None:
    from zoneinfo import ZoneInfo

    from django.db.models import Q

    from meetings import schedule

    zone = functools.cache(ZoneInfo)

    @functools.lru_cache(maxsize=16)
    def grouped(minute, names: tuple[str, ...]) -> dict:
        groups = defaultdict(list)
        for name in names:
            groups[minute.astimezone(zone(name)).replace(tzinfo=None)].append(name)
        return dict(groups)

    def zones_by_local_clock(now, zones=None):
        names = tuple(zones) if zones is not None else schedule._all_zones()
        return grouped(now.replace(second=0, microsecond=0), names)

    def starting_within(now, minutes=60, zones=None):
        # The cheap day and time comparisons first, the list of zone names last.
        q = Q(pk__in=[])
        for local, group in zones_by_local_clock(now, zones).items():
            q |= schedule._window_q(schedule.weekday_of(local), local.time(), minutes) & Q(timezone__in=group)
        return q

    schedule.zones_by_local_clock = zones_by_local_clock
    schedule.starting_within = starting_within


def zones_in_use() -> None:
    from meetings import schedule
    from meetings.models import Meeting

    # In the project this would be cached for a few minutes (or kept in a small table).
    used = tuple(sorted(set(Meeting.objects.values_list("timezone", flat=True).distinct())))
    schedule._all_zones = lambda: used


def no_distinct() -> None:
    from meetings.filters import MeetingFilter

    MeetingFilter.base_filters["type"].distinct = False


def one_query_page() -> None:
    from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
    from django.db.models import Count, Window

    from meetings.api import MeetingPagination

    class CountingPaginator(Paginator):
        """The page and the total from one query; a COUNT query only for an empty page past the first."""

        def page(self, number):
            try:
                number = int(number)
            except (TypeError, ValueError):
                raise PageNotAnInteger("That page number is not an integer") from None
            if number < 1 or self.object_list.query.distinct:  # a window counts rows before DISTINCT
                return super().page(number)
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list.annotate(total_count=Window(Count("*")))[bottom : bottom + self.per_page])
            if rows:
                self.__dict__["count"] = rows[0].total_count
            elif number == 1:
                self.__dict__["count"] = 0
            else:
                raise EmptyPage("That page contains no results")
            return self._get_page(rows, number, self)

    MeetingPagination.django_paginator_class = CountingPaginator


def next_start_once() -> None:
    from meetings.api import MeetingSerializer

    def _next(self, meeting):
        starts = self.__dict__.setdefault("_next_starts", {})
        if meeting.pk not in starts:
            now = self._search.now if self._search else self.context["now"]
            starts[meeting.pk] = meeting.next_start(now)
        return starts[meeting.pk]

    MeetingSerializer._next = _next


def indexes() -> None:
    """(day, start_time, timezone) instead of (day, start_time), and (location, day), until exit.

    Indexes the models already declare (once the fix has landed) are left as they are.
    """
    import atexit

    from django.db import connection, models

    from meetings.models import Meeting

    declared = {tuple(index.fields): index for index in Meeting._meta.indexes}
    with connection.schema_editor() as editor:
        if ("day", "start_time") in declared:
            editor.remove_index(Meeting, declared[("day", "start_time")])
        for name, fields in INDEXES.items():
            if fields not in declared:
                editor.add_index(Meeting, models.Index(fields=list(fields), name=name))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # search.py's restore_indexes() puts things back too, should this process be killed.
    atexit.register(search.restore_indexes)


def no_parallel() -> None:
    from django.db import connection
    from django.db.backends.signals import connection_created

    if connection.vendor != "postgresql":
        return

    def configure(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")

    # Connections are renewed after DATABASE_CONN_MAX_AGE: set it on every new one.
    connection_created.connect(configure, weak=False)
    if connection.connection is not None:
        configure(None, connection)


def main() -> None:
    parser = search.build_parser(__doc__)
    parser.add_argument("--fix", action="append", choices=FIXES, help="A fix to apply (repeat; default all).")

    def setup(args):
        chosen = args.fix or FIXES
        for name in chosen:
            globals()[name.replace("-", "_")]()
        print("Fixes applied: " + ", ".join(chosen))

    search.main(parser=parser, setup=setup)


if __name__ == "__main__":
    main()
