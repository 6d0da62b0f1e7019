"""Where each primitive is defined: a check per primitive that returns a sentence saying what
is wrong with its operands (naming the offending value), or None when they are fine.

Kept apart from the table so that the table reads as mathematics; the table names the check
each primitive uses.
"""

from __future__ import annotations

import numpy as np


def _first(x, bad):
    """The first offending entry of an array (or the number itself), for the message."""
    if isinstance(x, np.ndarray):
        return float(x[bad][0]) if bad.any() else None
    return x if bad else None


def nonzero_divisor(x, y):
    bad = _first(y, y == 0)
    return None if bad is None else "division by zero"


def positive(x):
    bad = _first(x, x <= 0)
    return None if bad is None else f"log is defined only for positive numbers, got {bad!r}"


def nonnegative(x):
    bad = _first(x, x < 0)
    return None if bad is None else f"sqrt is defined only for numbers >= 0, got {bad!r}"


def real_power(x, c):
    bad = _first(x, (x == 0) & (c < 0)) if isinstance(x, np.ndarray) else (x if x == 0 and c < 0 else None)
    if bad is not None:
        return f"0 cannot be raised to a negative power ({c!r})"
    if c != int(c):
        bad = _first(x, x < 0)
        if bad is not None:
            return f"a negative base ({bad!r}) to a non-integer power ({c!r}) is not a real number"
    return None


def positive_base(x, y):
    bad = _first(x, x <= 0)
    if bad is None:
        return None
    return f"a traced exponent needs a positive base (d/dy x**y = x**y * log(x)), got base {bad!r}"


def constant_exponent(x, c, out):
    """pow's partial in its exponent: never needed, since a traced exponent uses rpow."""
    raise TypeError(
        "pow takes a constant exponent, but the exponent is traced: write x ** y, which uses "
        "rpow (d/dy x**y = x**y * log(x)) for a traced exponent"
    )
