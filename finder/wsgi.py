"""WSGI entry point: ``gunicorn finder.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

application = get_wsgi_application()

from meetings import geocoding  # noqa: E402  (needs the application's settings)

geocoding.warm()

# Everything loaded so far lives as long as the worker: keep it out of the garbage collector's
# full collections, which otherwise pause requests (benchmarks/README.md, "Still open" 8).
gc.freeze()
