"""What shared caches (a company's proxy, a CDN) may keep: never a visitor's search, never the wrong language.

A search's address holds the searched place (``/?near=19103``, ``/api/v1/meetings/?lat=…``), and a page's
language may come from the language switch's cookie as well as from ``Accept-Language``.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import cc_delim_re, has_vary_header, patch_cache_control, patch_vary_headers

# A view that said one of these has decided for itself who may keep its answer.
_DECIDED = {"public", "private", "no-store"}


def private_searches(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable:
    """Middleware: a cache keeps a language-dependent answer apart per cookie, and a search to the browser alone.

    - An answer that varies on ``Accept-Language`` also varies on ``Cookie``: LocaleMiddleware reads the
      ``django_language`` cookie first but names only the header.
    - An answer to a request with a query string is ``Cache-Control: private``, keeping whatever else the view
      said (``no-cache``, ``max-age``…), unless the view already said ``public`` (it vouches that the answer is
      the same for everyone), ``private`` or ``no-store`` (stronger still). Addresses without a query, such as
      the whole-site feeds that apps read, stay cacheable.
    """

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        # Plain string checks first: this runs on every request, and Django's header parsing is the slow part.
        vary = response.get("Vary", "")
        if "Accept-Language" in vary and "Cookie" not in vary and has_vary_header(response, "Accept-Language"):
            patch_vary_headers(response, ("Cookie",))
        # The raw query string, not request.GET: parsing it may fail (too many parameters), and a
        # blank "?" holds nothing private.
        if request.META.get("QUERY_STRING"):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private"
            elif not _decided(response):
                patch_cache_control(response, private=True)
        return response

    return middleware


def _decided(response: HttpResponseBase) -> bool:
    directives = cc_delim_re.split(response.get("Cache-Control", ""))
    return any(directive.split("=", 1)[0].strip().lower() in _DECIDED for directive in directives)
