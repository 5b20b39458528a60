"""iCalendar (.ics) for meetings: a weekly event in the meeting's own zone, with its VTIMEZONE.

Rendering only: the caller chooses which meetings. Uses the ``icalendar`` package so that
escaping, line folding and time-zone definitions follow RFC 5545 without hand-written code.
"""

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.utils.translation import gettext

from meetings.models import Meeting

PRODUCT_ID = "-//Mutual Help Finder//meetings//EN"


def render_calendar(meetings: Iterable[Meeting], now: dt.datetime, base_url: str, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(_event(meeting, now, base_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(meeting: Meeting, now: dt.datetime, base_url: str) -> icalendar.Event:
    start = meeting.next_start(now)
    event = icalendar.Event()
    event.add("uid", f"{meeting.slug}@mutual-help-finder")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("duration", meeting.duration)
    event.add("rrule", {"freq": "weekly"})
    title = meeting.name
    if meeting.is_demo:
        title = gettext("%(name)s (sample data, not a real meeting)") % {"name": meeting.name}
    event.add("summary", f"{title} · {meeting.organization.short_name or meeting.organization.name}")
    url = base_url + meeting.get_absolute_url()
    event.add("url", url)
    lines = []
    if meeting.is_online:
        lines += [line for line in (meeting.conference_url, meeting.conference_url_notes) if line]
        if meeting.conference_phone:
            phone = gettext("Phone:")
            lines.append(f"{phone} {meeting.conference_phone} {meeting.conference_phone_notes}".strip())
    if meeting.notes:
        lines.append(meeting.notes)
    lines.append(gettext("Details and changes: %(url)s") % {"url": url})
    event.add("description", "\n".join(lines))
    if meeting.location and meeting.is_in_person:
        event.add("location", str(meeting.location))
        if meeting.location.latitude is not None and not meeting.location.approximate:
            event.add("geo", (meeting.location.latitude, meeting.location.longitude))
    elif meeting.conference_url:
        event.add("location", meeting.conference_url)
    return event
