"""The directory, fact sheets and the compare page, on the page and through the API."""

import re

import pytest

from groups.models import Organization

pytestmark = pytest.mark.django_db


def listed(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="o" value="([^"]+)"', html)


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        ({"kind": "secular"}, {"smart-recovery", "lifering-secular-recovery"}, {"alcoholics-anonymous"}),
        ({"kind": "family"}, {"al-anon", "nar-anon"}, {"smart-recovery"}),
        ({"kind": "religious"}, {"celebrate-recovery", "millati-islami"}, {"narcotics-anonymous"}),
        ({"kind": ["secular", "religious"]}, {"smart-recovery", "celebrate-recovery"}, {"al-anon"}),
        ({"addresses": "gambling"}, {"gamblers-anonymous"}, {"alcoholics-anonymous"}),
        ({"addresses": "drugs"}, {"narcotics-anonymous", "cocaine-anonymous"}, {"gamblers-anonymous"}),
        ({"addresses": "co-occurring"}, {"dual-recovery-anonymous", "double-trouble-in-recovery"}, {"smart-recovery"}),
        ({"audience": "family"}, {"al-anon", "families-anonymous"}, {"alcoholics-anonymous"}),
        ({"audience": "people"}, {"alcoholics-anonymous"}, {"al-anon"}),
    ],
)
def test_the_directory_filters_the_same_way_on_the_page_and_the_api(client, directory, params, included, excluded):
    page = set(listed(client.get("/organizations/", params).content.decode()))
    api = {row["slug"] for row in client.get("/api/v1/organizations/", {**params, "page_size": 100}).json()["results"]}
    assert page == api
    assert included <= page and not (excluded & page)


def test_online_meetings_filter_uses_what_the_sources_say(client, directory):
    online = set(listed(client.get("/organizations/", {"online": "true"}).content.decode()))
    assert online == set(Organization.objects.filter(online_meetings=True).values_list("slug", flat=True))
    api = client.get("/api/v1/organizations/", {"online": "yes", "page_size": 100}).json()["results"]
    assert {row["slug"] for row in api} == online and "alcoholics-anonymous" not in online


class TestTheOnlineMeetingsFilter:
    """It reads the fact sheets, which on most organizations say nothing either way, not the meetings listed here:
    AA's sources are silent, while the finder lists AA meetings online."""

    def test_its_label_says_it_is_what_the_sources_say_and_points_to_the_finder(self, client, directory):
        html = client.get("/organizations/").content.decode()
        box = re.search(r'<label><input type="checkbox" name="online" value="true"([^>]*)> ([^<]+)</label>', html)
        assert box and box.group(2) == "Sources say it offers online meetings"
        assert 'aria-describedby="online-help"' in box.group(1) and "checked" not in box.group(1)
        help_text = re.search(r'<p class="help" id="online-help">(.*?)</p>', html, re.S).group(1)
        assert "say nothing either way" in help_text and 'href="/?attendance=online"' in help_text
        assert "Offers online meetings" not in html

    def test_ticked_it_stays_ticked(self, client, directory):
        html = client.get("/organizations/", {"online": "true"}).content.decode()
        assert re.search(r'name="online" value="true"[^>]* checked>', html)

    @pytest.mark.parametrize("value", ["false", "0", "no", "off", "False"])
    def test_false_is_refused_by_the_api_rather_than_answered_with_the_organizations_the_sources_are_silent_on(
        self, client, directory, value
    ):
        # It answered 0 organizations; listing the silent ones instead would say AA has no online meetings.
        response = client.get("/api/v1/organizations/", {"online": value})
        assert response.status_code == 400
        assert set(response.json()) == {"online"}
        assert response.json()["online"][0].startswith("Only organizations whose sources say they offer online")

    def test_false_on_the_page_says_the_same_and_ticks_nothing(self, client, directory):
        html = client.get("/organizations/", {"online": "false"}).content.decode()
        alert = r'<p class="error" role="alert">Sources say it offers online meetings: Only organizations whose'
        assert re.search(alert, html)
        assert "0 organizations" not in html
        assert not re.search(r'name="online" value="true"[^>]* checked>', html)
        assert listed(html) == [] and "No organization matches" not in html  # the alert says what to change

    def test_left_out_or_blank_it_lists_every_organization(self, client, directory):
        every = Organization.objects.count()
        assert client.get("/api/v1/organizations/", {"online": "", "page_size": 100}).json()["count"] == every
        assert len(listed(client.get("/organizations/", {"online": ""}).content.decode())) == every

    def test_the_schema_documents_that_only_true_is_taken(self, client, directory):
        schema = client.get("/api/schema/", {"format": "json"}).json()
        parameters = schema["paths"]["/api/v1/organizations/"]["get"]["parameters"]
        (online,) = [parameter for parameter in parameters if parameter["name"] == "online"]
        assert online["schema"] == {"type": "boolean", "enum": [True]}
        assert "false is refused with a 400" in online["description"]
        assert "/api/v1/meetings/?attendance=online" in online["description"]
        field = schema["components"]["schemas"]["Organization"]["properties"]["online_meetings"]
        assert field["nullable"] and "null where they are silent" in field["description"]


def test_bad_directory_parameters_are_named(client, directory):
    response = client.get("/api/v1/organizations/", {"kind": "pagan", "addresses": "shopping", "online": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "addresses", "online"}
    assert 'role="alert"' in client.get("/organizations/", {"kind": "pagan"}).content.decode()


def test_the_directory_page_is_a_few_queries(client, directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        client.get("/organizations/")


def test_english_summaries_are_marked_english_on_spanish_pages(client, directory):
    # A screen reader reads them with an English voice, not a Spanish one.
    html = client.get("/organizations/", headers={"Accept-Language": "es"}).content.decode()
    summaries = re.findall(r'<p lang="en">([^<]+)</p>', html)
    assert '<html lang="es">' in html and summaries
    assert all(summary.strip() for summary in summaries)


def test_a_fact_sheet_cites_every_fact_and_figure(client, directory):
    smart = Organization.objects.with_facts().get(slug="smart-recovery")
    html = client.get("/organizations/smart-recovery/").content.decode()
    for fact in smart.facts():
        if fact.value:
            assert fact.label in html
            for source in fact.sources:
                assert f"[{source.key[:3]}]" in html
    for figure in smart.figures.all():
        assert f"{figure.value:,}" in html and figure.source.key in html
    assert "Sources" in html and "004_90ad97b3dab66da0.txt" in html


def test_each_source_number_links_to_its_document_in_the_list(client, directory):
    # The numbers were explained only in tooltips, beside internal file names ("(004_90ad….txt)").
    for path in ("/organizations/smart-recovery/", "/organizations/compare/?o=smart-recovery&o=alcoholics-anonymous"):
        html = client.get(path).content.decode()
        targets = set(re.findall(r'href="#(source-\d{3})"', html))
        listed = set(re.findall(r'<li id="(source-\d{3})">', html))
        assert targets and targets <= listed, path
        assert not re.search(r"\(\d{3}_[0-9a-f]+\.txt\)", html), path


def test_a_fact_sheet_says_nothing_where_the_sources_are_silent(client, directory):
    html = client.get("/organizations/heroin-anonymous/").content.decode()
    assert "Founded" not in html and "Medication-assisted treatment" not in html


class TestCompare:
    def test_two_to_four_organizations_side_by_side_with_a_shareable_url(self, client, directory):
        html = client.get("/organizations/compare/", {"o": ["smart-recovery", "alcoholics-anonymous", "al-anon"]})
        html = html.content.decode()
        headers = re.findall(r'<th scope="col"><a href="/organizations/([^/]+)/">', html)
        assert headers == ["smart-recovery", "alcoholics-anonymous", "al-anon"]
        for label in ("Philosophy", "Program", "Sponsorship", "Size", "Meetings here"):
            assert f'<th scope="row">{label}</th>' in html
        assert "over 1,500" in html and "approximately 300" in html
        assert "The sources don’t say." in html

    def test_one_organization_is_not_a_comparison(self, client, directory):
        html = client.get("/organizations/compare/", {"o": "smart-recovery"}).content.decode()
        assert "Choose at least 2 organizations to compare." in html and "<table" not in html

    def test_five_is_too_many_and_unknown_ones_are_named(self, client, directory):
        five = ["smart-recovery", "alcoholics-anonymous", "al-anon", "nar-anon", "celebrate-recovery"]
        assert "Choose at most 4 organizations." in client.get("/organizations/compare/", {"o": five}).content.decode()
        html = client.get("/organizations/compare/", {"o": ["smart-recovery", "no-such"]}).content.decode()
        assert "no-such" in html and 'role="alert"' in html

    def test_the_compare_page_is_a_few_queries(self, client, directory, django_assert_max_num_queries):
        with django_assert_max_num_queries(8):
            client.get(
                "/organizations/compare/", {"o": ["smart-recovery", "alcoholics-anonymous", "al-anon", "nar-anon"]}
            )
