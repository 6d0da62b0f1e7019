"""Checks for Lesson 6 (which mode): ``check_zero_adjoint_steps``, ``check_cheaper_mode`` and
``check_checkpointed_derivative``. Each measures with the package what your answer predicts."""

from __future__ import annotations

import gc
import math
import numbers
import tracemalloc
from typing import Callable

import adlessons
from adlessons import count_sweeps, record, reverse_steps, tanh, unit_vectors
from adlessons.primitive import is_number

from . import NotYet, call, correct, exercise_check, name_of

__all__ = ["check_zero_adjoint_steps", "check_cheaper_mode", "check_checkpointed_derivative"]


# --- exercise 1: multiplying by zero ----------------------------------------------------------

def _layer(n: int, m: int) -> Callable:
    """f_{n,m}(x) = [tanh(sum_j a_ij x_j)]_i, written as Lesson 6 writes it, with fixed a_ij != 0."""
    rows = [[0.3 + 0.1 * ((i * n + j) % 7) for j in range(n)] for i in range(m)]

    def f(x):
        ys = []
        for row in rows:
            s = row[0] * x[0]
            for a_ij, x_j in zip(row[1:], x[1:]):
                s = s + a_ij * x_j
            ys.append(tanh(s))
        return ys

    return f


def _zero_adjoint_steps_measured(n: int, m: int) -> int:
    """Steps of a reverse sweep of f_{n,m} seeded with e_1 whose child adjoint is 0, counted."""
    trace = record(_layer(n, m), [0.2 * (j + 1) - 0.5 for j in range(n)])
    steps = reverse_steps(trace, unit_vectors(m)[0])
    return sum(step.child_adjoint == 0 for step in steps if not step.is_seed)


_ZERO_SHAPES = ((3, 4), (1, 5), (6, 2), (2, 1), (5, 5))


@exercise_check
def check_zero_adjoint_steps(zero_adjoint_steps: Callable):
    """``zero_adjoint_steps(n, m)`` must predict how many steps of a reverse sweep of f_{n,m}
    seeded with e_1 multiply a zero adjoint; compared with the steps ``reverse_steps`` reports."""
    for n, m in _ZERO_SHAPES:
        shape = f"(n, m) = ({n}, {m})"
        measured = _zero_adjoint_steps_measured(n, m)
        got = call(zero_adjoint_steps, n, m, on=shape)
        if not isinstance(got, numbers.Integral) or isinstance(got, bool):
            raise NotYet(f"for {shape} {name_of(zero_adjoint_steps)} returned {got!r}: it should "
                         f"return a whole number of steps.")
        if got == measured:
            continue
        if got == m * (3 * n - 1):
            raise NotYet(f"for {shape} you count every edge of the graph, but the seeded output's "
                         f"own edges carry a nonzero adjoint.")
        if got == (m - 1) * 2 * n:
            raise NotYet(f"for {shape} you count operations, but a reverse step is an edge (an "
                         f"addition has two).")
        raise NotYet(f"for {shape} you predict {got} steps, but the sweep has a different number: "
                     f"which outputs have adjoint zero, and how many edges does each output's "
                     f"part of the graph have?")
    return correct("your count matches the reverse sweep's zero-adjoint steps for five shapes you "
                   "did not see.")


# --- exercise 2: the rule with two constants --------------------------------------------------

_MODE_CASES = (  # (n, m, c_forward, c_reverse); the work compared is n·c_forward with m·c_reverse
    (32, 1, 1.0, 1.0), (1, 32, 1.0, 1.0), (8, 8, 1.0, 1.0), (8, 6, 2.5, 4.0), (8, 5, 2.5, 4.0),
    (16, 8, 2.5, 4.0), (10, 7, 1.0, 1.5), (3, 4, 2.0, 1.5), (5, 9, 2.0, 1.0),
)


def _cheaper(n, m, c_forward, c_reverse) -> str:
    forward, reverse = n * c_forward, m * c_reverse   # exact here: every product is a binary float
    return "tie" if forward == reverse else ("forward" if forward < reverse else "reverse")


@exercise_check
def check_cheaper_mode(cheaper_mode: Callable):
    """``cheaper_mode(n, m, c_forward, c_reverse)`` must say which mode's full Jacobian costs less
    when a tangent sweep costs c_forward and an adjoint sweep c_reverse times f: 'forward',
    'reverse' or 'tie'."""
    for n, m, c_forward, c_reverse in _MODE_CASES:
        shown = f"(n, m) = ({n}, {m}) with c_forward = {c_forward:g}, c_reverse = {c_reverse:g}"
        got = call(cheaper_mode, n, m, c_forward, c_reverse, on=shown)
        answer = _cheaper(n, m, c_forward, c_reverse)
        if got not in ("forward", "reverse", "tie"):
            raise NotYet(f"at {shown} {name_of(cheaper_mode)} returned {got!r}: it should return "
                         f"'forward', 'reverse' or 'tie'.")
        if got == answer:
            continue
        if answer == "tie":
            raise NotYet(f"at {shown} both modes do exactly the same work: your function should "
                         f"say 'tie' there.")
        if got == _cheaper(n, m, 1.0, 1.0):
            raise NotYet(f"at {shown} your answer compares n with m only: the two constants change "
                         f"what each sweep costs.")
        raise NotYet(f"at {shown} you chose {got}: count the sweeps each mode needs, and what each "
                     f"sweep costs.")
    return correct("right for nine shapes and pairs of constants, ties included.")


# --- exercise 3: checkpointing by hand --------------------------------------------------------

def _damp(x, steps):
    for _ in range(steps):
        x = x - 0.01 * adlessons.sin(x)
    return x


def _peak_bytes(thunk):
    """(thunk's result, the peak memory tracemalloc saw while it ran)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = thunk()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# The memory test runs where the whole trace (9,001 nodes) dwarfs the few chunk traces that may
# wait for Python's cycle collector at any moment: chunks of 30 peak near 0.13 of grad's peak there,
# keeping every chunk's trace near 0.8.
_CHECKPOINT_CASES = ((1.0, 3_000, 30), (0.4, 1_000, 30), (2.0, 64, 64), (-0.5, 7, 3))
_MEMORY_STEPS, _MEMORY_FRACTION = 3_000, 0.4


@exercise_check
def check_checkpointed_derivative(checkpointed_derivative: Callable):
    """``checkpointed_derivative(x0, steps, chunk)`` must return d damp(x0, steps)/dx0 by one
    reverse sweep per chunk of ``chunk`` steps, keeping only the chunk boundaries. Checked against
    ``grad``; the sweeps are counted and the peak memory is compared with that of ``grad``."""
    for x0, steps, chunk in _CHECKPOINT_CASES:
        shown = f"x0 = {x0:g} with {steps:,} steps in chunks of {chunk}"
        chunks = math.ceil(steps / chunk)
        measure = _peak_bytes if steps >= _MEMORY_STEPS else (lambda thunk: (thunk(), None))
        with count_sweeps() as sweeps:
            got, peak = measure(lambda: call(checkpointed_derivative, x0, steps, chunk, on=shown))
        expected, full_peak = measure(lambda: adlessons.grad(_damp)(x0, steps))
        if not is_number(got):
            raise NotYet(f"at {shown} {name_of(checkpointed_derivative)} returned {got!r}: it "
                         f"should return the derivative, a number.")
        if not math.isclose(got, expected, rel_tol=1e-10):
            if steps % chunk:
                raise NotYet(f"at {shown} your derivative is wrong: is the last, shorter chunk "
                             f"included?")
            raise NotYet(f"at {shown} your derivative is wrong.")
        if sweeps["reverse"] != chunks:
            raise NotYet(f"at {shown} you ran {sweeps['reverse']} reverse sweep(s) for {chunks} "
                         f"chunks: sweep back over each chunk once.")
        if peak is not None and peak > _MEMORY_FRACTION * full_peak:
            raise NotYet(f"at {shown} your peak memory is close to that of recording all "
                         f"{steps:,} steps at once: keep only the chunk boundaries, and record one "
                         f"chunk at a time.")
    return correct("right derivatives, one reverse sweep per chunk, and a small fraction of the "
                   "memory of one long trace.")
