"""Per-client limits on pages people use: past its share, a client gets the 429 page, in its language.

Counted in the table the API's limits use (finder/rates.py), under the client's real address
(finder/clients.py), so one limit holds across every worker.
"""

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from finder import rates
from finder.clients import client_key


def refusal(request: HttpRequest, limit: str, setting: str) -> HttpResponse | None:
    """Count the request against ``limit``, at most ``settings.<setting>`` a minute from one client (0 lifts
    it): None while within it, else the 429 page saying when to try again."""
    wait = rates.take_slot(limit, client_key(request), getattr(settings, setting), 60)
    if not wait:
        return None
    seconds = math.ceil(wait)
    response = render(request, "429.html", {"seconds": seconds, "again": request.get_full_path()}, status=429)
    response["Retry-After"] = str(seconds)
    patch_cache_control(response, no_store=True)  # a refusal must not stand in for the page later
    return response
