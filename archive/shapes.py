"""URL shapes: what a site's addresses look like, and which shapes turn out to be articles.

A portal without a hand-written profile still has regular addresses: ``/kinh-te/<slug>-110278``
is an article, ``/kinh-te?page=3`` a listing, ``/tag/<slug>`` a tag page. The crawler abstracts
each URL to its shape (slugs, numbers and ids replaced by placeholders, the extension and the
query's keys kept), counts per shape what the fetched pages turned out to be, fetches the
productive shapes first and spends only a bounded number of fetches on a shape that has never
yielded an article. The counts are kept in the archive (``url_shapes``), so the next run of the
site starts informed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from sqlite_utils import Database

from archive.store import write_transaction

#: Longest URL the crawler requests; longer ones are traps (queries that grow on every link).
MAX_URL_LENGTH = 500
#: A path segment repeated this many times is a trap (``/a/b/a/b/a/b``).
MAX_SEGMENT_REPEATS = 3
#: Shapes a run's stats and summary show, the most productive first.
SUMMARY_SHAPES = 12

_NUMBER = re.compile(r"\d+")
_HEX_ID = re.compile(r"[0-9a-f]{12,}", re.IGNORECASE)
_SLUG_ID = re.compile(r"([a-z0-9]+(?:[-_][a-z0-9]+)+?)([-_](?:post|p|i|a)?)(\d{3,})", re.IGNORECASE)


def _segment(segment: str) -> str:
    """One path segment as a placeholder pattern: ``tong-bi-thu-110278.html`` -> ``{slug}-{id}.html``."""
    stem, dot, ext = segment.rpartition(".") if "." in segment[1:] else (segment, "", "")
    ext = (dot + ext.lower()) if dot and ext.isalnum() and len(ext) <= 5 else ""
    if not ext:
        stem = segment
    if not stem:
        return ext
    if stem.isdigit():
        return "{n}" + ext
    if _HEX_ID.fullmatch(stem):
        return "{hex}" + ext
    m = _SLUG_ID.fullmatch(stem)
    if m:
        return "{slug}" + m.group(2).lower() + "{id}" + ext
    if _HEX_ID.search(stem) and "-" in stem:
        return "{slug}-{hex}" + ext
    if not stem.strip("-_"):
        return stem + ext
    if "-" in stem or "_" in stem:
        return "{slug}" + ext
    if _NUMBER.search(stem):
        return ("{id}" if len(stem) >= 8 else _NUMBER.sub("{n}", stem.lower())) + ext
    return stem.lower() + ext


@lru_cache(maxsize=4096)
def shape(url: str) -> str:
    """The URL's shape: its path with slugs, ids and numbers abstracted, and its query's keys.

    A single word stays literal where it leads to something else (``/vn/…``, ``/blogs/…``,
    ``/tag/…``): such words are how many CMSs tell articles from lists, and they are few. As
    the last segment it is abstracted, since it then names one page of its kind (a tag).
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shaped = [_segment(s) for s in segments]
    if shaped and shaped[-1].isalpha():
        shaped[-1] = "{w}"  # the last word names a page of its kind (a tag, a section)
    # Keys, not values; numbered keys as one (a query that grows a parameter on every link).
    keys = sorted({_NUMBER.sub("{n}", k.lower()) for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/" + "/".join(shaped) + (("?" + "&".join(keys)) if keys else "")


def trap_reason(url: str) -> str | None:
    """Why a URL is a crawler trap (too long, a path that repeats itself), or None."""
    if len(url) > MAX_URL_LENGTH:
        return "url-too-long"
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and max(segments.count(s) for s in set(segments)) >= MAX_SEGMENT_REPEATS:
        return "repeated-segment"
    return None


@dataclass
class ShapeCount:
    articles: int = 0
    others: int = 0
    #: Of the others, pages that led to articles not met before (listings worth fetching).
    leads: int = 0
    #: Fetches of this shape requested in this run and not judged yet.
    pending: int = 0
    example: str = ""


class ShapeBook:
    """The shapes of one site: counts from earlier runs, updated as this run's pages are judged.

    ``probe_budget`` bounds how many pages of a shape that has never yielded an article are
    fetched in all (requested and judged), so a tag cloud or a calendar costs a few fetches,
    not thousands.
    """

    def __init__(self, site: str, probe_budget: int = 5) -> None:
        self.site = site
        self.probe_budget = probe_budget
        self.counts: dict[str, ShapeCount] = {}
        self.refused = 0

    def count(self, url: str) -> ShapeCount:
        key = shape(url)
        found = self.counts.get(key)
        if found is None:
            found = self.counts[key] = ShapeCount(example=url)
        return found

    def productive(self, url: str) -> bool:
        """Pages of this shape have been articles (more often than not, or often)."""
        c = self.counts.get(shape(url))
        return c is not None and c.articles > 0 and c.articles >= c.others / 4

    def barren(self, url: str) -> bool:
        """Pages of this shape have never been articles nor led to any, however many were judged."""
        c = self.counts.get(shape(url))
        return c is not None and c.articles == 0 and c.leads == 0 and c.others > 0

    def allow_probe(self, url: str) -> bool:
        """Whether one more page of an unproven shape may be fetched; counts it if so."""
        c = self.count(url)
        if c.articles > 0 or c.leads > 0:
            c.pending += 1
            return True
        if c.others + c.pending >= self.probe_budget:
            self.refused += 1
            return False
        c.pending += 1
        return True

    def judged(self, url: str, is_article: bool, *, requested: bool = True, lead: bool = False) -> None:
        """A fetched page of this shape turned out to be an article, or not (``lead``: it led to articles)."""
        c = self.count(url)
        if requested and c.pending:
            c.pending -= 1
        if is_article:
            c.articles += 1
        else:
            c.others += 1
            c.leads += lead

    def table(self) -> list[dict[str, object]]:
        """The shapes, most articles first, as the run summary and the archive show them."""
        rows = [
            {"shape": k, "articles": c.articles, "others": c.others, "leads": c.leads, "example": c.example}
            for k, c in self.counts.items()
            if c.articles or c.others
        ]
        return sorted(rows, key=lambda r: (-r["articles"], -r["others"], r["shape"]))


def load(db: Database, site: str, probe_budget: int = 5) -> ShapeBook:
    """The site's shapes as earlier runs left them."""
    book = ShapeBook(site, probe_budget)
    for key, articles, others, leads, example in db.execute(
        "select shape, articles, others, leads, example from url_shapes where site = ?", [site]
    ):
        book.counts[key] = ShapeCount(
            articles=articles, others=others, leads=leads or 0, example=example or ""
        )
    return book


def save(db: Database, book: ShapeBook, at: str) -> None:
    """Write the site's shapes back (the whole counts, not this run's increments)."""
    rows: Iterable[dict[str, object]] = ({"site": book.site, **row, "last_seen": at} for row in book.table())
    with write_transaction(db.conn):
        db["url_shapes"].upsert_all(rows, pk=("site", "shape"))
