"""Filter parts both searches share (meetings and organizations)."""

import copy
from collections.abc import Iterable, Iterator, Mapping

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext
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


class _AnyCase:
    """A fixed choice in any letter case (?day=Monday, ?units=KM), cleaned to the choice's own spelling.

    People type these into URLs and API clients by hand. An unknown value is left as given, for the error to name.
    """

    @cached_property
    def spellings(self) -> dict[str, str]:
        # Once per field: search fields are shared by every search and their choices never change (_SharedFields).
        return {str(value).lower(): str(value) for value, _label in self.choices}

    def respell(self, value: str) -> str:
        return self.spellings.get(value.lower(), value)


class AnyCaseChoiceField(_AnyCase, django_filters.fields.ChoiceField):
    def to_python(self, value) -> str:
        return self.respell(super().to_python(value))


class AnyCaseMultipleChoiceField(_AnyCase, django_filters.fields.MultipleChoiceField):
    def to_python(self, value) -> list[str]:
        return [self.respell(item) for item in super().to_python(value)]


class AnyCaseChoiceFilter(django_filters.ChoiceFilter):
    """One of fixed choices, in any letter case (documented with the choices' own spellings)."""

    field_class = AnyCaseChoiceField


class AnyCaseMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Several of fixed choices, each in any letter case (documented with the choices' own spellings)."""

    field_class = AnyCaseMultipleChoiceField


class _FreshChoices(django_filters.fields.ModelChoiceIterator):
    """A shared ``CodesField``'s choices: each listing reads its own copy of the field's queryset."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field  # not the queryset, which Django's iterator keeps and every form would share

    @property
    def queryset(self):
        return self.field.queryset


class CodesField(django_filters.fields.ModelMultipleChoiceField):
    """Rows named by code, from a field every search form shares (see ``_SharedFields``).

    Each read of ``queryset``, and each listing of the choices, gets a fresh copy, so the shared
    field's own is never evaluated or compiled: two threads compiling one queryset at once broke its SQL.
    """

    iterator = _FreshChoices

    @property
    def queryset(self):
        return None if self._queryset is None else self._queryset.all()

    @queryset.setter
    def queryset(self, queryset):
        django_filters.fields.ModelMultipleChoiceField.queryset.fset(self, queryset)

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
    depend on nothing per request (a queryset is copied each time it is read), so the form class
    is built once per FilterSet class; a filter is copied shallowly, its method bound to the copy,
    only when a search uses it (most parameters of a search are empty).
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
        self.filters = _BoundFilters(self, model)

    @classmethod
    def form_class(cls) -> type[forms.Form]:
        if "_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (_SearchForm, cls._meta.form), fields)
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


class _BoundFilters(Mapping):
    """``FilterSet.filters``: each base filter, copied for this search when it is first looked up."""

    def __init__(self, parent: FilterSet, model) -> None:
        self._parent, self._model, self._copies = parent, model, {}

    def __getitem__(self, name: str) -> django_filters.Filter:
        if name not in self._copies:
            base = self._parent.base_filters[name]  # KeyError for a name the FilterSet lacks
            self._copies[name] = _copy_filter(base, self._parent, self._model)
        return self._copies[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parent.base_filters)

    def __len__(self) -> int:
        return len(self._parent.base_filters)


def _copy_filter(filter_, parent, model):
    clone = copy.copy(filter_)  # keeps its field, the one in the shared form class
    clone.model = model
    clone.parent = parent
    if filter_.method is not None:
        clone.method = filter_.method  # a FilterMethod of its own, calling this parent's method
    return clone


# Different values of one repeatable parameter a search takes; more are refused (SQLite joins at most 64 tables).
MAX_VALUES = 20


# For a parameter that takes one value, given different ones: the search forms' and the API's pagination's.
REPEATED = _("Give one value, not several.")


def unknown_parameters(names: Iterable[str], search: "FilterSet", allowed: Iterable[str] = ()) -> dict[str, list[str]]:
    """Each name that is neither a filter of ``search`` nor ``allowed``, with its error: a typo (``?dya=2``)
    would otherwise be ignored, and the answer would hold every meeting instead of the few asked for."""
    unknown = set(names) - set(search.filters) - set(allowed)
    return {name: [gettext("Unknown parameter.")] for name in sorted(unknown)}


def given_values(values: Iterable[str]) -> list[str]:
    """The values a parameter was given, each once, in order; a blank (or only spaces) is no value."""
    return list(dict.fromkeys(value for value in values if value.strip()))


class _SearchForm(forms.Form):
    """Cleans an empty parameter without building its bound field.

    A search gives two or three of its twenty parameters. Empty or left out, a field that is not
    required and has no ``clean_<name>`` cleans to the same value every time: that value is worked
    out once per form class and raw empty value (a fresh copy for each form, since lists are
    mutable). Other parameters, and every other field, are cleaned as Django cleans them.
    """

    _empty_values: dict[tuple[str, str], object]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._empty_values = {}  # each form class its own: (name, repr of the raw value) -> cleaned value

    def _clean_fields(self) -> None:
        empty_values = self._empty_values
        repeated = self._one_value_each()
        for name, field in self.fields.items():
            if name in repeated:
                # ?lat=40&lat=41: Django would take the last in silence, and search somewhere the client did not mean.
                self.add_error(name, forms.ValidationError(REPEATED, code="repeated"))
                continue
            if not self._cleans_alike_when_empty(name, field):
                self._clean_field(name)
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if raw not in field.empty_values:
                self._clean_field(name)
                continue
            key = (name, repr(raw))
            if key not in empty_values:
                try:
                    empty_values[key] = field.clean(raw)
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
            self.cleaned_data[name] = copy.copy(empty_values[key])

    def _one_value_each(self) -> set[str]:
        """Parameters that take one value but were given different ones (blanks are no value).

        A parameter given its one value with blanks or again (``?q=cedar&q=``) keeps that value: Django
        would take the last, the blank, and search without it. Only the few parameters a search gives are
        looked at, not every field; search forms have no prefix.
        """
        if not hasattr(self.data, "getlist"):
            return set()
        repeated, kept = set(), {}
        for name, values in self.data.lists():
            field = self.fields.get(name)
            if len(values) < 2 or field is None or getattr(field.widget, "allow_multiple_selected", False):
                continue
            given = given_values(values)
            if len(given) > 1:
                repeated.add(name)
            elif given != values:
                kept[name] = given or [""]
        if kept:
            self.data = self.data.copy()  # QueryDicts from a request are immutable
            for name, values in kept.items():
                self.data.setlist(name, values)
        return repeated

    def _widget_data_value(self, widget, html_name: str):
        value = super()._widget_data_value(widget, html_name)
        if isinstance(value, list) and not all(item.strip() for item in value):
            value = [item for item in value if item.strip()]  # ?day=&day=2, ?day= or ?day=%20: a blank is no choice
        return value

    def _cleans_alike_when_empty(self, name: str, field: forms.Field) -> bool:
        return not (
            field.required
            or field.disabled
            or self.files
            or hasattr(self, f"clean_{name}")
            or type(field)._clean_bound_field is not forms.Field._clean_bound_field  # e.g. FileField's
        )

    def _clean_field(self, name: str) -> None:
        """As Django's ``_clean_fields`` does for one field; a repeated value counts once."""
        bound = self[name]
        try:
            value = bound.field._clean_bound_field(bound)
            if isinstance(value, list):
                # ?day=1&day=1… hundreds of times made SQL too deep for SQLite, and each type code is a join.
                value = list(dict.fromkeys(value))
                if len(value) > MAX_VALUES:
                    raise forms.ValidationError(
                        _("Give at most %(limit)s values."), code="max_values", params={"limit": MAX_VALUES}
                    )
            self.cleaned_data[name] = value
            if hasattr(self, f"clean_{name}"):
                self.cleaned_data[name] = getattr(self, f"clean_{name}")()
        except forms.ValidationError as error:
            self.add_error(name, error)


class _SharedFields(dict):
    """A search form's fields, shared by its instances instead of deep-copied for each.

    A form deep-copies its fields so that one instance may change them without touching the
    others. Search forms never change theirs, and the copy took a tenth of a search's Python time.
    The one kind of field with state a form could change, a choice of rows, is a ``CodesField``,
    whose queryset is copied each time it is read. (So a view must not set a search form's field's
    queryset or choices: that would change them for every search.)
    """

    def __init__(self, fields: dict[str, forms.Field]) -> None:
        for name, field in fields.items():
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, CodesField):
                raise TypeError(f"{name}: a search's choice of rows must be a CodesField, to be shared")
        super().__init__(fields)

    def __deepcopy__(self, memo) -> dict:
        return dict(self)
