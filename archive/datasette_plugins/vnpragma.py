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

And every served connection is bounded in what one SQL function call can make, because SQLite
checks its time limit (Datasette's progress handler) only between steps, never inside a call:

- no string or blob over ``MAX_LENGTH`` (SQLITE_LIMIT_LENGTH; SQLite's default is 1 GB): a
  ``printf('%.*c', 100000000, 'x')`` or a ``replace()`` that grows is "string or blob too big";
- ``printf()``/``format()`` refuse a width or precision over ``MAX_PRINTF_WIDTH`` the same way:
  SQLite 3.40 repeats ``%.*c`` one character at a time even past the length limit, so a single
  call with precision 2**31 held a SQL thread for seconds whatever the time limit. The check
  runs in Python; the formatting is still SQLite's own, on a private in-memory connection.
"""

from __future__ import annotations

import re
import sqlite3
import threading

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


#: Longest string or blob a served connection makes or reads. Stored values are far shorter: a
#: raw page is at most 8 MiB (crawler/settings.py DOWNLOAD_MAXSIZE) and is kept compressed.
MAX_LENGTH = 16 * 1024 * 1024
#: Largest sum of the widths and precisions of one printf()/format() call (``%.*c`` repeats a
#: character that many times, in one uninterruptible call).
MAX_PRINTF_WIDTH = 1_000_000

#: One directive as SQLite's printf reads it: flags, width (* or digits), precision, length, type.
_DIRECTIVE = re.compile(r"%[-+ #!,0]*(\*|\d+)?(?:\.(\*|\d+))?(?:ll?)?(.)?", re.S)
_local = threading.local()


def _private_connection() -> sqlite3.Connection:
    """This thread's in-memory connection whose builtin printf() does the formatting."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        _local.conn = conn
    return conn


def _as_int(value: object) -> int:
    """A ``*`` argument as SQLite's printf reads it (text and reals cast to integer)."""
    if isinstance(value, int):
        return value
    if value is None:
        return 0
    return _private_connection().execute("select cast(? as integer)", [value]).fetchone()[0]


def check_printf(fmt: object, args: tuple) -> None:
    """Raise OverflowError (SQLite: "string or blob too big") for widths and precisions over the bound."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("utf-8", "replace")
    if not isinstance(fmt, str):
        return  # a number or NULL has no directives
    index = total = 0
    for m in _DIRECTIVE.finditer(fmt):
        width, precision, kind = m.groups()
        for part in (width, precision):
            if part == "*":
                total += abs(_as_int(args[index])) if index < len(args) else 0
                index += 1
            elif part:
                total += int(part) if len(part) <= 9 else MAX_PRINTF_WIDTH + 1
        if total > MAX_PRINTF_WIDTH:
            raise OverflowError(
                f"printf(): widths and precisions add up to {total:,} (at most {MAX_PRINTF_WIDTH:,})"
            )
        if kind is None:
            break  # SQLite stops at a lone % at the end
        if kind != "%":
            index += 1


def bounded_printf(*args: object) -> object:
    """printf()/format() for served connections: SQLite's own, after check_printf."""
    if not args:
        return None
    check_printf(args[0], args[1:])
    marks = ", ".join("?" * len(args))
    try:
        return _private_connection().execute(f"select printf({marks})", args).fetchone()[0]
    except sqlite3.DataError as exc:  # over MAX_LENGTH there too: the same error on the caller's side
        raise OverflowError(str(exc)) from None


@hookimpl
def prepare_connection(conn, database) -> None:
    conn.set_authorizer(_authorizer(ALLOWED_IN_MEMORY if database == "_memory" else ALLOWED))
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)
