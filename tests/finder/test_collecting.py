"""Garbage is collected after each response, not in the middle of the next request (finder/collecting.py)."""

import gc
import weakref

import pytest
from django.core.signals import request_finished, request_started

from finder import collecting

pytestmark = pytest.mark.django_db


class _Cycle:
    """An object only the cyclic collector can free, like a request's DRF view and its request."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def between_requests(client):
    """collect_between_requests() as a worker runs it, with full collections every 3rd response; undone after."""
    client.get("/healthz")  # a process's first request loads much for good (URL patterns, templates)
    threshold = gc.get_threshold()
    receiver = collecting.collect_between_requests(full_every=3)
    yield receiver
    request_finished.disconnect(dispatch_uid="finder.collecting")
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


def test_garbage_in_reference_cycles_is_freed_when_a_response_is_finished(client, between_requests):
    garbage = _Cycle()
    freed = weakref.ref(garbage)
    del garbage
    assert freed() is not None, "not freed by reference counting: only a collection can free it"

    assert client.get("/healthz").status_code == 200

    assert freed() is None


def test_a_request_is_not_interrupted_by_collections_of_its_own_garbage(client, between_requests, collections):
    # A thousand objects in cycles, more than Python's default threshold (700) lets a request make.
    def make_garbage(**kwargs):
        for _ in range(1000):
            _Cycle()

    request_started.connect(make_garbage)
    try:
        response = client.get("/healthz")
    finally:
        request_started.disconnect(make_garbage)

    assert response.status_code == 200
    assert collections == [1], "one collection of the young generations, after the response"


def test_every_few_responses_everything_is_collected(client, between_requests, collections):
    for _ in range(6):
        client.get("/healthz")

    assert collections == [1, 1, 2, 1, 1, 2]
