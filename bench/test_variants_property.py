"""The property test the extractor must pass on generated pages: every field of every variant.

Not collected by ``make test`` (pytest's testpaths is ``tests/``): run it on purpose with
``.venv/bin/python -m pytest bench/test_variants_property.py``. It moves to ``tests/`` once
the extractor passes it; ``bench/variants.py`` gives the per-axis picture meanwhile.
"""

from __future__ import annotations

import pytest

from bench.variants import run_one
from replica.generator import FIELDS
from replica.generator.axes import balanced

N = 2_000
SEED = 11


@pytest.fixture(scope="module")
def results() -> list[dict]:
    return [run_one((SEED * 1_000_003 + i, axes)) for i, axes in enumerate(balanced(N, SEED))]


@pytest.mark.slow
@pytest.mark.parametrize("field", FIELDS)
def test_every_variant_passes(results: list[dict], field: str) -> None:
    failed = [(r["seed"], r["axes"], r["failed"][field]) for r in results if field in r["failed"]]
    assert not failed, f"{len(failed)}/{len(results)} variants fail {field}; first: {failed[:3]}"
