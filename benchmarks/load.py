#!/usr/bin/env python
"""HTTP load on loopback: gunicorn on PostgreSQL with N generated meetings, a realistic mix of requests, wrk.

    python benchmarks/load.py --meetings 150000 --duration 60 --clients 16 64

It starts a throwaway PostgreSQL (or uses ``--database-url``), migrates, loads the organizations, meeting
types and places, generates the meetings unless the database already holds exactly that many (about a
minute for 150,000), collects the static files, and starts gunicorn on 127.0.0.1 with production settings
(DEBUG off). Then it builds the URLs from the data (ZIP codes, cities and coordinates where generated
meetings are, real meeting slugs and organizations), checks a sample of each kind answers 200, and runs
wrk with ``load.lua`` for each number of clients: a short untimed warm-up, then ``--duration`` seconds.

The mix (``--mix``, relative weights):

    search-page     the finder page for a place, with days, times, types, distances (a visitor's search)
    search-partial  the same with X-Finder-Partial: the results the page's script fetches when a box is ticked
    search-api      /api/v1/meetings/ with the same parameters
    online-page     online meetings starting soon or now, on the finder page
    online-api      the same from the API
    meeting         a meeting's page (/meetings/<slug>/)
    directory       the organizations list, fact sheets, comparisons and guides
    feed            a Meeting Guide feed of one organization around a place (as an intergroup's feed), or of a
                    small search; only feeds of at most --max-feed-kb are used

It prints (and writes to ``--output``) requests per second overall and of searches (the five search kinds),
latency percentiles overall, of searches and per kind, every response that was not 200, wrk's socket errors,
the CPU time of gunicorn, PostgreSQL, wrk and everything else during each run, and the machine. It exits
with status 1 if any response was not 200 or any socket error happened.

Latency is measured the way wrk does, closed-loop: each client waits for its response before sending the
next request, so a slow server is sent fewer requests (coordinated omission; see benchmarks/README.md).
"""

import argparse
import dataclasses
import itertools
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

import _postgres
import _site

HERE = Path(__file__).resolve().parent
LUA = HERE / "load.lua"
DEFAULT_MIX = {
    "search-page": 30,
    "search-partial": 15,
    "search-api": 15,
    "online-page": 5,
    "online-api": 5,
    "meeting": 20,
    "directory": 5,
    "feed": 5,
}
SEARCH_KINDS = ("search-page", "search-partial", "search-api", "online-page", "online-api")
TARGET_SEARCHES_PER_SECOND = 500
TARGET_SEARCH_P99_MS = 200
TARGET_LINES = 20_000  # lines of the targets file that wrk's threads pick from at random
US_CITIES = 200  # the US cities with the most generated meetings that searches are made around
OTHER_CITIES = 40  # and the largest elsewhere (Canada, the UK, Mexico…)
FEED_CANDIDATES = 60


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str
    path: str
    partial: bool = False


@dataclasses.dataclass(frozen=True)
class Spot:
    """Where a visitor searches from: query parameters naming the place, and its time zone."""

    params: tuple[tuple[str, str], ...]
    zone: str


@dataclasses.dataclass
class Run:
    clients: int
    duration_s: float
    requests: int
    socket_errors: dict[str, int]
    wrk_latency_ms: dict[str, float]
    samples: dict[str, list[float]]  # kind -> milliseconds
    statuses: Counter  # (kind, status) -> count, anything but 200
    failures: list[str]
    cpu: dict[str, float]  # cores used on average during the run
    load_before: str
    wrk_output: str

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) + sum(self.socket_errors.values())


# Arguments


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load per number of clients (60).")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[16, 64], help="Concurrent connections, one run each (16 64)."
    )
    parser.add_argument("--warmup", type=int, default=5, help="Untimed seconds of load before each run (5).")
    parser.add_argument(
        "--timeout", type=int, default=5, help="wrk counts a response slower than this as an error (5 s)."
    )
    parser.add_argument(
        "--mix",
        default=",".join(f"{kind}={weight}" for kind, weight in DEFAULT_MIX.items()),
        help="Relative weights, kind=weight,… (kinds missing get 0). Default: %(default)s",
    )
    parser.add_argument("--max-feed-kb", type=int, default=200, help="Largest feed response in the mix (200 KB).")
    parser.add_argument("--check", type=int, default=20, help="URLs of each kind checked for a 200 first (20).")
    parser.add_argument(
        "--output", type=Path, default=_site.WORK / "load-results.md", help="Where to write the report too."
    )
    _site.add_arguments(parser)
    args = parser.parse_args(argv)
    _site.check_arguments(parser, args)
    if args.duration < 1 or any(clients < 1 for clients in args.clients) or args.warmup < 0:
        parser.error("--duration and --clients must be at least 1, --warmup at least 0")
    try:
        args.mix = parse_mix(args.mix)
    except ValueError as error:
        parser.error(f"--mix: {error}")
    return args


def parse_mix(text: str) -> dict[str, float]:
    mix = dict.fromkeys(DEFAULT_MIX, 0.0)
    for part in filter(None, (part.strip() for part in text.split(","))):
        kind, _, weight = part.partition("=")
        if kind not in mix:
            raise ValueError(f"unknown kind {kind!r}; the kinds are {', '.join(DEFAULT_MIX)}")
        try:
            mix[kind] = float(weight)
        except ValueError:
            raise ValueError(f"{part!r} is not kind=number") from None
        if mix[kind] < 0:
            raise ValueError(f"{kind}'s weight is negative")
    if not sum(mix.values()):
        raise ValueError("every weight is 0")
    return mix


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: apt-get install wrk")
    print("Installing wrk (apt-get install wrk)…")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("apt-get did not install wrk")


# The URLs, from the data


def _weighted(rng: random.Random, choices: dict) -> object:
    return rng.choices(list(choices), weights=list(choices.values()))[0]


def spots(rng: random.Random) -> list[tuple[Spot, float]]:
    """Places visitors search from, weighted by the generated meetings there.

    In the US: mostly the ZIP code nearest a generated venue, some "City, ST", some coordinates (the
    "Use my location" button); elsewhere "City, CC". Each ``near`` is checked with the site's geocoder.
    """
    import zipcodes
    from django.db.models import Count

    from meetings import geocoding
    from meetings.models import Location

    generated = Location.objects.filter(meetings__is_generated=True)
    found: list[tuple[Spot, float]] = []
    us = (
        generated.filter(country="US")
        .values("city", "state")
        .annotate(meetings=Count("meetings"))
        .order_by("-meetings")[:US_CITIES]
    )
    zips_by_state: dict[str, list[tuple[str, float, float]]] = {}
    for row in us:
        city, state, weight = row["city"], row["state"], row["meetings"]
        venues = list(generated.filter(city=city, state=state, country="US").values_list("latitude", "longitude")[:50])
        zips = zips_by_state.setdefault(
            state,
            [
                (z["zip_code"], float(z["lat"]), float(z["long"]))
                for z in zipcodes.filter_by(state=state)
                if z["zip_code_type"] == "STANDARD" and z["active"] and z["lat"]
            ],
        )
        candidates = []
        for latitude, longitude in rng.sample(venues, min(4, len(venues))):
            if zips:
                scale = math.cos(math.radians(latitude)) ** 2
                nearest = min(zips, key=lambda z: (z[1] - latitude) ** 2 + scale * (z[2] - longitude) ** 2)
                candidates.append((("near", nearest[0]),))
            # Four decimals, as the page's script sends the browser's position.
            candidates.append((("lat", f"{latitude:.4f}"), ("lng", f"{longitude:.4f}")))
        candidates.append((("near", f"{city}, {state}"),))
        found += _geocoded(candidates, weight, geocoding)
    others = (
        generated.exclude(country="US")
        .values("city", "country")
        .annotate(meetings=Count("meetings"))
        .order_by("-meetings")[:OTHER_CITIES]
    )
    for row in others:
        found += _geocoded([(("near", f"{row['city']}, {row['country']}"),)], row["meetings"], geocoding)
    if not found:
        sys.exit("No place to search around: are there generated meetings with venues?")
    return found


def _geocoded(candidates: list[tuple[tuple[str, str], ...]], weight: float, geocoding) -> list[tuple[Spot, float]]:
    """The candidates the site's geocoder understands, sharing ``weight``: ZIPs 70 %, names 15 %, coordinates 15 %."""
    shares = {"zip": 0.70, "name": 0.15, "coordinates": 0.15}
    usable: list[tuple[Spot, str]] = []
    for params in candidates:
        name, value = params[0]
        if name != "near":
            usable.append((Spot(params, ""), "coordinates"))
            continue
        try:
            place = geocoding.geocode(value)
        except geocoding.GeocodingError:
            continue
        usable.append((Spot(params, place.timezone), "zip" if place.kind == "zip" else "name"))
    counts = Counter(form for _, form in usable)
    total = sum(shares[form] for form in counts)
    return [(spot, weight * shares[form] / total / counts[form]) for spot, form in usable]


def search_params(rng: random.Random, spot: Spot) -> list[tuple[str, str]]:
    """A visitor's search around ``spot``: mostly the defaults, sometimes a day, a time, a type, a distance."""
    params = list(spot.params)
    distance = _weighted(rng, {None: 40, "5": 10, "10": 15, "25": 25, "50": 10})
    if distance:
        params.append(("distance", distance))
    day = _weighted(rng, {None: 45, "today": 25, "tomorrow": 5, "weekday": 25})
    if day == "weekday":
        day = str(rng.randrange(7))
    if day:
        params.append(("day", day))
    time_of_day = _weighted(rng, {None: 80, "evening": 10, "morning": 7, "night": 3})
    if time_of_day:
        params.append(("time", time_of_day))
    for code in _weighted(rng, {(): 78, ("O",): 8, ("C",): 3, ("W",): 3, ("S",): 3, ("O", "D"): 3, ("X",): 2}):
        params.append(("type", code))
    if rng.random() < 0.1:
        params.append(("attendance", "in_person"))
    return params


def online_params(rng: random.Random) -> list[tuple[str, str]]:
    return _weighted(
        rng,
        {
            (("attendance", "online"), ("soon", "true")): 70,
            (("attendance", "online"), ("now", "true")): 15,
            (("attendance", "online"), ("day", "today"), ("time", "evening")): 15,
        },
    )


def _with_zone(params: list[tuple[str, str]], zone: str) -> list[tuple[str, str]]:
    # The page's script sends the browser's zone; a first visit from a link or a bookmark does not.
    return [*params, ("tz", zone or "America/New_York")]


def directory_paths() -> dict[str, float]:
    from groups.guides import GUIDES
    from groups.models import Organization

    slugs = list(Organization.objects.order_by("slug").values_list("slug", flat=True))
    paths: dict[str, float] = {"/organizations/": 15, "/organizations/?kind=secular": 5, "/guides/": 10}
    for slug in slugs:
        paths[f"/organizations/{slug}/"] = 50 / len(slugs)
    for guide in GUIDES:
        paths[f"/guides/{guide.slug}/"] = 10 / len(GUIDES)
    for first, second in itertools.pairwise(slugs):
        paths[f"/organizations/compare/?o={first}&o={second}"] = 10 / max(1, len(slugs) - 1)
    return paths


def feed_candidates(rng: random.Random, places: list[tuple[Spot, float]]) -> list[str]:
    """Feeds an app or an intergroup's site would read: one organization around a place, or a small search."""
    from django.db.models import Count, Q

    from groups.models import Organization

    organizations = {
        slug: count
        for slug, count in Organization.objects.annotate(n=Count("meetings", filter=Q(meetings__is_generated=True)))
        .filter(n__gt=0)
        .values_list("slug", "n")
    }
    near = [(spot, weight) for spot, weight in places if spot.params[0][0] == "near"]
    paths = set()
    for _ in range(FEED_CANDIDATES * 3):
        if len(paths) >= FEED_CANDIDATES:
            break
        spot = rng.choices([s for s, _ in near], weights=[w for _, w in near])[0]
        if rng.random() < 0.75 and organizations:
            slug = rng.choices(list(organizations), weights=list(organizations.values()))[0]
            query = urlencode([*spot.params, ("distance", rng.choice(["10", "25"]))])
            paths.add(f"/meetings/feed/{slug}.json?{query}")
        else:
            query = urlencode([*spot.params, ("distance", "5"), ("day", str(rng.randrange(7)))])
            paths.add(f"/meetings/feed.json?{query}")
    return sorted(paths)


def meeting_slugs(rng: random.Random, count: int = 5000) -> list[str]:
    from meetings.models import Meeting

    published = Meeting.objects.filter(is_generated=True, status=Meeting.Status.PUBLISHED)
    slugs = list(published.values_list("slug", flat=True))
    return rng.sample(slugs, min(count, len(slugs)))


def build_targets(
    rng: random.Random, mix: dict[str, float], places: list[tuple[Spot, float]], slugs: list[str], feeds: list[str]
) -> list[Target]:
    """TARGET_LINES requests in the mix's proportions, each drawn afresh (so searches rarely repeat)."""
    directory = directory_paths()
    spot_list, spot_weights = [s for s, _ in places], [w for _, w in places]
    kinds = [kind for kind, weight in mix.items() if weight > 0 and (kind != "feed" or feeds)]
    weights = [mix[kind] for kind in kinds]
    targets = []
    for kind in rng.choices(kinds, weights=weights, k=TARGET_LINES):
        if kind.startswith("search"):
            spot = rng.choices(spot_list, weights=spot_weights)[0]
            params = search_params(rng, spot)
            if kind == "search-api":
                targets.append(Target(kind, f"/api/v1/meetings/?{urlencode(params)}"))
            elif kind == "search-partial":
                targets.append(Target(kind, f"/?{urlencode(_with_zone(params, spot.zone))}", partial=True))
            else:
                params = _with_zone(params, spot.zone) if rng.random() < 0.5 else params
                # The next page, sometimes. The page shows the last one past the end; the API would answer 404.
                params += [("page", "2")] if rng.random() < 0.05 else []
                targets.append(Target(kind, f"/?{urlencode(params)}"))
        elif kind == "online-api":
            targets.append(Target(kind, f"/api/v1/meetings/?{urlencode([*online_params(rng), ('page_size', '25')])}"))
        elif kind == "online-page":
            zone = rng.choice(["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"])
            targets.append(Target(kind, f"/?{urlencode(_with_zone(online_params(rng), zone))}"))
        elif kind == "meeting":
            targets.append(Target(kind, f"/meetings/{rng.choice(slugs)}/"))
        elif kind == "directory":
            targets.append(Target(kind, str(_weighted(rng, directory))))
        else:
            targets.append(Target(kind, rng.choice(feeds)))
    return targets


# Checking URLs before the run


def fetch(base: str, target: Target) -> tuple[int, int, bytes]:
    """Status, bytes and the start of the body, as wrk's requests would get them."""
    headers = {"Accept-Language": "en-US,en;q=0.9", "User-Agent": "mutual-help-finder-load-test"}
    if target.partial:
        headers["X-Finder-Partial"] = "1"
    request = urllib.request.Request(base + target.path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return response.status, len(body), body[:300]
    except urllib.error.HTTPError as error:
        return error.code, 0, error.read()[:300]


def usable_feeds(base: str, paths: list[str], max_kb: int) -> list[str]:
    usable, sizes = [], []
    for path in paths:
        status, size, start = fetch(base, Target("feed", path))
        if status != 200:
            sys.exit(f"{path} answered {status}: {start!r}")
        sizes.append(size)
        if size <= max_kb * 1000:
            usable.append(path)
    if sizes:
        print(
            f"Feeds: {len(usable)} of {len(paths)} candidates are at most {max_kb} KB "
            f"(sizes {min(sizes) / 1000:.0f}–{max(sizes) / 1000:.0f} KB)."
        )
    return usable


def check(base: str, targets: list[Target], per_kind: int) -> None:
    """The first ``per_kind`` URLs of each kind must answer 200: fail before loading, not during."""
    seen: Counter = Counter()
    for target in targets:
        if seen[target.kind] >= per_kind:
            continue
        seen[target.kind] += 1
        status, _, start = fetch(base, target)
        if status != 200:
            sys.exit(f"{target.kind} {target.path} answered {status}: {start!r}")
    print("Checked (200): " + ", ".join(f"{count} {kind}" for kind, count in seen.items()) + ".")


# Running wrk


def run_wrk(
    wrk: str,
    server: _site.Server,
    targets: list[Target],
    clients: int,
    seconds: int,
    args: argparse.Namespace,
    label: str,
) -> Run:
    results = _site.WORK / f"wrk-{label}.tsv"
    results.unlink(missing_ok=True)
    # A file per wrk thread, each a share of the targets (load.lua: thread N reads <prefix>N.tsv).
    prefix = _site.WORK / "targets" / f"{clients}-"
    prefix.parent.mkdir(exist_ok=True)
    for thread in range(1, clients + 1):
        share = targets[thread - 1 :: clients] or targets
        Path(f"{prefix}{thread}.tsv").write_text("".join(f"{t.kind}\t{t.path}\t{int(t.partial)}\n" for t in share))
    environment = {**os.environ, "LOAD_TARGETS": str(prefix), "LOAD_RESULTS": str(results), "LOAD_SEED": str(args.seed)}
    # One thread per connection: load.lua times each request between request() and response().
    command = [
        wrk, "-t", str(clients), "-c", str(clients), "-d", f"{seconds}s", "--timeout", f"{args.timeout}s",
        "--latency", "-s", str(LUA), server.url + "/",
    ]  # fmt: skip
    postgres = None if args.database_url else _postgres.postmaster_pid(args.postgres_dir)
    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    table_before, machine_before = _site.process_table(), _site.machine_cpu()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=seconds + 120)
    elapsed = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    table_after, machine_after = _site.process_table(), _site.machine_cpu()
    (_site.WORK / f"wrk-{label}.txt").write_text(finished.stdout + finished.stderr)
    if finished.returncode != 0 or not results.exists():
        sys.exit(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")

    def cores(before: float, after: float) -> float:
        return max(0.0, after - before) / elapsed

    gunicorn = cores(_site.tree_cpu_seconds(table_before, server.pid), _site.tree_cpu_seconds(table_after, server.pid))
    database = cores(_site.tree_cpu_seconds(table_before, postgres), _site.tree_cpu_seconds(table_after, postgres))
    wrk_cores = cores(
        children_before.ru_utime + children_before.ru_stime, children_after.ru_utime + children_after.ru_stime
    )
    busy = cores(machine_before[0], machine_after[0])
    cpu = {
        "gunicorn": gunicorn,
        "PostgreSQL": database if postgres else math.nan,
        "wrk": wrk_cores,
        "everything else": max(0.0, busy - gunicorn - (database if postgres else 0) - wrk_cores),
        "machine busy": busy,
        "stolen by the hypervisor": cores(machine_before[1], machine_after[1]),
    }
    return parse_results(results, clients, cpu, load_before, finished.stdout)


def parse_results(path: Path, clients: int, cpu: dict[str, float], load_before: str, output: str) -> Run:
    samples: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    failures: list[str] = []
    wrk_latency: dict[str, float] = {}
    summary: list[int] = []
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "sample":
            samples[fields[1]].append(int(fields[2]) / 1000)
        elif fields[0] == "status":
            statuses[(fields[1], int(fields[2]))] += int(fields[3])
        elif fields[0] == "failure":
            failures.append(" ".join(fields[1:]))
        elif fields[0] == "wrk":
            wrk_latency[fields[1]] = int(fields[2]) / 1000
        elif fields[0] == "summary":
            summary = [int(value) for value in fields[1:]]
    # wrk's "status" errors are its non-2xx/3xx responses: load.lua counts every non-200 per kind instead.
    duration_us, requests, _bytes, connect, read, write, _status, timeout = summary
    return Run(
        clients=clients,
        duration_s=duration_us / 1e6,
        requests=requests,
        socket_errors={"connect": connect, "read": read, "write": write, "timeout": timeout},
        wrk_latency_ms=wrk_latency,
        samples=dict(samples),
        statuses=statuses,
        failures=failures,
        cpu=cpu,
        load_before=load_before,
        wrk_output=output,
    )


# The report


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def report(runs: list[Run], args: argparse.Namespace, machine: dict[str, str], server: _site.Server) -> str:
    lines = [
        f"# Load: {args.meetings:,} generated meetings, {args.duration} s per run",
        "",
        f"gunicorn: {args.workers} {args.worker_class} workers, {args.threads} thread(s) each; "
        f"wrk {args.warmup} s warm-up then {args.duration} s, one thread per connection, --timeout {args.timeout}s.",
        "Mix: " + ", ".join(f"{kind} {weight:g}" for kind, weight in args.mix.items() if weight),
        "",
        "Machine: " + "; ".join(f"{name}: {value}" for name, value in machine.items()),
        "",
        "| clients | requests | requests/s | searches/s | p50 ms | p95 ms | p99 ms | search p50 ms "
        "| search p95 ms | search p99 ms | max ms | non-200 | socket errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        every = [value for values in run.samples.values() for value in values]
        searches = [value for kind in SEARCH_KINDS for value in run.samples.get(kind, [])]
        lines.append(
            f"| {run.clients} | {len(every):,} | {len(every) / run.duration_s:.1f} | "
            f"{len(searches) / run.duration_s:.1f} | {percentile(every, 0.5):.0f} | {percentile(every, 0.95):.0f} | "
            f"{percentile(every, 0.99):.0f} | {percentile(searches, 0.5):.0f} | {percentile(searches, 0.95):.0f} | "
            f"{percentile(searches, 0.99):.0f} | {max(every, default=math.nan):.0f} | "
            f"{sum(run.statuses.values())} | {sum(run.socket_errors.values())} |"
        )
    for run in runs:
        total = sum(len(values) for values in run.samples.values()) or 1
        lines += [
            "",
            f"## {run.clients} clients",
            "",
            "| kind | share | requests/s | p50 ms | p95 ms | p99 ms | max ms | non-200 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in DEFAULT_MIX:
            values = run.samples.get(kind, [])
            if not values:
                continue
            bad = sum(count for (name, _), count in run.statuses.items() if name == kind)
            lines.append(
                f"| {kind} | {len(values) / total:.0%} | {len(values) / run.duration_s:.1f} | "
                f"{percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | "
                f"{max(values):.0f} | {bad} |"
            )
        lines += [
            "",
            "wrk's own histogram of the same requests, a cross-check: "
            + ", ".join(f"p{name} {value:.0f} ms" for name, value in run.wrk_latency_ms.items() if name != "max")
            + f", max {run.wrk_latency_ms.get('max', math.nan):.0f} ms; {run.requests:,} requests.",
            f"Socket errors: {', '.join(f'{name} {count}' for name, count in run.socket_errors.items())}.",
            f"CPU during the run, in cores of {_site.CPUS} (load average before: {run.load_before}): "
            + ", ".join(f"{name} {value:.2f}" for name, value in run.cpu.items() if not math.isnan(value))
            + ".",
            _cpu_per_request(run, total),
        ]
        if run.statuses:
            lines.append(
                "Not 200: " + ", ".join(f"{kind} {status}: {count}" for (kind, status), count in run.statuses.items())
            )
            lines += [f"    {failure}" for failure in run.failures]
    lines.append("")
    for run in runs:
        searches = [value for kind in SEARCH_KINDS for value in run.samples.get(kind, [])]
        rate, p99 = len(searches) / run.duration_s, percentile(searches, 0.99)
        met = rate >= TARGET_SEARCHES_PER_SECOND and p99 < TARGET_SEARCH_P99_MS
        lines.append(
            f"Target ({TARGET_SEARCHES_PER_SECOND} searches/s, search p99 < {TARGET_SEARCH_P99_MS} ms) with "
            f"{run.clients} clients: {'met' if met else 'missed'} ({rate:.0f} searches/s, p99 {p99:.0f} ms)."
        )
    lines.append(f"gunicorn's log: {server.log}")
    return "\n".join(lines) + "\n"


def _cpu_per_request(run: Run, requests: int) -> str:
    """CPU time per request, and the rate it allows if the server had every core to itself."""
    server = {name: run.cpu[name] * run.duration_s / requests * 1000 for name in ("gunicorn", "PostgreSQL")}
    server = {name: value for name, value in server.items() if not math.isnan(value)}
    searches = sum(len(run.samples.get(kind, [])) for kind in SEARCH_KINDS) / requests
    ceiling = _site.CPUS * 1000 / sum(server.values()) if sum(server.values()) else math.nan
    return (
        "CPU per request: "
        + ", ".join(f"{name} {value:.1f} ms" for name, value in server.items())
        + f"; with all {_site.CPUS} cores and nothing else running, that is at most {ceiling:.0f} requests/s "
        f"({ceiling * searches:.0f} searches/s in this mix)."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    wrk = ensure_wrk()
    with _site.database(args) as url:
        environment = _site.site_environment(url)
        _site.prepare(args, environment)
        rng = random.Random(f"load:{args.seed}")
        places = spots(rng)
        slugs = meeting_slugs(rng)
        feeds = feed_candidates(rng, places) if args.mix["feed"] else []
        machine = _site.machine({"wrk": _site.program_version("wrk", "-v")})
        from django.db import connection

        connection.close()  # this process's own connection stays out of the way
        with _site.gunicorn(args, environment, _site.WORK / "gunicorn.log") as server:
            print(f"gunicorn on {server.url}: {' '.join(server.command[2:])}")
            if feeds:
                feeds = usable_feeds(server.url, feeds, args.max_feed_kb)
                if not feeds:
                    sys.exit(f"No feed of at most {args.max_feed_kb} KB: raise --max-feed-kb or set feed=0 in --mix.")
            targets = build_targets(rng, args.mix, places, slugs, feeds)
            (_site.WORK / "targets.tsv").write_text("".join(f"{t.kind}\t{t.path}\t{int(t.partial)}\n" for t in targets))
            check(server.url, targets, args.check)
            runs = []
            for clients in args.clients:
                if args.warmup:
                    warm = run_wrk(wrk, server, targets, clients, args.warmup, args, f"{clients}-warmup")
                    if warm.errors:
                        print(f"Warm-up with {clients} clients: {warm.errors} errors (see the run below).")
                print(f"Running {clients} clients for {args.duration} s…", flush=True)
                runs.append(run_wrk(wrk, server, targets, clients, args.duration, args, str(clients)))
            text = report(runs, args, machine, server)
    _site.write_report(text, args.output)
    errors = sum(run.errors for run in runs)
    if errors:
        print(f"\nFAILED: {errors} requests failed (not 200, or socket errors; see above).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
