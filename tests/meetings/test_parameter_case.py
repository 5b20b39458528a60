"""Fixed-choice search parameters typed by hand (?day=Monday, ?units=KM) mean what their lower-case spelling means,
on the page and in the API alike; anything else is still refused, by name."""

import re

import pytest
from django.http import QueryDict

from meetings.filters import MeetingFilter
from tests.meetings.conftest import PHILADELPHIA

pytestmark = pytest.mark.django_db
LAT, LNG = PHILADELPHIA

# (the search as a person types it, the same search spelt in lower case)
SPELLINGS = [
    ({"day": "Tuesday"}, {"day": "tuesday"}),
    ({"day": "TUESDAY"}, {"day": "tuesday"}),
    ({"day": "Thursday"}, {"day": "thursday"}),  # Burlington SMART: not an empty list compared with itself
    ({"day": ["Today", "TOMORROW"]}, {"day": ["today", "tomorrow"]}),
    ({"time": "Evening"}, {"time": "evening"}),
    ({"attendance": ["Online", "In_Person"]}, {"attendance": ["online", "in_person"]}),
    ({"kind": "Secular"}, {"kind": "secular"}),
    ({"units": "KM", "lat": LAT, "lng": LNG, "distance": 50}, {"units": "km", "lat": LAT, "lng": LNG, "distance": 50}),
]


SPELLING_IDS = ["Tuesday", "TUESDAY", "Thursday", "Today-TOMORROW", "Evening", "Online-In_Person", "Secular", "KM"]


def api_slugs(client, params: dict) -> list[str]:
    response = client.get("/api/v1/meetings/", params)
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def page_slugs(client, params: dict) -> list[str]:
    response = client.get("/", params)
    assert response.status_code == 200
    assert response.context["valid"], response.context["other_errors"]
    return [result.meeting.slug for result in response.context["results"]]


@pytest.mark.parametrize(("typed", "canonical"), SPELLINGS, ids=SPELLING_IDS)
def test_it_finds_the_same_meetings_in_the_api_whatever_the_letter_case(client, finder_meetings, typed, canonical):
    assert api_slugs(client, typed) == api_slugs(client, canonical)


@pytest.mark.parametrize(("typed", "canonical"), SPELLINGS, ids=SPELLING_IDS)
def test_it_lists_the_same_meetings_on_the_page_whatever_the_letter_case(client, finder_meetings, typed, canonical):
    assert page_slugs(client, typed) == page_slugs(client, canonical)


def test_it_finds_tuesdays_meetings_for_day_tuesday_capitalised(client, finder_meetings):
    # Not merely the same empty list: the fixture's Tuesday meetings are found.
    assert set(api_slugs(client, {"day": "Tuesday"})) == {"mujeres", "kensington-open"}
    assert set(page_slugs(client, {"day": "Tuesday"})) == {"mujeres", "kensington-open"}


def test_it_gives_distances_in_kilometres_for_units_in_capitals(client, finder_meetings):
    rows = client.get("/api/v1/meetings/", {"lat": LAT, "lng": LNG, "distance": 50, "units": "KM"}).json()["results"]
    assert rows and {row["units"] for row in rows} == {"km"}


def test_it_cleans_each_value_to_its_lower_case_spelling(finder_meetings):
    search = MeetingFilter(QueryDict("day=Monday&day=TODAY&day=3&time=Night&attendance=Hybrid&kind=Family&units=Mi"))
    assert search.is_valid(), search.errors
    data = search.form.cleaned_data
    assert data["day"] == ["monday", "today", "3"]
    assert (data["time"], data["attendance"], data["kind"], data["units"]) == (["night"], ["hybrid"], ["family"], "mi")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "Funday"}, "day"),
        ({"time": "Teatime"}, "time"),
        ({"attendance": "Telepathy"}, "attendance"),
        ({"kind": "Pagan"}, "kind"),
        ({"units": "Leagues"}, "units"),
    ],
)
def test_it_still_refuses_an_unknown_value_naming_the_field_and_the_value_as_typed(
    client, finder_meetings, params, field
):
    response = client.get("/api/v1/meetings/", params)
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert params[field] in message  # "Funday", as typed, not "funday"


def test_it_still_names_an_unknown_day_on_the_page(client, finder_meetings):
    html = client.get("/", {"day": "Funday"}).content.decode()
    assert re.search(r'<p class="error" role="alert">Day: Select a valid choice. Funday is not one', html)


def test_it_documents_the_same_lower_case_values_in_the_schema(client, finder_meetings):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    by_name = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/meetings/"]["get"]["parameters"]}
    days = ["0", "1", "2", "3", "4", "5", "6", "friday", "monday", "saturday", "sunday", "thursday"]
    assert by_name["day"]["items"]["enum"] == [*days, "today", "tomorrow", "tuesday", "wednesday"]
    assert by_name["time"]["items"]["enum"] == ["afternoon", "evening", "midday", "morning", "night"]
    assert by_name["attendance"]["items"]["enum"] == ["hybrid", "in_person", "online"]
    assert by_name["kind"]["items"]["enum"] == ["family", "religious", "secular", "twelve-step"]
    assert by_name["units"]["enum"] == ["km", "mi"]


def test_the_page_ticks_the_boxes_of_values_given_in_capitals(client, finder_meetings):
    # Otherwise the next search from the form would drop the day it showed.
    html = client.get(
        "/", {"day": "Tuesday", "time": "EVENING", "attendance": "Online", "kind": "Secular"}
    ).content.decode()
    for name, value in (("day", "2"), ("time", "evening"), ("attendance", "online"), ("kind", "secular")):
        assert re.search(rf'name="{name}" value="{value}"[^>]* checked', html), name


def test_the_organization_directory_takes_kind_and_audience_in_any_case(client, finder_meetings):
    capitals = client.get("/api/v1/organizations/", {"kind": "Secular", "audience": "FAMILY"})
    lower = client.get("/api/v1/organizations/", {"kind": "secular", "audience": "family"})
    assert capitals.status_code == 200 and capitals.json() == lower.json()
    html = client.get("/organizations/", {"kind": "Secular", "audience": "Family"}).content.decode()
    assert re.search(r'name="kind" value="secular"[^>]* checked', html)
    assert '<option value="family" selected>' in html


def test_type_codes_are_taken_in_any_letter_case(client, finder_meetings):
    assert api_slugs(client, {"type": ["w", "s"]}) == api_slugs(client, {"type": ["W", "S"]}) == ["mujeres"]
    assert re.search(r'name="type" value="W" checked', client.get("/", {"type": "w"}).content.decode())
    assert client.get("/api/v1/meetings/", {"type": "zz"}).json() == {
        "type": ["Select a valid choice. zz is not one of the available choices."]
    }
