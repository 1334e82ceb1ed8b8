"""What an article page shows of propagation: the other articles that published its text.

Read-only, plain sqlite3 on the connection Datasette hands to ``execute_fn`` (as
archive/reading_room.py), so the reading room's "Also published by" block is testable on any
archive file. An archive from before propagation (no such tables) shows nothing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.reading_room import outbound


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def also_published(conn: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The cluster of ``url`` (every member in publication order) and the articles reusing its paragraphs.

    None when the article shares its text with no other archived article.
    """
    try:
        members = _rows(
            conn,
            """
            select m.url, m.site, m.published, m.delay_hours, m.similarity, m.is_first, m.names_source,
              m.source, m.position, a.title
            from text_cluster_members m join articles a on a.url = m.url
            where m.cluster_id = (select cluster_id from text_cluster_members where url = ?)
            order by m.position
            """,
            [url],
        )
        reuse = _rows(
            conn,
            """
            select case when l.url_a = :url then l.url_b else l.url_a end as url,
              case when l.url_a = :url then l.share_b else l.share_a end as share,
              l.shared_paragraphs, a.site, a.published, a.title
            from text_links l
            join articles a on a.url = case when l.url_a = :url then l.url_b else l.url_a end
            where (l.url_a = :url or l.url_b = :url) and l.kind = 'reuse'
            order by a.published
            """,
            {"url": url},
        )
    except sqlite3.OperationalError:
        return None
    if not members and not reuse:
        return None
    for row in members + reuse:
        row["href"] = outbound(row["url"])
    this = next((m for m in members if m["url"] == url), None)
    return {"members": members, "this": this, "reuse": reuse}
