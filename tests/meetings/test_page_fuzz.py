"""The finder's pages fuzzed with generated query strings: a message or a redirect, never a 500.

The API has its schema to be fuzzed from (test_api_fuzz.py); the pages take the same parameters and a few of
their own (ticks, a handout's meetings), typed by people and mangled by copy and paste.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

NAMES = [
    "near", "lat", "lng", "distance", "units", "tz", "day", "time", "start_after", "start_before", "soon", "now",
    "type", "organization", "kind", "attendance", "language", "q", "page", "m", "gone", "format", "dya",
]  # fmt: skip
# Values near the edges of what each parameter takes, and text no parameter takes.
TYPICAL = [
    "", " ", "19103", "19103 tonight", "tonight", "near me", "Springfield", "Filadelfia, Pensilvania", "0", "-1",
    "1e309", "nan", "90.0001", "39.95,-75.16", "25", "km", "MI", "today", "Tomorrow", "7", "evening", "23:59",
    "24:00", "9pm", "true", "no", "W", "w", "smart-recovery", "family", "online", "S", "es", "Etc/Unknown",
    "America/New_York", "mujeres", "zzzzzzzzzzzzz", "%", "\x00", "\u200b19103", "١٩١٠٣", "a" * 250,
]  # fmt: skip
values = st.one_of(st.sampled_from(TYPICAL), st.text(max_size=40))
queries = st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=8)
PATHS = ["/", "/meetings/feed.json", "/meetings/calendar.ics", "/referral/", "/api/v1/meetings/"]
ANSWERS = {200, 302, 400, 404, 410}


@pytest.fixture
def no_limits(settings, monkeypatch):
    """Every example searches: no limit per client (set once, not once per example). DRF's views read their
    throttles when imported, so the API's are taken off the views themselves."""
    settings.FEED_DOWNLOADS_PER_HOUR = settings.FINDER_SEARCHES_PER_MINUTE = 0
    monkeypatch.setattr(APIView, "throttle_classes", [])


@given(path=st.sampled_from(PATHS), query=queries, partial=st.booleans())
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_query_string_makes_a_page_fail(client, finder_meetings, no_limits, path, query, partial):
    headers = {"X-Finder-Partial": "1"} if partial else {}
    response = client.get(path, query, headers=headers)
    assert response.status_code in ANSWERS, (path, query, response.status_code)
