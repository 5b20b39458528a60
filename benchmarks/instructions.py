#!/usr/bin/env python
"""Count the CPU instructions one API search costs this process, with valgrind: the same count every run.

    python benchmarks/instructions.py [--search rural|dense|online] [--database sqlite|postgres] [--meetings 150000]

Wall-clock times on a shared 2-core host move by up to 1.8x within minutes (README.md, run 6), too much to
tell a 5 % change from noise. valgrind's callgrind counts the instructions this Python process executes
(not the database server's). The script runs itself twice under valgrind, with 50 and with 150 requests
after the same warm-up, and prints the difference divided by 100: start-up and warm-up cancel out.

Needs valgrind (Debian: apt-get install valgrind). Takes about a minute and a half per search; the data must
exist already (run search.py once with the same --database and --meetings). Of search.py's options it uses
--database, --meetings and --sqlite-path.
"""

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # benchmarks/search.py

KEYS = ("dense", "online", "rural")


def parser() -> argparse.ArgumentParser:
    parser = bench.build_parser(__doc__)
    parser.add_argument("--search", choices=KEYS, default="rural", help="Which search to count (rural).")
    parser.add_argument("--requests", type=int, help=argparse.SUPPRESS)  # set for the runs under valgrind
    return parser


def requests(args: argparse.Namespace) -> None:
    """Under valgrind: warm up, then make ``args.requests`` requests of one search."""
    bench.configure(args)
    import django

    django.setup()
    from django.test import Client

    search = next(s for s in bench.searches() if s.key == args.search)
    client = Client()
    for _ in range(30):
        response = client.get(search.url)
        if response.status_code != 200:  # an error page would be counted instead of the search
            sys.exit(f"{search.url} answered {response.status_code}: {response.content[:300]!r}")
    gc.collect()
    gc.freeze()
    for _ in range(args.requests):
        client.get(search.url)


def instructions(args: argparse.Namespace, count: int) -> int:
    with tempfile.TemporaryDirectory() as directory:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/out",
            sys.executable, __file__, "--database", args.database, "--meetings", str(args.meetings),
            "--sqlite-path", str(args.sqlite_path), "--search", args.search, "--requests", str(count),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            sys.exit("valgrind not found: install it (Debian: apt-get install valgrind)")
    found = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if done.returncode or not found:
        sys.exit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    args = bench.parse_arguments(None, parser())
    if args.requests is not None:
        requests(args)
        return
    few, many = instructions(args, 50), instructions(args, 150)
    print(f"{args.search}: {(many - few) / 100 / 1e6:.2f} million instructions per request ({args.database})")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")  # the same string hashes, so the same work, every run
    main()
