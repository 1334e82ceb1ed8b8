"""When it was published: JSON-LD, meta, embedded JSON, the article's own date line, the URL, htmldate.

Never the site header's "today", a date in "Các tin khác" or a teaser list, a caption's date, or
a date in the future. Of the sources found, the first with a time of day wins; else the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from lxml.etree import _Element

from archive.dates import ParsedDate, local_day, parse_iso, parse_vn_date, split_updated
from archive.extract import patterns as P
from archive.extract.bridge import htmldate_markup
from archive.extract.dom import Block, has_ancestor, in_chrome, text_of
from archive.extract.nextdata import NextArticle, epoch_to_iso
from archive.extract.page import PageIndex, Related, Title, is_caption_el
from archive.extract.teasers import headline_line
from archive.vntext import clean_line


@dataclass(frozen=True)
class Dated:
    """A parsed date and where it was found ("jsonld", "meta", "dateline", ...)."""

    parsed: ParsedDate
    source: str


@dataclass(frozen=True)
class Dating:
    """The publish date chosen (None when nothing dates the page) and the modified date."""

    published: Dated | None
    modified: ParsedDate | None


def find_dates(page: PageIndex, title: Title, related: Related, nxt: NextArticle | None) -> Dating:
    """The publish date and, when it is not earlier, the modification date."""
    modified: ParsedDate | None = None
    found: list[Dated] = []
    if page.ld_article:
        for key_, store in (("datePublished", "published"), ("dateModified", "modified")):
            raw = page.ld_article.get(key_)
            if isinstance(raw, str):
                p = _iso(page, raw)
                if p and store == "published":
                    found.append(Dated(p, "jsonld"))
                elif p and modified is None:
                    modified = p
    raw = page.meta(*P.PUBLISHED_META)
    p = _iso(page, raw) if raw else None
    if p:
        found.append(Dated(p, "meta"))
    raw_mod = page.meta(*P.MODIFIED_META)
    if raw_mod and modified is None:
        modified = _iso(page, raw_mod)
    if nxt and nxt.published_raw:
        raw_n = epoch_to_iso(nxt.published_raw) or nxt.published_raw
        p = _iso(page, raw_n)
        if p:
            found.append(Dated(ParsedDate(p.value, p.has_time, nxt.published_raw), "nextdata"))
        if nxt.modified_raw and modified is None:
            modified = _iso(page, epoch_to_iso(nxt.modified_raw) or nxt.modified_raw)
    line, line_modified = find_dateline(page, title, related)
    if line:
        found.append(line)
    if line_modified and modified is None:
        modified = line_modified
    url_date = _url_date(page)
    if url_date:
        found.append(url_date)
    timed = [d for d in found if d.parsed.has_time]
    chosen = timed[0] if timed else (found[0] if found else None)
    if chosen is None:
        chosen = _htmldate(page)
    if chosen is None:
        return Dating(None, None)
    if modified and modified.value >= chosen.parsed.value:
        return Dating(chosen, modified)
    return Dating(chosen, None)


def _iso(page: PageIndex, raw: str) -> ParsedDate | None:
    p = parse_iso(raw, tz=page.tz) or parse_vn_date(raw, tz=page.tz)
    if p and p.value <= page.now.astimezone(page.tz) + timedelta(hours=2):
        return p
    return None


def find_dateline(page: PageIndex, title: Title, related: Related) -> tuple[Dated | None, ParsedDate | None]:
    """The article's own date line: hinted, else the nearest date-bearing short block to the title."""
    for el in page.hints("date"):
        got = _date_from(page, el, text_of(el))
        if got:
            return got
    if title.block is None:
        return None, None
    t = title.block.index
    candidates: list[tuple[int, Block]] = []
    after_limit = t + 25
    for b in page.blocks[t + 1 : after_limit]:
        if page.is_end(b):
            break
        if len(b.text) > 150 and not b.times:
            if b.index > t + 3:
                after_limit = min(after_limit, b.index + 3)
            continue
        if b.index > after_limit:
            break
        candidates.append((b.index - t, b))
    links_between = 0
    for b in reversed(page.blocks[max(0, t - 12) : t]):
        if b.link_share > 0.6:
            links_between += 1
            if links_between >= 5:
                break
            continue
        candidates.append((t - b.index + 1, b))
    # Nearest first; a date with a time of day beats a bare date (a header's "today", a
    # caption's "ngày 7/5") wherever the two are.
    found: list[tuple[int, Dated, ParsedDate | None]] = []
    updated_only: ParsedDate | None = None
    for dist, b in sorted(candidates, key=lambda c: c[0]):
        if not _dateline_ok(page, title, related, b):
            continue
        got = _date_from(page, b.el, b.text, b)
        if got and got[0] is None:
            updated_only = updated_only or got[1]  # a lone "Cập nhật: ..." line
        if not got or got[0] is None:
            continue
        dated, modified = got
        if (
            b.index < t
            and not dated.parsed.has_time
            and dated.parsed.value.date() == local_day(page.now, page.tz)
        ):
            continue  # the header's "today"
        found.append((dist, dated, modified))
    found.sort(key=lambda f: (not f[1].parsed.has_time, f[0]))
    return (found[0][1], found[0][2] or updated_only) if found else (None, updated_only)


def _dateline_ok(page: PageIndex, title: Title, related: Related, b: Block) -> bool:
    """A date line is short, not a sentence, not a caption, not a teaser, not chrome."""
    if b.link_share > 0.5 or (len(b.text) > 120 and not b.times) or b.text.endswith("."):
        return False
    if is_caption_el(b.el) or has_ancestor(b.el, {"figure", "figcaption"}):
        return False
    if any(len((clean_line(a.text_content()) or "").split()) >= 6 for a in b.links):
        return False  # a teaser item: a headline link with its date
    parent = b.el.getparent()
    if (
        parent is not None
        and parent not in title.ancestors
        and any(len((clean_line(a.text_content()) or "").split()) >= 6 for a in parent.iter("a"))
    ):
        return False
    if related.holds(b.el):
        return False
    return not in_chrome(b.el, title.ancestors)


def _date_from(
    page: PageIndex, el: _Element, text: str, block: Block | None = None
) -> tuple[Dated | None, ParsedDate | None] | None:
    times = block.times if block is not None else list(el.iter("time"))
    for tm in times:
        raw = tm.get("datetime")
        if raw:
            p = _iso(page, raw)
            if p:
                return Dated(p, "time"), None
    if not text or len(text) > 200:
        return None
    published_part, modified_part = split_updated(text)
    p = parse_vn_date(published_part, tz=page.tz, now=page.now)
    m = parse_vn_date(modified_part, tz=page.tz, now=page.now) if modified_part else None
    if p is None and m is None:
        return None
    return (Dated(ParsedDate(p.value, p.has_time, text), "dateline") if p else None), m


def _url_date(page: PageIndex) -> Dated | None:
    """The profile's URL date, a VCCorp id's publication time, else a /yyyy/mm/dd/ path."""
    patterns = [page.profile.url_date_pattern] if page.profile and page.profile.url_date_pattern else []
    for pattern in [*patterns, P.VCCORP_URL_ID]:
        m = re.search(pattern, page.url)
        if m:
            g = m.groupdict()
            year = int(g["y"]) if g.get("y") else 2000 + int(g["yy"])
            raw = f"{year:04d}-{int(g['m']):02d}-{int(g['d']):02d}"
            if g.get("H"):
                raw += f"T{int(g['H']):02d}:{int(g['M']):02d}:{int(g.get('S') or 0):02d}"
            p = parse_iso(raw, tz=page.tz)
            if p and p.value <= page.now.astimezone(page.tz) + timedelta(hours=2):
                return Dated(ParsedDate(p.value, p.has_time, page.url), "url")
    m = P.GENERIC_URL_DATE.search(urlsplit(page.url).path)
    if m:
        p = parse_iso(f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}", tz=page.tz)
        if p and p.value <= page.now.astimezone(page.tz):
            return Dated(ParsedDate(p.value, False, page.url), "url")
    return None


def _teaser_days(page: PageIndex) -> set[date]:
    """The days printed beside headline links (boxes of other articles): htmldate reads them too."""
    out = set()
    for b in page.blocks:
        if headline_line(b):
            p = parse_vn_date(b.text, tz=page.tz, now=page.now)
            if p is not None:
                out.add(p.value.date())
    return out


def _htmldate(page: PageIndex) -> Dated | None:
    """htmldate on markup only (no body-text search), never a date-only "today"."""
    raw = htmldate_markup(page.root)
    if not raw:
        return None
    p = _iso(page, raw)
    if p is None or p.value.date() == local_day(page.now, page.tz):
        return None
    if p.value.date() in _teaser_days(page):
        return None  # the date of a listed article, not of this one
    has_time = not raw.endswith("T00:00:00") and "T00:00:00" not in raw
    return Dated(ParsedDate(p.value, has_time, raw), "htmldate")
