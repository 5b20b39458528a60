"""Rate limits shared by every worker: how many requests a client made in the current window.

One statement per request, an upsert into ``RateCount`` (finder/models.py). Not Django's cache: the
database cache, our default, takes six statements and a write transaction per count, and forgets entries
beyond 300 (counts, and the login lockouts kept there with them).

A row's key is an HMAC, keyed with SECRET_KEY, of the limit's name, the window and the client's address:
the address is never stored, and one window's row cannot be linked to the next one's. Windows are fixed
(each minute, or each hour, from the Unix epoch), so a client may send up to twice its share across a
window's end; that is the usual price of counting with one row.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connections, router, transaction

from finder.models import RateCount

# Expired rows are deleted by whichever request first counts after this many seconds (per process).
SWEEP_SECONDS = 60
_last_sweep = {"at": 0.0}


@dataclass(frozen=True)
class Count:
    """A client's requests in the current window, this one included."""

    requests: int
    window_ends: float  # Unix time

    def wait(self, now: float) -> float:
        """Seconds until the window ends and the client may ask again."""
        return max(0.0, self.window_ends - now)


def count_request(limit: str, client: str, seconds: int, *, now: float | None = None) -> Count:
    """Count one request from ``client`` (an address) against ``limit`` (its name), in windows of ``seconds``."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    ends = float((window + 1) * seconds)
    key = _key(limit, window, seconds, client)
    db = router.db_for_write(RateCount)
    connection = connections[db]
    statements = _statements(db)
    # Outside a transaction, as the API runs (no ATOMIC_REQUESTS): inside one, the row would stay locked,
    # and a refused request's count rolled back, until the request ends.
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(statements.upsert, [key, ends])
            (requests,) = cursor.fetchone()
        else:  # SQLite before 3.35 (Django 5.2 runs on 3.31): no RETURNING
            with transaction.atomic(using=db):
                cursor.execute(statements.upsert_only, [key, ends])
                cursor.execute(statements.count, [key])
                (requests,) = cursor.fetchone()
        if now - _last_sweep["at"] >= SWEEP_SECONDS:
            _last_sweep["at"] = now
            cursor.execute(statements.sweep, [now])
    return Count(requests, ends)


def take_slot(limit: str, client: str, allowed: int, seconds: int) -> float:
    """Count one request from ``client`` against ``limit``, ``allowed`` per window of ``seconds``: 0 while it is
    within them, else the seconds until the window ends. ``allowed`` 0 lifts the limit (nothing is counted)."""
    if not allowed:
        return 0.0
    now = time.time()
    count = count_request(limit, client, seconds, now=now)
    return count.wait(now) if count.requests > allowed else 0.0


def _key(limit: str, window: int, seconds: int, client: str) -> str:
    message = f"{limit}:{seconds}:{window}:{client}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class _Statements(NamedTuple):
    upsert: str  # returns the new count
    upsert_only: str  # where INSERT cannot return columns
    count: str
    sweep: str


@lru_cache(maxsize=4)
def _statements(db: str) -> _Statements:
    quote = connections[db].ops.quote_name
    meta = RateCount._meta
    table = quote(meta.db_table)
    key, count, expires = (quote(meta.get_field(name).column) for name in ("key", "count", "expires"))
    # The same text on PostgreSQL and SQLite: both read "count" in SET as the old row's.
    upsert = (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + 1"
    )
    return _Statements(
        upsert=f"{upsert} RETURNING {count}",
        upsert_only=upsert,
        count=f"SELECT {count} FROM {table} WHERE {key} = %s",
        sweep=f"DELETE FROM {table} WHERE {expires} <= %s",
    )
