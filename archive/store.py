"""The only module that writes to the archive database.

Every fetch becomes a capture (with its raw body, stored once per distinct content); every
distinct extracted record of an article becomes a version; the ``articles`` row is the newest
version plus its life (first/last seen, removed). Each page is committed in its own
transaction, so a crash loses at most the page in flight.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.migrations import known_names, migrations
from archive.profiles import profile_for_url
from archive.record import PROVENANCE_FIELDS, RECORD_COLUMNS
from archive.urls import article_key
from archive.vntext import fold

#: Fields whose change is an edit a researcher cares about; any other change is "trivial".
SUBSTANTIVE_FIELDS = ("title", "lead", "text", "author", "published")
#: Fields of a record whose change makes a new version (provenance fields excluded).
VERSIONED_FIELDS = tuple(f for f in RECORD_COLUMNS if f not in PROVENANCE_FIELDS)


class ArchiveError(Exception):
    """A database that this code must not or cannot use; the message says why."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: How much of the archive file SQLite reads through a memory map (address space, not memory).
MMAP_BYTES = 1 << 30


def open_db(path: str | Path, *, create: bool = True) -> Database:
    """Open (and migrate) the archive at ``path``, in WAL mode.

    Raises ArchiveError for a file that is not SQLite, a SQLite database that is not an archive,
    a database written by a newer vnarchive, or a missing file when ``create`` is false.
    """
    path = Path(path)
    if not create and not path.exists():
        raise ArchiveError(f"no archive at {path}")
    if path.exists() and path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an archive database")
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        db = Database(conn)
        check_schema(db)
        _refuse_foreign(db, path)  # before anything writes to the file
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Reads through a memory map instead of a read() and a copy per page: placement and the
        # crawl state look up rows all over a file far larger than SQLite's page cache.
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not an archive database ({exc})") from exc
    return db


def _refuse_foreign(db: Database, path: Path) -> None:
    """Never add our tables to somebody else's database: only an empty file or an archive is ours."""
    ours = bool(migrations.applied(db))
    tables = [t for t in db.table_names() if not t.startswith("sqlite_")]
    if tables and not ours:
        db.close()
        raise ArchiveError(
            f"{path} is a SQLite database, but not a vnarchive archive (tables: {', '.join(tables[:5])})"
        )


def check_schema(db: Database) -> None:
    """Refuse a database carrying schema steps this code does not know (a newer vnarchive)."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - set(known_names())
    if unknown:
        raise ArchiveError(
            f"the database was written by a newer vnarchive (unknown schema steps: {', '.join(sorted(unknown))})"
        )


def check_archive(conn: sqlite3.Connection, path: str | Path) -> None:
    """Say in one line why ``path`` is not an archive this vnarchive can read, or return.

    Readers (export, serve) open a file a user named; a wrong file must fail with its reason,
    not with an SQL error in the middle of the work.
    """
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not an SQLite database ({exc})") from exc
    if "articles" not in tables or "articles_fts" not in tables:
        raise ArchiveError(f"{path} is not a vnarchive database (no articles table)")
    try:
        check_schema(Database(conn))
    except ArchiveError as exc:
        raise ArchiveError(f"{path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not a vnarchive database ({exc})") from exc


def schema_version(db: Database) -> int:
    return len(migrations.applied(db))


# Plain SQL on the sqlite3 connection for the per-page writes: sqlite-utils' insert/update
# introspect the table on every call, and its ``execute`` and ``atomic`` wrap every statement,
# which cost more than the writes themselves on the crawl's hot path. The statements' text is
# made once per set of columns, so that sqlite3's statement cache finds them prepared.
@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'insert into "{table}" ({names}) values ({", ".join("?" * len(columns))})'


@functools.cache
def _update_sql(table: str, key: str, columns: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{c}" = ?' for c in columns)
    return f'update "{table}" set {assignments} where "{key}" = ?'


def _insert(db: Database, table: str, row: Mapping[str, Any]) -> int:
    return db.conn.execute(_insert_sql(table, tuple(row)), tuple(row.values())).lastrowid


def _update(db: Database, table: str, key: str, value: Any, row: Mapping[str, Any]) -> None:
    db.conn.execute(_update_sql(table, key, tuple(row)), (*row.values(), value))


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction (a savepoint inside a caller's): committed whole or not at all, as ``Database.atomic``.

    It takes the write lock at its start (``begin immediate``), waiting for other writers (the
    other portals of a ``crawl --all``, the crawl state, placement) as long as the connection's
    timeout allows: a transaction that reads first and writes later could not wait, and would
    fail at its first write whenever another connection had committed since its read.
    """
    if conn.in_transaction:
        conn.execute("savepoint store_write")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # an error may already have ended the whole transaction
                conn.execute("rollback to savepoint store_write")
                conn.execute("release savepoint store_write")
            raise
        conn.execute("release savepoint store_write")
        return
    conn.execute("begin immediate")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    conn.execute("commit")


# -- article order -------------------------------------------------------------------------

# articles.rowid is a time key, so that rowid order is newest first: the FTS index (external
# content, keyed by rowid) then yields "the newest matches of a search" by walking its doclists
# backwards and stopping after a page, instead of looking up and sorting every match. Dated
# articles: DATED_BASE + (seconds of ``published`` << SLOT_BITS) + slot; undated ones sort below
# every dated one, by ``first_seen``, as ``order by published desc`` puts NULLs last.
SLOT_BITS = 16  # up to 65,536 articles published in the same second keep their own key
DATED_BASE = 1 << 50
_MAX_SECONDS = 1 << 34  # keys stay below 2**51; dates from 1900 to about 2444
_EPOCH = datetime(1900, 1, 1)


def wall_seconds(value: str | None) -> int | None:
    """Seconds from 1900 to the wall-clock time an ISO string prints, its UTC offset ignored.

    Ignoring the offset orders the keys as the text of ``published`` sorts (Datasette's
    ``sort_desc: published``), which is the site's local time. None if not a date.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    seconds = int((parsed.replace(tzinfo=None) - _EPOCH).total_seconds())
    return seconds if 0 <= seconds < _MAX_SECONDS else None


def rowid_base(published: str | None, first_seen: str | None) -> int:
    """The first key of the second an article belongs to in the newest-first order."""
    seconds = wall_seconds(published)
    if seconds is not None:
        return DATED_BASE + (seconds << SLOT_BITS)
    return (wall_seconds(first_seen) or 0) << SLOT_BITS


def new_article_rowid(db: Database, published: str | None, first_seen: str | None) -> int:
    """A free time key for an article: after those already archived for the same second."""
    base = rowid_base(published, first_seen)
    while True:
        last = base + (1 << SLOT_BITS) - 1
        top = db.conn.execute(
            "select max(rowid) from articles where rowid between ? and ?", (base, last)
        ).fetchone()[0]
        if top is None:
            return base
        if top < last:
            return top + 1
        base -= 1 << SLOT_BITS  # the second is full: take the one before (order off by a second)


# -- captures and articles ----------------------------------------------------------------


def _store_body(db: Database, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    # A body seen before (an unchanged re-check) is not compressed again only to be ignored.
    if db.conn.execute("select 1 from bodies where sha256 = ?", (digest,)).fetchone() is None:
        db.conn.execute(
            "insert or ignore into bodies (sha256, size, compression, body) values (?, ?, 'zlib', ?)",
            (digest, len(body), zlib.compress(body, 6)),
        )
    return digest


def load_body(db: Database, sha256: str) -> bytes:
    row = db.execute("select compression, body from bodies where sha256 = ?", [sha256]).fetchone()
    if row is None:
        raise KeyError(sha256)
    compression, body = row
    return zlib.decompress(body) if compression == "zlib" else body


def record_hash(record: Mapping[str, Any]) -> str:
    payload = {f: record.get(f) for f in VERSIONED_FIELDS}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _columns(record: Mapping[str, Any]) -> dict[str, Any]:
    row = {}
    for field in RECORD_COLUMNS:
        value = record.get(field)
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
        row[field] = value
    return row


def _published_parts(published: str | None) -> dict[str, Any]:
    # The local calendar date as printed in the ISO string: "+07:00" timestamps keep the
    # Vietnamese day, where converting to UTC would move 00:00-07:00 posts to the day before.
    if not published or len(published) < 10:
        return {"published_date": None, "published_month": None, "published_year": None}
    return {
        "published_date": published[:10],
        "published_month": published[:7],
        "published_year": int(published[:4]),
    }


def _squash(value: Any) -> str:
    return " ".join(str(value or "").split())


def classify_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, list[str]]:
    """("substantive" | "trivial", changed fields): whitespace-only edits are trivial."""
    changed = [f for f in VERSIONED_FIELDS if _columns(old).get(f) != _columns(new).get(f)]
    substantive = [
        f for f in changed if f in SUBSTANTIVE_FIELDS and _squash(old.get(f)) != _squash(new.get(f))
    ]
    return ("substantive" if substantive else "trivial"), changed


def record_page(
    db: Database,
    page: Mapping[str, Any],
    record: Mapping[str, Any] | None = None,
    *,
    run_id: int | None = None,
    site: str | None = None,
) -> dict[str, Any]:
    """Store one fetch and what it means for its article, in one transaction.

    ``page`` describes the fetch (url, requested_url, final_url, fetched_at, status, kind,
    content_type, headers, body, error, note). ``record`` is the extracted article, when the
    page is one. ``page["removed"]`` set by the caller marks an article page that is gone (404,
    410, a redirect away, a soft 404). ``site`` is the name the crawl goes by (its run's
    spider): see :func:`site_of_record`. Returns the capture row, whose ``outcome`` says what
    happened (new, changed, unchanged, not-modified, removed, not-article, stored, failed) and
    whose ``reason`` says why, where there is more to say.
    """
    fetched_at = page.get("fetched_at") or utcnow()
    fetched_as = url = page["url"]
    record = site_of_record(record, fetched_as, site)
    if page.get("kind") == "article" or record is not None:
        # One article, one row: a print/AMP/mobile rendering, or an address whose page names
        # another canonical on the same site, is a capture of that article.
        url = article_key(fetched_as, record.get("canonical_url") if record else None)
    with write_transaction(db.conn):
        digest = _store_body(db, page["body"]) if page.get("body") else None
        capture = {
            "run_id": run_id,
            "url": url,
            "requested_url": page.get("requested_url") or fetched_as,
            "final_url": page.get("final_url") or fetched_as,
            "fetched_at": fetched_at,
            "status": page.get("status"),
            "kind": page.get("kind") or "other",
            "content_type": page.get("content_type"),
            "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False, sort_keys=True),
            "sha256": digest,
            "news": json.dumps(page["news"], ensure_ascii=False, sort_keys=True)
            if page.get("news")
            else None,
            "size": len(page["body"]) if page.get("body") else 0,
            "error": page.get("error"),
        }
        capture_id = _insert(db, "captures", capture)
        db.conn.execute("delete from frontier where url in (?, ?)", (fetched_as, url))
        outcome, reason = _apply(db, url, page, record, capture_id, fetched_at)
        _update(db, "captures", "id", capture_id, {"outcome": outcome, "reason": reason})
    return {**capture, "id": capture_id, "outcome": outcome, "reason": reason}


def site_of_record(record: Mapping[str, Any] | None, url: str, site: str | None) -> Mapping[str, Any] | None:
    """The record with ``site`` as its site when the sites file names no portal for ``url``'s host.

    The extractor names a portal by its host's entry in the sites file, else by the bare host:
    the replica crawled as tuyengiao on 127.0.0.1 would be "127.0.0.1" beside a run that says
    "tuyengiao". The crawl knows which portal it is crawling, so its name wins there; a host
    the sites file lists keeps the entry's name whatever the crawl is called.
    """
    if record is None or not site or record.get("site") == site or profile_for_url(url) is not None:
        return record
    return {**record, "site": site}


def _apply(db, url, page, record, capture_id, fetched_at) -> tuple[str, str | None]:
    existing = _article(db, url)
    status = page.get("status")
    if page.get("error"):
        return "failed", page["error"]
    if status == 304:
        if existing:
            life = {"last_checked": fetched_at, "last_seen": fetched_at}
            if existing["status"] == "removed":
                # The server vouches that the page is back exactly as we archived it.
                life.update(status="live", removed_at=None)
                _event(db, url, fetched_at, "restored", capture_id)
            _update(db, "articles", "url", url, life)
        return "not-modified", None
    removed = page.get("removed")
    if removed is None and page.get("kind") == "article" and record is None and status == 200 and existing:
        removed = "soft-404"  # a known article's URL now answers with a page that is no article
    if removed:
        if existing is None:
            if page.get("kind") == "page":  # a link the site shows to nothing: its dead link
                return "stored", f"dead link: {removed}"
            return "failed", f"{removed} before it was ever archived"
        if existing["status"] != "removed":
            _update(
                db,
                "articles",
                "url",
                url,
                {"status": "removed", "removed_at": fetched_at, "last_checked": fetched_at},
            )
            _event(db, url, fetched_at, "removed", capture_id, removed)
        else:
            _update(db, "articles", "url", url, {"last_checked": fetched_at})
        return "removed", removed
    if status is None or status >= 400:
        if page.get("kind") == "robots" and status == 404:
            return "stored", "no robots.txt"
        if page.get("kind") == "page" and status in (404, 410):
            return "stored", f"dead link: HTTP {status}"
        return "failed", f"HTTP {status}"
    if record is not None:  # an article, whatever link led to it
        return _save_article(db, url, page, record, capture_id, fetched_at, existing), None
    if page.get("kind") == "article":
        return "not-article", page.get("note")
    return "stored", None


def _article(db: Database, url: str) -> dict | None:
    cursor = db.conn.execute("select * from articles where url = ?", (url,))
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def _event(db, url, at, event, capture_id, detail=None) -> None:
    _insert(
        db,
        "article_events",
        {"url": url, "at": at, "event": event, "capture_id": capture_id, "detail": detail},
    )


def _save_article(db, url, page, record, capture_id, fetched_at, existing) -> str:
    headers = {k.lower(): v for k, v in (page.get("headers") or {}).items()}
    life = {
        "last_seen": fetched_at,
        "last_checked": fetched_at,
        "capture_id": capture_id,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
        "status": "live",
        "removed_at": None,
    }
    if existing is not None and existing["status"] == "removed":
        _event(db, url, fetched_at, "restored", capture_id)
    if existing is None:
        rowid = new_article_rowid(db, record.get("published"), fetched_at)
        life = {"rowid": rowid, "url": url, "first_seen": fetched_at, **life}
        _new_version(db, url, record, capture_id, fetched_at, existing, "first-seen", fetched_at, life)
        return "new"
    if existing["record_hash"] == record_hash(record):
        _update(db, "articles", "url", url, life)
        return "unchanged"
    _new_version(db, url, record, capture_id, fetched_at, existing, "changed", fetched_at, life)
    return "changed"


def _new_version(db, url, record, capture_id, captured_at, existing, event, event_at, life=None) -> str:
    """Make ``record`` the article's current record, keeping it as a new version; returns the change kind.

    ``life`` (the capture's columns: when seen, its validators; for a new article its key too)
    goes into the same write of the ``articles`` row: each write of that row rewrites its
    full-text index entry, so an article's new version is indexed once, not once per write.
    """
    if existing is None:
        change_kind, changed = "first", []
    else:
        previous = {f: existing.get(f) for f in RECORD_COLUMNS}
        for f in ("tags", "images", "flags"):
            previous[f] = json.loads(previous[f]) if previous[f] else previous[f]
        change_kind, changed = classify_change(previous, record)
    version = 1 if existing is None else existing["version"] + 1
    columns = _columns(record)
    digest = record_hash(record)
    moved = {}
    if existing is not None and record.get("published") != existing["published"]:
        # A new date moves the article to its new place in the newest-first order.
        moved["rowid"] = new_article_rowid(db, record.get("published"), existing["first_seen"])
    row = {
        **(life or {}),
        **moved,
        **columns,
        **_published_parts(record.get("published")),
        "version": version,
        "record_hash": digest,
        "last_changed": captured_at,
        "title_fold": fold(record.get("title")),
        "lead_fold": fold(record.get("lead")),
        "text_fold": fold(record.get("text")),
    }
    if existing is None:
        _insert(db, "articles", row)
    else:
        _update(db, "articles", "url", url, row)
    _insert(
        db,
        "article_versions",
        {
            "url": url,
            "version": version,
            **columns,
            "captured_at": captured_at,
            "capture_id": capture_id,
            "record_hash": digest,
            "change_kind": change_kind,
            "changed_fields": json.dumps(changed),
        },
    )
    _event(db, url, event_at, event, capture_id, None if existing is None else change_kind)
    _save_children(db, url, record)
    return change_kind


def current_captures(db: Database) -> list[dict[str, Any]]:
    """Each article's current capture (url, capture id, fetch time, content type, body hash)."""
    return [
        dict(row)
        for row in db.query(
            """
            select a.url, c.id as capture_id, c.fetched_at, c.content_type, c.final_url, c.sha256
            from articles a join captures c on c.id = a.capture_id
            where c.sha256 is not null
            order by a.url
            """
        )
    ]


def apply_reextraction(db: Database, url: str, record: Mapping[str, Any] | None) -> str:
    """Store what an improved extractor makes of an article's current capture.

    Returns "changed" (a new version was kept), "unchanged", or "not-article" (the new
    extractor rejects the page; the archive keeps the old record and says so).
    """
    existing = _article(db, url)
    if existing is None:
        raise KeyError(url)
    if record is None:
        return "not-article"
    # re-extraction knows no crawl: the article keeps the site its crawl gave it
    record = site_of_record(record, url, existing["site"])
    if existing["record_hash"] == record_hash(record):
        return "unchanged"
    capture = db["captures"].get(existing["capture_id"])
    with write_transaction(db.conn):
        _new_version(db, url, record, capture["id"], capture["fetched_at"], existing, "reextracted", utcnow())
    return "changed"


def _save_children(db: Database, url: str, record: Mapping[str, Any]) -> None:
    for table in ("article_images", "article_links", "article_tags"):
        db.execute(f"delete from {table} where url = ?", [url])
    db.conn.executemany(
        "insert into article_images (url, position, src, caption) values (?, ?, ?, ?)",
        [(url, i, img.get("src"), img.get("caption")) for i, img in enumerate(record.get("images") or [])],
    )
    db.conn.executemany(
        "insert into article_links (url, position, target_url, title, section) values (?, ?, ?, ?, ?)",
        [
            (url, i, link.get("url"), link.get("title"), link.get("section"))
            for i, link in enumerate(record.get("related") or [])
        ],
    )
    db.conn.executemany(
        "insert or ignore into article_tags (url, tag) values (?, ?)",
        [(url, tag) for tag in dict.fromkeys(record.get("tags") or [])],
    )


def record_ingested(
    db: Database,
    page: Mapping[str, Any],
    record: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    *,
    run_id: int | None = None,
    site: str | None = None,
) -> dict[str, Any]:
    """``record_page`` for a capture read from a WARC record, with where it came from, in one transaction.

    ``source`` is the WARC file, the record's id, target URI and date (table warc_sources).
    """
    with write_transaction(db.conn):
        capture = record_page(db, page, record, run_id=run_id, site=site)
        _insert(db, "warc_sources", {"capture_id": capture["id"], **source})
    return capture
