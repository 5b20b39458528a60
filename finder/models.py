"""Tables of the site itself, not of the directory: request counts for rate limits (finder/rates.py)."""

from django.db import models


class RateCount(models.Model):
    """How many requests one client made in one window of one rate limit.

    ``key`` is a keyed hash (HMAC with SECRET_KEY) of the limit, the window and the client's address, so
    the address is never stored and one window's row cannot be linked to the next one's.
    """

    key = models.CharField(max_length=64, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.FloatField(db_index=True, help_text="Unix time at which the window closes.")

    def __str__(self) -> str:
        return f"{self.count} until {self.expires:.0f}"
