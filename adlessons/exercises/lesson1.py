"""Checks for Lesson 1 (finite differences): call each on your answer, e.g.
``lesson1.check_forward_difference_actual_step(forward_difference_actual_step)``.
"""

from __future__ import annotations

import math

from .. import numeric
from . import NotYet, call, correct, exercise_check, name_of

__all__ = ["check_forward_difference_actual_step", "check_best_central_step", "check_complex_abs"]

EPS = 2.0**-52

# Exercise 1: (what, f, f', bound on |f|, bound on |f''|, x, h). Large arguments where fl(x + h) - x
# is far from h, one ordinary case, and one where h is below a single gap of x.
_ACTUAL_STEP_CASES = [
    ("sin", math.sin, math.cos, 1.0, 1.0, 7.3e7, 2e-8),
    ("cos", math.cos, lambda t: -math.sin(t), 1.0, 1.0, -2.5e6, 3e-8),
    ("sin", math.sin, math.cos, 1.0, 1.0, 3.0e7, 1e-7),
    ("tanh", math.tanh, lambda t: 1 - math.tanh(t) ** 2, 1.0, 1.0, 0.7, 1e-7),
]


class _Recorded:
    """f, remembering every point it was evaluated at."""

    def __init__(self, f, name):
        self.f, self.points, self.__name__ = f, [], name

    def __call__(self, t):
        self.points.append(t)
        return self.f(t)


@exercise_check
def check_forward_difference_actual_step(answer):
    """Exercise 1: answer(f, x, h) is a forward difference that divides by the step actually taken."""
    for name, f, df, f_max, d2f_max, x, h in _ACTUAL_STEP_CASES:
        recorded = _Recorded(f, name)
        estimate = call(answer, recorded, x, h, on=f"f = {name}, x = {x:g}, h = {h:g}")
        if not isinstance(estimate, (int, float)) or isinstance(estimate, bool):
            raise NotYet(f"{name_of(answer)} returned {estimate!r} for f = {name}, x = {x:g}, h = {h:g}: "
                         f"it should return the estimate of f'(x), a float.")
        extra = sorted({p for p in recorded.points if p not in (x, x + h)})
        if extra:
            raise NotYet(f"for f = {name}, x = {x:g}, h = {h:g} {name_of(answer)} evaluated f at "
                         f"{', '.join(f'{p!r}' for p in extra)}: a forward difference needs f only at x and x + h.")
        if x not in recorded.points or x + h not in recorded.points:
            raise NotYet(f"for f = {name}, x = {x:g}, h = {h:g} {name_of(answer)} did not evaluate f at both "
                         f"x and x + h: a forward difference compares those two values.")
        step = (x + h) - x
        # what truncation (step/2 |f''|) and rounding of the two f values (a few eps |f| / step) allow
        allowed = step / 2 * d2f_max + 4 * EPS * f_max / step
        error = abs(estimate - df(x))
        if not math.isfinite(estimate) or error > allowed:
            raise NotYet(f"for f = {name}, x = {x:g}, h = {h:g} your estimate is off by {error / abs(df(x)):.1e} "
                         f"(relative), far more than truncation and round-off allow ({allowed / abs(df(x)):.0e}): "
                         f"compare the distance between the two points where f was evaluated with h.")
    return correct(f"on {len(_ACTUAL_STEP_CASES)} cases (three with large x, where x + h is rounded a lot) your "
                   f"forward difference is as accurate as truncation and round-off allow.")


# Exercise 2: (M0, M3, eps), including single precision (eps = 2^-23).
_CENTRAL_CASES = [(math.e, math.e, EPS), (1.0, 8.0, EPS), (50.0, 0.3, 2.0**-23), (2.0, 1e4, EPS)]


def _central_error(h, M0, M3, eps):
    """E(h) = h^2/6 M3 + eps M0 / h: the central difference's error model."""
    return h * h / 6 * M3 + eps * M0 / h


def _minimiser(M0, M3, eps):
    """The step minimising E, found numerically (golden-section search on log h), not by the formula."""
    low, high = math.log(1e-30), math.log(1e10)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(200):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if _central_error(math.exp(a), M0, M3, eps) < _central_error(math.exp(b), M0, M3, eps):
            high = b
        else:
            low = a
    return math.exp((low + high) / 2)


@exercise_check
def check_best_central_step(answer):
    """Exercise 2: answer(M0, M3, eps) returns (h_star, E_star), the minimiser of E and E's value there."""
    for M0, M3, eps in _CENTRAL_CASES:
        where = f"M0 = {M0:g}, M3 = {M3:g}, eps = {eps:.3g}"
        result = call(answer, M0, M3, eps, on=where)
        try:
            h_star, e_star = (float(v) for v in result)
        except (TypeError, ValueError):
            raise NotYet(f"{name_of(answer)} returned {result!r} for {where}: it should return two numbers, "
                         f"(h_star, E_star).") from None
        if not (math.isfinite(h_star) and h_star > 0):
            raise NotYet(f"{name_of(answer)} gives h_star = {h_star!r} for {where}: a step is a positive number.")
        best = _minimiser(M0, M3, eps)
        if abs(math.log(h_star / best)) > 1e-6:
            side = "smaller" if h_star > best else "larger"
            raise NotYet(f"for {where} your h_star does not minimise E(h) = h^2/6 M3 + eps M0/h: E is smaller "
                         f"at a {side} step. (Where is E'(h) = 0?)")
        if not math.isclose(e_star, _central_error(h_star, M0, M3, eps), rel_tol=1e-9):
            raise NotYet(f"for {where} your h_star is right, but your E_star is not E(h) at your h_star.")
    return correct(f"for {len(_CENTRAL_CASES)} choices of M0, M3 and eps (single precision too) your h_star minimises "
                   f"E and your E_star is the error there.")


# Exercise 3: points on both sides of 0, none at the kink itself.
_ABS_POINTS = [-3.7, -0.2, -1e-3, 0.5, 2.0, 1e5]


@exercise_check
def check_complex_abs(answer):
    """Exercise 3: answer(z) equals |x| on real x and the complex step through it gives the slope of |x|."""
    for x in _ABS_POINTS:
        value = call(answer, x, on=f"the real number {x:g}")
        try:
            ok = value == abs(x)
        except TypeError:
            ok = False
        if not ok:
            raise NotYet(f"{name_of(answer)}({x:g}) is {value!r}, not |{x:g}| = {abs(x):g}.")
    for x in _ABS_POINTS:
        z = complex(x, 1e-20)
        try:
            slope = numeric.complex_step(answer, x)
        except TypeError as error:
            reason = error.__cause__ or error
            advice = ("complex numbers have no order: what can you compare instead?" if "not supported" in str(reason)
                      else "the complex step needs operations that accept complex numbers.")
            raise NotYet(f"{name_of(answer)} fails on the complex number {z}: {reason}; {advice}") from None
        except Exception as error:
            raise NotYet(f"the complex step through {name_of(answer)} at x = {x:g} raised "
                         f"{type(error).__name__}: {error}") from None
        expected = math.copysign(1.0, x)
        if not math.isclose(slope, expected, rel_tol=1e-12):
            why = ("the imaginary part, which carries the derivative, was lost" if slope == 0
                   else "look at the imaginary part of its value at x + ih")
            raise NotYet(f"at x = {x:g} the complex step through {name_of(answer)} gives the slope {slope:g}, "
                         f"but |x| has slope {expected:g} there: {why}.")
    return correct(f"at {len(_ABS_POINTS)} points on both sides of 0 your function equals |x| and the complex step "
                   f"through it gives the slope ±1.")
