from django.core.management.base import BaseCommand, CommandError

from meetings.curation import CURATOR_GROUP, CURATOR_PERMISSIONS, setup_curator_group


class Command(BaseCommand):
    help = (
        f"Create or update the {CURATOR_GROUP!r} group with exactly the permissions curators need. "
        "Safe to run again; saving a curator in the admin also does it."
    )

    def handle(self, *args, **options):
        try:
            group = setup_curator_group()
        except LookupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{group.name}: {len(CURATOR_PERMISSIONS)} permissions.")
