"""Searched places never reach the logs."""

import logging

import pytest

from finder.logging import DropQueryStrings


def record(msg, *args, **extra) -> logging.LogRecord:
    item = logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)
    item.__dict__.update(extra)
    return item


def test_the_request_line_loses_its_query_string():
    line = record('"%s" %s %s', "GET /?near=19103&day=2 HTTP/1.1", "200", "5120")
    DropQueryStrings().filter(line)
    assert line.getMessage() == '"GET /?… HTTP/1.1" 200 5120'
    assert "19103" not in line.getMessage()


def test_a_bad_request_warning_names_the_path_only(client, caplog, db):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/api/v1/meetings/", {"near": "Sprngfield, IL"})
    for item in caplog.records:
        DropQueryStrings().filter(item)
        assert "Sprngfield" not in item.getMessage()


@pytest.mark.parametrize("name", ["django.server", "django.request", "gunicorn.access"])
def test_every_request_logger_uses_the_filter(name):
    ours = [h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]  # not pytest's
    assert ours and all(any(isinstance(f, DropQueryStrings) for f in h.filters) for h in ours)
