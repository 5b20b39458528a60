from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.loading import DEFAULT_PATH, load_meeting_types_file


class Command(BaseCommand):
    help = "Load (or refresh) the meeting types, their facets and fellowship codes from fixtures/meeting_types.json."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)

    def handle(self, *args, path: Path, **options):
        try:
            report = load_meeting_types_file(path)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {report}."))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
