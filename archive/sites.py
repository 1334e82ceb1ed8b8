"""The portals as a researcher sees them: each with its last run and how many articles it holds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archive import store
from archive.profiles import SiteProfile


def site_overview(profiles: Mapping[str, SiteProfile], db_path: str | Path | None) -> list[dict[str, Any]]:
    """One row per portal of the sites file, then per portal crawled by address, in name order.

    A portal crawled by its address has no entry but its runs and articles are in the archive
    under its host's name; it is listed too, in group "other".
    """
    runs: dict[str, dict[str, Any]] = {}
    articles: dict[str, int] = {}
    if db_path is not None:
        db = store.open_db(db_path, create=False)
        try:
            for row in db.execute(
                "select id, spider, status, exit_code, started_at from crawl_runs"
                " where id in (select max(id) from crawl_runs group by spider)"
            ):
                runs[row[1]] = {"id": row[0], "status": row[2], "exit_code": row[3], "started_at": row[4]}
            # By the run that last captured each article. The store gives an article of a host
            # the sites file does not list its run's site (archive.store.site_of_record), so this
            # agrees with articles.site; archives crawled before that say "127.0.0.1" there for
            # the replica crawled as tuyengiao, and are counted right too.
            articles = dict(
                db.execute(
                    "select r.spider, count(*) from articles a join captures c on c.id = a.capture_id"
                    " join crawl_runs r on r.id = c.run_id group by r.spider"
                ).fetchall()
            )
        finally:
            db.close()
    rows = []
    for name in sorted(set(profiles) | set(runs)):
        profile = profiles.get(name)
        rows.append(
            {
                "name": name,
                "group": profile.group if profile else "other",
                "base_url": profile.base_url if profile else None,
                "articles": articles.get(name, 0),
                "last_run": runs.get(name),
            }
        )
    return rows
