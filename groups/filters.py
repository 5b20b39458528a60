"""The organization directory's one FilterSet, shared by /organizations/ and /api/v1/organizations/."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from finder.filters import AnyCaseChoiceFilter, AnyCaseMultipleChoiceFilter, CodesFilter, FilterSet, YesNoFilter
from groups.models import Concern, Kind, Organization


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
    online = YesNoFilter(field_name="online_meetings", help_text="true: the sources say it offers online meetings.")
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
