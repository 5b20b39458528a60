from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from groups.loading import DEFAULT_PATH, load_organizations_file


class Command(BaseCommand):
    help = "Load (or refresh) the organization directory and its sources from fixtures/organizations.json."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)

    def handle(self, *args, path: Path, **options):
        try:
            report = load_organizations_file(path)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {report}."))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
