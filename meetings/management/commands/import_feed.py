import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from groups.models import Organization
from meetings.feeds.records import FeedError
from meetings.fetching import SourceError, read_source
from meetings.importing import FeedImportError
from meetings.models import Feed
from meetings.sources import FORMATS, import_source


class Command(BaseCommand):
    help = (
        "Import (sync) meetings from a Meeting Guide JSON feed, a BMLT GetSearchResults answer or a TSML CSV file, "
        "given as a file path or an http(s) URL. Importing the same feed again updates it; meetings gone from it "
        "are deactivated."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="File path or URL of the feed.")
        parser.add_argument("--organization", required=True, help="Slug of the organization the meetings belong to.")
        parser.add_argument("--format", default=Feed.Format.MEETING_GUIDE, choices=list(FORMATS))
        parser.add_argument("--name", help="The feed's name (default: the source). Re-imports match on it.")
        parser.add_argument("--formats", help="BMLT only: GetFormats JSON (file or URL) for the format names.")
        parser.add_argument("--timezone", default="", help="Zone for meetings whose feed and place name none.")

    def handle(self, *args, source, organization, format, name, formats, timezone, **options):
        try:
            org = Organization.objects.get(slug=organization)
        except Organization.DoesNotExist:
            raise CommandError(f"No organization with the slug {organization!r}.") from None
        feed, _ = Feed.objects.get_or_create(
            organization=org, name=(name or source)[:200], defaults={"format": format, "url": source[:500]}
        )
        if feed.format != format:
            raise CommandError(f"The feed {feed.name!r} was imported as {feed.format}; use --format {feed.format}.")
        started = time.monotonic()
        try:
            data = read_source(source)
            format_data = read_source(formats) if formats else None
            report = import_source(feed, data, formats=format_data, default_timezone=timezone, progress=self._progress)
        except (SourceError, FeedError, FeedImportError, ValidationError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from None
        self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Imported {feed.name} in {time.monotonic() - started:.1f} s."))
        for line in report.lines():
            self.stdout.write(line)

    def _progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\r{done:,} / {total:,} meetings", ending="")
        elif done == total or done % 50_000 == 0:
            self.stderr.write(f"{done:,} / {total:,} meetings")
