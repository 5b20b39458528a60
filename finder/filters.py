"""Filter parts both searches share (meetings and organizations)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
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


@extend_schema_field(OpenApiTypes.STR)
class CodesFilter(django_filters.ModelMultipleChoiceFilter):
    """Several rows named by a code or slug (documented as repeatable strings in the schema)."""
