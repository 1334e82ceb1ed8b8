"""The axes a generated page varies along, each value reachable independently of the others.

A fixed fixture set teaches an extractor its own fixtures; here every axis is drawn on its own,
so a failure can be pinned on one axis value (bench/variants.py prints the pass rate per value).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

#: Axis name -> its values, in a fixed order (the order is part of the seeded output).
AXES: dict[str, tuple[str, ...]] = {
    "family": (
        "tuyengiao_a",
        "tuyengiao_b",
        "zcms",
        "vccorp",
        "dnn",
        "qdnd",
        "mastercms",
        "uikit",
        "sharepoint",
        "liferay",
        "nextjs_pages",
        "nextjs_app",
        "block_sc",
        "drupal",
        "joomla_k2",
        "provincial",
    ),  # fmt: skip
    #: brief = "tin ngắn" (1-2 paragraphs, 80+ characters); long reaches 30 paragraphs / 20,000 characters.
    "length": ("brief", "short", "medium", "long"),
    #: tagged = a sapo that opens with the agency tag ("(TG) - ", "QĐND - ").
    "sapo": ("absent", "present", "tagged"),
    "byline": ("end", "start", "upper", "role", "placeholder", "none"),
    #: Where the publication time is stated: a visible date line, a meta tag, JSON-LD, <time>, nowhere.
    "date": ("line", "meta", "jsonld", "time", "none"),
    #: Link boxes around the article: none, 1-3, 4-8 (their dates are newer than the article's).
    "sidebars": ("none", "few", "many"),
    #: Body images: none, 1-3, 1-3 with each caption printed twice, 4-10 with captions twice.
    "images": ("none", "few", "few-twice", "many-twice"),
    #: Syndication: none, a trailing "Theo TTXVN" line, a "Nguồn: ..." line.
    "source": ("none", "theo", "nguon"),
    "encoding": ("utf8-nfc", "utf8-nfd", "cp1258"),
    #: yes = every class and id attribute stripped: the fields must come out of structure and text alone.
    "classless": ("no", "yes"),
}


def check_axes(axes: dict[str, str]) -> None:
    """Refuse unknown axes or values early, with the allowed ones in the message."""
    for name, value in axes.items():
        if name not in AXES:
            raise ValueError(f"unknown axis {name!r}; axes: {', '.join(AXES)}")
        if value not in AXES[name]:
            raise ValueError(f"axis {name}: unknown value {value!r}; values: {', '.join(AXES[name])}")


def draw(rng: random.Random, fixed: dict[str, str]) -> dict[str, str]:
    """One value per axis: the fixed ones as given, the others uniformly at random."""
    check_axes(fixed)
    return {name: fixed.get(name) or rng.choice(values) for name, values in AXES.items()}


def balanced(n: int, seed: int = 0, fixed: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """``n`` axis assignments whose per-axis counts differ by at most one, axes drawn independently.

    Each axis walks through shuffled rounds of all its values, every axis with its own RNG, so
    the marginals are balanced while the combinations stay random.
    """
    fixed = fixed or {}
    check_axes(fixed)
    rounds: dict[str, list[str]] = {name: [] for name in AXES}
    rngs = {name: random.Random(f"{seed}:{name}") for name in AXES}
    for _ in range(n):
        axes = {}
        for name, values in AXES.items():
            if name in fixed:
                axes[name] = fixed[name]
                continue
            if not rounds[name]:
                rounds[name] = list(values)
                rngs[name].shuffle(rounds[name])
            axes[name] = rounds[name].pop()
        yield axes
