"""Counting sweeps, so that a lesson can check "jacfwd runs n forward sweeps" instead of saying it.

Every ``tangent_sweep`` and ``adjoint_sweep`` adds one to a running tally; ``count_sweeps``
reports how many of each ran inside a ``with`` block::

    with count_sweeps() as sweeps:
        jacrev(f)(x)
    sweeps["reverse"]   # one per output of f
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

_sweeps_run: Counter = Counter()  # "forward" / "reverse" -> sweeps run since import


def note_sweep(mode: str) -> None:
    """Called by the sweeps themselves, once per sweep."""
    _sweeps_run[mode] += 1


@contextmanager
def count_sweeps():
    """Yield a Counter that, after the block, holds the forward and reverse sweeps it ran."""
    before = _sweeps_run.copy()
    sweeps: Counter = Counter(forward=0, reverse=0)
    try:
        yield sweeps
    finally:
        for mode in ("forward", "reverse"):
            sweeps[mode] = _sweeps_run[mode] - before[mode]
