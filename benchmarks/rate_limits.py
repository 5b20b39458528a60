#!/usr/bin/env python
"""What counting an API request against its rate limit costs, three ways in turn in one run.

    python benchmarks/rate_limits.py [--database sqlite|postgres] [--meetings 150000] [--repeat 200]

Search (c) of search.py through Django's WSGI handler (as gunicorn calls it, with the connection's health
check), each request from one of 5,000 addresses so that none is refused, with:

- no rate limit;
- DRF's throttle on the default database cache, as the API counted before finder/rates.py (re-created here);
- the API's throttles now (finder/throttling.py, one statement into finder_ratecount).

The three take turns request by request, so a host that slows down slows all three alike. Reuses search.py's
data and options (run search.py once first).
"""

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # benchmarks/search.py


def main() -> None:
    args = bench.parse_arguments(None, bench.build_parser(__doc__))
    os.environ["API_ANON_RATE"] = "600/minute"
    bench.configure(args)
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework.throttling import AnonRateThrottle

    from finder.clients import client_ip
    from finder.throttling import AnonThrottle, UserThrottle
    from meetings.api import MeetingViewSet

    class CachedThrottle(AnonRateThrottle):
        """The API's throttle before finder/rates.py: DRF's list of request times in the shared cache."""

        @property
        def cache(self):
            return caches["shared"]

        def get_ident(self, request) -> str:
            return client_ip(request)

    bench.prepare(args)
    search = next(s for s in bench.searches() if s.key == "rural")
    handler = WSGIHandler()
    addresses = [f"10.0.{n // 256}.{n % 256}" for n in range(5000)]

    def get(n: int) -> None:
        status, response, _ = bench.call(handler, search.url, addresses[n % len(addresses)])
        response.close()
        if not status.startswith("200"):
            sys.exit(f"{search.url} answered {status}")

    ways = {
        "no rate limit": [],
        "DRF's throttle on the database cache (before)": [CachedThrottle],
        "finder/rates.py (now)": [AnonThrottle, UserThrottle],
    }
    timings: dict[str, list[float]] = {name: [] for name in ways}
    n = 0
    for throttles in ways.values():
        MeetingViewSet.throttle_classes = throttles
        for _ in range(args.warmup):
            get(n := n + 1)
    gc.collect()
    gc.freeze()  # as finder/wsgi.py does
    for _ in range(args.repeat):
        for name, throttles in ways.items():
            MeetingViewSet.throttle_classes = throttles
            started = time.perf_counter()
            get(n := n + 1)
            timings[name].append((time.perf_counter() - started) * 1000)

    print(f"\n{search.title}, {bench.database_version()}; {args.repeat} requests each, in turn.\n")
    print("| rate limit | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, values in timings.items():
        values.sort()
        print(f"| {name} | {values[len(values) // 2]:.2f} | {values[int(len(values) * 0.95)]:.2f} |")


if __name__ == "__main__":
    main()
