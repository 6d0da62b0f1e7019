"""Property tests: Hypothesis chooses the points, the shared table supplies the functions.

1. Every entry of the shared table (tests/function_table.py) at random points of its domain:
   value, reverse, forward and dual numbers against its value and gradient written out by
   calculus, and second derivatives (reverse over reverse, dual in dual) against its Hessian.
2. Random expression trees built from the table's composable entries (smooth on all of R, slowly
   growing, so random nesting cannot leave a domain or overflow), differentiated every way.
   Each tree is evaluated twice from the same entries: with their ``build`` (adlessons: plain
   floats, or traced values for grad / jvp / jacfwd / jacrev / Dual numbers), and with their
   ``complex`` (cmath), which gives the independent reference derivative by the complex step:
   f'(x) = Im f(x + i h) / h  with h = 1e-20.  There is no subtraction, so it is accurate to
   machine precision (Squire & Trapp 1998; Martins et al. 2003).

Tolerances.  The complex step and AD are each accurate to a few ulps *of the terms they sum*;
a derivative that is a sum of terms which nearly cancel can have a larger relative error.  We
therefore compare with ``abs(ad - ref) <= RTOL * (|ref| + scale)`` where ``scale`` is the
size of the terms (the sum of |df/dx_k| over inputs, or the complex step's own magnitude),
RTOL = 1e-11 (about 50 ulps: the trees are at most a few dozen operations deep).
Forward and reverse mode multiply the same partials in a different order: RTOL_MODES = 1e-12.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlessons as ad
from function_table import FUNCTIONS, HYPOTHESIS, along, assert_close, cases, size_of_numbers, unit

H = 1e-20  # complex step
RTOL = 1e-11
RTOL_MODES = 1e-12


# --- 1. every table entry at random points of its domain ----------------------------------------


@pytest.mark.parametrize("case", cases())
@settings(max_examples=4, **HYPOTHESIS)
@given(data=st.data())
def test_table_entry_at_random_points(case, data):
    point = data.draw(case.domain, label="point")
    n, size = case.arity, size_of_numbers(case, point)
    what = f"{case.name} at {point}"
    assert_close(case.build(*point), case.value(*point), 1e-13, 1e-2, f"{what} value")
    # first order: reverse, forward (one sweep per input) and dual numbers
    gradient = ad.grad(case.build, argnums=tuple(range(n)))(*point)
    for k, want in enumerate(case.first(*point)):
        assert_close(gradient[k], want, 1e-12, size, f"{what} reverse d/dx{k}")
        assert_close(ad.jvp(case.build, point, unit(n, k))[1], want, 1e-12, size, f"{what} forward")
        assert_close(ad.derivative(along(case.build, point, k), point[k]), want, 1e-12, size, f"{what} dual")
    # second order: reverse over reverse, and the diagonal by dual numbers in dual numbers
    hessian = np.array(case.second(*point))
    H_rr = ad.jacrev(ad.jacrev(lambda v: case.build(*v)))(np.array(point, dtype=float))
    assert np.all(np.abs(H_rr - hessian) <= 1e-11 * (np.abs(hessian) + size)), (what, H_rr, hessian)
    for k in range(n):
        def d_dxk_at(t, k=k):
            return ad.derivative(along(case.build, point, k), t)
        got = ad.derivative(d_dxk_at, point[k])
        assert_close(got, hessian[k][k], 1e-11, size, f"{what} dual in dual H[{k}][{k}]")


# --- 2. random expressions built from the table's composable entries ---------------------------

UNARY = [case for case in FUNCTIONS if case.composable and case.arity == 1]
BINARY = [case for case in FUNCTIONS if case.composable and case.arity == 2]
CONSTANTS = [-1.5, -0.5, 0.25, 1.0, 2.0]


def evaluate(tree, xs, complex_mode=False):
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "c":
        return tree[1]
    case = tree[1]
    f = case.complex if complex_mode else case.build
    return f(*(evaluate(operand, xs, complex_mode) for operand in tree[2:]))


@st.composite
def trees(draw, n_inputs, depth=4):
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        if draw(st.integers(0, 4)) == 0:
            return ("c", draw(st.sampled_from(CONSTANTS)))
        return ("x", draw(st.integers(0, n_inputs - 1)))
    if draw(st.booleans()):
        return ("u", draw(st.sampled_from(UNARY)), draw(trees(n_inputs, depth - 1)))
    return ("b", draw(st.sampled_from(BINARY)),
            draw(trees(n_inputs, depth - 1)), draw(trees(n_inputs, depth - 1)))


@st.composite
def problems(draw, n_outputs=1):
    n = draw(st.integers(1, 3))
    exprs = [draw(trees(n)) for _ in range(n_outputs)]
    xs = [draw(st.floats(-2.0, 2.0, allow_nan=False)) for _ in range(n)]
    return exprs, xs


def complex_step(tree, xs):
    """The reference gradient: one complex evaluation per input."""
    out = []
    for k in range(len(xs)):
        zs = [complex(x, H if j == k else 0.0) for j, x in enumerate(xs)]
        out.append(complex(evaluate(tree, zs, True)).imag / H)
    return out


def agree(got, ref, scale, rtol=RTOL):
    # + 1e-30: the complex step's own truncation error is O(h^2 |f'''|) ~ 1e-40 (it is not
    # exactly 0 where the true derivative is, e.g. 2.5e-41 for bump(x / (2 + sin x)) at 0)
    return abs(got - ref) <= rtol * (abs(ref) + scale) + 1e-30


def as_function(tree):
    return lambda *xs: evaluate(tree, xs)


# --- the expression itself -----------------------------------------------------------------


@settings(max_examples=60, **HYPOTHESIS)
@given(problems())
def test_float_and_complex_versions_are_the_same_function(problem):
    (tree,), xs = problem
    plain = evaluate(tree, xs)
    reference = complex(evaluate(tree, [complex(x) for x in xs], True))
    assert abs(reference.imag) <= 1e-300
    # the same real function by a different library (cmath vs math): a few ulps per operation
    assert agree(plain, reference.real, 1e-300, rtol=1e-12)
    # recording evaluates the same float operations in the same order: identical bits
    value, _ = ad.value_and_grad(as_function(tree), argnums=tuple(range(len(xs))))(*xs)
    assert value == plain


# --- gradients: reverse, forward, Dual, against the complex step ---------------------------


@settings(max_examples=120, **HYPOTHESIS)
@given(problems())
def test_gradient_matches_complex_step(problem):
    (tree,), xs = problem
    f = as_function(tree)
    n = len(xs)
    ref = complex_step(tree, xs)
    scale = sum(abs(r) for r in ref)
    g = ad.grad(f, argnums=tuple(range(n)))(*xs)
    for k in range(n):
        assert agree(g[k], ref[k], scale), (k, g[k], ref[k])
        seed = tuple(1.0 if j == k else 0.0 for j in range(n))
        _, t = ad.jvp(f, tuple(xs), seed)
        assert agree(t, ref[k], scale), (k, t, ref[k])
        # one forward sweep per input vs the single reverse sweep
        assert agree(t, g[k], sum(abs(v) for v in g), rtol=RTOL_MODES), (k, t, g[k])


@settings(max_examples=50, **HYPOTHESIS)
@given(problems())
def test_dual_numbers_match_complex_step(problem):
    (tree,), xs = problem
    ref = complex_step(tree, xs)
    scale = sum(abs(r) for r in ref)
    for k in range(len(xs)):
        def along_k(t, k=k):
            args = list(xs)
            args[k] = t
            return evaluate(tree, args)
        assert agree(ad.derivative(along_k, xs[k]), ref[k], scale)


@settings(max_examples=50, **HYPOTHESIS)
@given(problems(), st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=3, max_size=3))
def test_directional_derivative_is_gradient_dot_direction(problem, direction):
    (tree,), xs = problem
    f = as_function(tree)
    v = direction[: len(xs)]
    ref = complex_step(tree, xs)
    expected = sum(r * d for r, d in zip(ref, v))
    scale = sum(abs(r * d) for r, d in zip(ref, v))
    _, t = ad.jvp(f, tuple(xs), tuple(v))
    assert agree(t, expected, scale)
    _, pullback = ad.vjp(f, *xs)
    bars = pullback(1.0)
    assert agree(sum(b * d for b, d in zip(bars, v)), t, scale, rtol=RTOL_MODES)


# --- Jacobians of R^n -> R^2 -----------------------------------------------------------------


@settings(max_examples=50, **HYPOTHESIS)
@given(problems(n_outputs=2))
def test_jacobians_match_complex_step(problem):
    exprs, xs = problem
    f = lambda v: [evaluate(tree, v) for tree in exprs]  # noqa: E731  vector argument
    Jf = ad.jacfwd(f)(np.array(xs))
    Jr = ad.jacrev(f)(list(xs))
    assert Jf.shape == Jr.shape == (2, len(xs))
    for i, tree in enumerate(exprs):
        ref = complex_step(tree, xs)
        scale = sum(abs(r) for r in ref)
        for k in range(len(xs)):
            assert agree(Jf[i, k], ref[k], scale), (i, k)
            assert agree(Jr[i, k], ref[k], scale), (i, k)
            assert agree(Jf[i, k], Jr[i, k], scale, rtol=RTOL_MODES), (i, k)


# --- second derivatives ----------------------------------------------------------------------
# Reference: central difference (step d = 1e-4) of the complex-step first derivative.  The
# truncation error is d^2/6 |f'''| ~ 2e-9 |f'''|, the round-off ~ eps |f'| / d ~ 2e-12 |f'|;
# the trees' derivatives are O(1)..O(100), so 1e-6 relative to (|f''| + |f'| + 1) is safe.


def complex_step_second(tree, x, d=1e-4):
    def first(t):
        return complex(evaluate(tree, [complex(t, H)], True)).imag / H
    return (first(x + d) - first(x - d)) / (2 * d), first(x)


@settings(max_examples=40, **HYPOTHESIS)
@given(trees(1), st.floats(-2.0, 2.0, allow_nan=False))
def test_second_derivative_all_nestings(tree, x):
    f = lambda t: evaluate(tree, [t])  # noqa: E731
    ref, first = complex_step_second(tree, x)
    rr = ad.grad(ad.grad(f))(x)
    fr = ad.jvp(ad.grad(f), (x,), (1.0,))[1]
    rf = ad.grad(lambda t: ad.jvp(f, (t,), (1.0,))[1])(x)
    dd = ad.derivative(lambda t: ad.derivative(f, t), x)
    for got in (rr, fr, rf, dd):
        assert abs(got - ref) <= 1e-6 * (abs(ref) + abs(first) + 1.0), (got, ref)
        # the four nestings compute the same products: they agree far more closely
        assert agree(got, rr, abs(rr) + abs(first) + 1e-300, rtol=1e-11), (got, rr)
