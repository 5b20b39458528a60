"""CSV in the layout of the 12 Step Meeting List (TSML) import template and export: one meeting a row.

Columns are found by their header (any case, any order, "Postal Code" = "postal_code"); unknown
columns are ignored. Days are English names or 0 (Sunday) to 6; times "7:00 PM" or "19:00"; types
are names ("Open, Wheelchair Access") or codes, comma-separated. "Address" is TSML's address line:
a street with City, State, Postal Code and Country columns, or the whole address on its own.

Rows are counted as TSML counts them: the header is row 1, so the first meeting is row 2. A row whose
day, time, end time, coordinates or attendance cannot be read is skipped with the reason; a value
that only describes (Approximate, Updated) is dropped instead when it cannot be read.

``render`` writes the same layout (TSML's columns, plus the ones this project stores that TSML
lacks), so that ``parse(render(...))`` gives back every field a meeting stores.
"""

import csv  # the standard library's module: absolute imports never find this file by that name
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from meetings.feeds.cleaning import country_code, strip_html
from meetings.feeds.records import ContactRecord, FeedError, LocationRecord, MeetingRecord, ParsedFeed, SkippedRow
from meetings.models import Meeting, Weekday

CONTACTS = 3  # TSML's Contact 1 … Contact 3

# The columns render writes, in this order: TSML's template and export columns where they exist,
# then this project's own (Formatted Address, Latitude, Longitude, Approximate, World ID, URL…).
COLUMNS = [
    "Time", "End Time", "Day", "Name", "Location", "Address", "City", "State", "Postal Code", "Country",
    "Formatted Address", "Latitude", "Longitude", "Approximate", "Region", "Sub Region", "Types", "Notes",
    "Location Notes", "Timezone", "Attendance Option", "Group", "Group Notes", "Website", "Venmo", "Square",
    "Paypal",
    *(f"Contact {n} {part}" for n in range(1, CONTACTS + 1) for part in ("Name", "Email", "Phone")),
    "Conference URL", "Conference URL Notes", "Conference Phone", "Conference Phone Notes", "World ID", "URL",
    "Feedback URL", "Slug", "Updated",
]  # fmt: skip

# Other spellings of a column, after folding case and separators.
ALIASES = {
    "start time": "time", "end": "end time", "meeting": "name", "meeting name": "name",
    "location name": "location", "venue": "location", "street": "address", "zip": "postal code",
    "zip code": "postal code", "postcode": "postal code", "province": "state", "lat": "latitude",
    "lng": "longitude", "lon": "longitude", "long": "longitude", "time zone": "timezone",
    "attendance": "attendance option", "attendance mode": "attendance option", "group name": "group",
    "worldid": "world id", "type": "types", "formats": "types",
}  # fmt: skip

REQUIRED = ("name", "day", "time")

# TSML's older names for some types, read as the codes they stand for.
TYPE_ALIASES = {
    "step meeting": "ST",
    "sign language": "ASL",
    "outdoor meeting": "OUT",
    "temporary closure": "TC",
    "online meeting": "ONL",
}

ATTENDANCE = {
    "in person": Meeting.Attendance.IN_PERSON.value,
    "online": Meeting.Attendance.ONLINE.value,
    "virtual": Meeting.Attendance.ONLINE.value,
    "hybrid": Meeting.Attendance.HYBRID.value,
    "in person and online": Meeting.Attendance.HYBRID.value,
    "inactive": Meeting.Attendance.INACTIVE.value,
    "temporarily inactive": Meeting.Attendance.INACTIVE.value,
}

APPROXIMATE = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}

_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?", re.IGNORECASE)
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]?(\d{1,2}:\d{2}(?::\d{2})?)?(.*)")
_SAFE_SIGNED = re.compile(r"[+-][\d\s().-]*")  # "+1 (555) 010-0100", "-3": not formulas


def parse(data: bytes | str, type_names: Mapping[str, str] | None = None) -> ParsedFeed:
    """Read a CSV file; ``type_names`` maps English type names (any case) to codes, e.g. {"open": "O"}.

    Types that are neither a name nor a code in ``type_names`` are kept as given (upper-cased), so
    the import reports them.
    """
    text = _decode(data)
    lines = io.StringIO(text, newline="")
    first_line = text.split("\n", 1)[0]
    delimiter = "," if "," in first_line else ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(lines, delimiter=delimiter, strict=True)  # an unclosed quote must not swallow the rest
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise FeedError(f"Row 1 (the header) cannot be read as CSV: {error}.") from None
    if not header or not any(cell.strip() for cell in header):
        raise FeedError("The file is empty: the first row should name the columns (Time, Day, Name…).")
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        columns.setdefault(_column(cell), index)
    missing = [name.title() for name in REQUIRED if name not in columns]
    if missing:
        raise FeedError(f"The header (row 1) has no {', '.join(missing)} column; it has: {', '.join(header)}.")

    rows = _Rows(columns, _TypeReader(type_names or {}))
    parsed = ParsedFeed()
    first_row: dict[str, int] = {}
    row = 1
    try:
        for row, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            result = rows.record(row, cells)
            if isinstance(result, SkippedRow):
                parsed.skipped.append(result)
            elif result.key in first_row:
                same = "Slug" if result.slug else "name, day, time and address"
                parsed.skipped.append(SkippedRow(row, f"the same {same} as row {first_row[result.key]}", result.key))
            else:
                first_row[result.key] = row
                parsed.records.append(result)
    except csv.Error as error:
        raise FeedError(f"Row {row + 1} cannot be read as CSV: {error}. Nothing after it was read.") from None
    return parsed


def render(
    meetings: Iterable[Meeting],
    base_url: str,
    codes_for: Callable[[Meeting], Iterable[str]],
    type_names: Mapping[str, str],
) -> Iterator[str]:
    """CSV lines (header first, each ending in CRLF) for ``meetings``, streamed one meeting at a time.

    Types are written by name where ``type_names`` has one (its first name for the code, spelled as
    given: pass {"Open": "O", …} for "Open"), else by code. URL is the meeting's page on this site
    (``base_url`` + its path): for whoever reads the file, this site is the source. Contacts are
    written only with recorded consent to publish.
    """
    names: dict[str, str] = {}
    for name, code in type_names.items():
        if "," not in name:
            names.setdefault(code, name.strip())
    buffer = _Line()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.take()
    base_url = base_url.rstrip("/")
    for meeting in meetings:
        writer.writerow(_guard(value) for value in _cells(meeting, base_url, codes_for, names))
        yield buffer.take()


class _TypeReader:
    def __init__(self, type_names: Mapping[str, str]) -> None:
        self.by_name = {name.lower(): code for name, code in TYPE_ALIASES.items()}
        self.by_name.update({name.strip().lower(): code for name, code in type_names.items()})
        self.by_code = {code.upper(): code for code in type_names.values()}

    def codes(self, value: str) -> list[str]:
        codes = []
        for item in (part.strip() for part in value.split(",")):
            if item:
                codes.append(self.by_name.get(item.lower()) or self.by_code.get(item.upper()) or item.upper())
        return list(dict.fromkeys(codes))


class _Rows:
    def __init__(self, columns: dict[str, int], types: _TypeReader) -> None:
        self.columns = columns
        self.types = types

    def record(self, row: int, cells: list[str]) -> MeetingRecord | SkippedRow:
        def get(column: str) -> str:
            index = self.columns.get(column)
            return _unguard(cells[index].strip()) if index is not None and index < len(cells) else ""

        slug = get("slug")
        name = get("name")
        if not name:
            return SkippedRow(row, "no Name", slug)
        day = _day(get("day"))
        if day is None:
            return SkippedRow(row, f"Day {get('day')!r} is not a weekday (Sunday…Saturday or 0…6)", slug)
        start = _time(get("time"))
        if start is None:
            return SkippedRow(row, f"Time {get('time')!r} is not a time of day (7:00 PM or 19:00)", slug)
        end = None
        if get("end time"):
            end = _time(get("end time"))
            if end is None:
                return SkippedRow(row, f"End Time {get('end time')!r} is not a time of day", slug)
        attendance = ""
        if get("attendance option"):
            attendance = ATTENDANCE.get(_fold(get("attendance option")), "")
            if not attendance:
                return SkippedRow(
                    row,
                    f"Attendance Option {get('attendance option')!r} is not in_person, online, hybrid or inactive",
                    slug,
                )
        try:
            location = self.location(get)
        except ValueError as error:
            return SkippedRow(row, str(error), slug)

        record = MeetingRecord(
            row=row,
            key=slug or _key(name, day, start, location),
            name=name,
            day=day,
            start_time=start,
            end_time=end,
            slug=slug,
            timezone=get("timezone"),
            types=self.types.codes(get("types")),
            attendance=attendance,
            conference_url=get("conference url"),
            conference_url_notes=strip_html(get("conference url notes")),
            conference_phone=get("conference phone"),
            conference_phone_notes=strip_html(get("conference phone notes")),
            notes=strip_html(get("notes")),
            group_name=get("group"),
            group_notes=strip_html(get("group notes")),
            website=get("website"),
            url=get("url"),
            feedback_url=get("feedback url"),
            venmo=get("venmo"),
            paypal=get("paypal"),
            square=get("square"),
            world_id=get("world id"),
            updated=_updated(get("updated")),
            location=location,
        )
        for number in range(1, CONTACTS + 1):
            contact = ContactRecord(*(get(f"contact {number} {part}") for part in ("name", "email", "phone")))
            if contact.name or contact.email or contact.phone:
                record.contacts.append(contact)
        return record

    def location(self, get: Callable[[str], str]) -> LocationRecord | None:
        latitude, longitude = (
            _coordinate(get("latitude"), "Latitude", 90),
            _coordinate(get("longitude"), "Longitude", 180),
        )
        if (latitude is None) != (longitude is None):
            raise ValueError("Latitude and Longitude go together: give both or neither")
        country = get("country")
        place = LocationRecord(
            name=get("location"),
            address=get("address"),
            city=get("city"),
            state=get("state"),
            postal_code=get("postal code"),
            country=country_code(country) or country,  # as given when unknown: the importer reports it
            formatted_address=get("formatted address"),
            region=get("region"),
            sub_region=get("sub region"),
            latitude=latitude,
            longitude=longitude,
            timezone=get("timezone"),
            approximate=APPROXIMATE.get(get("approximate").lower()),
            notes=strip_html(get("location notes")),
        )
        if "formatted address" not in self.columns:  # built from the parts, as TSML does
            state_postal = " ".join(part for part in (place.state, place.postal_code) if part)
            parts = (place.address, place.city, state_postal, country)
            place.formatted_address = ", ".join(part for part in parts if part)
        described = (place.name, place.address, place.city, place.state, place.postal_code, place.country)
        if not any((*described, place.formatted_address, place.region, place.sub_region, place.notes)):
            return None if latitude is None else place
        return place


def _key(name: str, day: int, start: dt.time, location: LocationRecord | None) -> str:
    """A key for rows without a Slug: a hash of the name, day, time and address.

    It is stable while those stay the same; when one of them changes, a re-import sees a different
    meeting (the old one is removed and a new one added). Give a Slug column to keep identity.
    """
    address = ""
    if location is not None:
        address = location.formatted_address or " ".join(
            (location.address, location.city, location.state, location.postal_code)
        )
    text = "\x1f".join(
        (" ".join(name.split()).casefold(), str(day), f"{start:%H:%M}", " ".join(address.split()).casefold())
    )
    return "csv-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _cells(meeting: Meeting, base_url: str, codes_for, names: dict[str, str]) -> list[str]:
    place = meeting.location
    contacts = []
    if meeting.pk is not None:
        contacts = [c for c in meeting.contacts.all() if c.consent_to_publish and c.consent_recorded_at][:CONTACTS]
    contact_cells = []
    for index in range(CONTACTS):
        contact = contacts[index] if index < len(contacts) else None
        contact_cells += [contact.name, contact.email, contact.phone] if contact else ["", "", ""]
    types = [names.get(code) or names.get(code.upper()) or code for code in codes_for(meeting)]
    updated = meeting.updated_at.astimezone(dt.UTC).isoformat(timespec="seconds") if meeting.updated_at else ""
    return [
        _clock(meeting.start_time),
        _clock(meeting.end_time) if meeting.end_time else "",
        Weekday(meeting.day).english,
        meeting.name,
        place.name if place else "",
        place.address if place else "",
        place.city if place else "",
        place.state if place else "",
        place.postal_code if place else "",
        place.country if place else "",
        place.formatted_address if place else "",
        "" if place is None or place.latitude is None else repr(place.latitude),
        "" if place is None or place.longitude is None else repr(place.longitude),
        ("yes" if place.approximate else "no") if place else "",
        place.region if place else "",
        place.sub_region if place else "",
        ", ".join(types),
        meeting.notes,
        place.notes if place else "",
        meeting.timezone,
        meeting.attendance_mode,
        meeting.group_name,
        meeting.group_notes,
        meeting.website,
        meeting.venmo,
        meeting.square,
        meeting.paypal,
        *contact_cells,
        meeting.conference_url,
        meeting.conference_url_notes,
        meeting.conference_phone,
        meeting.conference_phone_notes,
        meeting.world_id,
        base_url + meeting.get_absolute_url() if meeting.slug else "",
        meeting.feedback_url,
        meeting.slug,
        updated,
    ]


class _Line:
    """Where csv.writer writes one row, to be handed on as a string."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        line, self.parts = "".join(self.parts), []
        return line


def _guard(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula ("=HYPERLINK(…)"): a leading ' says "text".

    Phone numbers and other signed numbers are left alone; ``parse`` takes the ' off again.
    """
    if value and (value[0] in "=@\t\r" or (value[0] in "+-" and not _SAFE_SIGNED.fullmatch(value))):
        return "'" + value
    return value


def _unguard(value: str) -> str:
    if value.startswith("'") and len(value) > 1 and _guard(value[1:]) != value[1:]:
        return value[1:]
    return value


def _column(header: str) -> str:
    name = " ".join(header.replace("\ufeff", "").replace("_", " ").replace("-", " ").lower().split())
    return ALIASES.get(name, name)


def _day(value: str) -> int | None:
    text = value.strip().lower()
    if text.isdigit():
        return int(text) if 0 <= int(text) <= 6 else None
    if len(text) >= 3:
        for day in Weekday:
            if day.english.lower().startswith(text):
                return int(day)
    return None


def _time(value: str) -> dt.time | None:
    text = value.strip().lower()
    if text == "noon":
        return dt.time(12)
    if text == "midnight":
        return dt.time(0)
    match = _TIME.fullmatch(text)
    if not match or (match[2] is None and match[4] is None):  # "7" alone could be morning or evening
        return None
    hours, minutes, seconds = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if match[4]:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if match[4] == "p" else 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    return dt.time(hours, minutes, seconds)


def _clock(value: dt.time) -> str:
    """ "7:00 PM" as in TSML's template; seconds, when there are any, in 24-hour form."""
    if value.second or value.microsecond:
        return f"{value:%H:%M:%S}"
    return f"{(value.hour + 11) % 12 + 1}:{value.minute:02d} {'PM' if value.hour >= 12 else 'AM'}"


def _coordinate(value: str, label: str, limit: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{label} {value!r} is not a number") from None
    if not -limit <= number <= limit:
        raise ValueError(f"{label} {value!r} is not between -{limit:g} and {limit:g}")
    return number


def _updated(value: str) -> dt.datetime | None:
    """ISO 8601, or TSML's "2020-04-04 16:50:58" (also written without the space); naive means UTC."""
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        match = _STAMP.fullmatch(value)
        if not match or match[3].strip():
            return None
        try:
            stamp = dt.datetime.fromisoformat(f"{match[1]} {match[2] or '00:00'}")
        except ValueError:
            return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _fold(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").replace("-", " ").split())


def _decode(data: Any) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FeedError(
            f"The file is not UTF-8 text (byte {error.start} cannot be read). Save it as “CSV UTF-8” and try again."
        ) from None
