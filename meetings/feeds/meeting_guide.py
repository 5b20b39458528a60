"""The Meeting Guide JSON feed (code4recovery/spec): a JSON list of meetings, one object each.

``parse`` reads a feed as published by 12 Step Meeting List (TSML), intergroup scripts and
Google Sheets into plain records, without the database: each row becomes a ``MeetingRecord``
(one per day when ``day`` is a list) or a ``SkippedRow`` that says why. Type codes are kept as
the feed gives them (upper-cased); deriving attendance from ``ONL``/``TC`` is the importer's job.

``render`` streams our meetings back out as a feed, one meeting at a time.
"""

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import slugify

from meetings.feeds.cleaning import coordinate, country_code
from meetings.feeds.records import ContactRecord, FeedError, LocationRecord, MeetingRecord, ParsedFeed, SkippedRow
from meetings.models import Meeting

DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
ATTENDANCE_OPTIONS = frozenset(choice.value for choice in Meeting.Attendance)
# The spec's only code that is not upper case; codes are otherwise upper-cased on the way in.
MIXED_CASE_CODES = {"12X12": "12x12"}
CONTACT_COUNT = 3  # contact_1_* … contact_3_*

_TIME = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::\d{2})?)?\s*(?:(?P<half>[ap])\.?\s?m\.?)?", re.IGNORECASE
)
_VALID_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_TAG = re.compile(r"<[a-zA-Z/!]")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?\s*>|</(?:p|div|li|h[1-6])\s*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
_CHUNK_SIZE = 64 * 1024  # characters of JSON gathered before a chunk is yielded


class _Skip(Exception):
    """A row (or a day of it) that cannot become a meeting; the message is the reason."""


def parse(data: bytes | str) -> ParsedFeed:
    """Read a Meeting Guide feed. Raises ``FeedError`` only when the whole input is unusable.

    A record's key is the row's ``slug`` (else its ``id``), plus ``#d<day>`` when ``day`` is a list;
    a repeated key is skipped. Text is plain (HTML stripped), ``updated`` is aware UTC, coordinates
    that are absent, empty, 0 or unreadable are None (both of them), ``timezone`` is kept as given.
    """
    feed = ParsedFeed()
    rows_by_key: dict[str, int] = {}
    slugs: set[str] = set()
    for number, row in enumerate(_load(data), start=1):
        for result in _parse_row(number, row):
            if isinstance(result, SkippedRow):
                feed.skipped.append(result)
            elif result.key in rows_by_key:
                reason = f"duplicate slug {result.key!r}, already used by row {rows_by_key[result.key]}"
                feed.skipped.append(SkippedRow(number, reason, result.key))
            else:
                rows_by_key[result.key] = number
                result.slug = _unique(result.slug, slugs)
                feed.records.append(result)
    return feed


def render(meetings: Iterable[Meeting], base_url: str, codes_for: Callable[[Meeting], list[str]]) -> Iterator[bytes]:
    """Stream ``meetings`` as a Meeting Guide JSON array, in chunks of about 64 KB.

    Reads each meeting and its ``location`` only: pass ``select_related("location")`` and
    ``.iterator()`` so that memory stays flat. ``codes_for`` gives the type codes to list.
    Contacts are never written. ``url`` is the meeting's page here (``base_url`` + its path).
    """
    base = base_url.rstrip("/")
    yield b"["
    parts: list[str] = []
    size = 0
    separator = "\n"
    for meeting in meetings:
        text = json.dumps(_item(meeting, base, codes_for), ensure_ascii=False, separators=(",", ":"))
        parts += (separator, text)
        separator = ",\n"
        size += len(text)
        if size >= _CHUNK_SIZE:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    parts.append("\n]\n")
    yield "".join(parts).encode()


# Parsing: the whole input


def _load(data: bytes | str) -> list[Any]:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FeedError(f"not UTF-8 text: the byte at position {error.start} cannot be read") from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise FeedError("the feed is empty: expected a JSON list of meetings")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        hint = " (it looks like a web page, not a feed)" if text.lstrip().startswith("<") else ""
        raise FeedError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}{hint}") from None
    if isinstance(value, list):
        return value
    # TSML also reads the Code for Recovery sheets service, which wraps the list: {"meetings": [...], ...}.
    if isinstance(value, dict) and isinstance(value.get("meetings"), list):
        return value["meetings"]
    raise FeedError(f"expected a list of meetings, got {_kind(value)}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "null"


# Parsing: one row


def _parse_row(number: int, row: Any) -> list[MeetingRecord | SkippedRow]:
    if not isinstance(row, dict):
        return [SkippedRow(number, f"not an object (got {_kind(row)})")]
    key = _key(row)
    if not key:
        return [SkippedRow(number, "no slug or id")]
    try:
        name = _line(row.get("name"))
        if not name:
            raise _Skip("no name")
        days, several = _days(row.get("day"))
        start_time = _time(row.get("time"))
        if start_time is None:
            raise _Skip("no time (by appointment)")
    except _Skip as skip:
        return [SkippedRow(number, str(skip), key)]
    try:
        end_time = _time(row.get("end_time"))
    except _Skip:
        end_time = None  # the importer's default (one hour) is better than losing the meeting
    slug = key if _VALID_SLUG.fullmatch(key) else slugify(key) or slugify(name) or "meeting"
    if not several:
        return [_record(row, number, key, slug, name, days[0], start_time, end_time)]
    # One record per day; "#d" keeps the keys apart from any slug a feed could use.
    return [_record(row, number, f"{key}#d{day}", f"{slug}-{day}", name, day, start_time, end_time) for day in days]


def _record(
    row: dict[str, Any],
    number: int,
    key: str,
    slug: str,
    name: str,
    day: int,
    start_time: dt.time,
    end_time: dt.time | None,
) -> MeetingRecord:
    return MeetingRecord(
        row=number,
        key=key,
        name=name,
        day=day,
        start_time=start_time,
        end_time=end_time,
        slug=slug,
        timezone=_line(row.get("timezone")),
        types=_types(row.get("types")),
        attendance=_attendance(row.get("attendance_option")),
        conference_url=_plain(row.get("conference_url")),
        conference_url_notes=_notes(row.get("conference_url_notes")),
        conference_phone=_plain(row.get("conference_phone")),
        conference_phone_notes=_notes(row.get("conference_phone_notes")),
        notes=_notes(row.get("notes")),
        group_name=_line(row.get("group")),
        group_notes=_notes(row.get("group_notes")),
        website=_plain(row.get("website")),
        url=_plain(row.get("url")),
        feedback_url=_plain(row.get("feedback_url")),
        venmo=_plain(row.get("venmo")),
        paypal=_plain(row.get("paypal")),
        square=_plain(row.get("square")),
        updated=_updated(row.get("updated")),
        location=_location(row),
        contacts=_contacts(row),
    )


def _key(row: dict[str, Any]) -> str:
    """The spec's primary key is ``slug`` (a string, or an integer id); TSML feeds also carry ``id``."""
    for field in ("slug", "id"):
        value = row.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _days(value: Any) -> tuple[list[int], bool]:
    """The days of a row and whether the feed gave a list of them."""
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        raise _Skip("no day (by appointment)")
    if isinstance(value, list):
        days: list[int] = []
        for item in value:
            day = _day(item)
            if day is None:
                raise _Skip(f"invalid day {item!r} in {value!r}")
            if day not in days:
                days.append(day)
        return days, True
    day = _day(value)
    if day is None:
        raise _Skip(f"invalid day {value!r}")
    return [day], False


def _day(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in DAY_NAMES:
            return DAY_NAMES.index(text)
        if not text.isdigit():
            return None
        value = int(text)
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    return None


def _time(value: Any) -> dt.time | None:
    """ "19:30", "7:30", "19:30:00" or "7:30 pm" as a time; None when absent; _Skip when unreadable."""
    text = value.strip() if isinstance(value, str) else value
    if text is None or text == "":
        return None
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if not match or (match["minute"] is None and match["half"] is None):
        raise _Skip(f"invalid time {value!r}")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise _Skip(f"invalid time {value!r}")
        hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        raise _Skip(f"invalid time {value!r}")
    return dt.time(hour, minute)


def _types(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    codes: list[str] = []
    for item in items:
        code = _text(item).strip().upper()
        code = MIXED_CASE_CODES.get(code, code)
        if code and code not in codes:
            codes.append(code)
    return codes


def _attendance(value: Any) -> str:
    option = _line(value).lower().replace(" ", "_").replace("-", "_")
    return option if option in ATTENDANCE_OPTIONS else ""


def _updated(value: Any) -> dt.datetime | None:
    """The spec's "YYYY-MM-DD HH:MM:SS" is UTC: returned aware, in UTC."""
    try:
        moment = dt.datetime.fromisoformat(_line(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _location(row: dict[str, Any]) -> LocationRecord | None:
    latitude = coordinate(row.get("latitude"), 90)
    longitude = coordinate(row.get("longitude"), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    region, sub_region = _regions(row)
    location = LocationRecord(
        name=_line(row.get("location")),
        address=_line(row.get("address")),
        city=_line(row.get("city")),
        state=_line(row.get("state")),
        postal_code=_line(row.get("postal_code")),
        country=country_code(_line(row.get("country"))),
        formatted_address=_line(row.get("formatted_address")),
        region=region,
        sub_region=sub_region,
        latitude=latitude,
        longitude=longitude,
        approximate=_yes_no(row.get("approximate")),
        notes=_notes(row.get("location_notes")),
    )
    return None if location == LocationRecord() else location


def _regions(row: dict[str, Any]) -> tuple[str, str]:
    region, sub_region = _line(row.get("region")), _line(row.get("sub_region"))
    if region or sub_region:
        return region, sub_region
    regions = row.get("regions")
    if isinstance(regions, str):  # Google Sheets: "Illinois > Chicago"
        regions = regions.split(">")
    names = [name for name in map(_line, regions) if name] if isinstance(regions, list) else []
    if not names:
        return "", ""
    return names[0], names[-1] if len(names) > 1 else ""


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _line(value).lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n"):
        return False
    return None


def _contacts(row: dict[str, Any]) -> list[ContactRecord]:
    contacts = []
    for n in range(1, CONTACT_COUNT + 1):
        contact = ContactRecord(
            name=_line(row.get(f"contact_{n}_name")),
            email=_plain(row.get(f"contact_{n}_email")),
            phone=_plain(row.get(f"contact_{n}_phone")),
        )
        if contact != ContactRecord():
            contacts.append(contact)
    group = ContactRecord(email=_plain(row.get("email")), phone=_plain(row.get("phone")))
    if group != ContactRecord():
        contacts.append(group)
    return contacts


# Parsing: text


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _plain(value: Any) -> str:
    """URLs, phone numbers, handles: as given, trimmed."""
    return _text(value).strip()


def _line(value: Any) -> str:
    """One line of plain text: tags stripped, entities decoded, whitespace runs made one space."""
    return " ".join(_decode(_text(value)).split())


def _notes(value: Any) -> str:
    """Plain text that keeps its lines: <br> and </p> become line breaks, at most one blank line in a row."""
    text = _text(value)
    if "<" in text:
        text = _LINE_BREAK_TAG.sub("\n", text)
    text = _decode(text).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _decode(text: str) -> str:
    if _TAG.search(text):
        text = strip_tags(text)
    return html.unescape(text) if "&" in text else text


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


# Rendering


def _item(meeting: Meeting, base: str, codes_for: Callable[[Meeting], list[str]]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": meeting.name,
        "slug": meeting.slug,
        "day": int(meeting.day),
        "time": f"{meeting.start_time:%H:%M}",
        "end_time": f"{meeting.end_time or meeting.default_end_time():%H:%M}",
    }
    _put(item, "timezone", meeting.timezone)
    item["types"] = list(codes_for(meeting))
    item["attendance_option"] = meeting.attendance_mode
    _put(item, "notes", meeting.notes)
    location = meeting.location
    if location is not None:
        _put(item, "location", location.name)
        _put(item, "location_notes", location.notes)
        _put(item, "formatted_address", location.formatted_address)
        for field in ("address", "city", "state", "postal_code", "country"):
            _put(item, field, getattr(location, field))
        if location.latitude is not None and location.longitude is not None:
            item["latitude"] = location.latitude
            item["longitude"] = location.longitude
        item["approximate"] = "yes" if location.approximate else "no"
        _put(item, "region", location.region)
        _put(item, "sub_region", location.sub_region)
        if location.region:
            item["regions"] = [name for name in (location.region, location.sub_region) if name]
    _put(item, "group", meeting.group_name)
    _put(item, "group_notes", meeting.group_notes)
    for field in ("conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes"):
        _put(item, field, getattr(meeting, field))
    item["url"] = base + meeting.get_absolute_url()
    for field in ("website", "feedback_url", "venmo", "paypal", "square"):
        _put(item, field, getattr(meeting, field))
    # A changed address changes the listing too: the later of the meeting's and its location's dates.
    moments = [moment for moment in (meeting.updated_at, location and location.updated_at) if moment]
    if moments:
        updated = max(moments)
        if updated.tzinfo is not None:
            updated = updated.astimezone(dt.UTC)
        item["updated"] = f"{updated:%Y-%m-%d %H:%M:%S}"
    return item


def _put(item: dict[str, Any], field: str, value: str) -> None:
    """Optional fields are left out when empty, as the spec allows; it keeps a large feed small."""
    if value:
        item[field] = value
