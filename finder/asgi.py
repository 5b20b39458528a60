"""ASGI entry point, for servers such as uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

application = get_asgi_application()

from finder.collecting import freeze_loaded  # noqa: E402  (after the application is loaded)
from meetings import geocoding  # noqa: E402  (needs the application's settings)

geocoding.warm()
# What is loaded by now stays out of every collection. Garbage is not collected between requests here, as
# finder/wsgi.py does: an event loop serves many requests at once, so there is no moment between them.
freeze_loaded()
