"""Read a feed from a file or an http(s) URL, with limits, for the importers.

Plain urllib: a feed is one GET, and a dependency would add nothing. Network errors become
``SourceError`` with a message a curator can act on.
"""

from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

MAX_BYTES = 100 * 1024 * 1024  # the largest intergroup feeds are a few MB; 150,000 meetings ~ 80 MB
TIMEOUT_SECONDS = 60
USER_AGENT = "mutual-help-finder-importer"


class SourceError(ValueError):
    """The source could not be read; the message says why."""


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def read_source(source: str, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS) -> bytes:
    if is_url(source):
        return _read_url(source, max_bytes, timeout)
    path = Path(source)
    if not path.is_file():
        raise SourceError(f"No file at {source}.")
    if path.stat().st_size > max_bytes:
        raise SourceError(f"{source} is larger than {max_bytes // (1024 * 1024)} MB.")
    return path.read_bytes()


def _read_url(url: str, max_bytes: int, timeout: float) -> bytes:
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"})
    try:
        with urlopen(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
    except HTTPError as error:
        raise SourceError(f"{url} answered {error.code} {error.reason}.") from None
    except (URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SourceError(f"Could not read {url}: {reason}.") from None
    if len(body) > max_bytes:
        raise SourceError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB.")
    return body
