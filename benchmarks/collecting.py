#!/usr/bin/env python
"""Garbage collection after responses (finder/collecting.py) against Python's defaults, in one run.

    python benchmarks/collecting.py [--database sqlite|postgres] [--meetings 150000] [--repeat 200] [--rounds 5]

Searches (a) and (c) of search.py, and (a) as the finder page shows it, in blocks of ``--repeat`` requests
that take turns ``--rounds`` times, two ways:

- defaults: Django's WSGI application (``finder.wsgi.django_application``) with what is loaded frozen out of
  the collector, as before, and Python's thresholds (700, 10, 10);
- between requests: ``finder.wsgi.application``, finder/collecting.py as a worker runs it.

Blocks rather than request by request: garbage left by one way would otherwise be collected by the other.
Each request is timed to the last byte of its body, and its close() (where finder/collecting.py collects)
apart; the CPU time of the process per request counts both. At the end of each block an untimed full
collection counts what the block left for one (garbage that outlived its request). Reuses search.py's data and
options (run search.py first); the page's static files are collected into ``STATIC_FILES`` first.
"""

import gc
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # benchmarks/search.py

STATIC_FILES = Path("/tmp/mutual-help-finder-benchmark-static")


def main() -> None:
    parser = bench.build_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="Turns of the two ways (5).")
    args = bench.parse_arguments(None, parser)
    bench.configure(args)
    os.environ["STATIC_ROOT"] = str(STATIC_FILES)
    os.environ["FINDER_SEARCHES_PER_MINUTE"] = "0"  # one address, hundreds of pages a minute
    import django

    django.setup()
    from django.core.management import call_command

    from meetings.models import Place

    bench.prepare(args)
    call_command("collectstatic", interactive=False, verbosity=0)
    from finder import wsgi  # freezes what is loaded and raises the young threshold

    ways = {
        "defaults": (wsgi.django_application, (700, 10, 10)),
        "between requests": (wsgi.application, gc.get_threshold()),
    }

    def get(application, url: str) -> tuple[float, float]:
        """Milliseconds to the last byte, and of the response's close() after it."""
        started = time.perf_counter()
        status, response, _ = bench.call(application, url)
        answered = time.perf_counter()
        response.close()
        if not status.startswith("200"):
            sys.exit(f"{url} answered {status}")
        return (answered - started) * 1000, (time.perf_counter() - answered) * 1000

    searches = [search for search in bench.searches() if search.key in ("dense", "rural")]
    place = Place.objects.filter(country="US").order_by("-population").first().label  # as search (a)
    page = bench.Search("page", f"(a) as the finder page, near={place}", "/?" + urlencode(
        {"near": place, "distance": 10, "day": 2, "type": "O"}
    ))  # fmt: skip
    searches.insert(1, page)
    answers = {(search.key, way): [] for search in searches for way in ways}
    afters = {(search.key, way): [] for search in searches for way in ways}
    cpu = {(search.key, way): 0.0 for search in searches for way in ways}
    left = {(search.key, way): 0 for search in searches for way in ways}
    for search in searches:
        for application, _ in ways.values():
            for _ in range(args.warmup):
                get(application, search.url)
        for _ in range(args.rounds):
            for way, (application, threshold) in ways.items():
                gc.collect()
                gc.set_threshold(*threshold)
                started = time.process_time()
                for _ in range(args.repeat):
                    answer, after = get(application, search.url)
                    answers[search.key, way].append(answer)
                    afters[search.key, way].append(after)
                cpu[search.key, way] += time.process_time() - started
                left[search.key, way] += gc.collect()

    print(
        f"\n{args.meetings:,} generated meetings, {bench.database_version()}; {args.rounds} rounds of "
        f"{args.repeat} requests per way and search.\n"
    )
    print(
        "| search | garbage collection | p50 ms | p95 ms | p99 ms | after the last byte, p50 / max ms | CPU ms "
        "| left for a full collection, objects per request |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    p = bench.percentile
    for search in searches:
        for way in ways:
            times, after, n = answers[search.key, way], afters[search.key, way], len(answers[search.key, way])
            print(
                f"| {search.title} | {way} | {p(times, 0.5):.2f} | {p(times, 0.95):.2f} | {p(times, 0.99):.2f} "
                f"| {p(after, 0.5):.2f} / {max(after):.2f} | {cpu[search.key, way] / n * 1000:.2f} "
                f"| {left[search.key, way] / n:.0f} |"
            )


if __name__ == "__main__":
    main()
