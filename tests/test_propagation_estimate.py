"""The signature filter of a placement: estimates that follow the exact measures, a filter that
skips texts that share only a topic, and articles placed before signatures existed still found."""

from __future__ import annotations

import pytest

from archive import store
from archive.propagation import NEAR_CONTAINMENT, NEAR_JACCARD, may_be_near, place, propagate
from archive.propagation_text import (
    body_hashes,
    containment,
    estimate_many,
    jaccard,
    jaccard_needed,
    minhash,
    signature,
)
from replica.propagation import archive_corpus, generate
from tests.test_propagation import snapshot


@pytest.fixture(scope="module")
def corpus():
    return generate(120, seed=9)


def test_the_filter_keeps_every_near_pair_and_skips_most_unrelated_ones(corpus):
    """Recall first: every pair the exact rule calls near-identical passes the estimate's filter,
    unequal bodies (a shortened copy) included; and the filter is worth having: most pairs of
    unrelated texts do not pass."""
    sets = [body_hashes(a.text) for a in corpus.articles]
    sigs = [signature(minhash(s)) for s in sets]
    near = kept_near = unequal = unrelated = kept_unrelated = 0
    for i in range(len(sets)):
        kept = may_be_near(sigs[i], len(sets[i]), sigs[i + 1 :], [len(s) for s in sets[i + 1 :]])
        for k, ok in enumerate(kept, i + 1):
            j, c = jaccard(sets[i], sets[k]), containment(sets[i], sets[k])
            if j >= NEAR_JACCARD or c >= NEAR_CONTAINMENT:
                near, kept_near = near + 1, kept_near + ok
                unequal += j < NEAR_JACCARD
            elif j < 0.1 and c < 0.2:
                unrelated, kept_unrelated = unrelated + 1, kept_unrelated + ok
    assert near >= 50 and kept_near == near
    assert unequal >= 10, "no pair is near by containment alone: the corpus tests half the rule"
    assert unrelated >= 1000 and kept_unrelated <= unrelated // 100


def test_the_estimate_is_datasketchs_and_the_similarity_needed_is_where_a_rule_is_met(corpus):
    """One against many gives, to the bit, datasketch's pairwise estimate (empty bodies
    included); and the similarity needed is exactly where two bodies of those sizes meet a rule."""
    sets = [body_hashes(a.text) for a in corpus.articles[:60]] + [body_hashes("")]
    hashes = [minhash(s) for s in sets]
    sigs = [signature(m) for m in hashes]
    for i in (0, 7, len(sets) - 1):
        j = estimate_many(sigs[i], sigs)
        assert j.tolist() == [hashes[i].jaccard(m) for m in hashes], i
    assert estimate_many(sigs[0], []).size == 0
    for a, b in ((100, 100), (100, 250), (40, 2000), (2000, 40)):
        needed = jaccard_needed(a, [b], NEAR_JACCARD, NEAR_CONTAINMENT)[0]
        for shared in range(0, min(a, b) + 1):
            exact = shared / (a + b - shared)
            meets = exact >= NEAR_JACCARD or shared / min(a, b) >= NEAR_CONTAINMENT
            assert meets == (exact >= needed - 1e-12), (a, b, shared)
    assert jaccard_needed(100, [0], NEAR_JACCARD, NEAR_CONTAINMENT).tolist() == [NEAR_JACCARD]


def test_without_signatures_every_candidate_is_read_and_the_result_is_the_same(tmp_path, corpus):
    """Rows placed before signatures existed (null) are verified on their texts, as before."""
    with_sigs = store.open_db(tmp_path / "a.db")
    archive_corpus(with_sigs, corpus)
    propagate(with_sigs)
    without = store.open_db(tmp_path / "b.db")
    archive_corpus(without, corpus)
    urls = [a.url for a in corpus.articles]
    for url in urls:
        place(without, url)
        without.execute("update propagation_state set signature = null, shingles = null where url = ?", [url])
    assert without.execute(
        "select count(*) from propagation_state where signature is not null"
    ).fetchone() == (0,)
    assert snapshot(without) == snapshot(with_sigs)
    assert snapshot(with_sigs)["clusters"], "the corpus has republications"


def test_a_band_key_held_by_many_articles_hands_over_only_the_first_ones(tmp_path, corpus, monkeypatch):
    """A text republished by more portals than the bounds (here 2): from the fourth copy on,
    every band key and paragraph of it is "common" (paragraphs that common are not read at
    all), and a copy sees only the first two articles of each key; one verified link suffices,
    so every copy still joins the one cluster, first publisher first."""
    import dataclasses

    import archive.propagation as propagation
    from replica.propagation import Corpus

    monkeypatch.setattr(propagation, "COMMON_BAND", 2)
    monkeypatch.setattr(propagation, "COMMON_PARAGRAPH", 2)
    original = max(corpus.articles, key=lambda a: len(a.text))
    copies = [
        dataclasses.replace(original, url=f"https://bao-{i:02d}.example/tin/ban-sao-{i}", site=f"bao-{i:02d}")
        for i in range(6)
    ]
    db = store.open_db(tmp_path / "a.db")
    archive_corpus(db, Corpus(articles=[original, *copies]))
    read: list[str] = []
    db.conn.set_trace_callback(read.append)
    propagate(db)
    db.conn.set_trace_callback(None)
    assert any("order by state_id limit" in sql for sql in read), (
        "no key was common: the bound was never used"
    )
    members = db.execute("select url from text_cluster_members order by position").fetchall()
    assert [m[0] for m in members] == [original.url] + [c.url for c in copies]
