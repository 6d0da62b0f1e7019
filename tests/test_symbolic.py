"""Tests for adlessons.symbolic against references from outside the code.

- the shared table of test functions (tests/function_table.py): value, gradient and Hessian of
  every primitive and of composites, written out by calculus with ``math``;
- Baydin, Pearlmutter, Radul & Siskind (2018), "Automatic differentiation in machine learning:
  a survey", JMLR 18(153), Table 1 (logistic map), transcribed and checked against polynomial
  algebra before use;
- exact polynomial algebra (numpy.polynomial on Python integers, evaluated with fractions) for
  the logistic map's derivatives, n = 1..8;
- the complex step (cmath, h = 1e-20) on random expressions with shared subexpressions;
- tree and DAG sizes of small formulas counted by hand;
- ``to_text`` against hand-written strings (nothing is ever parsed back or ``eval``-ed).

Regression tests for two bugs fixed in 803b807 are kept (and named for them):
- ``postorder`` used to mark a subformula seen when it was *pushed*, so a subformula pushed by one
  parent and reached again deeper down (``x * x * x``, ``1/x``'s derivative, Griewank & Walther's
  example) was yielded after a parent that needed it: KeyError in every function built on it.
- ``dag_size`` used to key subformulas by nested tuples: quadratic time, and a C stack overflow
  (segmentation fault) on a chain of depth ~50,000. Its deep test runs in a subprocess so that a
  regression shows as a failure rather than killing pytest.
"""

import ast
import math
import random
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import Polynomial
from numpy.polynomial import polynomial as npoly

import adlessons.symbolic as symbolic_module
from adlessons import cos, exp, grad, record, sin
from adlessons.examples import griewank_walther, logistic_map
from adlessons.symbolic import dag_size, diff, evaluate, symbol, to_text, tree_size
from function_table import (
    FUNCTIONS, HYPOTHESIS, assert_close, cases, is_structural, size_of_numbers,
)


def close(a, b, rel=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


# --- the shared table: diff of every entry against its derivatives written out by calculus ----


def symbolic_at(case, point):
    """The entry built on symbols x0, x1, ... and the values those symbols take at ``point``."""
    symbols = [symbol(f"x{k}") for k in range(case.arity)]
    return case.build(*symbols), symbols, {f"x{k}": t for k, t in enumerate(point)}


# symbolic.diff is Lesson 2's: formulas of numbers, whose operations all have local partials.
# The table's array entries (matmul, sum_to, ...) are left to grad, jvp and vjp; diff refuses
# them with a sentence (tested below).
TABLE = cases(where=lambda case: not is_structural(case))


@pytest.mark.parametrize("case", cases(where=is_structural))
def test_diff_refuses_array_operations_with_a_sentence(case):
    formula, symbols, _ = symbolic_at(case, case.points[0])
    with pytest.raises(TypeError, match=f"diff: {case.primitive} is an array operation.*grad, jvp or vjp"):
        diff(formula, symbols[0])


# d(1/x) = div(neg(1/x), x) reaches x both at the top and under 1/x (the postorder regression)
@pytest.mark.parametrize("case", TABLE)
def test_diff_matches_the_table(case):
    for point in case.points:
        formula, symbols, values = symbolic_at(case, point)
        size = size_of_numbers(case, point)
        # the formula stands for the function: its value is the table's, not the package's
        assert_close(evaluate(formula, values), case.value(*point), 1e-13, 1e-2, f"{case.name} at {point} value")
        for k, want in enumerate(case.first(*point)):
            got = evaluate(diff(formula, symbols[k]), values)
            assert_close(got, want, 1e-12, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", TABLE)
def test_diff_of_diff_matches_the_table(case):
    for point in case.points:
        formula, symbols, values = symbolic_at(case, point)
        size = size_of_numbers(case, point)
        hessian = case.second(*point)
        for i in range(case.arity):
            d_i = diff(formula, symbols[i])
            for j in range(case.arity):
                got = evaluate(diff(d_i, symbols[j]), values)
                assert_close(got, hessian[i][j], 1e-12, size, f"{case.name} at {point} d2/dx{i}dx{j}")


def test_griewank_walther_with_symbols_matches_published():
    x1, x2 = symbol("x1"), symbol("x2")
    y = griewank_walther(x1, x2)
    d1 = evaluate(diff(y, x1), x1=1.5, x2=0.5)
    d2 = evaluate(diff(y, x2), x1=1.5, x2=0.5)
    # Griewank & Walther (2008), Evaluating Derivatives, 2nd ed., chapter 1, at (1.5, 0.5)
    assert f"{d1:.4f}" == "3.0118" and f"{d2:.4f}" == "-13.7240"


def test_diff_treats_other_symbols_and_numbers_as_constants():
    x, y = symbol("x"), symbol("y")
    e = x * y + sin(x)
    assert close(evaluate(diff(e, y), x=0.3, y=2.0), 0.3)
    assert diff(e, symbol("z")) == 0.0  # a symbol that does not occur: derivative 0
    assert diff(3.0, x) == 0.0  # a number is a constant


# --- Baydin et al. (2018), Table 1: the logistic map --------------------------------------

# Baydin, Pearlmutter, Radul & Siskind (2018), "Automatic differentiation in machine learning:
# a survey", JMLR 18(153), Table 1, last column: d l_n / dx in simplified form, n = 1..4.
# Written with plain arithmetic, so they accept floats, Fractions and numpy Polynomials alike.
def baydin_dl1(x):
    return 1


def baydin_dl2(x):
    return 4 - 8 * x


def baydin_dl3(x):
    return 16 * (1 - 10 * x + 24 * x ** 2 - 16 * x ** 3)


def baydin_dl4(x):
    return 64 * (1 - 42 * x + 504 * x ** 2 - 2640 * x ** 3 + 7040 * x ** 4 - 9984 * x ** 5
                 + 7168 * x ** 6 - 2048 * x ** 7)


BAYDIN_TABLE_1 = {1: baydin_dl1, 2: baydin_dl2, 3: baydin_dl3, 4: baydin_dl4}

# Exact polynomial algebra: Python integers in numpy.polynomial (object dtype, no rounding).
X_POLY = Polynomial(np.array([0, 1], dtype=object))


def logistic_polynomials(n_max):
    """{n: integer coefficients of l_n}, from l_1 = x, l_(n+1) = 4 l_n (1 - l_n)."""
    out, l = {}, X_POLY
    for n in range(1, n_max + 1):
        out[n] = l.coef
        l = 4 * l * (1 - l)
    return out


L_POLY = logistic_polynomials(8)
DL_POLY = {n: npoly.polyder(c) for n, c in L_POLY.items()}  # stays integer on object arrays


def coefficients(value):
    """Integer coefficients of a Table 1 entry evaluated on the polynomial x."""
    c = value.coef if isinstance(value, Polynomial) else np.array([value], dtype=object)
    return [int(v) for v in npoly.polytrim(c)]


def test_exact_polynomial_algebra_is_exact():
    for n, c in DL_POLY.items():
        assert all(type(v) is int for v in c)
        assert len(c) == 2 ** (n - 1)  # l_n has degree 2^(n-1), its derivative one less
    assert [int(v) for v in L_POLY[2]] == [0, 4, -4]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_baydin_table_1_transcription_agrees_with_polynomial_algebra(n):
    assert coefficients(BAYDIN_TABLE_1[n](X_POLY)) == [int(v) for v in DL_POLY[n]]


POINTS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.85, 0.9, 0.99, 1.0]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_diff_of_logistic_map_matches_baydin_table_1(n):
    x = symbol("x")
    d = diff(logistic_map(x, n), x)
    for t in POINTS:
        exact = BAYDIN_TABLE_1[n](Fraction(t))  # exact at the float t: no rounding in the reference
        assert exact != 0
        assert close(evaluate(d, x=t), float(exact)), t


@pytest.mark.parametrize("n", range(1, 9))
def test_diff_of_logistic_map_matches_polynomial_algebra(n):
    x = symbol("x")
    l, d = logistic_map(x, n), diff(logistic_map(x, n), x)
    scale = 4 ** (n - 1)  # |l_n'(0)| = 4^(n-1): x = 0 is a fixed point and f'(0) = 4
    assert npoly.polyval(Fraction(0), DL_POLY[n]) == scale
    for t in POINTS:
        exact_d = npoly.polyval(Fraction(t), DL_POLY[n])
        exact_l = npoly.polyval(Fraction(t), L_POLY[n])
        assert abs(Fraction(evaluate(d, x=t)) - exact_d) <= Fraction(1e-12) * scale, t
        assert abs(Fraction(evaluate(l, x=t)) - exact_l) <= Fraction(1e-12), t


@pytest.mark.parametrize("n", range(1, 9))
def test_grad_of_logistic_map_matches_polynomial_algebra(n):
    # reverse mode over the trace, where the symbolic derivative swells, against the exact l_n'
    g = grad(lambda v: logistic_map(v, n))
    scale = 4 ** (n - 1)
    for t in POINTS:
        exact_d = npoly.polyval(Fraction(t), DL_POLY[n])
        assert abs(Fraction(g(t)) - exact_d) <= Fraction(1e-12) * scale, t


# --- diff on random expressions with shared subexpressions, against the complex step -------------
# The building blocks are the table's composable entries (smooth on all of R, slowly growing);
# each has a cmath version, so the program also runs on complex numbers and the complex step
# f'(x) = Im f(x + ih) / h (h = 1e-20, no subtraction) is an independent reference.

UNARY = [case for case in FUNCTIONS if case.composable and case.arity == 1]
BINARY = [case for case in FUNCTIONS if case.composable and case.arity == 2]
CONSTANTS = [2.0, 0.5, -1.5]
H = 1e-20


@st.composite
def programs(draw):
    """A straight-line program over x, y and constants: each step applies a table entry to
    earlier values, so later steps can share any earlier value (the result is a DAG)."""
    steps = []
    for k in range(draw(st.integers(1, 7))):
        pool = 2 + len(CONSTANTS) + k  # x, y, constants, earlier steps
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(UNARY)), draw(st.integers(0, pool - 1))))
        else:
            steps.append((draw(st.sampled_from(BINARY)),
                          draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
    return steps


def run_program(steps, x, y, on_complex=False):
    values = [x, y, *CONSTANTS]
    for case, *operands in steps:
        f = case.complex if on_complex else case.build
        values.append(f(*(values[k] for k in operands)))
    return values[-1]


@settings(max_examples=150, **HYPOTHESIS)
@given(programs(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_diff_of_random_expressions_matches_the_complex_step(steps, xv, yv):
    x, y = symbol("x"), symbol("y")
    e = run_program(steps, x, y)
    value = complex(run_program(steps, complex(xv), complex(yv), on_complex=True)).real
    assert math.isclose(evaluate(e, x=xv, y=yv), value, rel_tol=1e-12, abs_tol=1e-12)
    for wrt, at in ((x, (complex(xv, H), complex(yv))), (y, (complex(xv), complex(yv, H)))):
        reference = complex(run_program(steps, *at, on_complex=True)).imag / H
        d = evaluate(diff(e, wrt), x=xv, y=yv)
        assert math.isclose(d, reference, rel_tol=1e-9, abs_tol=1e-9), (to_text(e), wrt.name)


def test_postorder_regression_x_times_x_times_x():
    x = symbol("x")
    e = x * x * x  # mul(mul(x, x), x)
    assert evaluate(e, x=2.0) == 8.0
    assert evaluate(diff(e, x), x=2.0) == 12.0
    assert tree_size(e) == 5 and dag_size(e) == 3
    assert to_text(e) == "x * x * x"


# --- sizes counted by hand ------------------------------------------------------------------


def test_tree_and_dag_size_of_a_shared_square():
    x = symbol("x")
    s = x + 1
    e = s * s  # one object s used twice
    # written out: (x + 1) * (x + 1) -> mul, add, x, 1, add, x, 1 = 7
    assert tree_size(e) == 7
    # distinct: mul, add(x, 1), x, 1 = 4
    assert dag_size(e) == 4
    # built twice from scratch: the same sizes (dag_size shares equal subformulas by structure)
    e2 = (x + 1) * (x + 1)
    assert (tree_size(e2), dag_size(e2)) == (7, 4)


def test_tree_and_dag_size_of_small_formulas():
    x, y = symbol("x"), symbol("y")
    assert (tree_size(x), dag_size(x)) == (1, 1)
    assert (tree_size(3.0), dag_size(3.0)) == (1, 1)  # a number on its own
    # sin(x) * cos(x): mul, sin, x, cos, x = 5 written out; mul, sin, cos, x = 4 distinct
    assert (tree_size(sin(x) * cos(x)), dag_size(sin(x) * cos(x))) == (5, 4)
    # 2 * x + 2: add, mul, 2, x, 2 = 5; the number 2 counts once: add, mul, 2, x = 4
    assert (tree_size(2 * x + 2), dag_size(2 * x + 2)) == (5, 4)
    # x * y + y * x: add, mul, x, y, mul, y, x = 7; x*y and y*x differ: add, 2 muls, x, y = 5
    assert (tree_size(x * y + y * x), dag_size(x * y + y * x)) == (7, 5)
    # l_2 = 4 * x * (1 - x) = mul(mul(4, x), sub(1, x)): 7 written out;
    # distinct: mul, mul(4, x), 4, x, sub(1, x), 1 = 6
    l2 = logistic_map(x, 2)
    assert (tree_size(l2), dag_size(l2)) == (7, 6)


def test_simplify_drops_only_trivial_parts():
    x = symbol("x")
    assert x * 1 is x and 1 * x is x and x + 0 is x and 0 + x is x and x - 0 is x
    assert x / 1 is x and x ** 1 is x and -(-x) is x
    assert x * 0 == 0.0 and 0 * x == 0.0
    assert to_text(0 - x) == "-x"


# --- to_text: parentheses exactly where precedence needs them -------------------------------

TEXT_CASES = [
    (lambda x, y, z: x - (y - z), "x - (y - z)"),
    (lambda x, y, z: (x - y) - z, "x - y - z"),
    (lambda x, y, z: (x + y) * z, "(x + y) * z"),
    (lambda x, y, z: x + y * z, "x + y * z"),
    (lambda x, y, z: x / (y * z), "x / (y * z)"),
    (lambda x, y, z: x / y / z, "x / y / z"),
    (lambda x, y, z: x / (y / z), "x / (y / z)"),
    (lambda x, y, z: x - (y + z), "x - (y + z)"),
    (lambda x, y, z: (-x) ** 2, "(-x)**2"),
    (lambda x, y, z: -(x ** 2), "-x**2"),
    (lambda x, y, z: (x + y) ** 2, "(x + y)**2"),
    (lambda x, y, z: (x ** 2) ** 3, "(x**2)**3"),
    (lambda x, y, z: x ** -1, "x**(-1)"),
    (lambda x, y, z: -(x + y), "-(x + y)"),
    (lambda x, y, z: -x * y, "-x * y"),
    (lambda x, y, z: x * -2, "x * (-2)"),
    (lambda x, y, z: x - (-2), "x - (-2)"),
    (lambda x, y, z: 2.0 ** x, "2**x"),
    (lambda x, y, z: sin(x + y) * exp(-z), "sin(x + y) * exp(-z)"),
    (lambda x, y, z: 4 * x * (1 - x), "4 * x * (1 - x)"),
    (lambda x, y, z: x * 2.5 + 0.5, "x * 2.5 + 0.5"),
]


@pytest.mark.parametrize("build, expected", TEXT_CASES, ids=[c[1] for c in TEXT_CASES])
def test_to_text_parenthesises_only_where_precedence_needs_it(build, expected):
    x, y, z = symbol("x"), symbol("y"), symbol("z")
    e = build(x, y, z)
    assert to_text(e) == expected
    assert str(e) == expected and repr(e) == f"Expr({expected})"


def test_to_text_of_a_derivative():
    x = symbol("x")
    assert to_text(diff(x * sin(x) * exp(x), x)) == "exp(x) * (sin(x) + x * cos(x)) + x * sin(x) * exp(x)"
    assert to_text(diff(logistic_map(x, 2), x)) == "(1 - x) * 4 + 4 * x * (-1)"


def test_nothing_in_symbolic_parses_text():
    # Formulas are data; text is only for reading. No eval/exec/compile in the module.
    tree = ast.parse(Path(symbolic_module.__file__).read_text())
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile"}


# --- evaluate ---------------------------------------------------------------------------------


def test_evaluate_with_a_missing_symbol_names_it():
    x, y = symbol("x"), symbol("y")
    with pytest.raises(KeyError, match="symbol 'y'"):
        evaluate(x * y + 1, x=2.0)


def test_evaluate_takes_a_mapping_or_keywords_and_numbers_pass_through():
    x, y = symbol("x"), symbol("y")
    assert evaluate(x - y, {"x": 5.0}, y=2.0) == 3.0
    assert evaluate(2.5) == 2.5


# --- no recursion: chains of depth 3,000 (fast) and 100,000 (slow) -----------------------------
# A recursive walk fails near depth 1000 (sys.getrecursionlimit()); the fast tests go 3 times
# past that, the slow ones to the depth where the old dag_size overflowed the C stack.

DEPTH = 100_000
DEPTHS = [3_000, pytest.param(DEPTH, marks=pytest.mark.slow)]


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_chain_diff_tree_size_evaluate_without_recursion(depth):
    x = symbol("x")
    e, c = x, 1.000001
    for _ in range(depth):
        e = e * c + 0.5
    # each step adds mul, c, add, 0.5: 4 written-out entries on top of x
    assert tree_size(e) == 4 * depth + 1
    # l_N = c^N x + 0.5 (c^N - 1)/(c - 1); float rounding over 10^5 steps: rel 1e-9 is ample
    exact = c ** depth * 0.25 + 0.5 * (c ** depth - 1) / (c - 1)
    assert math.isclose(evaluate(e, x=0.25), exact, rel_tol=1e-9)
    d = diff(e, x)  # the partials are numbers here, so the derivative folds to c^N
    assert math.isclose(d, c ** depth, rel_tol=1e-9)


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_chain_with_a_formula_derivative(depth):
    # e_0 = x, e_(k+1) = x * e_k + 0.5: d_(k+1) = e_k + x * d_k is a formula of depth ~N
    x = symbol("x")
    e = x
    for _ in range(depth):
        e = x * e + 0.5
    d = diff(e, x)
    n = depth
    # at x = 1: e_k = 1 + k/2 and d_k = 1 + k + k(k-1)/4 (sum of e_0..e_(k-1) plus d_0 = 1)
    assert evaluate(e, x=1.0) == 1 + n / 2
    assert evaluate(d, x=1.0) == 1 + n + n * (n - 1) / 4
    # written out: T(e_k) = 4k + 1, T(d_1) = 3 (e_0 + x * 1 -> x + x), T(d_k) = T(d_(k-1)) + 4k
    # (add, mul, x, then copies of e_(k-1) and d_(k-1)): T(d_k) = 2k(k + 1) - 1, counted not built
    assert tree_size(e) == 4 * n + 1
    assert tree_size(d) == 2 * n * (n + 1) - 1


@pytest.mark.parametrize("k", [1, 2, 3, 10])
def test_formula_derivative_chain_sizes_small(k):
    x = symbol("x")
    e = x
    for _ in range(k):
        e = x * e + 0.5
    d = diff(e, x)
    assert tree_size(d) == 2 * k * (k + 1) - 1
    if k == 1:
        assert to_text(d) == "x + x"


def test_dag_size_of_a_moderate_chain():
    x = symbol("x")
    e = x
    for _ in range(2000):
        e = e * 1.000001 + 0.5
    # distinct: x, the numbers 1.000001 and 0.5, and 2 operations per step
    assert dag_size(e) == 2 * 2000 + 3


@pytest.mark.slow
def test_deep_chain_dag_size_without_recursion():
    # In a subprocess: the old failure mode was a segmentation fault, which would kill pytest.
    script = textwrap.dedent(f"""
        from adlessons.symbolic import symbol, dag_size
        x = symbol("x")
        e = x
        for _ in range({DEPTH}):
            e = e * 1.000001 + 0.5
        assert dag_size(e) == 2 * {DEPTH} + 3
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-500:]


def test_to_text_of_a_chain():
    # to_text at depth 100,000 is skipped: it keeps the text of every subformula, so memory grows
    # with the square of the depth (tens of GB there). Depth 1,000 is quick.
    x = symbol("x")
    e, expected = x, "x"
    for k in range(1000):
        e = e * 1.5 + 0.5
        expected = f"({expected}) * 1.5 + 0.5" if k else "x * 1.5 + 0.5"
    assert to_text(e) == expected


# --- the trace is linear where the written-out derivative is not ---------------------------


def test_trace_of_logistic_map_grows_by_three_nodes_per_step():
    # one input, then 4*l, 1-l and their product per step; constants are not nodes
    for n in range(1, 9):
        assert len(record(lambda v: logistic_map(v, n), 0.3).nodes) == 3 * n - 2


def test_random_points_logistic_map_diff_and_grad_seeded():
    # 50 random points in [0, 1): symbolic diff and reverse mode against the exact l_6'
    rng = random.Random(2018)
    x = symbol("x")
    d = diff(logistic_map(x, 6), x)
    g = grad(lambda v: logistic_map(v, 6))
    for _ in range(50):
        t = rng.random()
        exact = float(npoly.polyval(Fraction(t), DL_POLY[6]))
        assert math.isclose(evaluate(d, x=t), exact, rel_tol=1e-11, abs_tol=1e-11 * 4 ** 5)
        assert math.isclose(g(t), exact, rel_tol=1e-11, abs_tol=1e-11 * 4 ** 5)
