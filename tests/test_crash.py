"""kill -9 at any moment loses at most the pages in flight: the next run finishes the job,
nothing is duplicated, and the database stays sound."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time

import pytest

from archive.crawl import FAST_SETTINGS, scrapy_command
from replica import ReplicaServer, build_site
from tests.crawling import ROOT, scrapy_crawl

N_ARTICLES = 300
#: Slow enough that a crawl of the replica takes several seconds, so kills land mid-run.
SLOW = {"CONCURRENT_REQUESTS": "4", "CONCURRENT_REQUESTS_PER_DOMAIN": "4", "DOWNLOAD_DELAY": "0.01"}


def archived(db_path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def crawl_and_kill(db_path, base_url: str, kill_after: int) -> None:
    """Start a crawl and SIGKILL its whole process group once ``kill_after`` articles are in."""
    settings = {**FAST_SETTINGS, **SLOW, "PROGRESS": "never", "LOG_LEVEL": "WARNING"}
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    child = subprocess.Popen(
        scrapy_command("tuyengiao", db_path, base_url, settings),
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while archived(db_path) < kill_after and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.poll() is None, "the crawl ended before it could be killed: make the replica bigger"
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(db_path):
    rng = random.Random(20241125)
    with ReplicaServer(build_site(n_articles=N_ARTICLES), port=0) as server:
        killed_at = []
        floor = 0
        for _ in range(3):
            point = rng.randint(floor + 10, floor + 60)
            crawl_and_kill(db_path, server.url, point)
            killed_at.append(archived(db_path))
            floor = killed_at[-1]
        assert killed_at == sorted(killed_at) and killed_at[-1] < N_ARTICLES

        result = scrapy_crawl(db_path, server.url)
        assert result.returncode == 0, result.stderr[-2000:]
        # robots.txt held in every run, whatever the kills left queued (see test_robots.py).
        assert [p for _, p, _ in server.requests if p.startswith("/noi-bo/")] == []

        conn = sqlite3.connect(db_path)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        urls = {server.url + a.path for a in server.site.articles}
        rows = conn.execute("select url, version, status from articles").fetchall()
        assert {r[0] for r in rows} == urls
        assert all(version == 1 and status == "live" for _, version, status in rows)
        # Nothing duplicated: each article was fetched successfully exactly once over all runs.
        fetched = conn.execute(
            "select url, count(*) from captures where kind = 'article' and status = 200 group by url"
        ).fetchall()
        assert len(fetched) == N_ARTICLES and {n for _, n in fetched} == {1}
        assert conn.execute("select count(*) from article_versions").fetchone()[0] == N_ARTICLES
        runs = [r[0] for r in conn.execute("select status from crawl_runs order by id")]
        assert runs == ["killed", "killed", "killed", "ok"]
        assert conn.execute("select count(*) from frontier").fetchone()[0] == 0
        # The last run resumed from the frontier the killed ones left.
        stats = json.loads(
            conn.execute("select stats from crawl_runs order by id desc limit 1").fetchone()[0]
        )
        assert stats["incremental/resumed"] > 0
