"""The archive's schema, built step by step; each step runs once per database file.

Append new steps at the end and never edit an applied one: a database remembers which steps it
has (``_sqlite_migrations``), and one carrying a step this code does not know is from a newer
version of vnarchive, which ``archive.store.open_db`` refuses to write to.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vnarchive")

#: The record columns as the first schema had them: frozen here, a later record field gets a step.
_M001_RECORD_COLUMNS = {
    "site": str,
    "title": str,
    "lead": str,
    "text": str,
    "author": str,
    "source": str,
    "category": str,
    "tags": str,
    "images": str,
    "published": str,
    "published_source": str,
    "published_raw": str,
    "modified": str,
    "language": str,
    "canonical_url": str,
    "flags": str,
    "extractor": str,
    "extractor_version": str,
}


@migrations()
def m001_core_tables(db: Database) -> None:
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "base_url": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "exit_code": int,
            "pages_fetched": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_unchanged": int,
            "not_modified": int,
            "removed": int,
            "failures": int,
            "stats": str,
        },
        pk="id",
    )
    db["bodies"].create({"sha256": str, "size": int, "compression": str, "body": bytes}, pk="sha256")
    db["captures"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "requested_url": str,
            "final_url": str,
            "fetched_at": str,
            "status": int,
            "kind": str,
            "content_type": str,
            "headers": str,
            "sha256": str,
            "size": int,
            "error": str,
            "outcome": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id"), ("sha256", "bodies", "sha256")],
    )
    db["captures"].create_index(["url", "fetched_at"])
    db["captures"].create_index(["run_id"])
    db["captures"].create_index(["outcome"])

    articles = {"url": str, **_M001_RECORD_COLUMNS}
    articles.update(
        {
            "published_date": str,
            "published_month": str,
            "published_year": int,
            "status": str,
            "removed_at": str,
            "first_seen": str,
            "last_seen": str,
            "last_checked": str,
            "last_changed": str,
            "version": int,
            "record_hash": str,
            "capture_id": int,
            "etag": str,
            "last_modified": str,
            "title_fold": str,
            "lead_fold": str,
            "text_fold": str,
        }
    )
    db["articles"].create(articles, pk="url", foreign_keys=[("capture_id", "captures", "id")])
    for column in ("site", "category", "author", "published", "published_month", "status", "last_seen"):
        db["articles"].create_index([column])

    versions = {"id": int, "url": str, "version": int, **_M001_RECORD_COLUMNS}
    versions.update(
        {"captured_at": str, "capture_id": int, "record_hash": str, "change_kind": str, "changed_fields": str}
    )
    db["article_versions"].create(
        versions,
        pk="id",
        foreign_keys=[("url", "articles", "url"), ("capture_id", "captures", "id")],
    )
    db["article_versions"].create_index(["url", "version"], unique=True)

    db["article_events"].create(
        {"id": int, "url": str, "at": str, "event": str, "capture_id": int, "detail": str},
        pk="id",
        foreign_keys=[("url", "articles", "url"), ("capture_id", "captures", "id")],
    )
    db["article_events"].create_index(["url", "at"])

    db["article_images"].create(
        {"url": str, "position": int, "src": str, "caption": str},
        pk=("url", "position"),
        foreign_keys=[("url", "articles", "url")],
    )
    db["article_links"].create(
        {"url": str, "position": int, "target_url": str, "title": str, "section": str},
        pk=("url", "position"),
        foreign_keys=[("url", "articles", "url")],
    )
    db["article_links"].create_index(["target_url"])
    db["article_tags"].create(
        {"url": str, "tag": str}, pk=("url", "tag"), foreign_keys=[("url", "articles", "url")]
    )
    db["article_tags"].create_index(["tag"])


@migrations()
def m002_search(db: Database) -> None:
    # Exact columns (as published, NFC) and folded columns (no diacritics, đ -> d) in one index:
    # an accented query searches the former, an unaccented one the latter (see archive.search).
    # remove_diacritics 0 keeps "Đảng" apart from "đang"; the fold columns give the loose match.
    db["articles"].enable_fts(
        ["title", "lead", "text", "title_fold", "lead_fold", "text_fold"],
        fts_version="FTS5",
        tokenize="unicode61 remove_diacritics 0",
        create_triggers=True,
    )


def known_names() -> list[str]:
    """Names of every step this version of the code knows, in order."""
    return [m.name for m in migrations.pending(Database(memory=True))]


@migrations()
def m003_crawl_frontier(db: Database) -> None:
    # Discovered, not yet fetched: a run killed mid-way resumes from here instead of relying
    # on rediscovering every URL (listings walked back only to known territory would not).
    db["frontier"].create(
        {"url": str, "request_url": str, "kind": str, "discovered_at": str, "run_id": int, "lastmod": str},
        pk="url",
    )


@migrations()
def m004_capture_reason(db: Database) -> None:
    # Why a capture's outcome is what it is: the error, the HTTP status, why a page expected to
    # be an article is not one, how an article went away.
    db["captures"].add_column("reason", str)


@migrations()
def m005_run_process(db: Database) -> None:
    # Which process ran a crawl: a "running" row whose process is gone was killed.
    db["crawl_runs"].add_column("pid", int)
    db["crawl_runs"].add_column("host", str)


@migrations()
def m006_articles_newest_first(db: Database) -> None:
    # articles.rowid becomes a time key (archive.store.rowid_base, as the store keyed new rows
    # when this step was written; frozen here): rowid order is newest first, so a search's
    # newest matches stream from the FTS index without sorting every match. Rows are renumbered
    # in place (the url key and every table referring to it are untouched) and the
    # external-content FTS index, keyed by rowid, is rebuilt; its triggers are set aside
    # meanwhile so that each row is indexed once, not removed and re-added one by one.
    slot_bits, dated_base, max_seconds, epoch = 16, 1 << 50, 1 << 34, datetime(1900, 1, 1)

    def wall_seconds(value: str | None) -> int | None:
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        seconds = int((parsed.replace(tzinfo=None) - epoch).total_seconds())
        return seconds if 0 <= seconds < max_seconds else None

    def rowid_base(published: str | None, first_seen: str | None) -> int:
        seconds = wall_seconds(published)
        if seconds is not None:
            return dated_base + (seconds << slot_bits)
        return (wall_seconds(first_seen) or 0) << slot_bits

    triggers = db.execute(
        "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'articles'"
    ).fetchall()
    for name, _ in triggers:
        db.execute(f"drop trigger [{name}]")
    rows = db.execute("select rowid, published, first_seen from articles order by rowid").fetchall()
    db.execute("update articles set rowid = -rowid - 1")  # out of the way of every new key
    taken: dict[int, int] = {}
    for rowid, published, first_seen in rows:
        base = rowid_base(published, first_seen)
        while taken.get(base, 0) >> slot_bits:  # that second's 65,536 keys are used
            base -= 1 << slot_bits
        slot = taken.get(base, 0)
        taken[base] = slot + 1
        db.execute("update articles set rowid = ? where rowid = ?", [base + slot, -rowid - 1])
    for _, sql in triggers:
        db.execute(sql)
    db.execute("insert into articles_fts (articles_fts) values ('rebuild')")


@migrations()
def m007_url_shapes(db: Database) -> None:
    # What the crawler has learned of each site's URL shapes (archive.shapes): how many pages of
    # a shape turned out articles and how many did not, so the next run fetches likely articles
    # first and spends only a bounded share on shapes that never yielded one.
    db["url_shapes"].create(
        {"site": str, "shape": str, "articles": int, "others": int, "example": str, "last_seen": str},
        pk=("site", "shape"),
    )


@migrations()
def m008_lead_tag_and_bylines(db: Database) -> None:
    # Extractor version 4: a lead's agency tag ("(TG) - " -> "TG") and the byline split into
    # names with role, person-or-desk and facet form (JSON), on current and earlier records.
    for table in ("articles", "article_versions"):
        db[table].add_column("lead_tag", str)
        db[table].add_column("bylines", str)


@migrations()
def m009_capture_news(db: Database) -> None:
    # What a Google News sitemap said of an article when it led to the capture (its
    # news:publication_date and news:title, JSON): the portal's own claim, beside the page's.
    db["captures"].add_column("news", str)


@migrations()
def m010_url_shape_leads(db: Database) -> None:
    # Of a shape's pages that were no articles, how many led to articles (listings): a shape of
    # listings is worth fetching though none of its pages is an article.
    db["url_shapes"].add_column("leads", int, not_null_default=0)


@migrations()
def m011_warc_sources(db: Database) -> None:
    # Where a capture imported from a WARC or WACZ file came from (``vnarchive ingest``): the
    # file, the record's WARC-Record-ID (the same record ingested twice is stored once) and its
    # WARC-Date, the capture time the crawler that wrote it recorded.
    db["warc_sources"].create(
        {"capture_id": int, "warc_file": str, "record_id": str, "target_uri": str, "warc_date": str},
        pk="capture_id",
        foreign_keys=[("capture_id", "captures", "id")],
    )
    db["warc_sources"].create_index(["record_id"], unique=True)
    db["captures"].create_index(["final_url", "fetched_at"])


@migrations()
def m012_propagation(db: Database) -> None:
    # The same text across portals (archive.propagation): the persisted LSH index (one key per
    # MinHash band per article) and paragraph digests, so that a new process places one article
    # by index look-ups alone; the verified links between articles; clusters of near-identical
    # bodies with their members. Frozen here: a later change of these tables gets a step of its own.
    db["propagation_state"].create(
        {"url": str, "record_hash": str, "syllables": int, "indexed": int, "placed_at": str}, pk="url"
    )
    db["propagation_bands"].create({"key": int, "url": str})
    db["propagation_bands"].create_index(["key"])
    db["propagation_bands"].create_index(["url"])
    db["propagation_paragraphs"].create({"digest": int, "url": str, "position": int, "syllables": int})
    db["propagation_paragraphs"].create_index(["digest"])
    db["propagation_paragraphs"].create_index(["url"])
    db["text_links"].create(
        {
            "url_a": str,
            "url_b": str,
            "kind": str,
            "jaccard": float,
            "containment": float,
            "shared_paragraphs": int,
            "share_a": float,
            "share_b": float,
        },
        pk=("url_a", "url_b"),
    )
    db["text_links"].create_index(["url_b"])
    db["text_clusters"].create(
        {
            "id": int,
            "first_url": str,
            "first_site": str,
            "first_published": str,
            "members": int,
            "sites": int,
            "undated": int,
            "last_published": str,
            "spread_hours": float,
            "updated_at": str,
        },
        pk="id",
    )
    db["text_cluster_members"].create(
        {
            "url": str,
            "cluster_id": int,
            "site": str,
            "published": str,
            "first_seen": str,
            "position": int,
            "is_first": int,
            "similarity": float,
            "containment": float,
            "delay_hours": float,
            "names_source": int,
            "source": str,
        },
        pk="url",
    )
    db["text_cluster_members"].create_index(["cluster_id", "position"])


@migrations()
def m013_node_leases(db: Database) -> None:
    # Portal runs handed to crawl nodes (archive.dispatch): one row per portal while a node holds
    # it, so that no portal is crawled by two nodes at once. A lease ends when its hand-off is
    # ingested, or when ``expires_at`` passes (the node was lost); the job stops itself by then.
    db["node_leases"].create(
        {
            "site": str,
            "token": str,
            "node": str,
            "job": str,
            "attempt": int,
            "acquired_at": str,
            "expires_at": str,
        },
        pk="site",
    )


@migrations()
def m014_propagation_signatures(db: Database) -> None:
    # Each placed article's MinHash (NUM_PERM 32-bit values, packed) and shingle count, so that a
    # placement estimates its candidates' similarity from the index before reading their texts:
    # most candidates that share a band share a topic's phrasing, not a text. Rows placed before
    # this step have none and are verified on their texts, as before.
    db["propagation_state"].add_column("signature", bytes)
    db["propagation_state"].add_column("shingles", int)


@migrations()
def m015_search_index_on_text_changes(db: Database) -> None:
    # The full-text index is rewritten only by an update that sets an indexed column or the rowid
    # (a new version, a move in the newest-first order), not by one that records a re-check, a
    # 304 or a removal: each such update deleted and re-added the article's whole text. The
    # trigger's statements are sqlite-utils' own, as m002 created them.
    columns = ["title", "lead", "text", "title_fold", "lead_fold", "text_fold"]
    names = ", ".join(f'"{c}"' for c in columns)
    old = ", ".join(f'old."{c}"' for c in columns)
    new = ", ".join(f'new."{c}"' for c in columns)
    db.execute('drop trigger if exists "articles_au"')
    db.execute(
        f'create trigger "articles_au" after update of rowid, {names} on "articles" begin\n'
        f'  insert into "articles_fts" ("articles_fts", rowid, {names}) values(\'delete\', old.rowid, {old});\n'
        f'  insert into "articles_fts" (rowid, {names}) values (new.rowid, {new});\n'
        "end"
    )


@migrations()
def m016_article_page_indexes(db: Database) -> None:
    # The articles table page at a million rows: a facet value clicked (a year, a section) lists
    # that value's articles newest first, and the year facet counts every article; each was a scan
    # of the whole table (its rows, long texts included), or a sort of every matching row, past
    # the SQL time limit. With the value and the date in one index, the page reads only the rows
    # it shows, and the year facet and its count read the index alone. Titles sort by their own.
    db["articles"].create_index(["published_year", "published"], if_not_exists=True)
    db["articles"].create_index(["category", "published"], if_not_exists=True)
    db["articles"].create_index(["title"], if_not_exists=True)


@migrations()
def m017_propagation_shingle_hashes(db: Database) -> None:
    # Each placed article's shingle hashes (sorted 32-bit values, packed), so that a placement
    # compares its candidates without reading and tokenising their texts again. Rows placed
    # before this step have none: archive/propagation_state.py computes them on first use.
    db["propagation_state"].add_column("hashes", bytes)


@migrations()
def m018_propagation_band_ids(db: Database) -> None:
    # Each placed article gets an integer id, in the order of placement, and the LSH index holds
    # (key, id) in one B-tree ordered by both (WITHOUT ROWID): a placement's band look-ups read
    # their holders' ids from the key's own rows and their states by id, where a key's rows were
    # an index entry, then a table row for the url, then the state's url index and row; a band
    # row written is one B-tree entry, not a row and two index entries.
    db.execute(
        """
        create table propagation_state_by_id (
           id integer primary key, url text not null unique, record_hash text, syllables integer,
           indexed integer, placed_at text, signature blob, shingles integer, hashes blob)
        """
    )
    db.execute(
        """
        insert into propagation_state_by_id
          (url, record_hash, syllables, indexed, placed_at, signature, shingles, hashes)
        select url, record_hash, syllables, indexed, placed_at, signature, shingles, hashes
        from propagation_state order by rowid
        """
    )
    db.execute(
        """
        create table propagation_bands_by_id (
           key integer not null, state_id integer not null, primary key (key, state_id)) without rowid
        """
    )
    db.execute(
        """
        insert or ignore into propagation_bands_by_id (key, state_id)
        select b.key, s.id from propagation_bands b join propagation_state_by_id s on s.url = b.url
        """
    )
    db.execute("drop table propagation_bands")
    db.execute("drop table propagation_state")
    db.execute("alter table propagation_state_by_id rename to propagation_state")
    db.execute("alter table propagation_bands_by_id rename to propagation_bands")
    db.execute("create index idx_propagation_bands_state_id on propagation_bands (state_id)")


@migrations()
def m019_propagation_32_bands(db: Database) -> None:
    # The LSH index at 32 bands of 3 values (archive/propagation_text.py: BANDS, ROWS), not 42:
    # each placed article's keys computed again from its stored MinHash, as band_keys computed
    # them (frozen here). A row placed before the signatures were kept (m014) has none: its
    # record hash is cleared, so that the next placement step places it again (its old keys
    # are taken out then).
    db.execute(
        "delete from propagation_bands where state_id in"
        " (select id from propagation_state where signature is not null)"
    )
    db.execute("update propagation_state set record_hash = null where indexed = 1 and signature is null")
    last = 0
    while True:  # a few thousand articles at a time: an archive of millions holds tens of millions of keys
        rows = db.execute(
            "select id, signature from propagation_state where id > ? and indexed = 1"
            " and signature is not null order by id limit 5000",
            [last],
        ).fetchall()
        if not rows:
            return
        new = sorted(
            (key, state_id)
            for state_id, signature in rows
            for key in _band_keys_of_m019(signature, range(32))
        )
        db.conn.executemany("insert or ignore into propagation_bands (key, state_id) values (?, ?)", new)
        last = rows[-1][0]


@migrations()
def m020_propagation_24_bands(db: Database) -> None:
    # The LSH index at 24 bands of 3 values, not 32: the first 24 keys of an article are those
    # m019 wrote, so its last 8 are computed again from its stored MinHash and taken out. Every
    # placed row has a signature since m019 (one without was placed again, by 32 or 24 bands).
    last = 0
    while True:
        rows = db.execute(
            "select id, signature from propagation_state where id > ? and indexed = 1"
            " and signature is not null order by id limit 5000",
            [last],
        ).fetchall()
        if not rows:
            return
        gone = sorted(
            (key, state_id)
            for state_id, signature in rows
            for key in _band_keys_of_m019(signature, range(24, 32))
        )
        db.conn.executemany("delete from propagation_bands where key = ? and state_id = ?", gone)
        last = rows[-1][0]


def _band_keys_of_m019(signature: bytes, bands: range) -> list[int]:
    """Band keys of a stored MinHash as band_keys computed them at m019 (frozen here: a migration
    must not change with the code it migrates to), for the bands numbered ``bands``."""
    import hashlib

    import numpy as np

    raw = np.frombuffer(signature, dtype=np.uint32).astype(np.uint64).tobytes()
    return [
        int.from_bytes(
            hashlib.blake2b(raw[i * 24 : (i + 1) * 24], digest_size=8, person=b"band%04d" % i).digest(),
            "big",
            signed=True,
        )
        for i in bands
    ]


@migrations()
def m021_propagation_figures_and_hosts(db: Database) -> None:
    # Near-duplicates must now agree on their figures (archive/propagation_text.py: FIGURES_KEPT),
    # and a body only contained in others joins one host's cluster, not all of them
    # (archive/propagation_clusters.py). Every article holding a near-duplicate link is placed
    # again by the next placement step (its record hash cleared, as m019 did), which makes its
    # links and cluster by today's rules; the figures of the other placed articles are computed
    # from their text when a placement first needs them. A member's core (the leader of its
    # group of similar bodies) is kept, so that a copy joining a core does not read its cluster.
    db.execute("alter table propagation_state add column figures blob")
    db.execute("alter table text_cluster_members add column core text")
    db.execute(
        """
        update propagation_state set record_hash = null where url in (
          select url_a from text_links where kind = 'near-duplicate'
          union select url_b from text_links where kind = 'near-duplicate')
        """
    )
