"""Visitors' change reports ("Report a problem"): filed without anything about the person, limited per client,
and applied or dismissed by the curators of the meeting.

A report keeps what is wrong and what the visitor suggests, nothing else. The rate limit counts per client and
hour (finder/rates.py) under an HMAC of the address, the hour and SECRET_KEY: the address is never written
anywhere, and one hour's count cannot be linked to the next hour's.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from finder import rates
from meetings.models import ChangeReport, Meeting, Weekday

Problem = ChangeReport.Problem
WINDOW_SECONDS = 3600

# The suggested values that belong to each problem. The form shows every field (it works without
# JavaScript), so values typed for another problem are dropped rather than stored.
SUGGESTIONS: dict[str, tuple[str, ...]] = {
    Problem.WRONG_TIME: ("suggested_day", "suggested_start_time", "suggested_end_time"),
    Problem.WRONG_PLACE: ("suggested_address",),
    Problem.BROKEN_LINK: ("suggested_conference_url",),
}
ALL_SUGGESTIONS = frozenset(name for names in SUGGESTIONS.values() for name in names)
# Problems with a venue, or with a join link: only for meetings whose page shows one (a hybrid meeting's shows both).
VENUE_PROBLEMS = frozenset({Problem.WRONG_PLACE})
LINK_PROBLEMS = frozenset({Problem.BROKEN_LINK})


class ReportError(Exception):
    """A report that cannot be resolved as asked; the message says why, for the curator."""


def file_report(meeting: Meeting, problem: str, message: str = "", **suggested) -> ChangeReport:
    """Store a visitor's report about ``meeting``, with only the suggestions that fit its problem."""
    unknown = set(suggested) - ALL_SUGGESTIONS
    if unknown:
        raise TypeError(f"Not a suggestion: {', '.join(sorted(unknown))}")
    kept = {
        name: value
        for name, value in suggested.items()
        if name in SUGGESTIONS.get(problem, ()) and value not in (None, "")
    }
    return ChangeReport.objects.create(meeting=meeting, problem=problem, message=message.strip(), **kept)


def problems_for(meeting: Meeting) -> list[Problem]:
    """The problems a visitor may report about ``meeting``, in the form's order.

    No wrong venue for an online meeting, no broken link for one met in person. A temporarily inactive
    meeting's page shows neither a venue nor a link, so neither is offered for it.
    """
    unfit = (set() if meeting.is_in_person else VENUE_PROBLEMS) | (set() if meeting.is_online else LINK_PROBLEMS)
    return [problem for problem in Problem if problem not in unfit]


def take_report_slot(client: str) -> bool:
    """Count one report from ``client`` (``finder.clients.client_key``); False once it has sent its share this hour."""
    count = rates.count_request("change-report", client, WINDOW_SECONDS)
    return count.requests <= settings.CHANGE_REPORTS_PER_HOUR


def proposed_changes(report: ChangeReport) -> dict[str, object]:
    """The meeting's fields that applying ``report`` would change, with their new values.

    "No longer meets" makes the meeting temporarily inactive rather than hiding it: the finder and the API
    stop listing it, while its page (bookmarked, on a printed handout) still opens and says it is not
    meeting, and a curator can undo it in one field. An address is never applied in one step: a location
    also needs its map position and may be shared with other meetings, so a curator edits it by hand.
    """
    meeting = report.meeting
    changes: dict[str, object] = {}
    if report.problem == Problem.GONE:
        changes["attendance_mode"] = Meeting.Attendance.INACTIVE
    elif report.problem == Problem.WRONG_TIME:
        if report.suggested_day is not None:
            changes["day"] = report.suggested_day
        if report.suggested_start_time is not None:
            changes["start_time"] = report.suggested_start_time
        if report.suggested_end_time is not None:
            changes["end_time"] = report.suggested_end_time
        elif report.suggested_start_time is not None and meeting.end_time is not None:
            # A new start alone keeps the meeting as long as it was.
            start = dt.datetime.combine(dt.date(2000, 1, 1), report.suggested_start_time)
            changes["end_time"] = (start + meeting.duration).time()
    elif report.problem == Problem.BROKEN_LINK and report.suggested_conference_url:
        changes["conference_url"] = report.suggested_conference_url
    return {name: value for name, value in changes.items() if getattr(meeting, name) != value}


def apply_report(report: ChangeReport, user: AbstractBaseUser) -> list[str]:
    """Apply the report's suggestion to its meeting and mark it applied; the names of the fields changed.

    Raises ``ReportError`` when the report is already resolved, suggests nothing that can be applied, or
    would leave the meeting invalid (the meeting is then left as it was).
    """
    with transaction.atomic():
        _lock_new(report)
        meeting = report.meeting
        changes = proposed_changes(report)
        if not changes:
            raise ReportError(gettext("This report suggests nothing that can be applied in one step."))
        for name, value in changes.items():
            setattr(meeting, name, value)
        try:
            meeting.full_clean()
        except ValidationError as error:
            meeting.refresh_from_db()
            raise ReportError(
                gettext("The suggestion would make the listing invalid: %(errors)s") % {"errors": _errors(error)}
            ) from error
        # Who and why, for the meeting's history (meetings.history).
        meeting._history_user = user
        meeting._change_reason = f"Change report {report.pk}"
        meeting.save()
        _resolve(report, ChangeReport.Status.APPLIED, user)
    return list(changes)


def mark_done(report: ChangeReport, user: AbstractBaseUser) -> None:
    """Record that a curator fixed the listing by hand (an address, "something else")."""
    with transaction.atomic():
        _lock_new(report)
        _resolve(report, ChangeReport.Status.APPLIED, user)


def dismiss_report(report: ChangeReport, user: AbstractBaseUser) -> None:
    """Close the report without changing the meeting."""
    with transaction.atomic():
        _lock_new(report)
        _resolve(report, ChangeReport.Status.DISMISSED, user)


def _lock_new(report: ChangeReport) -> None:
    """Refuse a report someone else resolved meanwhile (two curators on one report)."""
    status = ChangeReport.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status != ChangeReport.Status.NEW:
        raise ReportError(
            gettext("This report was already resolved (%(status)s).") % {"status": ChangeReport.Status(status).label}
        )


def _resolve(report: ChangeReport, status: str, user: AbstractBaseUser) -> None:
    report.status = status
    report.resolved_at = timezone.now()
    report.resolved_by = user
    report.save(update_fields=["status", "resolved_at", "resolved_by"])


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


@dataclass(frozen=True)
class Row:
    """One line of the curator's comparison: what the listing says now and what the report suggests."""

    label: str | Promise
    current: str
    suggested: str = ""


def comparison(report: ChangeReport) -> list[Row]:
    """The meeting's current data beside the report's suggestions, for the curator's report page."""
    meeting = report.meeting
    location = meeting.location
    proposed = proposed_changes(report)
    mode = proposed.get("attendance_mode")
    return [
        Row(
            _("Day"),
            meeting.get_day_display(),
            Weekday(report.suggested_day).label if report.suggested_day is not None else "",
        ),
        Row(_("Starts"), _time(meeting.start_time), _time(report.suggested_start_time)),
        Row(_("Ends"), _time(meeting.end_time), _time(report.suggested_end_time or proposed.get("end_time"))),
        Row(_("Time zone"), meeting.timezone),
        Row(_("How"), meeting.get_attendance_mode_display(), Meeting.Attendance(mode).label if mode else ""),
        Row(
            _("Address"),
            ", ".join(part for part in (location.name, location.formatted_address) if part) if location else "",
            report.suggested_address,
        ),
        Row(_("Join link"), meeting.conference_url, report.suggested_conference_url),
    ]


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""
