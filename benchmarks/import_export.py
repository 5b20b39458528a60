#!/usr/bin/env python
"""Import a generated Meeting Guide feed of N meetings, import it again, and export it: time and peak memory.

    python benchmarks/import_export.py [--meetings 150000] [--database sqlite|postgres]

Each phase runs in a process of its own, so "peak memory" is that phase's own maximum resident set
size (ru_maxrss), Python and Django included. SQLite uses a fresh file under /tmp; PostgreSQL uses
DATABASE_URL (give it a database of its own: the benchmark drops and re-creates its tables).

The feed is made here, without the database: N meetings in the shape intergroup feeds have (street
addresses with coordinates around real US cities, types, some online and hybrid), written to a file,
then imported with ``manage.py import_feed`` exactly as a curator would.
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = [  # (name, state, ZIP, latitude, longitude, zone): real places, made-up venues
    ("Philadelphia", "PA", "19103", 39.9527, -75.1736, "America/New_York"),
    ("New York", "NY", "10001", 40.7506, -73.9971, "America/New_York"),
    ("Chicago", "IL", "60601", 41.8864, -87.6186, "America/Chicago"),
    ("Houston", "TX", "77002", 29.7589, -95.3677, "America/Chicago"),
    ("Denver", "CO", "80202", 39.7525, -104.9995, "America/Denver"),
    ("Phoenix", "AZ", "85004", 33.4513, -112.0686, "America/Phoenix"),
    ("Los Angeles", "CA", "90012", 34.0614, -118.2385, "America/Los_Angeles"),
    ("Seattle", "WA", "98101", 47.6114, -122.3305, "America/Los_Angeles"),
]
CODES = ["O", "C", "D", "SP", "ST", "B", "W", "M", "Y", "S", "EN", "X", "LGBTQ", "BE", "12x12"]


def make_feed(count: int, path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        for n in range(count):
            city, state, zip_code, lat, lng, zone = rng.choice(CITIES)
            row = {
                "slug": f"bench-{n}",
                "name": f"Benchmark meeting {n}",
                "day": rng.randrange(7),
                "time": f"{rng.choice([7, 12, 18, 19, 20]):02d}:{rng.choice(['00', '30'])}",
                "types": rng.sample(CODES, rng.randint(1, 4)),
                "location": f"Venue {n % 40_000}",
                "formatted_address": f"{100 + n % 40_000} Main St, {city}, {state} {zip_code}, USA",
                "latitude": round(lat + rng.uniform(-0.3, 0.3), 6),
                "longitude": round(lng + rng.uniform(-0.3, 0.3), 6),
                "timezone": zone,
                "notes": "Generated for a benchmark." if n % 3 else "",
                "updated": "2026-01-01 00:00:00",
            }
            if n % 5 == 0:
                row["conference_url"] = f"https://example.org/j/{n}"
            out.write(("," if n else "") + json.dumps(row))
        out.write("]")


def phase(name: str, command: list[str], env: dict) -> dict:
    """Run one phase in its own process; its time and peak memory."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"{name} failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = int(result.stderr.strip().splitlines()[-1].split("=")[1])
    return {"phase": name, "seconds": elapsed, "peak_mb": peak_kb / 1024, "output": result.stdout.strip()}


# Runs a command in this process and prints its own peak RSS last on stderr.
_MEASURE = """
import resource, runpy, sys
args = sys.argv[1:]
try:
    if args[0] == "export":
        import os, django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
        django.setup()
        from django.test import Client
        response = Client().get("/meetings/feed.json")
        size = sum(len(chunk) for chunk in response.streaming_content)
        print(f"exported {size:,} bytes")
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")
finally:
    print("peak_kb=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=150_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "finder.settings", "DEBUG": "true", "LOG_LEVEL": "WARNING"}
    if args.database == "sqlite":
        database = Path("/tmp/mutual-help-finder-import-benchmark.sqlite3")
        database.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    elif not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… for --database postgres")
    feed = Path(f"/tmp/mutual-help-finder-feed-{args.meetings}.json")
    started = time.monotonic()
    make_feed(args.meetings, feed)
    size = feed.stat().st_size / 1e6
    print(f"Feed of {args.meetings:,} meetings: {size:.1f} MB in {time.monotonic() - started:.1f} s")

    manage = ["manage.py"]
    if args.database == "postgres":
        phase("reset", [*manage, "flush", "--no-input"], env)
    for command in (["migrate", "-v0"], ["load_organizations"], ["load_meeting_types"]):
        phase(command[0], [*manage, *command], env)
    importing = [*manage, "import_feed", str(feed), "--organization", "alcoholics-anonymous", "--name", "bench"]
    rows = [
        phase("import (all new)", importing, env),
        phase("import again (unchanged)", importing, env),
        phase("export /meetings/feed.json", ["export"], env),
    ]
    print(f"\n{args.meetings:,} meetings on {args.database}, {platform.python_version()}, {os.cpu_count()} cores\n")
    print("| phase | seconds | peak memory (MB) | result |")
    print("|---|---:|---:|---|")
    for row in rows:
        result = row["output"].splitlines()[-1] if row["output"] else ""
        for line in row["output"].splitlines():
            if " created, " in line:
                result = line
        print(f"| {row['phase']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | {result} |")


if __name__ == "__main__":
    main()
