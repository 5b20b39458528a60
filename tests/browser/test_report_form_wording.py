"""The "Report a problem" form in a real browser: the details become required with "Something else", and a
refused report puts the reader on the field to correct, whose error is read with it."""

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from groups.models import Organization
from meetings.models import ChangeReport
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


def test_it_requires_the_details_only_while_something_else_is_chosen(page, site):
    page.goto(site + "/meetings/tuesday-women/report/")
    details = page.get_by_role("textbox", name="Details")
    expect(details).not_to_have_attribute("required", "")
    page.get_by_label("Something else").check()
    expect(details).to_have_attribute("required", "")
    page.get_by_role("button", name="Send the report").click()  # the browser itself asks for the details
    assert details.evaluate("(box) => box.validity.valueMissing")
    assert not ChangeReport.objects.exists()
    page.get_by_label("It no longer meets").check()
    expect(details).not_to_have_attribute("required", "")


def test_it_puts_the_reader_on_the_refused_field_with_its_error(page, site):
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
    assert not ChangeReport.objects.exists()
