"""What the project's read-only APIs share: a list filtered by its FilterSet, strictly."""

from django.utils.translation import gettext
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

# How errors look, for the schema: a 400 names each bad parameter, a 404 says what was not found.
ERRORS = OpenApiResponse(
    # OpenAPI's own key: build_object_type writes its keyword arguments into the schema as they are named.
    response=build_object_type(**{"additionalProperties": build_array_type(build_basic_type(OpenApiTypes.STR))}),
    description="Each bad parameter with what was wrong, e.g. "
    '`{"near": ["We couldn\'t find “Sprngfield”. Did you mean Springfield, IL?"]}`.',
)
NOT_FOUND = OpenApiResponse(
    response=inline_serializer("NotFound", {"detail": serializers.CharField()}),
    description="No such object, or a page past the last.",
)

DENIED = OpenApiResponse(
    response=inline_serializer("Denied", {"detail": serializers.CharField()}),
    description="401: no or a wrong token. 403: the token's user may not do this.",
)
THROTTLED = OpenApiResponse(
    response=inline_serializer("Throttled", {"detail": serializers.CharField()}),
    description="Too many requests from this client; `Retry-After` says when to try again.",
)

# Any request may carry a token; a wrong one is refused even for reading (401).
READ_ERRORS = {401: DENIED, 429: THROTTLED}


class FilterParameters(DjangoFilterExtension):
    """drf-spectacular's parameters of a FilterSet, with the help text of filters whose schema type is set
    by ``extend_schema_field`` (``day``, ``type``, ``organization``…): it drops theirs."""

    priority = 1  # chosen over drf-spectacular's own extension for DjangoFilterBackend

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
        return parameters


# Parameters that are not filters but are allowed on a list.
NON_FILTER_PARAMETERS = {"page", "page_size", "format"}


class StrictFilterMixin:
    """Run ``filterset_class`` on a list; a 400 names every bad or unknown parameter.

    The FilterSet is kept as ``self.search`` so serializers can read what it worked out
    (units, the visitor's zone…). Details (``retrieve``) are not filtered.
    """

    search = None

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        self.search = self.filterset_class(params, queryset, request=self.request)
        errors = {
            name: [gettext("Unknown parameter.")]
            for name in sorted(set(params) - set(self.search.filters) - NON_FILTER_PARAMETERS)
        }
        if not self.search.is_valid():
            errors.update({field: list(messages) for field, messages in self.search.errors.items()})
        if errors:
            raise ValidationError(errors)
        return self.search.qs
