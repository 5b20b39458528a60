"""The referral handout: several meetings from different fellowships, printable, nothing stored."""

import re

import pytest
from django.contrib.staticfiles import finders

from meetings import referral
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def handout(client, *slugs):
    response = client.get("/referral/", {"m": list(slugs)})
    assert response.status_code == 200
    return response.content.decode()


def test_the_handout_shows_each_meetings_essentials_and_its_philosophy(client, finder_meetings):
    html = handout(client, "mujeres", "smart-online", "courage-hybrid")
    assert "Every Tuesday, 7:30 PM–8:30 PM" in html and "(America/New_York)" in html
    assert "Center City Church" in html
    assert "Online: https://example.org/j/1" in html
    assert "In person · Open, Women, Spanish" in html
    smart = finder_meetings["smart"].organization
    if smart.philosophy_summary:
        assert smart.philosophy_summary[:40] in html.replace("&#x27;", "'")
    assert html.index("Mujeres en Recuperación") < html.index("SMART Online Evening") < html.index("Courage Hybrid")


def test_the_handout_links_back_with_a_short_link_and_a_qr_code_made_here(client, finder_meetings):
    html = handout(client, "mujeres", "smart-online")
    short = re.search(r'<a href="(http://testserver/r/[0-9a-z-]+)">', html).group(1)
    assert "<svg" in html and "QR code for this handout" in html
    response = client.get(short.removeprefix("http://testserver"))
    assert response.status_code == 302
    assert response["Location"] == "/referral/?m=mujeres&m=smart-online"


def test_nothing_about_the_patient_is_stored(client, finder_meetings, django_assert_max_num_queries):
    with django_assert_max_num_queries(4) as queries:
        handout(client, "mujeres", "smart-online")
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)


def test_a_meeting_no_longer_listed_is_named_not_an_error(client, finder_meetings):
    html = handout(client, "mujeres", "draft", "gone-meeting")
    assert "No longer listed: draft, gone-meeting." in html
    assert "Mujeres en Recuperación" in html


def test_a_handout_of_only_unknown_meetings_says_so(client, finder_meetings):
    response = client.get("/referral/", {"m": ["no-such-meeting"]})
    assert response.status_code == 200
    assert "no-such-meeting" in response.content.decode()
    assert response.context["short_link"] == ""


def test_a_bad_short_link_is_a_404(client, finder_meetings):
    assert client.get("/r/not!a!link").status_code == 404


def test_short_links_round_trip():
    assert referral.unpack(referral.pack([1, 35, 36, 123456])) == [1, 35, 36, 123456]


def test_the_finder_lets_a_clinician_tick_meetings_for_a_handout(client, finder_meetings):
    html = client.get("/", {"kind": ["secular", "twelve-step"]}).content.decode()
    assert '<form id="referral-form" class="referral" method="get" action="/referral/">' in html
    assert html.count('form="referral-form"') == len(re.findall(r'<li class="meeting"', html)) > 1


def test_the_print_stylesheet_hides_the_site_chrome_and_fits_letter_and_a4():
    with open(finders.find("css/print.css")) as handle:
        css = handle.read()
    assert "@media print" in css and ".site-header" in css and "display: none" in css
    margins = re.search(r"@page \{ margin: ([\d.]+)mm ([\d.]+)mm", css)
    # Letter is 215.9 mm wide, A4 210 mm: the text block must fit the narrower.
    assert 210 - 2 * float(margins.group(2)) >= 170
    assert "size:" not in css.split("@page")[1].split("}")[0], "no fixed paper size"


def test_demo_meetings_are_labelled_on_the_handout(client, site_data):
    demo = Meeting.objects.filter(is_demo=True).first()
    assert "Sample data:" in handout(client, demo.slug)
