import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.vary import vary_on_headers

from finder import limits
from finder.clients import client_key
from finder.filters import given_values, unknown_parameters
from finder.pagination import CountingPaginator
from groups.models import Kind, Organization
from meetings import exporting, geocoding, referral, reports, when_words
from meetings.feeds import csv as csv_feed
from meetings.feeds import meeting_guide
from meetings.feeds.ical import render_calendar
from meetings.filters import ATTENDANCE_CHOICES, DAY_NAMES, DISTANCES, TIME_CHOICES, UNITS, MeetingFilter
from meetings.forms import ChangeReportForm
from meetings.models import Meeting, MeetingType, TypeFacet, Weekday, is_time_zone
from meetings.sources import type_names

PAGE_SIZE = 25
# The parameters that narrow a search beyond its place and distance.
NARROWING = (
    "day", "time", "start_after", "start_before", "soon", "now",
    "type", "organization", "kind", "attendance", "language", "q",
)  # fmt: skip
# Parameters named in an error as the form names them (near and the start range show theirs beside their fields).
FIELD_LABELS = {
    "lat": _("ZIP code, city, or coordinates"),
    "lng": _("ZIP code, city, or coordinates"),
    "distance": pgettext_lazy("distance", "Within"),
    "units": _("Units"),
    "day": _("Day"),
    "time": _("Time of day"),
    "soon": _("Starting in the next hour"),
    "now": _("In progress now"),
    "type": _("Meeting types"),
    "organization": _("Organizations"),
    "kind": _("Kind of group"),
    "attendance": _("Attendance"),
    "language": _("Language"),
    "q": _("Words"),
}
EXPORT_CHUNK = 2000
MAX_CALENDAR_EVENTS = 500
PARTIAL_HEADER = "X-Finder-Partial"
# Meetings ticked for a handout that the finder carries from search to search (``?m=``); the handout itself
# takes referral.MAX_MEETINGS and says so when given more.
MAX_TICKED = 50


@dataclass
class Result:
    """A meeting as one search shows it."""

    meeting: Meeting
    start: dt.datetime
    visitor_start: dt.datetime | None
    distance: float | None
    now: dt.datetime  # the search's moment

    @cached_property
    def minutes_until(self) -> int:
        # Rounded up: 35 seconds before the start is "Starts in 1 min", not yet "In progress".
        return math.ceil((self.start - self.now).total_seconds() / 60)

    @property
    def minutes_past_the_hour(self) -> int:
        """For "Starts in 1 h 5 min"."""
        return self.minutes_until - 60

    @property
    def in_progress(self) -> bool:
        return self.minutes_until <= 0

    @cached_property
    def when(self) -> str:
        """ "Today 5:30 PM", in the meeting's zone: the day is "Today", "Tomorrow", a weekday, or a weekday and
        date when today's meeting is over (next week). Shown, and read out with the meeting's name."""
        return f"{_day_label(self.start, self.now)} {time_format(self.start)}"

    @property
    def visitor_day_label(self) -> str:
        """The same for ``visitor_start``, in the visitor's zone: "Today 4:30 PM your time"."""
        return _day_label(self.visitor_start, self.now) if self.visitor_start else ""


def _day_label(moment: dt.datetime, now: dt.datetime) -> str:
    # Calendar days from now to the moment, both read in the moment's zone; -1 when it began yesterday.
    days_ahead = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    if days_ahead == 0:
        return gettext("Today")
    if days_ahead == 1:
        return gettext("Tomorrow")
    day = date_format(moment, "l")  # the weekday where ``moment`` is
    if days_ahead < 7:
        return day
    return gettext("%(day)s, %(date)s") % {"day": day, "date": date_format(moment, "MONTH_DAY_FORMAT")}


@vary_on_headers(PARTIAL_HEADER)
def finder(request: HttpRequest) -> HttpResponse:
    request.GET = _without_unknown_zone(request.GET)  # for the search and every link the page builds from it
    times = when_words.take_times(request.GET.get("near", ""))
    if times is not None:
        return redirect(_with_times(request, *times))  # no search yet: not counted against the limit
    if refused := limits.refusal(request, "finder", "FINDER_SEARCHES_PER_MINUTE"):
        return refused
    search = MeetingFilter(request.GET, request=request)
    valid = search.is_valid()
    # A blank page (?page=2&page=) is no value, as for the filters; the pager's links never send two.
    page_number = (given_values(request.GET.getlist("page")) or [None])[-1]
    page = CountingPaginator(search.qs if valid else Meeting.objects.none(), PAGE_SIZE).get_page(page_number)
    results = [_result(meeting, search) for meeting in page]
    empty = valid and page.paginator.count == 0
    ticked = _ticked(request)
    elsewhere = _ticked_elsewhere(ticked, results)
    partial = bool(request.headers.get(PARTIAL_HEADER))  # the script asks for the results only
    reads_clock = valid and not search.searches_by_place and _reads_the_clock(search)
    context = {
        "search": search,
        "form": search.form,
        "valid": valid,
        "page": page,
        "results": results,
        "has_demo": any(result.meeting.is_demo for result in results),
        # Days and hours were read on the visitor's clock (a search without a place): say so, with the zone.
        "visitors_clock": (search.frame_zone or "") if reads_clock else "",
        # Would be read on the visitor's clock, given theirs: the script asks again with it (a shared link).
        "reads_clock": reads_clock,
        "place_label": _place_label(search) if valid else "",
        "ticked": set(ticked),
        "handout_limit": referral.MAX_MEETINGS,
        "ticked_elsewhere": elsewhere,
        # The boxes the page shows ticked, as finder.js counts them: unknown slugs are not among them.
        "ticked_count": sum(result.meeting.slug in ticked for result in results) + len(elsewhere),
        "ticked_query": _handout_query(ticked),
        # Larger distances with meetings, for an empty result ("23 within 25 miles").
        "wider": [(d, n) for d, n in search.counts_farther_away().items() if n] if empty else [],
        "narrowed": empty and _narrowed(search),
        "query_without_page": _query_without(request, "page"),
        "export_query": _query_without(request, "page", "m"),
        "query_without_distance": _query_without(request, "page", "distance"),
        "query_without_place": _query_without(request, "page", "near", "lat", "lng"),
        "options": None if partial else _options(request),
        "other_errors": [
            (FIELD_LABELS.get(name, name), errors)
            for name, errors in search.errors.items()
            if name not in ("near", "start_after", "start_before")
        ],
        "map_tiles": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    template = "meetings/_results.html" if partial else "meetings/finder.html"
    return render(request, template, context)


def search_feed(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The Meeting Guide feed of every public meeting, of one organization, or of any finder search."""
    meetings = _exported(request, slug)
    if isinstance(meetings, HttpResponse):
        return meetings
    body = meeting_guide.render(meetings.iterator(chunk_size=EXPORT_CHUNK), _base_url(request), exporting.codes_for())
    response = StreamingHttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by apps such as Meeting Guide
    return response


def search_csv(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    meetings = _exported(request, slug)
    if isinstance(meetings, HttpResponse):
        return meetings
    rows = csv_feed.render(
        meetings.iterator(chunk_size=EXPORT_CHUNK), _base_url(request), exporting.codes_for(), type_names()
    )
    response = StreamingHttpResponse((row.encode() for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug or "meetings"}.csv"'
    return response


def search_calendar(request: HttpRequest) -> HttpResponse:
    """Any search as a calendar of weekly events (the first few hundred: a calendar is for people, not sync)."""
    meetings = _exported(request, None, ordered=True)
    if isinstance(meetings, HttpResponse):
        return meetings
    body = render_calendar(meetings[:MAX_CALENDAR_EVENTS], timezone.now(), _base_url(request), str(_("Meetings")))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meetings.ics"'
    return response


def _exported(request: HttpRequest, slug: str | None, ordered: bool = False):
    """The search's public meetings, in a stable order for feeds; a 400 naming bad parameters, a 429 past the
    hourly limit of downloads (exporting.take_download_slot)."""
    wait = exporting.take_download_slot(client_key(request))
    if wait:
        minutes = math.ceil(wait / 60)
        message = gettext("Too many downloads from your address this hour: try again in %(minutes)d minutes.")
        response = JsonResponse({"detail": message % {"minutes": minutes}}, status=429)
        response["Retry-After"] = str(minutes * 60)
        return response
    queryset = exporting.public_meetings()
    if slug is not None:
        queryset = queryset.for_organization(get_object_or_404(Organization, slug=slug))
    params = request.GET.copy()
    params.pop("format", None)
    if not params:
        return queryset.order_by("pk")
    search = MeetingFilter(params, queryset, request=request)
    errors = unknown_parameters(params, search)
    if not search.is_valid():
        errors.update({field: list(messages) for field, messages in search.errors.items()})
    if errors:
        return JsonResponse(errors, status=400)
    return search.qs if ordered else search.qs.order_by("pk")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def referral_sheet(request: HttpRequest) -> HttpResponse:
    """A printable handout of the ticked meetings; the selection lives only in the URL."""
    slugs = _ticked(request)
    deleted = request.GET.get("gone", "")  # meetings a short link held that no longer exist
    deleted = int(deleted) if deleted.isdecimal() and len(deleted) < 3 else 0
    if set(request.GET) - {"m", "gone"}:
        # Sent from the finder's form, with the search: the handout's address names the meetings, not the place.
        return redirect(f"{reverse('meetings:referral')}?{_handout_query(slugs, gone=deleted)}")
    found = {m.slug: m for m in Meeting.objects.published().with_details().filter(slug__in=slugs)}
    listed = [found[slug] for slug in slugs if slug in found]
    inactive = Meeting.Attendance.INACTIVE
    return _render_handout(
        request,
        [meeting for meeting in listed if meeting.attendance_mode != inactive],
        paused=[meeting for meeting in listed if meeting.attendance_mode == inactive],
        unlisted=len(slugs) - len(listed) + deleted,
        slugs=slugs,
    )


def _render_handout(
    request: HttpRequest,
    meetings: list[Meeting],
    *,
    paused: list[Meeting],
    unlisted: int,
    slugs: list[str],
    gone: bool = False,
) -> HttpResponse:
    """The handout of ``meetings`` (the first referral.MAX_MEETINGS), naming those not meeting for now (paused)
    and counting those no longer listed; ``gone``: a short link none of whose meetings exist."""
    shown = meetings[: referral.MAX_MEETINGS]
    # The short link keeps the paused meetings, to show them again when they meet again, within what it holds.
    kept = (shown + paused)[: referral.MAX_MEETINGS]
    short = (
        request.build_absolute_uri(reverse("meetings:referral-short", args=[referral.pack([m.pk for m in kept])]))
        if shown
        else ""
    )
    now = timezone.now()
    return render(
        request,
        "meetings/referral.html",
        {
            "meetings": shown,
            # Each with its next start, which static/js/meeting.js also gives in the reader's zone.
            "entries": [(meeting, meeting.next_start(now)) for meeting in shown],
            "paused": paused,
            "unlisted": unlisted,
            "too_many": len(meetings) > referral.MAX_MEETINGS,
            "limit": referral.MAX_MEETINGS,
            "short_link": short,
            "qr": referral.qr_svg(short) if shown else "",
            "has_demo": any(m.is_demo for m in kept),
            # "Add or remove meetings": the finder with every meeting ticked, also those beyond the limit.
            "ticked_query": _handout_query(slugs),
            "gone": gone,
        },
        status=410 if gone else 200,
    )


def referral_short_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ids = referral.unpack(token)
    except ValueError:
        raise Http404("This handout link is not valid.") from None
    # Published only: a draft's address is nobody's business, so trying /r/1, /r/2… reveals none.
    slugs = dict(Meeting.objects.published().filter(pk__in=ids).values_list("pk", "slug"))
    if not slugs:
        # Mistyped, or its meetings deleted: the reader is a patient, not the clinician who ticked them.
        return _render_handout(request, [], paused=[], unlisted=0, slugs=[], gone=True)
    query = _handout_query([slugs[pk] for pk in ids if pk in slugs], gone=len(set(ids) - slugs.keys()))
    return redirect(f"{reverse('meetings:referral')}?{query}")


def meeting_list(request: HttpRequest) -> HttpResponse:
    """The old list address: the finder lists every meeting now."""
    return redirect(f"/?{request.GET.urlencode()}" if request.GET else "/", permanent=True)


def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.published().with_details(), slug=slug)
    return render(
        request,
        "meetings/meeting_detail.html",
        {"meeting": meeting, "start": meeting.next_start(timezone.now())},
    )


def meeting_report(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Report a problem": a short form; the report queues for the meeting's curators (meetings.reports)."""
    meeting = get_object_or_404(Meeting.objects.published().select_related("organization"), slug=slug)
    form = ChangeReportForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if not reports.take_report_slot(client_key(request)):
            # The form comes back filled in, so nothing typed is lost.
            context = {"meeting": meeting, "form": form, "too_many": True}
            return render(request, "meetings/meeting_report.html", context, status=429)
        if not form.is_bot:  # a filled honeypot looks like success and stores nothing
            reports.file_report(meeting, **form.report_data())
        return redirect("meetings:meeting-report-thanks", slug=meeting.slug)
    return render(request, "meetings/meeting_report.html", {"meeting": meeting, "form": form})


def meeting_report_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    # Its own page rather than a flash message: messages would need a cookie or a session.
    meeting = get_object_or_404(Meeting.objects.published(), slug=slug)
    return render(request, "meetings/meeting_report_thanks.html", {"meeting": meeting})


def meeting_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.published().with_details(), slug=slug)
    body = render_calendar([meeting], timezone.now(), request.build_absolute_uri("/").rstrip("/"), meeting.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(meeting.name) or "meeting"}.ics"'
    return response


def _result(meeting: Meeting, search: MeetingFilter) -> Result:
    start = meeting.next_start(search.now)
    visitor_start = start.astimezone(search.visitor_zone) if search.visitor_zone else None
    # Shown only when the clock differs: not for Detroit's visitor at a New York meeting, nor Asia/Calcutta's.
    if visitor_start is not None and visitor_start.utcoffset() == start.utcoffset():
        visitor_start = None
    return Result(
        meeting, start, visitor_start, search.display_distance(getattr(meeting, "distance", None)), search.now
    )


def _without_unknown_zone(query: QueryDict) -> QueryDict:
    """The query without a ``tz`` the server doesn't know. On the page it is the browser's zone, filled in by
    the script, not something the visitor typed or can correct: a browser that knows none says
    "Etc/Unknown", and a newer one may name a zone newer than the server's. Times are then shown in the
    place's zone only; the API still answers a 400 naming ``tz``."""
    zone = query.get("tz")
    if not zone or is_time_zone(zone):
        return query
    query = query.copy()
    del query["tz"]
    return query


def _reads_the_clock(search: MeetingFilter) -> bool:
    data = search.form.cleaned_data
    return any(data.get(name) for name in ("day", "time", "start_after", "start_before"))


def _narrowed(search: MeetingFilter) -> bool:
    """Whether the search has choices beyond its place and distance (soon=false is none)."""
    data = search.form.cleaned_data
    # An organization is cleaned to a queryset, even when none is given: its parameter says.
    return any(data.get(name) for name in NARROWING if name != "organization") or any(
        search.data.getlist("organization")
    )


def _with_times(request: HttpRequest, place: str, filters: dict[str, list[str]]) -> str:
    """The finder's address for "19103 tonight": near=19103 with the When filters ticked, unless already chosen."""
    query = request.GET.copy()
    if place:
        query["near"] = place
    else:  # "tonight" alone: a search without a place, soonest first
        query.pop("near", None)
    query.pop("page", None)
    for name, values in filters.items():
        if not given_values(query.getlist(name)):
            query.setlist(name, values)
    return f"{reverse('meetings:finder')}?{query.urlencode()}#results"


def _place_label(search: MeetingFilter) -> str:
    """Where the search is centred, as the page says it; a point also names its nearest town, so that a
    position the browser got wrong ("Use my location" on a computer) shows at once."""
    place = search.place
    if place is None or not search.searches_by_place:
        return ""
    town = geocoding.town_near(place.latitude, place.longitude) if place.kind == "coordinates" else ""
    return gettext("%(point)s (%(town)s area)") % {"point": place.label, "town": town} if town else place.label


def _ticked(request: HttpRequest) -> list[str]:
    """Slugs of the meetings ticked for a handout, kept from search to search in the address."""
    return given_values(request.GET.getlist("m"))[:MAX_TICKED]


def _handout_query(slugs: list[str], gone: int = 0) -> str:
    """``m=…&m=…`` for the ticked meetings (the finder's and the handout's), and ``gone`` when a short link
    held meetings that no longer exist."""
    return urlencode([("m", slug) for slug in slugs] + ([("gone", gone)] if gone else []))


def _ticked_elsewhere(ticked: list[str], results: list[Result]) -> list[Meeting]:
    """Ticked meetings this page of results does not show, so that their ticks stay in the form."""
    shown = {result.meeting.slug for result in results}
    wanted = [slug for slug in ticked if slug not in shown]
    if not wanted:
        return []
    # Published, not only active: a meeting not meeting for now keeps its tick (the handout names it apart).
    found = Meeting.objects.published().only(
        "slug", "name", "day", "start_time", "timezone", "is_demo", "attendance_mode"
    )
    by_slug = {meeting.slug: meeting for meeting in found.filter(slug__in=wanted)}
    return [by_slug[slug] for slug in wanted if slug in by_slug]


def _query_without(request: HttpRequest, *names: str) -> str:
    return urlencode([(k, v) for k, values in request.GET.lists() if k not in names for v in values])


def _options(request: HttpRequest) -> dict:
    """Choices for the form's checkboxes, with what the visitor picked (the page builds its own markup)."""
    picked = {"organization": set(request.GET.getlist("organization"))}
    # These are taken in any letter case (?day=Tuesday, ?type=w), as the search takes them.
    picked |= {
        name: {value.lower() for value in request.GET.getlist(name)}
        for name in ("day", "time", "attendance", "kind", "type")
    }
    days = [("today", _("Today")), ("tomorrow", _("Tomorrow"))] + [(str(d.value), d.label) for d in Weekday]
    # A day named in words (?day=monday) ticks the same box as its number.
    picked["day"] |= {str(DAY_NAMES[v]) for v in picked["day"] if v in DAY_NAMES}
    facets = TypeFacet.objects.exclude(key__in=["language", "status"]).prefetch_related("types")
    return {
        # "More filters" opens for any choice but the days, which are always shown.
        "more_open": any(request.GET.get(name) for name in NARROWING if name != "day"),
        "picked": picked,
        "days": days,
        "times": TIME_CHOICES,
        "attendance": ATTENDANCE_CHOICES,
        "kinds": Kind.choices,
        "distances": DISTANCES,
        "units": UNITS,
        "facets": facets,
        "languages": MeetingType.objects.filter(facet__key="language").order_by("order"),
        "organizations": Organization.objects.only("slug", "name", "short_name"),
    }
