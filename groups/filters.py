"""The organization directory's one FilterSet, shared by /organizations/ and /api/v1/organizations/."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from finder.filters import (
    AnyCaseChoiceFilter,
    AnyCaseMultipleChoiceFilter,
    CodesFilter,
    FilterSet,
    YesNoField,
    YesNoFilter,
)
from groups.models import Concern, Kind, Organization

ONLY_TRUE = _(
    "Only organizations whose sources say they offer online meetings can be picked out: on most, the sources "
    "say nothing either way. Tick the box for those, or leave it for every organization."
)


class OnlyTrueField(YesNoField):
    """true (1, yes, on) or nothing; false is refused rather than answered wrongly.

    The fact sheet records what its sources say, and on most organizations they are silent. Silence is not
    "no online meetings" (AA's sources say nothing, and the finder may list AA meetings online), so "false"
    has no honest answer here: listing the silent ones would say they have none.
    """

    def to_python(self, value):
        try:
            answer = super().to_python(value)
        except forms.ValidationError:
            answer = False
        if answer is False:
            raise forms.ValidationError(ONLY_TRUE, code="invalid")
        return answer


@extend_schema_field({"type": "boolean", "enum": [True]})
class OnlyTrueFilter(YesNoFilter):
    field_class = OnlyTrueField


class OrganizationFilter(FilterSet):
    kind = AnyCaseMultipleChoiceFilter(
        method="filter_kind", choices=Kind.choices, help_text="twelve-step, secular, religious, family; OR."
    )
    addresses = CodesFilter(
        method="filter_addresses",
        queryset=Concern.objects.all(),
        to_field_name="slug",
        help_text="What it addresses: alcohol, drugs (includes specific drugs), cocaine, gambling, nicotine…; OR.",
    )
    audience = AnyCaseChoiceFilter(
        method="filter_audience",
        choices=[
            (Organization.Audience.PEOPLE, _("People with the problem")),
            (Organization.Audience.FAMILY, _("Family and friends")),
        ],
        help_text="people or family (organizations for both count for each).",
    )
    online = OnlyTrueFilter(
        field_name="online_meetings",
        help_text=(
            "Only true: organizations whose source documents say they offer online meetings (their fact sheet's "
            "online_meetings). false is refused with a 400: on most organizations the sources say nothing either "
            'way, which is not "no online meetings". The online meetings listed here, of every organization: '
            "/api/v1/meetings/?attendance=online."
        ),
    )
    q = django_filters.CharFilter(method="filter_text", max_length=100, help_text="Words in the name.")

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        q = Q(pk__in=[])
        for kind in values:
            q |= Q(pk__in=Organization.objects.of_kind(kind).values("pk"))
        return queryset.filter(q)

    def filter_addresses(self, queryset: QuerySet, name: str, concerns) -> QuerySet:
        return queryset.addressing(*(concern.slug for concern in concerns)) if concerns else queryset

    def filter_audience(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(audience__in=[value, Organization.Audience.BOTH])

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__iexact=value))
