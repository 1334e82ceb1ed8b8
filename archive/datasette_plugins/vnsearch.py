"""Datasette plugin: Vietnamese search in the ordinary search box, and safe highlighted snippets.

Loaded with ``--plugins-dir`` by ``archive.serve``. The query syntax lives in archive.search.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

from archive.search import build_fts_query, snippet


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
