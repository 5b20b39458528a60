"""Read-only API for meetings and meeting types; searches go through ``MeetingFilter``."""

import copy
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError

from finder.api import (
    DENIED,
    ERRORS,
    NOT_FOUND,
    READ_ERRORS,
    THROTTLED,
    Pagination,
    StrictFilterMixin,
    refuse_unknown_parameters,
    unknown_parameter_errors,
)
from finder.filters import REPEATED, given_values
from finder.pagination import CountingPaginator
from groups.models import Organization
from meetings import curation, history
from meetings.filters import MeetingFilter
from meetings.models import Location, Meeting, MeetingRows, MeetingType, Weekday, validate_time_zone


class MeetingPagination(Pagination):
    django_paginator_class = CountingPaginator
    page_size = 25


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "19:30"})
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as the Meeting Guide feed writes it: "19:30" (not RFC 3339's "19:30:00")."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class TypeSerializer(serializers.ModelSerializer):
    facet = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = MeetingType
        fields = ["code", "name_en", "name_es", "facet"]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = [
            "name", "address", "city", "state", "postal_code", "country", "formatted_address",
            "latitude", "longitude", "approximate", "timezone", "notes",
        ]  # fmt: skip


class OrganizationSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")


class MeetingSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)
    day_name = serializers.CharField(source="get_day_display", read_only=True)
    start_time = ClockTimeField()
    end_time = ClockTimeField()
    attendance_mode = serializers.ChoiceField(choices=Meeting.Attendance.choices)
    location = LocationSerializer(read_only=True, allow_null=True, help_text="None for meetings only online.")
    types = TypeSerializer(many=True, read_only=True)
    next_start = serializers.SerializerMethodField(help_text="Current (if in progress) or next start, in its zone.")
    local_time = serializers.SerializerMethodField(help_text='e.g. "Tuesday 7:30 PM EST (America/New_York)".')
    visitor_time = serializers.SerializerMethodField(
        help_text="The next start in the visitor's zone (the `tz` parameter or the searched place), if it differs."
    )
    distance = serializers.SerializerMethodField(help_text="From the searched place, in the search's units.")
    units = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "slug", "url", "name", "group_name", "organization", "day", "day_name", "start_time", "end_time",
            "timezone", "next_start", "local_time", "visitor_time", "distance", "units", "attendance_mode",
            "location", "conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes",
            "types", "notes", "last_verified", "updated_at", "is_demo",
        ]  # fmt: skip

    # Lists serialize 25–100 meetings per request; DRF's generic field machinery (a bound field
    # per value, nested serializers, ``inspect`` for callable sources) cost more than the SQL did
    # (benchmarks/README.md). The fields above stay declared for the OpenAPI schema and its tests;
    # ``to_representation`` builds the same JSON directly, from what ``_facts`` works out once.
    @cached_property
    def _facts(self) -> "_RequestFacts":
        return _RequestFacts.of(self.context)

    def _next(self, meeting: Meeting) -> dt.datetime:
        # Three fields show it; the meeting remembers it (Meeting.next_start).
        return meeting.next_start(self._facts.now)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_next_start(self, meeting: Meeting) -> str:
        return self._next(meeting).isoformat()

    def get_local_time(self, meeting: Meeting) -> str:
        start = self._next(meeting)
        return f"{self._facts.day_names[meeting.day]} {start:%-I:%M %p} {start.tzname()} ({meeting.timezone})"

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_visitor_time(self, meeting: Meeting) -> str | None:
        zone = self._facts.visitor_zone
        if zone is None or zone.key == meeting.timezone:
            return None
        return self._next(meeting).astimezone(zone).isoformat()

    @extend_schema_field({"type": "number", "format": "float", "nullable": True})
    def get_distance(self, meeting: Meeting) -> float | None:
        search = self._facts.search
        return None if search is None else search.display_distance(getattr(meeting, "distance", None))

    def get_units(self, meeting: Meeting) -> str:
        return self._facts.units

    def to_representation(self, meeting: Meeting) -> dict:
        facts = self._facts
        links = facts.links
        organization = meeting.organization
        location = meeting.location
        return {
            "slug": meeting.slug,
            "url": links.meeting(meeting.slug),
            "name": meeting.name,
            "group_name": meeting.group_name,
            "organization": {
                "slug": organization.slug,
                "name": organization.name,
                "short_name": organization.short_name,
                "url": links.organization(organization.slug),
            },
            "day": meeting.day,
            "day_name": facts.day_names[meeting.day],
            "start_time": _clock(meeting.start_time),
            "end_time": _clock(meeting.end_time),
            "timezone": meeting.timezone,
            "next_start": self.get_next_start(meeting),
            "local_time": self.get_local_time(meeting),
            "visitor_time": self.get_visitor_time(meeting),
            "distance": self.get_distance(meeting),
            "units": self.get_units(meeting),
            "attendance_mode": meeting.attendance_mode,
            "location": None if location is None else {field: getattr(location, field) for field in LOCATION_FIELDS},
            "conference_url": meeting.conference_url,
            "conference_url_notes": meeting.conference_url_notes,
            "conference_phone": meeting.conference_phone,
            "conference_phone_notes": meeting.conference_phone_notes,
            "types": [
                {"code": t.code, "name_en": t.name_en, "name_es": t.name_es, "facet": t.facet.key}
                for t in meeting.type_list
            ],
            "notes": meeting.notes,
            "last_verified": meeting.last_verified.isoformat() if meeting.last_verified else None,
            "updated_at": facts.timestamp(meeting.updated_at),
            "is_demo": meeting.is_demo,
        }


LOCATION_FIELDS = LocationSerializer.Meta.fields


class _ApiRows(MeetingRows):
    """Only the columns the JSON shows: the organization's fact-sheet texts stay in the database."""

    # "url" in the JSON is our page, not the model's url (the listing on its source).
    fields = tuple(
        name
        for name in MeetingSerializer.Meta.fields
        if name != "url" and name in {f.name for f in Meeting._meta.concrete_fields if not f.is_relation}
    )
    organization_fields = ("slug", "name", "short_name")
    location_fields = tuple(LOCATION_FIELDS)


@dataclass(frozen=True)
class _RequestFacts:
    """What every meeting of a response shares, worked out once per response."""

    search: MeetingFilter | None
    now: dt.datetime
    visitor_zone: ZoneInfo | None
    units: str
    links: "_Links"
    day_names: dict[int, str]  # in the request's language
    timestamp_zone: dt.tzinfo

    def timestamp(self, value: dt.datetime | None) -> str | None:
        """As DRF writes a DateTimeField: ISO 8601 in the current zone, "Z" for UTC."""
        if value is None:
            return None
        text = value.astimezone(self.timestamp_zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    @classmethod
    def of(cls, context: dict) -> "_RequestFacts":
        search = context.get("search")
        return cls(
            search=search,
            now=search.now if search else context["now"],
            visitor_zone=search.visitor_zone if search else context.get("visitor_zone"),
            units=search.chosen_units if search else "mi",
            links=_links(get_script_prefix(), get_urlconf()),
            day_names=_day_names(get_language()),
            timestamp_zone=timezone.get_current_timezone(),
        )


def _clock(value: dt.time | None) -> str | None:
    return None if value is None else f"{value.hour:02d}:{value.minute:02d}"


class _Links:
    """Page addresses from one ``reverse()`` each, not one per meeting (kept for each URL prefix)."""

    def __init__(self) -> None:
        self._meeting = reverse("meetings:meeting-detail", args=["-slug-"])
        self._organization = reverse("groups:organization-detail", args=["-slug-"])

    def meeting(self, slug: str) -> str:
        return self._meeting.replace("-slug-", slug)

    def organization(self, slug: str) -> str:
        return self._organization.replace("-slug-", slug)


@lru_cache(maxsize=16)
def _links(script_prefix: str, urlconf: str | None) -> _Links:
    return _Links()


@lru_cache(maxsize=16)
def _day_names(language: str) -> dict[int, str]:
    """Weekday names in ``language`` (the active one); get_day_display() translates all seven per call."""
    return {day.value: str(day.label) for day in Weekday}


class MeetingWriteSerializer(serializers.ModelSerializer):
    """What a curator may send to create or change a meeting; answered with the meeting as read."""

    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.none(),  # the organizations the user curates (see __init__)
        error_messages={"does_not_exist": "You do not curate an organization with the slug “{value}”."},
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(),  # the locations the user curates
        allow_null=True,
        required=False,
        help_text="The id of a location you curate; none for a meeting held only online.",
        error_messages={"does_not_exist": "You do not curate a location with the id {pk_value}."},
    )
    types = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=MeetingType.objects.all(), help_text="Type codes."
    )
    start_time = ClockTimeField()
    end_time = ClockTimeField(required=False, help_text="Defaults to an hour after the start.")

    class Meta:
        model = Meeting
        fields = [
            "name", "group_name", "organization", "day", "start_time", "end_time", "timezone", "location",
            "attendance_mode", "conference_url", "conference_url_notes", "conference_phone",
            "conference_phone_notes", "types", "notes", "website", "status", "last_verified",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none when the schema is generated
        user = request.user if request else AnonymousUser()
        self.fields["organization"].queryset = curation.curated_organizations(user)
        self.fields["location"].queryset = curation.curated_locations(user)

    def validate(self, attrs: dict) -> dict:
        """The model's own checks (a place for in-person meetings, a link for online ones…), as a 400."""
        meeting = copy.copy(self.instance) if self.instance else Meeting()
        for name, value in attrs.items():
            if name != "types":
                setattr(meeting, name, value)
        try:
            meeting.full_clean(exclude=["slug"], validate_unique=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        if not curation.may_place(self.context["request"].user, meeting.organization, meeting.location):
            raise serializers.ValidationError(
                {"location": ["A meeting outside your regions needs a location in them."]}
            )
        attrs["end_time"] = meeting.end_time
        return attrs

    def create(self, validated_data: dict) -> Meeting:
        types = validated_data.pop("types", None)
        meeting = Meeting(**validated_data, slug=unique_meeting_slug(validated_data["name"]))
        return self._save(meeting, types, created=True)

    def update(self, meeting: Meeting, validated_data: dict) -> Meeting:
        types = validated_data.pop("types", None)
        for name, value in validated_data.items():
            setattr(meeting, name, value)
        return self._save(meeting, types, created=False)

    def _save(self, meeting: Meeting, types: list[MeetingType] | None, *, created: bool) -> Meeting:
        """One history record per request, written after the types (simple-history alone writes one
        for the save and one more for each change of types)."""
        meeting.skip_history_when_saving = True
        try:
            meeting.save()
            if types is not None:
                meeting.types.set(types)
        finally:
            del meeting.skip_history_when_saving
        reason = "created through the API" if created else "changed through the API"
        history.record([meeting], created=created, user=self.context["request"].user, reason=reason)
        return meeting

    def to_representation(self, meeting: Meeting) -> dict:
        meeting = Meeting.objects.with_details().get(pk=meeting.pk)
        return MeetingSerializer(meeting, context=self.context).to_representation(meeting)


def unique_meeting_slug(name: str) -> str:
    base = slugify(name)[:180] or "meeting"
    taken = set(Meeting.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


WRITE_ERRORS = {400: ERRORS, 401: DENIED, 403: DENIED, 429: THROTTLED}


class CuratorsWrite(permissions.BasePermission):
    """Anyone reads; only curators (by session or token) create and change, and only their meetings."""

    message = "Only curators may change meetings, and only those of the organizations they curate."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.is_authenticated and curation.curated_organizations(request.user).exists())


TZ_HELP = "The visitor's IANA time zone, to give the next start in it as well (visitor_time)."


def _visitor_zone(params, allowed: set[str]) -> ZoneInfo | None:
    """``tz`` of a detail, which takes no other parameter than ``allowed``; a 400 names anything else, read as
    the lists read it, rather than answering as if it had been understood."""
    errors = unknown_parameter_errors(params, allowed)
    given = given_values(params.getlist("tz"))  # as the lists read it: a blank is no zone, two are refused
    zone = given[0] if len(given) == 1 else ""
    if len(given) > 1:
        errors["tz"] = [str(REPEATED)]
    elif zone:
        try:
            validate_time_zone(zone)
        except DjangoValidationError as error:
            errors["tz"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return ZoneInfo(zone) if zone else None


@extend_schema(tags=["meetings"])
class MeetingViewSet(
    StrictFilterMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Meetings of every fellowship. The list takes the finder's parameters, with the same names.

    Curators create and change their organizations' meetings with a token (`Authorization: Token …`);
    to take a meeting down, set its status. Everyone else reads.
    """

    # Plain rows of the columns the JSON shows (_ApiRows), with their types.
    queryset = Meeting.objects.active().read_as(_ApiRows)
    serializer_class = MeetingSerializer
    permission_classes = [CuratorsWrite]
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # any segment reaches the view, so an unknown one is a JSON 404
    pagination_class = MeetingPagination
    # The backend documents the parameters; StrictFilterMixin runs the same FilterSet.
    filter_backends = [DjangoFilterBackend]
    filterset_class = MeetingFilter
    detail_parameters = {"format", "tz"}
    visitor_zone = None  # a detail's ``tz``

    @extend_schema(responses={200: MeetingSerializer(many=True), 400: ERRORS, 404: NOT_FOUND, **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("tz", str, description=TZ_HELP)],
        responses={200: MeetingSerializer, 400: ERRORS, 404: NOT_FOUND, **READ_ERRORS},
    )
    def retrieve(self, request, *args, **kwargs):
        self.visitor_zone = _visitor_zone(request.query_params, allowed=self.detail_parameters)
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=MeetingWriteSerializer, responses={200: MeetingSerializer, 404: NOT_FOUND, **WRITE_ERRORS})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(request=MeetingWriteSerializer, responses={200: MeetingSerializer, 404: NOT_FOUND, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def get_queryset(self):
        if self.action in ("update", "partial_update"):
            # Only the user's own meetings, drafts and removed ones included; anyone else's is a 404.
            return curation.curated_meetings(self.request.user)
        return super().get_queryset()

    def get_serializer_class(self):
        return MeetingWriteSerializer if self.action in ("create", "update", "partial_update") else MeetingSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "search": self.search,
            "visitor_zone": self.visitor_zone,
            "now": timezone.now(),
        }

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer) -> None:
        with transaction.atomic():
            serializer.save()


@extend_schema(tags=["meeting types"])
class MeetingTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Meeting Guide type codes with English and Spanish names, grouped into facets."""

    queryset = MeetingType.objects.select_related("facet")
    serializer_class = TypeSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    pagination_class = None

    @extend_schema(responses={200: TypeSerializer(many=True), 400: ERRORS, **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        refuse_unknown_parameters(request.query_params, {"format"})  # none: a misspelt filter is a 400
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: TypeSerializer, 400: ERRORS, 404: NOT_FOUND, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        refuse_unknown_parameters(request.query_params, {"format"})
        return super().retrieve(request, *args, **kwargs)

    def get_object(self):
        # Codes in any letter case, as the finder's type=w: the exact code first (codes are case-sensitive).
        code = self.kwargs[self.lookup_field]
        types = self.get_queryset()
        found = types.filter(code=code).first() or types.filter(code__iexact=code).order_by("code").first()
        if found is None:
            raise NotFound()
        self.check_object_permissions(self.request, found)
        return found
