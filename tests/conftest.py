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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the zones in use, geocoder answers…)."""
    from django.core.cache import cache

    cache.clear()
