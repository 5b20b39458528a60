"""Site-wide views that belong to no app."""

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin, the browsable API).

    Looked up per request, not when the URLs load: the static file's hashed name needs collectstatic's manifest.
    Not a permanent redirect, which browsers would keep after the icon (and its hashed name) changes.
    """
    try:
        url = static("favicon.svg")
    except ValueError:  # collectstatic not run since the icon was added: no icon rather than an error
        raise Http404("No icon") from None
    response = HttpResponseRedirect(url)
    patch_cache_control(response, max_age=24 * 60 * 60)
    return response


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    """Any other address under /api/: a 404 in the API's own form ("Not found." as JSON), not the site's page."""

    def get(self, request, *args, **kwargs):
        raise NotFound()

    post = put = patch = delete = options = get
