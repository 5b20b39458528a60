"""ASGI entry point, for servers such as uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

application = get_asgi_application()

from finder.collecting import collect_between_requests  # noqa: E402  (after the application is loaded)

collect_between_requests()
