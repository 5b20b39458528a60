"""What shared caches (a company's proxy, a CDN) may keep: a search stays in the browser, a language per reader."""

import pytest
from django.http import HttpResponse

from finder.caching import private_searches
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def meeting_near_philadelphia(directory, django_db_blocker):
    with django_db_blocker.unblock():
        return make_meeting(name="Rittenhouse Noon", slug="rittenhouse-noon")


def cache_control(response) -> set[str]:
    return {directive.strip() for directive in response.get("Cache-Control", "").split(",") if directive.strip()}


def varies_on(response) -> set[str]:
    return {header.strip().lower() for header in response.get("Vary", "").split(",")}


def test_it_keeps_a_searched_place_on_the_finder_page_out_of_shared_caches(client, meeting_near_philadelphia):
    response = client.get("/", {"near": "19103"})
    assert response.status_code == 200 and "Rittenhouse Noon" in response.content.decode()
    assert "private" in cache_control(response)


def test_it_keeps_an_api_search_out_of_shared_caches(client, meeting_near_philadelphia):
    response = client.get("/api/v1/meetings/", {"lat": "39.95", "lng": "-75.17"})
    assert [row["slug"] for row in response.json()["results"]] == ["rittenhouse-noon"]
    assert "private" in cache_control(response)


def test_it_keeps_a_searchs_own_redirect_out_of_shared_caches(client, meeting_near_philadelphia):
    response = client.get("/api/v1/meetings", {"near": "19103"})  # redirected to its slash, query and all
    assert response.status_code == 301
    assert "private" in cache_control(response)


@pytest.mark.parametrize("url", ["/meetings/feed.json", "/meetings/feed.csv", "/organizations/"])
def test_it_leaves_addresses_without_a_search_cacheable(client, meeting_near_philadelphia, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "private" not in cache_control(response)


def test_it_keeps_what_a_view_said_about_caching_when_it_makes_a_search_private(client):
    response = client.get("/favicon.ico", {"v": "2"})
    assert cache_control(response) == {"max-age=86400", "private"}


@pytest.mark.parametrize("said", ["public, max-age=600", "no-store"])
def test_it_leaves_a_search_that_a_view_made_public_or_forbade_storing_as_the_view_said(rf, said):
    answer = HttpResponse(headers={"Cache-Control": said})
    response = private_searches(lambda request: answer)(rf.get("/", {"near": "19103"}))
    assert response["Cache-Control"] == said


def test_it_leaves_static_files_to_whitenoises_long_lived_caching(client, settings):
    # WhiteNoise reads its settings when the client's first request builds the middleware.
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/favicon.svg", {"v": "2"})
    assert response.status_code == 200
    assert "private" not in cache_control(response) and "max-age" in response["Cache-Control"]
    assert "cookie" not in varies_on(response)


def test_it_keeps_a_spanish_page_from_reaching_a_reader_who_chose_english(client, directory):
    client.cookies["django_language"] = "es"  # what the language switch sets
    response = client.get("/organizations/")
    assert '<html lang="es"' in response.content.decode()
    assert {"accept-language", "cookie"} <= varies_on(response)
