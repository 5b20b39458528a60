"""The API's renderers: JSON written by orjson, and DRF's browsable pages under a policy they can keep.

DRF's JSON renderer goes through ``json.dumps`` with a Python encoder: about 1 ms for a page of 25
meetings, as much as serializing them (benchmarks/README.md, run 6); orjson takes a tenth of that.
The browsable API, and clients asking for indented JSON, still get DRF's own renderer. Differences
that JSON readers do not see: U+2028 and U+2029 are not escaped, and small floats are written 1e-7 rather
than 1e-07. NaN and infinities, which the API never produces, would be written as null.
"""

from typing import Any

import orjson
from csp.constants import UNSAFE_INLINE
from rest_framework import renderers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Datetimes go to DRF's encoder (ISO 8601 with "Z" and milliseconds, as DRF writes them), as do
# lazy translations, decimals, UUIDs and the rest; orjson's own format would differ.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=JSONEncoder().default, option=_OPTIONS)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages for people trying the API in a browser.

    Its templates and scripts set inline styles, which our Content Security Policy blocks everywhere else
    (a console error each, and a broken layout): these pages alone allow them, as the API docs page does
    (finder/urls.py), by the response attribute django-csp's ``csp_update`` decorator sets.
    """

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> str:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
