"""Evaluations that need more than Python's operator or a ``math`` function: each works on a
number (keeping plain floats) and on a NumPy array.  The table (``adlessons.primitives``)
names them; their derivatives are the table's business, not this module's."""

from __future__ import annotations

import math

import numpy as np


def on_numbers_or_arrays(math_function, numpy_function):
    """An evaluate function: ``math`` on a number (which keeps plain floats), NumPy on an array."""
    def evaluate(x):
        return numpy_function(x) if isinstance(x, np.ndarray) else math_function(x)

    evaluate.__name__ = numpy_function.__name__
    return evaluate


def sigmoid(x):
    """1 / (1 + e^-x), written so that neither branch overflows or cancels."""
    if isinstance(x, np.ndarray):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sign(x):
    if isinstance(x, np.ndarray):
        return np.sign(x)
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def relu(x):
    if isinstance(x, np.ndarray):
        return np.maximum(x, 0.0)
    return x if x > 0 else 0.0


def sum_to(x, shape: tuple):
    """Sum ``x`` over the axes that broadcasting added or stretched, leaving ``shape``."""
    x = np.asarray(x)
    lead = x.ndim - len(shape)
    stretched = tuple(lead + k for k, size in enumerate(shape) if size == 1 and x.shape[lead + k] != 1)
    total = x.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(shape)
    return float(total) if shape == () else total
