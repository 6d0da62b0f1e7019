"""Giles 2008's matrix derivative results, checked in plain NumPy against numerical derivatives.

M. B. Giles, "An extended collection of matrix derivative results for forward and reverse mode
algorithmic differentiation", Oxford University Computing Laboratory report NA-08/01 (2008),
section "elementary results" (after Dwyer & Macphail 1948).  For C = f(A, B), a forward (tangent)
result gives Ċ from Ȧ, Ḃ; a reverse (adjoint) result gives Ā, B̄ from C̄, so that
    sum(C̄ * Ċ) = sum(Ā * Ȧ) + sum(B̄ * Ḃ)             (Giles's defining identity, trace form).

The formulas below are written from the paper, independently of adlessons; this file checks
them against central differences and the complex step (both independent of any derivative
rule), then uses them as the oracle for the package's own rules (matmul, inv, det, solve).
"""

from __future__ import annotations

import numpy as np
import pytest

from adlessons.primitives import PRIMITIVES

# --- the published results, as plain NumPy functions ------------------------------------------
# Each forward function returns Ċ; each reverse function returns the adjoints of the inputs.


def product_forward(A, B, dA, dB):
    """C = A B:  Ċ = Ȧ B + A Ḃ."""
    return dA @ B + A @ dB


def product_reverse(A, B, Cbar):
    """C = A B:  Ā = C̄ Bᵀ,  B̄ = Aᵀ C̄."""
    return Cbar @ B.T, A.T @ Cbar


def inverse_forward(A, dA):
    """C = A⁻¹:  Ċ = -C Ȧ C."""
    C = np.linalg.inv(A)
    return -C @ dA @ C


def inverse_reverse(A, Cbar):
    """C = A⁻¹:  Ā = -Cᵀ C̄ Cᵀ."""
    C = np.linalg.inv(A)
    return -C.T @ Cbar @ C.T


def determinant_forward(A, dA):
    """C = det A:  Ċ = C tr(A⁻¹ Ȧ)."""
    return np.linalg.det(A) * np.trace(np.linalg.solve(A, dA))


def determinant_reverse(A, Cbar):
    """C = det A:  Ā = C̄ C A⁻ᵀ."""
    return Cbar * np.linalg.det(A) * np.linalg.inv(A).T


def solve_forward(A, B, dA, dB):
    """C = A⁻¹ B (solve):  Ċ = A⁻¹ (Ḃ - Ȧ C)."""
    C = np.linalg.solve(A, B)
    return np.linalg.solve(A, dB - dA @ C)


def solve_reverse(A, B, Cbar):
    """C = A⁻¹ B (solve):  B̄ = A⁻ᵀ C̄,  Ā = -B̄ Cᵀ."""
    C = np.linalg.solve(A, B)
    Bbar = np.linalg.solve(A.T, Cbar)
    return -Bbar @ C.T, Bbar


# name -> (function of the matrix operands, forward result, reverse result, operand shapes of size n)
GILES = {
    "product": (lambda A, B: A @ B, product_forward, product_reverse, lambda n: [(n, n + 1), (n + 1, 2)]),
    "inverse": (np.linalg.inv, inverse_forward, inverse_reverse, lambda n: [(n, n)]),
    "determinant": (np.linalg.det, determinant_forward, determinant_reverse, lambda n: [(n, n)]),
    "solve": (np.linalg.solve, solve_forward, solve_reverse, lambda n: [(n, n), (n, 3)]),
}

SIZES = (1, 2, 3, 5)
SEEDS = (0, 1, 2)


def operands(name: str, n: int, seed: int):
    """Random operands (a fixed seed); square matrices are shifted to be well conditioned."""
    rng = np.random.default_rng(seed)
    out = []
    for shape in GILES[name][3](n):
        M = rng.normal(size=shape)
        if shape[0] == shape[1]:
            M = M + shape[0] * np.eye(shape[0])
        out.append(M)
    return out


def adjoints_of(reverse, args, Cbar) -> tuple:
    """The reverse result as a tuple, one adjoint per operand."""
    result = reverse(*args, Cbar)
    return result if isinstance(result, tuple) else (result,)


def directions(args, seed: int):
    rng = np.random.default_rng(seed + 100)
    return [rng.normal(size=np.shape(a)) for a in args]


def central_difference(f, args, dargs, h=1e-6):
    """(f(x + h d) - f(x - h d)) / 2h: a derivative that uses no derivative rule."""
    plus = f(*(a + h * d for a, d in zip(args, dargs)))
    minus = f(*(a - h * d for a, d in zip(args, dargs)))
    return (np.asarray(plus) - np.asarray(minus)) / (2 * h)


def complex_step(f, args, dargs, h=1e-30):
    """Im f(x + i h d) / h: the directional derivative to machine precision, for analytic f
    (NumPy's inv, det and solve work in complex arithmetic)."""
    return np.imag(f(*(a + 1j * h * d for a, d in zip(args, dargs)))) / h


# --- the checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GILES))
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_forward_result_matches_numerical_derivatives(name, n, seed):
    f, forward, _, _ = GILES[name]
    args = operands(name, n, seed)
    dargs = directions(args, seed)
    tangent = forward(*args, *dargs)
    scale = max(1.0, float(np.abs(tangent).max()))
    assert np.shape(tangent) == np.shape(f(*args))
    assert np.allclose(tangent, central_difference(f, args, dargs), rtol=1e-7, atol=1e-7 * scale)
    assert np.allclose(tangent, complex_step(f, args, dargs), rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("name", list(GILES))
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_reverse_result_is_the_gradient_entry_by_entry(name, n, seed):
    """Ā[i, j] = d/dA[i, j] sum(C̄ * f(A, B)), each entry by a complex step along E_ij."""
    f, _, reverse, _ = GILES[name]
    args = operands(name, n, seed)
    Cbar = np.random.default_rng(seed + 200).normal(size=np.shape(f(*args)))
    adjoints = adjoints_of(reverse, args, Cbar)
    loss = lambda *xs: np.sum(Cbar * f(*xs))  # noqa: E731
    for k, (a, abar) in enumerate(zip(args, adjoints)):
        assert abar.shape == a.shape
        numeric = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            unit = [np.zeros_like(x) for x in args]
            unit[k][index] = 1.0
            numeric[index] = complex_step(loss, args, unit)
        assert np.allclose(abar, numeric, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(numeric).max()))


@pytest.mark.parametrize("name", list(GILES))
@pytest.mark.parametrize("n", SIZES)
def test_forward_and_reverse_satisfy_the_dot_product_identity(name, n):
    """sum(C̄ Ċ) = sum(Ā Ȧ) + sum(B̄ Ḃ): the reverse result is the transpose of the forward one."""
    f, forward, reverse, _ = GILES[name]
    args = operands(name, n, seed=7)
    dargs = directions(args, seed=7)
    Cbar = np.random.default_rng(8).normal(size=np.shape(f(*args)))
    lhs = np.sum(Cbar * forward(*args, *dargs))
    rhs = sum(np.sum(abar * d) for abar, d in zip(adjoints_of(reverse, args, Cbar), dargs))
    assert np.isclose(lhs, rhs, rtol=1e-12, atol=1e-12)


PACKAGE = {"product": "matmul", "inverse": "inv", "determinant": "det", "solve": "solve"}


@pytest.mark.parametrize("name", list(GILES))
@pytest.mark.parametrize("n", SIZES)
def test_the_package_rules_are_giles_results(name, n):
    """Each primitive's jvp rules (summed over its operands) give Giles's Ċ, its vjp rules his adjoints."""
    f, forward, reverse, _ = GILES[name]
    primitive = PRIMITIVES[PACKAGE[name]]
    args = operands(name, n, seed=3)
    dargs = directions(args, seed=3)
    out = primitive.evaluate(*args)
    Cbar = np.random.default_rng(4).normal(size=np.shape(out))
    tangent = sum(np.asarray(primitive.jvp(k, d, tuple(args), out)) for k, d in enumerate(dargs))
    assert np.allclose(tangent, forward(*args, *dargs), rtol=1e-12, atol=1e-12)
    for k, abar in enumerate(adjoints_of(reverse, args, Cbar)):
        assert np.allclose(primitive.vjp(k, Cbar, tuple(args), out), abar, rtol=1e-12, atol=1e-12)


def test_determinant_of_a_2x2_by_hand():
    """det [[a, b], [c, d]] = ad - bc, so d det / dA = [[d, -c], [-b, a]] (by hand, no NumPy rule)."""
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    (a, b), (c, d) = A
    assert np.allclose(determinant_reverse(A, 1.0), [[d, -c], [-b, a]], rtol=1e-14)
    dA = np.array([[1.0, 2.0], [3.0, 4.0]])
    by_hand = dA[0, 0] * d + a * dA[1, 1] - dA[0, 1] * c - b * dA[1, 0]   # product rule on ad - bc
    assert np.isclose(determinant_forward(A, dA), by_hand, rtol=1e-14)


def test_inverse_of_a_2x2_by_hand():
    """A⁻¹ = [[d, -b], [-c, a]] / (ad - bc); its derivative along E_00 differentiated by hand."""
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    (a, b), (c, d) = A
    det = a * d - b * c
    E00 = np.array([[1.0, 0.0], [0.0, 0.0]])
    # d/da of [[d, -b], [-c, a]] / det = [[0, 0], [0, 1]] / det - [[d, -b], [-c, a]] * d / det²
    by_hand = np.array([[0.0, 0.0], [0.0, 1.0]]) / det - np.array([[d, -b], [-c, a]]) * d / det**2
    assert np.allclose(inverse_forward(A, E00), by_hand, rtol=1e-14)
