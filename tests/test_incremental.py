"""Scheduled runs against a changing replica: only what is new or changed is fetched, edits
become versions, removals and come-backs are recorded, runs are locked and interruptible."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from sqlite_utils import Database

from archive.lock import ArchiveLock
from replica import ReplicaServer, build_site
from tests.crawling import scrapy_crawl, vnarchive


@pytest.fixture
def replica():
    with ReplicaServer(build_site(n_articles=40), port=0) as server:
        yield server


def article_requests(server, since: int = 0) -> list[str]:
    ids = {a.path for a in server.site.articles}
    return [path for _, path, _ in server.requests[since:] if path.split("?")[0] in ids]


def test_rerun_fetches_nothing_known_then_versions_edits_and_marks_removals(replica, db_path):
    assert scrapy_crawl(db_path, replica.url).returncode == 0
    db = Database(db_path)
    assert db["articles"].count == 40

    before = len(replica.requests)
    assert scrapy_crawl(db_path, replica.url).returncode == 0
    assert article_requests(replica, before) == []  # sitemap lastmod says nothing changed

    edited, gone_404, gone_home, gone_soft, gone_410 = replica.site.articles[:5]
    old_title = edited.title
    replica.site.edit(edited.id, title=old_title + " (cập nhật)")
    replica.site.remove(gone_404.id, how="404")
    replica.site.remove(gone_home.id, how="redirect-home")
    replica.site.remove(gone_soft.id, how="soft-404")
    replica.site.remove(gone_410.id, how="410")
    before = len(replica.requests)
    result = scrapy_crawl(db_path, replica.url, RECHECK_ALL="True")
    assert result.returncode == 0, result.stderr[-2000:]

    url = replica.url + edited.path
    article = db["articles"].get(url)
    assert article["title"].endswith("(cập nhật)") and article["version"] == 2
    versions = list(db["article_versions"].rows_where("url = ?", [url], order_by="version"))
    assert [v["change_kind"] for v in versions] == ["first", "substantive"]
    assert versions[0]["title"] == old_title  # never overwritten

    for art, reason in [
        (gone_404, "http-404"),
        (gone_home, "redirect"),
        (gone_soft, "soft-404"),
        (gone_410, "http-410"),
    ]:
        row = db["articles"].get(replica.url + art.path)
        assert row["status"] == "removed" and row["removed_at"], art.path
        assert row["title"] == art.title  # the last good record stays
        [event] = db["article_events"].rows_where("url = ? and event = 'removed'", [replica.url + art.path])
        assert event["detail"] == reason

    # Re-checks were conditional: unchanged articles answered 304 and made no new version.
    conditional = [h for _, p, h in replica.requests[before:] if "If-None-Match" in h or "if-none-match" in h]
    assert len(conditional) >= 30
    run = db.execute(
        "select not_modified, removed, articles_changed from crawl_runs order by id desc limit 1"
    ).fetchone()
    assert run[0] >= 30 and run[1] == 4 and run[2] == 1
    assert db["article_versions"].count == 41

    replica.site.restore(gone_404.id)
    assert scrapy_crawl(db_path, replica.url, RECHECK_ALL="True").returncode == 0
    assert db["articles"].get(replica.url + gone_404.path)["status"] == "live"
    events = [
        e["event"]
        for e in db["article_events"].rows_where("url = ?", [replica.url + gone_404.path], order_by="id")
    ]
    assert events == ["first-seen", "removed", "restored"]

    diff = vnarchive("diff", url, "--db", str(db_path))
    assert diff.returncode == 0, diff.stderr
    assert f"@@ title @@\n{old_title}{{+ (cập nhật)+}}\n" in diff.stdout  # the words added, marked
    lines = vnarchive("diff", url, "--db", str(db_path), "--lines")
    assert f"-{old_title}\n+{old_title} (cập nhật)\n" in lines.stdout


def test_vnarchive_crawl_prints_summary_and_exit_code(replica, db_path):
    result = vnarchive(
        "crawl", "tuyengiao", "--base-url", replica.url, "--db", str(db_path), "--fast", "--quiet"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok, exit code 0" in result.stdout and "40 new" in result.stdout


def test_a_second_run_is_refused_while_one_holds_the_lock(replica, db_path):
    with ArchiveLock(db_path):
        result = vnarchive("crawl", "tuyengiao", "--base-url", replica.url, "--db", str(db_path), "--fast")
    assert result.returncode == 8
    assert "another crawl holds" in result.stderr and "pid" in result.stderr


def test_sigint_finishes_in_flight_and_records_interrupted(db_path):
    with ReplicaServer(build_site(n_articles=400), port=0) as server:
        cmd = [*vnarchive_cmd(), "crawl", "--base-url", server.url, "--db", str(db_path), "--fast"]
        cmd += ["-s", "CONCURRENT_REQUESTS=2", "-s", "DOWNLOAD_DELAY=0.02"]
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        db = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the crawl is archiving
            time.sleep(0.3)
            if db_path.exists():
                db = Database(db_path)
                if "articles" in db.table_names() and db["articles"].count >= 5:
                    break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        assert child.returncode == 7, err[-2000:]
        assert "interrupted" in out
        [run] = db["crawl_runs"].rows
        assert run["status"] == "interrupted" and json.loads(run["stats"])["finish_reason"] == "shutdown"
        assert 0 < db["articles"].count < 400


def vnarchive_cmd() -> list[str]:
    import sys
    from pathlib import Path

    return [str(Path(sys.executable).with_name("vnarchive"))]


def test_demo_on_a_fresh_checkout_creates_its_data_directory(tmp_path):
    db = tmp_path / "data" / "archive.db"  # data/ does not exist yet, as in a fresh clone
    result = vnarchive("demo", "--no-serve", "--port", "0", "--articles", "6", "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "6 new" in result.stdout
    assert Database(db)["articles"].count == 6
