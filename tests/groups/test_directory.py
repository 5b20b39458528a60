"""The organization directory as loaded from fixtures/organizations.json."""

import copy
import json

import pytest
from django.core.management import call_command

from groups.loading import DEFAULT_PATH, FACT_FIELDS, DirectoryError, load_organizations
from groups.models import Citation, Figure, Finding, Kind, Organization

pytestmark = pytest.mark.django_db

NAMED_IN_THE_SOURCES = [
    "alcoholics-anonymous",
    "narcotics-anonymous",
    "cocaine-anonymous",
    "crystal-meth-anonymous",
    "heroin-anonymous",
    "marijuana-anonymous",
    "nicotine-anonymous",
    "pills-anonymous",
    "dual-recovery-anonymous",
    "double-trouble-in-recovery",
    "gamblers-anonymous",
    "chemically-dependent-anonymous",
    "methadone-anonymous",
    "adult-children-of-alcoholics-dysfunctional-families",
    "al-anon",
    "alateen",
    "nar-anon",
    "co-anon",
    "families-anonymous",
    "smart-recovery",
    "lifering-secular-recovery",
    "women-for-sobriety",
    "secular-organizations-for-sobriety-save-our-selves",
    "moderation-management",
    "refuge-recovery",
    "dharma-recovery",
    "celebrate-recovery",
    "jewish-alcoholics-chemically-dependent-persons-and-significant-others",
    "millati-islami",
    "the-red-road-to-wellbriety",
]


@pytest.fixture(scope="module")
def directory_file():
    with open(DEFAULT_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def test_every_organization_named_in_the_sources_is_in_the_directory(directory):
    slugs = set(Organization.objects.values_list("slug", flat=True))
    assert set(NAMED_IN_THE_SOURCES) <= slugs


def test_every_figure_and_finding_keeps_its_source_and_its_words(directory):
    assert Figure.objects.exists() and Finding.objects.exists()
    assert not Figure.objects.filter(quote="").exists()
    assert not Finding.objects.filter(quote="").exists()
    for figure in Figure.objects.select_related("source"):
        assert figure.source.key.endswith(".txt")


def test_every_stated_fact_names_a_source(directory):
    cited = {(c.organization_id, c.field) for c in Citation.objects.all()}
    for organization in Organization.objects.all():
        for field in FACT_FIELDS:
            value = getattr(organization, field)
            if value not in ("", None):
                assert (organization.pk, field) in cited, f"{organization.slug}.{field} has no source"


def test_sources_that_disagree_are_both_kept(directory):
    smart = Organization.objects.get(slug="smart-recovery")
    weekly = sorted(smart.figures.filter(kind=Figure.Kind.WEEKLY_MEETINGS).values_list("value", "source__key"))
    assert [value for value, _ in weekly] == [300, 1500]
    assert weekly[0][1] != weekly[1][1]


def test_the_four_kinds_people_look_for_are_all_expressible(directory):
    def slugs(kind: str) -> set[str]:
        return set(Organization.objects.of_kind(kind).values_list("slug", flat=True))

    assert {"alcoholics-anonymous", "al-anon"} <= slugs(Kind.TWELVE_STEP)
    assert {"smart-recovery", "lifering-secular-recovery", "women-for-sobriety"} <= slugs(Kind.SECULAR)
    assert {"celebrate-recovery", "millati-islami"} <= slugs(Kind.RELIGIOUS)
    assert {"al-anon", "nar-anon", "families-anonymous"} <= slugs(Kind.FAMILY)
    assert "alcoholics-anonymous" not in slugs(Kind.FAMILY)
    al_anon = Organization.objects.get(slug="al-anon")
    assert al_anon.kinds == [Kind.TWELVE_STEP, Kind.FAMILY]


def test_a_drug_search_includes_fellowships_for_a_specific_drug(directory):
    drugs = set(Organization.objects.addressing("drugs").values_list("slug", flat=True))
    assert {"narcotics-anonymous", "cocaine-anonymous"} <= drugs
    assert "gamblers-anonymous" not in drugs


def test_loading_the_directory_again_changes_nothing(directory):
    counts = [Organization.objects.count(), Figure.objects.count(), Finding.objects.count(), Citation.objects.count()]
    call_command("load_organizations", verbosity=0)
    assert [
        Organization.objects.count(),
        Figure.objects.count(),
        Finding.objects.count(),
        Citation.objects.count(),
    ] == counts


def test_a_figure_citing_an_unknown_source_is_refused_and_nothing_changes(directory, directory_file):
    broken = copy.deepcopy(directory_file)
    broken["organizations"][0]["name"] = "Renamed By A Broken File"
    broken["organizations"][1]["figures"].append(
        {"kind": "groups", "value": 1, "source": "no-such-document.txt", "quote": "1 group"}
    )
    with pytest.raises(DirectoryError, match=r"no-such-document\.txt"):
        load_organizations(broken)
    assert not Organization.objects.filter(name="Renamed By A Broken File").exists()


def test_an_unknown_concern_is_refused_with_the_organization_named(directory, directory_file):
    broken = copy.deepcopy(directory_file)
    broken["organizations"][0]["addresses"] = ["alcohol", "shopping"]
    with pytest.raises(DirectoryError, match=f"{broken['organizations'][0]['slug']}.*shopping"):
        load_organizations(broken)
