"""The FilterSet base every search uses: its form class is built once, its state is each search's own."""

import pytest
from django.http import QueryDict

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


def test_each_form_gets_its_own_queryset_for_a_choice_of_rows(directory):
    # Rendering the choices compiles the queryset; two threads compiling one queryset corrupted its SQL.
    first, second = search("near=19103"), search("near=10001")
    assert first.form.fields["organization"].queryset is not second.form.fields["organization"].queryset
    assert first.form.fields["near"] is second.form.fields["near"]  # plain fields are only read
