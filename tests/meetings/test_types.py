import json

import pytest
from django.core.management import call_command

from meetings.loading import DEFAULT_PATH, load_meeting_types
from meetings.models import Meeting, MeetingType, OrganizationTypeCode, TypeFacet
from tests.factories import make_meeting, make_organization

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


class TestTypesOfAList:
    @pytest.fixture
    def meetings(self, directory):
        types = MeetingType.objects.in_bulk(field_name="code")
        organization = make_organization()
        made = [make_meeting(organization=organization, name=name) for name in ("A", "B", "C")]
        made[0].types.set([types["S"], types["W"], types["O"]])
        made[1].types.set([types["D"], types["O"]])
        return made

    def test_a_list_reads_the_types_of_all_its_meetings_in_one_query(self, meetings, django_assert_num_queries):
        with django_assert_num_queries(2):
            listed = list(Meeting.objects.for_listing().filter(pk__in=[m.pk for m in meetings]).order_by("name"))
            codes = [[t.code for t in meeting.type_list] for meeting in listed]
            facets = [t.facet.key for t in listed[0].type_list]
        assert [sorted(c) for c in codes] == [["O", "S", "W"], ["D", "O"], []]
        assert facets == ["attendance", "community", "language"]

    def test_a_list_shows_the_types_in_the_order_a_meeting_page_does(self, meetings):
        listed = {m.pk: [t.code for t in m.type_list] for m in Meeting.objects.for_listing()}
        for meeting in Meeting.objects.with_details():
            assert listed[meeting.pk] == [t.code for t in meeting.type_list]
            assert listed[meeting.pk] == list(
                meeting.types.order_by(*MeetingType._meta.ordering).values_list("code", flat=True)
            )


def test_a_type_added_since_the_codes_were_cached_can_be_searched_at_once(client, directory):
    assert client.get("/api/v1/meetings/", {"type": "ZZ"}).status_code == 400  # the known codes are now cached
    MeetingType.objects.create(code="ZZ", name_en="Test type", facet=TypeFacet.objects.get(key="format"))
    assert client.get("/api/v1/meetings/", {"type": "ZZ"}).status_code == 200


def test_loading_the_types_again_forgets_the_cached_codes(directory, django_capture_on_commit_callbacks):
    MeetingType.objects.ids_by_code()
    MeetingType.objects.filter(code="ASL").update(code="ASL2")  # as if the reference had renamed it
    with django_capture_on_commit_callbacks(execute=True):
        load_meeting_types({"facets": [{"key": "format", "name_en": "Format"}], "types": []})
    assert "ASL2" in MeetingType.objects.ids_by_code() and "ASL" not in MeetingType.objects.ids_by_code()


def test_a_long_list_reads_its_types_in_batches(directory, django_assert_num_queries):
    organization = make_organization()
    open_type = MeetingType.objects.get(code="O")
    for _ in range(3):
        make_meeting(organization=organization).types.set([open_type])
    with django_assert_num_queries(3):  # the meetings, then their types: two batches of at most two
        from meetings import models

        original, models._TYPE_ROWS_BATCH = models._TYPE_ROWS_BATCH, 2
        try:
            listed = list(Meeting.objects.for_listing().filter(organization=organization))
        finally:
            models._TYPE_ROWS_BATCH = original
    assert [[t.code for t in m.type_list] for m in listed] == [["O"]] * 3
