"""Hostile variants of a valid JSON document, for tests that external input never crashes a parser.

Each variant drops keys, swaps values for ones of another type (null, huge and non-finite numbers,
lone surrogate halves, containers) and duplicates list items, deterministically from a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    0,
    -1,
    2**70,
    -(2**40),
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "9" * 400,
    "\ud800",
    "a\udfffb",
    "\u0000",
    "NaN",
    "31/02/2026",
    [],
    {},
    [None],
    {"a": 1},
    True,
)


def mutations(document: Any, *, seed: int, count: int, rate: float = 0.08) -> Iterator[Any]:
    """``count`` hostile variants of ``document``; about ``rate`` of its keys are dropped and as many swapped."""
    rng = random.Random(seed)

    def mutate(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                roll = rng.random()
                if roll < rate:
                    continue
                out[key] = rng.choice(HOSTILE_VALUES) if roll < 2 * rate else mutate(value)
            return out
        if isinstance(node, list):
            items = [mutate(item) for item in node]
            if items and rng.random() < rate:
                items.append(rng.choice(items))
            return items
        return rng.choice(HOSTILE_VALUES) if rng.random() < rate / 2 else node

    for _ in range(count):
        yield mutate(document)
