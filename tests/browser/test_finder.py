"""A person finds a meeting in a real browser: types a ZIP code, picks a day, opens a meeting."""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from groups.models import Organization
from meetings.models import Meeting, MeetingType
from tests.factories import make_location, make_meeting


@pytest.fixture
def meetings(transactional_db):
    call_command("load_organizations", verbosity=0)
    call_command("load_meeting_types", verbosity=0)
    aa = Organization.objects.get(slug="alcoholics-anonymous")
    smart = Organization.objects.get(slug="smart-recovery")
    hall = make_location(name="Center City Church", latitude=39.9526, longitude=-75.1635)
    tuesday = make_meeting(organization=aa, name="Tuesday Women", slug="tuesday-women", location=hall, day=2)
    tuesday.types.set([MeetingType.objects.get(code="W")])
    make_meeting(organization=smart, name="Thursday SMART", slug="thursday-smart", location=hall, day=4)
    make_meeting(
        organization=smart, name="Online SMART", slug="online-smart", day=2, start_time=dt.time(20, 0),
        attendance_mode=Meeting.Attendance.ONLINE, conference_url="https://example.org/j/1",
    )  # fmt: skip


def test_a_person_types_a_zip_code_picks_a_day_and_opens_a_meeting(page, live_server, meetings):
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code, city, or coordinates").fill("19107")
    page.get_by_label("Tuesday", exact=True).check()
    page.get_by_role("button", name="Search").click()

    count = page.locator(".count")
    count.filter(has_text="within 10 mi of Philadelphia, PA 19107").wait_for()
    assert count.inner_text().startswith("1 meeting within 10 mi")
    assert "day=2" in page.url and "near=19107" in page.url
    results = page.locator("li.meeting")
    assert results.count() == 1
    assert "mi" in results.first.locator(".distance").inner_text()

    results.first.get_by_role("link", name="Tuesday Women").click()
    page.wait_for_url("**/meetings/tuesday-women/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tuesday Women"
    assert "America/New_York" in page.locator(".facts").inner_text()


def test_the_finder_works_without_javascript(browser, live_server, meetings):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/?near=19107&day=4")
    assert page.locator("li.meeting").all_inner_texts()[0].startswith("Thursday SMART")
    assert page.locator("button.locate").is_hidden()
    context.close()


def test_use_my_location_searches_around_the_browsers_position(browser, live_server, meetings):
    context = browser.new_context(
        geolocation={"latitude": 39.95, "longitude": -75.17}, permissions=["geolocation"], timezone_id="America/Chicago"
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Use my location").click()
    page.locator(".count").filter(has_text="within 10 mi").wait_for()
    assert "lat=39.95" in page.url
    assert page.locator("li.meeting").count() == 2
    assert page.locator("#map").is_visible()
    context.close()


def test_online_meetings_show_the_visitors_own_time(page, live_server, meetings):
    page.goto(live_server.url + "/")
    page.locator("summary", has_text="More filters").click()
    page.get_by_label("Online", exact=True).check()
    page.locator(".count").filter(has_text="1 meeting").wait_for()
    assert "your time" not in page.locator("li.meeting").inner_text()  # visitor and meeting share a zone


@pytest.mark.parametrize("query", ["?attendance=online", "?attendance=online&tz=America%2FChicago"])
def test_a_first_visit_or_a_shared_link_shows_times_in_the_visitors_own_zone(browser, live_server, meetings, query):
    # The first visit has no zone yet; a link shared from Chicago carries its sender's.
    context = browser.new_context(timezone_id="America/Los_Angeles", locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/" + query)
    page.locator("li.meeting .visitor-time").filter(has_text=re.compile(r"your time \(P[SD]T\)")).wait_for()
    assert "tz=America%2FLos_Angeles" in page.url
    page.go_back()  # the refresh replaced the address: no extra history entry
    assert page.url in ("about:blank", "")
    context.close()


def test_a_link_shared_from_another_zone_does_not_show_its_senders_time_as_the_readers(page, live_server, meetings):
    # The page fixture's browser is in New York, as are the meetings; the sender was in Los Angeles.
    page.goto(live_server.url + "/?attendance=online&tz=America%2FLos_Angeles")
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    page.locator(".count").filter(has_text="1 meeting").wait_for()
    assert page.locator(".visitor-time").count() == 0


def test_a_shared_search_without_a_place_finding_nothing_is_asked_again_on_the_readers_clock(
    page, live_server, meetings
):
    # Days and hours without a place are the visitor's own: a link from Tokyo that found nothing there may find
    # meetings on a New York reader's clock, so the script asks again even with no result to convert.
    page.goto(live_server.url + "/?attendance=online&time=morning&start_after=03:00&start_before=03:01&tz=Asia%2FTokyo")
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    page.locator(".clock", has_text="your own, in America/New_York").wait_for()


def test_a_meetings_page_adds_its_next_start_in_the_visitors_own_zone(browser, live_server, meetings):
    context = browser.new_context(timezone_id="America/Los_Angeles", locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/meetings/online-smart/")  # Tuesdays at 8 PM in New York
    when = page.locator(".facts dd.when")
    assert re.search(r"Tuesday 5:00\sPM your time \(P[SD]T\)", when.locator(".visitor-time").inner_text())
    assert "America/New_York" in when.inner_text()  # the meeting's own zone stays first
    context.close()


def test_a_meetings_page_in_the_visitors_own_zone_adds_nothing(page, live_server, meetings):
    page.goto(live_server.url + "/meetings/online-smart/")  # the page fixture's browser is in New York
    page.locator(".facts dd.when time").wait_for()
    assert page.locator(".visitor-time").count() == 0


def test_the_zone_refresh_keeps_what_the_address_asked_for(browser, live_server, meetings):
    # The form cannot hold a page or an ISO language code: the refresh changes the zone only.
    Meeting.objects.get(slug="online-smart").types.add(MeetingType.objects.get(code="EN"))
    context = browser.new_context(timezone_id="America/Los_Angeles", locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/?attendance=online&language=en&page=1")
    page.locator("li.meeting .visitor-time").filter(has_text=re.compile(r"your time \(P[SD]T\)")).wait_for()
    assert "tz=America%2FLos_Angeles" in page.url
    assert "language=en" in page.url and "page=1" in page.url
    assert page.locator("li.meeting").count() == 1
    context.close()


def test_on_a_phone_search_brings_the_results_into_view(browser, live_server, meetings):
    # The results load below the form: on a phone nothing seemed to happen after tapping Search.
    context = browser.new_context(viewport={"width": 390, "height": 700}, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/")
    # Enter in the field, not a click: Playwright scrolls to a button before clicking it, which shows the count.
    page.get_by_label("ZIP code, city, or coordinates").fill("19107")
    page.get_by_label("ZIP code, city, or coordinates").press("Enter")
    page.locator(".count").filter(has_text="within 10 mi of Philadelphia").wait_for()
    in_view = "() => { const box = document.querySelector('.count').getBoundingClientRect();"
    page.wait_for_function(in_view + " return box.top > -1 && box.bottom <= innerHeight; }", timeout=5000)
    context.close()


def test_the_finder_fits_a_320_pixel_screen_without_scrolling_sideways(browser, live_server, meetings):
    # WCAG reflow: a fieldset is as wide as its widest field by default, and the place field overflowed.
    context = browser.new_context(viewport={"width": 320, "height": 640}, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/?near=19103")
    page.locator("summary", has_text="More filters").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_a_clinician_ticks_meetings_of_two_fellowships_and_opens_the_handout(page, live_server, meetings):
    page.goto(live_server.url + "/?near=19107")
    page.locator("li.meeting", has_text="Tuesday Women").get_by_label("Add to handout").check()
    page.locator("li.meeting", has_text="Thursday SMART").get_by_label("Add to handout").check()
    page.get_by_role("button", name="Make a printable handout of the ticked meetings").click()
    page.wait_for_url("**/referral/?m=tuesday-women&m=thursday-smart")
    handout = page.locator(".handout-meetings")
    assert handout.locator("li").count() == 2
    assert "Alcoholics Anonymous" in handout.inner_text() and "SMART Recovery" in handout.inner_text()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".qr svg").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_a_clinician_keeps_ticked_meetings_across_searches_and_a_reload(page, live_server, meetings):
    page.goto(live_server.url + "/?near=19107&day=2")
    page.locator("li.meeting", has_text="Tuesday Women").get_by_label("Add to handout").check()
    # Another search, in place: Thursdays instead of Tuesdays.
    page.get_by_label("Tuesday", exact=True).uncheck()
    page.locator("li.meeting", has_text="Online SMART").wait_for(state="detached")
    page.get_by_label("Thursday", exact=True).check()
    page.locator("li.meeting", has_text="Thursday SMART").wait_for()
    also = page.get_by_role("group", name="Also ticked for the handout, from other searches")
    assert also.get_by_role("checkbox", name=re.compile("Tuesday Women")).is_checked()
    page.locator("li.meeting", has_text="Thursday SMART").get_by_label("Add to handout").check()

    page.reload()  # the address holds the ticks
    assert page.locator("li.meeting", has_text="Thursday SMART").get_by_label("Add to handout").is_checked()
    assert also.get_by_role("checkbox", name=re.compile("Tuesday Women")).is_checked()

    page.get_by_role("button", name="Make a printable handout of the ticked meetings").click()
    page.wait_for_url(re.compile(r"/referral/\?m=[a-z-]+&m=[a-z-]+$"))
    assert sorted(page.locator(".handout-meetings h2").all_inner_texts()) == ["Thursday SMART", "Tuesday Women"]
    page.get_by_role("link", name="Add or remove meetings").click()
    page.wait_for_url(re.compile(r"/\?m="))
    assert page.locator("input[name=m]:checked").count() == 2


def test_ticks_survive_a_new_search_without_javascript(browser, live_server, meetings):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/?near=19107&day=2")
    page.locator("li.meeting", has_text="Tuesday Women").get_by_label("Add to handout").check()
    page.get_by_label("Tuesday", exact=True).uncheck()
    page.get_by_label("Thursday", exact=True).check()
    page.get_by_role("button", name="Search").click()
    page.locator("li.meeting", has_text="Thursday SMART").get_by_label("Add to handout").check()
    page.get_by_role("button", name="Make a printable handout of the ticked meetings").click()
    page.wait_for_url(re.compile(r"/referral/\?m=[a-z-]+&m=[a-z-]+$"))  # the search left out of the address
    assert sorted(page.locator(".handout-meetings h2").all_inner_texts()) == ["Thursday SMART", "Tuesday Women"]
    context.close()


def test_a_time_typed_with_the_place_ticks_the_when_filters(page, live_server, meetings):
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code, city, or coordinates").fill("19107 tonight")
    page.get_by_role("button", name="Search").click()
    page.locator(".count", has_text="of Philadelphia, PA 19107").wait_for()
    assert page.get_by_label("ZIP code, city, or coordinates").input_value() == "19107"
    assert page.get_by_label("Today", exact=True).is_checked()
    assert page.get_by_label("Evening", exact=True).is_checked() and page.get_by_label("Night", exact=True).is_checked()
    assert page.get_by_label("Evening", exact=True).is_visible()  # "More filters" opened to show them
    assert "near=19107&" in page.url and "day=today&time=evening&time=night" in page.url


def test_the_handout_gives_an_online_meeting_elsewhere_in_the_readers_time_too(page, live_server, meetings):
    smart = Organization.objects.get(slug="smart-recovery")
    make_meeting(
        organization=smart, name="Pacific SMART", slug="pacific-smart", day=3, start_time=dt.time(20, 0),
        timezone="America/Los_Angeles", attendance_mode=Meeting.Attendance.ONLINE, conference_url="https://example.org/j/2",
    )  # fmt: skip
    make_meeting(
        organization=smart, name="Chicago SMART", slug="chicago-smart", day=3, start_time=dt.time(19, 0),
        timezone="America/Chicago",
    )  # fmt: skip
    # The browser is in New York.
    page.goto(live_server.url + "/referral/?m=pacific-smart&m=tuesday-women&m=chicago-smart")
    pacific, local, chicago = page.locator(".handout-meetings li .when").all()
    assert re.search(r"\(America/Los_Angeles\)\s*Wednesday 11:00 PM your time \(E[SD]T\)", pacific.inner_text())
    assert "your time" not in local.inner_text()  # the same clock as the reader's: nothing to add
    # Met in person: at its own time, and the printing computer's zone is the clinician's, not the patient's.
    assert "your time" not in chicago.inner_text()
    page.emulate_media(media="print")
    assert pacific.locator(".visitor-time").is_visible()  # the patient reads it on paper


def test_back_restores_a_search_typed_in_capitals_and_keeps_the_ticks_made_since(page, live_server, meetings):
    page.goto(live_server.url + "/?near=19107&day=Tuesday&units=KM")
    assert page.get_by_label("Tuesday", exact=True).is_checked()
    page.locator("li.meeting", has_text="Tuesday Women").get_by_label("Add to handout").check()
    page.get_by_label("Thursday", exact=True).check()  # a new search, in place
    page.locator("li.meeting", has_text="Thursday SMART").wait_for()
    page.locator("li.meeting", has_text="Thursday SMART").get_by_label("Add to handout").check()
    page.go_back()
    page.locator("li.meeting", has_text="Thursday SMART").wait_for(state="detached")
    # The form reads ?day=Tuesday and units=KM as the server does, so the next search keeps them.
    assert page.get_by_label("Tuesday", exact=True).is_checked()
    assert not page.get_by_label("Thursday", exact=True).is_checked()
    assert page.locator("#id_units").input_value() == "km"
    # The tick made after this search is still on the handout.
    assert page.locator("li.meeting", has_text="Tuesday Women").get_by_label("Add to handout").is_checked()
    also = page.get_by_role("group", name="Also ticked for the handout, from other searches")
    assert also.get_by_role("checkbox", name=re.compile("Thursday SMART")).is_checked()


def test_ticking_more_than_a_handout_holds_says_so_at_once(page, live_server, meetings, monkeypatch):
    monkeypatch.setattr("meetings.referral.MAX_MEETINGS", 2)
    page.goto(live_server.url + "/")
    boxes = page.locator("li.meeting input[name=m]")
    assert boxes.count() == 3
    warning = page.locator(".too-many-ticked")
    for index in range(3):
        assert warning.is_hidden()
        boxes.nth(index).check()
    assert warning.inner_text() == (
        "A handout holds at most 2 meetings, and 3 are ticked: untick some, or only the first 2 are printed."
    )
    boxes.nth(0).uncheck()
    assert warning.is_hidden()
