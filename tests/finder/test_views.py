"""finder.views: the icon browsers ask for on every site, and the API's 404 for addresses it lacks."""

import pytest
from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.svg")


def test_pages_name_the_icon_so_browsers_need_not_guess(client, db):
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/organizations/").content.decode()


@pytest.mark.parametrize("path", ["/api/", "/api/v1/nothing/", "/api/v2/meetings/", "/api/v1/nothing"])
def test_an_unknown_address_under_the_api_is_a_json_404(client, db, path):
    response = client.get(path, follow=True)  # without its slash, first redirected to it
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_api_address_without_its_slash_is_still_redirected_to_it(client, db):
    response = client.get("/api/v1/meetings", {"near": "19103"})
    assert response.status_code == 301 and response["Location"] == "/api/v1/meetings/?near=19103"
