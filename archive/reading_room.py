"""What a reader sees of one article: its record, evidence, history and links, read from the archive.

The article page, its diff view and its citation (archive/datasette_plugins/vnreading.py) are
built from this one dict, so they never disagree about what the archive holds. Plain sqlite3
on the connection Datasette hands to ``execute_fn``: read-only, no Datasette import, testable
on any archive file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from archive.profiles import PROFILES

#: Where the publication time was read, in words a reader understands (``published_source``).
DATE_SOURCES = {
    "dateline": "the article's date line",
    "meta": "the page's meta tags",
    "json-ld": "the page's JSON-LD",
    "time": "a <time> element",
}


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _json_list(value: Any) -> list:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


def outlet(site: str | None, spider: str | None) -> dict[str, str]:
    """The portal's short name and title: the sites file's entry for the article, else for its run.

    An article fetched from an address the sites file does not list (the replica on 127.0.0.1)
    has its host as ``site``; the run that fetched it knows which portal it was crawling.
    """
    for name in (site, spider):
        if name and name in PROFILES:
            return {"name": name, "title": PROFILES[name].title or name}
    name = site or spider or "?"
    return {"name": name, "title": name}


def outbound(url: Any) -> str | None:
    """``url`` if a reader may be sent there (http or https), else None: archived pages carry
    ``javascript:`` and ``data:`` links too, and a link out must never run one."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def date_source(source: str | None) -> str:
    if not source:
        return "unknown"
    for key, words in DATE_SOURCES.items():
        if source == key or source.startswith(key + ":"):
            return words
    if source.startswith("css:"):
        return f"the page element {source[4:]}"
    return source


def load_article(conn: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The article at ``url`` with everything its page shows, or None if the archive lacks it."""
    found = _rows(conn, "select rowid as rowid_, * from articles where url = ?", [url])
    if not found:
        return None
    article = found[0]
    capture = _rows(
        conn,
        "select c.id, c.fetched_at, c.sha256, c.status, c.final_url, r.spider from captures c"
        " left join crawl_runs r on r.id = c.run_id where c.id = ?",
        [article["capture_id"]],
    )
    article["capture"] = capture[0] if capture else {}
    article["outlet"] = outlet(article["site"], article["capture"].get("spider"))
    article["tag_list"] = [str(t) for t in _json_list(article["tags"])]
    article["image_list"] = [i for i in _json_list(article["images"]) if isinstance(i, dict)]
    for image in article["image_list"]:
        image["href"] = outbound(image.get("src"))
    article["paragraphs"] = [p for p in (article["text"] or "").split("\n") if p.strip()]
    article["date_source"] = date_source(article["published_source"])
    article["versions"] = _rows(
        conn,
        "select version, captured_at, change_kind, changed_fields, capture_id, title"
        " from article_versions where url = ? order by version",
        [url],
    )
    for version in article["versions"]:
        version["changed_list"] = [str(f) for f in _json_list(version["changed_fields"])]
    removal = _rows(
        conn,
        "select at, detail from article_events where url = ? and event = 'removed' order by at desc limit 1",
        [url],
    )
    article["removal"] = removal[0] if article["status"] == "removed" and removal else None
    article["related"] = _rows(
        conn,
        "select l.target_url, l.title, l.section, a.url is not null as held, a.title as held_title"
        " from article_links l left join articles a on a.url = l.target_url"
        " where l.url = ? order by l.position",
        [url],
    )
    for link in article["related"]:
        link["href"] = outbound(link["target_url"])
    return article


def version_pair(conn: sqlite3.Connection, url: str, old: int | None, new: int | None) -> tuple | None:
    """Versions ``old`` and ``new`` of an article (default: the latest and the one before), or None."""
    rows = {r["version"]: r for r in _rows(conn, "select * from article_versions where url = ?", [url])}
    if len(rows) < 2:
        return None
    new = new if new in rows else max(rows)
    old = old if old in rows and old != new else max((v for v in rows if v < new), default=None)
    if old is None:
        return None
    return rows[old], rows[new]


def snapshot_identity(db_path: str | Path | None) -> dict[str, str] | None:
    """The snapshot a served database belongs to (its id and manifest sha256), or None.

    A snapshot directory holds archive.db beside manifest.json (archive.export); a live archive
    has no manifest beside it.
    """
    if not db_path:
        return None
    import hashlib

    manifest = Path(db_path).with_name("manifest.json")
    try:
        data = manifest.read_bytes()
        snapshot_id = json.loads(data).get("snapshot_id")
    except (OSError, ValueError, AttributeError):
        return None
    if not snapshot_id:
        return None
    return {"id": str(snapshot_id), "manifest_sha256": hashlib.sha256(data).hexdigest()}
