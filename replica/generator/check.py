"""An extracted record against the truth, field by field, with one stated rule per field.

Pure and independent of the extractor: the caller passes the record (``archive.extract.extract``
output) and whether ``is_article`` accepted it. Text is compared after NFC and whitespace
normalisation (NBSP and runs of spaces count as one space); nothing else is forgiven.

Rules:
- is_article: the page is accepted as an article.
- title: equal.
- lead: None when the page has no sapo; else the sapo as printed, with or without its agency tag.
- body: every truth paragraph appears in the text, in order.
- clean: no text line is boilerplate (menus, boxes, captions, byline, source line, masthead date,
  footer, "Phản hồi"...), the title or the lead; no boilerplate of 25+ characters inside a line
  (unless the article's own text says it too, as a body may name the site's owner).
- published: equal to the minute, offset +07:00 (a page that prints only a day means local
  midnight, or that day at the time its URL id carries: VCCorp ids are the publication time).
  When the page states no time: None, or the right local day at midnight (the day its image
  paths and first sentence give away), never another day.
- author: None when there is no byline; a placeholder byline (PV, BTV...) may be kept or dropped;
  else the same names, compared case-insensitively, without the role label ("Bài và ảnh:") and
  without a bracketed note ("(tổng hợp)": kept or dropped); truth's upper-case bylines are split
  into their names as the record's are.
- source: the syndication source's name ("TTXVN" from "Theo TTXVN"), else None.
- category, tags (as a set), canonical URL: equal.
- images: the body images in order, same absolute src, caption equal (each caption once).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from replica.generator.truth import Truth

FIELDS = (
    "is_article", "title", "lead", "body", "clean", "published", "author", "source", "category", "tags",
    "images", "canonical",
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_NAME_SEP = re.compile(r"\s*(?:,|;|&|\s[-–]\s|\svà\s)\s*")
#: A bracketed note after a name ("Minh Anh (tổng hợp)"): how the piece was made, not who.
_NOTE = re.compile(r"\s*\([^()]*\)$")
_VN = timedelta(hours=7)
_VN_TZ = timezone(_VN)
_LONG_BOILERPLATE = 25


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""


def norm(text: str | None) -> str:
    """NFC, every whitespace run (NBSP included) as one space, stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _equal(got: str | None, want: str | None) -> Verdict:
    if norm(got) == norm(want):
        return Verdict(True)
    return Verdict(False, f"got {_short(norm(got))!r}, want {_short(norm(want))!r}")


def _lead(got: str | None, truth: Truth) -> Verdict:
    if truth.lead is None:
        return Verdict(not norm(got), f"no sapo on the page, got {_short(norm(got))!r}")
    forms = {norm(truth.lead), norm(truth.lead.removeprefix(truth.agency or ""))}
    if norm(got) in forms:
        return Verdict(True)
    return Verdict(False, f"got {_short(norm(got))!r}, want {_short(norm(truth.lead))!r}")


def _body(text: str, truth: Truth) -> Verdict:
    flat = norm(text)
    pos = 0
    for i, para in enumerate(truth.paragraphs):
        found = flat.find(norm(para), pos)
        if found < 0:
            where = "out of order" if norm(para) in flat else "missing"
            return Verdict(
                False, f"paragraph {i + 1}/{len(truth.paragraphs)} {where}: {_short(norm(para))!r}"
            )
        pos = found + len(norm(para))
    return Verdict(True)


def _clean(text: str, truth: Truth) -> Verdict:
    lines = [norm(x) for x in text.split("\n") if norm(x)]
    banned = {norm(b): "boilerplate" for b in truth.boilerplate}
    banned[norm(truth.title)] = "title"
    if truth.lead:
        banned[norm(truth.lead)] = banned[norm(truth.lead.removeprefix(truth.agency or ""))] = "lead"
    article = " ".join(norm(p) for p in truth.paragraphs)
    long = [b for b in banned if len(b) >= _LONG_BOILERPLATE and b not in article]
    for line in lines:
        if line in banned:
            return Verdict(False, f"{banned[line]} line in body: {_short(line)!r}")
        for b in long:
            if b in line:
                return Verdict(False, f"{banned[b]} inside a body line: {_short(b)!r}")
    return Verdict(True)


def _published(got: str | None, truth: Truth, day: date) -> Verdict:
    if truth.published is None:
        guess = datetime.combine(day, time(), _VN_TZ).isoformat()
        return Verdict(got in (None, guess), f"the page states no date, got {got!r}")
    want = truth.published.replace(second=0, microsecond=0)
    if got is None:
        return Verdict(False, f"none found, want {want.isoformat()}")
    try:
        value = datetime.fromisoformat(got)
    except ValueError:
        return Verdict(False, f"unparsable {got!r}")
    if value.utcoffset() != _VN:
        return Verdict(False, f"offset of {got!r} is not +07:00")
    if value.replace(second=0, microsecond=0) != want and not _url_stamped(value, truth):
        day_only = "" if truth.published_has_time else " (the page gives a day only)"
        return Verdict(False, f"got {got}, want {want.isoformat()}{day_only}")
    return Verdict(True)


def _url_stamped(value: datetime, truth: Truth) -> bool:
    """A day-only page whose URL id carries that day's publication time (VCCorp "102yymmddHHMMSS")."""
    stamp = value.strftime("%y%m%d%H%M")
    return not truth.published_has_time and re.search(rf"-10\d{stamp}", truth.canonical_url) is not None


def _names(byline: str | None) -> set[str]:
    """The names of a byline, case-folded, each without a bracketed note ("(tổng hợp)")."""
    return {_NOTE.sub("", n).casefold() for n in _NAME_SEP.split(norm(byline)) if _NOTE.sub("", n)}


def _author(got: str | None, truth: Truth) -> Verdict:
    if not truth.authors:
        return Verdict(not norm(got), f"no byline on the page, got {norm(got)!r}")
    if truth.placeholder_author and not norm(got):
        return Verdict(True)
    if _names(got) == {n for a in truth.authors for n in _names(a)}:
        return Verdict(True)
    return Verdict(False, f"got {norm(got)!r}, want {' - '.join(truth.authors)!r} (printed {truth.byline!r})")


def _images(got: list[dict], truth: Truth) -> Verdict:
    want = [(p.src, norm(p.caption)) for p in truth.images]
    have = [(i.get("src"), norm(i.get("caption"))) for i in got or []]
    if have == want:
        return Verdict(True)
    if [s for s, _ in have] != [s for s, _ in want]:
        return Verdict(False, f"{len(have)} images, want {len(want)} (srcs differ)")
    bad = next(i for i, (h, w) in enumerate(zip(have, want, strict=True)) if h != w)
    return Verdict(False, f"caption {bad + 1}: got {_short(have[bad][1])!r}, want {_short(want[bad][1])!r}")


def check(record: dict, truth: Truth, is_article: bool) -> dict[str, Verdict]:
    """Per-field verdicts (keys in ``FIELDS`` order) of ``record`` against ``truth``."""
    text = record.get("text") or ""
    tags_ok = {norm(x) for x in record.get("tags") or []} == {norm(x) for x in truth.tags}
    verdicts = {
        "is_article": Verdict(is_article, f"rejected (flags {record.get('flags')})"),
        "title": _equal(record.get("title"), truth.title),
        "lead": _lead(record.get("lead"), truth),
        "body": _body(text, truth),
        "clean": _clean(text, truth),
        "published": _published(record.get("published"), truth, truth.published_day),
        "author": _author(record.get("author"), truth),
        "source": _equal(record.get("source"), truth.source),
        "category": _equal(record.get("category"), truth.category),
        "tags": Verdict(tags_ok, f"got {record.get('tags')}, want {truth.tags}"),
        "images": _images(record.get("images") or [], truth),
        "canonical": _equal(record.get("canonical_url"), truth.canonical_url),
    }
    return {name: Verdict(True) if v.ok else v for name, v in verdicts.items()}
