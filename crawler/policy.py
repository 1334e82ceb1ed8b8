"""When to look at a known article again: new articles are edited most, old ones rarely.

A pure function of dates, so the policy is tested without a crawl.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from archive.crawlstate import parse_time

#: (article younger than, re-check at most every): the first match wins.
RECHECK_SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=14), timedelta(days=1)),
    (timedelta(days=90), timedelta(days=7)),
    (timedelta(days=365), timedelta(days=30)),
)
#: Re-check interval for anything older than the schedule covers.
RECHECK_OLD = timedelta(days=90)


def recheck_interval(published: datetime | None, now: datetime) -> timedelta:
    age = now - published if published else timedelta.max
    for younger_than, every in RECHECK_SCHEDULE:
        if age < younger_than:
            return every
    return RECHECK_OLD


def recheck_due(state: dict, now: datetime) -> bool:
    """Whether a known article (its last check, publication and first sighting) is due for a re-check."""
    last_checked = parse_time(state.get("last_checked"))
    if last_checked is None:
        return True
    published = parse_time(state.get("published")) or parse_time(state.get("first_seen"))
    return now - last_checked >= recheck_interval(published, now)


def changed_since_check(lastmod: str | None, state: dict) -> bool | None:
    """What a sitemap ``lastmod`` says: True changed since our last check, False not, None unknown."""
    modified, checked = parse_time(lastmod), parse_time(state.get("last_checked"))
    if modified is None or checked is None:
        return None
    return modified > checked


#: How long a page judged not an article (a gallery, a video page a sitemap lists) is left alone
#: when nothing says it changed: its verdict is re-read from the archive, not from the site.
NOT_ARTICLE_RECHECK = timedelta(days=30)


def not_article_due(judged_at: datetime | None, lastmod: str | None, now: datetime) -> bool:
    """Whether a page last judged not an article should be fetched again.

    Yes when a sitemap ``lastmod`` says it changed since, or after NOT_ARTICLE_RECHECK without
    news; ``vnarchive reextract`` re-judges stored pages when the extractor improves.
    """
    if judged_at is None:
        return True
    changed = changed_since_check(lastmod, {"last_checked": judged_at})
    if changed is not None:
        return changed
    return now - judged_at >= NOT_ARTICLE_RECHECK
