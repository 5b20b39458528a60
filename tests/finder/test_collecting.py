"""Garbage is collected after each response is closed, not in the middle of a request (finder/collecting.py)."""

import gc
import io
import subprocess
import sys
import weakref

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from finder import collecting
from meetings.api import MeetingViewSet


class _Cycle:
    """An object only the cyclic collector can free, like a request's DRF view and its response."""

    def __init__(self) -> None:
        self.me = self


class _Response(_Cycle):
    """A WSGI response in a reference cycle, as Django's are once DRF has rendered them."""

    def __iter__(self):
        return iter([b"ok"])

    def close(self) -> None:
        self.closed = True


class _App:
    """A WSGI application whose responses the test can watch; ``during`` runs while it answers."""

    def __init__(self, during=lambda: None) -> None:
        self.responses: list[weakref.ref] = []
        self.during = during

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        self.during()
        response = _Response()
        self.responses.append(weakref.ref(response))
        return response


def environ(path: str = "/", **extra) -> dict:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, **extra,
    }  # fmt: skip


def serve(application, path: str = "/"):
    """A request as a WSGI server makes it: call, send every byte, close. The body."""
    body = application(environ(path), lambda status, headers, exc_info=None: None)
    content = b"".join(body)
    body.close()
    return content


@pytest.fixture
def worker():
    """Python's collector set up as finder/wsgi.py sets up a worker; undone after."""
    threshold = gc.get_threshold()
    collecting.collect_between_requests(lambda environ, start_response: [])
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


@pytest.fixture
def collections():
    """The generations Python collects while the test runs, in order."""
    generations = []

    def record(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(record)
    yield generations
    gc.callbacks.remove(record)


def test_a_responses_garbage_is_freed_once_the_server_has_closed_it(worker):
    app = _App()
    application = collecting.CollectAfterResponses(app)

    body = application(environ(), lambda status, headers, exc_info=None: None)
    assert b"".join(body) == b"ok"
    assert app.responses[0]() is not None, "the server holds the response until it closes it"
    body.close()

    assert app.responses[0]() is None


def test_closing_the_body_closes_the_applications_response(worker):
    # Django sends request_finished (connections returned, and so on) from its response's close().
    closed = []

    class Response(_Response):
        def close(self) -> None:
            closed.append(True)

    application = collecting.CollectAfterResponses(lambda environ, start_response: Response())
    body = application(environ(), lambda status, headers, exc_info=None: None)
    body.close()
    body.close()

    assert closed == [True]
    assert application.in_flight == 0


def test_a_body_dropped_unclosed_does_not_stop_collections_for_good(worker, collections):
    application = collecting.CollectAfterResponses(_App())
    application(environ(), lambda status, headers, exc_info=None: None)  # a server that never closes it

    serve(application)
    assert application.in_flight == 0
    assert collections == [1]


def test_a_request_is_not_interrupted_by_collections_of_its_own_garbage(worker, collections):
    def make_garbage():  # more objects in cycles than Python's default threshold (700) lets a request make
        for _ in range(1000):
            _Cycle()

    application = collecting.CollectAfterResponses(_App(during=make_garbage))
    body = application(environ(), lambda status, headers, exc_info=None: None)
    b"".join(body)
    assert collections == [], "none while the request runs"

    body.close()
    assert collections == [1], "one, of the young generations, once the server has closed the response"


def test_every_few_responses_everything_is_collected(worker, collections):
    application = collecting.CollectAfterResponses(_App(), full_every=3)
    for _ in range(6):
        serve(application)

    assert collections == [1, 1, 2, 1, 1, 2]


def test_nothing_is_collected_while_another_request_is_in_flight(worker, collections):
    # A threaded server: collecting now would move the other request's live objects to an older generation.
    application = collecting.CollectAfterResponses(_App())
    first = application(environ(), lambda status, headers, exc_info=None: None)

    serve(application)
    assert collections == []

    first.close()
    assert collections == [1]


def test_an_application_that_fails_is_not_counted_as_in_flight(worker):
    def failing(environ, start_response):
        raise RuntimeError("the database is down")

    application = collecting.CollectAfterResponses(failing)
    with pytest.raises(RuntimeError):
        application(environ(), lambda status, headers, exc_info=None: None)

    assert application.in_flight == 0


def test_a_file_the_server_sends_by_itself_is_handed_over_as_it_is(worker):
    class FileWrapper:  # gunicorn sends a file with sendfile only if it gets its own wrapper back
        def __init__(self, file, block_size=8192):
            self.file = file

    sent = FileWrapper(io.BytesIO(b"css"))
    application = collecting.CollectAfterResponses(lambda environ, start_response: sent)

    assert application(environ(**{"wsgi.file_wrapper": FileWrapper}), lambda *args: None) is sent
    assert application.in_flight == 0

    def function_wrapper(file, block_size=8192):  # uWSGI's
        return file

    body = application(environ(**{"wsgi.file_wrapper": function_wrapper}), lambda *args: None)
    assert body is not sent, "not a file the server sends by itself: a body like any other"
    body.close()
    assert application.in_flight == 0


@pytest.mark.django_db
def test_an_api_request_leaves_no_garbage_for_a_later_full_collection(worker):
    # Django's own WSGI handler would close the test's connection (and its transaction) at each request's
    # start and end, as it does a worker's; the test client holds that back the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        application = collecting.CollectAfterResponses(get_wsgi_application())
        for _ in range(3):
            assert b'"count"' in serve(application, "/api/v1/meetings/")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    # DRF's view and its response refer to each other; collected while the server still held the response,
    # they would have moved to the oldest generation instead, to wait for a full collection.
    assert not [thing for thing in gc.get_objects() if isinstance(thing, MeetingViewSet)]


@pytest.mark.parametrize(
    ("module", "expected"),
    [("finder.wsgi", "CollectAfterResponses 20000 frozen"), ("finder.asgi", "ASGIHandler 700 frozen")],
)
def test_the_entry_points_set_a_worker_up(module, expected):
    # In a process of its own: importing an entry point sets up the whole process.
    script = (
        f"import gc, {module} as entry; "
        "print(type(entry.application).__name__, gc.get_threshold()[0], 'frozen' if gc.get_freeze_count() else '')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
