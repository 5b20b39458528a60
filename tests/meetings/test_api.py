"""/api/v1/: the finder's search as JSON, with the same parameter names as the page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.utils.text import slugify
from drf_spectacular.validation import validate_schema

from finder.pagination import CountingPaginator
from meetings.distance import great_circle_miles
from meetings.filters import MeetingFilter
from meetings.models import Meeting, MeetingType
from meetings.schedule import weekday_of
from tests.factories import make_meeting
from tests.meetings.conftest import PHILADELPHIA

pytestmark = pytest.mark.django_db
LAT, LNG = PHILADELPHIA


def search(client, **params):
    response = client.get("/api/v1/meetings/", params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(client, **params) -> list[str]:
    return [row["slug"] for row in search(client, **params)["results"]]


class TestWhere:
    def test_a_radius_search_finds_meetings_within_it_nearest_first(self, client, finder_meetings):
        rows = search(client, lat=LAT, lng=LNG, distance=5)["results"]
        # Two venues: the church first; at one venue, the meeting that comes next first.
        assert {r["slug"] for r in rows[:2]} == {"mujeres", "courage-hybrid"}
        assert {r["slug"] for r in rows[2:]} == {"kensington-open", "friday-celebrate"}
        order = [(r["distance"], dt.datetime.fromisoformat(r["next_start"])) for r in rows]
        assert order == sorted(order)

    def test_meetings_at_the_same_distance_come_soonest_first(self, finder_meetings):
        tuesday_noon = dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC)  # 12:00 in Philadelphia
        search_ = MeetingFilter(QueryDict(f"lat={LAT}&lng={LNG}"), now=tuesday_noon)
        assert search_.is_valid()
        # Mujeres (Tuesday 19:30) before Courage (Saturday 10:00) at the church; at Kensington, the open
        # meeting (Tuesday 12:00) is in progress, before Friday's.
        assert [m.slug for m in search_.qs[:4]] == ["mujeres", "courage-hybrid", "kensington-open", "friday-celebrate"]
        saturday = dt.datetime(2026, 12, 12, 14, 0, tzinfo=dt.UTC)  # 09:00 in Philadelphia
        search_ = MeetingFilter(QueryDict(f"lat={LAT}&lng={LNG}"), now=saturday)
        assert search_.is_valid()
        assert [m.slug for m in search_.qs[:2]] == ["courage-hybrid", "mujeres"]

    def test_the_soonest_meeting_at_a_venue_is_on_the_first_page(self, finder_meetings):
        # Sorting each page alone put Saturday's meeting first when Tuesday's was on the next page.
        saturday = dt.datetime(2026, 12, 12, 14, 0, tzinfo=dt.UTC)  # 09:00 in Philadelphia
        for now, first in [(saturday, "courage-hybrid"), (saturday + dt.timedelta(days=3), "mujeres")]:
            search_ = MeetingFilter(QueryDict(f"lat={LAT}&lng={LNG}"), now=now)
            assert search_.is_valid()
            pages = CountingPaginator(search_.qs, 1)
            assert [m.slug for m in pages.page(1)] == [first]
            assert pages.count == 4

    def test_each_result_carries_its_distance_in_the_units_asked(self, client, finder_meetings):
        miles = {r["slug"]: r["distance"] for r in search(client, lat=LAT, lng=LNG, distance=25)["results"]}
        km = {r["slug"]: r["distance"] for r in search(client, lat=LAT, lng=LNG, distance=50, units="km")["results"]}
        expected = great_circle_miles(LAT, LNG, 40.0712, -74.8649)
        assert miles["burlington-smart"] == round(expected, 1)
        assert km["burlington-smart"] == round(expected * 1.609344, 1)
        assert search(client, lat=LAT, lng=LNG)["results"][0]["units"] == "mi"

    def test_a_zip_code_is_a_place(self, client, finder_meetings):
        assert "mujeres" in slugs(client, near="19107", distance=2)
        assert "burlington-smart" not in slugs(client, near="19107", distance=2)

    def test_online_meetings_are_found_without_a_place(self, client, finder_meetings):
        assert set(slugs(client, attendance="online")) == {"smart-online", "courage-hybrid"}

    def test_an_online_search_ignores_the_distance_but_shows_the_visitors_time(self, client, finder_meetings):
        rows = search(client, attendance="online", near="19107", distance=1)["results"]
        online = next(r for r in rows if r["slug"] == "smart-online")
        assert online["distance"] is None
        visitor = dt.datetime.fromisoformat(online["visitor_time"])
        meeting = dt.datetime.fromisoformat(online["next_start"])
        assert visitor == meeting and visitor.utcoffset() != meeting.utcoffset()
        assert "America/Los_Angeles" in online["local_time"]


class TestWhat:
    def test_types_combine_with_and(self, client, finder_meetings):
        assert slugs(client, type=["W", "S"]) == ["mujeres"]
        assert set(slugs(client, type="W")) == {"mujeres", "burlington-smart"}

    def test_several_organizations_combine_with_or(self, client, finder_meetings):
        found = set(slugs(client, organization=["smart-recovery", "al-anon"]))
        assert found == {"burlington-smart", "smart-online", "courage-hybrid"}

    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("secular", {"burlington-smart", "smart-online"}),
            ("family", {"courage-hybrid"}),
            ("religious", {"friday-celebrate"}),
            ("twelve-step", {"mujeres", "kensington-open", "courage-hybrid"}),
        ],
    )
    def test_the_four_kinds_find_their_fellowships(self, client, finder_meetings, kind, expected):
        assert set(slugs(client, kind=kind)) == expected

    def test_in_person_includes_hybrid_and_hybrid_is_only_hybrid(self, client, finder_meetings):
        assert "courage-hybrid" in slugs(client, attendance="in_person")
        assert slugs(client, attendance="hybrid") == ["courage-hybrid"]

    def test_online_and_hybrid_together_are_still_online_meetings_found_without_distance(self, client, finder_meetings):
        # Adding hybrid (which "online" already includes) brought the distance back and dropped online-only ones.
        online = slugs(client, near="Burlington, VT", attendance="online")
        assert online and slugs(client, near="Burlington, VT", attendance=["online", "hybrid"]) == online

    def test_in_person_and_online_together_near_a_place_find_venues_within_reach_and_online_meetings(
        self, client, finder_meetings
    ):
        # Before, the place's radius applied to all: every online-only meeting was dropped.
        both = search(client, near="19107", distance="5", attendance=["in_person", "online"])["results"]
        found = [row["slug"] for row in both]
        # Within 5 mi, nearest first (the hybrid one too); the 21-mile in-person meeting is out of reach.
        assert set(found[:4]) == {"mujeres", "courage-hybrid", "kensington-open", "friday-celebrate"}
        assert [row["distance"] is not None for row in both] == [True] * 4 + [False]
        assert found[4] == "smart-online" and "burlington-smart" not in found
        # Farther than the radius, a hybrid meeting is still there to join online, without a distance.
        far = search(client, near="Burlington, VT", distance="5", attendance=["in_person", "online"])["results"]
        assert {row["slug"]: row["distance"] for row in far} == {"smart-online": None, "courage-hybrid": None}

    @pytest.mark.parametrize(("iso", "code"), [("ko", "KOR"), ("tr", "TUR"), ("pa", "PUN"), ("ja", "JA")])
    def test_an_iso_code_names_a_language_whose_type_code_differs(self, client, finder_meetings, iso, code):
        assert (
            client.get("/api/v1/meetings/", {"language": iso}).json()
            == client.get("/api/v1/meetings/", {"language": code}).json()
        )

    def test_language_takes_a_type_code_or_an_iso_code(self, client, finder_meetings):
        assert set(slugs(client, language="S")) == set(slugs(client, language="es")) == {"mujeres", "courage-hybrid"}

    def test_words_in_capitals_find_accented_words_in_lower_case(self, client, finder_meetings):
        # SQLite's LIKE ignores the case of A-Z only: "RECUPERACIÓN" found nothing.
        assert slugs(client, q="RECUPERACIÓN") == slugs(client, q="recuperación") == ["mujeres"]

    def test_words_typed_as_written_still_find_capital_accented_letters(self, client, finder_meetings):
        Meeting.objects.filter(slug="mujeres").update(name="Grupo Ánimo ÉXITO")  # rolled back after the test
        assert slugs(client, q="Ánimo") == slugs(client, q="ÉXITO") == slugs(client, q="éxito") == ["mujeres"]

    def test_words_ignore_accents_on_postgresql(self, client, finder_meetings):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("SQLite has no unaccent")
        assert slugs(client, q="Recuperacion") == slugs(client, q="recuperación") == ["mujeres"]

    def test_words_match_name_venue_and_notes(self, client, finder_meetings):
        assert slugs(client, q="cedar street") == ["kensington-open"]
        assert set(slugs(client, q="burlington")) == {"burlington-smart"}

    def test_words_find_the_meetings_of_a_type_or_an_organization_by_its_name(self, client, finder_meetings):
        # "women" and "smart" typed in the Words box found only meetings with the word in their own texts.
        women = {"mujeres", "burlington-smart"}  # the Women type, though neither name says "women"
        assert set(slugs(client, q="women")) == set(slugs(client, q="MUJERES")) == women
        assert set(slugs(client, q="smart")) == {"burlington-smart", "smart-online"}
        assert set(slugs(client, q="AA")) == {"mujeres", "kensington-open"}
        assert slugs(client, q="women smart") == ["burlington-smart"]  # each word, and
        assert slugs(client, q="men") == []  # a whole word: the Men type, not Women

    def test_words_match_at_the_start_of_a_word_of_the_texts(self, client, finder_meetings):
        # "men" found every "Women's …" meeting: a word now starts where a word of the name, venue or notes does.
        Meeting.objects.filter(slug="kensington-open").update(name="Women's Open Discussion")  # rolled back
        assert slugs(client, q="men") == []
        assert slugs(client, q="wom") == slugs(client, q="women's") == ["kensington-open"]
        assert slugs(client, q="recuper") == ["mujeres"]  # the start of "Recuperación"
        assert slugs(client, q="cuperación") == []  # not its middle

    def test_more_than_eight_words_are_refused_not_cut_short_in_silence(self, client, finder_meetings):
        # The ninth word was dropped: "… zzz-not-there" found every meeting the first eight found.
        assert slugs(client, q=" ".join(["cedar"] * 8)) == ["kensington-open"]
        response = client.get("/api/v1/meetings/", {"q": " ".join(["cedar"] * 8 + ["zzz-not-there"])})
        assert response.status_code == 400
        assert response.json() == {"q": ["Give at most 8 words."]}

    def test_drafts_are_never_listed_or_shown(self, client, finder_meetings):
        assert "draft" not in slugs(client, page_size=100)
        assert client.get("/api/v1/meetings/draft/").status_code == 404

    @pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("es", "No encontrado.")])
    def test_a_missing_meeting_is_not_found_in_the_clients_language(self, client, finder_meetings, language, detail):
        response = client.get("/api/v1/meetings/no-such-meeting/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        assert response.json() == {"detail": detail}  # not Django's "No Meeting matches the given query."


class TestWhen:
    def test_a_day_by_number_or_by_name_is_the_same_day(self, client, finder_meetings):
        assert slugs(client, day="2") == slugs(client, day="tuesday")
        assert set(slugs(client, day=["2", "saturday"])) == {"mujeres", "kensington-open", "courage-hybrid"}

    def test_today_is_the_meetings_own_today(self, client, finder_meetings):
        rows = search(client, day="today", page_size=100)["results"]
        for row in rows:
            assert row["day"] == weekday_of(dt.datetime.now(ZoneInfo(row["timezone"])))

    def test_time_of_day_and_start_range(self, client, finder_meetings):
        assert set(slugs(client, time="night")) == {"friday-celebrate"}
        assert set(slugs(client, start_after="19:00", start_before="21:00")) == {"mujeres", "smart-online"}

    def test_without_a_place_results_come_in_order_of_their_next_start(self, client, finder_meetings):
        starts = [dt.datetime.fromisoformat(r["next_start"]) for r in search(client, page_size=100)["results"]]
        assert starts == sorted(starts)

    def test_each_result_names_its_zone(self, client, finder_meetings):
        row = next(r for r in search(client, q="Mujeres Recuperación")["results"])
        assert row["timezone"] == "America/New_York"
        assert row["local_time"].startswith("Tuesday 7:30 PM E")  # EST or EDT


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"day": "8"}, "day"),
            ({"day": "someday"}, "day"),
            ({"time": "teatime"}, "time"),
            ({"distance": "3"}, "distance"),
            ({"units": "furlongs"}, "units"),
            ({"lat": "200", "lng": "0"}, "lat"),
            ({"lat": "north", "lng": "0"}, "lat"),
            ({"lat": "40"}, "lng"),
            ({"lat": "0", "lng": "null"}, "lng"),
            ({"lat": "nan", "lng": "0"}, "lat"),
            ({"lat": "0", "lng": "-inf"}, "lng"),
            ({"near": "19107", "lat": "40", "lng": "-75"}, "near"),
            ({"near": "00000"}, "near"),
            ({"near": "Xqzzyville, ZZ"}, "near"),
            ({"near": ","}, "near"),
            # Arabic-Indic digits: the ZIP code library panicked on them; now read as 00000, which is no ZIP code.
            ({"near": "\u0660\u0660\u0660\u0660\u0660"}, "near"),
            ({"language": "zz"}, "language"),
            ({"language": "W"}, "language"),  # Women: a type, not a language
            ({"type": "NOPE"}, "type"),
            ({"organization": "no-such-fellowship"}, "organization"),
            ({"kind": "pagan"}, "kind"),
            ({"attendance": "telepathy"}, "attendance"),
            ({"start_after": "25:00"}, "start_after"),
            ({"soon": "perhaps"}, "soon"),
            ({"tz": "Mars/Olympus_Mons"}, "tz"),
            ({"tz": "Factory"}, "tz"),  # zones of no place
            ({"tz": "localtime"}, "tz"),
            ({"dya": "2"}, "dya"),
        ],
    )
    def test_a_bad_parameter_gets_a_400_naming_it(self, client, finder_meetings, params, field):
        response = client.get("/api/v1/meetings/", params)
        assert response.status_code == 400
        body = response.json()
        assert field in body and body[field] and all(isinstance(message, str) for message in body[field])

    def test_a_value_repeated_hundreds_of_times_counts_once(self, client, finder_meetings):
        # The repeats made SQL too deep for SQLite: a 500.
        repeated = client.get("/api/v1/meetings/", {"time": ["night"] * 990})
        once = client.get("/api/v1/meetings/", {"time": "night"})
        assert repeated.status_code == 200
        assert repeated.json()["count"] == once.json()["count"] > 0

    @pytest.mark.parametrize("name", ["day", "time", "type", "organization", "kind", "attendance"])
    def test_a_blank_value_is_no_choice(self, client, finder_meetings, name):
        # It was "Select a valid choice.  is not one of the available choices.", naming nothing.
        everything = client.get("/api/v1/meetings/").json()["count"]
        assert client.get("/api/v1/meetings/", {name: ""}).json()["count"] == everything
        assert client.get("/api/v1/meetings/", {name: " "}).json()["count"] == everything  # only a space

    def test_more_different_values_than_a_search_takes_are_refused(self, client, finder_meetings):
        codes = list(MeetingType.objects.order_by("code").values_list("code", flat=True)[:21])
        assert len(codes) == 21
        response = client.get("/api/v1/meetings/", {"type": codes})
        assert response.status_code == 400
        assert response.json()["type"] == ["Give at most 20 values."]

    @pytest.mark.parametrize(
        ("name", "values"),
        [
            ("lat", ["40", "41"]),
            ("near", ["19103", "Springfield, IL"]),
            ("distance", ["5", "50"]),
            ("soon", ["1", "0"]),
        ],
    )
    def test_a_parameter_that_takes_one_value_refuses_two(self, client, finder_meetings, name, values):
        # Django's QueryDict took the last in silence: a search around somewhere else.
        response = client.get("/api/v1/meetings/", {name: values, "lng": "-75"})
        assert response.status_code == 400
        assert response.json()[name] == ["Give one value, not several."]

    @pytest.mark.parametrize(
        "values", [{"q": ["cedar", "cedar"]}, {"q": ["", "cedar"]}, {"q": ["cedar", ""]}, {"q": ["cedar", "", "cedar"]}]
    )
    def test_a_parameter_given_twice_alike_or_beside_a_blank_is_that_one_value(self, client, finder_meetings, values):
        # ?q=cedar&q= searched without the words: Django takes the last value, the blank.
        assert slugs(client, **values) == slugs(client, q="cedar") == ["kensington-open"]

    def test_a_place_beside_a_blank_is_still_the_place(self, client, finder_meetings):
        assert slugs(client, near=["19107", ""], distance=5) == slugs(client, near="19107", distance=5)
        assert search(client, lat=[str(LAT), ""], lng=str(LNG))["count"] == search(client, lat=LAT, lng=LNG)["count"]

    def test_several_bad_parameters_are_all_named(self, client, finder_meetings):
        body = client.get("/api/v1/meetings/", {"day": "9", "units": "x", "bogus": "1"}).json()
        assert set(body) == {"day", "units", "bogus"}

    def test_a_page_size_above_the_maximum_is_capped(self, client, finder_meetings):
        assert client.get("/api/v1/meetings/", {"page_size": 100000}).status_code == 200

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"page": "0"}, "page"),
            ({"page": "-1"}, "page"),
            ({"page": "abc"}, "page"),
            ({"page": "1.5"}, "page"),
            ({"page": "1_0"}, "page"),
            ({"page_size": "0"}, "page_size"),
            ({"page_size": "abc"}, "page_size"),
            # Two values: the last one won in silence, as filters' did before.
            ({"page": ["1", "2"]}, "page"),
            ({"page_size": ["5", "10"]}, "page_size"),
        ],
    )
    def test_a_bad_page_or_page_size_is_a_400_naming_it(self, client, finder_meetings, params, field):
        for url in ("/api/v1/meetings/", "/api/v1/organizations/"):
            response = client.get(url, params)
            assert response.status_code == 400
            assert list(response.json()) == [field]

    def test_a_page_beside_a_blank_stands(self, client, finder_meetings):
        # ?page=2&page= showed page 1: the blank came last.
        second = search(client, page="2", page_size="2")["results"]
        assert search(client, page=["2", ""], page_size=["2", ""])["results"] == second != []

    def test_the_last_page_is_asked_for_by_name_as_drf_allows(self, client, finder_meetings):
        body = client.get("/api/v1/meetings/", {"page": "last", "page_size": 2}).json()
        assert body["next"] is None and body["previous"] is not None

    def test_a_page_number_too_long_to_read_is_not_found(self, client, finder_meetings):
        # int() refuses more than 4,300 digits: it was a 500.
        assert client.get("/api/v1/meetings/", {"page": "9" * 4400}).status_code == 404
        assert client.get("/api/v1/meetings/", {"page_size": "9" * 4400}).status_code == 200

    def test_the_organizations_take_a_page_size_too(self, client, finder_meetings):
        body = client.get("/api/v1/organizations/", {"page_size": 2}).json()
        assert len(body["results"]) == 2 and body["count"] > 2

    @pytest.mark.parametrize("page", ["368934881474191034", "9223372036854775807", "99999999999999999999999"])
    def test_a_page_far_past_the_last_is_not_found(self, client, finder_meetings, page):
        # Its offset overflowed the database's integers: a 500.
        response = client.get("/api/v1/meetings/", {"page": page})
        assert response.status_code == 404
        assert client.get("/", {"page": page}).status_code == 200  # the page shows the last page


class TestContract:
    def test_a_result_has_the_documented_fields(self, client, finder_meetings):
        row = search(client, q="Courage")["results"][0]
        assert row["organization"] == {
            "slug": "al-anon",
            "name": "Al-Anon",
            "short_name": "",
            "url": "/organizations/al-anon/",
        }
        assert row["attendance_mode"] == "hybrid"
        assert row["location"]["name"] == "Center City Church"
        assert row["conference_url"] == "https://example.org/j/2"
        assert [t["code"] for t in row["types"]] == ["S"]
        assert "contacts" not in row

    def test_the_query_count_does_not_grow_with_the_page_size(
        self, client, finder_meetings, django_assert_max_num_queries
    ):
        # The client's rate-limit count, the time zones in use (cached for minutes: read by the first search
        # only), the matching keys with their count, the page's meetings, their types.
        with django_assert_max_num_queries(5):
            one = client.get("/api/v1/meetings/", {"page_size": 1, "lat": LAT, "lng": LNG, "distance": 50})
        with django_assert_max_num_queries(4):
            many = client.get("/api/v1/meetings/", {"page_size": 100, "lat": LAT, "lng": LNG, "distance": 50})
        assert len(one.json()["results"]) == 1 and len(many.json()["results"]) > 1

    def test_a_search_by_organization_takes_no_more_queries(
        self, client, finder_meetings, django_assert_max_num_queries
    ):
        search = {"organization": ["smart-recovery", "al-anon"], "page_size": 1, "lat": LAT, "lng": LNG, "distance": 50}
        # The rate-limit count, the slugs checked, the zones in use (a first search), the keys, the page's rows,
        # their types.
        with django_assert_max_num_queries(6):
            found = client.get("/api/v1/meetings/", search)
        assert found.json()["count"] == 2 and len(found.json()["results"]) == 1

    def test_a_meeting_by_its_slug(self, client, finder_meetings):
        response = client.get("/api/v1/meetings/mujeres/")
        assert response.status_code == 200
        assert response.json()["name"] == "Mujeres en Recuperación"

    def test_the_browsable_apis_filters_offer_the_type_codes_with_their_names(self, client, finder_meetings):
        page = client.get("/api/v1/meetings/", {"type": "W"}, HTTP_ACCEPT="text/html").content.decode()
        assert '<option value="W" selected>W: Women</option>' in page
        assert '<option value="O">O: Open</option>' in page
        spanish = client.get("/api/v1/meetings/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert '<option value="W">W: Mujeres</option>' in spanish

    def test_the_api_is_read_only_for_the_public(self, client, finder_meetings):
        assert client.post("/api/v1/meetings/", {"name": "x"}).status_code in (401, 403, 405)
        assert client.delete("/api/v1/meetings/mujeres/").status_code in (401, 403, 405)

    def test_organizations_and_types_are_listed(self, client, finder_meetings, django_assert_max_num_queries):
        with django_assert_max_num_queries(8):
            organizations = client.get("/api/v1/organizations/", {"page_size": 100}).json()
        assert organizations["count"] >= 30
        smart = client.get("/api/v1/organizations/smart-recovery/").json()
        assert {figure["source"] for figure in smart["figures"]} >= {"004_90ad97b3dab66da0.txt"}
        types = client.get("/api/v1/types/").json()
        assert {"code": "W", "name_en": "Women", "name_es": "Mujeres", "facet": "community"} in types

    def test_the_schema_documents_every_parameter_and_the_400(self, client, finder_meetings):
        schema = client.get("/api/schema/", {"format": "json"}).json()
        operation = schema["paths"]["/api/v1/meetings/"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        expected = {
            "near",
            "lat",
            "lng",
            "distance",
            "units",
            "day",
            "time",
            "start_after",
            "start_before",
            "soon",
            "now",
            "type",
            "organization",
            "kind",
            "attendance",
            "language",
            "q",
            "page",
            "page_size",
        }
        assert expected <= names
        assert "400" in operation["responses"]
        undocumented = [p["name"] for p in operation["parameters"] if not p.get("description")]
        assert undocumented == []
        day = next(p for p in operation["parameters"] if p["name"] == "day")
        assert "0 = Sunday" in day["description"]
        by_name = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert (by_name["lat"]["minimum"], by_name["lat"]["maximum"]) == (-90, 90)
        assert (by_name["lng"]["minimum"], by_name["lng"]["maximum"]) == (-180, 180)
        assert by_name["distance"]["enum"] == [1, 2, 5, 10, 15, 25, 50, 100]
        page_size = next(p for p in operation["parameters"] if p["name"] == "page_size")
        assert page_size["description"] == "Results per page, from 1 to 100 (default 25); more is taken as 100."
        # "00:00:00Z" is a time in OpenAPI's format, and a 400 here.
        assert "format" not in by_name["start_after"] and re.fullmatch(by_name["start_after"]["pattern"], "19:30")
        assert not re.fullmatch(by_name["start_before"]["pattern"], "00:00:00Z")
        # page=0 and page_size=0 are 400s, so the schema must not offer them.
        assert by_name["page"]["minimum"] == by_name["page_size"]["minimum"] == 1

    def test_the_schema_is_valid_openapi(self, client, finder_meetings):
        # It said "additional_properties" for the 400's body, which OpenAPI does not know.
        validate_schema(client.get("/api/schema/", {"format": "json"}).json())

    def test_the_docs_page_loads_nothing_from_other_sites(self, client, finder_meetings):
        page = client.get("/api/docs/").content.decode()
        assert "swagger" in page.lower()
        assert "cdn" not in page and "//unpkg" not in page


class TestFastSerializer:
    """The list's hand-written JSON, from plain rows (for speed), is exactly what the declared fields give."""

    @pytest.mark.parametrize(
        "params",
        [{}, {"lat": LAT, "lng": LNG, "distance": 25, "units": "km"}, {"attendance": "online", "tz": "Europe/Madrid"}],
    )
    def test_it_writes_the_same_json_as_drfs_generic_fields(self, rf, finder_meetings, params):
        from rest_framework import serializers

        from meetings.api import MeetingViewSet

        view = MeetingViewSet.as_view({"get": "list"})
        request = rf.get("/api/v1/meetings/", params)
        response = view(request)
        assert response.status_code == 200
        viewset = response.renderer_context["view"]
        serializer = viewset.get_serializer()
        rows = list(viewset.filter_queryset(viewset.get_queryset()))
        assert rows
        for row in rows:
            # The list reads plain rows; DRF's fields read a Meeting, with the same search's distance.
            meeting = Meeting.objects.with_details().get(pk=row.pk)
            if hasattr(row, "distance"):
                meeting.distance = row.distance
            generic = serializers.ModelSerializer.to_representation(serializer, meeting)
            assert serializer.to_representation(row) == generic
            assert serializer.to_representation(meeting) == generic


class TestDaysAndHoursWithoutAPlace:
    """Online meetings anywhere: "today" and "evening" in the visitor's zone when the search names it."""

    # Friday 4 December 2026, 16:30 in New York (21:30 UTC): Saturday 10:30 in Auckland.
    NOW = dt.datetime(2026, 12, 4, 21, 30, tzinfo=dt.UTC)

    @pytest.fixture
    def online(self, finder_meetings):
        smart = finder_meetings["online_smart"].organization
        made = [
            make_meeting(
                organization=smart, name=name, slug=slugify(name), day=day, start_time=dt.time(*start),
                timezone=zone, attendance_mode=Meeting.Attendance.ONLINE,
            )
            for name, day, start, zone in [
                ("Auckland Saturday 9 PM", 6, (21, 0), "Pacific/Auckland"),  # Saturday 03:00 in New York
                ("Auckland Saturday 11 AM", 6, (11, 0), "Pacific/Auckland"),  # Friday 17:00 in New York
                ("Los Angeles Friday 3 PM", 5, (15, 0), "America/Los_Angeles"),  # Friday 18:00 in New York
            ]
        ]  # fmt: skip
        return {meeting.name for meeting in made}

    def found(self, query: str) -> set[str]:
        search_ = MeetingFilter(QueryDict(query), now=self.NOW)
        assert search_.is_valid(), search_.errors
        return {meeting.name for meeting in search_.qs}

    def test_today_is_the_visitors_day_when_the_search_names_their_zone(self, online):
        found = self.found("attendance=online&day=today&tz=America/New_York") & online
        assert found == {"Auckland Saturday 11 AM", "Los Angeles Friday 3 PM"}

    def test_without_the_visitors_zone_today_is_each_meetings_own(self, online):
        # Saturday in Auckland: both of Auckland's meetings; Los Angeles's Friday too.
        assert self.found("attendance=online&day=today") & online == online

    def test_evening_is_the_visitors_evening(self, online):
        found = self.found("attendance=online&time=evening&tz=America/New_York") & online
        assert found == {"Auckland Saturday 11 AM", "Los Angeles Friday 3 PM"}  # 17:00 and 18:00 in New York

    def test_a_start_range_is_on_the_visitors_clock_too(self, online):
        found = self.found("attendance=online&start_after=17:30&start_before=18:00&tz=America/New_York") & online
        assert found == {"Los Angeles Friday 3 PM"}

    def test_around_a_place_each_meeting_keeps_its_own_day(self, online):
        # In person near Philadelphia: the place's (the meetings' own) today, whatever the visitor's zone.
        # Friday in Philadelphia, Saturday morning in Tokyo: Friday's meetings, as without a zone.
        near = f"lat={LAT}&lng={LNG}&distance=25&day=today"
        assert self.found(f"{near}&tz=Asia/Tokyo") == self.found(near) == {"Friday Celebrate"}


class TestDetailsAndTypes:
    def test_a_meetings_detail_gives_its_next_start_in_the_visitors_zone(self, client, finder_meetings):
        body = client.get("/api/v1/meetings/mujeres/", {"tz": "Asia/Tokyo"}).json()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT0[89]:30:00\+09:00", body["visitor_time"])  # 19:30 in New York
        assert client.get("/api/v1/meetings/mujeres/").json()["visitor_time"] is None

    def test_a_detail_names_a_bad_zone_or_an_unknown_parameter(self, client, finder_meetings):
        bad = client.get("/api/v1/meetings/mujeres/", {"tz": "Mars/Base", "dya": "2"})
        assert bad.status_code == 400 and set(bad.json()) == {"tz", "dya"}

    def test_a_details_zone_is_read_as_the_lists_read_it(self, client, finder_meetings):
        assert client.get("/api/v1/meetings/mujeres/", {"tz": " "}).json()["visitor_time"] is None  # blank
        twice = client.get("/api/v1/meetings/mujeres/", {"tz": ["Asia/Tokyo", "Europe/London"]})
        assert twice.status_code == 400 and twice.json() == {"tz": ["Give one value, not several."]}
        same = client.get("/api/v1/meetings/mujeres/", {"tz": ["Asia/Tokyo", "Asia/Tokyo"]})
        assert same.json()["visitor_time"].endswith("+09:00")

    def test_an_organizations_detail_names_a_parameter_it_does_not_take(self, client, finder_meetings):
        response = client.get("/api/v1/organizations/al-anon/", {"foo": "1"})
        assert response.status_code == 400 and response.json() == {"foo": ["Unknown parameter."]}
        assert client.get("/api/v1/organizations/al-anon/", {"format": "json"}).status_code == 200

    def test_the_types_list_refuses_a_parameter_it_does_not_take(self, client, finder_meetings):
        response = client.get("/api/v1/types/", {"facet": "language"})
        assert response.status_code == 400 and response.json() == {"facet": ["Unknown parameter."]}

    def test_a_type_is_found_by_its_code_in_any_letter_case(self, client, finder_meetings):
        assert client.get("/api/v1/types/w/").json()["code"] == "W"
        assert client.get("/api/v1/types/W/").json()["code"] == "W"
        assert client.get("/api/v1/types/nope/").status_code == 404


class TestSoonAndNow:
    # Tuesday 8 December 2026, 19:45 in Philadelphia: Mujeres (Tuesday 19:30-20:30) is in progress.
    NOW = dt.datetime(2026, 12, 9, 0, 45, tzinfo=dt.UTC)

    def found(self, query: str) -> set[str]:
        search_ = MeetingFilter(QueryDict(query), now=self.NOW)
        assert search_.is_valid(), search_.errors
        return {meeting.slug for meeting in search_.qs}

    def test_both_ticked_find_either_a_meeting_going_on_or_one_about_to_begin(self, finder_meetings):
        make_meeting(
            organization=finder_meetings["online_smart"].organization, slug="about-to-begin", day=2,
            start_time=dt.time(20, 0), attendance_mode=Meeting.Attendance.ONLINE,
        )  # fmt: skip
        going, starting = self.found("now=true"), self.found("soon=true")
        assert "mujeres" in going and "about-to-begin" in starting
        assert self.found("soon=true&now=true") == going | starting
