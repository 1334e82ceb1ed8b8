"""Shared fixtures: real archives in tmp dirs, and the replica portal on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

import replica.pages  # noqa: F401  (in-repo: an import error must stop the run, not let importorskip skip)
from archive import store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def fresh_db(db_path: Path) -> Iterator[Database]:
    db = store.open_db(db_path)
    yield db
    db.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium per test module, for the reading-room browser tests."""
    from tests.reading_room_browser import Browser, require_chromium

    chromium = Browser(require_chromium(), tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()
