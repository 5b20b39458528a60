"""What load.py and page_weight.py share: the site as production runs it, on loopback.

- a database (``--database-url``, or a throwaway PostgreSQL from ``_postgres.py``) with the organizations,
  meeting types, places and N generated meetings (``search.prepare``: made once, reused while the count matches);
- static files collected into a folder under /tmp (WhiteNoise's compressed, hashed copies);
- gunicorn on 127.0.0.1 with DEBUG off, a generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and no HTTPS redirect;
- CPU time per process tree (from /proc) and a description of the machine, for the reports.
"""

import argparse
import contextlib
import dataclasses
import importlib.metadata
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import _postgres

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/mutual-help-finder-load")
CPUS = os.cpu_count() or 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--meetings", type=int, default=150_000, help="Generated meetings (150000).")
    data.add_argument("--seed", type=int, default=1, help="Seed for the generated meetings and the URLs (1).")
    data.add_argument(
        "--database-url", help="Use this database (postgres://… or sqlite:///…) instead of a throwaway PostgreSQL."
    )
    data.add_argument(
        "--postgres-dir", type=Path, default=_postgres.DEFAULT_DIRECTORY, help="The throwaway server's folder."
    )
    data.add_argument("--postgres-port", type=int, default=_postgres.DEFAULT_PORT)
    data.add_argument("--fresh", action="store_true", help="Delete the throwaway server's data and start anew.")
    data.add_argument("--keep-postgres", action="store_true", help="Leave the throwaway server running afterwards.")
    data.add_argument("--no-analyze", action="store_true", help="Skip ANALYZE after loading.")
    server = parser.add_argument_group("gunicorn")
    server.add_argument(
        "--workers", type=int, default=2 * CPUS + 1, help=f"Worker processes (2 x cores + 1 = {2 * CPUS + 1})."
    )
    server.add_argument("--threads", type=int, default=1, help="Threads per worker (1).")
    server.add_argument("--worker-class", default="sync", help="sync (default) or gthread.")
    server.add_argument("--port", type=int, default=0, help="Port on 127.0.0.1 (a free one).")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.meetings < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--meetings, --workers and --threads must be at least 1")


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """The DATABASE_URL to use: the one given, or a throwaway PostgreSQL started for the run."""
    if args.database_url:
        yield args.database_url
        return
    with _postgres.throwaway_postgres(
        args.postgres_dir, args.postgres_port, fresh=args.fresh, keep_running=args.keep_postgres
    ) as url:
        yield url


def site_environment(database_url: str) -> dict[str, str]:
    """Production settings (finder/settings.py reads them), on loopback without TLS."""
    return {
        "DJANGO_SETTINGS_MODULE": "finder.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(WORK / "static"),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        # Every simulated visitor comes from 127.0.0.1, and one address asking hundreds of times a second
        # would be throttled; real visitors each stay far below the limit (as in search.py).
        "API_ANON_RATE": os.environ.get("API_ANON_RATE", "off"),
        "FINDER_SEARCHES_PER_MINUTE": os.environ.get("FINDER_SEARCHES_PER_MINUTE", "0"),
        "FEED_DOWNLOADS_PER_HOUR": os.environ.get("FEED_DOWNLOADS_PER_HOUR", "0"),
    }


def prepare(args: argparse.Namespace, environment: dict[str, str]) -> None:
    """Set Django up in this process and make the data and static files ready."""
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import search  # benchmarks/search.py
    from django.core.management import call_command

    # Migrates, creates the shared cache's table, loads, generates (or reuses) the meetings, ANALYZE.
    search.prepare(argparse.Namespace(meetings=args.meetings, seed=args.seed, no_analyze=args.no_analyze))
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Collected static files into {environment['STATIC_ROOT']} in {time.perf_counter() - started:.1f} s.")


@dataclasses.dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    pid: int
    log: Path
    command: list[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(args: argparse.Namespace, environment: dict[str, str], log: Path) -> Iterator[Server]:
    """gunicorn serving finder.wsgi on 127.0.0.1 until the block ends; waits for /healthz first."""
    port = args.port or _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "finder.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--worker-class", args.worker_class,
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--log-level", "warning",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **environment}, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}):\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{_tail(log)}")
            time.sleep(0.3)
        yield Server(url, process.pid, log, command)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # quick shutdown
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# CPU time, from /proc

_TICKS = os.sysconf("SC_CLK_TCK")


def process_table() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, its own CPU seconds, its reaped children's CPU seconds)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        # After "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        # utime stime cutime cstime (proc(5)).
        own = (int(fields[11]) + int(fields[12])) / _TICKS
        children = (int(fields[13]) + int(fields[14])) / _TICKS
        table[int(entry.name)] = (int(fields[1]), own, children)
    return table


def tree_cpu_seconds(table: dict[int, tuple[int, float, float]], root: int | None) -> float:
    """CPU seconds used so far by ``root`` and every process below it (0 if it is not running)."""
    if root is None or root not in table:
        return 0.0
    below: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        below.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        _, own, children = table[pid]
        total += own + children
        stack.extend(below.get(pid, []))
    return total


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy, and stolen by the hypervisor, since boot."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / _TICKS, steal / _TICKS


# The machine


def machine(extra: dict[str, str] | None = None) -> dict[str, str]:
    """What the report says the numbers were measured on (after ``prepare``: it asks the database)."""
    import search  # benchmarks/search.py

    model, flags = "unknown", ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = line
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        "CPUs": f"{CPUS} (nproc {len(os.sched_getaffinity(0))})",
        "CPU model": model + (", a virtual machine" if " hypervisor" in flags else ""),
        "RAM": memory,
        "OS": f"Linux {platform.release()}",
        "Python": platform.python_version(),
        "Django": version("django"),
        "gunicorn": version("gunicorn"),
        "psycopg": version("psycopg"),
        "database": search.database_version(),
        **(extra or {}),
        "load average before": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def program_version(program: str, *arguments: str) -> str:
    path = shutil.which(program)
    if not path:
        return "not installed"
    result = subprocess.run([path, *arguments], capture_output=True, text=True)
    return ((result.stdout or result.stderr).strip().splitlines() or ["?"])[0]


def write_report(text: str, path: Path) -> None:
    """Print the report and keep a copy in ``path`` (best effort)."""
    print()
    print(text)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"Written to {path}.")
