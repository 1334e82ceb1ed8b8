"""What a generated page says, known by construction: the answer an extractor must give.

Every text is NFC, whatever encoding the page is served in; the checker (``check.py``) compares
an extracted record against this field by field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Picture:
    """A body image: absolute ``src`` and its caption as printed (once, even when the page prints it twice)."""

    src: str
    caption: str | None


@dataclass(slots=True)
class Truth:
    """The article as published on a generated page."""

    title: str
    #: The sapo as printed, agency tag included ("(TG) - Sáng 14/9, ..."); None when the page has none.
    lead: str | None
    #: The agency tag at the head of the lead ("(TG) - "), or None.
    agency: str | None
    #: Body paragraphs in order: no lead, caption, byline, source line or boilerplate among them.
    paragraphs: list[str]
    #: Author names as printed (upper case kept, role label such as "Bài và ảnh:" left out).
    authors: list[str]
    #: True when the byline is a desk placeholder (PV, BTV, ĐCSVN, Ban biên tập), not a person.
    placeholder_author: bool
    #: The byline exactly as printed, role label included, or None.
    byline: str | None
    #: The syndication source ("TTXVN" from "Theo TTXVN"), or None.
    source: str | None
    #: Publication time (+07:00) the page or its URL states; None when it states none.
    published: datetime | None
    #: False when the page gives only a day (then ``published`` is local midnight).
    published_has_time: bool
    #: The real publication day, stated or not (image paths and the first sentence often give it away).
    published_day: date
    category: str
    tags: list[str]
    images: list[Picture]
    canonical_url: str
    #: Lines printed on the page outside the article: none may end up in the extracted body.
    boilerplate: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-friendly form (datetimes as ISO 8601)."""
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        out["published_day"] = self.published_day.isoformat()
        return out
