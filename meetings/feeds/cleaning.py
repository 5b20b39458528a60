"""Values every feed format cleans the same way: HTML in text, coordinates, country names."""

import html
import math
import re
from typing import Any

from django.utils.html import strip_tags

from meetings import geocoding

_TAG = re.compile(r"<[a-zA-Z/!]")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def strip_html(text: str) -> str:
    """Text with any HTML taken out; <br> becomes a line break, entities are decoded."""
    if _TAG.search(text):
        text = strip_tags(_BREAK.sub("\n", text))
    return html.unescape(text).strip() if "&" in text else text


def coordinate(value: Any, limit: float) -> float | None:
    """A number within ±limit; absent, empty, 0 (feeds' "not placed") and unreadable values are None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or number == 0 or abs(number) > limit:
        return None
    return number


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 for a code or English country name ("United States", "USA", "CAN"), else ""."""
    return geocoding.country_code(text)
