"""Real-browser tests: Playwright's Python package driving Debian's chromium (installed by .ci/run)."""

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed chromium")
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A blocked script or style shows up as a console error naming the Content Security Policy.
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


@contextlib.contextmanager
def serve(django_db_blocker, load: Callable[[], None]) -> Iterator[str]:
    """Load data once and serve it for a whole module; yields the server's URL.

    pytest-django's ``live_server`` makes every test transactional, which empties the database after each
    test; a module whose tests read, or each change only their own rows, can load once and share one server.
    The data is committed outside any test transaction and flushed at the end, as tests/conftest.py's
    ``site_data`` does.

    The module's tests must be marked ``django_db``: pytest-django creates the test database only when some
    collected test asks for one, and without it this would load into, then flush, the development database.
    """
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        if not ((connection.vendor == "sqlite" and connection.is_in_memory_db()) or "test" in Path(name).name):
            pytest.fail(f"refusing to load into {name}: mark the module's tests with pytest.mark.django_db")
        load()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()  # lets "localhost" through ALLOWED_HOSTS
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            # Not server.stop(): it also stops sharing SQLite's in-memory connection, and a request thread still
            # open (a browser's kept-alive connection) would then fail as it closes it. Waiting for those threads
            # could wait forever, so the connection simply stays shareable.
            server.thread.terminate()
            call_command("flush", interactive=False, verbosity=0)
