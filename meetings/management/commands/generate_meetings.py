import time

from django.core.management.base import BaseCommand, CommandError

from meetings.generate import delete_generated, generate_meetings


class Command(BaseCommand):
    help = (
        "Add N generated meetings for benchmarks (marked is_generated, named “Generated meeting …”, never real). "
        "Needs the organizations, meeting types and places loaded first."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many meetings to add (0 with --replace only deletes).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same meetings (default 1).")
        parser.add_argument("--replace", action="store_true", help="Delete the generated meetings first.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows written per batch (default 5000).")

    def handle(self, *args, count: int, seed: int, replace: bool, batch_size: int, **options):
        started = time.perf_counter()
        try:
            if replace:
                removed = delete_generated(batch_size=batch_size)
                self.stdout.write(f"Deleted {removed} generated meetings in {time.perf_counter() - started:.1f} s.")
                started = time.perf_counter()
            made = generate_meetings(count, seed=seed, batch_size=batch_size)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Made {made} generated meetings in {elapsed:.1f} s (seed {seed})."))
