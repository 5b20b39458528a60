"""In a real browser: no request leaves for another site, and the Content Security Policy blocks nothing of ours."""

import pytest
from django.core.management import call_command

from meetings.models import Meeting
from tests.factories import make_location, make_meeting


@pytest.fixture
def site(transactional_db, django_user_model):
    call_command("load_organizations", verbosity=0)
    call_command("load_meeting_types", verbosity=0)
    hall = make_location(name="Center City Church", latitude=39.9526, longitude=-75.1635)
    make_meeting(name="Tuesday Women", slug="tuesday-women", location=hall, day=2)
    make_meeting(
        name="Online", slug="online", attendance_mode=Meeting.Attendance.ONLINE, conference_url="https://example.org/j"
    )
    django_user_model.objects.create_superuser("admin", "admin@example.org", "a-long-test-password-1")


PAGES = [
    "/",
    "/?near=19107&distance=25",
    "/meetings/tuesday-women/",
    "/referral/?m=tuesday-women&m=online",
    "/organizations/",
    "/organizations/smart-recovery/",
    "/organizations/compare/?o=smart-recovery&o=alcoholics-anonymous",
    "/guides/research/",
    "/api/docs/",
    # The browsable API (a browser asks for HTML).
    "/api/v1/meetings/?near=19107",
    "/api/v1/types/",
]


def test_public_pages_request_nothing_from_other_sites_and_break_no_policy(page, live_server, site):
    origin = live_server.url
    elsewhere: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith((origin, "data:")) else elsewhere.append(request.url)
    )
    for path in PAGES:
        response = page.goto(origin + path)
        assert response.ok, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "same-origin"
        page.wait_for_load_state("networkidle")
    assert elsewhere == []


def test_the_api_docs_render_under_the_policy(page, live_server, site):
    page.goto(live_server.url + "/api/docs/")
    page.get_by_text("/api/v1/meetings/").first.wait_for()


def test_the_admin_works_under_the_policy(page, live_server, site):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/meetings/meeting/")
    page.get_by_role("link", name="Tuesday Women").click()
    page.get_by_text("At a glance").wait_for()
