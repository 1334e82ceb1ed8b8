"""What placement keeps of each placed article, read back when it is a candidate or a cluster member.

Comparing a new article with a candidate needs the candidate's shingles. Tokenising its text
again for every placement that meets it cost most of a placement, and the more so the bigger the
archive (a topic's articles meet every new article of the topic): so each placement stores its
body's shingle hashes, and later placements read them. Rows placed before the hashes were kept
(schema step m017), or their figures (m021), have none: they are computed from the text once, on
first use, and stored then.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlite_utils import Database

from archive.propagation_text import HASH_DTYPE, figures, syllables, word_hashes

#: Rows read per statement (SQLite's limit on bound parameters is far above it).
CHUNK = 500


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def stored_hashes(db: Database, urls: Iterable[str]) -> dict[str, np.ndarray]:
    """The shingle hashes of the placed, indexed articles among ``urls`` (others are left out)."""
    return {url: hashes for url, (hashes, _, _) in stored_bodies(db, urls).items()}


def stored_bodies(db: Database, urls: Iterable[str]) -> dict[str, tuple[np.ndarray, int, np.ndarray]]:
    """(shingle hashes, syllables, figures) of the placed, indexed articles among ``urls``, in one read."""
    urls = list(urls)
    found: dict[str, tuple[np.ndarray, int, np.ndarray]] = {}
    missing: dict[str, int] = {}
    for i in range(0, len(urls), CHUNK):
        chunk = urls[i : i + CHUNK]
        for url, blob, length, numbers in db.conn.execute(
            "select url, hashes, syllables, figures from propagation_state"
            f" where indexed = 1 and url in ({_marks(len(chunk))})",
            chunk,
        ):
            if blob is None or numbers is None:
                missing[url] = length
            else:
                found[url] = (
                    np.frombuffer(blob, dtype=HASH_DTYPE),
                    length,
                    np.frombuffer(numbers, dtype=HASH_DTYPE),
                )
    if missing:
        found.update(
            (url, (hashes, missing[url], numbers))
            for url, (hashes, numbers) in _backfill(db, list(missing)).items()
        )
    return found


def _backfill(db: Database, urls: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Hashes and figures of rows placed before they were kept: from the article's text, stored for next time.

    The current text, as verification read it before they were kept: an article whose text
    changed since it was placed is pending, and its next placement replaces the row.
    """
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i in range(0, len(urls), CHUNK):
        chunk = urls[i : i + CHUNK]
        for url, text_fold in db.conn.execute(
            f"select url, text_fold from articles where url in ({_marks(len(chunk))})", chunk
        ).fetchall():
            words = syllables(text_fold, folded=True)
            found[url] = (word_hashes(words), figures(words))
    db.conn.executemany(
        "update propagation_state set hashes = ?, figures = ? where url = ?",
        [(hashes.tobytes(), numbers.tobytes(), url) for url, (hashes, numbers) in found.items()],
    )
    return found
