from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from finder.admin import ModelAdmin
from meetings import curation, reports
from meetings.curated_admin import (
    CuratedAdmin,
    CuratedHistoryAdmin,
    CuratedInline,
    LocationAdminForm,
    MeetingAdminForm,
)
from meetings.feeds.records import FeedError
from meetings.fetching import SourceError, read_source
from meetings.forms import ImportForm
from meetings.importing import FeedImportError
from meetings.models import (
    ChangeReport,
    Contact,
    Curator,
    Feed,
    Location,
    Meeting,
    MeetingType,
    OrganizationTypeCode,
    Place,
    PlaceAlias,
    TypeFacet,
)
from meetings.sources import import_source


class MeetingInline(CuratedInline):
    model = Meeting
    extra = 0
    fields = ["name", "organization", "day", "start_time", "attendance_mode", "status"]
    show_change_link = True
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def curated(self, user):
        return curation.curated_meetings(user)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "consent_to_publish", "consent_recorded_at", "consent_note"]


@admin.register(Location)
class LocationAdmin(CuratedHistoryAdmin):
    form = LocationAdminForm
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

    def curated(self, user):
        return curation.curated_locations(user)

    def get_queryset(self, request):
        # Ordered again: a grouped query ignores the model's ordering (the venue search pages through it).
        queryset = super().get_queryset(request).annotate(_meeting_count=Count("meetings"))
        return queryset.order_by(*Location._meta.ordering)

    @admin.display(description="meetings", ordering="_meeting_count")
    def meeting_count(self, obj: Location) -> int:
        return obj._meeting_count

    @admin.display(description="mapped", boolean=True)
    def has_coordinates(self, obj: Location) -> bool:
        return not obj.needs_location


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"
    STALE = "stale"

    def lookups(self, request, model_admin):
        return [(self.STALE, _("Not verified for over a year")), ("recent", _("Verified within a year"))]

    def queryset(self, request, queryset):
        stale = curation.not_verified_since(queryset)
        if self.value() == self.STALE:
            return stale
        if self.value() == "recent":
            return queryset.exclude(pk__in=stale.values("pk"))
        return queryset


@admin.register(Meeting)
class MeetingAdmin(CuratedHistoryAdmin):
    form = MeetingAdminForm
    curated_choices = {"organization": curation.curated_organizations, "feed": curation.curated_feeds}
    actions = ["mark_verified"]
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
    list_filter = ["organization", VerificationFilter, "day", "attendance_mode", "status", "is_demo", "types__facet"]
    list_select_related = ["organization", "location"]
    search_fields = ["name", "group_name", "slug", "notes", "location__name", "location__formatted_address"]
    autocomplete_fields = ["organization", "location"]
    filter_horizontal = ["types"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["at_a_glance", "last_verified", "created_at", "updated_at"]
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
        (_("Verification"), {"fields": ["last_verified", "verified_today"]}),
        (
            "Links",
            {
                "classes": ["collapse"],
                "fields": ["website", "url", "feedback_url", "venmo", "paypal", "square", "world_id"],
            },
        ),
        (
            "Source",
            {"classes": ["collapse"], "fields": ["feed", "feed_key", "created_at", "updated_at"]},
        ),
    ]

    def curated(self, user):
        return curation.curated_meetings(user)

    def get_autocomplete_fields(self, request):
        # Curators choose among their few organizations in a plain list (the organization search lists all).
        return self.autocomplete_fields if curation.is_superuser(request.user) else ["location"]

    def get_list_filter(self, request):
        if curation.is_superuser(request.user):
            return self.list_filter
        return [("organization", admin.RelatedOnlyFieldListFilter), *self.list_filter[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        version = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if version is not None:  # reverting: the form shows that version's types, not today's
            obj._prefetched_objects_cache = {
                "types": MeetingType.objects.filter(pk__in=version.types.values("meetingtype_id"))
            }
        form = super().get_form(request, obj, change=change, **kwargs)
        location = form.base_fields.get("location")
        if location is not None and not curation.is_superuser(request.user):
            # A venue shared with another organization's meetings is not the curator's to choose for a
            # new meeting, but a meeting already there may stay.
            current = Meeting.objects.filter(pk=obj.pk if obj else None).values("location_id")
            location.queryset = Location.objects.filter(
                Q(pk__in=curation.curated_locations(request.user).values("pk")) | Q(pk__in=current)
            )
        return form

    def save_model(self, request, obj, form, change) -> None:
        # A reverted version's types were given to the form as prefetched; saving compares with today's.
        getattr(obj, "_prefetched_objects_cache", {}).pop("types", None)
        if form.cleaned_data.get("verified_today"):
            obj.last_verified = timezone.localdate()
            obj._change_reason = "verified in the admin"
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        stale = curation.not_verified_since(self.get_queryset(request)).count()
        extra_context = {**(extra_context or {}), "not_verified": stale, "not_verified_param": VerificationFilter.STALE}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Mark the selected meetings as verified today"), permissions=["change"])
    def mark_verified(self, request, queryset) -> None:
        count = curation.mark_verified(queryset, request.user)
        self.message_user(
            request, ngettext("%d meeting marked as verified.", "%d meetings marked as verified.", count) % count
        )

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
class FeedAdmin(CuratedAdmin):
    curated_choices = {"organization": curation.curated_organizations}
    list_display = ["name", "organization", "format", "url", "last_imported", "meeting_count"]
    list_filter = ["format", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "url"]

    def curated(self, user):
        return curation.curated_feeds(user)

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
        form = ImportForm(
            request.POST or None,
            request.FILES or None,
            organizations=curation.curated_organizations(request.user),
        )
        if (
            request.method == "POST"
            and form.is_valid()
            and not curation.may_import(request.user, form.cleaned_data["organization"])
        ):
            form.add_error(
                "organization",
                _("You curate this organization in some regions only, and a feed is not limited to them."),
            )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            feed, _created = Feed.objects.get_or_create(
                organization=data["organization"], name=data["name"],
                defaults={"format": data["format"], "url": data["url"] or ""},
            )  # fmt: skip
            try:
                if feed.format != data["format"]:
                    raise FeedError(f"{feed.name} was imported as {feed.get_format_display()}; choose that format.")
                body = data["upload"].read() if data["upload"] else read_source(data["url"])
                formats = data["formats"].read() if data["formats"] else None
                report = import_source(
                    feed, body, formats=formats, default_timezone=data["timezone"], user=request.user
                )
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
class ContactAdmin(CuratedAdmin):
    """Private details: each curator sees only the contacts of meetings they curate. No history is kept,
    so a removed contact is gone."""

    curated_choices = {"meeting": curation.curated_meetings}
    list_display = ["__str__", "meeting", "consent_to_publish", "consent_recorded_at"]
    list_filter = ["consent_to_publish"]
    list_select_related = ["meeting"]
    search_fields = ["name", "email", "meeting__name"]
    autocomplete_fields = ["meeting"]

    def curated(self, user):
        return curation.curated_contacts(user)


@admin.register(Curator)
class CuratorAdmin(ModelAdmin):
    """Who curates which organizations; superusers only. Saving makes the user staff, in the Curators group."""

    list_display = ["user", "organization_names", "regions"]
    search_fields = ["user__username", "user__email", "organizations__name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["organizations"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("organizations")

    @admin.display(description=_("organizations"))
    def organization_names(self, obj: Curator) -> str:
        return ", ".join(str(organization) for organization in obj.organizations.all())

    def has_module_permission(self, request) -> bool:
        return curation.is_superuser(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return curation.is_superuser(request.user)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None) -> bool:
        return curation.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return curation.is_superuser(request.user)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        curation.enrol(form.instance)


@admin.register(Place)
class PlaceAdmin(ModelAdmin):
    """The gazetteer behind place search; refreshed by ``manage.py load_places``, not edited by hand."""

    list_display = ["name", "admin1", "country", "population", "timezone", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name", "search_name"]
    show_full_result_count = False


@admin.register(PlaceAlias)
class PlaceAliasAdmin(ModelAdmin):
    """Other names of the gazetteer's larger cities ("nueva york"), which a place search also reads; refreshed
    with the places by ``manage.py load_places``. Here to see why a name finds the city it finds."""

    list_display = ["search_name", "place"]
    list_select_related = ["place"]
    search_fields = ["search_name", "place__name"]
    show_full_result_count = False


@admin.register(ChangeReport)
class ChangeReportAdmin(ModelAdmin):
    """Visitors' reports, queued for the curators of each meeting. Read-only: a curator applies the suggestion
    in one step, marks the listing fixed by hand, or dismisses the report (meetings.reports)."""

    list_display = ["created_at", "meeting", "organization", "problem", "status"]
    list_filter = ["status", "problem"]
    list_select_related = ["meeting__organization"]
    search_fields = ["meeting__name", "message"]
    fields = [
        "meeting",
        "problem",
        "suggested_day",
        "suggested_start_time",
        "suggested_end_time",
        "suggested_address",
        "suggested_conference_url",
        "message",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    readonly_fields = fields
    change_form_template = "admin/meetings/changereport/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("meeting__organization", "meeting__location")
        if curation.is_superuser(request.user):
            return queryset
        return queryset.filter(meeting__in=curation.curated_meetings(request.user))

    def has_add_permission(self, request) -> bool:
        return False  # only visitors report, through the meeting's page

    @admin.display(description="organization", ordering="meeting__organization__name")
    def organization(self, obj: ChangeReport) -> str:
        return str(obj.meeting.organization)

    def get_urls(self):
        resolve = path(
            "<path:object_id>/resolve/",
            self.admin_site.admin_view(self.resolve_view),
            name="meetings_changereport_resolve",
        )
        return [resolve, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            meeting = obj.meeting
            context.update(
                comparison=reports.comparison(obj),
                can_apply=bool(reports.proposed_changes(obj)),
                resolve_url=reverse("admin:meetings_changereport_resolve", args=[obj.pk]),
                meeting_url=reverse("admin:meetings_meeting_change", args=[meeting.pk]),
                location_url=(
                    reverse("admin:meetings_location_change", args=[meeting.location_id]) if meeting.location_id else ""
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def resolve_view(self, request, object_id):
        """The report page's buttons: apply the suggestion, mark it fixed by hand, or dismiss it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        report = self.get_object(request, object_id)  # only reports about meetings this user curates
        if report is None:
            raise Http404
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        try:
            if "_apply" in request.POST:
                changed = reports.apply_report(report, request.user)
                names = ", ".join(str(Meeting._meta.get_field(name).verbose_name) for name in changed)
                message = gettext("Applied to %(meeting)s: %(fields)s.") % {"meeting": report.meeting, "fields": names}
            elif "_done" in request.POST:
                reports.mark_done(report, request.user)
                message = gettext("Marked as fixed.")
            elif "_dismiss" in request.POST:
                reports.dismiss_report(report, request.user)
                message = gettext("Dismissed; the listing is unchanged.")
            else:
                return HttpResponseNotAllowed(["POST"])
        except reports.ReportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:meetings_changereport_change", report.pk)
        self.log_change(request, report, message)  # the report's History page says who resolved it and how
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:meetings_changereport_changelist")
