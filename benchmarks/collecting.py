#!/usr/bin/env python
"""Garbage collection after responses (finder/collecting.py) against Python's defaults, in one run.

    python benchmarks/collecting.py [--database sqlite|postgres] [--meetings 150000] [--repeat 200] [--rounds 5]

Searches (a) and (c) of search.py, and (a) as the finder page shows it, through finder/wsgi.py's application,
as gunicorn calls it, in blocks of ``--repeat`` requests that take turns ``--rounds`` times:

- defaults: what is loaded frozen out of the collector (as before), Python's thresholds (700, 10, 10), and
  nothing collected after the response;
- between requests: finder/collecting.py as the worker runs it.

Blocks rather than request by request: garbage left by one way would otherwise be collected by the other.
Each request is timed to the last byte of its body, and its close() (after the last byte, where the
collection of finder/collecting.py runs) apart; the CPU time of the process per request counts both.
Reuses search.py's data and options (run search.py first); the page's static files are collected into
``STATIC_FILES`` first.
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
    from django.core.signals import request_finished

    from meetings.models import Place

    bench.prepare(args)
    call_command("collectstatic", interactive=False, verbosity=0)
    from finder import collecting
    from finder.wsgi import application  # freezes and connects the collection after responses

    # The receiver finder/wsgi.py connected, replaced by one this script connects and disconnects.
    request_finished.disconnect(dispatch_uid="finder.collecting")
    receiver = collecting.CollectAfterResponse()
    thresholds = {"defaults": (700, 10, 10), "between requests": gc.get_threshold()}

    def get(url: str) -> tuple[float, float]:
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
    timings = {(search.key, way): ([], []) for search in searches for way in thresholds}
    cpu = {(search.key, way): 0.0 for search in searches for way in thresholds}
    for search in searches:
        for _ in range(args.warmup):
            get(search.url)
        for _ in range(args.rounds):
            for way, threshold in thresholds.items():
                gc.collect()  # each block starts clean
                gc.set_threshold(*threshold)
                if way == "defaults":
                    request_finished.disconnect(dispatch_uid="finder.collecting")
                else:
                    request_finished.connect(receiver, weak=False, dispatch_uid="finder.collecting")
                answers, afters = timings[search.key, way]
                started = time.process_time()
                for _ in range(args.repeat):
                    answer, after = get(search.url)
                    answers.append(answer)
                    afters.append(after)
                cpu[search.key, way] += time.process_time() - started

    print(
        f"\n{args.meetings:,} generated meetings, {bench.database_version()}; {args.rounds} rounds of "
        f"{args.repeat} requests per way and search.\n"
    )
    print("| search | garbage collection | p50 ms | p95 ms | p99 ms | after the last byte, p50 / p95 ms | CPU ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for search in searches:
        for way in thresholds:
            answers, afters = timings[search.key, way]
            p = bench.percentile
            print(
                f"| {search.title} | {way} | {p(answers, 0.5):.2f} | {p(answers, 0.95):.2f} | {p(answers, 0.99):.2f} "
                f"| {p(afters, 0.5):.2f} / {p(afters, 0.95):.2f} | {cpu[search.key, way] / len(answers) * 1000:.2f} |"
            )


if __name__ == "__main__":
    main()
