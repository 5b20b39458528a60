"""Read-only API for organizations and their cited facts."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from finder.api import ERRORS, NOT_FOUND, READ_ERRORS, StrictFilterMixin
from groups.filters import OrganizationFilter
from groups.models import Figure, Finding, Organization, Source


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["key", "title", "publisher", "year", "url"]


class FigureSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Figure
        fields = ["kind", "qualifier", "value", "as_of_year", "scope", "source", "quote"]


class FindingSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Finding
        fields = ["summary", "source", "quote"]


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    addresses = serializers.SlugRelatedField(source="concerns", slug_field="slug", many=True, read_only=True)
    figures = FigureSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    sources = serializers.SerializerMethodField(help_text="For each fact-sheet field, the source documents stating it.")
    online_meetings = serializers.BooleanField(
        allow_null=True,
        read_only=True,
        help_text=(
            "What the source documents say: true if they say it offers online meetings, false if they say it "
            "offers none, null where they are silent (most). Its online meetings listed here: "
            "/api/v1/meetings/?organization=<slug>&attendance=online."
        ),
    )

    class Meta:
        model = Organization
        fields = [
            "slug", "url", "name", "short_name", "kinds", "approach", "faith_tradition", "audience", "addresses",
            "philosophy", "program", "meeting_format", "spiritual_stance", "sponsorship", "lifetime_membership",
            "mat_stance", "governance", "founded_year", "founded_place", "online_meetings", "website",
            "figures", "findings", "sources",
        ]  # fmt: skip

    def get_sources(self, organization: Organization) -> dict[str, list[str]]:
        cited: dict[str, list[str]] = {}
        for citation in organization.citations.all():
            cited.setdefault(citation.field, []).append(citation.source.key)
        return cited


@extend_schema(tags=["organizations"])
class OrganizationViewSet(StrictFilterMixin, viewsets.ReadOnlyModelViewSet):
    """Every organization named in the source documents, with each fact's source; filtered like the directory."""

    queryset = Organization.objects.with_facts()
    serializer_class = OrganizationSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # any segment reaches the view, so an unknown one is a JSON 404
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationFilter

    @extend_schema(responses={200: OrganizationSerializer(many=True), 400: ERRORS, 404: NOT_FOUND, **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: OrganizationSerializer, 400: ERRORS, 404: NOT_FOUND, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
