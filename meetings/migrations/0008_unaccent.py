"""PostgreSQL's unaccent extension, so that "recuperacion" finds "Recuperación" (does nothing on SQLite).

unaccent is a trusted extension (PostgreSQL 13+): a database's owner may create it without superuser rights.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_change_reports")]

    operations = [UnaccentExtension()]
