"""Helpers for tests that run real crawls: a subprocess ``scrapy crawl`` against the replica."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from archive.crawl import FAST_SETTINGS, scrapy_command

ROOT = Path(__file__).resolve().parent.parent


def scrapy_crawl(
    db_path: Path, base_url: str, *, site: str = "tuyengiao", **settings: str
) -> subprocess.CompletedProcess:
    """``scrapy crawl tuyengiao`` (or another site of the sites file, or a portal's address) as an
    operator runs it, with the replica's fast settings."""
    merged = {**FAST_SETTINGS, "PROGRESS": "never", "EXTRACT_WORKERS": "1", **settings}
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run(
        scrapy_command(site, db_path, base_url, merged),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def vnarchive(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The installed ``vnarchive`` command, in a subprocess."""
    exe = Path(sys.executable).with_name("vnarchive")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
