"""What a crawl run amounted to: its status, its exit code, its one-paragraph summary.

A nightly run is read by cron and by an operator who was asleep; the exit code must say which
kind of morning it is, and the summary must say why.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from typing import Any, Protocol

from sqlite_utils import Database

from archive import store

#: Exit codes of ``vnarchive crawl``, one per outcome (documented in the README).
EXIT_CODES = {
    "ok": 0,
    "partial": 3,  # some pages failed; everything else is archived
    "blocked": 4,  # the site answered 403/429 to most requests: we are being refused
    "empty": 5,  # pages were fetched but no article came out of them
    # more than COVERAGE_THRESHOLD of new articles lack a title, date or body, or more than
    # LISTED_REJECT_THRESHOLD of the articles the site lists were judged not articles
    "coverage": 6,
    "interrupted": 7,  # stopped by a signal or a shutdown before the end
    "locked": 8,  # another run holds the lock on this archive
}
#: Share of new articles missing a key field above which the layout has probably changed.
COVERAGE_THRESHOLD = 0.05
#: A body shorter than this is missing; a one-sentence "tin ngắn" is a body.
MIN_BODY_CHARS = 40
#: Share of the pages a site's own sitemap or feed lists as articles that may be judged not an
#: article before the run says so with its exit code (galleries and video pages are listed too).
LISTED_REJECT_THRESHOLD = 0.05
#: How many of those pages a run keeps as examples in its stats.
LISTED_REJECT_EXAMPLES = 10


# -- the runs table ------------------------------------------------------------------------


def start_run(db: Database, spider: str, base_url: str) -> int:
    """Record a run as started; first, close as "killed" any earlier run whose process is gone."""
    with store.write_transaction(db.conn):
        mark_killed_runs(db)
        row = {
            "spider": spider,
            "base_url": base_url,
            "started_at": store.utcnow(),
            "status": "running",
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        return db["crawl_runs"].insert(row).last_pk


def mark_killed_runs(db: Database) -> list[int]:
    """Runs still "running" whose process on this host no longer exists: they were killed.

    Their exit code is "interrupted"'s: a run killed is one that did not finish, and a caller
    (cron, systemd) told 0 would take it for a success.
    """
    host = socket.gethostname()
    dead = [
        run_id
        for run_id, pid in db.execute(
            "select id, pid from crawl_runs where status = 'running' and host = ?", [host]
        ).fetchall()
        if not _alive(pid)
    ]
    for run_id in dead:
        row = {"status": "killed", "exit_code": EXIT_CODES["interrupted"], **run_counts(db, run_id)}
        db["crawl_runs"].update(run_id, row)
    return dead


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def finish_run(db: Database, run_id: int, *, status: str, exit_code: int, stats: Mapping[str, Any]) -> dict:
    """Close a run with its outcome; counts come from the captures it recorded."""
    counts = run_counts(db, run_id)
    row = {"finished_at": store.utcnow(), "status": status, "exit_code": exit_code, **counts}
    # sqlite-utils' update reads the row before writing it: the write lock first (see write_transaction),
    # or the run stays "running" whenever another portal's connection commits in between.
    with store.write_transaction(db.conn):
        db["crawl_runs"].update(run_id, row)
        merge_run_stats(db, run_id, stats)
    return db["crawl_runs"].get(run_id)


def run_counts(db: Database, run_id: int) -> dict[str, int]:
    outcomes = dict(
        db.execute(
            "select outcome, count(*) from captures where run_id = ? group by outcome", [run_id]
        ).fetchall()
    )
    return {
        "pages_fetched": sum(outcomes.values()),
        "articles_new": outcomes.get("new", 0),
        "articles_changed": outcomes.get("changed", 0),
        "articles_unchanged": outcomes.get("unchanged", 0),
        "not_modified": outcomes.get("not-modified", 0),
        "removed": outcomes.get("removed", 0),
        "failures": outcomes.get("failed", 0),
    }


def merge_run_stats(db: Database, run_id: int, extra: Mapping[str, Any]) -> None:
    """Add keys to a run's ``stats`` JSON, whichever component finishes first."""
    with db.atomic():
        db.execute(
            "update crawl_runs set stats = json_patch(coalesce(stats, '{}'), ?) where id = ?",
            [json.dumps(extra, ensure_ascii=False, default=str, sort_keys=True), run_id],
        )


class Stats(Protocol):
    """What a run's counters are kept in (Scrapy's stats collector, or a plain test double)."""

    def get_value(self, key: str, default: Any = None) -> Any: ...
    def set_value(self, key: str, value: Any) -> None: ...
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


def count_listed_verdict(stats: Stats, listed_by: str, capture: Mapping[str, Any]) -> None:
    """Count a page the site lists as an article (sitemap, feed) and whether it turned out one.

    The site says it is an article; a "not an article" verdict on it is more likely our
    mistake than the site's, so every such verdict is counted and a few are kept by name.
    """
    stats.inc_value("articlehood/listed")
    if capture["outcome"] != "not-article":
        return
    stats.inc_value("articlehood/listed_not_article")
    examples = list(stats.get_value("articlehood/listed_not_article_examples") or [])
    if len(examples) < LISTED_REJECT_EXAMPLES:
        examples.append({"url": capture["url"], "listed_by": listed_by, "reason": capture.get("reason")})
        stats.set_value("articlehood/listed_not_article_examples", examples)


def listed_rejected(stats: Mapping[str, Any]) -> tuple[int, int]:
    """(pages the site listed as articles, how many of them were judged not articles) in a run."""
    return stats.get("articlehood/listed", 0), stats.get("articlehood/listed_not_article", 0)


def field_coverage(db: Database, run_id: int) -> dict[str, Any]:
    """How many of this run's new articles lack a title, a publish date or a body."""
    row = db.execute(
        """
        select count(*),
               sum(a.title is null or a.title = ''),
               sum(a.published is null),
               sum(a.text is null or length(a.text) < ?)
        from captures c join articles a on a.url = c.url
        where c.run_id = ? and c.outcome = 'new'
        """,
        [MIN_BODY_CHARS, run_id],
    ).fetchone()
    total = row[0] or 0
    missing = {"title": row[1] or 0, "published": row[2] or 0, "text": row[3] or 0}
    worst = max(missing.values()) / total if total else 0.0
    return {"new_articles": total, "missing": missing, "worst_share": round(worst, 4)}


def classify(db: Database, run_id: int, reason: str, stats: Mapping[str, Any]) -> str:
    """The run's status, from what it recorded (see EXIT_CODES)."""
    counts = run_counts(db, run_id)
    if reason not in ("finished",):
        return "interrupted"
    statuses = dict(
        db.execute("select status, count(*) from captures where run_id = ? group by status", [run_id])
    )
    fetched = counts["pages_fetched"]
    walled = db.execute(
        "select count(*) from captures where run_id = ? and reason like 'blocked: %'", [run_id]
    ).fetchone()[0]
    refused = statuses.get(403, 0) + statuses.get(429, 0) + walled
    if fetched and refused / fetched >= 0.5:
        return "blocked"
    articles = counts["articles_new"] + counts["articles_changed"] + counts["articles_unchanged"]
    article_pages = db.execute(
        "select count(*) from captures where run_id = ? and kind = 'article'", [run_id]
    ).fetchone()[0]
    if article_pages and not articles and not counts["not_modified"] and not counts["removed"]:
        return "empty"
    if field_coverage(db, run_id)["worst_share"] > COVERAGE_THRESHOLD:
        return "coverage"
    listed, rejected = listed_rejected(stats)
    if listed and rejected / listed > LISTED_REJECT_THRESHOLD:
        return "coverage"
    if counts["failures"]:
        return "partial"
    return "ok"


def close_run(db: Database, run_id: int, *, reason: str, stats: Mapping[str, Any]) -> dict[str, Any]:
    """Record how the run ended; returns the ``crawl_runs`` row."""
    status = classify(db, run_id, reason, stats)
    payload = {**stats, "finish_reason": reason, "field_coverage": field_coverage(db, run_id)}
    return finish_run(db, run_id, status=status, exit_code=EXIT_CODES[status], stats=payload)


def summary(run: Mapping[str, Any]) -> str:
    """A short human summary of a ``crawl_runs`` row, with the warnings an operator must see."""
    lines = [
        f"run {run['id']} ({run['spider']} {run['base_url']}): {run['status']}, exit code {run['exit_code']}",
        f"  pages fetched: {run['pages_fetched']}",
        f"  articles: {run['articles_new']} new, {run['articles_changed']} changed, "
        f"{run['articles_unchanged']} unchanged, {run['not_modified']} not modified, {run['removed']} removed",
        f"  failures: {run['failures']}",
        f"  started {run['started_at']}, finished {run['finished_at']}",
    ]
    stats = json.loads(run.get("stats") or "{}")
    coverage = stats.get("field_coverage") or {}
    if coverage.get("new_articles") and coverage.get("worst_share", 0) > COVERAGE_THRESHOLD:
        missing = ", ".join(f"{n} without {field}" for field, n in coverage["missing"].items() if n)
        lines.append(
            f"  WARNING: of {coverage['new_articles']} new articles, {missing}: has the site's layout changed?"
        )
    walls = {
        k.removeprefix("blocked/").replace("_", " "): n for k, n in stats.items() if k.startswith("blocked/")
    }
    if walls:
        shown = ", ".join(f"{n} behind a {reason}" for reason, n in sorted(walls.items()))
        lines.append(f"  WARNING: the site blocked pages: {shown} (not archived; see captures.reason)")
    listed, rejected = listed_rejected(stats)
    if rejected:
        examples = stats.get("articlehood/listed_not_article_examples") or []
        lines.append(
            f"  {'WARNING: ' if rejected / listed > LISTED_REJECT_THRESHOLD else ''}{rejected} of {listed} pages"
            " that the site's sitemap or feed lists as articles were judged not articles, e.g.:"
        )
        lines += [f"    {e['url']} ({e['listed_by']}: {e['reason']})" for e in examples[:3]]
    for path, row in (stats.get("listing_coverage") or {}).items():
        if row["archived"] < row["listed"]:
            lines.append(
                f"  listing {path}: {row['listed']} articles listed, only {row['archived']} archived"
            )
    return "\n".join(lines)
