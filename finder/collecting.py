"""Python's garbage collection between requests, not in the middle of them.

A request leaves a few hundred objects in reference cycles: Django's request with its lazy user and
messages, DRF's view, request and serializer context, django-filter's filters and their FilterSet.
Only the cyclic collector frees them, and left to its default thresholds it ran in the middle of
requests: a young collection (~0.2 ms) in every other API search, and in every ~24th a collection of
the garbage the ones before had left, ~2 ms. That one request in 20 set the API's p95
(benchmarks/README.md, run 15).

So, once the application is loaded (``finder/wsgi.py``, ``finder/asgi.py``):

- what is loaded by then is frozen out of every later collection (it lives as long as the worker);
- the young generation's threshold is raised so that a request seldom reaches it on its own (an
  export or an import still does, and is collected along the way);
- when a response is finished (Django's ``request_finished``, sent from the response's ``close()``,
  which the server calls after the last byte: gunicorn even logs the request's time before it), the
  young generations are collected. They hold little but that request's garbage: ~0.1 ms that no
  visitor waits for, against ~0.2 ms on average inside requests before. Under full load it still
  takes a worker's time, but less of it.
- every ``FULL_EVERY`` responses, a full collection also frees what outlived its request and was
  dropped later.
"""

import gc

from django.core.signals import request_finished

# New container objects (net of those freed) before Python collects by itself; Python's default is 700.
# No search, page or feed measured reached it (benchmarks/README.md, run 15).
YOUNG_THRESHOLD = 20_000
FULL_EVERY = 1_000


class CollectAfterResponse:
    """A ``request_finished`` receiver: the young generations after each response, everything after
    every ``full_every``-th."""

    def __init__(self, full_every: int = FULL_EVERY) -> None:
        self.full_every = full_every
        self.responses = 0

    def __call__(self, **kwargs) -> None:
        self.responses += 1
        gc.collect(2 if self.responses % self.full_every == 0 else 1)


def collect_between_requests(full_every: int = FULL_EVERY) -> CollectAfterResponse:
    """Freeze what is loaded, and collect garbage after responses rather than during requests."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    receiver = CollectAfterResponse(full_every)
    # A strong reference: the receiver lives as long as the process. One receiver however often called.
    request_finished.connect(receiver, weak=False, dispatch_uid="finder.collecting")
    return receiver
