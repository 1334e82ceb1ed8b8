"""What a spider hands to the pipelines: one fetched page, as it came over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    #: The archive's key for the page (archive.urls.canonical_url of where it ended up). Spider.
    url: str
    #: The URL the request was made for, before any redirect. Spider.
    requested_url: str
    #: The URL of the response, after redirects. Spider.
    final_url: str
    #: UTC ISO time the response arrived. Spider.
    fetched_at: str
    #: HTTP status; None when no response came (timeout, reset, DNS). Spider.
    status: int | None
    #: What discovery expected: article, listing, home, sitemap, feed, robots. Spider.
    kind: str
    #: The Content-Type header, which may carry the charset. Spider.
    content_type: str | None = None
    #: Response headers (first value of each). Spider.
    headers: dict[str, str] = field(default_factory=dict)
    #: The raw body as received. Spider.
    body: bytes | None = None
    #: Why the fetch failed, when it did. Spider (errback) or ExtractPipeline.
    error: str | None = None
    #: Why an article page counts as gone (http-404, http-410, redirect, soft-404). Spider / store.
    removed: str | None = None
    #: Why an article page yielded no record (the extractor's flags). ExtractPipeline.
    note: str | None = None
    #: Which of the site's own lists named this article page (sitemap, feed), if one did. Spider.
    listed_by: str | None = None
    #: What a Google News sitemap said of the article (published, title), kept with the capture. Spider.
    news: dict[str, str] | None = None
    #: What the archive made of the page (new, changed, not-article, stored, ...). ArchivePipeline.
    outcome: str | None = None
    #: The extracted record (archive.extract.extract), for article pages. ExtractPipeline.
    record: dict[str, Any] | None = None
