"""What a crawl of one site knows and remembers: the storage behind the incremental middleware.

The crawler decides (crawler/policy.py, crawler/middlewares.py); this module only keeps: the
articles the archive holds and when each was last checked, the pages judged not articles, the
site's learned URL shapes, the frontier of discovered-but-unfetched pages, and the per-run sets
that make each URL judged once. As Scrapy's ``HttpCacheMiddleware`` is a thin layer over its
policy and storage objects, the middleware is a thin layer over a policy and this state. It
knows SQLite and no Scrapy; the run it belongs to is given, not looked up.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive import runs, shapes, store

#: Listed pairs written to the temporary table per transaction.
LISTED_BATCH = 500


def parse_time(value: str | datetime | None) -> datetime | None:
    """An aware datetime from an ISO string (naive means UTC); a datetime is taken as it is."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class CrawlState:
    """One run's view of the archive for one site; ``close()`` writes back what must last.

    Memory is kept per URL as 64-bit hashes (~70 bytes instead of ~165 for the string; known
    articles ~230 bytes each instead of ~820 for their rows). A URL sharing another's hash would
    be judged as that one: odds ~5e-8 for a million URLs against a million known.
    """

    def __init__(
        self, db_path: str, site: str, run_id: int | None, *, probe_budget: int, flush_every: int
    ) -> None:
        self.db = store.open_db(db_path)
        self.site = site
        self.run_id = run_id
        self.flush_every = flush_every
        self.db.execute(
            "create temp table if not exists listed (root text, url text, primary key (root, url)) without rowid"
        )
        #: hash(url) -> (last checked, published else first seen), UTC, for every archived article.
        self.known: dict[int, tuple[datetime | None, datetime | None]] = {}
        for url, last_checked, published, first_seen in self.db.execute(
            "select url, last_checked, published, first_seen from articles"
        ):
            checked = parse_time(last_checked)
            since = parse_time(published) or parse_time(first_seen)
            # One shared tzinfo, not one per +07:00 date.
            self.known[hash(url)] = (checked and checked.astimezone(UTC), since and since.astimezone(UTC))
        #: hash(url) -> when an earlier run judged the page not an article.
        self.judged: dict[int, datetime | None] = {
            hash(url): parse_time(at)
            for url, at in self.db.execute(
                "select url, max(fetched_at) from captures where outcome = 'not-article' group by url"
            )
        }
        self.shapes = shapes.load(self.db, site, probe_budget)
        #: This run's decisions, so a URL linked from many pages is judged (and counted) once.
        self.fetching: set[int] = set()
        self.skipped: set[int] = set()
        #: Article links met in any page's output so far.
        self.seen: set[int] = set()
        self._frontier_pending: list[dict[str, Any]] = []
        self._listed_pending: list[tuple[str, str]] = []

    # -- what the archive holds --------------------------------------------------------------

    def known_state(self, url: str) -> dict[str, datetime | None] | None:
        """The re-check policy's view of an archived article, or None for a URL not archived."""
        known = self.known.get(hash(url))
        return None if known is None else {"last_checked": known[0], "published": known[1]}

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) the archive holds for an article, for a conditional request."""
        row = self.db.execute("select etag, last_modified from articles where url = ?", [url]).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def due_articles(
        self, is_due: Callable[[Mapping[str, Any]], bool], belongs: Callable[[str], bool], cap: int
    ) -> list[str]:
        """The newest ``cap`` archived articles of this site that ``is_due`` says to re-check."""
        rows = self.db.execute("select url, last_checked, published, first_seen from articles")
        due = (
            (published or "", url)
            for url, last_checked, published, first_seen in rows
            if belongs(url)
            and is_due({"last_checked": last_checked, "published": published, "first_seen": first_seen})
        )
        return [url for _, url in heapq.nlargest(cap, due)]

    def previous_run_finished(self) -> bool:
        """Whether this site's run before this one ended normally (it then saw every listing)."""
        if not self.run_id:
            return False
        row = self.db.execute(
            "select status from crawl_runs where spider = ? and id < ? order by id desc limit 1",
            [self.site, self.run_id],
        ).fetchone()
        return bool(row) and row[0] not in ("running", "interrupted", "killed")

    # -- the frontier ------------------------------------------------------------------------

    def resumable(self) -> list[dict[str, Any]]:
        """Pages an unfinished run discovered and never fetched, oldest first."""
        return list(self.db["frontier"].rows_where(order_by="discovered_at"))

    def remember(self, entry: dict[str, Any]) -> None:
        """A requested article, kept in the frontier until its capture is stored."""
        self._frontier_pending.append(entry)
        if len(self._frontier_pending) >= self.flush_every:
            self._flush_frontier()

    def _flush_frontier(self) -> None:
        if self._frontier_pending:
            add_to_frontier(self.db, self._frontier_pending, self.run_id)
        self._frontier_pending = []

    # -- listing coverage --------------------------------------------------------------------

    def listed(self, root: str, url: str) -> None:
        """A listing rooted at ``root`` showed ``url`` (kept on disk, in a temporary table)."""
        self._listed_pending.append((root, url))
        if len(self._listed_pending) >= LISTED_BATCH:
            self._flush_listed()

    def _flush_listed(self) -> None:
        if self._listed_pending:
            with store.write_transaction(self.db.conn):
                self.db.conn.executemany(
                    "insert or ignore into temp.listed values (?, ?)", self._listed_pending
                )
        self._listed_pending = []

    def coverage(self) -> dict[str, dict[str, int]]:
        """Per listing: how many articles its pages showed this run, and how many the archive holds."""
        self._flush_listed()
        rows = self.db.execute(
            "select l.root, count(*), count(a.url) from temp.listed l"
            " left join articles a on a.url = l.url group by l.root order by l.root"
        ).fetchall()
        return {path: {"listed": listed, "archived": archived} for path, listed, archived in rows}

    # -- the end -----------------------------------------------------------------------------

    def close(self, finished: bool) -> dict[str, Any]:
        """Write back what lasts; returns what the run's stats should say of it.

        A run that finished attempted everything it discovered, so the frontier is cleared; any
        other end keeps it for the next run to resume.
        """
        if finished:
            self._frontier_pending = []
            with store.write_transaction(self.db.conn):
                self.db.execute("delete from frontier")
        else:
            self._flush_frontier()
        coverage = self.coverage()
        shapes.save(self.db, self.shapes, store.utcnow())
        summary = {"listing_coverage": coverage, "url_shapes": self.shapes.table()[: shapes.SUMMARY_SHAPES]}
        if self.run_id:
            runs.merge_run_stats(self.db, self.run_id, summary)
        self.db.close()
        return summary


def add_to_frontier(db: Database, entries: list[Mapping[str, Any]], run_id: int | None) -> None:
    """Remember discovered pages until they are fetched (``store.record_page`` removes them)."""
    now = store.utcnow()
    with store.write_transaction(db.conn):
        db["frontier"].insert_all(
            ({**entry, "discovered_at": now, "run_id": run_id} for entry in entries),
            ignore=True,
        )
