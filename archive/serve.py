"""Serve an archive read-only with Datasette: our metadata, plugins and public settings.

The live database (which a crawl may be writing) is opened normally: Datasette reads it through
``mode=ro`` connections and its custom SQL is SELECT-only, and no plugin that writes is loaded.
Only a snapshot, which nothing writes any more, is served immutable (``-i``), which lets
Datasette skip locking and offer the file for download; with the snapshot's inspect data
(``archive.export.INSPECT_FILE``) Datasette neither hashes the file at start-up nor counts a
table again for each page that shows it unfiltered.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from archive import store
from archive.export import INSPECT_FILE

PACKAGE_DIR = Path(__file__).resolve().parent
PLUGINS_DIR = PACKAGE_DIR / "datasette_plugins"
#: Where metadata.yml is: archive/metadata.yml, a symlink to the repository's metadata.yml
#: (setuptools copies it into the wheel as package data).
METADATA_PATH = PACKAGE_DIR / "metadata.yml"
DATABASE_NAME = "archive"

#: Settings for a public, read-only server (``--setting NAME VALUE``). Datasette 1.0 moves
#: settings out of metadata, so they live here rather than in metadata.yml.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,  # ranked FTS over the whole archive needs more than the 1 s default
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 1000,  # the monthly chart is a facet over the filtered rows
    "default_facet_size": 30,
    "suggest_facets": False,  # guessing facets scans every column of a large table per page view
    "truncate_cells_html": 300,  # article texts are long; the row page shows them whole
    "allow_csv_stream": True,
    "max_csv_mb": 100,
    "default_cache_ttl": 60,
}


class ServeError(Exception):
    """A database that cannot be served; the message says why."""


def check_database(path: Path) -> None:
    """Refuse, with one clear message, a file Datasette would fail on with a traceback."""
    if not path.exists():
        raise ServeError(f"no database at {path}")
    if path.is_dir():
        raise ServeError(f"{path} is a directory, not a database")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ServeError(f"cannot open {path} ({exc})") from exc
    try:
        try:
            store.check_archive(conn, path)
        except store.ArchiveError as exc:
            raise ServeError(str(exc)) from exc
    finally:
        conn.close()


def check_port(host: str, port: int) -> None:
    """Refuse, with one clear message, an address Datasette could not listen on (e.g. in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise ServeError(f"cannot listen on {host}: {getattr(exc, 'strerror', None) or exc}") from exc
    family, type_, proto, _, address = infos[0]
    try:
        with socket.socket(family, type_, proto) as probe:
            # as uvicorn does: a port with only TIME_WAIT connections left is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ServeError(f"port {port} on {host} is in use: {exc.strerror or exc}") from exc


def load_metadata(database_name: str = DATABASE_NAME) -> dict:
    """metadata.yml as a dict, its database entry keyed by ``database_name`` (the file's stem)."""
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    if database_name != DATABASE_NAME:
        databases = metadata.get("databases", {})
        databases[database_name] = databases.pop(DATABASE_NAME, {})
    return metadata


def inspect_file(db_path: Path, immutable: bool) -> Path | None:
    """The inspect data beside a snapshot's database, if it has one (snapshots made since it was added)."""
    path = Path(db_path).parent / INSPECT_FILE
    return path if immutable and path.is_file() else None


def datasette_args(
    db_path: Path,
    metadata_path: Path,
    *,
    host: str,
    port: int,
    immutable: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """The arguments of ``datasette serve`` for one archive database; ``settings`` override ours."""
    args = ["-i", str(db_path)] if immutable else [str(db_path)]
    if inspect_file(db_path, immutable):
        args += ["--inspect-file", str(inspect_file(db_path, immutable))]
    args += ["--metadata", str(metadata_path), "--plugins-dir", str(PLUGINS_DIR)]
    args += ["--host", host, "--port", str(port)]
    for name, value in {**SETTINGS, **(settings or {})}.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        args += ["--setting", name, str(value)]
    return args


def serve(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    immutable: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> None:
    """Run Datasette on the archive in this process until it is interrupted or terminated.

    In process rather than as a child, so that a signal to ``vnarchive serve`` stops the server
    too, and the metadata written for a database not named archive.db is cleaned up after it.
    """
    from datasette.cli import serve as datasette_serve

    db_path = Path(db_path)
    check_database(db_path)
    with tempfile.TemporaryDirectory(prefix="vnarchive-serve-") as tmp:
        metadata_path = METADATA_PATH
        if db_path.stem != DATABASE_NAME:
            metadata_path = Path(tmp) / "metadata.json"
            metadata_path.write_text(
                json.dumps(load_metadata(db_path.stem), ensure_ascii=False), encoding="utf-8"
            )
        args = datasette_args(
            db_path, metadata_path, host=host, port=port, immutable=immutable, settings=settings
        )
        datasette_serve.main(args, prog_name="datasette serve", standalone_mode=False)


def build_datasette(db_path: str | Path, *, immutable: bool = False):
    """The same Datasette, in process (tests, scripts): ``await ds.client.get("/archive")``."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    check_database(db_path)
    inspect = inspect_file(db_path, immutable)
    return Datasette(
        files=[] if immutable else [str(db_path)],
        immutables=[str(db_path)] if immutable else [],
        inspect_data=json.loads(inspect.read_text(encoding="utf-8")) if inspect else None,
        metadata=load_metadata(db_path.stem),
        plugins_dir=str(PLUGINS_DIR),
        settings=SETTINGS,
    )
