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


@pytest.mark.parametrize(
    "line",
    [
        "GET /?q=St'&near=19103&distance=5 HTTP/1.1",  # curl sends quotes as they are
        'GET /api/v1/meetings/?near=O"Fallon,%20MO&day=2 HTTP/1.1',
        "GET /?near=Coeur d'Alene, ID HTTP/1.1",  # a malformed line: raw spaces
    ],
)
def test_quotes_and_spaces_in_a_query_do_not_let_the_rest_through(line):
    for item in (record('"%s" %s %s', line, "200", "5120"), record("Bad request syntax (%r)", line)):
        DropQueryStrings().filter(item)
        message = item.getMessage()
        assert "?…" in message and "HTTP/1.1" in message
        assert not any(word in message for word in ("19103", "Fallon", "Alene", "distance")), message


def test_gunicorns_access_log_keeps_neither_the_query_nor_the_referers():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms(
        {"r": "GET /?near=19103 HTTP/1.1", "q": "near=19103", "f": "https://finder.example/?near=19103", "s": "200"}
    )
    item = record('%(r)s %(q)s "%(f)s" %(s)s %({x-forwarded-for}i)s', atoms)
    item.args = atoms  # as gunicorn passes them: a mapping, not a tuple
    DropQueryStrings().filter(item)
    assert item.getMessage() == 'GET /?… HTTP/1.1 … "https://finder.example/?…" 200 -'


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
