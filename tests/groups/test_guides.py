"""The plain-language guides: every guide renders, and every fact on it points at a source it lists."""

import json
import re
from functools import cache

import pytest
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from groups.guides import GUIDES, Guide, get_guide
from groups.loading import DEFAULT_PATH
from groups.models import Source

MARKER = re.compile(r"\[(\d{3})\]")
GUIDE_IDS = [guide.slug for guide in GUIDES]


@cache
def directory_file() -> dict:
    with open(DEFAULT_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def fixture_sources() -> dict[str, Source]:
    """Unsaved Source objects for the fixture's sources, by key."""
    fields = ("key", "title", "publisher", "year", "url")
    return {entry["key"]: Source(**{field: entry[field] for field in fields}) for entry in directory_file()["sources"]}


def number(key: str) -> str:
    return key[:3]


def render_guide(guide: Guide) -> str:
    sources = fixture_sources()
    context = {"guide": guide, "sources": [sources[key] for key in guide.sources]}
    return render_to_string(guide.template, context)


def body_of(html: str) -> str:
    """The guide's own text: from the article's start to the 'More guides' links and the source list."""
    start = html.index('<article class="guide">')
    end = html.index('<nav aria-labelledby="more-guides">')
    return html[start:end]


def test_guide_slugs_are_unique():
    assert len({guide.slug for guide in GUIDES}) == len(GUIDES)


def test_the_four_guides_are_registered_under_their_fixed_slugs():
    assert [guide.slug for guide in GUIDES] == ["first-meeting", "choosing-a-group", "family-and-friends", "research"]


def test_get_guide_finds_each_guide_by_its_slug():
    for guide in GUIDES:
        assert get_guide(guide.slug) is guide


def test_get_guide_returns_none_for_an_unknown_slug():
    assert get_guide("no-such-guide") is None


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_guide_template_exists(guide):
    assert guide.template == f"groups/guides/{guide.slug}.html"
    get_template(guide.template)


def test_the_index_template_exists():
    get_template("groups/guides/index.html")


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_source_a_guide_names_is_in_the_fixture(guide):
    assert guide.sources
    assert set(guide.sources) <= set(fixture_sources())


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_a_guide_names_its_sources_once_each_in_the_order_of_their_numbers(guide):
    assert list(guide.sources) == sorted(set(guide.sources))


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_guide_renders_with_its_title_under_the_site_layout(guide):
    html = render_guide(guide)
    assert f"<title>{guide.title} · Mutual Help Finder</title>" in html
    assert f"<h1>{guide.title}</h1>" in html


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_marker_refers_to_a_source_in_the_guides_own_list(guide):
    html = render_guide(guide)
    own = {number(key) for key in guide.sources}
    markers = set(MARKER.findall(html))
    assert markers, "a guide cites its sources"
    assert markers <= own


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_source_a_guide_lists_is_cited_in_its_text(guide):
    cited = set(MARKER.findall(body_of(render_guide(guide))))
    assert {number(key) for key in guide.sources} <= cited


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_paragraph_and_list_item_carries_a_source_marker_or_is_a_link(guide):
    body = body_of(render_guide(guide))
    for match in re.finditer(r"<(p|li|dd|caption)\b[^>]*>(.*?)</\1>", body, flags=re.DOTALL):
        text = match.group(2)
        assert MARKER.search(text) or "<a " in text, f"no source marker: {text.strip()}"


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_the_foot_lists_each_source_with_its_number_title_and_file_name_in_order(guide):
    html = render_guide(guide)
    foot = html[html.index('<h2 id="sources">') :]
    positions = []
    for key in guide.sources:
        source = fixture_sources()[key]
        item = f'<li id="source-{number(key)}">[{number(key)}] <cite>{source.title}</cite>'
        assert item in foot
        assert f"File: {key}" in foot
        positions.append(foot.index(item))
    assert positions == sorted(positions)
    assert len(re.findall(r'<li id="source-', foot)) == len(guide.sources)


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_guide_links_to_the_finder_the_directory_and_every_other_guide(guide):
    html = render_guide(guide)
    assert re.search(r'href="/(\?[^"]*)?"', html)
    assert 'href="/organizations/"' in html
    for other in GUIDES:
        if other is not guide:
            assert other.title in html


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_organization_pages_a_guide_links_to_are_in_the_directory(guide):
    slugs = {organization["slug"] for organization in directory_file()["organizations"]}
    linked = set(re.findall(r'href="/organizations/([^/"]+)/"', render_guide(guide)))
    assert linked <= slugs


@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_finder_links_use_the_finders_kinds(guide):
    kinds = set(re.findall(r"[?&](?:amp;)?kind=([\w-]+)", render_guide(guide)))
    assert kinds <= {"twelve-step", "secular", "religious", "family"}


def test_the_family_guide_links_to_the_family_finder():
    assert 'href="/?kind=family"' in render_guide(get_guide("family-and-friends"))


def test_the_research_guide_quotes_the_aa_frequency_table_exactly():
    html = render_guide(get_guide("research"))
    for group, rate in [("“Nonattenders”", "21.4%"), ("2-4 meetings/week", "42.7%"), ("5+ meetings/week", "61.1%")]:
        assert f"<tr><td>{group}</td><td>{rate}</td></tr>" in html
    assert "One-year abstinence rates by AA meeting frequency" in html


def test_the_index_lists_every_guide_with_its_summary():
    html = render_to_string("groups/guides/index.html", {"guides": GUIDES})
    for guide in GUIDES:
        assert guide.title in html
        assert guide.summary in html


@pytest.mark.django_db
@pytest.mark.parametrize("guide", GUIDES, ids=GUIDE_IDS)
def test_every_guide_page_is_served_with_its_sources_from_the_directory(client, directory, guide):
    url = reverse("groups:guide", args=[guide.slug])
    html = client.get(url).content.decode()
    for key in guide.sources:
        assert f"File: {key}" in html


@pytest.mark.django_db
def test_every_link_on_the_guides_leads_to_a_page(client, directory):
    urls = [reverse("groups:guide-list")] + [reverse("groups:guide", args=[guide.slug]) for guide in GUIDES]
    links = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        links |= set(re.findall(r'<a href="(/[^"]*)"', response.content.decode()))
    for link in sorted(links):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
