"""Keep visitors' searches out of the logs: a searched place says where a person in recovery is.

Django's request loggers write the path with its query string ("GET /?near=19103 …"); this filter
drops every query string from the record before any handler sees it.
"""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


def _scrub(value):
    return _QUERY.sub("?…", value) if isinstance(value, str) else value


class DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _scrub(value) for key, value in record.args.items()}
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            record.request = None  # the request object carries the query string too
        return True
