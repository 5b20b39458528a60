"""BMLT, the root server NA service bodies publish meetings with: ``GetSearchResults`` (and ``GetFormats``) JSON.

Every value in BMLT's JSON is a string. The weekday counts 1 = Sunday … 7 = Saturday; times are
"HH:MM:SS" and the length is a ``duration_time`` rather than an end. How a meeting is attended is
``venue_type`` (1 in person, 2 virtual, 3 hybrid), with the reserved formats VM, HY and TC saying the
same in older servers. A meeting's formats are the server's own keys ("O,BT,WC"); what they mean
across servers is each format's NA World Services id (``world_id`` in ``GetFormats``: OPEN, BT,
WCHR…), which is what this module maps to Meeting Guide codes.
"""

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from meetings.feeds.cleaning import coordinate, country_code, strip_html
from meetings.feeds.records import ContactRecord, FeedError, LocationRecord, MeetingRecord, ParsedFeed, SkippedRow
from meetings.models import Meeting, Weekday

# NA World Services format ids -> Meeting Guide codes. Several codes are written "SP,D"; an empty
# string means the format is not a type (it says how to attend, which ``attendance`` carries).
# World ids with no Meeting Guide equivalent (CH closed on holidays, NC no children, NS no smoking,
# QA, RA restricted access, VAR rotating format, CPT concepts) are left out on purpose: the meeting
# keeps the server's own key, so the import reports it as unknown instead of losing it.
WORLD_ID_MAP: dict[str, str] = {
    "OPEN": "O",
    "CLOSED": "C",
    "BEG": "BE",  # beginners -> Newcomer
    "DISC": "D",
    "TOP": "D",  # a topic meeting is a discussion of the topic
    "SPK": "SP",
    "S-D": "SP,D",  # speaker/discussion
    "STEP": "ST",
    "SWG": "ST",  # Step Working Guides study
    "TRAD": "TR",
    "GP": "TR",  # Guiding Principles, the book on the Traditions
    "BT": "LIT",  # NA's books and pamphlets: Meeting Guide's codes for AA books (B, 12x12…) do not fit
    "IP": "LIT",
    "IW": "LIT",
    "JFT": "LIT",
    "LC": "LIT",
    "SPAD": "LIT",
    "LIT": "LIT",
    "MED": "MED",
    "CAN": "CAN",
    "W": "W",
    "M": "M",
    "GL": "LGBTQ",
    "Y": "Y",
    "CW": "CF",  # children welcome -> Child-Friendly
    "SMOK": "SM",
    "WCHR": "X",
    "TC": "TC",  # the facility is temporarily closed (with VM: temporarily virtual)
    "VM": "",
    "HYBR": "",
}

# The keys of BMLT's default (English) format set and their world ids, for results read without
# their GetFormats answer. A server may rename or reuse keys; give ``formats`` to be sure.
DEFAULT_KEY_WORLD_IDS: dict[str, str] = {
    "B": "BEG", "BT": "BT", "C": "CLOSED", "CH": "CH", "CL": "CAN", "CW": "CW", "D": "DISC", "ES": "LANG",
    "GL": "GL", "IP": "IP", "IW": "IW", "JT": "JFT", "M": "M", "NC": "NC", "O": "OPEN", "RF": "VAR",
    "SD": "SPK", "SG": "SWG", "So": "SPK", "St": "STEP", "To": "TOP", "Tr": "TRAD", "TW": "TRAD", "W": "W",
    "WC": "WCHR", "YP": "Y", "BK": "LIT", "NS": "NS", "AB": "QA", "ME": "MED", "QA": "QA", "CP": "CPT",
    "LC": "LC", "VM": "VM", "HY": "HYBR", "TC": "TC",  # VM, HY and TC are reserved on every server
}  # fmt: skip

# A LANG format names its language in its key (usually ISO 639-1) or its name.
LANGUAGE_CODES: dict[str, str] = {
    "en": "EN", "english": "EN", "es": "S", "sp": "S", "spanish": "S", "espanol": "S", "fr": "FR",
    "french": "FR", "francais": "FR", "de": "DE", "german": "DE", "deutsch": "DE", "it": "ITA",
    "italian": "ITA", "italiano": "ITA", "pt": "POR", "portuguese": "POR", "portugues": "POR", "pl": "POL",
    "polish": "POL", "polski": "POL", "ru": "RUS", "russian": "RUS", "nl": "NL", "dutch": "NL", "sv": "SV",
    "swedish": "SV", "da": "DA", "danish": "DA", "fi": "FI", "finnish": "FI", "no": "NO", "norwegian": "NO",
    "el": "EL", "greek": "EL", "he": "HE", "hebrew": "HE", "hi": "HI", "hindi": "HI", "hu": "HU",
    "hungarian": "HU", "is": "IS", "icelandic": "IS", "ja": "JA", "japanese": "JA", "ko": "KOR",
    "korean": "KOR", "lt": "LT", "lithuanian": "LT", "fa": "FA", "persian": "FA", "farsi": "FA", "pa": "PUN",
    "punjabi": "PUN", "sk": "SK", "slovak": "SK", "sl": "SL", "slovenian": "SL", "tl": "TL", "tagalog": "TL",
    "th": "TH", "thai": "TH", "tr": "TUR", "turkish": "TUR", "uk": "UK", "ukrainian": "UK", "ar": "AR",
    "arabic": "AR", "am": "AM", "amharic": "AM", "af": "AF", "afrikaans": "AF", "bg": "BG",
    "bulgarian": "BG", "hr": "HR", "croatian": "HR", "ka": "KA", "georgian": "KA", "asl": "ASL",
}  # fmt: skip


def _language(key: str, name: str = "") -> str:
    """A LANG format's Meeting Guide code, from its key or its name; else its own key."""
    return next((LANGUAGE_CODES[n] for n in map(_fold, (key, name)) if n in LANGUAGE_CODES), key.upper())


def _fold(value: str) -> str:
    """Lower case without accents: "Español" -> "espanol"."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# BMLT default key -> Meeting Guide code(s), read through what each key's world id means; used for
# results read without their GetFormats answer.
DEFAULT_FORMAT_MAP: dict[str, str] = {
    key: _language(key) if world_id == "LANG" else WORLD_ID_MAP[world_id]
    for key, world_id in DEFAULT_KEY_WORLD_IDS.items()
    if world_id == "LANG" or world_id in WORLD_ID_MAP
}

VENUE_TYPES = {
    "1": Meeting.Attendance.IN_PERSON.value,
    "2": Meeting.Attendance.ONLINE.value,
    "3": Meeting.Attendance.HYBRID.value,
}


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse(
    results: bytes | str,
    formats: bytes | str | None = None,
    format_map: Mapping[str, str] | None = None,
) -> ParsedFeed:
    """Read a GetSearchResults answer (a list, or ``{"meetings": [...], "formats": [...]}``).

    ``formats`` is the server's GetFormats answer; with it, each meeting's format keys are read
    through their world ids, else through BMLT's default keys. ``format_map`` (BMLT key -> Meeting
    Guide code, several codes comma-separated, "" to drop) comes first, for a server's own keys.
    Keys that map to nothing are kept, upper-cased, so the import reports them.
    """
    data = _load(results, "GetSearchResults")
    embedded: Any = None
    if isinstance(data, dict) and "meetings" in data:
        embedded = data.get("formats")
        data = data["meetings"]
    if not isinstance(data, list):
        raise FeedError(f"Expected a list of meetings (BMLT GetSearchResults JSON), not a JSON {_kind(data)}.")
    catalog = _Formats()
    if isinstance(embedded, list):
        catalog.add(embedded)
    if formats is not None:
        catalog.add(_load(formats, "GetFormats"))  # the caller's answer wins over the embedded one
    reader = _Reader(catalog, format_map or {})

    parsed = ParsedFeed()
    first_row: dict[str, int] = {}
    for row, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            parsed.skipped.append(SkippedRow(row, f"not a meeting object but a JSON {_kind(item)}"))
            continue
        result = reader.record(row, item)
        if isinstance(result, SkippedRow):
            parsed.skipped.append(result)
        elif result.key in first_row:
            parsed.skipped.append(SkippedRow(row, f"the same id_bigint as row {first_row[result.key]}", result.key))
        else:
            first_row[result.key] = row
            parsed.records.append(result)
    return parsed


class _Formats:
    """A server's formats, found by shared id or by key (in the meeting's language first)."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict] = {}
        self.by_lang_key: dict[tuple[str, str], dict] = {}
        self.by_key: dict[str, dict] = {}

    def add(self, data: Any) -> None:
        if isinstance(data, dict) and "formats" in data:
            data = data["formats"]
        if not isinstance(data, list):
            raise FeedError(f"Expected a list of formats (BMLT GetFormats JSON), not a JSON {_kind(data)}.")
        for item in data:
            if not isinstance(item, dict) or not _text(item.get("key_string")):
                continue
            key, lang, shared_id = _text(item.get("key_string")), _text(item.get("lang")), _text(item.get("id"))
            # The same shared id comes once per language; English reads best in reports.
            if shared_id and (lang == "en" or shared_id not in self.by_id):
                self.by_id[shared_id] = item
            self.by_lang_key[(lang, key)] = item
            if lang == "en" or key not in self.by_key:
                self.by_key[key] = item

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def find(self, key: str, lang: str) -> dict | None:
        return self.by_lang_key.get((lang, key)) or self.by_key.get(key)


class _Reader:
    def __init__(self, catalog: _Formats, format_map: Mapping[str, str]) -> None:
        self.catalog = catalog
        self.format_map = format_map

    def record(self, row: int, item: dict) -> MeetingRecord | SkippedRow:
        key = _text(item.get("id_bigint"))
        if not key:
            return SkippedRow(row, "no id_bigint")
        if _text(item.get("published")) in ("0", "False", "false"):
            return SkippedRow(row, "unpublished", key)
        name = _text(item.get("meeting_name"))
        if not name:
            return SkippedRow(row, "no meeting_name", key)
        weekday = _text(item.get("weekday_tinyint"))
        try:
            day = int(Weekday.from_bmlt(int(weekday)))
        except ValueError:
            return SkippedRow(row, f"weekday_tinyint {weekday!r} is not 1 (Sunday) to 7 (Saturday)", key)
        start_text = _text(item.get("start_time"))
        start = _clock(start_text)
        if start is None:
            return SkippedRow(row, f"start_time {start_text!r} is not a time of day (HH:MM:SS)", key)

        types, world_ids = self.types(item)
        timezone = _text(item.get("time_zone"))
        timezone = "" if timezone.upper() == "NULL" else timezone
        return MeetingRecord(
            row=row,
            key=key,
            name=name,
            day=day,
            start_time=start,
            end_time=_end(start, _text(item.get("duration_time"))),
            timezone=timezone,
            types=types,
            attendance=_attendance(_text(item.get("venue_type")), world_ids),
            conference_url=_text(item.get("virtual_meeting_link")),
            conference_url_notes=_plain(item.get("virtual_meeting_additional_info")),
            conference_phone=_text(item.get("phone_meeting_number")),
            notes=_plain(item.get("comments")),
            world_id=_text(item.get("worldid_mixed")),
            location=_location(item, timezone),
            contacts=_contacts(item),
        )

    def types(self, item: dict) -> tuple[list[str], set[str]]:
        """(Meeting Guide codes, the world ids seen) for a meeting's formats."""
        lang = _text(item.get("lang_enum"))
        found: list[tuple[str, dict | None]] = []  # (key, its GetFormats entry)
        keys = [k.strip() for k in _text(item.get("formats")).split(",") if k.strip()]
        if keys:
            found = [(key, self.catalog.find(key, lang)) for key in keys]
        elif self.catalog:
            for shared_id in _text(item.get("format_shared_id_list")).split(","):
                entry = self.catalog.by_id.get(shared_id.strip())
                if entry is not None:
                    found.append((_text(entry.get("key_string")), entry))
        codes: list[str] = []
        world_ids: set[str] = set()
        for key, entry in found:
            world_id = _text(entry.get("world_id")).upper() if entry else DEFAULT_KEY_WORLD_IDS.get(key, "")
            world_ids.add(world_id)
            codes += self.codes_for(key, world_id, entry)
        return list(dict.fromkeys(codes)), world_ids

    def codes_for(self, key: str, world_id: str, entry: dict | None) -> list[str]:
        if key in self.format_map:
            mapped = self.format_map[key]
        elif entry is None:
            mapped = DEFAULT_FORMAT_MAP.get(key, key.upper())
        elif world_id == "LANG":
            mapped = _language(key, _text(entry.get("name_string")))
        else:
            mapped = WORLD_ID_MAP.get(world_id, key.upper())
        return [code.strip() for code in mapped.split(",") if code.strip()]


def _attendance(venue_type: str, world_ids: set[str]) -> str:
    """venue_type first; older servers say it with the VM and HYBR formats; "" lets the import decide."""
    mode = VENUE_TYPES.get(venue_type, "")
    if not mode:
        if "HYBR" in world_ids:
            mode = Meeting.Attendance.HYBRID.value
        elif "VM" in world_ids:
            mode = Meeting.Attendance.ONLINE.value
    if mode == Meeting.Attendance.IN_PERSON and "TC" in world_ids:
        return Meeting.Attendance.INACTIVE.value  # its facility is temporarily closed, and no way to join online
    return mode


def _location(item: dict, timezone: str) -> LocationRecord | None:
    latitude, longitude = coordinate(_text(item.get("latitude")), 90), coordinate(_text(item.get("longitude")), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    nation = _text(item.get("location_nation"))
    place = LocationRecord(
        name=_text(item.get("location_text")),
        address=_text(item.get("location_street")),
        city=_text(item.get("location_municipality")),
        state=_text(item.get("location_province")),
        postal_code=_text(item.get("location_postal_code_1")),
        country=country_code(nation) or nation,  # as given when unknown: the importer reports it
        region=_text(item.get("location_sub_province")),
        sub_region=_text(item.get("location_neighborhood")) or _text(item.get("location_city_subsection")),
        latitude=latitude,
        longitude=longitude,
        timezone=timezone,
        notes=_plain(item.get("location_info")),
    )
    state_postal = " ".join(part for part in (place.state, place.postal_code) if part)
    place.formatted_address = ", ".join(part for part in (place.address, place.city, state_postal, nation) if part)
    if not (place.name or place.formatted_address or place.region or place.notes or latitude is not None):
        return None
    return place


def _contacts(item: dict) -> list[ContactRecord]:
    """Only servers that trust the reader (a logged-in service body) fill these in."""
    contacts = []
    for number in (1, 2):
        contact = ContactRecord(
            name=_text(item.get(f"contact_name_{number}")),
            email=_text(item.get(f"contact_email_{number}")),
            phone=_text(item.get(f"contact_phone_{number}")),
        )
        if contact.name or contact.email or contact.phone:
            contacts.append(contact)
    return contacts


def _clock(value: str) -> dt.time | None:
    match = _CLOCK.fullmatch(value)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    return dt.time(hours, minutes, seconds)


def _end(start: dt.time, duration: str) -> dt.time | None:
    """start + duration, wrapping past midnight; none for a missing, zero or whole-day length."""
    match = _CLOCK.fullmatch(duration)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    length = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not dt.timedelta(0) < length < dt.timedelta(days=1):
        return None
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + length).time()


def _plain(value: Any) -> str:
    return strip_html(_text(value))


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def _load(data: bytes | str, what: str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FeedError(f"The {what} answer is not UTF-8 text ({error.reason} at byte {error.start}).") from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise FeedError(
            f"The {what} answer is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
