"""Keep visitors' searches out of the logs: a searched place says where a person in recovery is.

Django's request loggers write the path with its query string ("GET /?near=19103 …"); this filter
drops every query string from the record before any handler sees it.
"""

import logging
import re

# A request line's query runs to its protocol, whatever it holds: curl sends quotes raw ("?near=O'Fallon"),
# and a malformed line ("Bad request syntax") may hold spaces.
_REQUEST_LINE_QUERY = re.compile(r"\?.*?(?=\s+HTTP/\d)")
# Anywhere else (a Referer, a URL in a message), to the next space; a closing quote stays.
_QUERY = re.compile(r"\?\S*?(?=[\"']?(?:\s|$))")
# gunicorn's access log has the bare query string as an atom of its own: %(q)s.
_QUERY_ATOMS = ("q",)


def _scrub(value):
    if not isinstance(value, str):
        return value
    return _QUERY.sub("?…", _REQUEST_LINE_QUERY.sub("?…", value))


class DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            # In place: gunicorn's atoms are a dict subclass that answers "-" for atoms it lacks.
            for key, value in record.args.items():
                record.args[key] = "…" if key in _QUERY_ATOMS and value else _scrub(value)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            record.request = None  # the request object carries the query string too
        return True
