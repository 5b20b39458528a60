import pytest
from django.core.management import call_command


@pytest.fixture(scope="module")
def site_data(django_db_setup, django_db_blocker):
    """The organizations, meeting types and demo meetings, loaded once per test module.

    Loaded outside the per-test transaction, so it is removed again at the end of the module.
    """
    with django_db_blocker.unblock():
        call_command("load_organizations", verbosity=0)
        call_command("load_meeting_types", verbosity=0)
        call_command("load_demo_meetings", verbosity=0)
        yield
        _empty_database()


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """Only the organizations and meeting types, loaded once per test module."""
    with django_db_blocker.unblock():
        call_command("load_organizations", verbosity=0)
        call_command("load_meeting_types", verbosity=0)
        yield
        _empty_database()


def _empty_database() -> None:
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True, scope="session")
def _shared_cache_in_memory():
    """Login lockouts are kept in memory here, as with Redis; ``_fresh_cache`` empties them for each test."""
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(_shared_cache_in_memory):
    """Each test starts with empty caches (the zones in use, geocoder answers, lockouts…)."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["shared"].clear()


@pytest.fixture(autouse=True)
def _no_sweep_of_rate_counts(monkeypatch):
    """Expired rate counts are deleted by the first request a minute in each process (finder/rates.py):
    not during a test (unless it asks), whose pinned query counts would then depend on the clock."""
    from finder import rates

    monkeypatch.setitem(rates._last_sweep, "at", float("inf"))


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request's language stays active in the thread after it (LocaleMiddleware never switches back):
    the next test, calling code without a request, would otherwise read Spanish."""
    yield
    from django.utils import translation

    translation.deactivate()
