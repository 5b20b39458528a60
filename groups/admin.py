from django.contrib import admin
from django.db.models import Count

from finder.admin import ModelAdmin
from groups.models import Citation, Concern, Figure, Finding, Organization, Source


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = ["kind", "qualifier", "value", "as_of_year", "scope", "source", "quote"]
    autocomplete_fields = ["source"]


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = ["summary", "source", "quote", "order"]
    autocomplete_fields = ["source"]


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Organization)
class OrganizationAdmin(ModelAdmin):
    list_display = ["name", "short_name", "approach", "faith_tradition", "audience", "online_meetings", "figure_count"]
    list_filter = ["approach", "audience", "online_meetings", "governance", "concerns"]
    search_fields = ["name", "short_name", "slug", "philosophy"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["concerns"]
    inlines = [FigureInline, FindingInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "website"]}),
        ("Kind", {"fields": ["approach", "faith_tradition", "audience", "concerns"]}),
        (
            "Fact sheet",
            {
                "description": "Leave a field empty where the sources are silent; cite each fact below.",
                "fields": [
                    "philosophy",
                    "program",
                    "meeting_format",
                    "spiritual_stance",
                    "sponsorship",
                    "lifetime_membership",
                    "mat_stance",
                    "governance",
                    "founded_year",
                    "founded_place",
                    "online_meetings",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_figure_count=Count("figures"))

    @admin.display(description="figures", ordering="_figure_count")
    def figure_count(self, obj: Organization) -> int:
        return obj._figure_count


@admin.register(Source)
class SourceAdmin(ModelAdmin):
    list_display = ["key", "title", "publisher", "year"]
    search_fields = ["key", "title", "publisher"]


@admin.register(Concern)
class ConcernAdmin(ModelAdmin):
    list_display = ["name", "slug", "parent", "order"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]


@admin.register(Figure)
class FigureAdmin(ModelAdmin):
    list_display = ["organization", "kind", "display_value", "scope", "as_of_year", "source"]
    list_filter = ["kind", "source", "organization"]
    list_select_related = ["organization", "source"]
    search_fields = ["organization__name", "quote"]
    autocomplete_fields = ["organization", "source"]


@admin.register(Finding)
class FindingAdmin(ModelAdmin):
    list_display = ["summary", "organization", "source"]
    list_filter = ["source", "organization"]
    list_select_related = ["organization", "source"]
    search_fields = ["summary", "quote"]
    autocomplete_fields = ["organization", "source"]


@admin.register(Citation)
class CitationAdmin(ModelAdmin):
    list_display = ["organization", "field", "source"]
    list_filter = ["field", "source"]
    list_select_related = ["organization", "source"]
    search_fields = ["organization__name", "field"]
    autocomplete_fields = ["organization", "source"]
