"""The site's own error pages: a stale link leads back to the search, in the visitor's language."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_meeting_no_longer_listed_offers_the_search_instead(client):
    response = client.get("/meetings/no-such-meeting/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and "it may have moved" in html
    assert '<form class="not-found-search" method="get" action="/#results" role="search">' in html
    assert '<label for="id_near">Find a meeting near (ZIP code or city)</label>' in html
    assert '<a href="/">All meetings, starting soonest first</a>' in html


def test_the_not_found_page_speaks_the_visitors_language(client):
    html = client.get("/meetings/no-such-meeting/", headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es">' in html and "Página no encontrada" in html


def test_the_server_error_page_renders_without_a_request():
    # Django renders 500.html with no request and no context processors: it must not depend on them.
    with translation.override("en"):
        html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and 'href="/"' in html
