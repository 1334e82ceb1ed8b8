"""One page -> one article record: the input checks and the order of the finders.

Pure: no I/O, and no global state that changes an answer (archive.extract.dom's memos only
save work); never raises. The stages, in the order their anchors need:
read the bytes (archive.encoding) and parse; index the page once (page.py); trafilatura's main
text (the bridge package); the title; the related sections; category and tags; the sapo; the body, its
images and its trailing byline; the dates; the page kind.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from archive import heuristics as H
from archive.encoding import decode_html, looks_font_encoded
from archive.extract import bridge
from archive.extract import patterns as P
from archive.extract.body import clean_body, main_lines, next_body
from archive.extract.byline import byline_fields, find_author, find_source_line, split_trailer
from archive.extract.dating import find_dates
from archive.extract.dom import use_page_names
from archive.extract.kind import (
    ARTICLE_DATE_SOURCES,
    DECLARED_FLAG,
    declares_article,
    has_article_evidence,
    looks_listing,
    looks_not_found,
)
from archive.extract.lead import find_lead_block, lead_text
from archive.extract.media import find_images
from archive.extract.nextdata import find_article, next_data
from archive.extract.page import PageIndex, index_page
from archive.extract.related import find_related
from archive.extract.taxonomy import find_category, find_tags
from archive.extract.title import fallback_title, find_title_block, title_anchor
from archive.profiles import profile_for_url
from archive.record import Record
from archive.vntext import fold

EXTRACTOR_NAME = "vnarchive"
#: Bump whenever the output for the same input changes (re-extraction keys on it).
EXTRACTOR_VERSION = "8"
#: Bytes beyond this are not decoded (the record is flagged "truncated").
MAX_INPUT_BYTES = 20_000_000
#: Characters of markup parsed at most, after scripts, styles and data: URIs are dropped from
#: oversized pages (extraction time grows linearly with the markup).
MAX_PARSE_CHARS = 2_000_000


def empty_record(url: str) -> Record:
    """The record of a page before anything is read from it: only the URL's site and provenance."""
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    profile = profile_for_url(url or "")
    return Record(
        url=url,
        site=profile.name if profile else (host or None),
        extractor=EXTRACTOR_NAME,
        extractor_version=EXTRACTOR_VERSION,
        trafilatura_version=bridge.VERSION,
    )


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
        The record (archive.record.Record as a dict); on unusable input its fields are empty
        and ``flags`` says why ("empty", "not-html", "no-title", "no-body", ...).
    """
    record = empty_record(url)
    try:
        _extract_into(record, html, url, content_type, now or datetime.now(timezone(timedelta(hours=7))))
    except Exception:  # noqa: BLE001 - the contract: a record for every input, never an exception
        record.flags.append("extraction-error")
    finally:
        use_page_names({})  # the page's elements are not kept alive by the lookup of their names
    record.flags = list(dict.fromkeys(record.flags))
    return record.as_dict()


def _strip_bulky(text: str) -> str:
    """Drop scripts, styles and data: URIs (linear time), keeping JSON-LD and __NEXT_DATA__."""
    lower = text.lower()
    out, pos = [], 0
    for m in P.BULKY_OPEN.finditer(text):
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
    return P.DATA_URI.sub("data:,", "".join(out))


def _sniff_not_html(data: bytes | str, content_type: str | None) -> bool:
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime and not mime.startswith(P.HTML_TYPES) and not mime.endswith("+xml"):
            return True
    head = data[:1024]
    if isinstance(head, bytes):
        if head.lstrip().startswith(P.BINARY_MAGIC):
            return True
        if head.count(b"\x00") > 8 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return True
    elif head.count("\x00") > 8:
        return True
    return False


def _extract_into(
    record: Record, html: bytes | str | None, url: str, content_type: str | None, now: datetime
) -> None:
    flags = record.flags
    if html is None or (isinstance(html, bytes | str) and not html.strip()):
        flags.append("empty")
        return
    if not isinstance(html, bytes | str) or _sniff_not_html(html, content_type):
        flags.append("not-html")
        return
    if len(html) > MAX_INPUT_BYTES:
        html = html[:MAX_INPUT_BYTES]
        flags.append("truncated")
    decoded = decode_html(html, content_type)
    record.encoding = decoded.encoding
    flags.extend(decoded.flags)
    text = P.XML_DECL.sub("", decoded.text.replace("\x00", ""))
    if len(text) > MAX_PARSE_CHARS:
        text = _strip_bulky(text)
        if len(text) > MAX_PARSE_CHARS:
            text = text[:MAX_PARSE_CHARS]
            flags.append("truncated")
    root = _parse(text)
    if root is None:
        flags.append("not-html")
        return
    page = index_page(root, url, profile_for_url(url), now, text)
    _fill(record, page)


def _parse(text: str) -> _Element | None:
    """Our parse of the page; None when it is not markup."""
    if "<" not in text:
        return None
    try:
        # Comments and processing instructions out, as trafilatura parses: their tails stay text.
        # A parser per call: lxml parsers must not be shared between threads. Every element is
        # an lxml.html HtmlElement, as lxml.html's own parser makes them, but chosen in C: that
        # parser asks a Python method for the class of every element each time Python (ours,
        # and trafilatura on its copies of this tree) first touches it. Its form, input, label,
        # select and textarea classes add form-filling methods neither we nor trafilatura use.
        parser = etree.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
        )
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=lxml_html.HtmlElement))
        root = lxml_html.document_fromstring(text, parser=parser)
    except (ValueError, TypeError, ParserError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def _wants_next_data(page: PageIndex) -> bool:
    return (page.profile is not None and page.profile.next_data) or any(
        script.get("id") == "__NEXT_DATA__" for script in page.tagged("script")
    )


def _fill(record: Record, page: PageIndex) -> None:
    """Run the finders in the order their anchors need and write the record."""
    flags = record.flags
    record.canonical_url = page.canonical()
    record.language = language(page)
    nxt = find_article(next_data(page.root)) if _wants_next_data(page) else None

    block = find_title_block(page)
    main = bridge.MainText(
        page.root, page.html_text, page.url, (page.ids, page.classes), page.tagged("script")
    )
    record.title = block.text if block is not None else fallback_title(page, main)
    if nxt and nxt.title:
        record.title = nxt.title
    title = title_anchor(page, block, record.title)

    related = find_related(page, title)
    record.related = related.links
    category = find_category(page, title, main)
    record.category = category.name
    record.tags = find_tags(page, title, main)

    lead_block = find_lead_block(page, title)
    record.lead = lead_text(page, lead_block) if lead_block is not None else None
    if nxt and nxt.lead:
        record.lead = nxt.lead

    if nxt and nxt.content_html:
        lines, record.images = next_body(page, nxt.content_html)
        flags.append("nextdata")
    else:
        lines = main_lines(page, title, main.text)
        record.images = find_images(page, title, related, lines)
    captions = {fold(i["caption"]) for i in record.images if i["caption"]}
    body, source = clean_body(
        page, title, related, lines, record.lead, captions, category.crumbs, record.tags
    )
    byline, trailer_source = split_trailer(page, title, body)
    record.author, record.bylines = byline_fields(find_author(page, title, related, main, byline, nxt))
    if record.author and body and fold(body[-1]) == fold(record.author):
        body.pop()
    record.text = "\n".join(body)
    record.lead_tag = H.lead_tag(record.lead) or (H.lead_tag(body[0]) if body else None)
    source = source or trailer_source
    record.source = (
        (nxt.source if nxt and nxt.source else None) or source or find_source_line(page, title, related)
    )
    if nxt:
        record.category = nxt.category or record.category
        record.tags = nxt.tags or record.tags

    dating = find_dates(page, title, related, nxt)
    if dating.published is not None:
        record.published = dating.published.parsed.iso()
        record.published_source = dating.published.source
        record.published_raw = dating.published.parsed.raw
        if not dating.published.parsed.has_time:
            flags.append("published-date-only")
        if dating.modified is not None:
            record.modified = dating.modified.iso()

    if not record.title:
        flags.append("no-title")
    if not record.text:
        flags.append("no-body")
    if not record.published:
        flags.append("no-date")
    visible = " ".join(b.text for b in page.blocks[:400])
    if looks_font_encoded(visible, page.html_text[:200_000], vietnamese=_vietnamese_hint(page, record)):
        flags.append("legacy-font-encoding")
    evidence = has_article_evidence(page, title, record.published_source, body)
    if looks_listing(page, title, body, evidence=evidence):
        # A listing's "lead", "author" and "date" belong to its first teasers, not to it.
        flags.append("listing")
        record.lead = record.lead_tag = record.author = record.published = None
        record.published_source = record.published_raw = record.modified = None
        record.bylines = []
    elif record.published_source not in ARTICLE_DATE_SOURCES and declares_article(page, title, body):
        flags.append(DECLARED_FLAG)
    if looks_not_found(page, record):
        flags.append("not-found")


def _vietnamese_hint(page: PageIndex, record: Record) -> bool:
    host = (urlsplit(page.url).hostname or "").lower()
    return page.profile is not None or record.language == "vi" or host.endswith(".vn")


def language(page: PageIndex) -> str | None:
    """The page's language code: declared (lang, meta), the profile's, else "vi" from its letters."""
    raw = page.root.get("lang") or page.root.get("{http://www.w3.org/XML/1998/namespace}lang")
    raw = raw or page.meta(*P.LANGUAGE_META)
    if raw:
        code = P.LANG_SPLIT.split(raw.strip().lower())[0]
        if P.LANG_CODE.fullmatch(code):
            return code
    if page.profile:
        return page.profile.language
    sample = " ".join(b.text for b in page.blocks[:300])
    vietnamese = len(P.VI_ONLY.findall(sample))
    if not vietnamese:  # no letter only Vietnamese has: no need to count the letters
        return None
    letters = sum(map(str.isalpha, sample))
    if letters and vietnamese > 0.03 * letters:
        return "vi"
    return None
