"""Propagation: the same text across the apparatus, found one article at a time.

A message appears on one central organ and is republished, shortened or lightly rewritten by
other portals, often days later and often without naming its source. Each archived article is
*placed* once per distinct record (``vnarchive propagate`` after each run, or :func:`place`):
its body's MinHash band keys and paragraph digests go into tables of the archive, candidates
are the articles sharing a key or a paragraph (index look-ups, never a scan), and every
candidate pair is verified exactly on the folded texts. A placement writes only what concerns
its article, so a new process adds an article without reading the others, and placing the
articles one by one or in one batch gives the same links and clusters.

These tables are derived data: they are rebuilt from ``articles`` by placing it again, which is
why they are written here and not by archive/store.py (the writer of what was crawled).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlite_utils import Database

from archive.propagation_clusters import placed, recluster
from archive.propagation_state import stored_bodies
from archive.propagation_text import (
    BODY_MIN,
    NEAR_CONTAINMENT,
    NEAR_JACCARD,
    NUM_PERM,
    REUSE_MIN,
    band_keys,
    common,
    estimate_many,
    figures,
    figures_agree,
    jaccard_needed,
    minhash,
    paragraph_digests,
    signature,
    syllables,
    word_hashes,
)
from archive.store import utcnow, write_transaction

#: A paragraph printed in more articles than this is house boilerplate, not reuse.
COMMON_PARAGRAPH = 50
#: A MinHash band key held by more articles than this is a topic's vocabulary more often than a
#: text: only the first this many articles placed with it are candidates. A copy of a cluster
#: that large still finds its members (one verified link joins the cluster), and a copy shares
#: rarer keys with its original besides; without the bound, each placement read every article
#: of the topic, and adding one grew with the archive.
COMMON_BAND = 20
#: A candidate found by a MinHash band alone is read and verified only when its MinHash could
#: come from a near-identical pair: the estimated Jaccard similarity reaches, less this many
#: standard errors of the estimate, the similarity at which these two bodies would meet a rule
#: above. Unequal bodies meet the containment rule at a similarity far below NEAR_JACCARD,
#: where a fixed threshold either lost them or verified a topic's equal neighbours by the dozen.
ESTIMATE_MARGIN = 3.0
#: How long a batch step holds the write lock before it commits: long enough that commits are a
#: small part of placing, short enough that a crawl's writers (the Scrapy thread's record_page)
#: never wait long for it.
PLACE_BATCH_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class Body:
    """What placement needs of one article body: its shingle hashes and its paragraph digests."""

    url: str
    hashes: np.ndarray  # propagation_text.word_hashes
    paragraphs: dict[int, int]  # digest -> syllables
    syllables: int
    figures: np.ndarray  # propagation_text.figures


def _digests(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Syllables per paragraph digest (a paragraph printed twice counts twice)."""
    digests: dict[int, int] = {}
    for digest, length in rows:
        digests[digest] = digests.get(digest, 0) + length
    return digests


def body_of(url: str, text_fold: str | None, paragraphs: list[tuple[int, int, int]]) -> Body:
    """The body of an article from its folded text and its ``paragraph_digests``."""
    words = syllables(text_fold, folded=True)
    digests = _digests((digest, length) for _, digest, length in paragraphs)
    return Body(url, word_hashes(words), digests, len(words), figures(words))


def compare(a: Body, b: Body) -> dict[str, Any] | None:
    """The link between two bodies (``a.url < b.url``), or None when they share too little.

    "near-duplicate": Jaccard >= NEAR_JACCARD or containment >= NEAR_CONTAINMENT, their figures
    agreeing (``figures_agree``). "reuse": at
    least REUSE_MIN syllables of whole paragraphs in common; ``share_a`` / ``share_b`` say how much of each body
    (in syllables) is in shared paragraphs.
    """
    n = common(a.hashes, b.hashes)
    j = n / (a.hashes.size + b.hashes.size - n) if a.hashes.size and b.hashes.size else 0.0
    c = n / min(a.hashes.size, b.hashes.size) if a.hashes.size and b.hashes.size else 0.0
    shared = a.paragraphs.keys() & b.paragraphs.keys()
    if (j >= NEAR_JACCARD or c >= NEAR_CONTAINMENT) and figures_agree(a.figures, b.figures):
        kind = "near-duplicate"
    elif sum(a.paragraphs[d] for d in shared) >= REUSE_MIN:
        kind = "reuse"
    else:
        return None
    return {
        "url_a": a.url,
        "url_b": b.url,
        "kind": kind,
        "jaccard": round(j, 4),
        "containment": round(c, 4),
        "shared_paragraphs": len(shared),
        "share_a": round(sum(a.paragraphs[d] for d in shared) / a.syllables, 4) if a.syllables else 0.0,
        "share_b": round(sum(b.paragraphs[d] for d in shared) / b.syllables, 4) if b.syllables else 0.0,
    }


def _marks(n: int) -> str:
    return ", ".join("?" * n)


Candidate = tuple[str, bytes | None, int | None]  # url, signature, shingles


def _band_candidates(db: Database, keys: list[int], held_by: dict[int, list[Candidate]]) -> list[Candidate]:
    """The articles sharing a MinHash band, each read with its signature (one look-up).

    ``held_by``: the first COMMON_BAND holders of common keys, as read by earlier placements of
    the same transaction. That list only grows at its end, so it stays right until an article
    leaves the index; a topic's common keys come back placement after placement.
    """
    if not keys:
        return []
    held = dict(
        db.conn.execute(
            f"select key, count(*) from propagation_bands where key in ({_marks(len(keys))}) group by key",
            keys,
        )
    )
    found: dict[str, Candidate] = {}
    for key in (k for k, n in held.items() if n > COMMON_BAND):
        if key not in held_by:
            held_by[key] = db.conn.execute(
                "select url, signature, shingles from propagation_state where id in"
                " (select state_id from propagation_bands where key = ? order by state_id limit ?)",
                (key, COMMON_BAND),
            ).fetchall()
        found.update((c[0], c) for c in held_by[key])
    rare = [k for k, n in held.items() if n <= COMMON_BAND]
    if rare:
        found.update(
            (c[0], c)
            for c in db.conn.execute(
                "select url, signature, shingles from propagation_state where id in"
                f" (select state_id from propagation_bands where key in ({_marks(len(rare))}))",
                rare,
            )
        )
    return list(found.values())


def _paragraph_candidates(db: Database, digests: list[int]) -> set[str]:
    """The articles sharing a paragraph that is not house boilerplate."""
    if not digests:
        return set()
    common_digests = {
        d
        for d, n in db.conn.execute(
            f"select digest, count(*) from propagation_paragraphs where digest in ({_marks(len(digests))}) group by digest",
            digests,
        )
        if n > COMMON_PARAGRAPH
    }
    wanted = [d for d in digests if d not in common_digests]
    if not wanted:
        return set()
    return {
        r[0]
        for r in db.conn.execute(
            f"select distinct url from propagation_paragraphs where digest in ({_marks(len(wanted))})", wanted
        )
    }


def may_be_near(sig: bytes, size: int, signatures: list[bytes], sizes: list[int]) -> list[bool]:
    """Whether each signed body may be near-identical to this one, by their MinHash signatures
    (``signature``) and shingle counts: a candidate that may not is not read."""
    j = estimate_many(sig, signatures)
    needed = jaccard_needed(size, sizes, NEAR_JACCARD, NEAR_CONTAINMENT)
    error = np.sqrt(needed * (1 - needed) / NUM_PERM)
    return (j >= needed - ESTIMATE_MARGIN * error).tolist()


def _likely(sig: bytes, size: int, candidates: list[Candidate]) -> set[str]:
    """The band candidates that may be near-identical, and those without a signature."""
    likely = {url for url, other, _ in candidates if other is None}
    signed = [c for c in candidates if c[1] is not None]
    if signed:
        passing = may_be_near(sig, size, [c[1] for c in signed], [c[2] for c in signed])
        likely.update(c[0] for c, ok in zip(signed, passing, strict=True) if ok)
    return likely


def unplace(db: Database, url: str) -> None:
    """Take an article out of the index, its links and its cluster (before placing a new version)."""
    db.execute(
        "delete from propagation_bands where state_id = (select id from propagation_state where url = ?)",
        [url],
    )
    db.execute("delete from propagation_paragraphs where url = ?", [url])
    db.execute("delete from text_links where url_a = ? or url_b = ?", [url, url])
    recluster(db, {url})  # alone now: it leaves its cluster, which may come apart
    db.execute("delete from propagation_state where url = ?", [url])


def place(db: Database, url: str, held_by: dict[int, list[Candidate]] | None = None) -> str:
    """Place the current record of ``url``: "placed", "unchanged" (already placed) or "short".

    One transaction: index keys, verified links, cluster membership are written together.
    ``held_by``: common band keys' holders read by earlier placements of the same transaction
    (:func:`propagate` keeps one per batch).
    """
    held_by = {} if held_by is None else held_by
    row = db.execute("select record_hash, text_fold from articles where url = ?", [url]).fetchone()
    if row is None:
        raise KeyError(url)
    record_hash, text_fold = row
    state = db.execute("select record_hash from propagation_state where url = ?", [url]).fetchone()
    if state is not None and state[0] == record_hash:
        return "unchanged"
    with write_transaction(db.conn):
        if state is not None:
            unplace(db, url)
            held_by.clear()  # it may have been among the first holders of a key
        paragraphs = paragraph_digests(text_fold, folded=True)
        body = body_of(url, text_fold, paragraphs)
        indexed = body.syllables >= BODY_MIN
        sig = None
        if indexed:
            m = minhash(body.hashes)
            sig, keys = signature(m), band_keys(m)
            by_paragraph = _paragraph_candidates(db, list(body.paragraphs))
            by_band = [c for c in _band_candidates(db, keys, held_by) if c[0] not in by_paragraph]
            candidates = (_likely(sig, body.hashes.size, by_band) | by_paragraph) - {url}
            links = _verify(db, body, candidates)
        # before the bands (they hold its id) and the cluster (its members are measured on their
        # stored hashes, this one's included)
        state_id = db.conn.execute(
            "insert into propagation_state"
            " (url, record_hash, syllables, indexed, placed_at, signature, shingles, hashes, figures)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                url,
                record_hash,
                body.syllables,
                int(indexed),
                utcnow(),
                sig,
                body.hashes.size if indexed else None,
                body.hashes.tobytes() if indexed else None,
                body.figures.tobytes() if indexed else None,
            ],
        ).lastrowid
        if indexed:
            db.conn.executemany(
                "insert into propagation_bands (key, state_id) values (?, ?)", [(k, state_id) for k in keys]
            )
            db.conn.executemany(
                "insert into propagation_paragraphs (digest, url, position, syllables) values (?, ?, ?, ?)",
                [(d, url, p, n) for p, d, n in paragraphs],
            )
            db.conn.executemany(
                "insert into text_links (url_a, url_b, kind, jaccard, containment, shared_paragraphs, share_a, share_b)"
                " values (:url_a, :url_b, :kind, :jaccard, :containment, :shared_paragraphs, :share_a, :share_b)",
                links,
            )
            near = {
                link["url_b"] if link["url_a"] == url else link["url_a"]: link["jaccard"]
                for link in links
                if link["kind"] == "near-duplicate"
            }
            if near:
                placed(db, url, body.hashes.size, near)
    return "placed" if indexed else "short"


def _placed_bodies(db: Database, urls: set[str]) -> Iterator[Body]:
    """The bodies of placed, indexed articles, from what their own placement stored (a candidate
    is always placed: it was found in the index)."""
    stored = stored_bodies(db, urls)
    placed = list(stored)
    for i in range(0, len(placed), 500):
        chunk = placed[i : i + 500]
        paragraphs: dict[str, list[tuple[int, int]]] = {}
        for url, digest, length in db.conn.execute(
            f"select url, digest, syllables from propagation_paragraphs where url in ({_marks(len(chunk))})",
            chunk,
        ):
            paragraphs.setdefault(url, []).append((digest, length))
        for url in chunk:
            hashes, length, found = stored[url]
            yield Body(url, hashes, _digests(paragraphs.get(url, ())), length, found)


def _verify(db: Database, body: Body, candidates: set[str]) -> list[dict[str, Any]]:
    links = []
    for other in _placed_bodies(db, candidates):
        a, b = (body, other) if body.url < other.url else (other, body)
        link = compare(a, b)
        if link:
            links.append(link)
    return links


def pending(db: Database) -> list[str]:
    """Articles whose current record has not been placed: new ones and changed ones."""
    return [
        r[0]
        for r in db.execute(
            """
            select a.url from articles a left join propagation_state s on s.url = a.url
            where s.url is null or s.record_hash is not a.record_hash
            order by a.rowid
            """
        )
    ]


def propagate(db: Database, urls: Iterable[str] | None = None) -> dict[str, int]:
    """Place every pending article (or ``urls``); the batch step after each crawl run.

    Placements share a transaction for up to PLACE_BATCH_SECONDS: a commit (and the checkpoints
    it triggers) per article was the costliest step of a placement in a big archive. Each
    placement stays whole (a savepoint); a failure rolls back its batch, whose articles stay
    pending for the next step.
    """
    counts = {"placed": 0, "unchanged": 0, "short": 0}
    todo = pending(db) if urls is None else list(urls)
    done = 0
    while done < len(todo):
        with write_transaction(db.conn):
            began = time.monotonic()
            held_by: dict[int, list[Candidate]] = {}  # another writer may change the index between batches
            while True:  # at least one placement a batch
                counts[place(db, todo[done], held_by)] += 1
                done += 1
                if done == len(todo) or time.monotonic() - began >= PLACE_BATCH_SECONDS:
                    break
    counts["clusters"] = db.execute("select count(*) from text_clusters").fetchone()[0]
    counts["links"] = db.execute("select count(*) from text_links").fetchone()[0]
    return counts
