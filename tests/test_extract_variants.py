"""The property test the extractor must pass on generated pages: every field of every variant.

``replica.generator`` pages have their truth by construction; ``replica.generator.check``
holds each field to it. A balanced sample (every value of every axis equally often, axes drawn
independently) sized to keep ``make test`` short; ``bench/variants.py`` runs tens of thousands
with the per-axis picture.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time as dtime

import pytest

from archive.extract import extract, is_article
from replica.generator import FIELDS, check, variant
from replica.generator.axes import balanced
from replica.vn import VN_TZ

N = 1_000
SEED = 11


def _failures(seed: int, axes: dict[str, str]) -> dict:
    v = variant(seed, **axes)
    now = datetime.combine(v.story.today, dtime(23, 59), VN_TZ)
    record = extract(v.html, v.url, content_type=v.content_type, now=now)
    verdicts = check(record, v.truth, is_article(record))
    return {"seed": seed, "axes": v.axes, "failed": {f: x.reason for f, x in verdicts.items() if not x.ok}}


@pytest.fixture(scope="module")
def results() -> list[dict]:
    return [_failures(SEED * 1_000_003 + i, axes) for i, axes in enumerate(balanced(N, SEED))]


@pytest.mark.slow
@pytest.mark.parametrize("field", FIELDS)
def test_every_variant_passes(results: list[dict], field: str) -> None:
    assert len(results) == N
    failed = [(r["seed"], r["axes"], r["failed"][field]) for r in results if field in r["failed"]]
    assert not failed, f"{len(failed)}/{len(results)} variants fail {field}; first: {failed[:3]}"
