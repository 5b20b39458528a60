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
    # Met in person: no zone for the reader's script to convert (the printing computer's is the clinician's).
    when = re.search(r'<p class="when">(.*?)</p>', html).group(1)
    assert re.fullmatch(
        r'Every Tuesday, <time datetime="\d{4}-\d\d-\d\dT19:30:00-0[45]:00">7:30 PM</time>–8:30 PM '
        r'<span class="zone">\(America/New_York\)</span>',
        when,
    )
    assert "Center City Church" in html
    assert '<p class="when" data-zone="America/New_York"' in html  # the online ones
    assert (
        'Online: <a href="https://example.org/j/1" rel="nofollow noopener noreferrer">https://example.org/j/1</a>'
        in html
    )
    assert "In person · Open, Women, Spanish" in html
    smart = finder_meetings["smart"].organization
    if smart.philosophy_summary:
        assert f'— <span lang="en">{smart.philosophy_summary[:40]}' in html.replace("&#x27;", "'")
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


def test_meetings_no_longer_listed_are_counted_not_named_by_their_addresses(client, finder_meetings):
    html = handout(client, "mujeres", "draft", "gone-meeting")
    assert "2 meetings on this list are no longer listed: they may have moved or stopped meeting." in html
    assert "No longer listed: " not in html and "Mujeres en Recuperación" in html


def test_a_handout_of_only_unknown_meetings_says_so(client, finder_meetings):
    response = client.get("/referral/", {"m": ["no-such-meeting"]})
    assert response.status_code == 200
    assert "1 meeting on this list is no longer listed" in response.content.decode()
    assert response.context["short_link"] == ""


@pytest.mark.parametrize("token", ["not!a!link", "zzzzzzzzzzzzzzzzzzzz", "+1", "1_0", "\uff11", "2s--9k", "A1"])
def test_a_short_link_that_pack_cannot_have_written_is_a_404_not_a_500(client, finder_meetings, token):
    assert client.get(f"/r/{token}").status_code == 404


def test_a_meeting_not_meeting_for_now_is_named_apart_and_kept_in_the_short_link(client, finder_meetings):
    Meeting.objects.filter(slug="courage-hybrid").update(attendance_mode=Meeting.Attendance.INACTIVE)
    response = client.get("/referral/", {"m": ["mujeres", "courage-hybrid"]})
    html = response.content.decode()
    assert '<p class="error" role="alert">Not meeting for now: Courage Hybrid.</p>' in html
    assert [m.slug for m in response.context["meetings"]] == ["mujeres"]
    short = response.context["short_link"].removeprefix("http://testserver")
    assert client.get(short)["Location"] == "/referral/?m=mujeres&m=courage-hybrid"


def test_the_short_link_holds_no_more_than_it_can_be_read_back(client, finder_meetings, monkeypatch):
    # A full handout and a meeting not meeting for now: the link held one id too many, and answered 404.
    monkeypatch.setattr(referral, "MAX_MEETINGS", 2)
    Meeting.objects.filter(slug="courage-hybrid").update(attendance_mode=Meeting.Attendance.INACTIVE)
    response = client.get("/referral/", {"m": ["mujeres", "kensington-open", "courage-hybrid"]})
    short = response.context["short_link"].removeprefix("http://testserver")
    assert client.get(short)["Location"] == "/referral/?m=mujeres&m=kensington-open"


def test_a_short_link_never_reveals_a_drafts_address(client, finder_meetings):
    response = client.get(f"/r/{referral.pack([finder_meetings['draft'].pk])}")
    assert response.status_code == 410 and "draft" not in response.get("Location", "")


def test_a_join_link_that_is_not_a_web_address_is_shown_as_text(client, finder_meetings):
    Meeting.objects.filter(slug="smart-online").update(conference_url="javascript:alert(1)")
    for html in (handout(client, "smart-online"), client.get("/meetings/smart-online/").content.decode()):
        assert "javascript:alert(1)" in html and 'href="javascript:' not in html


def test_a_ticked_meeting_not_meeting_for_now_keeps_its_tick_in_the_finder(client, finder_meetings, monkeypatch):
    monkeypatch.setattr(referral, "MAX_MEETINGS", 1)
    Meeting.objects.filter(slug="courage-hybrid").update(attendance_mode=Meeting.Attendance.INACTIVE)
    html = client.get(
        "/", {"organization": "smart-recovery", "m": ["courage-hybrid", "no-such-meeting"]}
    ).content.decode()
    assert ticks(html)[0] == {"courage-hybrid"}
    assert "Courage Hybrid, Saturday 10:00 AM" in html and "— not meeting for now" in html
    # One box ticked on the page, so not "2 are ticked": an unknown slug is no tick.
    assert re.search(r'<p class="error too-many-ticked" [^>]* hidden></p>', html)


def test_a_short_link_with_a_deleted_meeting_says_one_is_no_longer_listed(client, finder_meetings):
    mujeres = finder_meetings["women_spanish"]
    response = client.get(f"/r/{referral.pack([mujeres.pk, 987654])}")
    assert response["Location"] == "/referral/?m=mujeres&gone=1"
    html = client.get(response["Location"]).content.decode()
    assert "1 meeting on this list is no longer listed" in html and "Mujeres en Recuperación" in html


def test_short_links_round_trip():
    assert referral.unpack(referral.pack([1, 35, 36, 123456])) == [1, 35, 36, 123456]


def ticks(html):
    """The slugs ticked for the handout on a finder page, and those left unticked."""
    boxes = re.findall(r'<input type="checkbox" name="m" value="([^"]+)" form="finder-form"( checked)?>', html)
    return {slug for slug, checked in boxes if checked}, {slug for slug, checked in boxes if not checked}


def test_the_finder_lets_a_clinician_tick_meetings_for_a_handout(client, finder_meetings):
    html = client.get("/", {"kind": ["secular", "twelve-step"]}).content.decode()
    button = '<button type="submit" form="finder-form" formaction="/referral/">'
    assert button + "Make a printable handout of the ticked meetings</button>" in html
    assert '<form id="finder-form" class="finder" method="get"' in html
    ticked, unticked = ticks(html)
    assert not ticked and len(unticked) == len(re.findall(r'<li class="meeting"', html)) > 1


def test_a_new_search_keeps_the_meetings_ticked_in_another(client, finder_meetings):
    # Ticked among AA's meetings, then the clinician searches SMART Recovery's: both stay on the handout.
    html = client.get("/", {"organization": "smart-recovery", "m": ["mujeres", "burlington-smart"]}).content.decode()
    ticked, unticked = ticks(html)
    assert ticked == {"mujeres", "burlington-smart"} and unticked == {"smart-online"}
    other = html.split('class="ticked-elsewhere"')[1].split("</fieldset>")[0]
    assert "Also ticked for the handout, from other searches" in other
    assert "Mujeres en Recuperación, Tuesday 7:30 PM" in other and "(America/New_York)" in other
    assert "Burlington SMART" not in other, "a ticked meeting on this page is ticked where it is listed"


def test_a_ticked_meeting_no_longer_published_drops_out_of_the_finders_ticks(client, finder_meetings):
    html = client.get("/", {"organization": "smart-recovery", "m": ["draft", "no-such-meeting"]}).content.decode()
    assert ticks(html) == (set(), {"burlington-smart", "smart-online"})
    assert "ticked-elsewhere" not in html


def test_wider_searches_and_online_meetings_keep_the_ticks_but_downloads_leave_them_out(client, finder_meetings):
    query = {"lat": 40.0712, "lng": -74.8649, "distance": "1", "kind": "twelve-step", "m": "smart-online"}
    empty = client.get("/", query).content.decode()
    wider = re.findall(r'href="\?([^"]*)#results">\d+ within', empty)
    assert wider and all("m=smart-online" in link for link in wider)
    assert "m=smart-online" in re.search(r'href="\?(attendance=online[^"]*)#results"', empty).group(1)
    html = client.get("/", {**query, "distance": "100"}).content.decode()
    exports = re.findall(r'href="/meetings/(?:calendar\.ics|feed\.json|feed\.csv)\?([^"]*)"', html)
    assert len(exports) == 4 and not any("m=" in export for export in exports)  # the page's feed link, and 3 below


def test_the_handout_leaves_the_search_out_of_its_address(client, finder_meetings):
    # The button submits the whole search form; the handout's address names only the meetings.
    response = client.get("/referral/", {"near": "19103", "kind": "secular", "m": ["mujeres", "", "smart-online"]})
    assert response.status_code == 302
    assert response["Location"] == "/referral/?m=mujeres&m=smart-online"


def test_the_handout_links_back_to_the_finder_with_its_meetings_ticked(client, finder_meetings):
    html = handout(client, "mujeres", "smart-online")
    assert '<a href="/?m=mujeres&amp;m=smart-online#results">Add or remove meetings</a>' in html
    back = client.get("/?m=mujeres&m=smart-online").content.decode()
    assert ticks(back)[0] == {"mujeres", "smart-online"}


def test_a_blank_meeting_is_no_meeting_not_one_no_longer_listed(client, finder_meetings):
    html = client.get("/referral/?m=").content.decode()
    assert "no longer listed" not in html and "No meetings chosen." in html


def test_a_handout_whose_meetings_are_all_unlisted_tells_its_reader_so(client, finder_meetings):
    html = handout(client, "draft")
    assert "1 meeting on this list is no longer listed" in html
    assert "Find meetings that are listed now" in html
    assert "No meetings chosen" not in html and "tick" not in html.lower()


def test_a_short_link_that_finds_no_meeting_says_so_to_its_reader(client, finder_meetings):
    response = client.get(f"/r/{referral.pack([987654, 987655])}")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This handout link finds no meetings: it may be mistyped" in html and "tick" not in html.lower()


def test_more_meetings_than_a_handout_holds_go_back_to_the_finder_all_ticked(client, finder_meetings, monkeypatch):
    # Beyond the limit the first are shown, and "Add or remove meetings" keeps every tick to choose from.
    monkeypatch.setattr(referral, "MAX_MEETINGS", 4)
    slugs = ["mujeres", "kensington-open", "burlington-smart", "smart-online", "courage-hybrid", "friday-celebrate"]
    html = handout(client, *slugs)
    assert "A handout holds at most 4 meetings; the first 4 are shown." in html
    assert html.count("<h2>") == 4
    back = re.search(r'<a href="/\?([^"]*)#results">Add or remove meetings</a>', html).group(1)
    assert back == "&amp;".join(f"m={slug}" for slug in slugs)


def test_ticks_from_other_searches_cost_one_query(client, finder_meetings, django_assert_max_num_queries):
    client.get("/", {"organization": "smart-recovery"})  # caches what every search reuses (zones in use…)
    with django_assert_max_num_queries(10) as without:
        client.get("/", {"organization": "smart-recovery"})
    with django_assert_max_num_queries(11) as ticked:
        html = client.get("/", {"organization": "smart-recovery", "m": ["mujeres", "courage-hybrid"]}).content.decode()
    assert len(ticked) == len(without) + 1
    assert html.count('name="m" value="mujeres"') == html.count('name="m" value="courage-hybrid"') == 1


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
