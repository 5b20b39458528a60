"""A throwaway PostgreSQL server for the benchmarks: initdb, pg_ctl start, createdb; stopped afterwards.

    with throwaway_postgres(Path("/tmp/mutual-help-finder-load-pg"), port=55790) as url:
        ...  # url is postgres://postgres@127.0.0.1:55790/bench

The data folder is kept between runs (only the server is stopped), so the 150,000 generated meetings
are made once; ``fresh=True`` deletes it first. Run as root, the server runs as the ``postgres`` user
(``runuser -u postgres --``), as in benchmarks/README.md and .ci/run; run as anyone else, as that user.
A server already running on that folder (``keep_running`` from an earlier run) is used and left running.
"""

import contextlib
import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DIRECTORY = Path("/tmp/mutual-help-finder-load-pg")
DEFAULT_PORT = 55790
DEFAULT_DATABASE = "bench"


def bin_directory() -> Path:
    """The newest /usr/lib/postgresql/N/bin (Debian), else the folder of ``initdb`` on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path)],
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SystemExit("PostgreSQL's initdb was not found: apt-get install postgresql")


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


@contextlib.contextmanager
def throwaway_postgres(
    directory: Path = DEFAULT_DIRECTORY,
    port: int = DEFAULT_PORT,
    database: str = DEFAULT_DATABASE,
    fresh: bool = False,
    keep_running: bool = False,
) -> Iterator[str]:
    """Start (initialising if needed) a server on 127.0.0.1:``port``; yields its DATABASE_URL."""
    pg = bin_directory()
    data = directory / "data"
    if fresh and directory.exists():
        _run([str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False)
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    if not (data / "PG_VERSION").exists():
        _run([str(pg / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"])
    already_running = _run([str(pg / "pg_ctl"), "-D", str(data), "status"], check=False).returncode == 0
    if already_running:
        # Its own port, which may not be the one asked for: postmaster.pid's fourth line.
        port = int((data / "postmaster.pid").read_text().splitlines()[3])
    else:
        # Default settings otherwise, like the other benchmarks' results (benchmarks/README.md).
        options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"
        _run([str(pg / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start"])
    try:
        created = _run([str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(port), database], check=False)
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise SystemExit(f"createdb {database} failed:\n{created.stderr}")
        yield f"postgres://postgres@127.0.0.1:{port}/{database}"
    finally:
        if not (already_running or keep_running):
            _run([str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False)


def postmaster_pid(directory: Path = DEFAULT_DIRECTORY) -> int | None:
    """The running server's process id (for counting its CPU time), or None."""
    try:
        return int((directory / "data" / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
