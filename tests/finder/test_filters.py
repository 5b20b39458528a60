"""The FilterSet base every search uses: its form class is built once, its state is each search's own."""

import django_filters
import pytest
from django import forms
from django.http import QueryDict

from finder.filters import FilterSet
from groups.models import Organization
from meetings.filters import MeetingFilter
from meetings.models import Meeting
from tests.factories import make_meeting, make_organization

pytestmark = pytest.mark.django_db


def search(query: str) -> MeetingFilter:
    found = MeetingFilter(QueryDict(query), Meeting.objects.all())
    assert found.is_valid(), found.errors
    return found


def test_two_searches_made_together_find_their_own_meetings(directory):
    organization = make_organization()
    make_meeting(organization=organization, name="Tuesday", day=2)
    make_meeting(organization=organization, name="Thursday", day=4)
    tuesdays, thursdays = search("day=2"), search("day=thursday")
    assert tuesdays.filters["day"] is not thursdays.filters["day"]
    assert [m.name for m in thursdays.qs] == ["Thursday"]
    assert [m.name for m in tuesdays.qs] == ["Tuesday"]


def test_the_form_class_is_built_once_and_its_forms_are_separate(directory):
    first, second = search("near=19103"), search("near=10001")
    assert type(first.form) is type(second.form)
    assert first.form.fields is not second.form.fields
    assert first.form.data["near"] == "19103" and second.form.data["near"] == "10001"


def test_a_bad_value_in_one_search_does_not_leak_into_the_next(directory):
    bad = MeetingFilter(QueryDict("distance=7&type=NOPE"), Meeting.objects.all())
    assert not bad.is_valid()
    assert set(bad.errors) == {"distance", "type"}
    assert search("distance=5&type=O").form.cleaned_data["distance"] == 5


@pytest.mark.parametrize(
    "query",
    [
        "",
        "near=&lat=&distance=&units=&soon=&tz=&start_after=&q=",
        "near=19103",
        "day=2&day=today&time=evening&soon=true",
    ],
)
def test_empty_and_missing_parameters_clean_as_django_cleans_them(directory, query):
    ours = MeetingFilter(QueryDict(query), Meeting.objects.all()).form
    assert ours.is_valid(), ours.errors
    djangos = type(ours)(QueryDict(query))
    djangos.cleaned_data = {}
    forms.BaseForm._clean_fields(djangos)  # Django's own, one bound field per parameter
    assert not djangos.errors
    cleaned = {name: value for name, value in ours.cleaned_data.items() if name in djangos.cleaned_data}
    assert cleaned == djangos.cleaned_data
    assert list(ours.cleaned_data) == list(djangos.cleaned_data)


def test_a_search_that_changes_its_empty_list_leaves_the_next_search_alone(directory):
    first = search("")
    first.form.cleaned_data["day"].append("2")
    first.form.cleaned_data["type"].append(1)
    second = search("")
    assert second.form.cleaned_data["day"] == [] and second.form.cleaned_data["type"] == []


def test_a_search_has_every_filter_though_it_copies_only_those_it_uses(directory):
    found = search("day=2")
    assert set(found.filters) == set(MeetingFilter.base_filters)
    assert found.filters["day"].parent is found
    assert found.filters["day"] is not MeetingFilter.base_filters["day"]
    with pytest.raises(KeyError):
        found.filters["nope"]


def test_each_read_of_the_shared_choice_of_organizations_gets_a_queryset_of_its_own(directory):
    # Forms share the field; two threads compiling one queryset at once had corrupted its SQL.
    organization = make_organization()
    form = search(f"organization={organization.slug}").form
    assert form.cleaned_data["organization"] == [organization]
    assert f'value="{organization.slug}" selected' in str(form["organization"])
    shared = MeetingFilter.form_class().base_fields["organization"]
    assert form.fields["organization"] is shared
    assert shared.queryset is not shared.queryset
    assert shared.widget.choices.queryset is not shared.widget.choices.queryset
    # Listing the choices compiled a query: the shared one is untouched (no table joined in).
    assert not shared._queryset.query.alias_map and shared._queryset._result_cache is None


def test_a_filter_set_with_a_plain_choice_of_rows_is_refused(directory):
    with pytest.raises(TypeError, match="CodesField"):

        class Bad(FilterSet):
            organization = django_filters.ModelMultipleChoiceFilter(queryset=Organization.objects.all())

            class Meta:
                model = Meeting
                fields: list[str] = []

        Bad.form_class()
