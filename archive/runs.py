"""What a crawl run amounted to: its status, its exit code, its one-paragraph summary.

A nightly run is read by cron and by an operator who was asleep; the exit code must say which
kind of morning it is, and the summary must say why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from archive import store

#: Exit codes of ``vnarchive crawl``, one per outcome (documented in the README).
EXIT_CODES = {
    "ok": 0,
    "partial": 3,  # some pages failed; everything else is archived
    "blocked": 4,  # the site answered 403/429 to most requests: we are being refused
    "empty": 5,  # pages were fetched but no article came out of them
    "coverage": 6,  # more than COVERAGE_THRESHOLD of new articles lack a title, date or body
    "interrupted": 7,  # stopped by a signal or a shutdown before the end
    "locked": 8,  # another run holds the lock on this archive
}
#: Share of new articles missing a key field above which the layout has probably changed.
COVERAGE_THRESHOLD = 0.05


def field_coverage(db: Database, run_id: int) -> dict[str, Any]:
    """How many of this run's new articles lack a title, a publish date or a body."""
    row = db.execute(
        """
        select count(*),
               sum(a.title is null or a.title = ''),
               sum(a.published is null),
               sum(a.text is null or length(a.text) < 200)
        from captures c join articles a on a.url = c.url
        where c.run_id = ? and c.outcome = 'new'
        """,
        [run_id],
    ).fetchone()
    total = row[0] or 0
    missing = {"title": row[1] or 0, "published": row[2] or 0, "text": row[3] or 0}
    worst = max(missing.values()) / total if total else 0.0
    return {"new_articles": total, "missing": missing, "worst_share": round(worst, 4)}


def classify(db: Database, run_id: int, reason: str, stats: Mapping[str, Any]) -> str:
    """The run's status, from what it recorded (see EXIT_CODES)."""
    counts = store.run_counts(db, run_id)
    if reason not in ("finished",):
        return "interrupted"
    statuses = dict(
        db.execute("select status, count(*) from captures where run_id = ? group by status", [run_id])
    )
    fetched = counts["pages_fetched"]
    refused = statuses.get(403, 0) + statuses.get(429, 0)
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
    if counts["failures"]:
        return "partial"
    return "ok"


def close_run(db: Database, run_id: int, *, reason: str, stats: Mapping[str, Any]) -> dict[str, Any]:
    """Record how the run ended; returns the ``crawl_runs`` row."""
    status = classify(db, run_id, reason, stats)
    payload = {**stats, "finish_reason": reason, "field_coverage": field_coverage(db, run_id)}
    return store.finish_run(db, run_id, status=status, exit_code=EXIT_CODES[status], stats=payload)


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
    for path, row in (stats.get("listing_coverage") or {}).items():
        if row["archived"] < row["listed"]:
            lines.append(
                f"  listing {path}: {row['listed']} articles listed, only {row['archived']} archived"
            )
    return "\n".join(lines)
