"""What the archive makes of pages that bring no new version, and the run rows that count them.

Hand-written (outcome, reason) for each kind of page, for an unknown and for an archived
article's address (a soft 404, a failed fetch, a dead link), and the run rows: killed when their
process is gone, finished with their counts and stats. bench/mutation.py runs this file with
tests/test_store_versions.py against archive/store.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from typing import Any

import pytest
from sqlite_utils import Database

from archive import runs, store
from tests.test_store_versions import T0, T1, T2, T3, URL, article, events, fetch, rec

# -- what each other page means (outcome, reason), for a known and an unknown article ------------


def other(kind: str, status: int | None, **extra: Any) -> dict:
    return {
        "url": f"{URL}/{kind}",
        "fetched_at": T1,
        "status": status,
        "kind": kind,
        "body": b"<html>",
        **extra,
    }


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (other("robots", 404), ("stored", "no robots.txt")),
        (other("robots", 500), ("failed", "HTTP 500")),
        (other("page", 404), ("stored", "dead link: HTTP 404")),
        (other("page", 410), ("stored", "dead link: HTTP 410")),
        (other("page", 403), ("failed", "HTTP 403")),
        (other("listing", 400), ("failed", "HTTP 400")),
        (other("listing", 399), ("stored", None)),
        (other("listing", 200), ("stored", None)),
        (other("listing", None), ("failed", "HTTP None")),
        (other("page", 200, error="TimeoutError: took too long"), ("failed", "TimeoutError: took too long")),
        (other("article", 200, note="listing: 12 teasers"), ("not-article", "listing: 12 teasers")),
        (other("page", 404, removed="http-404"), ("stored", "dead link: http-404")),
        (other("article", 404, removed="http-404"), ("failed", "http-404 before it was ever archived")),
        (other("listing", 410, removed="http-410"), ("failed", "http-410 before it was ever archived")),
    ],
)
def test_pages_that_are_no_article_of_the_archive(fresh_db: Database, page: dict, expected: tuple) -> None:
    capture = store.record_page(fresh_db, page)
    assert (capture["outcome"], capture["reason"]) == expected
    stored = fresh_db["captures"].get(capture["id"])
    assert (stored["outcome"], stored["reason"]) == expected
    assert fresh_db["articles"].count == 0 and fresh_db["article_events"].count == 0


@pytest.mark.parametrize(
    ("page", "expected", "status"),
    [
        # the article's own address now serves a page that is no article: a soft 404
        (fetch(T1, "<html>Trang chủ</html>".encode()), ("removed", "soft-404"), "removed"),
        (fetch(T1, b"<html>?</html>", status=203, note="no text"), ("not-article", "no text"), "live"),
        (fetch(T1, b"<html>?</html>", kind="page"), ("stored", None), "live"),
        (fetch(T1, b"<html>?</html>", removed=None, status=404), ("failed", "HTTP 404"), "live"),
        (
            fetch(T1, b"<html>?</html>", error="ConnectionResetError"),
            ("failed", "ConnectionResetError"),
            "live",
        ),
    ],
)
def test_a_known_article_answering_without_its_article(
    fresh_db: Database, page: dict, expected: tuple, status: str
) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    capture = store.record_page(fresh_db, page)
    assert (capture["outcome"], capture["reason"]) == expected
    row = article(fresh_db)
    assert (row["status"], row["last_checked"] == T1) == (status, status == "removed")
    assert len(events(fresh_db)) == (2 if status == "removed" else 1)


def test_a_failed_fetch_with_a_record_leaves_the_article_alone(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    capture = store.record_page(fresh_db, fetch(T1, error="twisted: lost"), rec(title="Không lưu"))
    assert (capture["outcome"], capture["reason"]) == ("failed", "twisted: lost")
    assert (article(fresh_db)["title"], article(fresh_db)["last_checked"]) == (rec()["title"], T0)


def test_a_record_from_any_link_is_an_article(fresh_db: Database) -> None:
    capture = store.record_page(fresh_db, {**fetch(T0), "kind": "listing"}, rec())
    assert (capture["outcome"], article(fresh_db)["version"]) == ("new", 1)


# -- runs: killed, finished, counted -------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_runs_whose_process_is_gone_are_marked_killed_with_their_counts(fresh_db: Database) -> None:
    host = socket.gethostname()
    table = fresh_db["crawl_runs"]
    row = {"spider": "tuyengiao", "base_url": "https://tuyengiao.vn", "started_at": T0}
    dead = table.insert({**row, "status": "running", "pid": dead_pid(), "host": host}).last_pk
    no_pid = table.insert({**row, "status": "running", "pid": None, "host": host}).last_pk
    alive = table.insert({**row, "status": "running", "pid": os.getpid(), "host": host}).last_pk
    elsewhere = table.insert({**row, "status": "running", "pid": dead_pid(), "host": host + "-other"}).last_pk
    done = table.insert({**row, "status": "ok", "pid": dead_pid(), "host": host}).last_pk
    store.record_page(fresh_db, fetch(T0), rec(), run_id=dead)
    store.record_page(fresh_db, fetch(T1, None, status=None, error="reset"), run_id=dead)
    assert sorted(runs.mark_killed_runs(fresh_db)) == sorted([dead, no_pid])
    killed = table.get(dead)
    counts = ("status", "exit_code", "pages_fetched", "articles_new", "failures")
    assert tuple(killed[k] for k in counts) == ("killed", runs.EXIT_CODES["interrupted"], 2, 1, 1)
    assert table.get(no_pid)["status"] == "killed" and table.get(no_pid)["pages_fetched"] == 0
    assert [table.get(i)["status"] for i in (alive, elsewhere, done)] == ["running", "running", "ok"]
    assert runs.mark_killed_runs(fresh_db) == []


def test_run_counts_by_outcome(fresh_db: Database) -> None:
    run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    other_run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    second = f"{URL}-2"
    store.record_page(fresh_db, fetch(T0), rec(), run_id=run)  # new
    store.record_page(fresh_db, {**fetch(T0), "url": second}, rec(), run_id=run)  # new
    store.record_page(fresh_db, fetch(T1), rec(title="Sửa"), run_id=run)  # changed
    store.record_page(fresh_db, fetch(T1), rec(title="Sửa"), run_id=run)  # unchanged
    store.record_page(fresh_db, fetch(T2, None, status=304), run_id=run)  # not-modified
    store.record_page(fresh_db, fetch(T2, None, status=404, removed="http-404"), run_id=run)  # removed
    store.record_page(fresh_db, fetch(T2, None, status=None, error="reset"), run_id=run)  # failed
    store.record_page(fresh_db, other("listing", 200), run_id=run)  # stored
    store.record_page(fresh_db, {**fetch(T3), "url": second}, rec(), run_id=other_run)  # unchanged
    assert runs.run_counts(fresh_db, run) == {
        "pages_fetched": 8,
        "articles_new": 2,
        "articles_changed": 1,
        "articles_unchanged": 1,
        "not_modified": 1,
        "removed": 1,
        "failures": 1,
    }
    empty = {"pages_fetched": 0, "articles_new": 0, "articles_changed": 0, "articles_unchanged": 0}
    empty |= {"not_modified": 0, "removed": 0, "failures": 0}
    assert runs.run_counts(fresh_db, runs.start_run(fresh_db, "tuyengiao", "x")) == empty
    assert runs.run_counts(fresh_db, other_run) == {
        "pages_fetched": 1,
        "articles_new": 0,
        "articles_changed": 0,
        "articles_unchanged": 1,
        "not_modified": 0,
        "removed": 0,
        "failures": 0,
    }


def test_finish_run_closes_the_run_with_its_counts_and_stats(fresh_db: Database) -> None:
    run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    runs.merge_run_stats(fresh_db, run, {"discovery": {"sitemaps": 2}})
    store.record_page(fresh_db, fetch(T0), rec(), run_id=run)
    store.record_page(fresh_db, fetch(T1, None, status=304), run_id=run)
    row = runs.finish_run(fresh_db, run, status="partial", exit_code=3, stats={"pages_per_minute": 12})
    assert row == fresh_db["crawl_runs"].get(run)
    assert (
        row["status"],
        row["exit_code"],
        row["pages_fetched"],
        row["articles_new"],
        row["not_modified"],
    ) == (
        "partial",
        3,
        2,
        1,
        1,
    )
    assert row["finished_at"] >= row["started_at"] and row["finished_at"] > T1
    assert json.loads(row["stats"]) == {"discovery": {"sitemaps": 2}, "pages_per_minute": 12}
