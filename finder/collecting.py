"""Python's garbage collection between requests, not in the middle of them.

A request leaves a few hundred objects in reference cycles: Django's request with its lazy user and
messages, DRF's view, request, response and serializer context, django-filter's filters and their
FilterSet. Only the cyclic collector frees them, and left to its default thresholds it ran in the
middle of requests: a young collection (~0.2 ms) in every other API search, and in every ~24th a
collection of the garbage the ones before had left, ~2 ms. That one request in 20 set the API's p95
(benchmarks/README.md, run 15).

So ``finder/wsgi.py`` wraps the application once it is loaded:

- what is loaded by then is frozen out of every later collection (it lives as long as the worker);
- the young generation's threshold is raised so that a request seldom reaches it on its own (an
  export or an import still does, and is collected along the way);
- when the server closes a response (after sending its last byte, except for a stream over HTTP/1.0:
  gunicorn's sync worker even logs the request's time before), the wrapper closes Django's,
  lets go of it, and collects the young generations. By then nothing holds the request's objects, so
  the collection frees them all: ~0.1 ms for an API search, against ~0.2 ms on average inside
  requests before. Collecting inside the response's own ``close()`` (Django's ``request_finished``)
  would not do: the server still holds the response there, and through it the whole request, which
  would outlive the collection and pile up in the oldest generation.
- not while another request is in flight in the process (threaded servers): their live objects would
  move to an older generation and outlive their request. Python's own threshold then collects.
- every ``FULL_EVERY``-th of these collections is a full one, which frees what outlived its request and
  was dropped later (a cache entry replaced, say).

Under full load the collection still takes a worker's time, but less of it; with a streamed response
over HTTP/1.0 (no length), the visitor waits for it, since the body ends when the connection closes.
"""

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# New container objects (net of those freed) before Python collects by itself; Python's default is 700.
# No search, page or feed measured reached it (benchmarks/README.md, run 15).
YOUNG_THRESHOLD = 20_000
FULL_EVERY = 1_000

WSGIApplication = Callable[[dict, Callable], Iterable[bytes]]


def freeze_loaded() -> None:
    """Leave what is loaded by now (it lives as long as the process) out of every later collection."""
    gc.collect()
    gc.freeze()


class CollectAfterResponses:
    """A WSGI application's responses, with garbage collected after each one is closed."""

    def __init__(self, application: WSGIApplication, full_every: int = FULL_EVERY) -> None:
        self.application = application
        self.full_every = full_every
        self.responses = 0
        self.in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self._lock:
            self.in_flight += 1
        try:
            response = self.application(environ, start_response)
            file_wrapper = environ.get("wsgi.file_wrapper")
            # A file the server sends by itself (sendfile) only if given its own wrapper back: left as it is.
            # (uWSGI's wrapper is a function, not a class.)
            sent_by_server = isinstance(file_wrapper, type) and isinstance(response, file_wrapper)
        except BaseException:
            self._finished(collect=False)
            raise
        if sent_by_server:
            self._finished(collect=False)
            return response
        return _Body(response, self._finished)

    def _finished(self, collect: bool = True) -> None:
        generation = None
        with self._lock:
            self.in_flight -= 1
            if collect and self.in_flight == 0:
                self.responses += 1
                generation = 2 if self.responses % self.full_every == 0 else 1
        if generation is not None:
            gc.collect(generation)


class _Body:
    """A response's body as the server iterates it; closing it closes the response, then collects."""

    def __init__(self, response: Iterable[bytes], finished: Callable[[], None]) -> None:
        self._response: Any = response
        self._finished = finished

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._response)

    def close(self) -> None:
        response, self._response = self._response, None
        if response is None:  # closed already
            return
        try:
            if hasattr(response, "close"):
                response.close()
        finally:
            del response  # the last reference: the request's objects are garbage now
            self._finished()

    def __del__(self) -> None:
        # A server that drops a body without closing it (PEP 3333 says it must not) would otherwise leave the
        # request in flight for good, and no collection would run again in this process.
        if getattr(self, "_response", None) is not None:
            self._response = None
            self._finished(collect=False)


def collect_between_requests(application: WSGIApplication, full_every: int = FULL_EVERY) -> CollectAfterResponses:
    """``application`` with what is loaded frozen, and garbage collected after responses rather than during
    requests. Call it once the application is loaded, as the last thing a worker does before serving."""
    freeze_loaded()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    return CollectAfterResponses(application, full_every)
