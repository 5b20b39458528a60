import re

import pytest
from django.db import connections

from finder import rates
from finder.models import RateCount

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
START = 1_800_000_000  # a whole hour (and minute) in Unix time


def test_it_counts_each_clients_requests_in_the_current_window():
    counts = [rates.count_request("api", ADDRESS, 60, now=START + second).requests for second in (0, 10, 59)]
    assert counts == [1, 2, 3]
    assert rates.count_request("api", "198.51.100.5", 60, now=START + 30).requests == 1


def test_a_new_window_starts_a_new_count():
    rates.count_request("api", ADDRESS, 60, now=START + 59)
    assert rates.count_request("api", ADDRESS, 60, now=START + 60).requests == 1


def test_limits_count_apart_even_for_the_same_client():
    rates.count_request("api", ADDRESS, 60, now=START)
    assert rates.count_request("change-report", ADDRESS, 60, now=START).requests == 1
    assert rates.count_request("api", ADDRESS, 3600, now=START).requests == 1


def test_a_client_is_told_how_long_until_the_window_ends():
    count = rates.count_request("api", ADDRESS, 60, now=START + 45)
    assert count.window_ends == START + 60
    assert count.wait(START + 45) == 15
    assert count.wait(START + 61) == 0


def test_the_stored_key_is_a_hash_that_is_new_every_window_and_never_the_address():
    rates.count_request("api", ADDRESS, 60, now=START)
    rates.count_request("api", ADDRESS, 60, now=START + 60)
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all(re.fullmatch("[0-9a-f]{64}", key) for key in keys)


def test_the_key_depends_on_the_secret_key(settings):
    rates.count_request("api", ADDRESS, 60, now=START)
    settings.SECRET_KEY = "another-secret-key-of-fifty-characters-or-more-0123456789"
    rates.count_request("api", ADDRESS, 60, now=START)
    assert RateCount.objects.count() == 2


def test_counting_is_one_statement(django_assert_num_queries):
    rates.count_request("api", ADDRESS, 60, now=START)
    with django_assert_num_queries(1):
        assert rates.count_request("api", ADDRESS, 60, now=START + 1).requests == 2


def test_the_first_count_a_minute_deletes_the_windows_that_have_ended(monkeypatch):
    rates.count_request("api", ADDRESS, 60, now=START)
    rates.count_request("api", ADDRESS, 3600, now=START)
    monkeypatch.setitem(rates._last_sweep, "at", START + 1)
    rates.count_request("api", "198.51.100.5", 60, now=START + 90)  # a minute and a half later
    assert sorted(RateCount.objects.values_list("count", "expires")) == [(1, START + 120), (1, START + 3600)]
    # The next sweep waits for another minute.
    rates.count_request("api", ADDRESS, 60, now=START + 120)
    assert RateCount.objects.count() == 3


def test_it_counts_alike_where_the_database_cannot_return_the_count_from_the_upsert(monkeypatch):
    # SQLite before 3.35 (Django 5.2 accepts 3.31): no RETURNING.
    features = connections["default"].features
    monkeypatch.setattr(features, "can_return_columns_from_insert", False)
    counts = [rates.count_request("api", ADDRESS, 60, now=START + second).requests for second in (0, 1, 2)]
    assert counts == [1, 2, 3]


def test_requests_are_not_wrapped_in_a_transaction(settings):
    # Inside one, a count would lock its row until the request ends, and a refused request's count
    # would be rolled back with the request's error.
    assert not settings.DATABASES["default"].get("ATOMIC_REQUESTS")


def test_a_slot_is_free_until_the_client_has_used_its_share_then_waits_for_the_window_to_end(monkeypatch):
    monkeypatch.setattr(rates.time, "time", lambda: START + 45.5)
    waits = [rates.take_slot("finder", ADDRESS, 2, 60) for _ in range(3)]
    assert waits == [0.0, 0.0, 14.5]


def test_a_limit_of_zero_refuses_nothing_and_counts_nothing():
    assert [rates.take_slot("finder", ADDRESS, 0, 60) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert not RateCount.objects.exists()
