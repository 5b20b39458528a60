"""WSGI entry point: ``gunicorn finder.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

django_application = get_wsgi_application()

from finder.collecting import collect_between_requests  # noqa: E402  (after the application is loaded)
from meetings import geocoding  # noqa: E402  (needs the application's settings)

geocoding.warm()
# Last: what is loaded by now stays out of every collection, and garbage is collected after responses.
application = collect_between_requests(django_application)
