"""finder.views: the icon browsers ask for on every site."""

from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.svg")


def test_pages_name_the_icon_so_browsers_need_not_guess(client, db):
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/organizations/").content.decode()
