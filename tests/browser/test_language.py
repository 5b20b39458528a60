"""In a real browser: Spanish from the browser's language, the script's own words too, and the switch."""

import pytest
from django.core.management import call_command

from groups.models import Organization
from meetings.models import MeetingType
from tests.factories import make_location, make_meeting


@pytest.fixture
def meetings(transactional_db):
    call_command("load_organizations", verbosity=0)
    call_command("load_meeting_types", verbosity=0)
    hall = make_location(name="Center City Church", latitude=39.9526, longitude=-75.1635)
    aa = Organization.objects.get(slug="alcoholics-anonymous")
    women = make_meeting(organization=aa, name="Mujeres en Recuperación", slug="mujeres", location=hall, day=2)
    women.types.set(MeetingType.objects.filter(code__in=["W", "S"]))


def test_a_spanish_browser_searches_in_spanish_and_the_script_speaks_spanish(browser, live_server, meetings):
    # No permission to read the position: "Use my location" fails, and says so in Spanish.
    context = browser.new_context(locale="es-ES", timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Código postal (ZIP), ciudad o coordenadas").fill("19107")
    page.get_by_label("Martes", exact=True).check()
    page.locator(".count").filter(has_text="1 reunión a menos de 10 mi").wait_for()
    assert "Mujeres, Español" in page.locator("li.meeting .types").inner_text()
    page.get_by_role("button", name="Usar mi ubicación").click()
    page.locator(".locate-message").filter(has_text="No pudimos obtener su ubicación").wait_for()
    context.close()


def test_the_switch_works_without_javascript_and_keeps_the_page(browser, live_server, meetings):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/meetings/mujeres/")
    assert "Every Tuesday" in page.locator(".facts").inner_text()
    page.get_by_role("button", name="Español").click()
    page.wait_for_url("**/meetings/mujeres/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Cada martes" in page.locator(".facts").inner_text()
    # Remembered on the next page, though the browser still asks for English.
    page.goto(live_server.url + "/organizations/")
    assert page.get_by_role("heading", level=1).inner_text() == "Organizaciones de ayuda mutua"
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mutual-help organizations"
    context.close()


def test_switching_language_after_a_search_keeps_the_search(page, live_server, meetings):
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code, city, or coordinates").fill("19107")
    page.get_by_role("button", name="Search").click()
    page.locator(".count").filter(has_text="1 meeting within 10 mi").wait_for()  # loaded in place
    page.get_by_role("button", name="Español").click()
    page.locator(".count").filter(has_text="1 reunión a menos de 10 mi").wait_for()
    assert "near=19107" in page.url
