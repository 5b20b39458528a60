"""Plain records every feed format parses into and renders from; no database here.

A parser turns one source into a ``ParsedFeed``: the meetings it could read, each with the
row it came from, and the rows it had to skip with the reason. ``meetings.importing`` then
compares the records with the database.
"""

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class LocationRecord:
    name: str = ""  # the venue ("location" in the Meeting Guide feed)
    address: str = ""  # street address
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166 alpha-2 when known
    formatted_address: str = ""
    region: str = ""
    sub_region: str = ""
    latitude: float | None = None
    longitude: float | None = None
    timezone: str = ""
    approximate: bool | None = None  # None: the source does not say
    notes: str = ""


@dataclass
class ContactRecord:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class MeetingRecord:
    row: int  # 1-based position in the source, for reports
    key: str  # the meeting's id (or slug) in its source: what makes a re-import an update
    name: str
    day: int | None  # 0 = Sunday … 6 = Saturday, already converted from the source's convention
    start_time: dt.time | None
    end_time: dt.time | None = None
    slug: str = ""
    timezone: str = ""
    types: list[str] = field(default_factory=list)  # codes as the source gives them (stripped, upper-cased)
    attendance: str = ""  # in_person/online/hybrid/inactive when the source states it; else derived on import
    conference_url: str = ""
    conference_url_notes: str = ""
    conference_phone: str = ""
    conference_phone_notes: str = ""
    notes: str = ""  # plain text: HTML is stripped by the parser
    group_name: str = ""
    group_notes: str = ""
    website: str = ""
    url: str = ""
    feedback_url: str = ""
    venmo: str = ""
    paypal: str = ""
    square: str = ""
    world_id: str = ""
    updated: dt.datetime | None = None
    location: LocationRecord | None = None
    contacts: list[ContactRecord] = field(default_factory=list)


@dataclass
class SkippedRow:
    row: int
    reason: str
    key: str = ""

    def __str__(self) -> str:
        return f"row {self.row}{f' ({self.key})' if self.key else ''}: {self.reason}"


@dataclass
class ParsedFeed:
    records: list[MeetingRecord] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)


class FeedError(ValueError):
    """The whole source is unusable (not JSON, not a list…); the message says why, in plain words."""
