"""One page -> one clean article record: trafilatura for the body, Vietnamese portal rules around it.

Pure: no I/O, no global state; never raises. trafilatura (``bare_extraction``) picks the main
text; the page's structure (archive.extract_dom) then decides what trafilatura cannot: which
heading is the title, which date line belongs to the article (never the header's "today",
never a date in "Các tin khác"), the sapo, the trailing byline, captions printed twice, the
breadcrumb, tags, images and the related-links graph. The text rules live in
archive.heuristics, date formats in archive.dates, byte decoding in archive.encoding, per-site
hints in archive.profiles.

Record conventions (the contract other components code against):

- every key is always present; absent values are None or empty lists, and ``flags`` says why;
- text fields are NFC with the publisher's tone placement (hóa stays hóa, hoá stays hoá);
- ``published``/``modified`` are ISO 8601 with the site's offset ("+07:00"). A source that gives
  only a day yields local midnight ("2022-09-14T00:00:00+07:00") plus the flag
  ``published-date-only``; ``published_source`` says where it came from: "jsonld", "meta",
  "nextdata", "time" (``<time datetime>`` near the title), "dateline" (the article's own date
  line), "url" (a date in the URL), "htmldate" (htmldate's markup-only search, last resort);
- ``encoding`` is the codec the bytes were read with (None when the input was already text);
- ``flags``: input ("empty", "not-html", "truncated", "extraction-error"), decoding
  ("encoding-guessed", "unknown-charset", "replacement-chars", "legacy-font-encoding": TCVN3/VNI
  font-encoded text, stored as read), content ("no-title", "no-body", "no-date",
  "published-date-only", "nextdata": read from the page's Next.js JSON) and page kind
  ("listing", "not-found": is_article() is then False).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml import html as lxml_html
from lxml.etree import ParserError, _Element
from trafilatura import bare_extraction, load_html
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_title,
)
from trafilatura.settings import DEFAULT_CONFIG, Document

from archive import heuristics as H
from archive.dates import ParsedDate, local_day, parse_iso, parse_vn_date, split_updated
from archive.encoding import decode_html, looks_font_encoded
from archive.extract_dom import (
    Block,
    absolute,
    ancestors_until,
    class_has,
    common_ancestor,
    has_ancestor,
    in_chrome,
    json_ld,
    ld_name,
    ld_types,
    meta_map,
    parse_fragment,
    text_of,
    tokens,
    walk_blocks,
)
from archive.extract_nextdata import NextArticle, epoch_to_iso, find_article, next_data
from archive.heuristics import fold
from archive.profiles import SiteProfile, profile_for_url
from archive.vntext import clean_line

EXTRACTOR_NAME = "vnarchive"
#: Bump whenever the output for the same input changes (re-extraction keys on it).
EXTRACTOR_VERSION = "3"
#: Bytes beyond this are not decoded (the record is flagged "truncated").
MAX_INPUT_BYTES = 20_000_000
#: Characters of markup parsed at most, after scripts, styles and data: URIs are dropped from
#: oversized pages; extraction time grows linearly (about 3 s per million characters).
MAX_PARSE_CHARS = 2_000_000
#: Minimum body for is_article(): a few sentences of real text.
MIN_ARTICLE_CHARS = 200

# trafilatura's defaults, with htmldate's extensive (body-text) search off: it picks header
# and related-list dates (research/vietnamese.md §5). A private copy: the global stays untouched.
_CONFIG = deepcopy(DEFAULT_CONFIG)
_CONFIG["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"
_DATE_PARAMS = {"original_date": True, "extensive_search": False}

_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)
_HTML_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/octet-stream",
)
#: Bulky parts of oversized pages: script and style openings, inline data: URIs.
_BULKY_OPEN = re.compile(r"<(script|style)\b", re.I)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]{64,}")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:»]\s+|\s*[|]\s*")
_NON_WORD = re.compile(r"[\W_]+")
_TITLEISH = re.compile(r"title|headline|tieu-?de")
_LEADISH = re.compile(
    r"sapo|sumary|summary|lead|teaser|excerpt|desc|intro|chapeau|standfirst|tomtat|tom-tat|abstract"
)
_AUTHORISH = re.compile(r"^(?:.*[-_])?(?:author|authors|byline|tac-?gia|writer)(?:[-_].*)?$")
_CATEGORYISH = re.compile(r"cate|chuyen-?muc|section|zone")
_BREADCRUMBISH = re.compile(r"breadcrumb|duong-?dan|crumbs")
_CAPTIONISH = re.compile(
    r"caption|chu-?thich|(?:image|img|photo|pic)[-_]*(?:desc|note)|desc[-_]*(?:image|img|photo|pic)|figcaption"
)
_TAGSISH = re.compile(r"^(?:.*[-_])?tags?(?:[-_].*)?$|keyword|tu-?khoa")
_ICONISH = re.compile(
    r"(?<![a-z])(?:icons?|logo|sprite|spacer|blank|pixel|loading|banner|qc|quang-?cao|ads?)(?![a-z])", re.I
)
_LIST_MARK = re.compile(r"^[-•*]\s+")
_SEPARATOR_ONLY = re.compile(r"^[\s»›>/|\\→·•\-–—]*$")
_GENERIC_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/")
_VI_ONLY = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_ORG_WORDS = re.compile(
    r"\b(?:bao|tap chi|ban tuyen giao|cong thong tin|trang tin|dang cong san|ttxvn|\w+\.vn)\b"
)
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "article.published", "dc.date.issued",
    "dcterms.created", "dc.date", "date", "sailthru.date", "parsely-pub-date", "created",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "lastmod",
    "last-modified",
    "dcterms.modified",
)


def _empty_record(url: str) -> dict:
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    profile = profile_for_url(url or "")
    return {
        "url": url,
        "canonical_url": None,
        "site": profile.name if profile else (host or None),
        "title": None,
        "lead": None,
        "text": "",
        "author": None,
        "source": None,
        "category": None,
        "tags": [],
        "images": [],
        "related": [],
        "language": None,
        "published": None,
        "published_source": None,
        "published_raw": None,
        "modified": None,
        "encoding": None,
        "flags": [],
        "extractor": EXTRACTOR_NAME,
        "extractor_version": EXTRACTOR_VERSION,
        "trafilatura_version": trafilatura.__version__,
    }


def extract(
    html: bytes | str | None,
    url: str,
    *,
    content_type: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Extract the article record of one page.

    Args:
        html: the page as fetched (bytes are decoded by archive.encoding) or as text.
        url: the page's URL (resolves relative links; selects the site profile).
        content_type: the HTTP Content-Type header, whose charset is trusted first.
        now: the reference time for rejecting future dates (default: the current time).

    Returns:
        The record (see the module docstring); on unusable input its fields are empty and
        ``flags`` says why ("empty", "not-html", "no-title", "no-body", ...).
    """
    record = _empty_record(url)
    flags: list[str] = record["flags"]
    try:
        _extract_into(record, html, url, content_type, now or datetime.now(timezone(timedelta(hours=7))))
    except Exception:  # noqa: BLE001 - the contract: a record for every input, never an exception
        flags.append("extraction-error")
    record["flags"] = list(dict.fromkeys(flags))
    return record


def is_article(record: dict) -> bool:
    """Page evidence of an article: a title and a body of real length, not a listing or an error page."""
    if not record.get("title"):
        return False
    if set(record.get("flags") or ()) & {"listing", "not-found", "not-html", "empty", "extraction-error"}:
        return False
    text = record.get("text") or ""
    return len(text) >= MIN_ARTICLE_CHARS or (len(text) >= 120 and H.count_sentences(text) >= 3)


def _strip_bulky(text: str) -> str:
    """Drop scripts, styles and data: URIs (linear time), keeping JSON-LD and __NEXT_DATA__."""
    lower = text.lower()
    out, pos = [], 0
    for m in _BULKY_OPEN.finditer(text):
        if m.start() < pos:
            continue
        close = lower.find(f"</{m.group(1).lower()}", m.end())
        end = len(text) if close < 0 else lower.find(">", close) + 1 or len(text)
        head = lower[m.start() : m.start() + 200]
        out.append(text[pos : m.start()])
        if "ld+json" in head or "__next_data__" in head:
            out.append(text[m.start() : end])
        pos = end
    out.append(text[pos:])
    return _DATA_URI.sub("data:,", "".join(out))


def _sniff_not_html(data: bytes | str, content_type: str | None) -> bool:
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime and not mime.startswith(_HTML_TYPES) and not mime.endswith("+xml"):
            return True
    head = data[:1024]
    if isinstance(head, bytes):
        if head.lstrip().startswith(_BINARY_MAGIC):
            return True
        if head.count(b"\x00") > 8 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return True
    elif head.count("\x00") > 8:
        return True
    return False


def _extract_into(
    record: dict, html: bytes | str | None, url: str, content_type: str | None, now: datetime
) -> None:
    flags: list[str] = record["flags"]
    if html is None or (isinstance(html, bytes | str) and not html.strip()):
        flags.append("empty")
        return
    if not isinstance(html, bytes | str):
        flags.append("not-html")
        return
    if _sniff_not_html(html, content_type):
        flags.append("not-html")
        return
    if len(html) > MAX_INPUT_BYTES:
        html = html[:MAX_INPUT_BYTES]
        flags.append("truncated")
    decoded = decode_html(html, content_type)
    record["encoding"] = decoded.encoding
    flags.extend(decoded.flags)
    text = _XML_DECL.sub("", decoded.text.replace("\x00", ""))
    if len(text) > MAX_PARSE_CHARS:
        text = _strip_bulky(text)
        if len(text) > MAX_PARSE_CHARS:
            text = text[:MAX_PARSE_CHARS]
            flags.append("truncated")
    if "<" not in text:
        flags.append("not-html")
        return
    try:
        # Comments and processing instructions out, as trafilatura parses: their tails stay text.
        # A parser per call: lxml parsers must not be shared between threads.
        parser = lxml_html.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
        )
        root = lxml_html.document_fromstring(text, parser=parser)
    except (ValueError, TypeError, ParserError):
        flags.append("not-html")
        return
    if root is None or not isinstance(root.tag, str):
        flags.append("not-html")
        return
    page = _Page(root, url, profile_for_url(url), now, text)
    page.fill(record)


@dataclass
class _Dated:
    parsed: ParsedDate
    source: str


@dataclass
class _Page:
    """The analysis of one parsed page; ``fill`` writes the record."""

    root: _Element
    url: str
    profile: SiteProfile | None
    now: datetime
    html_text: str
    blocks: list[Block] = field(init=False)
    metas: dict[str, list[str]] = field(init=False)
    ld: list[dict] = field(init=False)
    base: str = field(init=False)
    found_text: bool = field(init=False, default=False)
    #: What trafilatura reads: our tree, or the text when it would parse another tree from it.
    trafilatura_input: _Element | str = field(init=False, default="")
    _trafilatura_tree: _Element | None = field(init=False, default=None)
    _trafilatura_tags: Document | None = field(init=False, default=None)
    _trafilatura_meta: dict[str, str | list[str] | None] = field(init=False, default_factory=dict)
    tz: timezone = field(init=False)

    def __post_init__(self) -> None:
        self.metas = meta_map(self.root)
        self.ld = json_ld(self.root)
        base_el = self.root.find(".//base[@href]")
        self.base = absolute(base_el.get("href"), self.url) if base_el is not None else None
        self.base = self.base or self.url
        self.tz = timezone(timedelta(hours=self.profile.utc_offset_hours if self.profile else 7))
        self.blocks = walk_blocks(self.root)
        self.block_of: dict[_Element, list[Block]] = {}
        for b in self.blocks:
            self.block_of.setdefault(b.el, []).append(b)
        self.by_text: dict[str, list[Block]] = {}
        for b in self.blocks:
            self.by_text.setdefault(b.text, []).append(b)
        self.pos = {el: i for i, el in enumerate(self.root.iter())}
        self.end_ids = {b.index for b in self.blocks if len(b.text) <= 60 and H.is_end_heading(b.text)}
        total, self.content_prefix = 0, [0]
        for b in self.blocks:
            total += len(b.text) if len(b.text) >= 80 and b.link_share < 0.3 else 0
            self.content_prefix.append(total)
        self.ld_article = self._ld_article()
        self.hint_cache: dict[str, list[_Element]] = {}

    # ------------------------------------------------------------------ helpers
    def is_end(self, b: Block) -> bool:
        """Whether a block is a section heading that ends the article ("Phản hồi", "Các tin khác")."""
        return b.index in self.end_ids

    def meta(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys``."""
        for k in keys:
            for v in self.metas.get(k, ()):
                v = clean_line(v)
                if v:
                    return v
        return None

    def hints(self, name: str) -> list[_Element]:
        """Elements matched by the profile's XPath hints for ``name`` (empty without a profile)."""
        if name not in self.hint_cache:
            found: list[_Element] = []
            for xp in self.profile.hints.get(name, ()) if self.profile else ():
                try:
                    found.extend(e for e in self.root.xpath(xp) if isinstance(e, _Element))
                except lxml_html.etree.XPathError:
                    continue
            self.hint_cache[name] = found
        return self.hint_cache[name]

    def _ld_article(self) -> dict | None:
        best = None
        for obj in self.ld:
            types = ld_types(obj)
            if any(
                t.endswith(("Article", "BlogPosting", "NewsArticle")) or t == "ReportageNews" for t in types
            ):
                return obj
            if best is None and types & {"WebPage", "ItemPage"} and obj.get("datePublished"):
                best = obj
        return best

    def blocks_in(self, el: _Element) -> list[Block]:
        """Blocks whose element is ``el`` or inside it."""
        out = []
        for node in el.iter():
            out.extend(self.block_of.get(node, ()))
        return out

    def find_block(self, line: str) -> Block | None:
        """The block a text line came from (exact text, else the first block containing it)."""
        line = _LIST_MARK.sub("", line)
        found = self.by_text.get(line)
        if found:
            return found[0]
        if len(line) < 12:
            return None
        for b in self.blocks:
            if len(b.text) >= len(line) and line in b.text:
                return b
        return None

    # ------------------------------------------------------------------ fill
    def fill(self, record: dict) -> None:
        flags: list[str] = record["flags"]
        record["canonical_url"] = self.canonical()
        record["language"] = self.language()
        nxt = find_article(next_data(self.root)) if self._wants_next_data() else None

        self.title_block = self.find_title()
        doc = self.run_trafilatura()
        self.found_text = doc is not None
        title = self.title_block.text if self.title_block is not None else self.fallback_title()
        if nxt and nxt.title:
            title = nxt.title
        record["title"] = title
        self.title_text = title
        self.title_pos = self.pos.get(self.title_block.el, 0) if self.title_block is not None else None
        self.title_ancestors = (
            set(self.title_block.el.iterancestors()) if self.title_block is not None else set()
        )
        if self.title_block is not None:
            self.title_ancestors.add(self.title_block.el)

        self.related_sections = self.find_related()
        record["related"] = [link for _, links in self.related_sections for link in links]
        self.related_titles = {r["title"] for r in record["related"]}
        self.related_els = {el for els, _ in self.related_sections for el in els}

        record["category"] = self.category()
        record["tags"] = self.tags()
        crumbs = set(self.crumbs)

        lead_block = self.find_lead()
        lead = self._lead_text(lead_block) if lead_block is not None else None
        if nxt and nxt.lead:
            lead = nxt.lead
        record["lead"] = lead

        if nxt and nxt.content_html:
            lines, images = self.next_body(nxt.content_html)
            record["images"] = images
            flags.append("nextdata")
        else:
            raw_text = doc.text if doc is not None and doc.text else ""
            lines = [ln for ln in (_table_line(clean_line(x)) for x in raw_text.split("\n")) if ln]
            if sum(len(x) for x in lines) < 150:
                lines = self.dom_body_lines() or lines
            lines = [piece for line in lines for piece in self._explode(line)]
            record["images"] = self.images(lines)
        captions = {fold(i["caption"]) for i in record["images"] if i["caption"]}
        body, author, source = self.clean_body(lines, lead, captions, crumbs, record["tags"])
        record["text"] = "\n".join(body)
        record["author"] = self.author(author, nxt)
        if record["author"] and body and fold(body[-1]) == fold(record["author"]):
            body.pop()
            record["text"] = "\n".join(body)
        record["source"] = (nxt.source if nxt and nxt.source else None) or source or self.source_element()
        if nxt:
            record["category"] = nxt.category or record["category"]
            record["tags"] = nxt.tags or record["tags"]

        self.dates(record, nxt)
        if not record["title"]:
            flags.append("no-title")
        if not record["text"]:
            flags.append("no-body")
        if not record["published"]:
            flags.append("no-date")
        visible = " ".join(b.text for b in self.blocks[:400])
        if looks_font_encoded(visible, self.html_text[:200_000], vietnamese=self._vietnamese_hint(record)):
            flags.append("legacy-font-encoding")
        if self.looks_listing(body):
            # A listing's "lead", "author" and "date" belong to its first teasers, not to it.
            flags.append("listing")
            record.update(lead=None, author=None, published=None, published_source=None, published_raw=None)
            record["modified"] = None
        if self.looks_not_found(record):
            flags.append("not-found")

    def _wants_next_data(self) -> bool:
        return (self.profile is not None and self.profile.next_data) or self.root.find(
            ".//script[@id='__NEXT_DATA__']"
        ) is not None

    def _vietnamese_hint(self, record: dict) -> bool:
        host = (urlsplit(self.url).hostname or "").lower()
        return self.profile is not None or record["language"] == "vi" or host.endswith(".vn")

    # ------------------------------------------------------------------ simple metadata
    def canonical(self) -> str | None:
        for link in self.root.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split():
                out = absolute(link.get("href"), self.base)
                if out:
                    return out
        return absolute(self.meta("og:url"), self.base)

    def language(self) -> str | None:
        raw = self.root.get("lang") or self.root.get("{http://www.w3.org/XML/1998/namespace}lang")
        raw = raw or self.meta("content-language", "og:locale", "language", "dc.language")
        if raw:
            code = re.split(r"[-_,; ]", raw.strip().lower())[0]
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
        if self.profile:
            return self.profile.language
        sample = " ".join(b.text for b in self.blocks[:300])
        letters = sum(ch.isalpha() for ch in sample)
        if letters and len(_VI_ONLY.findall(sample)) > 0.03 * letters:
            return "vi"
        return None

    # ------------------------------------------------------------------ title
    def _title_refs(self) -> list[str]:
        refs = [self.meta("og:title", "twitter:title", "title", "dc.title")]
        if self.ld_article:
            refs.append(ld_name(self.ld_article.get("headline")) or ld_name(self.ld_article.get("name")))
        t = self.root.find(".//title")
        raw = clean_line(t.text_content()) if t is not None else None
        refs.append(raw)
        refs.extend(self._title_parts(raw))
        return [_norm(r) for r in refs if r]

    @staticmethod
    def _title_parts(raw: str | None) -> list[str]:
        if not raw:
            return []
        return [p for p in _TITLE_SPLIT.split(raw) if len(p) >= 10]

    def find_title(self) -> Block | None:
        refs = self._title_refs()
        hinted = set()
        for el in self.hints("title"):
            hinted.update(id(b) for b in self.blocks_in(el))
        best: tuple[float, int, Block] | None = None
        for b in self.blocks:
            if not 6 <= len(b.text) <= 400:
                continue
            tag = b.el.tag
            t = _norm(b.text)
            match = 0.0
            for r in refs:
                if t == r:
                    match = max(match, 4)
                elif len(t) >= 0.5 * len(r) and (r.startswith(t) or r.endswith(t)):
                    match = max(match, 3)
                elif len(t) >= 0.6 * len(r) and t in r or len(r) >= 0.7 * len(t) and r in t:
                    match = max(match, 2)
            score = match
            score += {"h1": 1.5, "h2": 0.8, "h3": 0.4}.get(tag, 0.0)
            titleish = class_has(b.el, _TITLEISH)
            if titleish:
                score += 0.5 if match else 1.0
            if self.is_end(b):
                continue
            if id(b) in hinted:
                score += 3
            if match == 0 and tag != "h1" and id(b) not in hinted and not titleish:
                continue
            if b.link_share > 0.5:
                score -= 1.5
            if self._content_after(b.index) >= 400:
                score += 0.7
            if in_chrome(b.el, set()):
                score -= 1.5
            if best is None or score > best[0]:
                best = (score, -b.index, b)
        if best is None or best[0] < 1.5:
            return None
        return best[2]

    def _content_after(self, index: int, window: int = 60) -> int:
        """Characters of paragraph-like text (long, few links) in the blocks after ``index``."""
        prefix = self.content_prefix
        return prefix[min(len(self.blocks), index + 1 + window)] - prefix[index + 1]

    def fallback_title(self) -> str | None:
        """The title from metadata when no element on the page holds it."""
        title = self.meta("og:title", "twitter:title") or clean_line(self.trafilatura_meta("title"))
        if not title and self.ld_article:
            title = ld_name(self.ld_article.get("headline"))
        if not title:
            t = self.root.find(".//title")
            raw = clean_line(t.text_content()) if t is not None else None
            parts = self._title_parts(raw)
            title = max(parts, key=len) if parts else raw
        return title

    # ------------------------------------------------------------------ trafilatura
    def run_trafilatura(self) -> Document | None:
        """trafilatura's main text (None when it finds none).

        Given our tree (it works on a copy) when its own parse of the text would give the same
        one, which saves a parse. ``fast``: no comparison with readability and jusText, which
        cost a fifth of the call and changed no replica record (Zyte body F1 0.9629 -> 0.9652).
        No metadata: our own rules find title, date, author, category and tags; trafilatura's
        are a last resort, read only when needed (``trafilatura_meta``).
        """
        self.trafilatura_input = self.root if _parses_like_trafilatura(self.html_text) else self.html_text
        try:
            return bare_extraction(
                self.trafilatura_input,
                url=self.url,
                fast=True,
                with_metadata=False,
                include_comments=False,
                include_tables=True,
                include_images=False,
                include_links=False,
                date_extraction_params=_DATE_PARAMS,
                config=_CONFIG,
            )
        except (ValueError, TypeError, AttributeError, RecursionError):
            return None

    def trafilatura_meta(self, name: str) -> str | list[str] | None:
        """One field of trafilatura's metadata ("title", "author", "categories", "tags").

        The value ``extract_metadata`` gives on the tree trafilatura read (tests/test_extract.py
        holds them equal), but only the field asked for is computed: these are our rules' last
        resort, so most pages never pay for one, and its author search alone costs 1.6 ms. None
        when trafilatura found no main text, as when it read text and metadata in one call.
        """
        if not self.found_text:
            return None
        if name not in self._trafilatura_meta:
            if self._trafilatura_tree is None:
                given = self.trafilatura_input
                self._trafilatura_tree = load_html(given) if isinstance(given, str) else given
                self._trafilatura_tags = trafilatura_meta_tags(self._trafilatura_tree)
            tree, tags = self._trafilatura_tree, self._trafilatura_tags
            self._trafilatura_meta[name] = trafilatura_field(tree, name, tags)
        return self._trafilatura_meta[name]

    # ------------------------------------------------------------------ related links
    def find_related(self) -> list[tuple[list[_Element], list[dict]]]:
        """The "Các tin khác"/"Tin liên quan" sections: their elements and their article links."""
        sections: list[tuple[list[_Element], list[dict]]] = []
        seen: set[str] = set()
        own = {self.url, self.canonical() or ""}
        all_headings = {id(b) for b in self.blocks if self.is_end(b)}
        for head in (b for b in self.blocks if b.index in self.end_ids and H.is_related_heading(b.text)):
            if head.link_share > 0.5 and len(head.links) == 1 and len(self.blocks_in(head.el)) > 1:
                continue
            container = self._section_container(head)
            if container is not None:
                candidates = [b for b in self.blocks_in(container) if b.index > head.index]
            else:  # the heading shares its parent with the article: take what follows it
                candidates = self.blocks[head.index + 1 : head.index + 40]
            members: list[Block] = []
            for b in candidates:
                if id(b) in all_headings or (container is None and b.link_share < 0.3 and len(b.text) > 150):
                    break
                members.append(b)
            section = _section_name(head.text)
            links: list[dict] = []
            for b in members:
                for a in b.links:
                    href = absolute(a.get("href"), self.base)
                    title = clean_line(a.text_content()) or clean_line(a.get("title"))
                    if not href or not title or href in own or href in seen:
                        continue
                    if len(title) < 12 or len(title.split()) < 3:
                        continue
                    seen.add(href)
                    links.append({"url": href, "title": title, "section": section})
            if links:
                els = [container] if container is not None else [head.el] + [m.el for m in members]
                sections.append(([e for e in els if e not in self.title_ancestors], links))
        return sections

    def _section_container(self, head: Block) -> _Element | None:
        """The smallest ancestor of a section heading that also holds its links."""
        node = head.el
        for _ in range(6):
            parent = node.getparent()
            if parent is None:
                return None
            node = parent
            if self.title_block is not None and node in self.title_ancestors:
                return None
            inner = [b for b in self.blocks_in(node) if b.index > head.index and b.links]
            if inner:
                return node
        return None

    # ------------------------------------------------------------------ category and tags
    def category(self) -> str | None:
        """The last meaningful breadcrumb; else the section metadata, name bar or label; else trafilatura's."""
        self.crumbs: list[str] = []
        for el in self.hints("category"):
            text = text_of(el)
            if text:
                return text
        crumbs = self._ld_breadcrumb() or self._microdata_breadcrumb() or self._dom_breadcrumb()
        title_n = _norm(self.title_text or "")
        crumbs = [c for c in crumbs if c and not H.is_home_crumb(c) and _norm(c) != title_n and len(c) <= 80]
        self.crumbs = crumbs
        if crumbs:
            return crumbs[-1]
        section = self.meta("article:section")
        if not section and self.ld_article:
            section = ld_name(self.ld_article.get("articleSection"))
        return section or self._section_label() or self._category_label() or self._trafilatura_category()

    def _trafilatura_category(self) -> str | None:
        categories = self.trafilatura_meta("categories")
        return clean_line(categories[0]) if categories else None

    def _category_label(self) -> str | None:
        """A "Danh mục: ..." / "Chuyên mục: ..." line near the title."""
        if self.title_block is None:
            return None
        t = self.title_block.index
        for b in self.blocks[max(0, t - 5) : t + 6]:
            found = H.category_label(b.text)
            if found:
                return found
        return None

    def _section_label(self) -> str | None:
        """A lone link just above the title to this page's section: the section's name bar.

        Evidence that the link is the section: its path is a parent of this URL, or a listing
        URL of the site's profile, or its box is named like one ("cate", "chuyen-muc").
        """
        if self.title_block is None:
            return None
        path = urlsplit(self.url).path.rstrip("/")
        host = urlsplit(self.url).hostname
        for b in reversed(self.blocks[max(0, self.title_block.index - 4) : self.title_block.index]):
            if len(b.links) != 1 or b.link_share < 0.9 or len(b.text.split()) > 8:
                continue
            href = absolute(b.links[0].get("href"), self.base)
            parts = urlsplit(href or "")
            parent = parts.path.rstrip("/")
            if parts.hostname != host or not parent:
                continue
            listing = self.profile is not None and self.profile.is_listing_url(href or "")
            labelled = any(class_has(e, _CATEGORYISH) for e in [b.el, *_parents(b.el, 2)])
            if path.startswith(parent + "/") or listing or labelled:
                return b.text
        return None

    def _ld_breadcrumb(self) -> list[str]:
        for obj in self.ld:
            if "BreadcrumbList" in ld_types(obj):
                items = obj.get("itemListElement") or []
                if not isinstance(items, list):
                    continue
                items = sorted(
                    (i for i in items if isinstance(i, dict)), key=lambda i: _int(i.get("position"))
                )
                names = [ld_name(i.get("name")) or ld_name(i.get("item")) for i in items]
                return [n for n in names if n]
        return []

    def _microdata_breadcrumb(self) -> list[str]:
        for el in self.root.iter():
            if isinstance(el.tag, str) and "breadcrumblist" in (el.get("itemtype") or "").lower():
                names = [clean_line(n.text_content()) for n in el.iter() if n.get("itemprop") == "name"]
                return [n for n in names if n]
        return []

    def _dom_breadcrumb(self) -> list[str]:
        """A short list of short links before the title: "Trang chủ", separators or a breadcrumb class.

        Of several candidates the one nearest the title wins (a top bar "Trang chủ | Liên hệ |
        RSS" is farther, and inside the page chrome).
        """
        best: tuple[int, list[str]] | None = None
        for el in self.root.iter("ol", "ul", "nav", "div", "p"):
            explicit = class_has(el, _BREADCRUMBISH)
            where = self.pos.get(el, 0)
            before = self.title_pos is None or where < self.title_pos
            if not (explicit or before):
                continue
            links = list(el.iter("a"))
            if not links or len(links) > 7:
                continue
            texts = [clean_line(a.text_content()) for a in links]
            if any(t and len(t.split()) > 8 for t in texts):
                continue
            full = text_of(el)
            if len(full) > 200:
                continue
            home = any(
                (t and H.is_home_crumb(t)) or (a.get("href") or "").strip() in ("/", self.base)
                for a, t in zip(links, texts, strict=True)
            )
            separators = bool(re.search(r"[»›>/|→]", re.sub(r"https?://\S+", "", full)))
            if not (explicit or (home and (separators or len(links) >= 2))):
                continue
            if not explicit and in_chrome(el, self.title_ancestors):
                continue
            crumbs = [t for t in texts if t and not _SEPARATOR_ONLY.match(t)]
            tail = clean_line(re.sub(r"^.*[»›>/|→]", "", full)) if separators else None
            if (
                tail
                and tail not in crumbs
                and len(tail) <= 80
                and _norm(tail) != _norm(self.title_text or "")
            ):
                crumbs.append(tail)
            if not crumbs:
                continue
            rank = where if before else -where
            if explicit:
                rank += 10**9
            if best is None or rank > best[0]:
                best = (rank, crumbs)
        return best[1] if best else []

    def tags(self) -> list[str]:
        """ "Tags:"/"Từ khóa:" links, tag boxes, rel=tag; else article:tag, keywords, trafilatura's."""
        tags: list[str] = []
        containers = list(self.hints("tags"))
        for b in self.blocks:
            is_label, rest = H.strip_tags_label(b.text)
            if is_label and len(b.text) <= 400:
                containers.append(b.el)
                if not b.links and rest:
                    tags.extend(t for t in (clean_line(x) for x in re.split(r"[,;|]", rest)) if t)
        after_title = self.title_pos if self.title_pos is not None else -1
        containers.extend(
            el
            for el in self.root.iter("div", "ul", "p", "section")
            if class_has(el, _TAGSISH) and self.pos.get(el, 0) > after_title
        )
        for el in containers:
            holder = el if el.find(".//a") is not None else el.getparent()
            if holder is None:
                continue
            for a in holder.iter("a"):
                t = clean_line(a.text_content())
                if t:
                    t = t.lstrip("#").strip()
                    is_label, _ = H.strip_tags_label(t)
                    if t and not is_label and len(t) <= 80:
                        tags.append(t)
            if tags:
                break
        if not tags:
            tags = [
                clean_line(a.text_content()) or ""
                for a in self.root.iter("a")
                if "tag" in (a.get("rel") or "").split()
            ]
        if not tags:
            tags = [t for v in self.metas.get("article:tag", []) if (t := clean_line(v))]
        if not tags:
            kw = self.meta("keywords", "news_keywords")
            if not kw and self.ld_article:
                kw = ld_name(self.ld_article.get("keywords"))
            if kw:
                tags = [t for t in (clean_line(x) for x in re.split(r"[,;]", kw)) if t]
        if not tags:
            tags = [t for t in (clean_line(x) for x in self.trafilatura_meta("tags") or ()) if t]
        return [t for t in dict.fromkeys(tags) if t and len(t) <= 80]

    # ------------------------------------------------------------------ lead
    def find_lead(self) -> Block | None:
        for el in self.hints("lead"):
            bs = self.blocks_in(el)
            text = " ".join(b.text for b in bs)
            if 20 <= len(text) <= 2000 and bs:
                return Block(el, clean_line(text) or "", bs[0].index)
        if self.title_block is None:
            return None
        desc = self.meta("og:description", "description", "twitter:description")
        desc_n = _norm(re.sub(r"(?:\.\.\.|…)\s*$", "", desc or ""))
        start = self.title_block.index
        for b in self.blocks[start + 1 : start + 15]:
            if b.link_share > 0.5 or len(b.text) < 25:
                continue
            if parse_vn_date(b.text) and len(b.text) < 100:
                continue
            if self.is_end(b) or in_chrome(b.el, self.title_ancestors):
                continue
            if _is_caption_el(b.el) or self._beside_image(b):
                continue
            t = _norm(b.text)
            ok_len = 40 <= len(b.text) <= 1200
            if ok_len and (
                class_has(b.el, _LEADISH) or any(class_has(a, _LEADISH) for a in _parents(b.el, 2))
            ):
                return b
            if (
                ok_len
                and (b.el.tag in ("h2", "h3", "h4") or b.emphasised)
                and not has_ancestor(b.el, {"figure"})
                and not _is_caption_el(b.el)
            ):
                return b
            if (
                ok_len
                and desc_n
                and len(desc_n) >= 30
                and (t.startswith(desc_n[: max(30, len(desc_n) - 5)]) or desc_n.startswith(t))
            ):
                return b
            if len(b.text) >= 150:
                break
        return None

    def _beside_image(self, b: Block) -> bool:
        """Whether a block shares a small box with an image: a caption, whatever its class."""
        for anc in _parents(b.el, 3):
            if anc.find(".//img") is not None:
                return len(text_of(anc)) <= 2 * len(b.text) + 40
        return False

    def _lead_text(self, block: Block) -> str:
        """The sapo as shown, minus a location stamp glued before it ("Hà NộiGiá vàng...")."""
        desc = self.meta("og:description", "description")
        if desc and block.text.endswith(desc) and 0 < len(block.text) - len(desc) <= 30:
            return desc
        return block.text

    # ------------------------------------------------------------------ body
    def dom_body_lines(self) -> list[str]:
        """Body lines from the DOM when trafilatura finds too little: hinted body, else after the title."""
        for el in self.hints("body"):
            lines = [b.text for b in self.blocks_in(el) if b.link_share < 0.5]
            if sum(len(x) for x in lines) >= 150:
                return lines
        if self.title_block is None:
            return []
        out = []
        for b in self.blocks[self.title_block.index + 1 :]:
            if self.is_end(b):
                break
            if b.link_share < 0.5 and not in_chrome(b.el, self.title_ancestors):
                out.append(b.text)
        return out

    def next_body(self, markup: str) -> tuple[list[str], list[dict]]:
        """Lines and images of an article body given as HTML in JSON."""
        frag = parse_fragment(markup)
        if frag is None:
            return [], []
        blocks = walk_blocks(frag)
        images = []
        for img in frag.iter("img"):
            src = self._img_src(img)
            if src:
                images.append({"src": src, "caption": self._caption(img)})
        captions = {i["caption"] for i in images if i["caption"]}
        lines = [b.text for b in blocks if b.text not in captions and b.el.tag != "figcaption"]
        return lines, _dedupe_images(images)

    def _explode(self, line: str) -> list[str]:
        """A long line that is several blocks run together (a layout-table cell) -> those blocks.

        trafilatura prints a whole <td> as one line on table-layout pages; the page's own
        paragraphs are recovered by matching consecutive blocks against the line.
        """
        if len(line) < 200 or self.find_block(line) is not None:
            return [line]
        for start in self.blocks:
            if not line.startswith(start.text):
                continue
            pieces, rest = [], line
            for b in self.blocks[start.index :]:
                if rest.startswith(b.text):
                    pieces.append(b.text)
                    rest = rest[len(b.text) :].lstrip(" |")
                    if not rest:
                        return pieces
                else:
                    break
        return [line]

    def clean_body(
        self, lines: list[str], lead: str | None, captions: set[str], crumbs: set[str], tags: list[str]
    ) -> tuple[list[str], str | None, str | None]:
        """Drop what is not body text; return the body lines, a trailing byline and a "Nguồn:" source."""
        title_k = fold(self.title_text or "")
        lead_k = fold(lead or "")
        crumbs_k = {fold(c) for c in crumbs}
        tag_line = fold(", ".join(tags)) if tags else None
        related_k = {fold(t) for t in self.related_titles}
        out: list[str] = []
        source = None
        substantial = 0
        for i, line in enumerate(lines):
            k = fold(line)
            block = self.find_block(line)
            if (H.is_end_heading(line) or H.is_footer_line(line)) and len(line) <= 60:
                if substantial >= 150 and not self._inline_box_follows(lines, i):
                    break
                continue
            if H.is_footer_line(line) and substantial >= 150:
                break
            if k == title_k or H.is_widget_line(line) or k in crumbs_k:
                continue
            src = H.source_of(line)
            if src:
                source = source or src
                continue
            is_tags, _ = H.strip_tags_label(line)
            if is_tags or (tag_line and k == tag_line):
                continue
            if k in captions or k in related_k:
                continue
            if lead_k and (
                k == lead_k
                or (len(k) >= 40 and lead_k.startswith(k))
                or (len(lead_k) >= 40 and k.startswith(lead_k) and len(k) - len(lead_k) < 5)
            ):
                continue
            if block is not None and self._is_noise_block(block):
                continue
            if substantial == 0 and len(line) < 150 and self._before_title(block):
                continue  # masthead lines ahead of the title
            if len(line) <= 100 and substantial == 0 and parse_vn_date(line):
                continue
            if out and fold(out[-1]) == k:
                continue
            out.append(line)
            substantial += len(line)
        author = None
        while len(out) > 1:
            last = out[-1]
            src = H.source_of(last) or (H.theo_source(last) if len(last) <= 80 else None)
            if src:
                source = source or src
                out.pop()
                continue
            if author is None and H.looks_like_byline(last) and len(out[-2]) >= 40:
                author = H.strip_author_label(last)
                out.pop()
                continue
            if (
                author is None
                and len(out) > 2
                and H.looks_like_affiliation(last)
                and H.looks_like_byline(out[-2])
            ):
                author = H.strip_author_label(out[-2])
                del out[-2:]
                continue
            break
        if author is None and out:
            author = self._byline_after(out[-1])
        return out, author, source

    def _before_title(self, block: Block | None) -> bool:
        return block is not None and self.title_block is not None and block.index < self.title_block.index

    def _inline_box_follows(self, lines: list[str], i: int) -> bool:
        """A "Tin liên quan" box inside the body: long non-link paragraphs follow it."""
        if not H.is_related_heading(lines[i]):
            return False
        tail = 0
        for line in lines[i + 1 :]:
            if H.is_end_heading(line):
                break
            b = self.find_block(line)
            if b is None or b.link_share > 0.3 or len(line) < 100:
                continue
            if any(_inside(b.el, el) for el in self.related_els):
                continue
            tail += len(line)
        return tail >= 300

    def _is_noise_block(self, b: Block) -> bool:
        """A block in a feedback form, a related section, or a link line of the chrome.

        Only containers below the title's ancestors count: ASP.NET WebForms pages (tuyengiao
        generation (a)) wrap the whole page, article included, in one <form>.
        """
        for anc in ancestors_until(b.el, self.title_ancestors):
            if anc.tag in ("footer", "nav") or (anc.tag == "form" and len(self.blocks_in(anc)) < 40):
                return True
        if any(_inside(b.el, el) for el in self.related_els):
            return True
        return b.link_share > 0.6 and len(b.text) < 150 and in_chrome(b.el, self.title_ancestors)

    def _byline_after(self, last_line: str) -> str | None:
        """A byline block right after the last body line that trafilatura left out."""
        b = self.find_block(last_line)
        if b is None:
            return None
        for nxt in self.blocks[b.index + 1 : b.index + 3]:
            if self.is_end(nxt) or nxt.link_share > 0.5:
                return None
            if H.source_of(nxt.text) or H.theo_source(nxt.text):
                continue
            if H.looks_like_byline(nxt.text) and not in_chrome(nxt.el, self.title_ancestors):
                return H.strip_author_label(nxt.text)
            return None
        return None

    # ------------------------------------------------------------------ author and source
    def author(self, byline: str | None, nxt: NextArticle | None) -> str | None:
        """Embedded JSON, an author element, the trailing byline, then person-like metadata."""
        if nxt and nxt.author:
            return nxt.author
        for el in self.hints("author"):
            text = H.strip_author_label(text_of(el))
            if text and len(text) <= 80:
                return text
        element = self._author_element()
        if element:
            return element
        if byline:
            return byline
        site = fold(self.meta("og:site_name") or "")
        for c in self._metadata_authors():
            if c and not c.startswith("http") and H.looks_like_byline(c) and not H.is_account_name(c):
                f = fold(c)
                if f != site and not _ORG_WORDS.search(f):
                    return c
        return None

    def _metadata_authors(self) -> Iterator[str | None]:
        """Author names from metadata, best first; trafilatura's read only if the others fail."""
        if self.ld_article:
            yield ld_name(self.ld_article.get("author"))
        yield self.meta("author", "article:author", "dc.creator", "sailthru.author")
        yield self.trafilatura_meta("author")

    def _author_element(self) -> str | None:
        if self.title_block is None:
            return None
        for el in self.root.iter():
            if not isinstance(el.tag, str) or el.tag in ("meta", "link", "body", "html", "article", "main"):
                continue
            if not (
                el.get("itemprop") == "author"
                or "author" in (el.get("rel") or "")
                or any(_AUTHORISH.match(t) for t in tokens(el))
            ):
                continue
            if self.pos.get(el, 0) < (self.title_pos or 0) or in_chrome(el, self.title_ancestors):
                continue
            if any(_inside(el, r) for r in self.related_els):
                continue
            text = H.strip_author_label(text_of(el))
            if text and len(text) <= 80 and not parse_vn_date(text) and any(ch.isalpha() for ch in text):
                return text
        return None

    def source_element(self) -> str | None:
        """A "Nguồn: ..." line of the article (hinted, else the first one after the title)."""
        for el in self.hints("source"):
            text = text_of(el)
            return H.source_of(text) or text or None
        if self.title_block is None:
            return None
        for b in self.blocks[self.title_block.index + 1 :]:
            if self.is_end(b) or any(_inside(b.el, r) for r in self.related_els):
                break
            src = H.source_of(b.text)
            if src and not in_chrome(b.el, self.title_ancestors):
                return src
        return None

    # ------------------------------------------------------------------ images
    def images(self, lines: list[str]) -> list[dict]:
        matched = [b for b in (self.find_block(x) for x in lines if len(x) >= 40) if b is not None]
        if not matched:
            return []
        container = matched[0].el
        for b in matched[1:]:
            lca = common_ancestor(container, b.el)
            container = lca if lca is not None else container
        start = self.title_pos if self.title_pos is not None else self.pos.get(container, 0)
        end_el = matched[-1].el
        end = max(self.pos.get(d, 0) for d in end_el.iter()) if end_el is not None else 0
        scope = common_ancestor(container, self.title_block.el) if self.title_block is not None else None
        scope = scope if scope is not None else container
        out = []
        for img in scope.iter("img"):
            p = self.pos.get(img, 0)
            if p < start or p > end + 200:
                continue
            if in_chrome(img, self.title_ancestors) or any(_inside(img, r) for r in self.related_els):
                continue
            link = next((a for a in img.iterancestors("a")), None)
            if link is not None and not re.search(
                r"\.(?:jpe?g|png|gif|webp)(?:\?|$)", link.get("href") or "", re.I
            ):
                continue
            src = self._img_src(img)
            if src:
                out.append({"src": src, "caption": self._caption(img)})
        return _dedupe_images(out)

    def _img_src(self, img: _Element) -> str | None:
        for attr in ("data-src", "data-original", "data-lazy-src", "data-srcset", "src", "srcset"):
            raw = (img.get(attr) or "").strip()
            if attr.endswith("srcset") and raw:
                raw = raw.split(",")[0].split()[0]
            if raw and not raw.startswith("data:"):
                src = absolute(raw, self.base)
                if not src:
                    continue
                if _ICONISH.search(urlsplit(src).path):
                    return None
                w, h = _int(img.get("width")), _int(img.get("height"))
                if (w and w < 60) or (h and h < 60):
                    return None
                return src
        return None

    def _caption(self, img: _Element) -> str | None:
        """The caption of an image, once, even when the page prints it twice."""
        fig = next(img.iterancestors("figure"), None)
        if fig is not None:
            cap = fig.find(".//figcaption")
            return _once(text_of(cap if cap is not None else fig))
        node = img
        for _ in range(4):
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            if len(list(parent.iter("img"))) > 1:
                break
            text = text_of(parent)
            if len(text) > 400:
                break
            node = parent
            if text and parent.tag in ("table", "tbody", "tr", "td", "div", "p", "span", "center", "a"):
                return _once(text)
        # A caption element right after the image block ("image block + caption cell").
        sib = node.getnext()
        if sib is not None and isinstance(sib.tag, str):
            text = text_of(sib)
            if (
                text
                and len(text) <= 300
                and (_is_caption_el(sib) or sib.find(".//em") is not None or sib.find(".//i") is not None)
            ):
                return _once(text)
        return None

    # ------------------------------------------------------------------ dates
    def dates(self, record: dict, nxt: NextArticle | None) -> None:
        modified: ParsedDate | None = None
        chosen: _Dated | None = None
        found: list[_Dated] = []
        if self.ld_article:
            for key_, store in (("datePublished", "published"), ("dateModified", "modified")):
                raw = self.ld_article.get(key_)
                if isinstance(raw, str):
                    p = self._iso(raw)
                    if p and store == "published":
                        found.append(_Dated(p, "jsonld"))
                    elif p and modified is None:
                        modified = p
        raw = self.meta(*_PUBLISHED_META)
        p = self._iso(raw) if raw else None
        if p:
            found.append(_Dated(p, "meta"))
        raw_mod = self.meta(*_MODIFIED_META)
        if raw_mod and modified is None:
            modified = self._iso(raw_mod)
        if nxt and nxt.published_raw:
            raw_n = epoch_to_iso(nxt.published_raw) or nxt.published_raw
            p = self._iso(raw_n)
            if p:
                found.append(_Dated(ParsedDate(p.value, p.has_time, nxt.published_raw), "nextdata"))
            if nxt.modified_raw and modified is None:
                modified = self._iso(epoch_to_iso(nxt.modified_raw) or nxt.modified_raw)
        line, line_modified = self.dateline()
        if line:
            found.append(line)
        if line_modified and modified is None:
            modified = line_modified
        url_date = self.url_date()
        if url_date:
            found.append(url_date)
        timed = [d for d in found if d.parsed.has_time]
        chosen = timed[0] if timed else (found[0] if found else None)
        if chosen is None:
            chosen = self._htmldate()
        if chosen is None:
            return
        record["published"] = chosen.parsed.iso()
        record["published_source"] = chosen.source
        record["published_raw"] = chosen.parsed.raw
        if not chosen.parsed.has_time:
            record["flags"].append("published-date-only")
        if modified and modified.value >= chosen.parsed.value:
            record["modified"] = modified.iso()

    def _iso(self, raw: str) -> ParsedDate | None:
        p = parse_iso(raw, tz=self.tz) or parse_vn_date(raw, tz=self.tz)
        if p and p.value <= self.now.astimezone(self.tz) + timedelta(hours=2):
            return p
        return None

    def dateline(self) -> tuple[_Dated | None, ParsedDate | None]:
        """The article's own date line: hinted, else the nearest date-bearing short block to the title."""
        for el in self.hints("date"):
            got = self._date_from(el, text_of(el))
            if got:
                return got
        if self.title_block is None:
            return None, None
        t = self.title_block.index
        candidates: list[tuple[int, Block]] = []
        after_limit = t + 25
        for b in self.blocks[t + 1 : after_limit]:
            if self.is_end(b):
                break
            if len(b.text) > 150 and not b.times:
                if b.index > t + 3:
                    after_limit = min(after_limit, b.index + 3)
                continue
            if b.index > after_limit:
                break
            candidates.append((b.index - t, b))
        links_between = 0
        for b in reversed(self.blocks[max(0, t - 12) : t]):
            if b.link_share > 0.6:
                links_between += 1
                if links_between >= 5:
                    break
                continue
            candidates.append((t - b.index + 1, b))
        # Nearest first; a date with a time of day beats a bare date (a header's "today", a
        # caption's "ngày 7/5") wherever the two are.
        found: list[tuple[int, _Dated, ParsedDate | None]] = []
        updated_only: ParsedDate | None = None
        for dist, b in sorted(candidates, key=lambda c: c[0]):
            if not self._dateline_ok(b):
                continue
            got = self._date_from(b.el, b.text, b)
            if got and got[0] is None:
                updated_only = updated_only or got[1]  # a lone "Cập nhật: ..." line
            if not got or got[0] is None:
                continue
            dated, modified = got
            if (
                b.index < t
                and not dated.parsed.has_time
                and dated.parsed.value.date() == local_day(self.now, self.tz)
            ):
                continue  # the header's "today"
            found.append((dist, dated, modified))
        found.sort(key=lambda f: (not f[1].parsed.has_time, f[0]))
        return (found[0][1], found[0][2] or updated_only) if found else (None, updated_only)

    def _dateline_ok(self, b: Block) -> bool:
        """A date line is short, not a sentence, not a caption, not a teaser, not chrome."""
        if b.link_share > 0.5 or (len(b.text) > 120 and not b.times) or b.text.endswith("."):
            return False
        if _is_caption_el(b.el) or has_ancestor(b.el, {"figure", "figcaption"}):
            return False
        if any(len((clean_line(a.text_content()) or "").split()) >= 6 for a in b.links):
            return False  # a teaser item: a headline link with its date
        parent = b.el.getparent()
        if (
            parent is not None
            and parent not in self.title_ancestors
            and any(len((clean_line(a.text_content()) or "").split()) >= 6 for a in parent.iter("a"))
        ):
            return False
        if any(_inside(b.el, r) for r in self.related_els):
            return False
        return not in_chrome(b.el, self.title_ancestors)

    def _date_from(
        self, el: _Element, text: str, block: Block | None = None
    ) -> tuple[_Dated | None, ParsedDate | None] | None:
        times = block.times if block is not None else list(el.iter("time"))
        for tm in times:
            raw = tm.get("datetime")
            if raw:
                p = self._iso(raw)
                if p:
                    return _Dated(p, "time"), None
        if not text or len(text) > 200:
            return None
        published_part, modified_part = split_updated(text)
        p = parse_vn_date(published_part, tz=self.tz, now=self.now)
        m = parse_vn_date(modified_part, tz=self.tz, now=self.now) if modified_part else None
        if p is None and m is None:
            return None
        return (_Dated(ParsedDate(p.value, p.has_time, text), "dateline") if p else None), m

    def url_date(self) -> _Dated | None:
        if self.profile and self.profile.url_date_pattern:
            m = re.search(self.profile.url_date_pattern, self.url)
            if m:
                g = m.groupdict()
                year = int(g["y"]) if g.get("y") else 2000 + int(g["yy"])
                raw = f"{year:04d}-{int(g['m']):02d}-{int(g['d']):02d}"
                if g.get("H"):
                    raw += f"T{int(g['H']):02d}:{int(g['M']):02d}:{int(g.get('S') or 0):02d}"
                p = parse_iso(raw, tz=self.tz)
                if p and p.value <= self.now.astimezone(self.tz) + timedelta(hours=2):
                    return _Dated(ParsedDate(p.value, p.has_time, self.url), "url")
        m = _GENERIC_URL_DATE.search(urlsplit(self.url).path)
        if m:
            p = parse_iso(f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}", tz=self.tz)
            if p and p.value <= self.now.astimezone(self.tz):
                return _Dated(ParsedDate(p.value, False, self.url), "url")
        return None

    def _htmldate(self) -> _Dated | None:
        """htmldate on markup only (no body-text search), never a date-only "today"."""
        try:
            raw = find_date(
                deepcopy(self.root),
                extensive_search=False,
                original_date=True,
                outputformat="%Y-%m-%dT%H:%M:%S%z",
            )
        except (ValueError, TypeError, AttributeError):
            return None
        if not raw:
            return None
        p = self._iso(raw)
        if p is None or p.value.date() == local_day(self.now, self.tz):
            return None
        has_time = not raw.endswith("T00:00:00") and "T00:00:00" not in raw
        return _Dated(ParsedDate(p.value, has_time, raw), "htmldate")

    # ------------------------------------------------------------------ page kind
    def looks_listing(self, body: list[str]) -> bool:
        """Mostly headline links and little own text: a category page, a home page."""
        text_len = sum(len(x) for x in body)
        teasers = [b for b in self.blocks if b.link_share > 0.8 and len(b.text.split()) >= 6]
        linked = 0
        for line in body:
            b = self.find_block(line)
            if b is not None and b.link_share > 0.6:
                linked += len(line)
        if text_len and linked >= 0.4 * text_len:
            return True
        if (
            self.profile
            and self.profile.is_listing_url(self.url)
            and not self.profile.is_article_url(self.url)
        ):
            return len(teasers) >= 8 and text_len < 2000
        return len(teasers) >= 15 and text_len < 400

    def looks_not_found(self, record: dict) -> bool:
        text = record["text"] or ""
        if len(text) >= 600:
            return False
        heads = [record["title"] or ""] + [b.text for b in self.blocks if b.el.tag in ("h1", "h2")][:3]
        return any(H.looks_not_found(h) for h in heads if h) or (len(text) < 200 and H.looks_not_found(text))


#: A document that trafilatura.utils.load_html parses as we do: it opens with <html> (after a
#: doctype), names "html" early (else it is "dubious"), has no control characters for it to
#: remove and no self-closing <html/> for it to repair.
_PLAIN_DOCUMENT = re.compile(r"\A\s*(?:<!doctype[^>]*>\s*)?<html[\s>]", re.I)
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # trafilatura removes them


def _parses_like_trafilatura(text: str) -> bool:
    """Whether trafilatura, given ``text``, would parse the same tree as ours (else it gets the text)."""
    if not _PLAIN_DOCUMENT.match(text) or "html" not in text[:50].lower() or _XML_INVALID.search(text):
        return False
    # trafilatura rewrites a first line holding "<html" and ending in "/>"
    return not any("<html" in line.lower() and line.endswith("/>") for line in text[:4096].splitlines()[:4])


TRAFILATURA_FIELDS: dict[str, Callable[[_Element], str | list[str] | None]] = {
    "title": extract_title,
    "author": extract_author,
    "categories": partial(extract_catstags, "category"),
    "tags": partial(extract_catstags, "tag"),
}


def trafilatura_meta_tags(root: _Element) -> Document:
    """What trafilatura's metadata reads first: meta tags, then JSON-LD over them (its steps)."""
    doc = examine_meta(root)
    if doc.author and " " not in doc.author:
        doc.author = None
    with suppress(Exception):  # as extract_metadata: bugs in trafilatura's JSON-LD reader
        doc = extract_meta_json(root, doc)
    return doc


def trafilatura_field(root: _Element, name: str, meta_tags: Document) -> str | list[str] | None:
    """``getattr(extract_metadata(root), name)`` for one of TRAFILATURA_FIELDS, without the rest.

    ``extract_metadata``'s steps for that field only: ``meta_tags`` (trafilatura_meta_tags),
    else the field's own markup search; strings trimmed as ``Document.clean_and_trim`` does.
    No date, URL, site name or licence: we never use trafilatura's.
    """
    value = getattr(meta_tags, name) or TRAFILATURA_FIELDS[name](root)
    if isinstance(value, str):
        doc = Document()
        setattr(doc, name, value)
        doc.clean_and_trim()
        value = getattr(doc, name)
    return value


def _norm(text: str) -> str:
    """Comparison form of a title: folded, punctuation (quotes of any style) and spaces squeezed."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def _table_line(line: str | None) -> str | None:
    """trafilatura prints table rows as "| a | b |": keep the non-empty cells, "a | b"."""
    if not line or not line.startswith("|"):
        return line
    cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip("|"))]
    cells = [c for c in cells if c]
    if re.fullmatch(r"[-:\s|]*", line):
        return None
    return " | ".join(cells) or None


def _section_name(text: str) -> str:
    name = re.sub(r"[\s:：]+$", "", text).strip()
    return name.capitalize() if name.isupper() else name


def _int(value: object) -> int:
    try:
        return int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return 0


def _inside(el: _Element, container: _Element) -> bool:
    node: _Element | None = el
    while node is not None:
        if node is container:
            return True
        node = node.getparent()
    return False


def _parents(el: _Element, n: int) -> list[_Element]:
    out = []
    node = el.getparent()
    while node is not None and len(out) < n:
        out.append(node)
        node = node.getparent()
    return out


def _is_caption_el(el: _Element) -> bool:
    if el.tag == "figcaption" or class_has(el, _CAPTIONISH):
        return True
    return any(a.tag == "figcaption" or class_has(a, _CAPTIONISH) for a in _parents(el, 3))


def _once(text: str) -> str | None:
    """A caption printed twice in a row ("X X", from image block + caption cell) -> "X"."""
    text = clean_line(text) or ""
    if not text:
        return None
    words = text.split(" ")
    n = len(words)
    if n % 2 == 0 and words[: n // 2] == words[n // 2 :]:
        return " ".join(words[: n // 2])
    return text


def _dedupe_images(images: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for img in images:
        if img["src"] not in seen:
            seen[img["src"]] = img
        elif not seen[img["src"]]["caption"] and img["caption"]:
            seen[img["src"]]["caption"] = img["caption"]
    return list(seen.values())
