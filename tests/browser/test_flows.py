"""The finder's and the directory's flows in a real browser, on one server and one data load for the module.

Searching by ZIP code, "Use my location" and the referral handout are in test_finder.py.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.management import call_command

from groups.models import Organization
from meetings.models import Meeting, MeetingType
from tests.browser.conftest import serve
from tests.factories import make_curator, make_location, make_meeting

pytestmark = pytest.mark.django_db  # a test database (see serve)

CURATOR_PASSWORD = "a-long-test-password-1"
SOON_ZONE = "America/Los_Angeles"  # not the visitor's zone, so the page also shows the visitor's time


def _in(minutes: int, zone: str) -> dict:
    """day and start_time for a weekly meeting starting ``minutes`` from now, in its own zone, at any hour."""
    start = dt.datetime.now(ZoneInfo(zone)) + dt.timedelta(minutes=minutes)
    return {"day": start.isoweekday() % 7, "start_time": start.time().replace(second=0, microsecond=0)}


def _load() -> None:
    call_command("load_organizations", verbosity=0)
    call_command("load_meeting_types", verbosity=0)
    aa = Organization.objects.get(slug="alcoholics-anonymous")
    wfs = Organization.objects.get(slug="women-for-sobriety")
    smart = Organization.objects.get(slug="smart-recovery")
    chicago = {"timezone": "America/Chicago"}
    church = make_location(
        name="First Church", formatted_address="1 Capitol Ave, Springfield, IL 62701, USA", city="Springfield",
        latitude=39.7990, longitude=-89.6440, **chicago,
    )  # fmt: skip
    serenity = make_meeting(
        organization=aa, name="Springfield Serenity", slug="springfield-serenity", location=church, day=3,
        start_time=dt.time(19, 30), **chicago,
    )  # fmt: skip
    serenity.types.set(MeetingType.objects.filter(code__in=["O", "D"]))
    women = make_meeting(
        organization=wfs, name="Capital City Women", slug="capital-city-women", location=church, day=6,
        start_time=dt.time(10, 0), **chicago,
    )  # fmt: skip
    women.types.set(MeetingType.objects.filter(code="W"))
    make_meeting(
        organization=aa, name="Pioneer Valley Group", slug="pioneer-valley-group", day=3,
        location=make_location(name="Valley Hall", city="Springfield", latitude=42.1029, longitude=-72.5887),
    )  # fmt: skip
    make_meeting(
        organization=smart, name="Starting Soon Online", slug="starting-soon-online", timezone=SOON_ZONE,
        attendance_mode=Meeting.Attendance.ONLINE, conference_url="https://example.org/j/soon", **_in(20, SOON_ZONE),
    )  # fmt: skip
    make_meeting(
        organization=smart, name="Later Online", slug="later-online", timezone=SOON_ZONE,
        attendance_mode=Meeting.Attendance.ONLINE, conference_url="https://example.org/j/later", **_in(180, SOON_ZONE),
    )  # fmt: skip
    # For the curator: two AA meetings in Denver, far from the searches above.
    denver = make_location(
        name="Union Station Room", formatted_address="1701 Wynkoop St, Denver, CO 80202, USA", city="Denver",
        state="CO", country="US", latitude=39.7527, longitude=-104.9997, timezone="America/Denver",
    )  # fmt: skip
    for name, day in [("Denver Nooners", 1), ("Denver Step Study", 6)]:
        make_meeting(
            organization=aa, name=name, slug=name.lower().replace(" ", "-"), location=denver, day=day,
            start_time=dt.time(12, 0), timezone="America/Denver",
        )  # fmt: skip
    make_curator("aa-curator", aa, password=CURATOR_PASSWORD)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with serve(django_db_blocker, _load) as url:
        yield url


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


def names(page) -> list[str]:
    """The names shown; each link also says its day and time, to screen readers only."""
    return page.locator("li.meeting h3 a").evaluate_all("links => links.map((a) => a.firstChild.textContent.trim())")


def test_a_person_searches_by_city_and_state(page, site):
    page.goto(site + "/")
    page.get_by_label("ZIP code, city, or coordinates").fill("Springfield, IL")
    page.get_by_role("button", name="Search").click()

    page.locator(".count").filter(has_text="of Springfield, IL").wait_for()
    assert "near=Springfield%2C+IL" in page.url
    # Springfield, MA has a meeting too, 900 miles away.
    assert sorted(names(page)) == ["Capital City Women", "Springfield Serenity"]
    assert all(float(d.split()[0]) <= 10 for d in page.locator(".distance").all_inner_texts())
    assert "Meetings near Springfield, IL" in page.title()


def test_a_person_narrows_the_results_by_day_type_and_attendance(page, site):
    page.goto(site + "/?near=Springfield%2C+IL")
    count = page.locator(".count")

    page.get_by_label("Saturday", exact=True).check()  # ticking searches at once, without a reload
    count.filter(has_text="1 meeting within").wait_for()
    assert names(page) == ["Capital City Women"] and "day=6" in page.url
    page.get_by_label("Saturday", exact=True).uncheck()
    count.filter(has_text="2 meetings within").wait_for()

    page.locator("summary", has_text="More filters").click()
    page.get_by_text("Meeting types").click()
    page.get_by_label("Discussion", exact=True).check()
    count.filter(has_text="1 meeting within").wait_for()
    assert names(page) == ["Springfield Serenity"] and "type=D" in page.url
    page.get_by_label("Discussion", exact=True).uncheck()
    count.filter(has_text="2 meetings within").wait_for()

    page.get_by_label("Online", exact=True).check()  # online meetings are anywhere: the distance no longer counts
    count.filter(has_text="2 meetings, soonest first").wait_for()
    assert sorted(names(page)) == ["Later Online", "Starting Soon Online"]
    assert "attendance=online" in page.url

    page.go_back()  # Back shows the previous results and puts the form back as it was
    count.filter(has_text="2 meetings within").wait_for()
    assert not page.get_by_label("Online", exact=True).is_checked()


def test_a_person_finds_online_meetings_starting_soon(page, site):
    page.goto(site + "/")
    page.locator("summary", has_text="More filters").click()
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Starting in the next hour").check()

    page.locator(".count").filter(has_text="1 meeting,").wait_for()
    meeting = page.locator("li.meeting")
    assert meeting.locator("h3").inner_text().startswith("Starting Soon Online\n, ")  # then its day and time
    assert 0 < int(re.search(r"Starts in (\d+) min", meeting.inner_text())[1]) <= 20
    # Shown in the meeting's zone and in the visitor's (the browser is in New York).
    assert SOON_ZONE in meeting.inner_text() and "your time" in meeting.inner_text()
    assert "soon=true" in page.url


def test_a_person_opens_a_meeting_and_adds_it_to_their_calendar(page, site):
    page.goto(site + "/?near=62701")
    page.get_by_role("link", name="Springfield Serenity").click()
    page.wait_for_url("**/meetings/springfield-serenity/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Springfield Serenity")
    # The page opens with focus on its main content, as after the skip link: the next Tab is inside the meeting.
    assert page.evaluate("document.activeElement.id") == "main"
    facts = page.locator(".facts").inner_text()
    assert "Every Wednesday" in facts and "7:30 PM" in facts and "America/Chicago" in facts

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "springfield-serenity.ics"
    calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Springfield Serenity")
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    start = event.decoded("DTSTART")  # the weekly rule repeats on its weekday
    assert start.strftime("%A %H:%M") == "Wednesday 19:30" and start.tzinfo.key == "America/Chicago"


def test_a_person_goes_from_the_directory_to_a_fact_sheet_and_compares_two_organizations(page, site):
    page.goto(site + "/organizations/")
    page.get_by_label("Secular", exact=True).check()
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="SMART Recovery", exact=True).click()
    page.wait_for_url("**/organizations/smart-recovery/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("SMART Recovery")
    assert page.locator(".sources li").count() > 0  # every fact names its source document

    page.get_by_role("link", name="Compare with other organizations").click()
    page.get_by_label("Women for Sobriety", exact=True).check()
    page.get_by_role("button", name="Compare", exact=True).click()
    table = page.locator("table.compare")
    assert sorted(table.locator("thead th").all_inner_texts()) == ["SMART Recovery", "Women for Sobriety"]
    assert "o=smart-recovery" in page.url and "o=women-for-sobriety" in page.url


def log_in_as_the_curator(page, site) -> None:
    page.goto(site + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("aa-curator")
    page.get_by_label("Password").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/admin/")


def test_a_curator_changes_a_meetings_time_in_the_admin(page, site):
    log_in_as_the_curator(page, site)
    page.goto(site + "/admin/meetings/meeting/")
    listed = page.locator("#result_list").inner_text()
    assert "Denver Nooners" in listed and "Starting Soon Online" not in listed  # only AA's meetings

    page.get_by_role("link", name="Denver Nooners").click()
    page.locator("#id_start_time").fill("12:30")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist").filter(has_text="was changed successfully").wait_for()

    page.goto(site + "/meetings/denver-nooners/")
    assert "12:30 PM" in page.locator(".facts").inner_text()


def test_a_visitor_reports_a_wrong_time_and_a_curator_applies_it(browser, page, site):
    page.goto(site + "/meetings/denver-step-study/")
    page.get_by_role("link", name="Report a problem with this listing").click()
    page.get_by_label("Wrong day or time").check()
    page.get_by_label("The right start time").fill("09:30")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_role("heading", name="Thank you for your report").wait_for()

    context = browser.new_context()  # the curator, elsewhere
    try:
        curator = context.new_page()
        curator.set_default_timeout(10_000)
        log_in_as_the_curator(curator, site)
        curator.goto(site + "/admin/meetings/changereport/")
        curator.locator("#result_list tbody").get_by_role("link").first.click()
        comparison = curator.get_by_role("table", name="The listing now, and what the report suggests")
        assert "09:30" in comparison.inner_text() and "12:00" in comparison.inner_text()
        curator.get_by_role("button", name="Apply suggested change").click()
        curator.locator(".messagelist").wait_for()
    finally:
        context.close()

    page.goto(site + "/meetings/denver-step-study/")
    assert "9:30 AM" in page.locator(".facts").inner_text()
