"""A person reports a wrong time from a meeting's page in a real browser: the form shows only what fits the
chosen problem, passes axe's WCAG rules, and runs under the Content Security Policy."""

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from groups.models import Organization
from meetings.models import ChangeReport
from tests.browser.axe import assert_no_violations
from tests.browser.conftest import serve
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db  # a test database (see serve)


def _load() -> None:
    call_command("load_organizations", verbosity=0)
    make_meeting(
        organization=Organization.objects.get(slug="alcoholics-anonymous"), name="Tuesday Women",
        slug="tuesday-women", day=2, start_time=dt.time(19, 0),
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with serve(django_db_blocker, _load) as url:
        yield url


def test_a_person_reports_a_wrong_start_time_from_the_meetings_page(page, site):
    page.goto(site + "/meetings/tuesday-women/")
    page.get_by_role("link", name="Report a problem with this listing").click()
    assert_no_violations(page)
    time_fields = page.get_by_role("group", name="If you know the right day or time")
    assert not time_fields.is_visible()  # nothing to suggest until a problem is chosen
    page.get_by_label("Wrong day or time").check()
    assert time_fields.is_visible()
    assert not page.get_by_role("group", name="If you know the right place").is_visible()
    page.get_by_label("The right start time").fill("20:00")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_role("heading", name="Thank you for your report").wait_for()
    report = ChangeReport.objects.get()
    assert (report.problem, report.suggested_start_time) == ("time", dt.time(20, 0))


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()  # an open context would keep the server's connections, and its stop, waiting


def test_without_javascript_every_suggestion_shows_with_its_label(page_without_javascript, site):
    page = page_without_javascript
    page.goto(site + "/meetings/tuesday-women/report/")
    for label in ("The right day", "The right start time", "The right address"):
        assert page.get_by_label(label).is_visible()
    assert page.get_by_label("A join link that works").count() == 0  # an in-person meeting has none
    # The honeypot is out of the way of people and of screen readers alike.
    assert page.get_by_role("textbox", name="Leave this field empty").count() == 0
    assert page.get_by_role("textbox", name="Details").count() == 1


# The details are required with "Something else", and a refused report puts the reader on the field to correct.


def test_it_requires_the_details_only_while_something_else_is_chosen(page, site):
    filed = ChangeReport.objects.count()  # the module's other tests send reports too
    page.goto(site + "/meetings/tuesday-women/report/")
    details = page.get_by_role("textbox", name="Details")
    expect(details).not_to_have_attribute("required", "")
    page.get_by_label("Something else").check()
    expect(details).to_have_attribute("required", "")
    page.get_by_role("button", name="Send the report").click()  # the browser itself asks for the details
    assert details.evaluate("(box) => box.validity.valueMissing")
    assert ChangeReport.objects.count() == filed
    page.get_by_label("It no longer meets").check()
    expect(details).not_to_have_attribute("required", "")


def test_it_puts_the_reader_on_the_refused_field_with_its_error(page, site):
    filed = ChangeReport.objects.count()
    page.goto(site + "/meetings/tuesday-women/report/")
    page.locator("form.report-form").evaluate("(form) => { form.noValidate = true; }")  # the server's messages
    page.get_by_label("Something else").check()
    page.get_by_role("button", name="Send the report").click()
    details = page.get_by_role("textbox", name="Details")
    expect(details).to_be_focused()
    expect(details).to_have_accessible_description(
        "Required when you choose “Something else”. Volunteers who keep this listing read it. Please leave out "
        "names, phone numbers and emails. Tell us what is wrong, so the volunteers can fix it."
    )
    assert ChangeReport.objects.count() == filed
