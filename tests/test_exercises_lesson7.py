"""Lesson 7's exercise checks: the worked solutions pass; typical wrong answers are refused
with a message that names the problem (and a stub gives "Not yet", not a traceback)."""

from __future__ import annotations

import numpy as np
import pytest

from adlessons.exercises import lesson7


def stub(*args):
    raise NotImplementedError


# --- exercise 1: the adjoint of a broadcast operand -------------------------------------------


def broadcast_solution(X, w, Ybar):
    return Ybar * w, np.sum(Ybar * X, axis=0)


def test_broadcast_solution_passes():
    feedback = lesson7.check_broadcast_adjoint(broadcast_solution)
    assert feedback.ok and str(feedback).startswith("Correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda X, w, Ybar: (Ybar * w, Ybar * X), "wbar has shape"),              # forgot to sum back
    (lambda X, w, Ybar: (Ybar * w, np.mean(Ybar * X, axis=0)), "wbar has the right shape"),
    (lambda X, w, Ybar: (Ybar, np.sum(Ybar * X, axis=0)), "Xbar has the right shape"),
    (lambda X, w, Ybar: Ybar * w, "return a pair"),
    (lambda X, w, Ybar: None, "returned None"),
    (stub, "not written yet"),
])
def test_broadcast_wrong_answers_are_refused(wrong, words):
    feedback = lesson7.check_broadcast_adjoint(wrong)
    assert not feedback.ok and str(feedback).startswith("Not yet")
    assert words in feedback.message


# --- exercise 2: the VJP of matmul -------------------------------------------------------------


def matmul_solution(A, B, Cbar):
    return Cbar @ B.T, A.T @ Cbar


def test_matmul_solution_passes():
    assert lesson7.check_matmul_vjp(matmul_solution).ok


@pytest.mark.parametrize("wrong, words", [
    (lambda A, B, Cbar: (Cbar @ B, A @ Cbar), "raised ValueError on arrays of shapes"),          # no transposes: shapes clash
    (lambda A, B, Cbar: ((Cbar @ B.T).T, (A.T @ Cbar).T), "Abar has shape"),  # results transposed
    (lambda A, B, Cbar: (A.T @ Cbar, Cbar @ B.T), "has shape"),               # the two swapped
    (lambda A, B, Cbar: (Cbar @ B.T, A.T @ Cbar * 2), "Bbar has the right shape"),
    (stub, "not written yet"),
])
def test_matmul_wrong_answers_are_refused(wrong, words):
    feedback = lesson7.check_matmul_vjp(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_matmul_check_is_not_fooled_on_square_matrices():
    """A rule that is right only when every matrix is square and symmetric must fail:
    on square shapes Ā = C̄ B (no transpose) has the right shape but wrong entries."""
    def square_only(A, B, Cbar):
        if A.shape[0] == A.shape[1] == B.shape[1]:
            return Cbar @ B, A @ Cbar
        return matmul_solution(A, B, Cbar)

    feedback = lesson7.check_matmul_vjp(square_only)
    assert not feedback.ok and "but not the right entries" in feedback.message


# --- exercise 3: Giles's inverse ---------------------------------------------------------------


def inverse_solution(A, Cbar):
    C = np.linalg.inv(A)
    return -C.T @ Cbar @ C.T


def test_inverse_solution_passes():
    assert lesson7.check_inverse_vjp(inverse_solution).ok


@pytest.mark.parametrize("wrong, words", [
    (lambda A, Cbar: np.linalg.inv(A).T @ Cbar @ np.linalg.inv(A).T, "wrong sign"),
    (lambda A, Cbar: -np.linalg.inv(A) @ Cbar @ np.linalg.inv(A), "but not the right entries"),  # no transposes
    (lambda A, Cbar: -Cbar, "but not the right entries"),
    (lambda A, Cbar: np.zeros(3), "has shape"),
    (lambda A, Cbar: "the inverse", "Abar is not an array of numbers"),  # a sentence, not a traceback
    (stub, "not written yet"),
    ("not a function", "should be a function"),
])
def test_inverse_wrong_answers_are_refused(wrong, words):
    feedback = lesson7.check_inverse_vjp(wrong)
    assert not feedback.ok
    assert words in feedback.message
