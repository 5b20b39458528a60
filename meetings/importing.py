"""Sync a parsed feed with the database: create, update, leave alone, deactivate; report everything.

A feed is synced, not piled up: meetings are matched on (feed, the source's own id), so importing
the same feed twice changes nothing. Meetings missing from a new version of the feed are hidden
(status "removed"), never deleted. The whole import runs in one transaction, so a failure half-way
leaves the database exactly as it was.
"""

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from groups import meeting_counts
from meetings import geocoding, history
from meetings.feeds.records import ContactRecord, LocationRecord, MeetingRecord, ParsedFeed, SkippedRow
from meetings.models import (
    ZONES_CACHE_KEY,
    Contact,
    Feed,
    Location,
    Meeting,
    MeetingType,
    OrganizationTypeCode,
    validate_time_zone,
)
from meetings.web_addresses import read_web_address

logger = logging.getLogger(__name__)

# Legacy Meeting Guide codes that describe how to attend rather than the meeting.
ONLINE_CODE = "ONL"
TEMPORARILY_CLOSED_CODE = "TC"
BATCH_SIZE = 2000
PROGRESS_EVERY = 5000

# The meeting fields a feed sets; anything else (status, verification, demo flags) is the curators'.
SYNCED_FIELDS = [
    "name", "group_name", "day", "start_time", "end_time", "timezone", "location", "attendance_mode",
    "conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes", "unmapped_types",
    "notes", "group_notes", "website", "url", "feedback_url", "venmo", "paypal", "square", "world_id",
]  # fmt: skip

# The URL fields a feed sets, as a curator calls them; their lengths come from the model, not from here.
LINK_FIELDS = {
    "conference_url": "join link",
    "website": "website",
    "url": "listing link",
    "feedback_url": "feedback link",
}
LINK_LENGTHS = {name: Meeting._meta.get_field(name).max_length for name in LINK_FIELDS}
SHOWN_LINK_LENGTH = 80  # a refused link is quoted in the report up to this many characters


class FeedImportError(Exception):
    """An import that could not finish; nothing was changed. The message names the row."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    unknown_types: Counter = field(default_factory=Counter)
    placed_at_postal_code: int = 0
    needs_location: list[str] = field(default_factory=list)
    default_timezone: int = 0
    web_addresses: list[str] = field(default_factory=list)  # links refused, each naming its row and meeting
    https_added: Counter = field(default_factory=Counter)  # links given https://, by what they are ("join link")

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def lines(self) -> list[str]:
        lines = [
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.deactivated)} deactivated, {len(self.skipped)} skipped."
        ]
        if self.deactivated:
            lines.append("Deactivated (no longer in the feed): " + "; ".join(self.deactivated[:50]))
        lines += [f"Skipped {row}" for row in self.skipped]
        if self.unknown_types:
            codes = ", ".join(f"{code} ({count})" for code, count in self.unknown_types.most_common())
            lines.append(f"Unknown type codes, kept on the meetings but not searchable: {codes}")
        if self.placed_at_postal_code:
            lines.append(
                f"{self.placed_at_postal_code} meetings without coordinates placed at their ZIP code's centre."
            )
        if self.needs_location:
            lines.append(
                f"{len(self.needs_location)} meetings need a location (no coordinates could be found): "
                + "; ".join(self.needs_location[:20])
            )
        if self.default_timezone:
            lines.append(f"{self.default_timezone} meetings had no time zone and were given the import's default.")
        if self.web_addresses:
            count = len(self.web_addresses)
            lines.append(
                (f"{count} web addresses were not kept as links: " if count != 1
                 else "1 web address was not kept as a link: ") + "; ".join(self.web_addresses[:20])
            )  # fmt: skip
        for label in LINK_FIELDS.values():  # not a problem, but the curator may want to fix the feed
            if count := self.https_added[label]:
                lines.append(
                    f"{count} {label}s had no https:// and were given one." if count != 1
                    else f"1 {label} had no https:// and was given one."
                )  # fmt: skip
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class _Codes:
    """How this organization's codes read: its own table first, then the shared types."""

    shared: dict[str, MeetingType]
    own: dict[str, OrganizationTypeCode]

    def resolve(self, codes: list[str]) -> tuple[list[MeetingType], list[str], list[str]]:
        """(shared types, fellowship codes kept as given, unknown codes)."""
        types, kept, unknown = [], [], []
        for code in dict.fromkeys(codes):
            key = code.upper()
            if key == ONLINE_CODE:
                continue  # becomes the attendance mode
            if key in self.own:
                own = self.own[key]
                if own.meeting_type:
                    types.append(own.meeting_type)
                else:
                    kept.append(code)
            elif key in self.shared:
                types.append(self.shared[key])
            else:
                kept.append(code)
                unknown.append(code)
        return types, kept, unknown


def import_feed(
    parsed: ParsedFeed,
    feed: Feed,
    *,
    default_timezone: str = "",
    progress: Callable[[int, int], None] | None = None,
    user=None,
) -> ImportReport:
    """Apply a parsed feed to the database in one transaction and say what changed.

    Every meeting and location written gets a history row naming ``user`` (who ran the import, if
    anyone did from the admin) and the feed.
    """
    default_timezone = default_timezone or settings.DEFAULT_MEETING_TIME_ZONE
    validate_time_zone(default_timezone)
    report = ImportReport(skipped=list(parsed.skipped))
    try:
        with transaction.atomic():
            _Sync(feed, report, default_timezone, progress, user).run(parsed.records)
            feed.last_imported = timezone.now()
            feed.save(update_fields=["last_imported"])
            # New meetings may bring new zones, and change how many meetings each organization lists.
            transaction.on_commit(lambda: cache.delete_many([ZONES_CACHE_KEY, meeting_counts.CACHE_KEY]))
    except FeedImportError:
        raise
    except Exception as error:  # anything unexpected: nothing was written; say where it happened
        row = getattr(error, "feed_row", None)
        where = f" at row {row}" if row else ""
        logger.exception("Import of feed %s failed%s", feed.pk, where)
        raise FeedImportError(f"The import stopped{where}: {error}. Nothing was changed.") from error
    return report


class _Sync:
    def __init__(self, feed: Feed, report: ImportReport, default_timezone: str, progress, user=None) -> None:
        self.feed = feed
        self.history = {"user": user, "reason": f"import from {feed.name}"[:100], "when": timezone.now()}
        self.organization = feed.organization
        self.report = report
        self.default_timezone = default_timezone
        self.progress = progress
        # Codes are matched whatever their case ("12x12", "o"); unknown ones are kept as given.
        own_codes = OrganizationTypeCode.objects.filter(organization=self.organization).select_related("meeting_type")
        self.codes = _Codes(
            shared={t.code.upper(): t for t in MeetingType.objects.all()},
            own={c.code.upper(): c for c in own_codes},
        )
        self.locations: dict[tuple, Location] = {}
        self.new_locations: list[Location] = []
        self.zones: dict[str, bool] = {}
        prefix = slugify(self.organization.short_name or self.organization.slug)[:20] or "meeting"
        self.slug_prefix = prefix
        # Every slug that could clash with a new one, read once rather than once per meeting.
        self.taken_slugs = set(Meeting.objects.filter(slug__startswith=prefix).values_list("slug", flat=True))

    def run(self, records: list[MeetingRecord]) -> None:
        existing = {
            m.feed_key: m
            for m in Meeting.objects.filter(feed=self.feed)
            .select_related("location")
            # Plain lists (to_attr): comparing 150,000 meetings should not build 300,000 querysets.
            .prefetch_related(
                Prefetch("types", to_attr="stored_types"), Prefetch("contacts", to_attr="stored_contacts")
            )
        }
        self._remember_locations(existing.values())
        seen: set[str] = set()
        to_create: list[tuple[Meeting, list[MeetingType], list[ContactRecord]]] = []
        to_update: list[tuple[Meeting, list[MeetingType] | None, list[ContactRecord] | None]] = []

        for index, record in enumerate(records, start=1):
            if record.key in seen:
                self.report.skipped.append(
                    SkippedRow(record.row, "the same id appears earlier in the feed", record.key)
                )
                continue
            try:
                planned = self._plan(record)
            except ValueError as error:
                self.report.skipped.append(SkippedRow(record.row, str(error), record.key))
                continue
            except Exception as error:
                error.feed_row = record.row
                raise
            seen.add(record.key)
            values, types, contacts = planned
            meeting = existing.get(record.key)
            if meeting is None:
                meeting = Meeting(organization=self.organization, feed=self.feed, feed_key=record.key, **values)
                meeting.slug = self._new_slug(record)
                to_create.append((meeting, types, contacts))
            else:
                changed = self._apply(meeting, values, types, contacts)
                if changed:
                    to_update.append(changed)
                else:
                    self.report.unchanged += 1
            if self.progress and index % PROGRESS_EVERY == 0:
                self.progress(index, len(records))

        self._save_locations([m for m, _, _ in to_create] + [m for m, _, _ in to_update])
        self._create(to_create)
        self._update(to_update)
        self._deactivate(existing, seen)
        if self.progress:
            self.progress(len(records), len(records))

    # Turning a record into model values.

    def _plan(self, record: MeetingRecord) -> tuple[dict, list[MeetingType], list[ContactRecord]]:
        if record.day is None or not 0 <= record.day <= 6:
            raise ValueError("no weekday")
        if record.start_time is None:
            raise ValueError("no start time")
        codes = [code.strip() for code in record.types if code and code.strip()]
        types, kept, unknown = self.codes.resolve(codes)
        self.report.unknown_types.update(unknown)
        location = self._location(record)
        mode = record.attendance or _attendance(record, codes, location)
        if mode in Meeting.IN_PERSON_MODES and location is None:
            if record.conference_url or record.conference_phone:
                mode = Meeting.Attendance.ONLINE
            else:
                raise ValueError("no address and no way to join online")
        zone = self._zone(record, location)
        conference_url, conference_url_notes = self._join_link(record, mode)
        values = {
            "name": record.name[:200],
            "group_name": record.group_name[:200],
            "day": record.day,
            "start_time": record.start_time,
            # A feed's end equal to its start (no length) is taken as no end given, as Meeting.clean() refuses it.
            "end_time": record.end_time
            if record.end_time not in (None, record.start_time)
            else _one_hour_after(record.start_time),
            "timezone": zone,
            "location": location,
            "attendance_mode": mode,
            "conference_url": conference_url,
            "conference_url_notes": conference_url_notes,
            "conference_phone": record.conference_phone[:100],
            "conference_phone_notes": record.conference_phone_notes,
            "unmapped_types": sorted(kept),
            "notes": record.notes,
            "group_notes": record.group_notes,
            "website": self._link(record, "website"),
            "url": self._link(record, "url"),
            "feedback_url": self._link(record, "feedback_url"),
            "venmo": record.venmo[:100],
            "paypal": record.paypal[:200],
            "square": record.square[:100],
            "world_id": record.world_id[:30],
        }
        return values, types, [c for c in record.contacts if c.name or c.email or c.phone]

    def _join_link(self, record: MeetingRecord, mode: str) -> tuple[str, str]:
        """(join link, join notes): a join link that cannot be a link stays readable in the notes.

        The attendance was read from the feed's own text, as before, so a meeting is never skipped or
        made in-person because its link is unusable; the report says when that leaves nothing to join with.
        """
        notes = record.conference_url_notes
        stranded = mode in Meeting.ONLINE_MODES and not record.conference_phone
        kept = ", kept in the join notes" + (" (there is no other link or phone to join online)" if stranded else "")
        link = self._link(record, "conference_url", kept)
        text = record.conference_url.strip()
        if text and not link and text not in notes:
            notes = f"{notes}\nJoin: {text}" if notes else f"Join: {text}"
        return link, notes

    def _link(self, record: MeetingRecord, name: str, kept: str = "") -> str:
        """The web address to store in the URL field ``name``; a refused one is reported with its row."""
        text = getattr(record, name)
        read = read_web_address(text, LINK_LENGTHS[name])
        if read.added_https:
            self.report.https_added[LINK_FIELDS[name]] += 1
        if read.problem:
            text = text.strip()
            shown = text if len(text) <= SHOWN_LINK_LENGTH else text[: SHOWN_LINK_LENGTH - 1] + "…"
            self.report.web_addresses.append(
                f'row {record.row} ({record.name}): {LINK_FIELDS[name]} "{shown}" {read.problem}{kept}'
            )
        return read.value

    def _zone(self, record: MeetingRecord, location: Location | None) -> str:
        for zone in (record.timezone, location.timezone if location else ""):
            if zone and self._valid_zone(zone):
                return zone
        self.report.default_timezone += 1
        return self.default_timezone

    def _valid_zone(self, zone: str) -> bool:
        if zone not in self.zones:
            try:
                validate_time_zone(zone)
                self.zones[zone] = True
            except Exception:
                self.zones[zone] = False
        return self.zones[zone]

    def _location(self, record: MeetingRecord) -> Location | None:
        place = record.location
        if place is None or not any(
            (place.name, place.address, place.formatted_address, place.postal_code, place.latitude is not None)
        ):
            return None
        key = _location_key(place)
        if key in self.locations:
            return self.locations[key]
        latitude, longitude, approximate = place.latitude, place.longitude, bool(place.approximate)
        # The place's own zone, else the meeting's: a venue is where its meetings are.
        zone = next((z for z in (place.timezone, record.timezone) if z and self._valid_zone(z)), "")
        if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            latitude = longitude = None
            centre = geocoding.zip_code_place(place.postal_code) if place.country in ("", "US") else None
            if centre:
                latitude, longitude, approximate = centre.latitude, centre.longitude, True
                self.report.placed_at_postal_code += 1
            else:
                self.report.needs_location.append(f"row {record.row} ({record.name})")
        if not zone:
            centre = geocoding.zip_code_place(place.postal_code) if place.country in ("", "US") else None
            zone = centre.timezone if centre else ""
        if not zone and latitude is not None:
            # Rounded to ~10 km, so one lookup serves a town's venues; zone borders are rarely closer.
            zone = geocoding.zone_near(round(latitude, 1), round(longitude, 1))
        location = Location(
            name=place.name[:200],
            address=place.address[:200],
            city=place.city[:100],
            state=place.state[:100],
            postal_code=place.postal_code[:20],
            country=geocoding.country_code(place.country),
            formatted_address=place.formatted_address[:300],
            region=place.region[:100],
            sub_region=place.sub_region[:100],
            latitude=latitude,
            longitude=longitude,
            timezone=zone,
            approximate=approximate,
            notes=place.notes,
        )
        self.locations[key] = location
        self.new_locations.append(location)
        return location

    def _save_locations(self, meetings: list[Meeting]) -> None:
        """Create the new venues in bulk, then point the meetings at their saved rows."""
        Location.objects.bulk_create(self.new_locations, batch_size=BATCH_SIZE)
        history.record(self.new_locations, created=True, **self.history)
        for meeting in meetings:
            if meeting.location is not None:
                meeting.location_id = meeting.location.pk

    def _remember_locations(self, meetings) -> None:
        for meeting in meetings:
            location = meeting.location
            if location is not None:
                key = _stored_location_key(location)
                self.locations.setdefault(key, location)
                if location.approximate or location.latitude is None:
                    # It may have come without coordinates (placed at its ZIP code, or unplaced).
                    self.locations.setdefault((*key[:2], None, None), location)

    # Writing.

    def _apply(self, meeting: Meeting, values: dict, types: list[MeetingType], contacts: list[ContactRecord]):
        changed_fields = [
            name for name, value in values.items() if name != "location" and getattr(meeting, name) != value
        ]
        location = values["location"]
        if (location.pk if location else None) != meeting.location_id or (location and location.pk is None):
            changed_fields.append("location")
        was_removed = meeting.status == Meeting.Status.REMOVED
        new_types = {t.pk for t in types} != {t.pk for t in meeting.stored_types}
        new_contacts = [(c.name, c.email, c.phone) for c in contacts] != [
            (c.name, c.email, c.phone) for c in meeting.stored_contacts
        ]
        if not (changed_fields or was_removed or new_types or new_contacts):
            return None
        for name in changed_fields:
            setattr(meeting, name, values[name])
        if was_removed:
            meeting.status = Meeting.Status.PUBLISHED
        return meeting, types if new_types else None, contacts if new_contacts else None

    def _create(self, planned: list) -> None:
        for batch in _batches(planned):
            meetings = Meeting.objects.bulk_create([meeting for meeting, _, _ in batch], batch_size=BATCH_SIZE)
            Through = Meeting.types.through
            Through.objects.bulk_create(
                [
                    Through(meeting_id=m.pk, meetingtype_id=t.pk)
                    for m, (_, types, _) in zip(meetings, batch, strict=True)
                    for t in types
                ],
                batch_size=BATCH_SIZE,
            )
            Contact.objects.bulk_create(
                [Contact(meeting=m, name=c.name[:200], email=c.email[:254], phone=c.phone[:50])
                 for m, (_, _, contacts) in zip(meetings, batch, strict=True) for c in contacts],
                batch_size=BATCH_SIZE,
            )  # fmt: skip
            history.record(meetings, created=True, **self.history)  # after the types, which it copies
            self.report.created += len(meetings)

    def _update(self, planned: list) -> None:
        now = timezone.now()
        for batch in _batches(planned):
            meetings = [meeting for meeting, _, _ in batch]
            for meeting in meetings:
                meeting.updated_at = now
            Meeting.objects.bulk_update(meetings, [*SYNCED_FIELDS, "status", "updated_at"], batch_size=BATCH_SIZE)
            retyped = [(m, types) for m, types, _ in batch if types is not None]
            Through = Meeting.types.through
            Through.objects.filter(meeting_id__in=[m.pk for m, _ in retyped]).delete()
            Through.objects.bulk_create(
                [Through(meeting_id=m.pk, meetingtype_id=t.pk) for m, types in retyped for t in types],
                batch_size=BATCH_SIZE,
            )
            recontacted = [(m, contacts) for m, _, contacts in batch if contacts is not None]
            # Consent belongs to a person; a changed contact list starts without it.
            Contact.objects.filter(meeting_id__in=[m.pk for m, _ in recontacted]).delete()
            Contact.objects.bulk_create(
                [Contact(meeting=m, name=c.name[:200], email=c.email[:254], phone=c.phone[:50])
                 for m, contacts in recontacted for c in contacts],
                batch_size=BATCH_SIZE,
            )  # fmt: skip
            history.record(meetings, created=False, **self.history)
            self.report.updated += len(meetings)

    def _deactivate(self, existing: dict[str, Meeting], seen: set[str]) -> None:
        gone = [m for key, m in existing.items() if key not in seen and m.status != Meeting.Status.REMOVED]
        now = timezone.now()
        for batch in _batches(gone):
            for meeting in batch:
                meeting.status, meeting.updated_at = Meeting.Status.REMOVED, now
            Meeting.objects.bulk_update(batch, ["status", "updated_at"], batch_size=BATCH_SIZE)
            history.record(batch, created=False, **self.history)
        self.report.deactivated = [f"{m.name} ({m.feed_key})" for m in gone]

    def _new_slug(self, record: MeetingRecord) -> str:
        base = slugify(f"{self.slug_prefix}-{record.slug or record.name}")[:180] or self.slug_prefix
        slug, number = base, 1
        while slug in self.taken_slugs:
            number += 1
            slug = f"{base}-{number}"
        self.taken_slugs.add(slug)
        return slug


def _attendance(record: MeetingRecord, codes: list[str], location: Location | None) -> str:
    """TSML's rules: a join link or phone makes a meeting online; with a precise address and no TC, hybrid."""
    upper = {code.upper() for code in codes}
    closed = TEMPORARILY_CLOSED_CODE in upper
    online = bool(record.conference_url or record.conference_phone) or ONLINE_CODE in upper
    if online:
        precise = location is not None and not location.approximate and _has_street_address(record.location)
        return Meeting.Attendance.HYBRID if precise and not closed else Meeting.Attendance.ONLINE
    if closed:
        return Meeting.Attendance.INACTIVE
    return Meeting.Attendance.IN_PERSON


def _has_street_address(place: LocationRecord | None) -> bool:
    """A precise place: the source says it is not approximate, or names a street address (a number first)."""
    if place is None:
        return False
    if place.approximate is False or place.address:
        return True
    return bool(re.match(r"\s*\d+\w*\s+\S", place.formatted_address.split(",")[0]))


def _location_key(place: LocationRecord) -> tuple:
    return (
        place.name.strip().lower(),
        (place.formatted_address or " ".join((place.address, place.city, place.state, place.postal_code)))
        .strip()
        .lower(),
        None if place.latitude is None else round(place.latitude, 6),
        None if place.longitude is None else round(place.longitude, 6),
    )


def _stored_location_key(location: Location) -> tuple:
    address = location.formatted_address or " ".join(
        (location.address, location.city, location.state, location.postal_code)
    )
    return (
        location.name.strip().lower(),
        address.strip().lower(),
        None if location.latitude is None else round(location.latitude, 6),
        None if location.longitude is None else round(location.longitude, 6),
    )


def _one_hour_after(start: dt.time) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(hours=1)).time()


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]
