"""The one table of test functions that the core's test files all read (minitorch's ``testing.py``
is the model: one table, every test file parametrized over it).

Each entry is a function with

- ``build``: the function written with adlessons, so it runs on plain floats, trace nodes, dual
  numbers and symbolic formulas alike (this is the code under test);
- ``value``, ``first``, ``second``: its value, gradient and Hessian WRITTEN OUT BY CALCULUS with
  ``math``, independent of adlessons' derivative rules.  Where a primitive *is* a library call
  (``math.sin``), its ``value`` is an identity (sin x = 2t / (1 + t^2) with t = tan(x/2)), so no
  test compares a library function with itself;
- ``points``: sample points, and ``domain``: a Hypothesis strategy of points where the function
  is defined and differentiable (kinks and singularities kept away from);
- ``complex``: the same function on complex numbers (``cmath``), for the complex step; None
  where the function has kinks (abs, relu, sign are not analytic);
- ``primitive``: the entry of ``adlessons.primitives.PRIMITIVES`` it exercises, if any;
  ``composable``: defined and smooth on all of R^n with slow growth, so random nestings of
  such entries stay finite (the property tests build random expressions from them).

The table's own calculus is checked against central differences and the complex step in
``test_numeric.py``, so a slip in a derivative written here fails there.
"""

from __future__ import annotations

import cmath
import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest
from hypothesis import strategies as st

import adlessons as ad
import adlessons.numpy as anp
from adlessons import PRIMITIVES as P
from adlessons.examples import baydin_example, griewank_walther, normal_density

# Hypothesis settings shared by the property tests: reproducible, no database files, no deadline
# (a loaded 2-core machine must not turn a slow example into a failure).
HYPOTHESIS = dict(deadline=None, derandomize=True, database=None)


@dataclass(frozen=True)
class FunctionCase:
    """One test function: the code under test (``build``) and its calculus (``value``, ``first``, ``second``)."""

    name: str
    build: Callable
    value: Callable
    first: Callable  # (*x) -> tuple of the n partial derivatives
    second: Callable  # (*x) -> n x n Hessian as a tuple of tuples
    points: tuple  # tuples of n floats
    domain: object  # Hypothesis strategy of n-tuples
    complex: Optional[Callable] = None
    primitive: Optional[str] = None
    composable: bool = False
    source: str = ""  # where a published example comes from

    @property
    def arity(self) -> int:
        return len(self.points[0])

    def __repr__(self) -> str:
        return f"<test function {self.name}>"


def reals(lo: float, hi: float):
    """Finite floats in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float):
    """Floats with lo <= |x| <= hi, either sign (for kinks and poles at 0)."""
    return st.one_of(reals(lo, hi), reals(-hi, -lo))


def unary(name, build, value, d1, d2, points, domain, complex=None, **kw) -> FunctionCase:
    """An entry of one variable: d1 and d2 are f' and f'' as plain functions."""
    return FunctionCase(name, build, value, lambda x: (d1(x),), lambda x: ((d2(x),),),
                        tuple((float(p),) for p in points), domain.map(lambda x: (x,)),
                        complex, **kw)


def function(name, build, value, first, second, points, domains, complex=None, **kw) -> FunctionCase:
    """An entry of several variables; ``domains`` holds one strategy per variable."""
    return FunctionCase(name, build, value, first, second, tuple(points), st.tuples(*domains),
                        complex, **kw)


ZERO2 = ((0.0, 0.0), (0.0, 0.0))
K123 = np.array([1.0, 2.0, 3.0])  # the k of sum over k = 1, 2, 3
LN2, LN3 = math.log(2.0), math.log(3.0)


def _tan_half(x):
    return math.tan(0.5 * x)


# --- Griewank & Walther's example, differentiated by hand --------------------------------------
# y = a b with u = x1/x2, e = exp(x2), a = sin u + u - e, b = u - e; the chain rule term by term.


def _gw_derivatives(x1, x2):
    u, e = x1 / x2, math.exp(x2)
    a, b = math.sin(u) + u - e, u - e
    du = (1.0 / x2, -x1 / x2**2)
    ddu = ((0.0, -1.0 / x2**2), (-1.0 / x2**2, 2.0 * x1 / x2**3))
    de = (0.0, e)
    dde = ((0.0, 0.0), (0.0, e))
    da = tuple((math.cos(u) + 1.0) * du[i] - de[i] for i in range(2))
    db = tuple(du[i] - de[i] for i in range(2))
    dda = [[-math.sin(u) * du[i] * du[j] + (math.cos(u) + 1.0) * ddu[i][j] - dde[i][j]
            for j in range(2)] for i in range(2)]
    ddb = [[ddu[i][j] - dde[i][j] for j in range(2)] for i in range(2)]
    gradient = tuple(da[i] * b + a * db[i] for i in range(2))
    hessian = tuple(tuple(dda[i][j] * b + da[i] * db[j] + da[j] * db[i] + a * ddb[i][j]
                          for j in range(2)) for i in range(2))
    return a * b, gradient, hessian


# --- the normal density, differentiated by hand -------------------------------------------------
# p = exp(-d^2 / (2 s^2)) / (s sqrt(2 pi)) with d = x - mu; p depends on x - mu only, so
# d/dmu = -d/dx.


def _normal_value(x, mu, s):
    return math.exp(-((x - mu) ** 2) / (2 * s * s)) / (s * math.sqrt(2 * math.pi))


def _normal_first(x, mu, s):
    d, p = x - mu, _normal_value(x, mu, s)
    return (-d / s**2 * p, d / s**2 * p, (d**2 / s**3 - 1 / s) * p)


def _normal_second(x, mu, s):
    d, p = x - mu, _normal_value(x, mu, s)
    xx = (d**2 / s**4 - 1 / s**2) * p
    xs = (3 * d / s**3 - d**3 / s**5) * p
    ss = (-3 * d**2 / s**4 + 1 / s**2 + (d**2 / s**3 - 1 / s) ** 2) * p
    return ((xx, -xx, xs), (-xx, xx, -xs), (xs, -xs, ss))


def _sigmoid_d1(x):
    e = math.exp(-x)
    return e / (1 + e) ** 2


def _sigmoid_d2(x):
    e = math.exp(-x)
    return e * (e - 1) / (1 + e) ** 3


# --- the table ---------------------------------------------------------------------------------

PRIMITIVE_CASES = [
    # arithmetic primitives: the references are Python's own arithmetic
    function("add", P["add"], lambda x, y: x + y, lambda x, y: (1.0, 1.0), lambda x, y: ZERO2,
             [(1.0, 2.0), (-3.5, 0.25)], [reals(-10, 10), reals(-10, 10)],
             lambda x, y: x + y, primitive="add", composable=True),
    function("sub", P["sub"], lambda x, y: x - y, lambda x, y: (1.0, -1.0), lambda x, y: ZERO2,
             [(1.0, 2.0), (-3.5, 0.25)], [reals(-10, 10), reals(-10, 10)],
             lambda x, y: x - y, primitive="sub", composable=True),
    function("mul", P["mul"], lambda x, y: x * y, lambda x, y: (y, x),
             lambda x, y: ((0.0, 1.0), (1.0, 0.0)),
             [(1.0, 2.0), (-3.5, 0.25)], [reals(-10, 10), reals(-10, 10)],
             lambda x, y: x * y, primitive="mul", composable=True),
    function("div", P["div"], lambda x, y: x / y, lambda x, y: (1 / y, -x / y**2),
             lambda x, y: ((0.0, -1 / y**2), (-1 / y**2, 2 * x / y**3)),
             [(1.0, 2.0), (-3.5, 0.25), (2.0, -0.1)], [reals(-10, 10), away_from_zero(0.1, 10)],
             lambda x, y: x / y, primitive="div"),
    unary("neg", P["neg"], lambda x: -x, lambda x: -1.0, lambda x: 0.0, [1.0, -2.0],
          reals(-10, 10), lambda z: -z, primitive="neg", composable=True),
    # x ** c with a constant exponent c (the pow primitive), through Python's ** operator
    unary("x**2", lambda x: x**2, lambda x: x * x, lambda x: 2 * x, lambda x: 2.0,
          [1.5, -0.7, 0.0], reals(-10, 10), lambda z: z**2, primitive="pow"),
    unary("x**3", lambda x: x**3, lambda x: x * x * x, lambda x: 3 * x * x, lambda x: 6 * x,
          [1.5, -0.7, 0.0, -2.0], reals(-10, 10), lambda z: z**3, primitive="pow"),
    unary("x**4", lambda x: x**4, lambda x: x * x * x * x, lambda x: 4 * x**3, lambda x: 12 * x**2,
          [0.7, -1.3, 2.0], reals(-5, 5), lambda z: z**4, primitive="pow"),
    unary("x**0.5", lambda x: x**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x),
          lambda x: -0.25 * x**-1.5, [2.0, 0.01], reals(0.01, 100), lambda z: z**0.5,
          primitive="pow"),
    unary("x**2.5", lambda x: x**2.5, lambda x: x * x * math.sqrt(x), lambda x: 2.5 * x**1.5,
          lambda x: 3.75 * x**0.5, [0.3, 2.0], reals(0.01, 10), lambda z: z**2.5, primitive="pow"),
    unary("x**-1", lambda x: x**-1, lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3,
          [2.0, -0.3], away_from_zero(0.1, 10), lambda z: z**-1, primitive="pow"),
    unary("x**-2.5", lambda x: x**-2.5, lambda x: 1 / (x * x * math.sqrt(x)),
          lambda x: -2.5 * x**-3.5, lambda x: 8.75 * x**-4.5, [2.0, 0.3], reals(0.1, 10),
          lambda z: z**-2.5, primitive="pow"),
    unary("x**1", lambda x: x**1, lambda x: x, lambda x: 1.0, lambda x: 0.0, [2.0, 0.0, -1.0],
          reals(-10, 10), lambda z: z**1, primitive="pow"),
    unary("x**0", lambda x: x**0, lambda x: 1.0, lambda x: 0.0, lambda x: 0.0, [2.0, -1.0, 0.0],
          reals(-10, 10), lambda z: z**0, primitive="pow"),  # x**0 = 1: slope 0, also at x = 0
    # x ** y with a traced exponent (the rpow primitive): needs x > 0
    function("x**y", lambda x, y: x**y, lambda x, y: math.exp(y * math.log(x)),
             lambda x, y: (y * x ** (y - 1), x**y * math.log(x)),
             lambda x, y: ((y * (y - 1) * x ** (y - 2), x ** (y - 1) * (1 + y * math.log(x))),
                           (x ** (y - 1) * (1 + y * math.log(x)), x**y * math.log(x) ** 2)),
             [(1.5, 2.0), (0.3, -1.2), (2.0, 0.5), (2.0, 3.0)], [reals(0.1, 4), reals(-2, 2)],
             lambda x, y: x**y, primitive="rpow"),
    unary("2**x", lambda x: 2.0**x, lambda x: math.exp(x * LN2), lambda x: 2.0**x * LN2,
          lambda x: 2.0**x * LN2**2, [1.5, -3.0, 0.0], reals(-10, 10), lambda z: 2.0**z,
          primitive="rpow"),
    unary("0.5**x", lambda x: 0.5**x, lambda x: math.exp(-x * LN2), lambda x: -(0.5**x) * LN2,
          lambda x: 0.5**x * LN2**2, [1.5, -3.0], reals(-10, 10), lambda z: 0.5**z,
          primitive="rpow"),
    unary("x**x", lambda x: x**x, lambda x: math.exp(x * math.log(x)),
          lambda x: x**x * (math.log(x) + 1), lambda x: x**x * ((math.log(x) + 1) ** 2 + 1 / x),
          [1.5, 0.2, 1.0], reals(0.1, 3), lambda z: z**z, primitive="rpow"),
    # functions: the value by an identity (not the library call the primitive makes)
    unary("square", P["square"], lambda x: x**2, lambda x: 2 * x, lambda x: 2.0,
          [1.5, -0.7, 0.0], reals(-10, 10), lambda z: z * z, primitive="square"),
    unary("sqrt", P["sqrt"], lambda x: x**0.5, lambda x: 0.5 * x**-0.5, lambda x: -0.25 * x**-1.5,
          [2.0, 1e-6, 9.0], reals(1e-3, 100), cmath.sqrt, primitive="sqrt"),
    unary("exp", P["exp"], lambda x: math.e**x, math.exp, math.exp, [0.0, -3.0, 2.5],
          reals(-20, 20), cmath.exp, primitive="exp"),
    unary("log", P["log"], lambda x: math.log1p(x - 1.0), lambda x: 1 / x, lambda x: -1 / x**2,
          [0.1, 1.0, 50.0], reals(1e-3, 1e3), cmath.log, primitive="log"),
    unary("sin", P["sin"], lambda x: 2 * _tan_half(x) / (1 + _tan_half(x) ** 2), math.cos,
          lambda x: -math.sin(x), [0.0, 1.0, -4.0], reals(-6, 6), cmath.sin, primitive="sin",
          composable=True),
    unary("cos", P["cos"], lambda x: (1 - _tan_half(x) ** 2) / (1 + _tan_half(x) ** 2),
          lambda x: -math.sin(x), lambda x: -math.cos(x), [0.0, 1.0, -4.0], reals(-6, 6),
          cmath.cos, primitive="cos", composable=True),
    unary("tan", P["tan"], lambda x: math.sin(x) / math.cos(x), lambda x: 1 / math.cos(x) ** 2,
          lambda x: 2 * math.sin(x) / math.cos(x) ** 3, [0.0, 1.0, -1.3], reals(-1.4, 1.4),
          cmath.tan, primitive="tan"),
    unary("tanh", P["tanh"], lambda x: math.expm1(2 * x) / (math.expm1(2 * x) + 2),
          lambda x: 1 / math.cosh(x) ** 2, lambda x: -2 * math.sinh(x) / math.cosh(x) ** 3,
          [0.0, 1.0, -2.0], reals(-10, 10), cmath.tanh, primitive="tanh", composable=True),
    unary("sigmoid", P["sigmoid"], lambda x: 1 / (1 + math.exp(-x)), _sigmoid_d1, _sigmoid_d2,
          [0.0, 1.0, -2.0], reals(-30, 30), lambda z: 1 / (1 + cmath.exp(-z)),
          primitive="sigmoid", composable=True),
    # kinks at 0 (conventions there are tested in test_core_errors.py): no complex version
    unary("relu", P["relu"], lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0,
          lambda x: 0.0, [1.5, -0.5], away_from_zero(0.01, 10), primitive="relu"),
    unary("sign", P["sign"], lambda x: math.copysign(1.0, x), lambda x: 0.0, lambda x: 0.0,
          [1.5, -0.5], away_from_zero(0.01, 10), primitive="sign"),
    unary("abs", P["abs"], math.fabs, lambda x: math.copysign(1.0, x), lambda x: 0.0,
          [1.5, -0.5], away_from_zero(0.01, 10), primitive="abs"),
    # structural primitives (they move or combine entries), inside functions of one number
    unary("sum_to(sin(k*x))", lambda x: P["sum_to"](ad.sin(x * K123), ()),
          lambda x: sum(math.sin(k * x) for k in (1, 2, 3)),
          lambda x: sum(k * math.cos(k * x) for k in (1, 2, 3)),
          lambda x: -sum(k * k * math.sin(k * x) for k in (1, 2, 3)),
          [0.7, -1.2], reals(-6, 6), lambda z: sum(cmath.sin(k * z) for k in (1, 2, 3)),
          primitive="sum_to"),
    unary("sum_to(exp(k*broadcast_to(x)))",
          lambda x: P["sum_to"](ad.exp(P["broadcast_to"](x, (3,)) * K123), ()),
          lambda x: sum(math.exp(k * x) for k in (1, 2, 3)),
          lambda x: sum(k * math.exp(k * x) for k in (1, 2, 3)),
          lambda x: sum(k * k * math.exp(k * x) for k in (1, 2, 3)),
          [0.3, -1.0], reals(-3, 3), lambda z: sum(cmath.exp(k * z) for k in (1, 2, 3)),
          primitive="broadcast_to"),
]

# Python's operators with a number on either side reach the same primitives.
OPERATOR_CASES = [
    unary("2 - x", lambda x: 2 - x, lambda x: 2 - x, lambda x: -1.0, lambda x: 0.0, [1.5, -0.7],
          reals(-10, 10), lambda z: 2 - z, primitive="sub"),
    unary("x - 2", lambda x: x - 2, lambda x: x - 2, lambda x: 1.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: z - 2, primitive="sub"),
    unary("2 + x", lambda x: 2 + x, lambda x: 2 + x, lambda x: 1.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: 2 + z, primitive="add"),
    unary("x + 2", lambda x: x + 2, lambda x: x + 2, lambda x: 1.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: z + 2, primitive="add"),
    unary("2 * x", lambda x: 2 * x, lambda x: 2 * x, lambda x: 2.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: 2 * z, primitive="mul"),
    unary("x * 2", lambda x: x * 2, lambda x: x * 2, lambda x: 2.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: z * 2, primitive="mul"),
    unary("2 / x", lambda x: 2 / x, lambda x: 2 / x, lambda x: -2 / x**2, lambda x: 4 / x**3,
          [1.5, -0.5], away_from_zero(0.1, 10), lambda z: 2 / z, primitive="div"),
    unary("x / 2", lambda x: x / 2, lambda x: x / 2, lambda x: 0.5, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: z / 2, primitive="div"),
    unary("-x", lambda x: -x, lambda x: -x, lambda x: -1.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: -z, primitive="neg"),
    unary("+x", lambda x: +x, lambda x: x, lambda x: 1.0, lambda x: 0.0, [1.5],
          reals(-10, 10), lambda z: z),
    unary("abs(x)", lambda x: abs(x), math.fabs, lambda x: math.copysign(1.0, x), lambda x: 0.0,
          [1.5, -0.7], away_from_zero(0.01, 10), primitive="abs"),
    unary("abs(-x)", lambda x: abs(-x), math.fabs, lambda x: math.copysign(1.0, x),
          lambda x: 0.0, [1.5, -0.7], away_from_zero(0.01, 10), primitive="abs"),
    unary("x * x", lambda x: x * x, lambda x: x**2, lambda x: 2 * x, lambda x: 2.0,
          [3.0, -1.5], reals(-10, 10), lambda z: z * z, primitive="mul"),  # two edges, one parent
]

# Smooth on all of R (or R^2) and slowly growing: the building blocks of random expressions.
COMPOSABLE_CASES = [
    unary("exp(sin(x))", lambda x: ad.exp(ad.sin(x)), lambda x: math.exp(math.sin(x)),
          lambda x: math.cos(x) * math.exp(math.sin(x)),
          lambda x: (math.cos(x) ** 2 - math.sin(x)) * math.exp(math.sin(x)),
          [0.3, -2.0], reals(-6, 6), lambda z: cmath.exp(cmath.sin(z)), composable=True),
    unary("exp(-x**2/2)", lambda x: ad.exp(-ad.square(x) / 2.0), lambda x: math.exp(-x * x / 2),
          lambda x: -x * math.exp(-x * x / 2), lambda x: (x * x - 1) * math.exp(-x * x / 2),
          [-1.0, 0.3, 2.0], reals(-6, 6), lambda z: cmath.exp(-z * z / 2), composable=True),
    unary("log(1+x**2)", lambda x: ad.log(1.0 + ad.square(x)), lambda x: math.log(1 + x * x),
          lambda x: 2 * x / (1 + x * x), lambda x: (2 - 2 * x * x) / (1 + x * x) ** 2,
          [-2.0, 0.5, 3.0], reals(-6, 6), lambda z: cmath.log(1 + z * z), composable=True),
    unary("sqrt(1+x**2)", lambda x: ad.sqrt(1.0 + x * x), lambda x: math.sqrt(1 + x * x),
          lambda x: x / math.sqrt(1 + x * x), lambda x: (1 + x * x) ** -1.5,
          [-1.0, 0.4], reals(-6, 6), lambda z: cmath.sqrt(1 + z * z), composable=True),
    unary("x**2/(1+x**2)", lambda x: x**2 / (1.0 + x**2), lambda x: x * x / (1 + x * x),
          lambda x: 2 * x / (1 + x * x) ** 2, lambda x: (2 - 6 * x * x) / (1 + x * x) ** 3,
          [-1.0, 0.4, 2.0], reals(-6, 6), lambda z: z**2 / (1 + z**2), composable=True),
    unary("(1+x**2)**-0.5", lambda x: (1.0 + ad.square(x)) ** -0.5,
          lambda x: 1 / math.sqrt(1 + x * x), lambda x: -x * (1 + x * x) ** -1.5,
          lambda x: (2 * x * x - 1) * (1 + x * x) ** -2.5, [-1.0, 0.4], reals(-6, 6),
          lambda z: (1 + z * z) ** -0.5, composable=True),
    unary("2**tanh(x)", lambda x: 2.0 ** ad.tanh(x), lambda x: math.exp(LN2 * math.tanh(x)),
          lambda x: LN2 * 2.0 ** math.tanh(x) / math.cosh(x) ** 2,
          lambda x: LN2 * 2.0 ** math.tanh(x)
          * (LN2 / math.cosh(x) ** 4 - 2 * math.tanh(x) / math.cosh(x) ** 2),
          [-1.0, 0.4], reals(-6, 6), lambda z: 2.0 ** cmath.tanh(z), composable=True),
    unary("tan(sin(x)/2)", lambda x: ad.tan(0.5 * ad.sin(x)), lambda x: math.tan(math.sin(x) / 2),
          lambda x: math.cos(x) / 2 / math.cos(math.sin(x) / 2) ** 2,
          lambda x: (2 * math.tan(math.sin(x) / 2) * (math.cos(x) / 2) ** 2 - math.sin(x) / 2)
          / math.cos(math.sin(x) / 2) ** 2,
          [-1.0, 0.4, 2.5], reals(-6, 6), lambda z: cmath.tan(0.5 * cmath.sin(z)), composable=True),
    unary("3/(2+cos(x))", lambda x: 3.0 / (2.0 + ad.cos(x)), lambda x: 3 / (2 + math.cos(x)),
          lambda x: 3 * math.sin(x) / (2 + math.cos(x)) ** 2,
          lambda x: 3 * math.cos(x) / (2 + math.cos(x)) ** 2
          + 6 * math.sin(x) ** 2 / (2 + math.cos(x)) ** 3,
          [-1.0, 0.4, 3.0], reals(-6, 6), lambda z: 3 / (2 + cmath.cos(z)), composable=True),
    unary("sin(x)**3", lambda x: ad.sin(x) ** 3, lambda x: math.sin(x) ** 3,
          lambda x: 3 * math.sin(x) ** 2 * math.cos(x),
          lambda x: 6 * math.sin(x) * math.cos(x) ** 2 - 3 * math.sin(x) ** 3,
          [-1.0, 0.4], reals(-6, 6), lambda z: cmath.sin(z) ** 3, composable=True),
    function("a/(2+sin(b))", lambda a, b: a / (2.0 + ad.sin(b)), lambda a, b: a / (2 + math.sin(b)),
             lambda a, b: (1 / (2 + math.sin(b)), -a * math.cos(b) / (2 + math.sin(b)) ** 2),
             lambda a, b: ((0.0, -math.cos(b) / (2 + math.sin(b)) ** 2),
                           (-math.cos(b) / (2 + math.sin(b)) ** 2,
                            a * math.sin(b) / (2 + math.sin(b)) ** 2
                            + 2 * a * math.cos(b) ** 2 / (2 + math.sin(b)) ** 3)),
             [(0.7, -1.2), (-1.5, 2.0)], [reals(-6, 6), reals(-6, 6)],
             lambda a, b: a / (2 + cmath.sin(b)), composable=True),
    function("(1+a**2)**sin(b)", lambda a, b: (1.0 + ad.square(a)) ** ad.sin(b),
             lambda a, b: math.exp(math.sin(b) * math.log(1 + a * a)),
             lambda a, b: (2 * a * math.sin(b) * (1 + a * a) ** (math.sin(b) - 1),
                           (1 + a * a) ** math.sin(b) * math.log(1 + a * a) * math.cos(b)),
             lambda a, b: _rpow_composite_hessian(a, b),
             [(0.7, -1.2), (-1.5, 2.0)], [reals(-3, 3), reals(-6, 6)],
             lambda a, b: (1 + a * a) ** cmath.sin(b), composable=True),
    function("sqrt(a**2+b**2+1)", lambda a, b: ad.sqrt(a * a + b * b + 1.0),
             lambda a, b: math.sqrt(a * a + b * b + 1),
             lambda a, b: (a / math.sqrt(a * a + b * b + 1), b / math.sqrt(a * a + b * b + 1)),
             lambda a, b: (((b * b + 1) / (a * a + b * b + 1) ** 1.5,
                            -a * b / (a * a + b * b + 1) ** 1.5),
                           (-a * b / (a * a + b * b + 1) ** 1.5,
                            (a * a + 1) / (a * a + b * b + 1) ** 1.5)),
             [(0.7, -1.2), (-1.5, 2.0)], [reals(-6, 6), reals(-6, 6)],
             lambda a, b: cmath.sqrt(a * a + b * b + 1), composable=True),
]


def _rpow_composite_hessian(a, b):
    g, s = 1 + a * a, math.sin(b)
    f = g**s
    aa = 2 * s * g ** (s - 1) + 4 * a * a * s * (s - 1) * g ** (s - 2)
    ab = 2 * a * math.cos(b) * g ** (s - 1) * (1 + s * math.log(g))
    bb = f * (math.log(g) * math.cos(b)) ** 2 - f * math.log(g) * math.sin(b)
    return ((aa, ab), (ab, bb))


COMPOSITE_CASES = [
    unary("x*sin(x)", lambda x: x * ad.sin(x), lambda x: x * math.sin(x),
          lambda x: math.sin(x) + x * math.cos(x), lambda x: 2 * math.cos(x) - x * math.sin(x),
          [0.3, -2.0, 1.0], reals(-6, 6), lambda z: z * cmath.sin(z)),
    unary("x*sin(x)*exp(x)", lambda x: x * ad.sin(x) * ad.exp(x),
          lambda x: x * math.sin(x) * math.exp(x),
          lambda x: (math.sin(x) + x * math.cos(x) + x * math.sin(x)) * math.exp(x),
          lambda x: 2 * (math.sin(x) + math.cos(x) + x * math.cos(x)) * math.exp(x),
          [-1.0, 0.3, 1.5], reals(-5, 5), lambda z: z * cmath.sin(z) * cmath.exp(z)),
    unary("x/(1+x**2)", lambda x: x / (1.0 + ad.square(x)), lambda x: x / (1 + x * x),
          lambda x: (1 - x * x) / (1 + x * x) ** 2, lambda x: (2 * x**3 - 6 * x) / (1 + x * x) ** 3,
          [-2.0, 0.5, 3.0], reals(-10, 10), lambda z: z / (1 + z * z)),
    unary("tanh(x)**2", lambda x: ad.tanh(x) ** 2, lambda x: math.tanh(x) ** 2,
          lambda x: 2 * math.tanh(x) / math.cosh(x) ** 2,
          lambda x: (2 - 6 * math.tanh(x) ** 2) / math.cosh(x) ** 2,
          [-1.0, 0.4, 2.0], reals(-6, 6), lambda z: cmath.tanh(z) ** 2),
    # d(1/x) = div(neg(1/x), x) reaches x at the top and under 1/x (symbolic postorder regression)
    unary("1/x", lambda x: 1.0 / x, lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3,
          [-2.0, 0.5, 3.0], away_from_zero(0.1, 10), lambda z: 1 / z),
    function("x**2*y + sin(y)", lambda x, y: x * x * y + ad.sin(y),
             lambda x, y: x * x * y + math.sin(y), lambda x, y: (2 * x * y, x * x + math.cos(y)),
             lambda x, y: ((2 * y, 2 * x), (2 * x, -math.sin(y))),
             [(1.5, -0.7), (0.3, 2.0)], [reals(-5, 5), reals(-5, 5)],
             lambda x, y: x * x * y + cmath.sin(y)),
    function("x**2*y**3", lambda x, y: x**2 * y**3, lambda x, y: x * x * y * y * y,
             lambda x, y: (2 * x * y**3, 3 * x * x * y * y),
             lambda x, y: ((2 * y**3, 6 * x * y * y), (6 * x * y * y, 6 * x * x * y)),
             [(1.5, 0.7), (-2.0, 3.0), (0.5, -1.0)], [reals(-3, 3), reals(-3, 3)],
             lambda x, y: x**2 * y**3),
    function("x**2*y**3 + sin(x*y)", lambda x, y: x**2 * y**3 + ad.sin(x * y),
             lambda x, y: x * x * y**3 + math.sin(x * y),
             lambda x, y: (2 * x * y**3 + y * math.cos(x * y), 3 * x * x * y * y + x * math.cos(x * y)),
             lambda x, y: ((2 * y**3 - y * y * math.sin(x * y),
                            6 * x * y * y + math.cos(x * y) - x * y * math.sin(x * y)),
                           (6 * x * y * y + math.cos(x * y) - x * y * math.sin(x * y),
                            6 * x * x * y - x * x * math.sin(x * y))),
             [(1.5, 0.7)], [reals(-3, 3), reals(-3, 3)],
             lambda x, y: x**2 * y**3 + cmath.sin(x * y)),
    function("sin(x*y) + x/2 - 3**y", lambda x, y: ad.sin(x * y) + x / 2.0 - 3.0**y,
             lambda x, y: math.sin(x * y) + x / 2 - math.exp(y * LN3),
             lambda x, y: (y * math.cos(x * y) + 0.5, x * math.cos(x * y) - 3.0**y * LN3),
             lambda x, y: ((-y * y * math.sin(x * y), math.cos(x * y) - x * y * math.sin(x * y)),
                           (math.cos(x * y) - x * y * math.sin(x * y),
                            -x * x * math.sin(x * y) - 3.0**y * LN3**2)),
             [(0.3, 1.2)], [reals(-3, 3), reals(-3, 3)],
             lambda x, y: cmath.sin(x * y) + x / 2 - 3.0**y),
]

EXAMPLE_CASES = [
    function("normal_density", normal_density, _normal_value, _normal_first, _normal_second,
             [(0.0, 0.0, 1.0),       # the standard normal at its mean
              (1.3, 1.3, 0.7),       # x = mu: dp/dx = dp/dmu = 0
              (-2.5, 0.5, 1.5),      # negative x
              (0.01, 0.0, 0.05),     # small sigma
              (-0.002, -0.0035, 1e-3),  # very small sigma
              (3.0, -1.0, 2.0),
              (-7.0, -4.0, 0.9)],    # far in the tail
             [reals(-5, 5), reals(-5, 5), reals(0.3, 3)],
             lambda x, mu, s: cmath.exp(-((x - mu) ** 2) / (2 * s * s)) / (s * math.sqrt(2 * math.pi)),
             source="the course's running example (DESIGN.md)"),
    function("griewank_walther", griewank_walther, lambda x1, x2: _gw_derivatives(x1, x2)[0],
             lambda x1, x2: _gw_derivatives(x1, x2)[1], lambda x1, x2: _gw_derivatives(x1, x2)[2],
             [(1.5, 0.5), (0.7, 1.2), (-2.0, 0.8)], [reals(-3, 3), reals(0.3, 2)],
             lambda x1, x2: (cmath.sin(x1 / x2) + x1 / x2 - cmath.exp(x2)) * (x1 / x2 - cmath.exp(x2)),
             source="Griewank & Walther 2008, Evaluating Derivatives, 2nd ed., Ch. 1 (at (1.5, 0.5))"),
    function("baydin", baydin_example, lambda x1, x2: math.log(x1) + x1 * x2 - math.sin(x2),
             lambda x1, x2: (1 / x1 + x2, x1 - math.cos(x2)),
             lambda x1, x2: ((-1 / x1**2, 1.0), (1.0, math.sin(x2))),
             [(2.0, 5.0), (0.5, -1.0)], [reals(0.1, 10), reals(-10, 10)],
             lambda x1, x2: cmath.log(x1) + x1 * x2 - cmath.sin(x2),
             source="Baydin, Pearlmutter, Radul & Siskind 2018, JMLR 18(153), Tables 2 and 3 (at (2, 5))"),
]


# Array primitives (adlessons.numpy), inside functions of one or two numbers whose value and
# derivatives are written out by hand.  M(x) = x I + B with B = [[1, 2], [3, 4]] has
# det M = (x + 1)(x + 4) - 6 = x^2 + 5x - 2 =: d(x) and inv M = [[x + 4, -2], [-3, x + 1]] / d.
B22 = np.array([[1.0, 2.0], [3.0, 4.0]])
SWAP = np.array([[0.0, 1.0], [1.0, 0.0]])  # rows sum to 1: sum(S @ SWAP) = sum(S)
I22 = np.eye(2)


def _d(x):
    return x * x + 5 * x - 2


def _sum_of_inverse(x):  # sum of the entries of inv M: (x + 4 - 2 - 3 + x + 1) / d = 2x / d
    return 2 * x / _d(x)


def _sum_of_inverse_d1(x):
    return -2 * (x * x + 2) / _d(x) ** 2


def _sum_of_inverse_d2(x):
    return (-4 * x * _d(x) + 4 * (x * x + 2) * (2 * x + 5)) / _d(x) ** 3


def _solve_sum(x):  # sum of inv M @ [1, 0] = (x + 4 - 3) / d = (x + 1) / d
    return (x + 1) / _d(x)


def _solve_sum_d1(x):
    return (-x * x - 2 * x - 7) / _d(x) ** 2


def _solve_sum_d2(x):
    return ((-2 * x - 2) * _d(x) - 2 * (-x * x - 2 * x - 7) * (2 * x + 5)) / _d(x) ** 3


KS = (1, 2, 3, 4)  # the entries of B22: sum over them of sin(k x)

ARRAY_CASES = [
    unary("det(x*I + B)", lambda x: anp.linalg.det(x * I22 + B22), _d, lambda x: 2 * x + 5,
          lambda x: 2.0, [0.7, 2.0, -1.0], reals(-3, 3), lambda z: z * z + 5 * z - 2, primitive="det"),
    unary("sum(inv(x*I + B))", lambda x: anp.sum(anp.linalg.inv(x * I22 + B22)), _sum_of_inverse,
          _sum_of_inverse_d1, _sum_of_inverse_d2, [0.7, 2.0, -1.0], reals(1, 5),
          lambda z: 2 * z / (z * z + 5 * z - 2), primitive="inv"),
    unary("sum(solve(x*I + B, e1))",
          lambda x: anp.sum(anp.linalg.solve(x * I22 + B22, np.array([1.0, 0.0]))),
          _solve_sum, _solve_sum_d1, _solve_sum_d2, [0.7, 2.0, -1.0], reals(1, 5),
          lambda z: (z + 1) / (z * z + 5 * z - 2), primitive="solve"),
    function("sum(sin(x*B) @ (y*SWAP))", lambda x, y: anp.sum(anp.matmul(anp.sin(x * B22), y * SWAP)),
             lambda x, y: y * sum(math.sin(k * x) for k in KS),
             lambda x, y: (y * sum(k * math.cos(k * x) for k in KS), sum(math.sin(k * x) for k in KS)),
             lambda x, y: ((-y * sum(k * k * math.sin(k * x) for k in KS), sum(k * math.cos(k * x) for k in KS)),
                           (sum(k * math.cos(k * x) for k in KS), 0.0)),
             [(0.7, -0.4), (-1.1, 2.0)], [reals(-3, 3), reals(-3, 3)],
             lambda x, y: y * sum(cmath.sin(k * x) for k in KS), primitive="matmul"),
    function("sum(outer(x*[1,2], exp(y*[1,3])))",
             lambda x, y: anp.sum(anp.outer(x * np.array([1.0, 2.0]), anp.exp(y * np.array([1.0, 3.0])))),
             lambda x, y: 3 * x * (math.exp(y) + math.exp(3 * y)),
             lambda x, y: (3 * (math.exp(y) + math.exp(3 * y)), 3 * x * (math.exp(y) + 3 * math.exp(3 * y))),
             lambda x, y: ((0.0, 3 * (math.exp(y) + 3 * math.exp(3 * y))),
                           (3 * (math.exp(y) + 3 * math.exp(3 * y)), 3 * x * (math.exp(y) + 9 * math.exp(3 * y)))),
             [(0.7, -0.4), (-1.1, 0.5)], [reals(-3, 3), reals(-2, 2)],
             lambda x, y: 3 * x * (cmath.exp(y) + cmath.exp(3 * y)), primitive="outer"),
    # (x B)ᵀ[0, 1] = x B[1, 0] = 3x: a transpose that kept B would give sin(2x)
    unary("sin(transpose(x*B))[0,1]",
          lambda x: anp.sum(anp.sin(anp.transpose(x * B22)) * np.array([[0.0, 1.0], [0.0, 0.0]])),
          lambda x: math.sin(3 * x), lambda x: 3 * math.cos(3 * x), lambda x: -9 * math.sin(3 * x),
          [0.7, -1.1], reals(-3, 3), lambda z: cmath.sin(3 * z), primitive="transpose"),
    # T = x * [0..5] reshaped (1, 2, 3) + 1, axes (2, 0, 1): P[2, 0, 1] = T[0, 1, 2] = 5x + 1
    unary("permute_dims(x*arange(6)+1)[2,0,1]**2",
          lambda x: anp.sum(anp.square(anp.transpose(x * np.arange(6.0).reshape(1, 2, 3) + 1.0, (2, 0, 1)))
                            * np.eye(1, 6, 5).reshape(3, 1, 2)),
          lambda x: (5 * x + 1) ** 2, lambda x: 10 * (5 * x + 1), lambda x: 50.0,
          [0.7, -1.1], reals(-3, 3), lambda z: (5 * z + 1) ** 2, primitive="permute_dims"),
    # x * [1..6] reshaped (2, 3): entry [1, 0] is the 4th, 4x
    unary("exp(reshape(x*[1..6], (2,3)))[1,0]",
          lambda x: anp.sum(anp.exp(anp.reshape(x * np.arange(1.0, 7.0), (2, 3)))
                            * np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])),
          lambda x: math.exp(4 * x), lambda x: 4 * math.exp(4 * x), lambda x: 16 * math.exp(4 * x),
          [0.3, -1.1], reals(-2, 2), lambda z: cmath.exp(4 * z), primitive="reshape"),
    # row sums of (x B)^2: 5x^2 and 25x^2; weighted 1 and 10: 255 x^2 (column sums would give 210 x^2)
    unary("sum(sum((x*B)**2, axis=1) * [1,10])",
          lambda x: anp.sum(anp.sum(anp.square(x * B22), axis=1) * np.array([1.0, 10.0])),
          lambda x: 255 * x * x, lambda x: 510 * x, lambda x: 510.0,
          [0.7, -1.1], reals(-3, 3), lambda z: 255 * z * z, primitive="sum"),
    unary("mean(exp(x*[1,2,3]))", lambda x: anp.mean(anp.exp(x * K123)),
          lambda x: sum(math.exp(k * x) for k in (1, 2, 3)) / 3,
          lambda x: sum(k * math.exp(k * x) for k in (1, 2, 3)) / 3,
          lambda x: sum(k * k * math.exp(k * x) for k in (1, 2, 3)) / 3,
          [0.3, -1.1], reals(-3, 3), lambda z: sum(cmath.exp(k * z) for k in (1, 2, 3)) / 3,
          primitive="mean"),
    unary("sin((x*[1,2,3])[2])", lambda x: ad.sin((x * K123)[2]), lambda x: math.sin(3 * x),
          lambda x: 3 * math.cos(3 * x), lambda x: -9 * math.sin(3 * x),
          [0.7, -1.1], reals(-3, 3), lambda z: cmath.sin(3 * z), primitive="getitem"),
    # x * [1, 2] scattered into zeros(3) at [0, 2]: [x, 0, 2x]
    unary("sin(scatter(x*[1,2], [0,2], 3)) . [1,1,10]",
          lambda x: anp.sum(ad.sin(P["scatter"](x * np.array([1.0, 2.0]), (np.array([0, 2]),), (3,)))
                            * np.array([1.0, 1.0, 10.0])),
          lambda x: math.sin(x) + 10 * math.sin(2 * x), lambda x: math.cos(x) + 20 * math.cos(2 * x),
          lambda x: -math.sin(x) - 40 * math.sin(2 * x),
          [0.7, -1.1], reals(-3, 3), lambda z: cmath.sin(z) + 10 * cmath.sin(2 * z), primitive="scatter"),
    # [x, 2x, 3y]; exp; weights [1, 0, 2]: e^x + 2 e^(3y)
    function("exp(concatenate(x*[1,2], y*[3])) . [1,0,2]",
             lambda x, y: anp.sum(anp.exp(anp.concatenate([x * np.array([1.0, 2.0]), y * np.array([3.0])]))
                                  * np.array([1.0, 0.0, 2.0])),
             lambda x, y: math.exp(x) + 2 * math.exp(3 * y),
             lambda x, y: (math.exp(x), 6 * math.exp(3 * y)),
             lambda x, y: ((math.exp(x), 0.0), (0.0, 18 * math.exp(3 * y))),
             [(0.7, -0.4), (-1.1, 0.5)], [reals(-3, 3), reals(-2, 2)],
             lambda x, y: cmath.exp(x) + 2 * cmath.exp(3 * y), primitive="concatenate"),
    # elementwise, with a kink where x = y (away from it here): no complex version
    dataclasses.replace(
        function("maximum(x, y)", lambda x, y: anp.maximum(x, y), max,
                 lambda x, y: (1.0, 0.0) if x > y else (0.0, 1.0), lambda x, y: ZERO2,
                 [(0.7, -0.4), (-1.1, 0.5)], [reals(-5, 5), reals(-5, 5)], primitive="maximum"),
        domain=st.tuples(reals(-5, 5), reals(-5, 5)).filter(lambda p: abs(p[0] - p[1]) > 0.01)),
    function("where(True, x, y)", lambda x, y: anp.where(np.array(True), x, y), lambda x, y: x,
             lambda x, y: (1.0, 0.0), lambda x, y: ZERO2, [(0.7, -0.4)], [reals(-5, 5), reals(-5, 5)],
             lambda x, y: x, primitive="where"),
]


FUNCTIONS = tuple(PRIMITIVE_CASES + ARRAY_CASES + OPERATOR_CASES + COMPOSABLE_CASES + COMPOSITE_CASES
                  + EXAMPLE_CASES)
_BY_NAME = {case.name: case for case in FUNCTIONS}
assert len(_BY_NAME) == len(FUNCTIONS), "two table entries share a name"


def by_name(name: str) -> FunctionCase:
    """The table entry called ``name``."""
    return _BY_NAME[name]


def cases(where: Callable[[FunctionCase], bool] = lambda case: True,
          marks: Callable[[FunctionCase], tuple] = lambda case: ()) -> list:
    """pytest parameters, one per table entry that ``where`` accepts (a test loops over the
    entry's points); ``marks(case)`` may give pytest marks for an entry (an xfail for a known gap)."""
    return [pytest.param(case, id=case.name, marks=marks(case)) for case in FUNCTIONS if where(case)]


def cases_at_points(where: Callable[[FunctionCase], bool] = lambda case: True,
                    marks: Callable[[FunctionCase], tuple] = lambda case: ()) -> list:
    """pytest parameters (entry, point), one per sample point of each accepted entry;
    ``marks(case)`` may give pytest marks for an entry (e.g. xfail for a known gap)."""
    return [pytest.param(case, point, id=f"{case.name}@{','.join(f'{x:g}' for x in point)}",
                         marks=marks(case))
            for case in FUNCTIONS if where(case) for point in case.points]


def is_structural(case: FunctionCase) -> bool:
    """Entries exercising a structural primitive (no local partials: sum_to, broadcast_to)."""
    return case.primitive is not None and not P[case.primitive].is_elementwise


def is_smooth(case: FunctionCase) -> bool:
    """Entries with a complex version are analytic where they are defined (no kinks)."""
    return case.complex is not None


def along(f: Callable, point: tuple, k: int) -> Callable:
    """f as a function of its k-th argument alone, the others held at ``point``."""
    def f_along_k(t):
        args = list(point)
        args[k] = t
        return f(*args)

    return f_along_k


def unit(n: int, k: int) -> tuple:
    """The k-th unit vector of length n, as a tuple of floats."""
    return tuple(1.0 if j == k else 0.0 for j in range(n))


def size_of_numbers(case: FunctionCase, point: tuple) -> float:
    """|f| + sum |df| + sum |d2f| at ``point``: the scale of the terms a derivative sums.

    A derivative computed in floating point is accurate to a few ulps *of the terms it sums*,
    which can be much larger than the result when they nearly cancel (e.g. f'(x) near a
    turning point); tolerances are relative to this size, not to the result alone.
    """
    return (abs(case.value(*point)) + sum(abs(d) for d in case.first(*point))
            + sum(abs(h) for row in case.second(*point) for h in row))


def assert_close(got, want, rtol: float, scale: float = 0.0, what: str = "") -> None:
    """|got - want| <= rtol * (|want| + scale), with a message naming what was compared."""
    got, want = float(got), float(want)
    assert abs(got - want) <= rtol * (abs(want) + scale), (
        f"{what}: got {got!r}, want {want!r} (difference {got - want:.3g})")
