"""The named worked examples that the notebooks and the tests share.

Each is an ordinary Python function written with ``adlessons``' elementary functions, so it
runs on plain numbers, and records a trace when given traced inputs.
"""

from __future__ import annotations

import math

from .functions import exp, log, sin, square

SQRT_2PI = math.sqrt(2.0 * math.pi)


def normal_density(x, mu, sigma):
    """p(x; mu, sigma) = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi)): three inputs, one output."""
    return exp(-square(x - mu) / (2.0 * square(sigma))) / (sigma * SQRT_2PI)


def griewank_walther(x1, x2):
    """y = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)], written as in Griewank & Walther
    (2008, Ch. 1, the opening example), so that the shared subexpressions are computed once:
    v1 = x1/x2, v2 = sin(v1), v3 = exp(x2), v4 = v1 - v3, v5 = v2 + v4, v6 = v5 * v4.
    """
    v1 = x1 / x2
    v2 = sin(v1)
    v3 = exp(x2)
    v4 = v1 - v3
    v5 = v2 + v4
    return v5 * v4


GRIEWANK_WALTHER_POINT = (1.5, 0.5)


def baydin_example(x1, x2):
    """f(x1, x2) = ln(x1) + x1 x2 - sin(x2) (Baydin et al. 2018, Tables 2 and 3, at (2, 5))."""
    return log(x1) + x1 * x2 - sin(x2)


BAYDIN_POINT = (2.0, 5.0)


def logistic_map(x, n: int):
    """l_n with l_1 = x and l_(k+1) = 4 l_k (1 - l_k) (Baydin et al. 2018, Table 1)."""
    value = x
    for _ in range(n - 1):
        value = 4.0 * value * (1.0 - value)
    return value


__all__ = [
    "normal_density", "griewank_walther", "GRIEWANK_WALTHER_POINT",
    "baydin_example", "BAYDIN_POINT", "logistic_map",
]
