"""Admin pages that show each curator only what they curate, and record who changed what.

``meetings.curation`` decides which rows a user curates; the bases here apply it to every admin
page: lists, single objects (another organization's object is a 404, the same as a missing one),
foreign-key choices, and the history pages. Superusers see everything.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from finder.admin import ModelAdmin
from meetings import curation, history


class CuratedForm(forms.ModelForm):
    # Whose choices and whose rules: set per request by CuratedAdmin.get_form (a fresh class each time).
    curation_user = None

    def limited(self) -> bool:
        return self.curation_user is not None and not curation.is_superuser(self.curation_user)


def _scoped(queryset: QuerySet, user, curated: Callable) -> QuerySet:
    """``queryset`` limited to what ``curated(user)`` gives, unless the user is a superuser."""
    if curation.is_superuser(user):
        return queryset
    return queryset.filter(pk__in=curated(user).values("pk"))


class CuratedAdmin(ModelAdmin):
    """Scopes every page of a model to ``curated(user)``."""

    form = CuratedForm
    # Foreign keys whose choices are limited to what the user curates: field name → function of the user.
    curated_choices: dict[str, Callable] = {}

    def curated(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user, self.curated)

    def in_scope(self, request, obj) -> bool:
        """Whether ``obj``, as stored, is one the user curates (asked once per object and request)."""
        if obj is None or obj.pk is None or curation.is_superuser(request.user):
            return True
        answers = request.__dict__.setdefault("_curated", {})
        key = (obj._meta.label, obj.pk)
        if key not in answers:
            answers[key] = self.curated(request.user).filter(pk=obj.pk).exists()
        return answers[key]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not curation.is_superuser(request.user):
            # The same answer for another organization's object as for one that does not exist.
            raise Http404(_("Nothing here is yours to curate."))
        return obj

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def has_add_permission(self, request) -> bool:
        if not super().has_add_permission(request):
            return False
        if curation.is_superuser(request.user):
            return True
        if not hasattr(request, "_curates_any"):  # asked several times per page
            request._curates_any = curation.curated_organizations(request.user).exists()
        return request._curates_any

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.curated_choices.get(db_field.name)
        if choices is not None and not curation.is_superuser(request.user):
            kwargs["queryset"] = choices(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.curation_user = request.user
        return form


class CuratedHistoryAdmin(CuratedAdmin, SimpleHistoryAdmin):
    """A curated model with history: one history row per admin save, naming the user, viewable and
    revertible from the object's History page by those who curate it."""

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))  # a 404 for what the user does not curate
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        # simple-history would record at the first save, before the many-to-many fields are saved;
        # record once everything is saved instead (log_addition and log_change come last).
        obj.skip_history_when_saving = True
        obj._history_wanted = not change or form.has_changed() or self.reverting(request)
        if not getattr(obj, "_change_reason", ""):
            obj._change_reason = "reverted in the admin" if self.reverting(request) else "edited in the admin"
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        self._record(request, obj, created=True)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, obj, created=False)
        return super().log_change(request, obj, message)

    def _record(self, request, obj, created: bool) -> None:
        if not hasattr(obj, "skip_history_when_saving"):
            return  # not saved by save_model above
        del obj.skip_history_when_saving
        if obj._history_wanted:
            history.record([obj], created=created, user=request.user, reason=obj._change_reason)

    @staticmethod
    def reverting(request) -> bool:
        match = request.resolver_match
        return bool(match and match.url_name and match.url_name.endswith("_simple_history"))


class CuratedInline(admin.TabularInline):
    """An inline listing only rows the user curates."""

    def curated(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user, self.curated)


class MeetingAdminForm(CuratedForm):
    verified_today = forms.BooleanField(
        label=_("Verified today"),
        required=False,
        help_text=_("Tick after checking this listing with the group or its source; sets “last verified” to today."),
    )

    def clean(self):
        data = super().clean()
        organization, location = data.get("organization"), data.get("location")
        if not self.limited() or organization is None:
            return data  # a missing or unknown organization is already the field's error
        user = self.curation_user
        # The choices already say this; saying it again here does not depend on them.
        if not curation.curated_organizations(user).filter(pk=organization.pk).exists():
            self.add_error("organization", _("You do not curate this organization's meetings."))
        elif not curation.may_place(user, organization, location):
            self.add_error("location", _("Choose a location in your regions."))
        return data


class LocationAdminForm(CuratedForm):
    def clean(self):
        data = super().clean()
        if self.limited() and not curation.in_regions(
            self.curation_user, data.get("country") or "", data.get("state") or ""
        ):
            self.add_error("state", _("This place is outside your regions; give its country and state there."))
        return data
