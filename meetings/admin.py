from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from finder.admin import ModelAdmin
from meetings.feeds.records import FeedError
from meetings.fetching import SourceError, read_source
from meetings.forms import ImportForm
from meetings.importing import FeedImportError
from meetings.models import Contact, Feed, Location, Meeting, MeetingType, OrganizationTypeCode, Place, TypeFacet
from meetings.sources import import_source


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["name", "organization", "day", "start_time", "attendance_mode", "status"]
    show_change_link = True
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "consent_to_publish", "consent_recorded_at", "consent_note"]


@admin.register(Location)
class LocationAdmin(ModelAdmin):
    list_display = [
        "__str__",
        "city",
        "state",
        "postal_code",
        "country",
        "timezone",
        "has_coordinates",
        "meeting_count",
        "is_demo",
    ]
    list_filter = ["country", "state", "timezone", "approximate", "is_demo"]
    search_fields = ["name", "formatted_address", "address", "city", "postal_code", "region"]
    inlines = [MeetingInline]
    fieldsets = [
        (None, {"fields": ["name", "address", "city", "state", "postal_code", "country", "formatted_address"]}),
        ("Area", {"fields": ["region", "sub_region"]}),
        ("Position", {"fields": ["latitude", "longitude", "approximate", "timezone"]}),
        (None, {"fields": ["notes", "is_demo"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_meeting_count=Count("meetings"))

    @admin.display(description="meetings", ordering="_meeting_count")
    def meeting_count(self, obj: Location) -> int:
        return obj._meeting_count

    @admin.display(description="mapped", boolean=True)
    def has_coordinates(self, obj: Location) -> bool:
        return not obj.needs_location


@admin.register(Meeting)
class MeetingAdmin(ModelAdmin):
    list_display = [
        "name",
        "organization",
        "day",
        "start_time",
        "timezone",
        "attendance_mode",
        "location",
        "status",
        "last_verified",
        "is_demo",
    ]
    list_filter = ["organization", "day", "attendance_mode", "status", "is_demo", "types__facet", "last_verified"]
    list_select_related = ["organization", "location"]
    search_fields = ["name", "group_name", "slug", "notes", "location__name", "location__formatted_address"]
    autocomplete_fields = ["organization", "location"]
    filter_horizontal = ["types"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["at_a_glance", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    inlines = [ContactInline]
    fieldsets = [
        (None, {"fields": ["at_a_glance"]}),
        (None, {"fields": ["organization", "name", "slug", "group_name", "status", "is_demo"]}),
        ("When", {"fields": ["day", "start_time", "end_time", "timezone"]}),
        (
            "Where",
            {
                "fields": [
                    "attendance_mode",
                    "location",
                    "conference_url",
                    "conference_url_notes",
                    "conference_phone",
                    "conference_phone_notes",
                ]
            },
        ),
        ("What", {"fields": ["types", "unmapped_types", "notes", "group_notes"]}),
        (
            "Links",
            {
                "classes": ["collapse"],
                "fields": ["website", "url", "feedback_url", "venmo", "paypal", "square", "world_id"],
            },
        ),
        (
            "Source",
            {"classes": ["collapse"], "fields": ["feed", "feed_key", "last_verified", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description="At a glance")
    def at_a_glance(self, obj: Meeting) -> str:
        if not obj.pk:
            return "—"
        location = obj.location
        where = (
            format_html('<a href="{}">{}</a>', reverse("admin:meetings_location_change", args=[location.pk]), location)
            if location
            else "Online only"
        )
        return format_html(
            '<a href="{}">{}</a> · {} {} ({}) · {} · {}',
            reverse("admin:groups_organization_change", args=[obj.organization_id]),
            obj.organization,
            obj.get_day_display(),
            obj.start_time.strftime("%H:%M"),
            obj.timezone,
            obj.get_attendance_mode_display(),
            where,
        )


@admin.register(TypeFacet)
class TypeFacetAdmin(ModelAdmin):
    list_display = ["name_en", "name_es", "key", "order"]


@admin.register(MeetingType)
class MeetingTypeAdmin(ModelAdmin):
    list_display = ["code", "name_en", "name_es", "facet", "order"]
    list_filter = ["facet"]
    list_select_related = ["facet"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(OrganizationTypeCode)
class OrganizationTypeCodeAdmin(ModelAdmin):
    list_display = ["organization", "code", "name_en", "meeting_type"]
    list_filter = ["organization"]
    list_select_related = ["organization", "meeting_type"]
    search_fields = ["code", "name_en"]
    autocomplete_fields = ["organization", "meeting_type"]


@admin.register(Feed)
class FeedAdmin(ModelAdmin):
    list_display = ["name", "organization", "format", "url", "last_imported", "meeting_count"]
    list_filter = ["format", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "url"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_meeting_count=Count("meetings"))

    @admin.display(description="meetings", ordering="_meeting_count")
    def meeting_count(self, obj: Feed) -> int:
        return obj._meeting_count

    def get_urls(self):
        urls = [path("import/", self.admin_site.admin_view(self.import_view), name="meetings_feed_import")]
        return urls + super().get_urls()

    def import_view(self, request):
        """Upload or fetch a feed and sync it, then show the report."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = feed = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            feed, _ = Feed.objects.get_or_create(
                organization=data["organization"], name=data["name"],
                defaults={"format": data["format"], "url": data["url"] or ""},
            )  # fmt: skip
            try:
                if feed.format != data["format"]:
                    raise FeedError(f"{feed.name} was imported as {feed.get_format_display()}; choose that format.")
                body = data["upload"].read() if data["upload"] else read_source(data["url"])
                formats = data["formats"].read() if data["formats"] else None
                report = import_source(feed, body, formats=formats, default_timezone=data["timezone"])
            except (SourceError, FeedError, FeedImportError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Imported {feed.name}: {report.lines()[0]}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a feed",
            "form": form,
            "report": report,
            "feed": feed,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/meetings/feed/import.html", context)


@admin.register(Contact)
class ContactAdmin(ModelAdmin):
    list_display = ["__str__", "meeting", "consent_to_publish", "consent_recorded_at"]
    list_filter = ["consent_to_publish"]
    list_select_related = ["meeting"]
    search_fields = ["name", "email", "meeting__name"]
    autocomplete_fields = ["meeting"]


@admin.register(Place)
class PlaceAdmin(ModelAdmin):
    """The gazetteer behind place search; refreshed by ``manage.py load_places``, not edited by hand."""

    list_display = ["name", "admin1", "country", "population", "timezone", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name", "search_name"]
    show_full_result_count = False
