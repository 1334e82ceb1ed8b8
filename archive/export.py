"""CSV exports and dated snapshots of the archive, with a manifest that makes them citable.

The CSVs start with a UTF-8 byte-order mark: without it Excel reads UTF-8 as the machine's
legacy code page and Vietnamese turns into mojibake; LibreOffice, Python (``utf-8-sig``) and R
read it as what it is. Cells are the archive's bytes, whatever they start with, so a cell such
as ``=HYPERLINK(...)`` is a formula to a spreadsheet that opens the file directly;
``articles.safe.csv`` is the articles table for spreadsheets, with such cells neutralised.

Read-only towards the archive: the database is opened ``mode=ro`` and read in one transaction,
so an export taken during a crawl is one consistent state. Output is written under a temporary
name and renamed into place at the end: a crash or a bad argument leaves nothing half-written
under the final name. ``verify`` re-checks a snapshot or export against its manifest.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive import store

MANIFEST = "manifest.json"
DATABASE_FILE = "archive.db"  # served at /archive, where metadata.yml expects it
#: A snapshot's ``datasette inspect`` data (``vnarchive serve --snapshot`` passes it to Datasette).
INSPECT_FILE = "inspect-data.json"
FORMAT = "vnarchive-export/1"

#: Tables exported as CSV, in manifest order. Raw bodies stay in the database: they are the
#: evidence, but binary and large; captures.csv carries their sha256.
TABLES = (
    "articles",
    "article_versions",
    "article_events",
    "article_images",
    "article_links",
    "article_tags",
    "captures",
    "crawl_runs",
)
#: Columns that exist only for search (folded text): derived, never exported.
SEARCH_ONLY_SUFFIX = "_fold"
#: Columns never published: which machine ran a crawl, as which process. Left out of the CSVs
#: and emptied (NULL) in a snapshot's database; the live archive keeps them for the crawler.
WITHHELD_COLUMNS = {"crawl_runs": ("pid", "host")}
SOFTWARE = ("vnarchive", "scrapy", "trafilatura", "sqlite-utils", "datasette")
#: Excel takes a UTF-8 file for the machine's legacy code page unless it starts with this.
BOM = codecs.BOM_UTF8
#: The table also written for spreadsheets, and the name of that copy.
SPREADSHEET_TABLE = "articles"
SPREADSHEET_COPY = "articles.safe.csv"
#: A cell starting with one of these is read as a formula by Excel, LibreOffice and Google
#: Sheets (OWASP, "CSV injection"): in the spreadsheet copy it gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number ("-7", "+3.5e2") is no formula: left as it is, so that it stays a number.
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class ExportError(Exception):
    """An archive or output directory that cannot be used; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def open_readonly(db_path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an archive, or ExportError saying why there is none."""
    path = Path(db_path)
    if not path.exists():
        raise ExportError(f"no database at {path}")
    if not path.is_file():
        raise ExportError(f"{path} is not a file")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        try:
            store.check_archive(conn, path)
        except store.ArchiveError as exc:
            raise ExportError(str(exc)) from exc
        yield conn
    finally:
        conn.close()


# -- writing CSV --------------------------------------------------------------------------


class _HashingFile:
    """What csv.writer writes to: UTF-8 bytes to a file, hashed and counted on the way."""

    def __init__(self, f):
        self.f, self.sha256, self.size = f, hashlib.sha256(), 0

    def write(self, text: str) -> None:
        self.write_bytes(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.f.write(data)


def quote_identifier(name: str) -> str:
    """A table or column name as an SQL identifier, whatever characters it holds.

    SQL's own quoting (double quotes, doubled inside): ``[name]`` breaks on a ``]`` in the name.
    """
    return '"' + name.replace('"', '""') + '"'


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The exported columns: all but the search-only folded copies and the withheld ones."""
    info = conn.execute("select name from pragma_table_info(?)", [table]).fetchall()
    withheld = WITHHELD_COLUMNS.get(table, ())
    return [row[0] for row in info if not row[0].endswith(SEARCH_ONLY_SUFFIX) and row[0] not in withheld]


def _csv_field(column: str) -> str:
    """SQL writing one NULL, integer or text value as csv.writer does (excel dialect, minimal quoting)."""
    x = quote_identifier(column)
    special = " or ".join(f"instr({x}, {c})" for c in ("','", "char(10)", "'\"'", "char(13)"))
    return (
        f"case when {x} is null then '' when typeof({x}) = 'integer' then cast({x} as text) "
        f"when {special} then '\"' || replace({x}, '\"', '\"\"') || '\"' else {x} end"
    )


def _lines_sql(table: str, columns: list[str]) -> str:
    """Each row of ``table`` as its CSV line built by SQLite, in rowid order, flagged if it can't be.

    Rowid order reads the table sequentially: publication order for ``articles`` (its rowid is
    a time key, see archive.store), archiving order for the other tables. (Ordering ``articles``
    by its text key walks the url index and reads rows at random, several times slower once the
    archive no longer fits in memory.) Read as bytes, the lines skip the decode, csv.writer and
    re-encode of every value, which bound the export on a large archive: 2x less CPU per row.
    printf formats the line in one pass (``||`` would copy the growing line once per column) but
    stops at a NUL, and SQLite can't write a real or a blob as Python does: such rows are flagged.
    """
    line = f"printf('{','.join(['%s'] * len(columns))}' || char(13, 10), {', '.join(_csv_field(c) for c in columns)})"
    odd = " or ".join(
        f"case typeof({q}) when 'text' then instr({q}, char(0)) when 'integer' then 0 when 'null' then 0 else 1 end"
        for q in map(quote_identifier, columns)
    )
    return f"select rowid, {odd}, {line} from {quote_identifier(table)} order by rowid"


def _write_table(conn: sqlite3.Connection, table: str, sink: _HashingFile) -> tuple[int, list[str]]:
    """Write ``table`` as CSV (header row, CRLF as RFC 4180) into ``sink``; its row count and columns.

    A flagged row is read again and written by csv.writer: the bytes are the same either way.
    """
    columns = _columns(conn, table)
    writer = csv.writer(sink)
    writer.writerow(columns)
    one_row = (
        f"select {', '.join(map(quote_identifier, columns))} from {quote_identifier(table)} where rowid = ?"
    )
    rows = 0
    conn.text_factory = bytes
    try:
        for rowid, odd, line in conn.execute(_lines_sql(table, columns)):
            if odd:
                conn.text_factory = str
                writer.writerow(conn.execute(one_row, [rowid]).fetchone())
                conn.text_factory = bytes
            else:
                sink.write_bytes(line)
            rows += 1
    finally:
        conn.text_factory = str
    return rows, columns


def _write_csvs(conn: sqlite3.Connection, out: Path) -> dict[str, dict[str, Any]]:
    """One CSV per table, streamed row by row; their entries."""
    present = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    files = {}
    for table in (t for t in TABLES if t in present):
        name = f"{table}.csv"
        with (out / name).open("wb") as f:
            sink = _HashingFile(f)
            sink.write_bytes(BOM)
            rows, columns = _write_table(conn, table, sink)
        files[name] = {
            "table": table,
            "rows": rows,
            "bytes": sink.size,
            "sha256": sink.sha256.hexdigest(),
            "columns": columns,
        }
    return files


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a leading apostrophe if it would be a formula."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _write_spreadsheet_copy(out: Path, files: dict[str, dict[str, Any]]) -> None:
    """``articles.safe.csv``: articles.csv read back, each cell through spreadsheet_safe; its entry.

    A copy beside the faithful file, not instead of it: the archive's CSVs hold what was
    published, byte for byte, and are what a checksum vouches for. Read back from the file just
    written, the copy differs from it in the neutralised cells only.
    """
    source = f"{SPREADSHEET_TABLE}.csv"
    if source not in files:
        return
    with (
        (out / source).open(encoding="utf-8-sig", newline="") as f_in,
        (out / SPREADSHEET_COPY).open("wb") as f,
    ):
        sink = _HashingFile(f)
        sink.write_bytes(BOM)
        writer = csv.writer(sink)
        reader = csv.reader(f_in)
        writer.writerow(next(reader))
        rows = neutralised = 0
        for row in reader:
            safe = [spreadsheet_safe(cell) for cell in row]
            neutralised += sum(a is not b for a, b in zip(safe, row, strict=True))
            writer.writerow(safe)
            rows += 1
    files[SPREADSHEET_COPY] = {
        "table": SPREADSHEET_TABLE,
        "copy_of": source,
        "rows": rows,
        "bytes": sink.size,
        "sha256": sink.sha256.hexdigest(),
        "columns": files[source]["columns"],
        "neutralised_cells": neutralised,
    }


def _describe(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the data is: schema, crawl window, extractors, and the software that made it."""

    def one(sql: str) -> list:
        return list(conn.execute(sql).fetchone())

    runs = one("select min(started_at), max(started_at), min(finished_at), max(finished_at) from crawl_runs")
    fetches = one("select min(fetched_at), max(fetched_at) from captures")
    db = Database(conn)
    extractors = [
        {"extractor": e, "extractor_version": v, "articles": n}
        for e, v, n in conn.execute(
            "select extractor, extractor_version, count(*) from articles group by 1, 2 order by 1, 2"
        )
    ]
    software = {}
    for name in SOFTWARE:
        try:
            software[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            software[name] = None
    software["sqlite"] = sqlite3.sqlite_version
    return {
        "schema_version": store.schema_version(db),
        "crawl_window": {
            "first_run_started": runs[0],
            "last_run_started": runs[1],
            "first_run_finished": runs[2],
            "last_run_finished": runs[3],
            "first_fetch": fetches[0],
            "last_fetch": fetches[1],
        },
        "extractors": extractors,
        "software": software,
    }


# -- output directories ---------------------------------------------------------------------


@contextmanager
def _staging(final: Path) -> Iterator[Path]:
    """A fresh temporary directory beside ``final``, removed on failure; the caller renames it.

    Directories created on the way to ``final``'s parent are removed too on failure, if still
    empty: a failed snapshot leaves no empty ``--out`` behind.
    """
    parent = final.parent
    created: list[Path] = []  # deepest last
    try:
        if parent.exists() and not parent.is_dir():
            raise ExportError(f"cannot write to {parent}: not a directory")
        missing = parent
        while not missing.exists() and missing != missing.parent:
            created.insert(0, missing)
            missing = missing.parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".{final.name}.partial-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
    except OSError as exc:
        _remove_empty(created)
        raise ExportError(f"cannot write to {parent}: {exc.strerror or exc}") from exc
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        raise


def _remove_empty(directories: list[Path]) -> None:
    """rmdir the directories this code created, deepest first, as long as they are empty."""
    for directory in reversed(directories):
        try:
            directory.rmdir()
        except OSError:
            return


def _publish(tmp: Path, final: Path) -> None:
    try:
        os.rename(tmp, final)  # atomic; also replaces an empty directory
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"cannot create {final}: {exc.strerror or exc}") from exc


def _check_target(out_dir: Path) -> None:
    try:
        in_use = out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir()))
    except OSError as exc:  # ENAMETOOLONG, EACCES, ELOOP...
        raise ExportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    if in_use:
        raise ExportError(f"{out_dir} already exists and is not an empty directory")


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")


def export_csv(db_path: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Write the archive's tables as CSV plus ``manifest.json`` into ``out_dir`` (new or empty).

    Returns the manifest: per file its sha256 and row count, and what a citation needs (schema
    version, crawl window, extractor and library versions, an id, the creation time).
    """
    out_dir = Path(out_dir)
    _check_target(out_dir)
    created = _now()
    with open_readonly(db_path) as conn, _staging(out_dir) as tmp:
        conn.execute("begin")  # one read transaction: every file from the same state
        try:
            files = _write_csvs(conn, tmp)
            _write_spreadsheet_copy(tmp, files)
            described = _describe(conn)
        except OSError as exc:  # EFBIG, ENOSPC, EIO: the partial directory is removed
            raise ExportError(f"cannot write {out_dir}: {exc.strerror or exc}") from exc
        finally:
            conn.execute("rollback")
        short = hashlib.sha256("".join(f["sha256"] for f in files.values()).encode()).hexdigest()[:8]
        manifest = {
            "format": FORMAT,
            "snapshot_id": f"export-{_stamp(created)}-{short}",
            "created_at": created.isoformat(),
            "source_database": Path(db_path).name,
            **described,
            "files": files,
        }
        try:
            _write_manifest(tmp, manifest)
        except OSError as exc:
            raise ExportError(f"cannot write {out_dir}: {exc.strerror or exc}") from exc
        _publish(tmp, out_dir)
    return manifest


def snapshot(db_path: str | Path, out_dir: str | Path) -> Path:
    """A dated, immutable copy of the archive (VACUUM INTO) with its CSVs and manifest.

    Creates ``out_dir/snapshot-YYYYMMDDTHHMMSSZ-<first 8 hex of the database's sha256>`` and
    returns it. The copy is consistent even during a crawl, and its files are made read-only.
    """
    out_dir = Path(out_dir)
    created = _now()
    placeholder = out_dir / f"snapshot-{_stamp(created)}"
    with open_readonly(db_path) as conn, _staging(placeholder) as tmp:
        copy = tmp / DATABASE_FILE
        try:
            conn.execute("vacuum into ?", [str(copy)])
        except sqlite3.Error as exc:
            raise ExportError(f"cannot copy {db_path}: {exc}") from exc
        try:
            with closing(sqlite3.connect(copy, isolation_level=None)) as c:
                c.execute("pragma journal_mode=delete")  # one self-contained file, no -wal/-shm
                _empty_withheld(c)
            db_sha = sha256_file(copy)
            final = out_dir / f"{placeholder.name}-{db_sha[:8]}"
            _check_target(final)
            with open_readonly(copy) as snap:
                files = _write_csvs(snap, tmp)
                described = _describe(snap)
            _write_spreadsheet_copy(tmp, files)
            files[INSPECT_FILE] = _write_inspect(copy, tmp / INSPECT_FILE, db_sha)
            manifest = {
                "format": FORMAT,
                "snapshot_id": final.name,
                "created_at": created.isoformat(),
                "source_database": Path(db_path).name,
                "database": {"file": DATABASE_FILE, "bytes": copy.stat().st_size, "sha256": db_sha},
                **described,
                "files": files,
            }
            _write_manifest(tmp, manifest)
            for path in tmp.iterdir():
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        except (OSError, sqlite3.Error) as exc:  # EFBIG, ENOSPC, EIO: the partial directory is removed
            raise ExportError(f"cannot write {out_dir}: {getattr(exc, 'strerror', None) or exc}") from exc
        _publish(tmp, final)
    return final


def _write_inspect(db_path: Path, path: Path, db_sha: str) -> dict[str, Any]:
    """``datasette inspect``'s data for a snapshot's database: its sha256, size and every table's rows.

    An immutable database served without it is hashed whole at start-up, and every view of a
    table without a filter counts the table again (a million articles: a scan per page view);
    with it Datasette takes both from here. Counted once, as ``datasette inspect`` counts them.
    """
    with open_readonly(db_path) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        counts = {
            t: {"count": conn.execute(f"select count(*) from {quote_identifier(t)}").fetchone()[0]}
            for t in tables
        }
    data = {
        db_path.stem: {"hash": db_sha, "size": db_path.stat().st_size, "file": db_path.name, "tables": counts}
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return {"bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _empty_withheld(conn: sqlite3.Connection) -> None:
    """NULL the withheld columns in a snapshot's copy (which is then served and downloadable).

    ``secure_delete`` overwrites the old values with zeros where they were, so that no trace of
    them is left in the file. (A VACUUM afterwards did the same, but rewrote the whole copy
    through a temporary database and a journal as large: three times the archive in free disk,
    more than a 1M-article snapshot's machine had.)
    """
    conn.execute("pragma secure_delete = on")
    present = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    for table, columns in WITHHELD_COLUMNS.items():
        have = {r[0] for r in conn.execute("select name from pragma_table_info(?)", [table])}
        sets = ", ".join(f"{quote_identifier(c)} = null" for c in columns if c in have)
        if table in present and sets:
            conn.execute(f"update {quote_identifier(table)} set {sets}")


# -- verification ---------------------------------------------------------------------------


def _csv_rows(path: Path) -> int:
    """Data rows of a CSV, with or without the byte-order mark (exports before it had none)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _check_entry(directory: Path, name: str, entry: dict[str, Any]) -> list[str]:
    """What is wrong with one file of the manifest: nothing, or lines saying what."""
    path = directory / name
    if not name or Path(name).name != name or name in (".", "..") or path.is_symlink():
        # '../x', '/abs/x', 'sub/x' or a link: never hashed, so never vouched for
        return [f"{name}: not a file of this directory"]
    if not path.is_file():
        return [f"{name}: missing"]
    problems = []
    size = path.stat().st_size
    if size != entry.get("bytes"):
        problems.append(f"{name}: size {size} bytes, manifest says {entry.get('bytes')}")
    actual = sha256_file(path)
    if actual != entry.get("sha256"):
        problems.append(f"{name}: sha256 {actual}, manifest says {entry.get('sha256')}")
    elif "rows" in entry and name.endswith(".csv"):
        try:
            rows = _csv_rows(path)
        except (UnicodeDecodeError, csv.Error) as exc:
            return [*problems, f"{name}: not readable CSV ({exc})"]
        if rows != entry["rows"]:
            problems.append(f"{name}: {rows} rows, manifest says {entry['rows']}")
    return problems


def verify(snapshot_dir: str | Path) -> list[str]:
    """Every way the directory differs from its manifest, one line each; empty means intact."""
    directory = Path(snapshot_dir)
    if not directory.is_dir():
        return [f"{directory}: not a directory"]
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        expected = dict(manifest["files"])
    except FileNotFoundError:
        return [f"{directory}: no {MANIFEST}"]
    except OSError as exc:
        return [f"{MANIFEST}: unreadable ({exc.strerror or exc})"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{MANIFEST}: unreadable ({exc})"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST}: unreadable (not an object)"]
    database = manifest.get("database")
    if database:
        if not isinstance(database, dict) or not isinstance(database.get("file"), str):
            return [f"{MANIFEST}: unreadable (database is not an object with a file name)"]
        expected[database["file"]] = database
    if not all(isinstance(entry, dict) for entry in expected.values()):
        return [f"{MANIFEST}: unreadable (a files entry is not an object)"]
    problems = []
    for name, entry in expected.items():
        try:
            problems += _check_entry(directory, name, entry)
        except OSError as exc:
            problems.append(f"{name}: unreadable ({exc.strerror or exc})")
    for path in sorted(directory.iterdir()):
        if path.name != MANIFEST and path.name not in expected:
            problems.append(f"{path.name}: not in the manifest")
    return problems
