"""Where each primitive is defined: a check per primitive that returns a sentence saying what
is wrong with its operands (naming the offending value), or None when they are fine.

Kept apart from the table so that the table reads as mathematics; the table names the check
each primitive uses.
"""

from __future__ import annotations

import numpy as np

from .primitive import Index, shape_of, shapes_text


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


# --- structural primitives: shapes, axes, indices, invertible matrices ---------------------------


def _ndim(x) -> int:
    return len(shape_of(x))


def matmul_shapes(a, b):
    if _ndim(a) == 0 or _ndim(b) == 0:
        return f"@ needs arrays of 1 or 2 dimensions, got shapes {shapes_text(a, b)} (use * for numbers)"
    if _ndim(a) > 2 or _ndim(b) > 2:
        return f"@ is defined here for 1-D and 2-D arrays only, got shapes {shapes_text(a, b)}"
    inner_a, inner_b = shape_of(a)[-1], shape_of(b)[0]
    if inner_a != inner_b:
        return (f"shapes {shapes_text(a, b)} do not line up: the last axis of the first ({inner_a}) "
                f"must equal the first axis of the second ({inner_b})")
    return None


def outer_shapes(u, v):
    if _ndim(u) != 1 or _ndim(v) != 1:
        return f"outer takes two 1-D arrays, got shapes {shapes_text(u, v)}"
    return None


def reshape_fits(x, shape):
    try:
        np.empty(shape_of(x)).reshape(shape)
    except (ValueError, TypeError) as error:
        return f"cannot reshape an array of shape {shape_of(x)} into {shape!r} ({error})"
    return None


def axis_exists(x, axis, keepdims=False):
    ndim = _ndim(x)
    for a in (() if axis is None else axis if isinstance(axis, tuple) else (axis,)):
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool) or not -max(ndim, 1) <= a < max(ndim, 1):
            return f"axis {axis!r} does not exist for an array of shape {shape_of(x)}"
    return None


def index_fits(x, index):
    try:
        np.empty(shape_of(x))[Index(index).key]
    except (IndexError, TypeError, ValueError) as error:
        return f"index [{Index(index)!r}] does not fit an array of shape {shape_of(x)} ({error})"
    return None


def concatenate_shapes(axis, *xs):
    if not xs:
        return "concatenate needs at least one array"
    if any(_ndim(x) == 0 for x in xs):
        return f"concatenate takes arrays of at least 1 dimension, got shapes {shapes_text(*xs)}"
    try:
        np.concatenate([np.empty(shape_of(x)) for x in xs], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        return f"cannot concatenate shapes {shapes_text(*xs)} along axis {axis} ({error})"
    return None


def boolean_condition(condition, x, y):
    kind = np.asarray(condition).dtype.kind
    if kind != "b":
        return f"where's condition must be booleans (e.g. x > 0), got an array of {np.asarray(condition).dtype}"
    return None


def square_matrix(a, name):
    if _ndim(a) != 2 or shape_of(a)[0] != shape_of(a)[1]:
        return f"{name} needs a square matrix, got shape {shape_of(a)}"
    return None


def invertible(a, name):
    problem = square_matrix(a, name)
    if problem:
        return problem
    condition = np.linalg.cond(a)
    if condition * np.finfo(float).eps > 1e-2:  # no digits left to trust
        return f"the {shape_of(a)[0]}×{shape_of(a)[0]} matrix is singular (or too close to it: condition number {condition:.3g})"
    return None


def solve_shapes(a, b):
    problem = invertible(a, "solve")
    if problem:
        return problem
    if _ndim(b) not in (1, 2) or shape_of(b)[0] != shape_of(a)[0]:
        return f"solve(A, B) needs B with {shape_of(a)[0]} rows, got shapes {shapes_text(a, b)}"
    return None
