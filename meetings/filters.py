"""The finder's one FilterSet: every search parameter is defined here, once.

The home page and ``/api/v1/meetings/`` both validate a query string with
``MeetingFilter``, so a bookmarked search means the same thing on the page and in JSON.
Weekdays follow the Meeting Guide feed: 0 = Sunday … 6 = Saturday.
"""

import datetime as dt
import operator
import re
import unicodedata
from functools import reduce
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from finder.filters import AnyCaseChoiceFilter, AnyCaseMultipleChoiceFilter, CodesFilter, FilterSet, YesNoFilter
from groups.models import Kind, Organization
from meetings import geocoding, schedule
from meetings.distance import from_miles, to_miles
from meetings.models import Meeting, MeetingType, Weekday, in_active_language, validate_time_zone

DISTANCES = [1, 2, 5, 10, 15, 25, 50, 100]
DEFAULT_DISTANCE = 10
UNITS = [("mi", _("miles")), ("km", _("kilometres"))]
# Parameter values are English in every language (?day=tuesday); only the labels are translated.
DAY_NAMES = {day.english.lower(): day.value for day in Weekday}
DAY_CHOICES = [
    ("today", _("Today")),
    ("tomorrow", _("Tomorrow")),
    *((str(day.value), day.label) for day in Weekday),
    *((name, name.title()) for name in DAY_NAMES),
]
TIME_LABELS = {
    "morning": _("Morning"),
    "midday": _("Midday"),
    "afternoon": _("Afternoon"),
    "evening": _("Evening"),
    "night": _("Night"),
}
TIME_CHOICES = [(name, TIME_LABELS.get(name, name.title())) for name in schedule.TIMES_OF_DAY]
ATTENDANCE_CHOICES = [("in_person", _("In person")), ("online", _("Online")), ("hybrid", _("Hybrid"))]
# Languages by ISO 639-1 code, for people who don't know the Meeting Guide's own codes (codes not here are the
# same letters in both: ja JA, nl NL…).
ISO_LANGUAGES = {
    "en": "EN", "es": "S", "fr": "FR", "de": "DE", "it": "ITA", "pt": "POR", "pl": "POL", "ru": "RUS",
    "ko": "KOR", "tr": "TUR", "pa": "PUN",
}  # fmt: skip


def _minute_after(moment: dt.time) -> dt.time:
    """The end of an inclusive "starts at or before" as a half-open one: 21:00 -> 21:01 (23:59 -> 00:00)."""
    minutes = (moment.hour * 60 + moment.minute + 1) % schedule.MINUTES_PER_DAY
    return dt.time(minutes // 60, minutes % 60)


def language_code(value: str) -> str:
    """The Meeting Guide code, upper case, of a ``language`` parameter: "es" and "s" are both "S"."""
    return ISO_LANGUAGES.get(value.lower(), value.upper())


def _is_language(value: str) -> bool:
    return MeetingType.objects.filter(facet__key="language", code__iexact=language_code(value)).exists()


@extend_schema_field({"type": "string", "enum": [value for value, _label in DAY_CHOICES]})
class DaysFilter(AnyCaseMultipleChoiceFilter):
    """Weekdays as numbers or names, "today" or "tomorrow" (documented as strings, not integers)."""


class CoordinateFilter(django_filters.NumberFilter):
    """Degrees, read as the float the search computes with (NumberFilter's Decimal cost more to check)."""

    field_class = forms.FloatField


class TypeCodesSelect(forms.SelectMultiple):
    """Several type codes (?type=W&type=S); when shown (the browsable API's filters), the codes with names."""

    @property
    def choices(self) -> list[tuple[str, str]]:
        # Read each time the form is shown: the field is shared by every search (finder/filters.py).
        names = MeetingType.objects.order_by("code").values_list("code", "name_en", "name_es")
        return [(code, f"{code}: {in_active_language(english, spanish)}") for code, english, spanish in names]

    @choices.setter
    def choices(self, value) -> None:
        pass  # the types in the database are the choices


class TypeCodesField(forms.Field):
    """Type codes, checked against the cached codes (no query per search) and cleaned to type ids."""

    widget = TypeCodesSelect
    default_error_messages = {
        "invalid_choice": _("Select a valid choice. %(value)s is not one of the available choices."),
        "invalid_list": _("Enter a list of values."),
    }

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        return [str(code) for code in value]

    def clean(self, value) -> list[int]:
        codes = super().clean(value)
        if not codes:
            return []
        ids = MeetingType.objects.ids_by_code()
        codes = _respelt(codes, ids)
        if not set(codes) <= ids.keys():
            ids = MeetingType.objects.ids_by_code(fresh=True)  # added since the codes were cached?
            codes = _respelt(codes, ids)
        for code in codes:
            if code not in ids:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code}
                )
        return [ids[code] for code in codes]


def _respelt(codes: list[str], ids: dict[str, int]) -> list[str]:
    """Codes in any letter case (?type=o), as the other fixed choices; mostly capitals, but not all: 12x12."""
    if set(codes) <= ids.keys():
        return codes
    spellings = {code.lower(): code for code in ids}
    return [code if code in ids else spellings.get(code.lower(), code) for code in codes]


@extend_schema_field(OpenApiTypes.STR)
class TypeCodesFilter(django_filters.MultipleChoiceFilter):
    """Types named by code, matched by id on the (meeting, type) table: no join to the types."""

    field_class = TypeCodesField

    def get_filter_predicate(self, v: int) -> dict:
        return {self.field_name: v}


# Words of ``q``: each is a condition over five columns.
MAX_WORDS = 8


class MeetingSearchForm(forms.Form):
    """Checks the parameters together and turns ``near`` into a place."""

    place: geocoding.GeocodedPlace | None = None
    suggestions: list[str]

    def clean(self):
        data = super().clean()
        self.suggestions = []
        # Here rather than in clean_language, which would make every search clean its empty language field.
        language = data.get("language")
        # Only a language's code (not "W"); a query only when asked for, so no cache to go stale.
        if language and not _is_language(language):
            message = gettext(
                "Unknown language “%(value)s”. Give a language type code (S, EN…) or an ISO code (es, en…)."
            )
            error = forms.ValidationError(message, params={"value": language}, code="invalid_choice")
            self.add_error("language", error)
        words = data.get("q")
        if words and len(words.split()) > MAX_WORDS:
            # Not the first few in silence: a word left out could have ruled every result out.
            message = gettext("Give at most %(count)d words.") % {"count": MAX_WORDS}
            self.add_error("q", forms.ValidationError(message, code="max_words"))
        near, lat, lng = data.get("near"), data.get("lat"), data.get("lng")
        if self.has_error("lat") or self.has_error("lng"):
            return data  # already named; no place without both coordinates
        if (lat is None) != (lng is None):
            self.add_error("lng" if lng is None else "lat", gettext("Give both lat and lng."))
        elif lat is not None and near:
            self.add_error("near", gettext("Give either a place (near) or coordinates (lat and lng), not both."))
        elif lat is not None:
            self.place = geocoding.GeocodedPlace(
                label=f"{lat:.4f}, {lng:.4f}",
                latitude=float(lat),
                longitude=float(lng),
                timezone="",
                kind="coordinates",
            )
        elif near:
            try:
                self.place = geocoding.geocode(near)
            except geocoding.GeocodingError as error:
                self.suggestions = list(error.suggestions)
                self.add_error("near", error.message)
        return data


def _word_start(word: str, postgresql: bool) -> str:
    """A regular expression for ``word`` at the start of a word, as each database spells it (PostgreSQL: \\m).

    Anchored only before a letter or digit of A-Z/0-9 once accents are dropped: a word that begins otherwise
    ("#1", a Greek or Cyrillic word) may begin anywhere, since the databases disagree on what a word
    character is beyond ASCII.
    """
    first = unicodedata.normalize("NFKD", word[0])[0]
    anchor = (r"\m" if postgresql else r"\b") if first.isascii() and first.isalnum() else ""
    return anchor + re.escape(word)


def _named_by(words: list[str]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """For each word, the ids of the meeting types and of the organizations with it as a whole word of a name
    (English or Spanish, short or long; any case and accents): "women" is the Women type, not Men's."""
    wanted = {word: geocoding.search_name(word) for word in words}
    types = MeetingType.objects.order_by().values_list("pk", "name_en", "name_es")
    organizations = Organization.objects.order_by().values_list("pk", "name", "short_name")

    def ids(rows) -> dict[str, list[int]]:
        named = [(pk, {part for text in names for part in geocoding.search_name(text).split()}) for pk, *names in rows]
        return {word: [pk for pk, parts in named if folded and folded in parts] for word, folded in wanted.items()}

    return ids(types), ids(organizations)


class MeetingFilter(FilterSet):
    near = django_filters.CharFilter(
        method="filter_nothing", max_length=200, help_text='A US ZIP code, "City, ST", "City, Country" or "lat,lng".'
    )
    lat = CoordinateFilter(method="filter_nothing", min_value=-90, max_value=90, help_text="Latitude.")
    lng = CoordinateFilter(method="filter_nothing", min_value=-180, max_value=180, help_text="Longitude.")
    distance = django_filters.TypedChoiceFilter(
        method="filter_distance",
        choices=[(d, str(d)) for d in DISTANCES],
        coerce=int,
        help_text=f"Radius around the place, in `units` (default {DEFAULT_DISTANCE}).",
    )
    units = AnyCaseChoiceFilter(method="filter_nothing", choices=UNITS, help_text="mi (default) or km.")
    tz = django_filters.CharFilter(
        method="filter_nothing",
        max_length=64,
        validators=[validate_time_zone],
        help_text="The visitor's IANA time zone, to show times in it as well; without a place, day, time and the "
        "start range are read in it.",
    )
    day = DaysFilter(
        method="filter_day",
        choices=DAY_CHOICES,
        help_text="0-6 (0 = Sunday), sunday…saturday, today or tomorrow; repeat for several. Around a place, days are "
        "each meeting's own (the place's); without one, and with tz (or an online search's place), the visitor's, "
        "wherever the meetings are. Today leaves out meetings that are over.",
    )
    time = AnyCaseMultipleChoiceFilter(
        method="filter_time_of_day",
        choices=TIME_CHOICES,
        help_text="morning 4-12, midday 11-14, afternoon 12-17, evening 17-21, night 21-4 (start time), on the same "
        "clock as day.",
    )
    start_after = django_filters.TimeFilter(
        method="filter_nothing", help_text="Starts at or after HH:MM, on the same clock as day."
    )
    start_before = django_filters.TimeFilter(
        method="filter_nothing", help_text="Starts at or before HH:MM, on the same clock as day."
    )
    soon = YesNoFilter(
        method="filter_soon", help_text="Starting within the next hour, in each meeting's time zone; with now, either."
    )
    now = YesNoFilter(method="filter_now", help_text="In progress now; with soon, either.")
    type = TypeCodesFilter(
        field_name="types",
        distinct=False,  # each code is its own join on the unique (meeting, type) pairs: no duplicates
        conjoined=True,
        help_text="Meeting Guide type codes (O, C, W, S…); several are combined with AND.",
    )
    organization = CodesFilter(
        field_name="organization__slug",
        distinct=False,  # one organization per meeting: no duplicates to remove
        to_field_name="slug",
        queryset=Organization.objects.order_by().only("pk", "slug"),
        help_text="Organization slugs; several are combined with OR.",
    )
    kind = AnyCaseMultipleChoiceFilter(
        method="filter_kind", choices=Kind.choices, help_text="twelve-step, secular, religious or family."
    )
    attendance = AnyCaseMultipleChoiceFilter(
        method="filter_attendance",
        choices=ATTENDANCE_CHOICES,
        help_text=(
            "in_person and online include hybrid meetings; hybrid is only hybrid. With a place, online alone ignores "
            "the distance, and in_person with online finds venues within reach, then online meetings anywhere."
        ),
    )
    language = django_filters.CharFilter(
        method="filter_language", max_length=10, help_text="A language type code (S, EN, FR…) or ISO code (es, en…)."
    )
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=200,
        help_text="Up to 8 words, each the start of a word of the name, group, venue, address or notes, "
        "or a whole word of the organization's or a type's name.",
    )

    class Meta:
        model = Meeting
        fields: list[str] = []
        form = MeetingSearchForm

    def __init__(self, data=None, queryset=None, *, now: dt.datetime | None = None, **kwargs):
        if queryset is None:
            queryset = Meeting.objects.active().for_listing()
        super().__init__(data, queryset, **kwargs)
        self.now = now or timezone.now()

    # Parameters that shape the search as a whole are applied in filter_queryset.
    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def filter_distance(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset  # applied with the place, in filter_queryset

    def filter_day(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        if self.frame_zone:
            return queryset.filter(self._visitors_days(values))
        q = Q(pk__in=[])
        for value in values:
            if value in ("today", "tomorrow"):
                q |= schedule.on_day(self.now, 0 if value == "today" else 1, self.zones)
            else:
                q |= Q(day=DAY_NAMES.get(value, value))
        return queryset.filter(q)

    def _visitors_days(self, values: list[str]) -> Q:
        """The days in the visitor's week: "today" is what is left of theirs (meetings not over), a weekday
        every meeting starting on it by their clock."""
        minute = schedule.visitor_week_minute(self.now, self.frame_zone)
        midnight = minute - minute % schedule.MINUTES_PER_DAY  # today's, on the visitor's clock
        dates, weekdays = [], []  # this week's "today" and "tomorrow"; weekdays, every week's
        for value in values:
            if value == "today":  # its meetings over by now are next week's, so not today's
                dates.append((midnight, midnight + schedule.MINUTES_PER_DAY))
            elif value == "tomorrow":
                dates.append((midnight + schedule.MINUTES_PER_DAY, midnight + 2 * schedule.MINUTES_PER_DAY))
            else:
                day = int(DAY_NAMES.get(value, value))
                weekdays.append((day * schedule.MINUTES_PER_DAY, (day + 1) * schedule.MINUTES_PER_DAY))
        q = Q(pk__in=[])
        for windows, weekly in ((dates, False), (weekdays, True)):
            if windows:
                q |= schedule.starting_in_visitors_week(self.now, self.frame_zone, windows, self.zones, weekly=weekly)
        return q

    def filter_time_of_day(self, queryset, name, values):
        if self.frame_zone:
            spans = [schedule.minutes_of_day(*schedule.TIMES_OF_DAY[value]) for value in values]
            return queryset.filter(schedule.starting_at_visitors_hours(self.now, self.frame_zone, spans, self.zones))
        return queryset.filter(schedule.time_of_day(values))

    # "Starting in the next hour" and "In progress now" ticked together are either: a meeting cannot be both, and
    # someone who wants a meeting to join now wants one going on as well as one about to begin.
    def filter_soon(self, queryset, name, value):
        if not value:
            return queryset
        soon = schedule.starting_within(self.now, 60, self.zones)
        return queryset.filter(soon | schedule.in_progress(self.now, self.zones) if self._ticked("now") else soon)

    def filter_now(self, queryset, name, value):
        if not value or self._ticked("soon"):  # then filter_soon took both
            return queryset
        return queryset.filter(schedule.in_progress(self.now, self.zones))

    def _ticked(self, name: str) -> bool:
        return bool(self.form.cleaned_data.get(name))

    def filter_kind(self, queryset, name, values):
        q = Q(pk__in=[])
        for kind in values:
            q |= Q(organization__in=Organization.objects.of_kind(kind))
        return queryset.filter(q)

    def filter_attendance(self, queryset, name, values):
        widened = {"in_person": Meeting.IN_PERSON_MODES, "online": Meeting.ONLINE_MODES}
        modes = {mode for value in values for mode in widened.get(value, (value,))}
        return queryset.filter(attendance_mode__in=modes)

    def filter_language(self, queryset, name, value):
        return queryset.filter(types__code__iexact=language_code(value), types__facet__key="language")

    def filter_text(self, queryset, name, value):
        # Each word at the start of a word of the texts: "men" is not in "Women", "recuper" finds "Recuperación".
        # Accents are ignored where the database can (PostgreSQL's unaccent): "recuperacion" finds "Recuperación".
        # SQLite's LIKE ignores the case of A-Z only, so there a word is also tried in lower case and capitalised
        # ("RECUPERACIÓN" finds "Recuperación"); that LIKE comes first, so that SQLite calls Python's regular
        # expressions only for the rows it lets through.
        postgresql = connection.vendor == "postgresql"
        fields = ("name", "group_name", "location__name", "location__formatted_address", "notes")
        words = value.split()  # at most MAX_WORDS (MeetingSearchForm)
        types, organizations = _named_by(words)
        q = Q()
        for word in words:
            start = _word_start(word, postgresql)
            if postgresql:
                matches = reduce(operator.or_, (Q(**{f"{field}__unaccent__iregex": start}) for field in fields))
            else:
                spellings = {word, word.lower(), word.capitalize()}
                matches = reduce(
                    operator.or_,
                    (
                        reduce(operator.or_, (Q(**{f"{field}__icontains": each}) for each in spellings))
                        & Q(**{f"{field}__iregex": start})
                        for field in fields
                    ),
                )
            # Also a whole word of a type's or an organization's name: "women", "español", "smart", "AA".
            if organizations[word]:
                matches |= Q(organization_id__in=organizations[word])
            if types[word]:
                typed = Meeting.types.through.objects.filter(meeting_id=OuterRef("pk"), meetingtype_id__in=types[word])
                matches |= Q(Exists(typed))
            q &= matches
        return queryset.filter(q)

    def filter_queryset(self, queryset):
        queryset = self._matching(queryset)
        if self.searches_by_place:
            place, within = self.place, queryset.near_or_online if self.online_too else queryset.near
            return within(place.latitude, place.longitude, self.radius_miles).nearest_first(self.now, self.zones)
        return queryset.by_next_start(self.now, self.zones)

    def _matching(self, queryset):
        """Every condition but the radius."""
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        after, before = data.get("start_after"), data.get("start_before")
        if self.frame_zone and (after or before):
            span = schedule.minutes_of_day(after or dt.time(0, 0), _minute_after(before) if before else dt.time(0, 0))
            return queryset.filter(schedule.starting_at_visitors_hours(self.now, self.frame_zone, [span], self.zones))
        between = schedule.start_between(after, before)
        return queryset.filter(between) if between else queryset

    def counts_farther_away(self) -> dict[int, int]:
        """How many meetings match within each larger distance, for an empty or short result."""
        larger = [d for d in DISTANCES if d > self.chosen_distance]
        if not (self.searches_by_place and larger):
            return {}
        place = self.place
        queryset = self._matching(self.queryset.all()).near(
            place.latitude, place.longitude, to_miles(larger[-1], self.chosen_units)
        )
        counts = queryset.aggregate(
            **{f"within_{d}": Count("pk", filter=Q(distance__lte=to_miles(d, self.chosen_units))) for d in larger}
        )
        return {d: counts[f"within_{d}"] for d in larger}

    @cached_property
    def zones(self) -> SimpleLazyObject:
        """Only the zones meetings use: a few for a regional directory, not all 600 (benchmarks/README.md).

        Read when first used: ordering by the next start on PostgreSQL needs no list (schedule.py).
        """
        return SimpleLazyObject(Meeting.objects.zones_in_use)

    @property
    def frame_zone(self) -> str | None:
        """The zone ``day``, ``time`` and the start range are read in: the visitor's (``tz``, or an online search's
        place) when the search is not around a place, so that "today" and "evening" are theirs, wherever the
        meetings are; None around a place, where each meeting's own clock (the place's) is meant."""
        if self.searches_by_place:
            return None
        zone = self.visitor_zone
        return zone.key if zone else None

    @property
    def searches_by_place(self) -> bool:
        return self.place is not None and not self.online_only

    @property
    def place(self) -> geocoding.GeocodedPlace | None:
        return getattr(self.form, "place", None)

    @property
    def online_only(self) -> bool:
        """Online meetings are found by time, not by place: a place only gives the visitor's zone.

        "online" includes hybrid meetings, so asking for both is still asking for online ones.
        """
        return set(self.form.cleaned_data.get("attendance") or []) in ({"online"}, {"online", "hybrid"})

    @property
    def online_too(self) -> bool:
        """A place with "in person" (or "hybrid") and "online" ticked: meetings within reach, and online ones."""
        return self.searches_by_place and "online" in (self.form.cleaned_data.get("attendance") or [])

    @property
    def chosen_units(self) -> str:
        return self.form.cleaned_data.get("units") or "mi"

    @property
    def chosen_distance(self) -> int:
        return self.form.cleaned_data.get("distance") or DEFAULT_DISTANCE

    @property
    def radius_miles(self) -> float:
        return to_miles(self.chosen_distance, self.chosen_units)

    def display_distance(self, miles: float | None) -> float | None:
        return None if miles is None else round(from_miles(miles, self.chosen_units), 1)

    @property
    def visitor_zone(self) -> ZoneInfo | None:
        """The visitor's zone: from the browser (``tz``), else from the place searched."""
        for zone in (self.form.cleaned_data.get("tz"), self.place.timezone if self.place else ""):
            if zone:
                return ZoneInfo(zone)
        return None
