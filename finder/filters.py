"""Filter parts both searches share (meetings and organizations)."""

import copy

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class YesNoField(forms.NullBooleanField):
    """true/false, 1/0, yes/no, on/off; anything else is an error, not a silent "no"."""

    widget = forms.TextInput  # NullBooleanSelect would turn unknown words into None before validation
    VALUES = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(_("Use true or false."), code="invalid") from None

    def validate(self, value):
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class CodesField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        # Django answers "none chosen" with ``queryset.none()``, and the filter then asks it whether it
        # is empty, which compiles its SQL: 1.5 ms per search and filter. An empty list says the same.
        if not value and not self.required:
            return []
        return super().clean(value)


@extend_schema_field(OpenApiTypes.STR)
class CodesFilter(django_filters.ModelMultipleChoiceFilter):
    """Several rows named by a code or slug (documented as repeatable strings in the schema)."""

    field_class = CodesField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, without rebuilding its form class on every request.

    django-filter deep-copies every filter and builds a new form class, with a new field per filter,
    for each instance: a third of a search's Python time (benchmarks/README.md, run 6). Fields here
    depend on nothing per request (querysets are lazy and copied with each form), so the form class
    is built once per FilterSet class; filters are copied shallowly, each copy's method bound to it.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        model = queryset.model
        self.form_class()  # builds the base filters' fields first, so that the copies share them
        self.filters = {name: _copy_filter(filter_, self, model) for name, filter_ in self.base_filters.items()}

    @classmethod
    def form_class(cls) -> type[forms.Form]:
        if "_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    def get_form_class(self) -> type[forms.Form]:
        return self.form_class()

    def filter_queryset(self, queryset):
        # Each filter returns the queryset unchanged for an empty value; most of a search's are empty.
        for name, value in self.form.cleaned_data.items():
            if value not in EMPTY_VALUES:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def _copy_filter(filter_, parent, model):
    clone = copy.copy(filter_)  # keeps its field, the one in the shared form class
    clone.model = model
    clone.parent = parent
    if filter_.method is not None:
        clone.method = filter_.method  # a FilterMethod of its own, calling this parent's method
    return clone


class _SharedFields(dict):
    """A search form's fields, shared by its instances instead of deep-copied for each.

    A form deep-copies its fields so that one instance may change them without touching the
    others. Search forms never change theirs, and the copy took a tenth of a search's Python time.
    Model choice fields are still copied as Django copies them: each form gets its own queryset,
    which rendering the choices compiles (a shared one, compiled by two threads at once, broke).
    """

    def __deepcopy__(self, memo) -> dict:
        return {
            name: copy.deepcopy(field, memo) if isinstance(field, forms.ModelChoiceField) else field
            for name, field in self.items()
        }
