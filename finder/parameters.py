"""A request with more parameters than Django reads (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) is a 400, never a 500."""

from collections.abc import Callable

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponseBase, JsonResponse, QueryDict
from django.utils.translation import gettext
from django.views.defaults import bad_request

API_PREFIX = "/api/"  # finder/urls.py


def refuse_too_many_parameters(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable:
    """Middleware: read the query string before any view does, and answer a 400 if Django refuses it.

    ``request.GET`` raises ``TooManyFieldsSent`` each time it is read, wherever that is (DRF's content
    negotiation, a FilterSet, a view). Django turns it into a 400, but its debug page reads ``request.GET``
    again, so with DEBUG on each middleware's handler fails in turn and the server answers 500; and the API's
    clients would get Django's HTML page instead of the API's JSON. Handled here, once, before any of that:
    the API's ``{"detail": …}`` under /api/, the site's 400 page elsewhere. After LocaleMiddleware, so the
    message is in the visitor's language.
    """

    def middleware(request: HttpRequest) -> HttpResponseBase:
        try:
            request.GET  # noqa: B018  (parsed here, and kept for the view)
        except TooManyFieldsSent as exc:
            request.GET = QueryDict()  # so that nothing after this (logging, a debug page) trips over it again
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse({"detail": gettext("Too many parameters.")}, status=400)
            return bad_request(request, exc)
        return get_response(request)

    return middleware
