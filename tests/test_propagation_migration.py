"""m018 to m021: an archive placed under an older index or older rules migrates to what it would hold now."""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
from sqlite_utils import Database

from archive import store
from archive.migrations import migrations
from archive.propagation import pending, propagate
from archive.propagation_text import BANDS
from replica.propagation import archive_corpus, generate
from tests.test_propagation import snapshot

STATE = "url, record_hash, syllables, indexed, placed_at, signature, shingles, hashes"
DERIVED = ("text_links", "text_clusters", "text_cluster_members", "propagation_paragraphs")
INDEX = (
    f"select id, {STATE} from propagation_state order by id",
    "select key, state_id from propagation_bands order by key, state_id",
)


def _placed_half(tmp_path):
    corpus = generate(240, seed=7)
    urls = [a.url for a in corpus.articles]
    today = store.open_db(tmp_path / "today.db")
    archive_corpus(today, corpus)
    propagate(today, urls[: len(urls) // 2])
    ids = today.execute("select id from propagation_state order by id").fetchall()
    assert [i for (i,) in ids] == list(range(1, len(ids) + 1))
    return corpus, today


def _older(path, corpus, today, stop_before: str) -> Database:
    """An archive of the schema before ``stop_before``, holding today's placements."""
    older = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(older, stop_before=stop_before)
    archive_corpus(older, corpus)
    with older.conn:
        for table in DERIVED:  # the columns the older schema has
            columns = ", ".join(c.name for c in older[table].columns)
            rows = today.execute(f"select {columns} from {table}").fetchall()
            older.conn.executemany(
                f"insert into {table} ({columns}) values ({', '.join('?' * len(rows[0]))})", rows
            )
    return older


def _migrated(path) -> Database:
    """The archive at ``path`` migrated up to m021, which places every near-duplicate again (tested below)."""
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(db, stop_before="m021_propagation_figures_and_hosts")
    return db


def _keys_42(signature: bytes) -> list[int]:
    """Band keys as 42 bands of 3 values made them (datasketch's choice for a threshold of 0.25)."""
    raw = np.frombuffer(signature, dtype=np.uint32).astype(np.uint64).tobytes()
    return [
        int.from_bytes(
            hashlib.blake2b(raw[i * 24 : (i + 1) * 24], digest_size=8, person=b"band%04d" % i).digest(),
            "big",
            signed=True,
        )
        for i in range(42)
    ]


def test_an_archive_placed_before_m018_migrates_to_todays_index_and_places_the_rest_alike(tmp_path):
    """m017 held states in placement order and bands by url."""
    corpus, today = _placed_half(tmp_path)
    older = _older(tmp_path / "older.db", corpus, today, "m018_propagation_band_ids")
    states = today.execute(f"select {STATE}, id from propagation_state order by id").fetchall()
    with older.conn:
        older.conn.executemany(
            f"insert into propagation_state ({STATE}) values ({', '.join('?' * 8)})", [s[:8] for s in states]
        )
        older.conn.executemany(
            "insert into propagation_bands (key, url) values (?, ?)",
            [(key, s[0]) for s in states if s[5] for key in _keys_42(s[5])],
        )
    older.conn.close()

    migrated = _migrated(tmp_path / "older.db")
    for sql in INDEX:
        assert migrated.execute(sql).fetchall() == today.execute(sql).fetchall()
    assert migrated.execute("pragma integrity_check").fetchone() == ("ok",)
    migrated.conn.close()
    migrated = store.open_db(tmp_path / "older.db")
    propagate(today)
    propagate(migrated)
    assert snapshot(migrated) == snapshot(today)
    assert snapshot(today)["clusters"], "nothing clustered: the corpus tests nothing"


def test_an_index_of_42_bands_migrates_to_todays_and_a_row_without_a_signature_is_placed_again(tmp_path):
    corpus, today = _placed_half(tmp_path)
    older = _older(tmp_path / "older.db", corpus, today, "m019_propagation_32_bands")
    states = today.execute(f"select id, {STATE} from propagation_state order by id").fetchall()
    unsigned = next(s[1] for s in states if s[4] == 1)  # placed before m014 kept signatures
    with older.conn:
        older.conn.executemany(
            f"insert into propagation_state (id, {STATE}) values ({', '.join('?' * 9)})", states
        )
        older.conn.executemany(
            "insert into propagation_bands (key, state_id) values (?, ?)",
            [(key, s[0]) for s in states if s[6] for key in _keys_42(s[6])],
        )
        older.conn.execute("update propagation_state set signature = null where url = ?", [unsigned])
    older.conn.close()

    migrated = store.open_db(tmp_path / "older.db")
    signed = "select key, state_id from propagation_bands where state_id != ? order by key, state_id"
    unsigned_id = migrated.execute("select id from propagation_state where url = ?", [unsigned]).fetchone()[0]
    assert (
        migrated.execute(signed, [unsigned_id]).fetchall() == today.execute(signed, [unsigned_id]).fetchall()
    )
    assert unsigned in pending(migrated) and unsigned not in pending(today)
    propagate(today)
    propagate(migrated)
    assert snapshot(migrated) == snapshot(today)
    keys_of = "select count(*) from propagation_bands b join propagation_state s on s.id = b.state_id where s.url = ?"
    assert migrated.execute(keys_of, [unsigned]).fetchone()[0] == BANDS  # placed again: today's keys only


def test_an_index_of_32_bands_migrates_to_24(tmp_path):
    """m020 keeps an article's first 24 keys (m019 wrote them as today's code does) and takes out the rest."""
    corpus, today = _placed_half(tmp_path)
    older = _older(tmp_path / "older.db", corpus, today, "m020_propagation_24_bands")
    states = today.execute(f"select id, {STATE} from propagation_state order by id").fetchall()
    with older.conn:
        older.conn.executemany(
            f"insert into propagation_state (id, {STATE}) values ({', '.join('?' * 9)})", states
        )
        older.conn.executemany(
            "insert into propagation_bands (key, state_id) values (?, ?)",
            [(key, s[0]) for s in states if s[6] for key in _keys_42(s[6])[:32]],
        )
    assert older.execute("select count(*) from propagation_bands").fetchone()[0] > BANDS * len(states)
    older.conn.close()

    migrated = _migrated(tmp_path / "older.db")
    for sql in INDEX:
        assert migrated.execute(sql).fetchall() == today.execute(sql).fetchall()
    migrated.conn.close()
    migrated = store.open_db(tmp_path / "older.db")
    propagate(today)
    propagate(migrated)
    assert snapshot(migrated) == snapshot(today)


def test_near_duplicates_made_by_older_rules_are_made_again_by_todays(tmp_path):
    """m021: figures must agree and a contained body joins one host: the older rules linked and
    clustered more, so every article holding a near-duplicate link is placed again."""
    corpus, today = _placed_half(tmp_path)
    propagate(today)
    older = _older(tmp_path / "older.db", corpus, today, "m021_propagation_figures_and_hosts")
    clusters = [c for (c,) in today.execute("select id from text_clusters order by id")]
    a, b = (
        today.execute(
            "select url from text_cluster_members where cluster_id = ? order by url", [c]
        ).fetchone()[0]
        for c in clusters[:2]
    )
    with older.conn:
        older.conn.executemany(
            f"insert into propagation_state (id, {STATE}) values ({', '.join('?' * 9)})",
            today.execute(f"select id, {STATE} from propagation_state").fetchall(),
        )
        older.conn.executemany(
            "insert into propagation_bands (key, state_id) values (?, ?)",
            today.execute("select key, state_id from propagation_bands").fetchall(),
        )
        # what an older rule also held: a link today's refuses, and one cluster of two
        older.conn.execute(
            "insert or replace into text_links values (?, ?, 'near-duplicate', 0.5, 0.8, 0, 0.0, 0.0)",
            sorted((a, b)),
        )
        older.conn.execute(
            "update text_cluster_members set cluster_id = ? where cluster_id = ?", [clusters[0], clusters[1]]
        )
        older.conn.execute("delete from text_clusters where id = ?", [clusters[1]])
    older.conn.close()

    migrated = store.open_db(tmp_path / "older.db")
    linked = {
        u
        for row in today.execute("select url_a, url_b from text_links where kind = 'near-duplicate'")
        for u in row
    }
    assert set(pending(migrated)) == linked | {a, b}
    assert pending(today) == []
    propagate(migrated)
    assert snapshot(migrated) == snapshot(today)
