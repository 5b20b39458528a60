from django.core.management.base import BaseCommand, CommandError

from meetings.demo import create_demo_meetings


class Command(BaseCommand):
    help = "Replace the labelled demo meetings (sample data, never real meetings)."

    def add_arguments(self, parser):
        parser.add_argument("--per-city", type=int, default=18)
        parser.add_argument("--online", type=int, default=40)

    def handle(self, *args, per_city: int, online: int, **options):
        try:
            made = create_demo_meetings(per_city=per_city, online=online)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Made {made} demo meetings (marked as sample data)."))
