"""Numerical differentiation: finite differences and the complex step.

These are the methods automatic differentiation replaces, kept small so that their two
weaknesses are easy to see: they are *fragile* (the answer depends on a step ``h`` that is
either too big or too small) and *costly* (a gradient needs a fresh evaluation of ``f`` per
input). Lesson 1 measures both.
"""

from __future__ import annotations

import cmath
import math
from typing import Callable, NamedTuple, Sequence

__all__ = [
    "forward_difference",
    "central_difference",
    "complex_step",
    "gradient_by_differences",
    "gradient_by_complex_step",
    "relative_errors",
    "default_steps",
    "GradientEstimate",
    "CountedFunction",
]


def forward_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """Estimate f'(x) as (f(x + h) - f(x)) / h: truncation error about h/2 |f''(x)|, round-off about eps |f(x)| / h."""
    x, h = _checked_point("forward_difference", x), _checked_step("forward_difference", h)
    return (_value("forward_difference", f, x + h) - _value("forward_difference", f, x)) / h


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """Estimate f'(x) as (f(x + h) - f(x - h)) / (2h): the h^2 terms cancel, so truncation error is about h^2/6 |f'''(x)|."""
    x, h = _checked_point("central_difference", x), _checked_step("central_difference", h)
    return (_value("central_difference", f, x + h) - _value("central_difference", f, x - h)) / (2 * h)


def complex_step(f: Callable[[complex], complex], x: float, h: float = 1e-20) -> float:
    """Estimate f'(x) as Im f(x + ih) / h (Squire & Trapp 1998): no subtraction, so h can be tiny and the error reaches eps."""
    x, h = _checked_point("complex_step", x), _checked_step("complex_step", h)
    try:
        value = f(complex(x, h))
    except TypeError as error:
        raise TypeError(
            f"complex_step: {_name(f)} does not accept the complex number {complex(x, h)!r}; "
            f"write f with operations that work on complex numbers (cmath.exp, not math.exp)"
        ) from error
    if not cmath.isfinite(value):
        raise ValueError(f"complex_step: {_name(f)} returned the non-finite value {value!r} at x + ih = {complex(x, h)!r}")
    return complex(value).imag / h


def relative_errors(
    x: float, steps: Sequence[float], f: Callable[[float], float], f_complex: Callable[[complex], complex],
    derivative: Callable[[float], float],
) -> dict[str, list[float]]:
    """|estimate - f'(x)| / |f'(x)| of the forward difference, the central difference and the
    complex step at each step h, by method: the data of the error-versus-h figure."""
    exact = derivative(x)
    if exact == 0:
        raise ValueError(f"relative_errors: the derivative at x = {x!r} is 0, so a relative error is undefined")
    estimates = {
        "forward": lambda h: forward_difference(f, x, h),
        "central": lambda h: central_difference(f, x, h),
        "complex step": lambda h: complex_step(f_complex, x, h),
    }
    return {method: [abs(estimate(h) - exact) / abs(exact) for h in steps]
            for method, estimate in estimates.items()}


def default_steps() -> list[float]:
    """Steps h = 10^(-k/4) from 1e-1 down to 1e-20: four per decade."""
    return [10.0 ** (-k / 4) for k in range(4, 81)]


class GradientEstimate(NamedTuple):
    """A gradient estimated by differences, and how many times f was evaluated to get it."""

    gradient: list[float]
    evaluations: int


def gradient_by_differences(
    f: Callable[[list[float]], float], x: Sequence[float], h: float = 1e-7, scheme: str = "forward"
) -> GradientEstimate:
    """Estimate the gradient of f: R^n -> R one coordinate at a time; costs n + 1 evaluations (forward) or 2n (central)."""
    name = "gradient_by_differences"
    if scheme not in ("forward", "central"):
        raise ValueError(f"{name}: scheme must be 'forward' or 'central', got {scheme!r}")
    h = _checked_step(name, h)
    point = _checked_vector(name, x)
    counted = CountedFunction(f)

    def moved(i: int, step: float) -> list[float]:
        """A fresh copy of the point with coordinate i moved by step."""
        y = list(point)
        y[i] += step
        return y

    if scheme == "forward":
        f_x = _value(name, counted, point)  # shared by every coordinate: this is the "+ 1"
        gradient = [(_value(name, counted, moved(i, h)) - f_x) / h for i in range(len(point))]
    else:
        gradient = [
            (_value(name, counted, moved(i, h)) - _value(name, counted, moved(i, -h))) / (2 * h)
            for i in range(len(point))
        ]
    return GradientEstimate(gradient, counted.calls)


def gradient_by_complex_step(
    f: Callable[[list[complex]], complex], x: Sequence[float], h: float = 1e-20
) -> GradientEstimate:
    """The gradient of f: R^n -> R by the complex step, one coordinate at a time: accurate to
    eps, but still n evaluations of f (f must accept complex numbers)."""
    name = "gradient_by_complex_step"
    h = _checked_step(name, h)
    point = _checked_vector(name, x)
    counted = CountedFunction(f)

    def along(i: int) -> Callable[[complex], complex]:
        def f_along_coordinate(z: complex) -> complex:
            y = list(point)
            y[i] = z
            return counted(y)

        f_along_coordinate.__name__ = counted.__name__
        return f_along_coordinate

    gradient = [complex_step(along(i), point[i], h) for i in range(len(point))]
    return GradientEstimate(gradient, counted.calls)


class CountedFunction:
    """Wraps f and counts its calls (in ``.calls``), so a cost is measured, not computed from a formula."""

    def __init__(self, f: Callable):
        self.f = f
        self.calls = 0
        self.__name__ = _name(f)

    def __call__(self, *args):
        self.calls += 1
        return self.f(*args)


def _name(f) -> str:
    """The function's name for error messages, e.g. 'exp' or '<lambda>'."""
    return getattr(f, "__name__", repr(f))


def _checked_step(where: str, h) -> float:
    """h as a float, or a ValueError if it is not a positive finite number."""
    try:
        h = float(h)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: the step h must be a positive finite number, got h = {h!r}") from None
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"{where}: the step h must be a positive finite number, got h = {h!r}")
    return h


def _checked_point(where: str, x, label: str = "x") -> float:
    """x as a float, or a ValueError if it is not a finite real number."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {label} must be a finite real number, got {label} = {x!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {label} must be a finite real number, got {label} = {x!r}")
    return value


def _checked_vector(where: str, x) -> list[float]:
    """x as a list of floats with at least one entry, or a ValueError naming the bad entry."""
    point = [_checked_point(where, xi, f"x[{i}]") for i, xi in enumerate(x)]
    if not point:
        raise ValueError(f"{where}: x must have at least one coordinate, got {list(x)!r}")
    return point


def _value(where: str, f: Callable, at) -> float:
    """f(at), or a ValueError naming f and the point if f returned inf or nan."""
    value = f(at)
    try:
        finite = math.isfinite(value)
    except TypeError:
        raise TypeError(f"{where}: {_name(f)} must return a real number, got {value!r} at {at!r}") from None
    if not finite:
        raise ValueError(f"{where}: {_name(f)} returned the non-finite value {value!r} at {at!r}")
    return value
