"""Propagation on a real archive: generated republications found, incrementally, the same as in one batch."""

from __future__ import annotations

import random

import pytest

from archive import propagation, store
from archive.propagation import pending, place, propagate
from replica.propagation import archive_corpus, generate, score

N = 300


@pytest.fixture(scope="module")
def corpus():
    return generate(N, seed=5)


@pytest.fixture(scope="module")
def batch_db(tmp_path_factory, corpus):
    db = store.open_db(tmp_path_factory.mktemp("prop") / "archive.db")
    archive_corpus(db, corpus)
    propagate(db)
    return db


def snapshot(db) -> dict:
    """Links and clusters as sets that do not depend on the order of placement or cluster numbers."""
    clusters = {}
    for url, cluster, position, similarity, is_first, core in db.execute(
        "select url, cluster_id, position, similarity, is_first, core from text_cluster_members"
    ):
        clusters.setdefault(cluster, set()).add((url, position, similarity, is_first, core))
    return {
        "links": set(db.execute("select * from text_links").fetchall()),
        "clusters": {frozenset(members) for members in clusters.values()},
        "firsts": set(db.execute("select first_url, members, sites, undated from text_clusters").fetchall()),
    }


def test_generated_pairs_meet_the_bar(batch_db, corpus):
    result = score(batch_db, corpus)
    assert result["pairs"] > 100 and result["reuse_pairs"] > 10
    assert result["precision"] >= 0.98 and result["recall"] >= 0.95, result
    assert result["reuse_precision"] >= 0.98 and result["reuse_recall"] >= 0.95, result


def test_first_publisher_is_the_original(batch_db, corpus):
    originals = {a.url for a in corpus.articles if a.kind == "original"}
    rows = batch_db.execute("select first_url from text_clusters").fetchall()
    assert rows and all(url in originals for (url,) in rows)


def test_rerun_places_nothing_and_changes_nothing(batch_db):
    before = snapshot(batch_db)
    assert pending(batch_db) == []
    counts = propagate(batch_db)
    assert counts["placed"] == 0 and snapshot(batch_db) == before


def test_one_by_one_in_any_order_equals_the_batch(tmp_path, batch_db, corpus):
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    archive_corpus(db, corpus)
    urls = [a.url for a in corpus.articles]
    random.Random(3).shuffle(urls)
    for i, url in enumerate(urls):
        if i % 50 == 0:  # a new process now and then: the index is read from the archive
            db.conn.close()
            db = store.open_db(path)
        place(db, url)
    assert snapshot(db) == snapshot(batch_db)


@pytest.mark.parametrize("seconds", [0.0, 3600.0])
def test_a_failed_batch_step_leaves_its_batch_pending_and_a_rerun_completes_it(
    tmp_path, monkeypatch, batch_db, corpus, seconds
):
    """Placements share a transaction for up to PLACE_BATCH_SECONDS: a failure rolls back the
    batch it happened in, never half an article, and the next batch step places what is left."""
    monkeypatch.setattr(propagation, "PLACE_BATCH_SECONDS", seconds)
    db = store.open_db(tmp_path / "archive.db")
    archive_corpus(db, corpus)
    urls = [a.url for a in corpus.articles]
    with pytest.raises(KeyError):
        propagate(db, [*urls[:100], "http://example.invalid/not-archived", *urls[100:]])
    placed = {r[0] for r in db.execute("select url from propagation_state")}
    # one placement a batch: the hundred before the failure stay; one batch: nothing stays
    assert placed == (set(urls[:100]) if seconds == 0.0 else set())
    assert set(pending(db)) == set(urls) - placed
    orphans = db.execute(
        "select count(*) from propagation_bands where state_id not in (select id from propagation_state)"
    ).fetchone()[0]
    assert orphans == 0
    propagate(db)
    assert pending(db) == [] and snapshot(db) == snapshot(batch_db)


def _store(db, url: str, text: str) -> None:
    page = {"url": url, "status": 200, "kind": "article", "body": text.encode(), "headers": {}}
    store.record_page(db, page, {"title": url, "text": text, "language": "vi"}, site=url.split("/")[2])


def test_holders_of_common_keys_kept_for_a_batch_follow_articles_that_change(tmp_path, monkeypatch, corpus):
    """A batch step reads the first holders of a common band key once per transaction; an article
    re-placed in that transaction with another text must not be seen with its old one."""
    monkeypatch.setattr(propagation, "COMMON_BAND", 1)  # a key held twice is common: its first holder only
    monkeypatch.setattr(propagation, "PLACE_BATCH_SECONDS", 3600.0)  # one transaction
    originals = [a.text for a in corpus.articles if a.kind == "original"]
    text, other = originals[0], originals[1]
    snapshots = []
    for batch in (True, False):
        db = store.open_db(tmp_path / f"archive-{batch}.db")
        _store(db, "http://x.example.vn/1", text)  # the first holder of the text's keys
        _store(db, "http://h.example.vn/1", text)  # the second
        propagate(db)
        _store(db, "http://a.example.vn/1", text)  # placed first: reads the keys' first holder, x
        _store(db, "http://x.example.vn/1", other)  # x now prints another text: h becomes first
        # must find h, not x as it was; by its band keys alone (its paragraphs are not h's)
        _store(db, "http://b.example.vn/1", text.replace("\n", " "))
        order = ["http://a.example.vn/1", "http://x.example.vn/1", "http://b.example.vn/1"]
        if batch:
            propagate(db, order)
        else:
            for url in order:
                place(db, url)
        snapshots.append(snapshot(db))
        linked = {(a, b) for a, b, *_ in snapshots[-1]["links"]}
        assert ("http://b.example.vn/1", "http://h.example.vn/1") in linked
    assert snapshots[0] == snapshots[1]
