"""Running a Scrapy crawl from ``vnarchive``: a child ``scrapy crawl`` process, read back from the archive.

The archive package never imports Scrapy; the crawl runs as its own process (the standard
``scrapy crawl``), and what it did is read from the ``crawl_runs`` row it wrote.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from archive import runs, store
from archive.lock import ArchiveLock

#: Settings for a crawl of the local replica (or any server we own): no politeness delays.
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "1",
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def scrapy_command(
    site: str, db_path: str | Path, base_url: str | None, settings: dict[str, str]
) -> list[str]:
    """``scrapy crawl`` for a site of the sites file by name, or for any portal by its address."""
    spider = ["portal", "-a", f"url={site}"] if "://" in site else [site]
    cmd = [sys.executable, "-m", "scrapy", "crawl", *spider, "-s", f"ARCHIVE_DB_PATH={db_path}"]
    if base_url:
        cmd += ["-a", f"base_url={base_url}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def run_crawl(
    site: str,
    db_path: str | Path,
    *,
    base_url: str | None = None,
    settings: dict[str, str] | None = None,
    quiet: bool = False,
) -> dict | None:
    """Run one crawl to the end and return its ``crawl_runs`` row (None if the crawl never started).

    SIGINT and SIGTERM are passed to the crawl, which then finishes the pages in flight and
    records itself as interrupted. Raises ``LockHeld`` when another crawl writes to the archive.
    """
    rows = _locked(db_path, scrapy_command(site, db_path, base_url, settings or {}), quiet)
    return rows[-1] if rows else None


def run_crawls(
    sites: list[str], db_path: str | Path, *, settings: dict[str, str] | None = None, quiet: bool = False
) -> list[dict]:
    """Crawl ``sites`` (names, ``name=base URL`` or addresses) at once in one process; their runs' rows."""
    cmd = [sys.executable, "-m", "crawler.many", "--db", str(db_path)]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    return _locked(db_path, [*cmd, *sites], quiet)


def _locked(db_path: str | Path, cmd: list[str], quiet: bool) -> list[dict]:
    db_path = Path(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store.ArchiveError(f"cannot create {db_path.parent}: {exc.strerror or exc}") from exc
    with ArchiveLock(db_path) as lock:
        if lock.stale_holder:
            print(
                f"took over the lock left by pid {lock.stale_holder.get('pid')} (no longer running)",
                file=sys.stderr,
            )
        return _run_locked(cmd, db_path, quiet)


def _run_locked(cmd: list[str], db_path: Path, quiet: bool) -> list[dict]:
    """Run the crawl command as a child; the ``crawl_runs`` rows it added, in order."""
    db = store.open_db(db_path)
    last = db.execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0]
    db.close()
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if quiet:
        env.setdefault("SCRAPY_LOG_LEVEL", "WARNING")
    child = subprocess.Popen(cmd, env=env)
    forward = lambda signum, frame: child.send_signal(signum)  # noqa: E731
    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    db = store.open_db(db_path)
    try:
        runs.mark_killed_runs(db)  # a crawl forced to stop (a second signal) left its runs "running"
        ids = [r[0] for r in db.execute("select id from crawl_runs where id > ? order by id", [last])]
        return [db["crawl_runs"].get(i) for i in ids]
    finally:
        db.close()
