"""Datasette plugin: SQLite itself refuses every PRAGMA outside Datasette's allow-list.

Datasette checks custom SQL for ``pragma`` with a regular expression that first drops lines
starting with ``--``; SQLite reads such a line inside a string literal as code, so a pragma
function could hide behind it. An authorizer on every connection closes that gap where it
cannot be argued with: SQLite asks it about each pragma when a statement is prepared, whatever
the SQL text looked like. Allowed: ``datasette.utils.allowed_pragmas`` (what Datasette's own
pages and the allowed ``pragma_*()`` functions use) and ``data_version`` (FTS5 reads it).

The same authorizer withholds ``crawl_runs.pid`` and ``crawl_runs.host`` (which machine ran the
crawl, as which process): SQLite reads them as NULL for every query, table page, filter, facet,
export or custom SQL alike. A public instance has no reason to show them; the crawler's own
connections, which need them, never load this plugin.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.utils import allowed_pragmas

ALLOWED = frozenset({*allowed_pragmas, "data_version"})
#: Datasette's /-/versions page reads compile_options on a private in-memory connection that it
#: names "_memory"; vnarchive serves no _memory database (no --memory, no --crossdb).
ALLOWED_IN_MEMORY = ALLOWED | {"compile_options"}


#: (table, column) pairs read as NULL on the served connections.
WITHHELD = frozenset({("crawl_runs", "pid"), ("crawl_runs", "host")})


def _authorizer(allowed: frozenset[str]):
    def authorize(action, arg1, arg2, db_name, source):
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in allowed:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ and ((arg1 or "").lower(), (arg2 or "").lower()) in WITHHELD:
            return sqlite3.SQLITE_IGNORE
        return sqlite3.SQLITE_OK

    return authorize


@hookimpl
def prepare_connection(conn, database) -> None:
    conn.set_authorizer(_authorizer(ALLOWED_IN_MEMORY if database == "_memory" else ALLOWED))
