"""Propagation seen by readers and operators: the article page's "Also published by", the CLI, an edit."""

from __future__ import annotations

import sqlite3

import httpx
from click.testing import CliRunner
from datasette.utils import tilde_encode

from archive import store
from archive.cli import cli
from archive.propagation import propagate
from replica.propagation import archive_corpus, as_record, generate
from tests.archive_fixtures import running_server


def _family(corpus, size: int):
    """The first family with at least ``size`` members, original first."""
    by_family: dict[int, list] = {}
    for a in corpus.articles:
        by_family.setdefault(a.family, []).append(a)
    return next(members for f, members in by_family.items() if f >= 0 and len(members) >= size)


def test_cli_places_then_has_nothing_to_do(tmp_path):
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    corpus = generate(30, seed=2)
    archive_corpus(db, corpus)
    db.conn.close()
    first = CliRunner().invoke(cli, ["propagate", "--db", str(path)], catch_exceptions=False)
    again = CliRunner().invoke(cli, ["propagate", "--db", str(path)], catch_exceptions=False)
    assert first.exit_code == 0 and first.output.startswith(f"placed {len(corpus.articles)} articles")
    assert again.exit_code == 0 and again.output.startswith("placed 0 articles")


def test_an_edit_that_rewrites_a_copy_takes_it_out_of_the_cluster(tmp_path):
    corpus = generate(60, seed=4)
    db = store.open_db(tmp_path / "archive.db")
    archive_corpus(db, corpus)
    propagate(db)
    original, copy, *_ = _family(corpus, 3)
    cluster = db.execute(
        "select cluster_id from text_cluster_members where url = ?", [original.url]
    ).fetchone()[0]
    members = db.execute(
        "select count(*) from text_cluster_members where cluster_id = ?", [cluster]
    ).fetchone()[0]

    other = next(a for a in corpus.articles if a.family not in (-1, original.family))
    copy.paragraphs = other.paragraphs[::-1]  # the portal replaced the text with another story
    page = {"url": copy.url, "status": 200, "kind": "article", "body": b"<html>v2</html>", "headers": {}}
    store.record_page(db, page, as_record(copy), site=copy.site)
    assert propagate(db)["placed"] == 1
    assert db.execute("select cluster_id from text_cluster_members where url = ?", [copy.url]).fetchone() != (
        cluster,
    )
    after = db.execute(
        "select count(*) from text_cluster_members where cluster_id = ?", [cluster]
    ).fetchone()[0]
    assert after == members - 1


def _sites(path, urls: list[str]) -> list[str]:
    conn = sqlite3.connect(path)
    marks = ",".join("?" * len(urls))
    return [site for (site,) in conn.execute(f"select site from articles where url in ({marks})", urls)]


def _clusters(path) -> dict[int, list[str]]:
    conn = sqlite3.connect(path)
    found: dict[int, list[str]] = {}
    for url, cluster in conn.execute("select url, cluster_id from text_cluster_members"):
        found.setdefault(cluster, []).append(url)
    conn.close()
    return found


def test_article_page_shows_also_published_by(tmp_path):
    corpus = generate(40, seed=6)
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    archive_corpus(db, corpus)
    propagate(db)
    db.conn.close()
    original, copy, *_ = _family(corpus, 2)
    with running_server("--db", str(path)) as base:
        page = httpx.get(f"{base}/archive/articles/{tilde_encode(copy.url)}")
        assert page.status_code == 200
        assert "Also published by" in page.text
        assert f"{original.site} (first)" in page.text
        assert f"/archive/articles/{tilde_encode(original.url)}" in page.text
        cluster = httpx.get(
            f"{base}/archive/cluster_spread.json", params={"cluster": "1", "_shape": "objects"}
        )
        rows = cluster.json()["rows"]
        assert rows[0]["position"] == 0 and all(
            r["delay_hours"] is None or r["delay_hours"] >= 0 for r in rows
        )
        for everything in ("", "all"):
            overview = httpx.get(
                f"{base}/archive/cluster_spread.json", params={"cluster": everything, "_shape": "objects"}
            )
            assert len(overview.json()["rows"]) == len(_clusters(path))
        # the form's example is the cluster that reached the most portals, and its link runs it
        form = httpx.get(f"{base}/archive/cluster_spread").text
        widest = max(_clusters(path).items(), key=lambda c: (len(set(_sites(path, c[1]))), len(c[1]), -c[0]))
        assert f'placeholder="e.g. {widest[0]}"' in form
        assert f'/archive/cluster_spread?cluster={widest[0]}"' in form
        unnamed = httpx.get(f"{base}/archive/unnamed_republishers.json", params={"_shape": "objects"}).json()[
            "rows"
        ]
        assert sum(r["republished"] for r in unnamed) == sum(len(m) - 1 for m in _clusters(path).values())
        reused = {url for pair in corpus.reuse for url in pair}
        loner = next(
            a for a in corpus.articles if len(corpus.families.get(a.family, [])) == 1 and a.url not in reused
        )
        quiet = httpx.get(f"{base}/archive/articles/{tilde_encode(loner.url)}")
        assert quiet.status_code == 200 and "Also published by" not in quiet.text
