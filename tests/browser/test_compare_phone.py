"""The compare page on a phone and on paper: the explanation is read whole, the row labels stay in view."""

import re

import pytest
from django.core.management import call_command

from tests.browser.conftest import serve

pytestmark = pytest.mark.django_db  # a test database (see serve); each test reads only

FOUR = "/organizations/compare/?o=smart-recovery&o=alcoholics-anonymous&o=al-anon&o=lifering-secular-recovery"
PHONE = {"width": 390, "height": 844}
EXPLANATION = "side by side. Numbers in brackets name the source document."


def _load() -> None:
    call_command("load_organizations", verbosity=0)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with serve(django_db_blocker, _load) as url:
        yield url


@pytest.fixture
def phone(page):
    page.set_default_timeout(10_000)
    page.set_viewport_size(PHONE)
    return page


def test_on_a_phone_the_explanation_of_the_comparison_is_read_whole(phone, site):
    phone.goto(site + FOUR)
    explanation = phone.get_by_text(EXPLANATION)
    box = explanation.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert explanation.inner_text().startswith("SMART Recovery · Alcoholics Anonymous · Al-Anon · LifeRing")
    # It still names the table and the box that scrolls it, for screen readers.
    assert phone.get_by_role("table", name=re.compile(re.escape(EXPLANATION))).count() == 1
    assert phone.get_by_role("region", name=re.compile(re.escape(EXPLANATION))).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_the_row_labels_stay_at_the_left_while_the_columns_scroll(phone, site):
    phone.goto(site + FOUR)
    region = phone.get_by_role("region", name=re.compile(re.escape(EXPLANATION)))
    label = phone.locator("table.compare tbody th").first
    assert label.inner_text() == "Kind"
    before = label.bounding_box()
    region.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert region.evaluate("box => box.scrollLeft") > 100, "four organizations are wider than a phone"
    after = label.bounding_box()
    assert after and 0 <= after["x"] == before["x"], after
    # Narrower than the columns it labels, so that they keep room to be read.
    assert after["width"] < phone.locator("table.compare tbody td").first.bounding_box()["width"]
    # On top of the columns that scrolled under it, and opaque, so their text does not show through.
    on_top = "th => { const box = th.getBoundingClientRect();"
    on_top += " return th.contains(document.elementFromPoint(box.left + 4, box.top + box.height / 2)); }"
    assert label.evaluate(on_top)
    assert label.evaluate("th => getComputedStyle(th).backgroundColor") not in ("transparent", "rgba(0, 0, 0, 0)")


def test_the_columns_scroll_from_the_keyboard(phone, site):
    phone.goto(site + FOUR)
    region = phone.get_by_role("region", name=re.compile(re.escape(EXPLANATION)))
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5000)


def test_a_printed_comparison_cuts_nothing_off(phone, site):
    paper = 624  # CSS pixels across Letter paper with one-inch margins (6.5 in); A4's are wider
    phone.set_viewport_size({"width": paper, "height": 900})
    phone.goto(site + FOUR)
    phone.emulate_media(media="print")
    region = phone.locator(".table-scroll")
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth"), "the table is wider than the paper"
    assert phone.evaluate("document.documentElement.scrollWidth") <= paper
    explanation = phone.get_by_text(EXPLANATION).bounding_box()
    assert explanation and explanation["x"] + explanation["width"] <= paper
    assert phone.pdf(format="A4").startswith(b"%PDF")
