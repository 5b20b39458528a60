"""The finder page: the same search as the API, as a plain GET form that works without JavaScript."""

import datetime as dt
import re

import pytest

from meetings.models import Meeting
from tests.factories import make_meeting
from tests.meetings.conftest import PHILADELPHIA

pytestmark = pytest.mark.django_db
LAT, LNG = PHILADELPHIA


def page(client, **params) -> str:
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """What a reader hears: the text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def listed(html: str) -> list[str]:
    return re.findall(r'<li class="meeting" data-slug="([^"]+)"', html)


@pytest.mark.parametrize(
    "params",
    [
        {"type": ["W", "S"]},
        {"near": "19107", "distance": "5"},
        {"lat": LAT, "lng": LNG, "distance": "25", "kind": "secular"},
        {"day": ["tuesday", "6"], "attendance": "in_person"},
        {"attendance": "online"},
        {"q": "Courage"},
    ],
)
def test_the_page_and_the_api_answer_the_same_search_the_same_way(client, finder_meetings, params):
    api = [row["slug"] for row in client.get("/api/v1/meetings/", params).json()["results"]]
    assert listed(page(client, **params)) == api


def test_a_place_search_shows_each_distance_and_local_time_with_its_zone(client, finder_meetings):
    html = page(client, near="19107", distance="5")
    assert "4 meetings within 5 mi of Philadelphia, PA 19107, nearest first" in html
    assert re.search(r'<span class="distance">\d+\.\d mi</span>', html)
    assert "(America/New_York)" in html
    assert re.search(r"Tuesday 7:30 PM</time> <span class=\"zone\">E[SD]T \(America/New_York\)", html)


def test_a_place_with_in_person_and_online_ticked_says_it_lists_online_meetings_too(client, finder_meetings):
    html = page(client, near="19107", distance="5", attendance=["in_person", "online"])
    assert "5 meetings within 5 mi of Philadelphia, PA 19107 or online, nearest first" in text_of(html)
    assert listed(html)[-1] == "smart-online"


def test_the_form_says_whose_clock_the_times_of_day_are_on(client, finder_meetings):
    # A visitor in Madrid ticking "Evening" got meetings at 1 AM their time, with no word of why.
    html = page(client)
    assert re.search(r'<fieldset class="when" aria-describedby="when-help">\s*<legend>When</legend>', html)
    assert "Near a place, times are each meeting's own local time" in html
    assert "Without a place (online meetings), days and times are yours." in html


def test_results_say_whether_a_script_should_ask_again_on_the_visitors_clock(client, finder_meetings):
    # A shared link read on the sender's clock (or on each meeting's) is asked again on the reader's, even empty.
    marker = 'data-reads-clock="true"'
    assert marker in page(client, attendance="online", day="today", time="night", tz="Asia/Tokyo")
    assert marker in page(client, attendance="online", time="night")  # no zone yet: each meeting's clock
    assert marker not in page(client, near="19107", day="today")  # around a place: the place's clock
    assert marker not in page(client, attendance="online")  # no day or hour chosen


def test_online_meetings_show_the_visitors_time_too(client, finder_meetings):
    html = page(client, attendance="online", tz="Europe/London")
    assert "your time (GMT)" in html or "your time (BST)" in html


def test_an_unknown_place_gets_a_clear_message_not_an_empty_list(client, finder_meetings):
    html = page(client, near="00000")
    assert 'role="alert"' in html
    assert "00000" in html
    assert "Please correct the search above." in html
    assert listed(html) == []
    # Told in the title, and the cursor back in the field, also without JavaScript.
    assert re.search(r"<title>Error: ", html)
    assert re.search(r'<input[^>]*name="near"[^>]*autofocus', html)
    assert "<title>Error" not in page(client, near="19103")


def test_meetings_of_one_name_have_links_and_ticks_that_tell_them_apart(client, finder_meetings):
    # A screen reader's list of links reads names alone: two "Mujeres en Recuperación" must not sound alike.
    twin = finder_meetings["women_spanish"]
    make_meeting(
        organization=twin.organization, name=twin.name, slug="mujeres-jueves", location=twin.location, day=4,
        start_time=dt.time(9, 0),
    )  # fmt: skip
    html = page(client, q="Mujeres Recuperación")  # not "Mujeres" alone: the Women type's Spanish name
    links = [text_of(a) for a in re.findall(r"<h3><a [^>]*>(.*?)</a>", html)]
    ticks = [text_of(label) for label in re.findall(r'<p class="pick"><label>(.*?)</label>', html)]
    assert len(links) == 2 and len(set(links)) == 2
    assert all(re.fullmatch(rf"{re.escape(twin.name)}, .+ \d+:\d\d [AP]M", link) for link in links)
    assert len(set(ticks)) == 2 and all(tick.startswith(f"Add to handout: {twin.name}, ") for tick in ticks)


def test_an_empty_result_says_how_far_to_look(client, finder_meetings):
    html = page(client, lat=40.0712, lng=-74.8649, distance="1", kind="twelve-step")
    text = text_of(html)
    # The dash went missing when the next distance had no meetings ("within 1 mi18 within 25 mi").
    assert re.search(
        r"No meetings within 1 mi of 40\.0712, -74\.8649 — \d+ within \d+ mi(, \d+ within \d+ mi)*\.", text
    )
    # Said once, in the count that is read out, and never as "0 meetings …, nearest first".
    assert text.count("No meetings within") == 1
    assert "0 meetings" not in text
    assert re.search(r"\d+ within 25 mi", text)
    links = re.findall(r'href="\?([^"]*)">\d+ within', html)
    assert links and all(link.count("distance=") == 1 for link in links)
    assert 'href="?attendance=online#results">Online meetings, starting soonest first</a>' in html


def test_an_empty_result_suggests_removing_choices_only_when_there_are_some(client, finder_meetings):
    narrowed = page(client, lat=40.0712, lng=-74.8649, distance="1", kind="twelve-step")
    assert "No meetings match all of these choices: try removing some." in narrowed
    plain = page(client, lat=0, lng=0, distance="1")
    assert "No meetings within 1 mi" in plain
    assert "try removing some" not in plain


def test_a_bad_value_is_named_as_the_form_names_its_field(client, finder_meetings):
    html = page(client, distance="3", language="zz")
    assert re.search(r'<p class="error" role="alert">Within: Select a valid choice', html)
    assert re.search(r'<p class="error" role="alert">Language: Unknown language “zz”', html)
    assert "distance:" not in html


def test_an_empty_search_points_to_every_online_meeting_soonest_first_never_to_another_empty_list(
    client, finder_meetings
):
    # It pointed to online meetings starting within the hour, which were often none: a dead end.
    html = page(client, attendance="online", soon="true", q="no-such-words", tz="America/Chicago")
    assert "No meetings match all of these choices" in html
    link = re.search(r'<a href="\?([^"#]*)#results">Online meetings, starting soonest first</a>', html)
    assert link and link[1] == "attendance=online&amp;tz=America/Chicago"
    assert set(listed(page(client, attendance="online", tz="America/Chicago"))) == {"courage-hybrid", "smart-online"}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday afternoon in Philadelphia: Tuesday's meetings are tomorrow.
        ("2026-12-07T19:00:00+00:00", {"mujeres": "Tomorrow 7:30 PM", "kensington-open": "Tomorrow 12:00 PM"}),
        # Tuesday 2 PM: Mujeres is tonight; Kensington's noon meeting is over, so the next is a week away.
        ("2026-12-08T19:00:00+00:00", {"mujeres": "Today 7:30 PM", "kensington-open": "Tuesday, December 15 12:00 PM"}),
    ],
)
def test_a_result_says_today_tomorrow_or_the_date_when_todays_meeting_is_over(
    client, finder_meetings, monkeypatch, now, expected
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime.fromisoformat(now))
    html = page(client, near="19107", distance="5")
    for slug, words in expected.items():
        item = re.search(rf'data-slug="{slug}".*?<time[^>]*>([^<]*)</time>', html, re.S)
        assert item and item.group(1).startswith(words), (slug, item and item.group(1))


def test_the_visitors_time_says_today_or_tomorrow_in_the_visitors_own_zone(client, finder_meetings, monkeypatch):
    # Tuesday 23:00 in Philadelphia is 20:00 in Los Angeles and 04:00 Wednesday in London.
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 9, 4, 0, tzinfo=dt.UTC))
    for zone, words in [("America/Los_Angeles", "Saturday 7:00 AM your time"), ("Europe/London", "Saturday 3:00 PM")]:
        html = page(client, near="19107", distance="5", tz=zone)
        item = re.search(r'data-slug="courage-hybrid".*?</li>', html, re.S).group(0)  # Saturday 10:00 in Philadelphia
        assert words in item, (zone, item)
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 12, 1, 0, tzinfo=dt.UTC))
    html = page(client, near="19107", distance="5", tz="America/Los_Angeles")  # Friday 17:00 in Los Angeles
    item = re.search(r'data-slug="courage-hybrid".*?</li>', html, re.S).group(0)
    assert "Tomorrow 7:00 AM your time (PST)" in " ".join(item.split())


def test_a_meeting_about_to_start_is_not_yet_in_progress(client, finder_meetings, monkeypatch):
    # 35 seconds before Mujeres (Tuesday 19:30 in Philadelphia): it said "In progress".
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 9, 0, 29, 25, tzinfo=dt.UTC))
    html = page(client, near="19107", distance="5")
    item = re.search(r'data-slug="mujeres".*?</li>', html, re.S).group(0)
    assert "Starts in 1 min" in item and "In progress" not in item


@pytest.mark.parametrize(("zone", "shown"), [("America/Detroit", False), ("America/Chicago", True)])
def test_your_time_is_shown_only_when_the_clock_differs(client, finder_meetings, zone, shown):
    # Detroit keeps New York's clock under another name: "your time" would repeat the same time.
    html = page(client, near="19107", distance="5", tz=zone)
    item = re.search(r'data-slug="mujeres".*?</li>', html, re.S).group(0)
    assert ("your time" in item) is shown


def test_the_pager_links_carry_no_stray_ampersand(client, finder_meetings, monkeypatch):
    monkeypatch.setattr("meetings.views.PAGE_SIZE", 2)
    first = page(client)
    assert 'rel="next" href="?page=2#results"' in first
    assert 'rel="prev" href="?page=1#results"' in page(client, page="2")


def test_a_blank_page_number_beside_one_is_no_value(client, finder_meetings, monkeypatch):
    monkeypatch.setattr("meetings.views.PAGE_SIZE", 2)
    assert "Page 2 of" in client.get("/?page=2&page=").content.decode()


def test_an_empty_search_without_a_place_or_choices_says_so(client, db):
    Meeting.objects.update(status=Meeting.Status.DRAFT)  # rolled back after the test
    html = page(client)
    assert "No meetings found." in html
    assert "0 meetings" not in html
    assert "try removing some" not in html


def test_a_bad_start_time_is_named_and_tied_to_its_field(client, finder_meetings):
    html = page(client, start_after="25:00", start_before="9pm")
    assert 'id="id_start_after" value="25:00" aria-invalid="true" aria-describedby="start_after-error">' in html
    assert '<p id="start_after-error" class="error" role="alert">Start time from: Enter a valid time.</p>' in html
    assert '<p id="start_before-error" class="error" role="alert">Start time to: Enter a valid time.</p>' in html


def test_the_form_works_without_javascript(client, finder_meetings):
    html = page(client)
    # A search opens the page at its results: below the form on a phone, they were out of sight.
    assert re.search(r'<form id="finder-form" class="finder" method="get" action="/#results"', html)
    assert html.index('id="results"') < html.index('id="map"')  # the meetings first, then their map
    for name in ("near", "distance", "units", "start_after", "start_before", "language", "q"):
        assert f'id="id_{name}"' in html and f'for="id_{name}"' in html
    assert html.count("<legend>") >= 6
    assert '<button type="button" class="locate" hidden>' in html, "Use my location appears only with JavaScript"


def test_a_shared_search_url_shows_its_choices_ticked(client, finder_meetings):
    html = page(client, day="tuesday", type="W", organization="smart-recovery", near="19107")
    assert 'name="day" value="2" checked' in html
    assert 'name="type" value="W" checked' in html
    assert 'value="smart-recovery" checked' in html
    assert 'value="19107"' in html


def test_javascript_gets_only_the_results_when_it_asks(client, finder_meetings):
    response = client.get("/", {"type": "W"}, headers={"X-Finder-Partial": "1"})
    html = response.content.decode()
    assert 'class="finder"' not in html and "<html" not in html
    assert 'aria-live="polite"' in html
    assert "X-Finder-Partial" in response["Vary"]


def test_the_page_uses_the_same_few_queries_whatever_it_lists(client, finder_meetings, django_assert_max_num_queries):
    # One of them counts the visit against the client's limit (FINDER_SEARCHES_PER_MINUTE); one reads the
    # fellowships' own type names, cached for the next pages.
    with django_assert_max_num_queries(12):  # 2 more for words: the types' and organizations' names
        small = page(client, q="Courage")
    with django_assert_max_num_queries(9):
        large = page(client, lat=LAT, lng=LNG, distance="100")
    assert len(listed(small)) == 1 and len(listed(large)) > 3


def test_the_page_requests_nothing_from_other_sites(client, finder_meetings):
    html = page(client)
    sources = re.findall(r'(?:src|href)="(https?:)?//', html)
    assert sources == []


def test_searches_past_the_limit_a_minute_get_a_page_saying_when_to_try_again(client, finder_meetings, settings):
    settings.FINDER_SEARCHES_PER_MINUTE = 2
    assert [client.get("/", {"near": "19107"}).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/", {"near": "19107", "type": "W"})
    assert refused.status_code == 429
    seconds = int(refused["Retry-After"])
    assert 0 < seconds <= 60
    assert "no-store" in refused["Cache-Control"]  # not kept by the browser in place of the results
    text = text_of(refused.content.decode())
    assert "Too many searches" in text
    assert f"Please try again in {seconds} second" in text
    assert '<a href="/?near=19107&amp;type=W">Try again</a>' in refused.content.decode()
    assert client.get("/", {"near": "19107"}, REMOTE_ADDR="192.0.2.9").status_code == 200  # another client
    settings.FINDER_SEARCHES_PER_MINUTE = 0  # no limit
    assert client.get("/", {"near": "19107"}).status_code == 200


def test_the_too_many_searches_page_speaks_the_visitors_language(client, finder_meetings, settings):
    settings.FINDER_SEARCHES_PER_MINUTE = 1
    client.get("/")
    refused = client.get("/", headers={"Accept-Language": "es"})
    assert refused.status_code == 429
    assert "Demasiadas búsquedas" in refused.content.decode()


@pytest.mark.parametrize("zone", ["Etc/Unknown", "Mars/Olympus_Mons", "Factory"])
def test_a_browser_zone_the_server_does_not_know_is_left_out_not_an_error(client, finder_meetings, zone):
    # The script fills the hidden zone from the browser; "Etc/Unknown" is what Chromium says when it knows none.
    html = page(client, near="19107", distance="5", tz=zone)
    assert "4 meetings within 5 mi of Philadelphia, PA 19107" in html
    assert "Please correct" not in html and "not an IANA time zone" not in html
    feed_link = re.search(r'href="/meetings/feed\.json\?([^"]*)"', html).group(1)
    assert "tz=" not in feed_link and "distance=5" in feed_link  # nor carried into the page's links
    # The API, whose caller chose the parameter, still names it.
    api = client.get("/api/v1/meetings/", {"near": "19107", "tz": zone})
    assert api.status_code == 400 and "tz" in api.json()


def test_near_me_typed_in_the_place_box_points_to_use_my_location(client, finder_meetings):
    html = page(client, near="near me")
    assert "To search near where you are, type your ZIP code or city (or press “Use my location”" in text_of(html)
    assert not listed(html)


def test_tonight_alone_lists_tonights_meetings_everywhere_soonest_first(client, finder_meetings):
    response = client.get("/", {"near": "tonight"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][0] == "/?day=today&time=evening&time=night#results"
    assert "soonest first" in text_of(html)
    assert 'value="today" checked' in html and 'value="evening" checked' in html


def test_a_search_without_a_place_says_its_days_are_the_visitors_own(client, finder_meetings):
    html = text_of(page(client, attendance="online", day="today", tz="Asia/Tokyo"))
    assert "Days and times chosen are your own, in Asia/Tokyo, wherever the meetings are." in html
    # Around a place, or with no day or time chosen, nothing to say.
    assert "your own, in" not in text_of(page(client, near="19107", day="today", tz="Asia/Tokyo"))
    assert "your own, in" not in text_of(page(client, attendance="online", tz="Asia/Tokyo"))
