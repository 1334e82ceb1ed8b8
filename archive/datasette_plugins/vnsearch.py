"""Datasette plugin: Vietnamese search in the ordinary search box, fast at any archive size.

Loaded with ``--plugins-dir`` by ``archive.serve``. The query syntax lives in archive.search.

The search box sends ``?_search=``, for which Datasette selects ``rowid in (every match)``,
sorts all of them by date, then counts and facets them: seconds for a common word in a million
articles. Here ``_search`` on the articles table is renamed ``_vnsearch`` before Datasette sees
it, and this plugin's ``filters_from_request`` builds the filter instead:

- a plain search (no other filter, the default newest-first order) selects only the matches
  that make up the page, read newest first from the FTS index (``archive.search.
  newest_page_rowids``; articles.rowid is a time key), with ``_nocount=vn&_nofacet=vn`` added:
  the count of every match and the facets would cost what the rows no longer do. The page says
  how many match, exactly up to ``COUNT_CAP``; the chart counts every match from the index alone.
- anything else (filters, another sort, facets, CSV streaming) gets Datasette's own filter over
  every match, as before.
Either way the rows, their order and the pagination are Datasette's own.
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import urlsafe_components
from markupsafe import Markup, escape

from archive.search import (
    COUNT_CAP,
    build_fts_query,
    capped_count,
    is_plain_search,
    newest_page_rowids,
    snippet,
)

TABLE = "articles"
FTS_TABLE = "articles_fts"
#: /<database>/articles, .json or .csv: the table pages whose search this plugin answers.
_TABLE_PATH = re.compile(r"^/[^/]+/" + TABLE + r"(\.json|\.csv)?$")
#: Marks the _nocount/_nofacet this plugin adds, so that a later request can tell them from a user's.
OURS = "vn"


# trylast: Datasette's own plugin registers escape_fts on every connection too, and whichever
# runs last wins. Without trylast ours runs first and is silently replaced.
@hookimpl(trylast=True)
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, build_fts_query, deterministic=True)
    conn.create_function("vn_snippet", 3, snippet, deterministic=True)


@hookimpl
def render_cell(value, column, table):
    """Show a query's ``snippet`` column with its <mark> tags as highlights; all else escaped."""
    if table is not None or column != "snippet" or not isinstance(value, str):
        return None
    html = str(escape(value))
    return Markup(html.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def rewrite_query_string(query_string: str) -> str:
    """``_search`` becomes ``_vnsearch``; a plain search gets ``_nocount=vn&_nofacet=vn``.

    Our own markers from an earlier page are dropped first, so adding a filter to a searched
    page brings back the count and the facets.
    """
    pairs = [
        (k, v)
        for k, v in parse_qsl(query_string, keep_blank_values=True)
        if not (k in ("_nocount", "_nofacet") and v == OURS)
    ]
    if any(k == "_search" for k, _ in pairs):  # a new search from the box replaces the old one
        pairs = [(k, v) for k, v in pairs if k != "_vnsearch"]
        pairs = [("_vnsearch" if k == "_search" else k, v) for k, v in pairs]
    args: dict[str, list[str]] = {}
    for k, v in pairs:
        args.setdefault(k, []).append(v)
    if is_plain_search(args):
        pairs += [("_nocount", OURS), ("_nofacet", OURS)]
    return urlencode(pairs)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rename_search(scope, receive, send):
            if scope.get("type") == "http" and _TABLE_PATH.match(scope.get("path", "")):
                query_string = scope.get("query_string", b"").decode("latin-1")
                if "search" in query_string or OURS in query_string:
                    new = rewrite_query_string(query_string).encode("latin-1")
                    scope = {**scope, "query_string": new}
            await app(scope, receive, send)

        return rename_search

    return wrap


@hookimpl
def filters_from_request(request, database, table, datasette):
    if table != TABLE or not request.args.get("_vnsearch", "").strip():
        return None

    async def search_filter() -> FilterArguments:
        query = request.args["_vnsearch"]
        raw = request.args.get("_searchmode") == "raw"
        match = query if raw else build_fts_query(query)
        every_match = FilterArguments(
            [f"rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match :vnmatch)"],
            {"vnmatch": match},
            [f'search matches "{query}"'],
            {"search": query},
        )
        args = {key: request.args.getlist(key) for key in request.args}
        if not is_plain_search(args):
            return every_match
        size = _page_size(request, datasette, database)
        after = _cursor_published(request.args.get("_next"))
        if size is None or after is False:
            return every_match

        def newest(conn: sqlite3.Connection):
            return newest_page_rowids(conn, match, after, size), capped_count(conn, match)

        try:
            rowids, count = await datasette.get_database(database).execute_fn(newest)
        except sqlite3.OperationalError:
            return every_match  # e.g. raw FTS5 syntax error: Datasette reports it as usual
        if rowids is None:
            return every_match
        if count > COUNT_CAP:
            how_many = f"more than {COUNT_CAP:,} articles"
        else:
            how_many = f"{count:,} article{'' if count == 1 else 's'}"
        return FilterArguments(
            ["rowid in (select value from json_each(:vnpage))"],
            {"vnpage": json.dumps(rowids)},
            [f'search matches "{query}" ({how_many}, newest first)'],
            {"search": query},
        )

    return search_filter


def _page_size(request, datasette, database: str) -> int | None:
    """The page size Datasette will use for this request, or None for one it will refuse."""
    size = request.args.get("_size") or datasette.table_metadata(database, TABLE).get("size")
    if size == "max":
        return datasette.max_returned_rows
    if size is None:
        return datasette.page_size
    try:
        value = int(size)
    except ValueError:
        return None
    return value if 0 <= value <= datasette.max_returned_rows else None


def _cursor_published(token: str | None) -> str | None | bool:
    """The publication time in Datasette's ``_next`` token (``published,url``); False if not one."""
    if not token:
        return None
    components = urlsafe_components(token)
    if len(components) != 2 or token.split(",")[0] == "$null":
        return False
    return components[0]
