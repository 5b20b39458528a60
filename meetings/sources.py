"""From a curator's source (file or URL, in a named format) to a finished import, for the command and the admin."""

from meetings.feeds import bmlt, meeting_guide
from meetings.feeds import csv as csv_feed
from meetings.feeds.records import FeedError, ParsedFeed
from meetings.importing import ImportReport, import_feed
from meetings.models import Feed, MeetingType

FORMATS = {
    Feed.Format.MEETING_GUIDE: "Meeting Guide JSON",
    Feed.Format.BMLT: "BMLT GetSearchResults JSON",
    Feed.Format.CSV: "CSV (TSML template)",
}


def type_names() -> dict[str, str]:
    """English type names to codes, for CSV files that spell types out."""
    return {name: code for code, name in MeetingType.objects.values_list("code", "name_en")}


def parse_source(data: bytes, format: str, formats: bytes | None = None) -> ParsedFeed:
    if format == Feed.Format.MEETING_GUIDE:
        return meeting_guide.parse(data)
    if format == Feed.Format.BMLT:
        return bmlt.parse(data, formats)
    if format == Feed.Format.CSV:
        return csv_feed.parse(data, type_names())
    raise FeedError(f"Unknown format {format!r}; use one of {', '.join(FORMATS)}.")


def import_source(
    feed: Feed,
    data: bytes,
    *,
    formats: bytes | None = None,
    default_timezone: str = "",
    progress=None,
    user=None,
) -> ImportReport:
    """Parse ``data`` in the feed's format and sync it; FeedError or FeedImportError say what was wrong.

    ``user``: who imports (from the admin), named in the history of what the import changes."""
    return import_feed(
        parse_source(data, feed.format, formats),
        feed,
        default_timezone=default_timezone,
        progress=progress,
        user=user,
    )
