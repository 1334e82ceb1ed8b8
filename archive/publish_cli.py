"""The publishing commands of ``vnarchive``: serve, export, snapshot, verify.

Each is a click command that archive/cli.py adds to the ``vnarchive`` group. Bad input ends in
one ``Error: ...`` line and exit code 1, with nothing half-written left behind.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from archive import export as exporting
from archive import serve as serving

DEFAULT_DB = "data/archive.db"

_db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(path_type=Path),
    help="The archive database.",
)


class DatasetteSetting(click.types.CompositeParamType):
    """``NAME VALUE``, checked and typed as ``datasette serve --setting`` does (imported lazily)."""

    name = "setting"
    arity = 2

    def convert(self, value, param, ctx):
        from datasette.cli import Setting

        return Setting().convert(value, param, ctx)


@click.command("serve")
@_db_option
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--snapshot",
    "snapshot_dir",
    type=click.Path(path_type=Path),
    help="Serve this snapshot's database (immutable) instead of --db.",
)
@click.option(
    "--setting",
    "settings",
    type=DatasetteSetting(),
    multiple=True,
    metavar="NAME VALUE",
    help="A Datasette setting, overriding ours (repeatable), e.g. --setting default_allow_sql off.",
)
def serve_command(
    db_path: Path, port: int, host: str, snapshot_dir: Path | None, settings: tuple[tuple[str, object], ...]
) -> None:
    """Browse and search the archive in Datasette, read-only.

    The live database is served at /archive with SELECT-only SQL; a snapshot is served
    immutable and can be downloaded. Stop with Ctrl-C.

    --setting NAME VALUE passes one of Datasette's settings (see: datasette --help-settings)
    through, overriding the public-instance defaults of archive/serve.py; repeat it for more.
    An unknown name or a value of the wrong type is a usage error.

    \b
    Example:
        vnarchive serve --db data/archive.db --port 8001
        vnarchive serve --snapshot data/snapshots/snapshot-20240523T101000Z-1a2b3c4d
        vnarchive serve --setting default_allow_sql off --setting sql_time_limit_ms 1000
    """
    path = snapshot_dir / exporting.DATABASE_FILE if snapshot_dir else db_path
    try:
        serving.check_database(path)
        serving.check_port(host, port)
    except serving.ServeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Serving {path} at http://{host}:{port}/{path.stem}", err=True)
    serving.serve(path, host=host, port=port, immutable=snapshot_dir is not None, settings=dict(settings))


@click.command("export")
@_db_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory to create (or an empty one).",
)
def export_command(db_path: Path, out_dir: Path) -> None:
    """Export the archive's tables as UTF-8 CSV files with a manifest.json of checksums.

    Each CSV starts with a byte-order mark (Excel then reads it as UTF-8) and holds the cells
    as archived, formulas included; articles.safe.csv is the articles table for spreadsheets,
    a cell that would run as a formula (=, +, -, @, tab, CR first) behind an apostrophe.

    \b
    Example:
        vnarchive export --db data/archive.db --out data/exports/2024-05-23
    """
    try:
        manifest = exporting.export_csv(db_path, out_dir)
    except exporting.ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = manifest["files"].get("articles.csv", {}).get("rows", 0)
    click.echo(f"{out_dir}: {len(manifest['files'])} CSV files, {rows} articles ({manifest['snapshot_id']})")


@click.command("snapshot")
@_db_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory in which the snapshot directory is created.",
)
def snapshot_command(db_path: Path, out_dir: Path) -> None:
    """Make a dated, immutable snapshot: a copy of the database, its CSVs and a manifest.

    Prints the snapshot's directory and the sha256 of its manifest.json: cite both.

    \b
    Example:
        vnarchive snapshot --db data/archive.db --out data/snapshots
    """
    try:
        path = exporting.snapshot(db_path, out_dir)
    except exporting.ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    digest = hashlib.sha256((path / exporting.MANIFEST).read_bytes()).hexdigest()
    click.echo(f"{path}\nmanifest sha256 {digest}")


@click.command("verify")
@click.argument("directory", type=click.Path(path_type=Path))
def verify_command(directory: Path) -> None:
    """Check a snapshot or export against its manifest.json; exit 1 on any difference.

    \b
    Example:
        vnarchive verify data/snapshots/snapshot-20240523T101000Z-1a2b3c4d
    """
    problems = exporting.verify(directory)
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{directory}: ok")
