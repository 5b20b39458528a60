#!/usr/bin/env python
"""Time searches without a place whose days and hours are read on the visitor's clock, beside the same
search on each meeting's own clock.

    python benchmarks/visitor_clock.py [--database sqlite|postgres] [--meetings 150000] [--repeat 30]

It reuses search.py's set-up and data (run that first), and prints, for each search, its results, p50 and p95
of the request through Django's test client, and the length of its longest SQL statement.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # benchmarks/ is not a package: found through sys.path above

SEARCHES = [
    ("online, today and evening, New York's clock", "attendance=online&day=today&time=evening&tz=America/New_York"),
    ("online, today, New York's clock", "attendance=online&day=today&tz=America/New_York"),
    ("online, night, Tokyo's clock", "attendance=online&time=night&tz=Asia/Tokyo"),
    ("online, today, each meeting's own clock (no tz)", "attendance=online&day=today"),
]


def main() -> None:
    parser = bench.build_parser(__doc__)
    args = bench.parse_arguments(None, parser)
    bench.configure(args)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    bench.prepare(args)
    client = Client()
    print(f"{args.meetings:,} generated meetings, {connection.vendor}; {args.repeat} timed requests per search.\n")
    print("| search | results | p50 ms | p95 ms | longest SQL (chars) |")
    print("|---|---:|---:|---:|---:|")
    for title, query in SEARCHES:
        url = f"{bench.API}?{query}"
        for _ in range(args.warmup):
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        timings = []
        for _ in range(args.repeat):
            started = bench.time.perf_counter()
            client.get(url)
            timings.append((bench.time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            count = client.get(url).json()["count"]
        longest = max(len(query["sql"]) for query in captured.captured_queries)
        p50, p95 = statistics.median(timings), bench.percentile(timings, 0.95)
        print(f"| {title} | {count} | {p50:.1f} | {p95:.1f} | {longest:,} |")


if __name__ == "__main__":
    main()
