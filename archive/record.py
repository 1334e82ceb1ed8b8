"""The article record: the one contract between extraction, the store, export and the benchmarks.

Conventions every component codes against:

- every field is always present; absent values are None or empty lists, and ``flags`` says why;
- text fields are NFC with the publisher's tone placement (hóa stays hóa, hoá stays hoá);
- ``published``/``modified`` are ISO 8601 with the site's offset ("+07:00"). A source that gives
  only a day yields local midnight ("2022-09-14T00:00:00+07:00") plus the flag
  ``published-date-only``; ``published_source`` says where it came from: "jsonld", "meta",
  "nextdata", "time" (``<time datetime>`` near the title), "dateline" (the article's own date
  line), "url" (a date in the URL), "htmldate" (htmldate's markup-only search, last resort);
- ``lead`` stays as published; an agency tag it opens with ("(TG) - ", "QĐND - ") is also
  ``lead_tag``; ``author`` is the byline as printed without its role label, ``bylines`` the
  same split into names with role, person-or-desk and facet form; ``source`` the syndication
  line ("Nguồn: TTXVN", "Theo TTXVN");
- ``encoding`` is the codec the bytes were read with (None when the input was already text);
- ``flags``: input ("empty", "not-html", "truncated", "extraction-error"), decoding
  ("encoding-guessed", "unknown-charset", "replacement-chars", "legacy-font-encoding": TCVN3/VNI
  font-encoded text, stored as read), content ("no-title", "no-body", "no-date",
  "published-date-only", "nextdata": read from the page's Next.js JSON) and page kind
  ("listing", "not-found": archive.extract.is_article() is then False; "declared-article": an
  undated page typed as an article by og:type or JSON-LD, its headline over its text).

The store keeps ``RECORD_COLUMNS`` as columns of ``articles`` and ``article_versions`` (lists as
JSON); ``images`` and ``related`` also go to their own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypedDict


class Image(TypedDict):
    """One picture of the article and its caption, as printed once."""

    src: str
    caption: str | None


class Byline(TypedDict):
    """One name of a byline: as printed, its role label, whether it names a person, its facet form."""

    name: str
    #: The printed role label in sentence case ("Bài và ảnh", "Tin, ảnh"), None without one.
    role: str | None
    #: False for a desk or agency ("PV", "BTV", "ĐCSVN", "Ban biên tập", "Nhóm PV").
    person: bool
    #: The name for facets: upper-case printed names in normal case ("SƠN BÌNH" -> "Sơn Bình").
    facet: str


class Link(TypedDict):
    """One editorial link to another article ("Các tin khác") and the section it was listed under."""

    url: str
    title: str
    section: str


@dataclass
class Record:
    """One page's extracted article; ``as_dict`` is what ``archive.extract.extract`` returns."""

    url: str
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    lead: str | None = None
    #: The agency tag the lead (or the first paragraph) opens with: "(TG) - " -> "TG".
    lead_tag: str | None = None
    text: str = ""
    author: str | None = None
    bylines: list[Byline] = field(default_factory=list)
    source: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    language: str | None = None
    published: str | None = None
    published_source: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    encoding: str | None = None
    flags: list[str] = field(default_factory=list)
    extractor: str = ""
    extractor_version: str = ""
    trafilatura_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (JSON-ready), fields in declaration order; lists are shared."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """A record from a dict such as ``as_dict`` gives (unknown keys ignored)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


#: Every field of a record, in order.
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Record))

#: Record fields the archive stores as columns as they are (JSON for lists), and their types.
RECORD_COLUMNS: dict[str, type] = {
    "site": str,
    "title": str,
    "lead": str,
    "lead_tag": str,
    "text": str,
    "author": str,
    "bylines": str,
    "source": str,
    "category": str,
    "tags": str,
    "images": str,
    "published": str,
    "published_source": str,
    "published_raw": str,
    "modified": str,
    "language": str,
    "canonical_url": str,
    "flags": str,
    "extractor": str,
    "extractor_version": str,
}

#: Provenance fields: a change in them alone makes no new version of an article.
PROVENANCE_FIELDS = frozenset({"extractor", "extractor_version", "flags", "canonical_url"})
