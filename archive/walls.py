"""Cookie walls and JavaScript challenges: pages that stand between a plain client and the portal.

A portal behind one answers 200 with a small page that sets a cookie from a script and reloads
(or a "checking your browser" screen). Archived, it would be a soft 404 or, worse, a one-line
"article"; the run must say instead that the site blocked it, and why.
"""

from __future__ import annotations

import re

#: Only a small page can be a wall: an article page with a wall-like script is an article.
MAX_WALL_BYTES = 64 * 1024

_SCRIPT_COOKIE_RELOAD = re.compile(
    rb"document\.cookie\s*=[^;]{0,400};[\s\S]{0,2000}?(?:location\.reload|location\.href\s*=|location\.replace|window\.location\s*=)",
    re.IGNORECASE,
)
_PHRASES = (
    (b"checking your browser", "javascript challenge"),
    (b"cf-chl", "javascript challenge"),
    (b"__jschl", "javascript challenge"),
    (b"enable javascript and cookies", "cookie wall"),
    (b"please enable cookies", "cookie wall"),
    ("vui lòng bật javascript".encode(), "javascript challenge"),
    ("vui lòng bật cookie".encode(), "cookie wall"),
    ("trình duyệt của bạn không hỗ trợ cookie".encode(), "cookie wall"),
)


def wall_reason(body: bytes | None) -> str | None:
    """ "cookie wall" or "javascript challenge" when ``body`` is such a page, else None."""
    if not body or len(body) > MAX_WALL_BYTES:
        return None
    lowered = body.lower()
    for phrase, reason in _PHRASES:
        if phrase in lowered:
            return reason
    if _SCRIPT_COOKIE_RELOAD.search(body):
        return "cookie wall"
    return None
