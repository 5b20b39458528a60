"""Web addresses read from a feed: what to store in a URL field, and what to tell the curator.

Feeds write links as people type them: ``zoom.us/j/123`` without a scheme, app links
(``zoommtg://…``), ``javascript:`` and free text. The pages only link http(s) addresses, so
anything else stored in a URL field shows up as dead text; a link cut to fit the field is a
broken link. ``read_web_address`` keeps what is a web address (adding ``https://`` where the
scheme was left out) and refuses the rest, saying why in plain words.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

__all__ = ["WebAddress", "read_web_address"]

_validate = URLValidator(schemes=["http", "https"])
_WEB_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# RFC 3986's scheme: what makes "javascript:", "mailto:" or "zoommtg:" something other than a host name.
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# "zoom.us:443/j/1" starts like a scheme but is a host with a port.
_HOST_AND_PORT = re.compile(r"[^/?#:@\s]+\.[^/?#:@\s]+:\d+(?:[/?#]|$)")
_HOST_END = re.compile(r"[/?#]")


@dataclass(frozen=True)
class WebAddress:
    """What to store for one feed value.

    ``value`` is the web address to store, or "" (blank, or refused). ``problem`` is "" or a short
    phrase that reads after the feed's text ("is not a web address"); it is set only when something
    given was refused. ``added_https`` says ``https://`` was put in front of an address without scheme.
    """

    value: str
    problem: str = ""
    added_https: bool = False


def read_web_address(text: str, max_length: int) -> WebAddress:
    """Read ``text`` (a link from a feed) for a URL field that holds ``max_length`` characters.

    Surrounding whitespace is stripped. http(s) addresses are kept as given; a host name with a
    dot, optionally followed by a path (``zoom.us/j/1``), gets ``https://``; anything else (another
    scheme, text with spaces, an e-mail address) is refused, and so is an address too long for the
    field, since a cut link is a broken one.
    """
    text = text.strip()
    if not text:
        return WebAddress("")
    added = False
    address = text
    if text.startswith("//"):  # a scheme-relative link copied from a page's HTML
        address, added = "https:" + text, True
    elif not _WEB_SCHEME.match(text):
        if not _without_scheme(text):
            return WebAddress("", "is not a web address")
        address, added = "https://" + text, True
    if len(address) > max_length:  # before validating: the validator refuses long addresses as invalid
        return WebAddress("", f"is longer than the {max_length} characters a link can have")
    try:
        _validate(address)
    except ValidationError:
        return WebAddress("", "is not a web address")
    if "@" in urlsplit(address).netloc:
        # "https://zoom.us@evil.example/j/1" goes to evil.example: a name before "@" only disguises the host.
        return WebAddress("", "names a host behind another (an @ before the host)")
    return WebAddress(address, added_https=added)


def _without_scheme(text: str) -> bool:
    """Whether ``text`` can be a web address whose ``https://`` was left out: a host with a dot first."""
    if _SCHEME.match(text) and not _HOST_AND_PORT.match(text):
        return False
    host = _HOST_END.split(text, maxsplit=1)[0]
    # "group@example.org" would validate as https://group@example.org, a link to example.org.
    return "." in host and "@" not in host
