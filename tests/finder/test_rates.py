import pytest

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
    assert all(len(key) == 64 and ADDRESS not in key and "203" not in key for key in keys)


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
