#!/usr/bin/env python
"""Time typical meeting searches through ``/api/v1/meetings/``, and the SQL each one runs.

    python benchmarks/search.py [--meetings 150000] [--database sqlite|postgres] [--repeat 200]

SQLite uses its own file (``--sqlite-path``, under /tmp; ``--fresh`` starts it anew), never the project's
database. PostgreSQL uses ``DATABASE_URL``, e.g. ``postgres://postgres@127.0.0.1:55777/bench``: give it a
database of its own, since the benchmark migrates it and adds its generated meetings there.

The script migrates, loads the organizations, meeting types and places, and makes ``--meetings`` generated
meetings unless the database holds exactly that many already (so a second run starts at once). Then, for
each search, after a warm-up, it captures the SQL one request ran and times, ``--repeat`` times in turn,
a request and exactly those statements on the same connection with a plain DB-API cursor, fetching every
row. The markdown table shows both and their ratio, measured in one run.

A request goes to ``finder/wsgi.py``'s application as gunicorn calls it (routing, middleware, filter,
queries, serializer, JSON, and the connection's health check: everything but the network), timed until
the last byte of the body. The server then closes the response: Django's ``request_finished``
(the connection's bookkeeping), then the garbage collection of finder/collecting.py. That runs after the
visitor has the answer, as gunicorn's own request time also leaves it out, and is reported apart.

Targets (from the issue): API p95 under 50 ms on PostgreSQL, and no more than 3x the raw SQL.
"""

import argparse
import io
import itertools
import json
import os
import platform
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = Path("/tmp/mutual-help-finder-benchmark.sqlite3")
API = "/api/v1/meetings/"
TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0
# Logan County, Nebraska: Sandhills ranch land; the nearest town in the gazetteer (North Platte, ~25k
# people) is about 30 miles away, so a 50-mile search finds only a handful of meetings.
RURAL_POINT = (41.48, -100.51)
EXPERIMENT_PREFIX = "bench_"  # indexes proposed_fixes.py adds for a while


@dataclass
class Search:
    key: str
    title: str
    url: str
    api_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    after_ms: list[float] = field(default_factory=list)  # the response's close(), after the last byte
    statements: list[str] = field(default_factory=list)
    results: int = 0


def build_parser(description: str = __doc__) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=150_000, help="Generated meetings to search (150000).")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=200, help="Timed requests per search (200).")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed requests per search first (10).")
    parser.add_argument("--seed", type=int, default=1, help="Seed for the generated meetings (1).")
    parser.add_argument("--sqlite-path", type=Path, default=DEFAULT_SQLITE_PATH)
    parser.add_argument("--fresh", action="store_true", help="SQLite: delete the file and start anew.")
    parser.add_argument("--no-analyze", action="store_true", help="Skip ANALYZE (planner statistics) before measuring.")
    parser.add_argument("--explain", action="store_true", help="Print each search's query plans too.")
    parser.add_argument(
        "--phases", action="store_true", help="Print where each search's time goes (CPU and wall, per phase)."
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="Count every request against the API's rate limit as production does, each from its own address.",
    )
    return parser


def parse_arguments(argv: list[str] | None, parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.meetings < 1:
        parser.error("--repeat and --meetings must be at least 1")
    return args


def configure(args: argparse.Namespace) -> None:
    """Environment for finder.settings, before Django is imported."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "finder.settings"
    # As in production (no query log kept per request), but over plain HTTP from the test client.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    # One client address asking hundreds of times a second would be throttled; a real site's visitors
    # each stay far below the limit. --rate-limits counts them as production does (one statement each).
    if args.rate_limits:
        os.environ["API_ANON_RATE"] = "600/minute"
    else:
        os.environ.setdefault("API_ANON_RATE", "off")
    if args.database == "sqlite":
        if args.fresh:
            args.sqlite_path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{args.sqlite_path.resolve()}"
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            sys.exit("--database postgres reads DATABASE_URL, e.g. postgres://postgres@127.0.0.1:55777/bench")
    sys.path.insert(0, str(ROOT))


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from meetings.generate import delete_generated, generate_meetings
    from meetings.models import Meeting, Place

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    restore_indexes()
    quiet = io.StringIO()
    call_command("load_organizations", verbosity=0, stdout=quiet)
    call_command("load_meeting_types", verbosity=0, stdout=quiet)
    if not Place.objects.exists():
        started = time.perf_counter()
        call_command("load_places", verbosity=0, stdout=quiet)
        print(f"Loaded {Place.objects.count()} places in {time.perf_counter() - started:.1f} s.")
    generated = Meeting.objects.filter(is_generated=True).count()
    if generated == args.meetings:
        print(f"Reusing the {generated} generated meetings already in the database.")
    else:
        started = time.perf_counter()
        if generated:
            delete_generated()
            print(f"Deleted {generated} generated meetings in {time.perf_counter() - started:.1f} s.")
            started = time.perf_counter()
        generate_meetings(args.meetings, seed=args.seed)
        print(f"Generated {args.meetings} meetings in {time.perf_counter() - started:.1f} s.")
    if not args.no_analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def restore_indexes() -> None:
    """The Meeting indexes as the models declare them, should proposed_fixes.py have been interrupted."""
    from django.db import connection

    from meetings.models import Meeting

    table = Meeting._meta.db_table
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, table)
        for name in present:
            if name.startswith(EXPERIMENT_PREFIX):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    with connection.schema_editor() as editor:
        for index in Meeting._meta.indexes:
            if index.name not in present:
                editor.add_index(Meeting, index)
                print(f"Restored the index {index.name}.")


def searches() -> list[Search]:
    from meetings.models import Place

    city = Place.objects.filter(country="US").order_by("-population").first()
    if city is None:
        sys.exit("No US place in the Place table: run manage.py load_places.")
    lat, lng = RURAL_POINT
    return [
        Search(
            "dense",
            f"(a) 10 mi around {city.label}, Tuesday, open",
            f"{API}?lat={city.latitude:.5f}&lng={city.longitude:.5f}&distance=10&day=2&type=O",
        ),
        Search(
            "online", "(b) online, starting soon, 25 nearest in time", f"{API}?attendance=online&soon=true&page_size=25"
        ),
        Search("rural", "(c) 50 mi around a rural point in Nebraska", f"{API}?lat={lat}&lng={lng}&distance=50"),
    ]


def measure(search: Search, args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finder.models import RateCount
    from finder.wsgi import application

    # With --rate-limits, each request from another address (10.0.0.0/16), so none is refused.
    addresses = (f"10.0.{n // 256 % 256}.{n % 256}" for n in itertools.count())

    def get():
        status, response, body = call(application, search.url, next(addresses))
        if not status.startswith("200"):
            sys.exit(f"{search.url} answered {status}: {body[:500]!r}")
        return response, body

    for _ in range(args.warmup):
        get()[0].close()
    with CaptureQueriesContext(connection) as captured:
        response, body = get()
        response.close()
    search.results = json.loads(body)["count"]
    # The search's statements; the rate-limit count (--rate-limits) is the API's overhead, not the search's.
    rate_counts = connection.ops.quote_name(RateCount._meta.db_table)
    search.statements = [query["sql"] for query in captured.captured_queries if rate_counts not in query["sql"]]

    def run_sql():
        # The same statements on the connection the requests use (reopened by Django once it is a minute
        # old), through the driver's own cursor: no ORM, no logging.
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for statement in search.statements:
                cursor.execute(statement)
                cursor.fetchall()

    for _ in range(args.warmup):
        run_sql()
    # One request, then its statements, in turn: a machine that slows down for a while (a shared
    # host does) slows both alike, so their ratio holds.
    for _ in range(args.repeat):
        started = time.perf_counter()
        response, _ = get()
        answered = time.perf_counter()
        response.close()
        closed = time.perf_counter()
        search.api_ms.append((answered - started) * 1000)
        search.after_ms.append((closed - answered) * 1000)
        started = time.perf_counter()
        run_sql()
        search.sql_ms.append((time.perf_counter() - started) * 1000)


def call(application, url: str, remote_addr: str = "127.0.0.1") -> tuple[str, object, bytes]:
    """A GET of ``url`` as gunicorn makes it: the status line, the response (for the caller to close, as the
    server does after the last byte) and its body."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": remote_addr, "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    }  # fmt: skip
    status = []
    response = application(environ, lambda line, headers, exc_info=None: status.append(line))
    return status[0], response, b"".join(response)


def explain(search: Search, vendor: str) -> None:
    from django.db import connection

    print(f"\n### Plans for {search.title}\n")
    with connection.cursor() as cursor:
        for statement in search.statements:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement)
            rows = cursor.fetchall()
            print("```")
            print(statement[:300] + ("…" if len(statement) > 300 else ""))
            print("--")
            print("\n".join(" | ".join(str(value) for value in row) for row in rows))
            print("```")


# What a list request does, in order; nested phases are part of the ones above them.
PHASES = [
    ("finder.api.StrictFilterMixin", "filter_queryset", "FilterSet: validate, build the query"),
    ("finder.pagination.CountingPaginator", "page", "paginate: every query of the page"),
    ("finder.pagination", "_by_key", "  the page's rows and their types"),
    ("django.db.models.sql.compiler.SQLCompiler", "as_sql", "  compiling SQL (ORM)"),
    ("django.db.backends.utils.CursorWrapper", "execute", "  executing SQL (driver and database)"),
    ("rest_framework.serializers.ListSerializer", "to_representation", "serializer"),
    ("finder.renderers.FastJSONRenderer", "render", "JSON"),
]


def phases(search: Search, repeat: int) -> None:
    """Time each phase of ``repeat`` requests (CPU of this process, and wall), by wrapping its function."""
    import functools
    import importlib

    from django.test import Client

    totals: dict[str, list[float]] = {label: [0.0, 0.0] for _, _, label in PHASES}
    originals = []
    for path, name, label in PHASES:
        module_path, _, owner_name = path.rpartition(".")
        try:
            owner = getattr(importlib.import_module(module_path), owner_name)
        except (ImportError, AttributeError):
            owner = importlib.import_module(path)
        original = getattr(owner, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_label][0] += time.process_time() - cpu
                totals[_label][1] += time.perf_counter() - wall

        setattr(owner, name, functools.wraps(original)(timed))
        originals.append((owner, name, original))
    client = Client()
    try:
        client.get(search.url)
        for values in totals.values():
            values[:] = [0.0, 0.0]
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(repeat):
            client.get(search.url)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    print(f"\n{search.title}: {cpu / repeat * 1000:.1f} ms CPU, {wall / repeat * 1000:.1f} ms wall per request\n")
    print("| phase | CPU ms | wall ms |\n|---|---:|---:|")
    for label, (phase_cpu, phase_wall) in totals.items():
        print(f"| {label} | {phase_cpu / repeat * 1000:.1f} | {phase_wall / repeat * 1000:.1f} |")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def report(results: list[Search], args: argparse.Namespace) -> None:
    import django
    from django.db import connection

    print(
        f"\n{args.meetings:,} generated meetings, {database_version()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}; {args.repeat} timed requests per search after {args.warmup} warm-up."
    )
    if args.rate_limits:
        print("Rate limits on: each API request also counts its client (one more statement, in the API's time only).")
    print()
    print(
        "| search | results | queries | API p50 ms | API p95 ms | raw SQL p50 ms | raw SQL p95 ms "
        "| API/SQL p50 | API/SQL p95 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    misses = []
    for search in results:
        api50, api95 = percentile(search.api_ms, 0.5), percentile(search.api_ms, 0.95)
        sql50, sql95 = percentile(search.sql_ms, 0.5), percentile(search.sql_ms, 0.95)
        print(
            f"| {search.title} | {search.results:,} | {len(search.statements)} | {api50:.1f} | {api95:.1f} "
            f"| {sql50:.1f} | {sql95:.1f} | {api50 / sql50:.1f}x | {api95 / sql95:.1f}x |"
        )
        if connection.vendor == "postgresql" and api95 > TARGET_P95_MS:
            misses.append(f"{search.key}: API p95 {api95:.1f} ms > {TARGET_P95_MS:.0f} ms")
        if api95 > TARGET_RATIO * sql95:
            misses.append(f"{search.key}: API p95 is {api95 / sql95:.1f}x the raw SQL (target ≤ {TARGET_RATIO:.0f}x)")
    print()
    print(
        "After the last byte (the response's close(): request_finished, garbage collection), not in the API times: "
        + ", ".join(
            f"{search.key} p50 {percentile(search.after_ms, 0.5):.2f} / p95 {percentile(search.after_ms, 0.95):.2f} ms"
            for search in results
        )
    )
    print("Targets missed: " + "; ".join(misses) if misses else "All targets met.")
    print(f"(mean API ms: {', '.join(f'{s.key} {statistics.fmean(s.api_ms):.1f}' for s in results)})")


def main(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None, setup=None) -> None:
    """Run the benchmark; ``setup(args)``, if given, runs after the data is ready and before measuring."""
    args = parse_arguments(argv, parser)
    configure(args)
    import django

    django.setup()
    from django.db import connection

    prepare(args)
    if setup is not None:
        setup(args)
    results = searches()
    from django.test import Client

    Client().get(API)  # import the views, the serializer and the filters first
    # The application gunicorn serves, set up as there: the gazetteer warmed, what is loaded by now frozen
    # out of the garbage collector, garbage collected after each response (finder/collecting.py).
    import finder.wsgi  # noqa: F401

    for search in results:
        measure(search, args)
    report(results, args)
    if args.phases:
        for search in results:
            phases(search, args.repeat)
    if args.explain:
        for search in results:
            explain(search, connection.vendor)


if __name__ == "__main__":
    main()
