"""Checks for Lesson 4 (forward mode): ``check_dy_dx2``, ``check_directional_derivative`` and
``check_tagged_derivative``. Each runs your answer on points and functions you do not see."""

from __future__ import annotations

import math
from typing import Callable

import adlessons
from adlessons import Dual, count_sweeps, jvp
from adlessons.examples import griewank_walther, normal_density
from adlessons.numeric import CountedFunction

from . import NotYet, call, close, correct, exercise_check, name_of

__all__ = ["check_dy_dx2", "check_directional_derivative", "check_tagged_derivative"]


def _shown(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


# --- exercise 1: the other direction ----------------------------------------------------------

def _gw_partials(x1: float, x2: float) -> tuple[float, float]:
    """(∂y/∂x1, ∂y/∂x2) of y = (s + q)·q with s = sin(x1/x2), q = x1/x2 - e^x2, by hand."""
    r = x1 / x2
    q, s = r - math.exp(x2), math.sin(r)
    dq1, ds1 = 1 / x2, math.cos(r) / x2
    dq2, ds2 = -x1 / x2 ** 2 - math.exp(x2), -math.cos(r) * x1 / x2 ** 2
    return (ds1 + dq1) * q + (s + q) * dq1, (ds2 + dq2) * q + (s + q) * dq2


_GW_POINTS = ((1.5, 0.5), (0.7, 1.3), (-2.0, 0.8), (2.5, -1.1))


@exercise_check
def check_dy_dx2(dy_dx2: Callable):
    """``dy_dx2(x1, x2)`` must return ∂y/∂x2 of Griewank & Walther's example by forward mode
    (one tangent sweep, or dual numbers); compared with the derivative by hand."""
    for x1, x2 in _GW_POINTS:
        where = f"(x1, x2) = {_shown((x1, x2))}"
        with count_sweeps() as sweeps:
            got = call(dy_dx2, x1, x2, on=where)
        if sweeps["reverse"]:
            raise NotYet(f"{name_of(dy_dx2)} ran a reverse sweep: this exercise asks for forward "
                         f"mode (Lesson 5 gets the same number by reverse mode).")
        if sweeps["forward"] > 1:
            raise NotYet(f"{name_of(dy_dx2)} ran {sweeps['forward']} forward sweeps for one "
                         f"derivative: one sweep, with the right seed, is enough.")
        if got is None or isinstance(got, Dual):
            raise NotYet(f"at {where} {name_of(dy_dx2)} returned {got!r}: it should return a "
                         f"plain number.")
        dx1, dx2 = _gw_partials(x1, x2)
        if close(got, dx2):
            continue
        if close(got, dx1):
            raise NotYet(f"at {where} your number is ∂y/∂x1: your seed moves the other input.")
        if close(got, dx2, rel=1e-5):
            raise NotYet(f"at {where} your number agrees with ∂y/∂x2 to only a few digits, but AD "
                         f"is exact up to rounding. Are you using finite differences?")
        raise NotYet(f"at {where} your ∂y/∂x2 is wrong.")
    return correct("∂y/∂x2 is right at the published point (1.5, 0.5) and at three points you did "
                   "not see, by forward mode.")


# --- exercise 2: a whole direction in one pass ------------------------------------------------

def _four(a, b, c, d):
    return a * b * adlessons.sin(c) + adlessons.exp(d) / a


def _one(x):
    return adlessons.sin(x) * x


_DIRECTION_CASES = (
    ("the normal density", normal_density, (1.0, 0.5, 2.0), (1.0, 1.0, 0.0)),
    ("the normal density", normal_density, (0.3, -0.4, 1.7), (0.5, -1.0, 2.0)),
    ("Griewank & Walther's example", griewank_walther, (0.9, 1.4), (-0.3, 0.8)),
    ("f(a, b, c, d) = a·b·sin(c) + exp(d)/a", _four, (1.2, -0.7, 0.4, 0.3), (1.0, 2.0, -1.0, 0.5)),
    ("f(x) = x·sin(x)", _one, (2.0,), (3.0,)),
)


@exercise_check
def check_directional_derivative(directional_derivative: Callable):
    """``directional_derivative(f, x, v)`` must return ∇f(x)·v with dual numbers, calling f once;
    compared with ``adlessons.jvp`` on functions and directions you do not see."""
    for title, f, x, v in _DIRECTION_CASES:
        where = f"{title} at {_shown(x)} in direction {_shown(v)}"
        counted = CountedFunction(f)
        with count_sweeps() as sweeps:
            got = call(directional_derivative, counted, list(x), list(v), on=where)
        value, expected = jvp(f, tuple(x), tuple(v))
        if sweeps["forward"] or sweeps["reverse"]:
            raise NotYet(f"{name_of(directional_derivative)} ran a sweep over a recorded trace: "
                         f"this exercise asks for dual numbers, which need no trace.")
        if counted.calls != 1:
            raise NotYet(f"on {where} {name_of(directional_derivative)} called f {counted.calls} "
                         f"times: one pass, with every input moving along v at once, is enough.")
        if isinstance(got, Dual):
            raise NotYet(f"on {where} your result is itself a dual number, not a plain number: it "
                         f"still carries an ε. Do all the inputs share one?")
        if got is None:
            raise NotYet(f"on {where} {name_of(directional_derivative)} returned None: it should "
                         f"return a number.")
        if close(got, expected):
            continue
        if close(got, value) and not close(value, expected):
            raise NotYet(f"on {where} you returned f(x), the value: the directional derivative is "
                         f"the ε-part of the result.")
        raise NotYet(f"on {where} your directional derivative is wrong.")
    return correct("your directional derivatives match jvp on five functions and directions you "
                   "did not see, each with one call of f.")


# --- exercise 3: tagged dual numbers ----------------------------------------------------------

_CONFUSED = "d/dx [x · d/dy (x + y) at y = 1] at x = 1"
_FLATTENED = "d/dx [x · d/dy (x·y) at y = 2] at x = 3"


def _nested_cases(D: Callable) -> list:
    """(description, thunk, exact answer), each answer worked out by hand in its comment."""
    return [
        ("d/dx (x³ + 2x) at x = 1.5", lambda: D(lambda x: x * x * x + 2 * x, 1.5), 8.75),  # 3x² + 2
        ("d/dx (3 + 0.5·x·x) at x = -2", lambda: D(lambda x: 3.0 + 0.5 * x * x, -2.0), -2.0),  # x
        ("d/dx 4 at x = 1", lambda: D(lambda x: 4.0, 1.0), 0.0),
        # d/dx [x · d/dy (x + y)] = d/dx [x · 1] = 1 (Siskind & Pearlmutter 2005)
        (_CONFUSED, lambda: D(lambda x: x * D(lambda y: x + y, 1.0), 1.0), 1.0),
        # d/dx [x · d/dy (x·y)] = d/dx [x · x] = 2x = 6 at x = 3
        (_FLATTENED, lambda: D(lambda x: x * D(lambda y: x * y, 2.0), 3.0), 6.0),
        # d/dx [d/dy (x·x·y)] = d/dx [x²] = 2x = 4 at x = 2
        ("d/dx [d/dy (x·x·y) at y = 1] at x = 2",
         lambda: D(lambda x: D(lambda y: x * x * y, 1.0), 2.0), 4.0),
        # d/dx d/dy d/dz (x·y·z) = d/dx d/dy (x·y) = d/dx x = 1
        ("d/dx d/dy d/dz (x·y·z), all at 1",
         lambda: D(lambda x: D(lambda y: D(lambda z: x * y * z, 1.0), 1.0), 1.0), 1.0),
    ]


@exercise_check
def check_tagged_derivative(tagged_derivative: Callable):
    """``tagged_derivative(f, x)`` must give f'(x) with dual numbers that carry a tag per call, so
    that nested derivatives come out right; f uses only + and * (numbers on either side)."""
    if not callable(tagged_derivative):
        call(tagged_derivative)  # says that it should be a function
    for title, thunk, answer in _nested_cases(tagged_derivative):
        thunk.__name__ = getattr(tagged_derivative, "__name__", "answer")
        got = call(thunk, on=title)
        if got is None:
            raise NotYet(f"on {title} {name_of(tagged_derivative)} returned None: it should "
                         f"return a number.")
        if close(got, answer):
            continue
        if title == _CONFUSED and close(got, 2.0):
            raise NotYet(f"on {title} you get 2, the perturbation confusion: the inner derivative "
                         f"also counted the outer one's ε. Each call needs its own.")
        if title == _FLATTENED and close(got, 3.0):
            raise NotYet(f"on {title} your outer derivative loses the inner result's dependence on "
                         f"x: when a newer dual meets an older one, the older must stay a dual "
                         f"(a constant for the newer tag, but still carrying its own ε).")
        raise NotYet(f"on {title} your derivative is wrong.")
    return correct("plain, constant and nested derivatives (two and three levels deep) all come "
                   "out right.")
