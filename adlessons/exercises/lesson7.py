"""Checks for Lesson 7's exercises (AD on arrays): call ``check_...(your_function)``.

Each check calls your function on matrices it makes itself (fixed seeds, shapes you do not
choose, square and non-square, so a wrong transpose cannot hide) and compares with a reference
computed here in plain NumPy from the textbook formula.  It returns a ``Feedback``: right, or
one sentence on what is wrong, without the answer.
"""

from __future__ import annotations

import numpy as np

from . import Feedback, NotYet, call, correct, exercise_check

__all__ = ["check_broadcast_adjoint", "check_matmul_vjp", "check_inverse_vjp"]

#: Shapes the checks use: (rows, columns, third size), including square and 1-sized ones.
_SHAPES = ((4, 3, 2), (3, 3, 3), (1, 5, 2), (6, 2, 1))


def _run(answer, args, what: str):
    """The learner's result on fresh float arrays (a stub or an error becomes a NotYet)."""
    shapes = ", ".join(str(np.shape(a)) for a in args)
    result = call(answer, *(np.array(a, dtype=float) for a in args), on=f"arrays of shapes {shapes}")
    if result is None:
        raise NotYet(f"your function returned None: return {what}")
    return result


def _compare(name: str, got, want, context: str, hint: str, negated: str = "") -> None:
    """A NotYet unless ``got`` is ``want`` (shape and entries), naming what differs; ``negated``
    is the message for ``got`` = -``want``, if that slip has one of its own."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"{name} is not an array of numbers ({type(got).__name__})") from None
    if got.shape != want.shape:
        raise NotYet(f"{name} has shape {got.shape}, but it must have the shape of its operand, "
                     f"{want.shape} ({context})")
    if negated and np.allclose(got, -want, rtol=1e-9):
        raise NotYet(negated)
    if not np.allclose(got, want, rtol=1e-9, atol=1e-12):
        raise NotYet(f"{name} has the right shape {want.shape} but not the right entries ({context}): {hint}")


def _compare_pair(answer, args: tuple, names: tuple, wants: tuple, hints: tuple, context: str) -> None:
    """Run ``answer(*args)``, which must return a pair, and compare each with its reference."""
    result = _run(answer, args, f"the pair ({', '.join(names)})")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotYet(f"return a pair ({', '.join(names)}), got {type(result).__name__}")
    for name, got, want, hint in zip(names, result, wants, hints):
        _compare(name, got, want, context, hint)


@exercise_check
def check_broadcast_adjoint(answer) -> Feedback:
    """``answer(X, w, Ybar)`` must return ``(Xbar, wbar)`` for ``Y = X * w`` with X of shape
    (N, k) and w of shape (k,) broadcast over the N rows."""
    for seed, (n, k, _) in enumerate(_SHAPES):
        rng = np.random.default_rng(70 + seed)
        X, w, Ybar = rng.normal(size=(n, k)), rng.normal(size=k), rng.normal(size=(n, k))
        # Y_ij = X_ij w_j: dY_ij/dX_ij = w_j; w_j is used by every row i, so its adjoint sums them.
        _compare_pair(answer, (X, w, Ybar), ("Xbar", "wbar"), (Ybar * w, (Ybar * X).sum(axis=0)),
                      ("each X_ij is multiplied by one w_j",
                       "w_j is used once in every row: what happens to a value used several times?"),
                      f"X of shape {(n, k)}, w of shape {(k,)}")
    return correct("X̄ = Ȳ * w, and w̄ sums Ȳ * X over the rows w was broadcast along.")


@exercise_check
def check_matmul_vjp(answer) -> Feedback:
    """``answer(A, B, Cbar)`` must return ``(Abar, Bbar)`` for ``C = A @ B`` (2-D arrays)."""
    for seed, (n, m, k) in enumerate(_SHAPES):
        rng = np.random.default_rng(170 + seed)
        A, B, Cbar = rng.normal(size=(n, m)), rng.normal(size=(m, k)), rng.normal(size=(n, k))
        # C_il = sum_j A_ij B_jl: dC_il/dA_ij = B_jl and dC_il/dB_jl = A_ij (reference: Giles 2008).
        _compare_pair(answer, (A, B, Cbar), ("Abar", "Bbar"), (Cbar @ B.T, A.T @ Cbar),
                      ("A_ij meets every B_jl in row i of C: sum over l",
                       "B_jl meets every A_ij in column l of C: sum over i"),
                      f"A of shape {(n, m)}, B of shape {(m, k)}")
    return correct("Ā = C̄ Bᵀ and B̄ = Aᵀ C̄, for square and non-square shapes alike.")


@exercise_check
def check_inverse_vjp(answer) -> Feedback:
    """``answer(A, Cbar)`` must return ``Abar`` for ``C = inv(A)`` (A square, not symmetric)."""
    for seed, (n, _, _) in enumerate(_SHAPES):
        rng = np.random.default_rng(270 + seed)
        n = max(n, 2)
        A = rng.normal(size=(n, n)) + n * np.eye(n)  # well conditioned, not symmetric
        Cbar = rng.normal(size=(n, n))
        result = _run(answer, (A, Cbar), "Abar")
        C = np.linalg.inv(A)
        want = -C.T @ Cbar @ C.T  # Giles 2008, the inverse's reverse-mode result
        _compare("Abar", result, want, f"A of shape {(n, n)}, not symmetric",
                 "start from dC = -C dA C and move each factor to the other side of the trace",
                 negated=f"Abar has the wrong sign (A of shape {(n, n)}): differentiate A C = I once more")
    return correct("Ā = -Cᵀ C̄ Cᵀ with C = A⁻¹ (Giles 2008), checked on non-symmetric matrices.")
