"""Placement on stored shingle hashes: the same MinHash and the same measures as on the shingles,
and archives placed before the hashes were kept give the same links and clusters."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32

from archive import store
from archive.propagation import place, propagate
from archive.propagation_text import (
    NUM_PERM,
    SEED,
    body_hashes,
    body_shingles,
    containment,
    jaccard,
    minhash,
    shingles,
    syllables,
    word_hashes,
)
from replica.propagation import archive_corpus, generate
from tests.test_propagation import snapshot


@pytest.fixture(scope="module")
def corpus():
    return generate(90, seed=5)


def test_the_minhash_of_the_hashes_is_datasketchs_over_the_joined_shingles(corpus):
    """Band keys and signatures stored by earlier versions stay valid: the MinHash fed stored
    hashes is, value for value, datasketch's default MinHash fed the shingles' bytes."""
    for article in corpus.articles[:20]:
        shingles = body_shingles(article.text)
        reference = MinHash(num_perm=NUM_PERM, seed=SEED)
        reference.update_batch([" ".join(s).encode() for s in shingles])
        assert (minhash(body_hashes(article.text)).hashvalues == reference.hashvalues).all()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "một",
        "Hội nghị Trung ương",  # fewer syllables than a shingle: the whole text is one
        "đúng năm âm tiết này",
        "Đồng chí Tổng Bí thư phát biểu chỉ đạo hội nghị, nhấn mạnh: đổi mới là yêu cầu tất yếu.",
        "a b c d e a b c d e a b c d e",  # repeated shingles count once
    ],
)
def test_word_hashes_are_sha1_hash32_of_each_joined_shingle(text):
    """The values stored for every placed article are datasketch's hashes of the shingles'
    bytes, whatever the syllables' encoded length (stored values and band keys must not move)."""
    words = syllables(text)
    expected = np.unique(
        np.array([sha1_hash32(" ".join(s).encode()) for s in shingles(words)], dtype=np.uint32)
    )
    assert word_hashes(words).tolist() == expected.tolist()


def test_word_hashes_of_the_corpus_are_sha1_hash32_of_its_shingles(corpus):
    for article in corpus.articles:
        words = syllables(article.text)
        expected = sorted({sha1_hash32(" ".join(s).encode()) for s in shingles(words)})
        assert word_hashes(words).tolist() == expected


def test_similarities_on_hashes_are_those_on_the_shingles(corpus):
    sets = [body_shingles(a.text) for a in corpus.articles]
    hashes = [body_hashes(a.text) for a in corpus.articles]
    assert all(h.size == len(s) for h, s in zip(hashes, sets, strict=True))
    near = 0
    for i, k in itertools.combinations(range(len(sets)), 2):
        inter = len(sets[i] & sets[k])
        exact_j = inter / (len(sets[i]) + len(sets[k]) - inter)
        exact_c = inter / min(len(sets[i]), len(sets[k]))
        assert jaccard(hashes[i], hashes[k]) == exact_j, (i, k)
        assert containment(hashes[i], hashes[k]) == exact_c, (i, k)
        near += exact_j >= 0.5
    assert near >= 20, "the corpus has near-identical pairs to compare"
    empty = body_hashes("")
    assert jaccard(empty, hashes[0]) == containment(hashes[0], empty) == 0.0


def test_rows_placed_before_hashes_were_kept_are_read_from_their_texts_once(tmp_path, corpus):
    """An archive placed by an earlier version (no stored hashes): placing new articles gives
    the links and clusters of an archive placed now, and the hashes it needed are stored."""
    urls = [a.url for a in corpus.articles]
    now = store.open_db(tmp_path / "now.db")
    archive_corpus(now, corpus)
    propagate(now)
    older = store.open_db(tmp_path / "older.db")
    archive_corpus(older, corpus)
    propagate(older, urls[:60])
    older.execute("update propagation_state set hashes = null")
    for url in urls[60:]:
        place(older, url)
    assert snapshot(older) == snapshot(now)
    assert snapshot(now)["links"], "the last articles link to earlier ones"
    stored = dict(older.execute("select url, hashes from propagation_state where indexed = 1").fetchall())
    filled = [u for u in urls[:60] if stored.get(u) is not None]
    assert filled, "no earlier row was read as a candidate"
    for url in filled:
        text = older.execute("select text_fold from articles where url = ?", [url]).fetchone()[0]
        assert stored[url] == body_hashes(text, folded=True).tobytes()
