"""Datasette plugin: a chart of publications per month above the articles table and month queries.

The drawing is a small script of ours (vnchart.js, inline SVG), so the page needs no CDN and
works offline. It reads the counts from the page's own JSON, so it follows the filters and the
search of the page: the articles table (``?category=...&_search=...``) or any query whose
columns include ``month`` and ``articles`` (the ``mentions_per_month`` canned query), or ``day``
and ``articles`` (a text cluster's spread, ``cluster_spread_per_day``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from datasette import hookimpl

CHART_TABLE = "articles"
MONTH_COLUMN = "published_month"


@cache
def _script() -> str:
    return (Path(__file__).with_name("vnchart.js")).read_text(encoding="utf-8").strip().rstrip(";")


@hookimpl
def extra_body_script(template, table, columns):
    if template == "table.html" and table == CHART_TABLE:
        config = {"mode": "table", "column": MONTH_COLUMN}
    elif template.startswith("query") and {"month", "articles"} <= set(columns or ()):  # query-<db>.html too
        config = {"mode": "query"}
    elif template.startswith("query") and {"day", "articles"} <= set(columns or ()):
        config = {"mode": "query", "unit": "day"}
    else:
        return None
    return f"{_script()}({json.dumps(config)});"
