"""m018: an archive placed before band rows held placement ids migrates to the index it would have now."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from archive import store
from archive.migrations import migrations
from archive.propagation import propagate
from replica.propagation import archive_corpus, generate
from tests.test_propagation import snapshot

STATE = "url, record_hash, syllables, indexed, placed_at, signature, shingles, hashes"
DERIVED = ("text_links", "text_clusters", "text_cluster_members", "propagation_paragraphs")


def test_an_archive_placed_before_m018_migrates_to_todays_index_and_places_the_rest_alike(tmp_path):
    corpus = generate(240, seed=7)
    urls = [a.url for a in corpus.articles]
    half = len(urls) // 2
    today = store.open_db(tmp_path / "today.db")
    archive_corpus(today, corpus)
    propagate(today, urls[:half])
    ids = today.execute("select id, url from propagation_state order by id").fetchall()
    assert [i for i, _ in ids] == list(range(1, len(ids) + 1))

    # The same placements as m017 held them: states in placement order, bands by url.
    older = Database(sqlite3.connect(tmp_path / "older.db", isolation_level=None))
    migrations.apply(older, stop_before="m018_propagation_band_ids")
    archive_corpus(older, corpus)
    with older.conn:
        older.conn.executemany(
            f"insert into propagation_state ({STATE}) values ({', '.join('?' * 8)})",
            today.execute(f"select {STATE} from propagation_state order by id").fetchall(),
        )
        older.conn.executemany(
            "insert into propagation_bands (key, url) values (?, ?)",
            today.execute(
                "select b.key, s.url from propagation_bands b join propagation_state s on s.id = b.state_id"
                " order by b.state_id, b.key"
            ).fetchall(),
        )
        for table in DERIVED:
            rows = today.execute(f"select * from {table}").fetchall()
            older.conn.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)
    older.conn.close()

    migrated = store.open_db(tmp_path / "older.db")
    for sql in (
        f"select id, {STATE} from propagation_state order by id",
        "select key, state_id from propagation_bands order by key, state_id",
    ):
        assert migrated.execute(sql).fetchall() == today.execute(sql).fetchall()
    assert migrated.execute("pragma integrity_check").fetchone() == ("ok",)
    propagate(today)
    propagate(migrated)
    assert snapshot(migrated) == snapshot(today)
    assert snapshot(today)["clusters"], "nothing clustered: the corpus tests nothing"
