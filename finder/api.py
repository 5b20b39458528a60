"""What the project's read-only APIs share: a list filtered by its FilterSet, strictly."""

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, views
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from finder.filters import REPEATED, given_values, unknown_parameters

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


def exception_handler(exc: Exception, context: dict):
    """DRF's, except that a missing object is "Not found." in the client's language.

    DRF passes Django's ``Http404`` text on, and that is English and names the model's class
    ("No Meeting matches the given query.").
    """
    if isinstance(exc, Http404):
        exc = NotFound()
    return views.exception_handler(exc, context)


class FilterParameters(DjangoFilterExtension):
    """drf-spectacular's parameters of a FilterSet, with what it leaves out: the help text of filters whose
    schema type is set by ``extend_schema_field`` (``day``, ``type``, ``organization``…), and the bounds and
    order of number filters (``lat`` from -90 to 90; ``distance`` 1, 2, 5…)."""

    priority = 1  # chosen over drf-spectacular's own extension for DjangoFilterBackend

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        extra = filter_field.extra
        for parameter in parameters:
            if extra.get("help_text") and not parameter.get("description"):
                parameter["description"] = str(extra["help_text"])
            schema = parameter.get("schema", {})
            if schema.get("format") == "time":  # OpenAPI's time has a zone ("19:30:00Z"); the form's is "19:30"
                del schema["format"]
                schema["pattern"] = r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
            if schema.get("type") in ("number", "integer"):
                if "enum" in schema:  # drf-spectacular sorts choices as text: 1, 10, 100, 15…
                    schema["enum"] = sorted(schema["enum"])
                for bound, key in (("min_value", "minimum"), ("max_value", "maximum")):
                    if extra.get(bound) is not None:
                        schema[key] = extra[bound]
        return parameters


class Pagination(PageNumberPagination):
    """Pages by number, ``page_size`` up to 100; a page or page size that is not a whole number from 1 is a 400
    naming it (DRF answers 404 for ``page=abc`` and ignores ``page_size=abc``). A page past the last is a 404."""

    page_size_query_param = "page_size"
    max_page_size = 100

    @property
    def page_size_query_description(self) -> str:  # the schema's
        most = self.max_page_size
        return f"Results per page, from 1 to {most} (default {self.page_size}); more is taken as {most}."

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # both are whole numbers from 1, as get_page_number and get_page_size check
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["default"] = self.page_size
        return parameters

    def get_page_number(self, request, paginator):
        value = _one_value(request, self.page_query_param) or "1"
        if value in self.last_page_strings:  # ?page=last, as DRF allows
            return paginator.num_pages
        if not _counting_number(value):
            raise ValidationError({self.page_query_param: [gettext("Give a page number: 1, 2, 3…")]})
        return value

    def get_page_size(self, request):
        value = _one_value(request, self.page_size_query_param)
        if not value:
            return self.page_size
        if not _counting_number(value):
            message = gettext("Give how many results a page holds, from 1 to %(most)s.") % {"most": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        digits = value.lstrip("0")  # not int() on thousands of digits: Python refuses more than 4,300
        if len(digits) > len(str(self.max_page_size)):
            return self.max_page_size
        return min(int(digits), self.max_page_size)


def _one_value(request, name: str) -> str | None:
    """The parameter's value, as the filters take theirs: blanks and repeats count once, two values are a 400."""
    values = given_values(request.query_params.getlist(name))
    if len(values) > 1:
        raise ValidationError({name: [str(REPEATED)]})
    return values[0] if values else None


def _counting_number(value: str) -> bool:
    # Digits by hand: int() also reads "1_0", " 2" and full-width digits, and refuses more than 4,300 digits.
    return value.isascii() and value.isdigit() and value.strip("0") != ""


# Parameters that are not filters but are allowed on a list.
NON_FILTER_PARAMETERS = {"page", "page_size", "format"}


def unknown_parameter_errors(params, allowed: set[str]) -> dict[str, list[str]]:
    """Each parameter a request without filters does not take, with its error (a detail's ``?dya=2``)."""
    return {name: [gettext("Unknown parameter.")] for name in sorted(set(params) - allowed)}


def refuse_unknown_parameters(params, allowed: set[str]) -> None:
    """A 400 naming each parameter not ``allowed``, rather than an answer as if it had been understood."""
    if errors := unknown_parameter_errors(params, allowed):
        raise ValidationError(errors)


class StrictFilterMixin:
    """Run ``filterset_class`` on a list; a 400 names every bad or unknown parameter.

    The FilterSet is kept as ``self.search`` so serializers can read what it worked out
    (units, the visitor's zone…). Details (``retrieve``) are not filtered, and take only
    ``detail_parameters``.
    """

    search = None
    detail_parameters = {"format"}

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            refuse_unknown_parameters(self.request.query_params, self.detail_parameters)
        if self.action != "list":
            return queryset
        params = self.request.query_params
        self.search = self.filterset_class(params, queryset, request=self.request)
        errors = unknown_parameters(params, self.search, NON_FILTER_PARAMETERS)
        if not self.search.is_valid():
            errors.update({field: list(messages) for field, messages in self.search.errors.items()})
        if errors:
            raise ValidationError(errors)
        return self.search.qs
