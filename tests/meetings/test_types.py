import json

import pytest
from django.core.management import call_command

from meetings.loading import DEFAULT_PATH
from meetings.models import MeetingType, OrganizationTypeCode, TypeFacet

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def reference():
    with open(DEFAULT_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def test_every_meeting_guide_code_is_loaded_with_english_and_spanish_names(directory, reference):
    codes = {row["code"] for row in reference["types"]}
    assert set(MeetingType.objects.values_list("code", flat=True)) == codes
    assert MeetingType.objects.get(code="W").name_es == "Mujeres"
    assert not MeetingType.objects.filter(name_es="").exists()


def test_types_are_grouped_into_facets_a_person_understands(directory):
    facet_of = dict(MeetingType.objects.values_list("code", "facet__key"))
    assert facet_of["O"] == facet_of["C"] == "attendance"
    assert facet_of["W"] == facet_of["LGBTQ"] == facet_of["Y"] == "community"
    assert facet_of["S"] == facet_of["EN"] == "language"
    assert facet_of["X"] == facet_of["ASL"] == "accessibility"
    assert facet_of["SP"] == facet_of["D"] == facet_of["ST"] == "format"
    assert list(TypeFacet.objects.values_list("key", flat=True)[:2]) == ["attendance", "format"]


def test_al_anon_codes_keep_their_own_meaning(directory):
    codes = {c.code: c for c in OrganizationTypeCode.objects.filter(organization__slug="al-anon")}
    assert codes["Y"].name_en == "Alateen"
    assert codes["Y"].meeting_type is None  # not "Young People"
    assert codes["A"].meeting_type.code == "A"


def test_loading_the_types_again_changes_nothing(directory):
    before = (MeetingType.objects.count(), OrganizationTypeCode.objects.count())
    call_command("load_meeting_types", verbosity=0)
    assert (MeetingType.objects.count(), OrganizationTypeCode.objects.count()) == before
