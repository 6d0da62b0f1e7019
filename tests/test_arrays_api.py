"""The JAX-style API on arrays and pytrees: shapes and structures of what comes back, the
scalar lessons' reading of lists, Hessian-vector products, and clear errors.

Reference values are hand-derived formulas (written in each test) or central differences;
none is read off the package's own output.
"""

from __future__ import annotations

import numpy as np
import pytest

import adlessons.numpy as anp
from adlessons import ADError, grad, jacfwd, jacrev, jvp, record, value_and_grad, vjp

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
x = rng.normal(size=4)


def loss_Ax(x):
    return anp.sum(anp.tanh(A @ x))


def test_an_ndarray_is_one_input_and_a_list_is_n_inputs():
    assert record(loss_Ax, x).n_inputs == 1
    assert record(lambda v: v[0] * v[1], [1.0, 2.0]).n_inputs == 2
    # documented in adlessons.api: the textbook's f: R^n -> R reads a list of n numbers
    assert np.array_equal(grad(lambda v: v[0] * v[1])([2.0, 3.0]), [3.0, 2.0])


def test_gradient_of_an_array_argument_has_its_shape():
    g = grad(loss_Ax)(x)
    assert isinstance(g, np.ndarray) and g.shape == x.shape
    assert np.allclose(g, A.T @ (1 - np.tanh(A @ x) ** 2), rtol=1e-14, atol=1e-15)  # by hand


def test_gradient_of_a_matrix_argument():
    g = grad(lambda A: anp.sum(anp.tanh(A @ x)))(A)
    assert g.shape == A.shape
    assert np.allclose(g, np.outer(1 - np.tanh(A @ x) ** 2, x), rtol=1e-14, atol=1e-15)


def test_value_and_grad_of_a_pytree_keeps_its_structure():
    params = {"W": rng.normal(size=(4, 2)), "b": rng.normal(size=2), "layers": [rng.normal(size=2), 0.5]}

    def f(p):
        z = anp.tanh(x @ p["W"] + p["b"])
        return anp.sum(z * p["layers"][0]) * p["layers"][1]

    value, g = value_and_grad(f)(params)
    assert set(g) == {"W", "b", "layers"} and isinstance(g["layers"], list)
    assert g["W"].shape == (4, 2) and g["b"].shape == (2,) and g["layers"][0].shape == (2,)
    assert isinstance(g["layers"][1], float)
    z = np.tanh(x @ params["W"] + params["b"])
    c, s = params["layers"]
    zbar = c * s * (1 - z * z)  # by hand
    assert np.isclose(value, np.sum(z * c) * s, rtol=1e-14)
    assert np.allclose(g["b"], zbar) and np.allclose(g["W"], np.outer(x, zbar))
    assert np.allclose(g["layers"][0], z * s) and np.isclose(g["layers"][1], np.sum(z * c))


def test_tuples_of_arrays_and_argnums():
    f = lambda a, b: anp.sum(a * b)  # noqa: E731
    a, b = rng.normal(size=3), rng.normal(size=3)
    ga, gb = grad(f, argnums=(0, 1))(a, b)
    assert np.allclose(ga, b) and np.allclose(gb, a)
    (g_pair,) = vjp(lambda ab: anp.sum(ab[0] * ab[1]), (a, b))[1](1.0)
    assert isinstance(g_pair, tuple) and np.allclose(g_pair[0], b) and np.allclose(g_pair[1], a)


def test_jacrev_and_jacfwd_have_output_shape_then_input_shape():
    W = rng.normal(size=(2, 3))
    X = rng.normal(size=(3, 4))
    f = lambda X: W @ X  # noqa: E731  (2, 4) from (3, 4)
    for jac in (jacrev, jacfwd):
        J = jac(f)(X)
        assert J.shape == (2, 4, 3, 4)
        # d (W X)_ij / d X_kl = W_ik [j == l]
        assert np.allclose(J, np.einsum("ik,jl->ijkl", W, np.eye(4)), rtol=1e-15, atol=0)


def test_jacobian_of_a_scalar_function_of_a_matrix_is_its_gradient():
    J = jacrev(lambda A: anp.sum(A * A))(A)
    assert J.shape == A.shape and np.allclose(J, 2 * A)


def test_jvp_on_arrays():
    t = rng.normal(size=4)
    y, y_dot = jvp(lambda x: anp.tanh(A @ x), (x,), (t,))
    assert np.allclose(y, np.tanh(A @ x)) and np.allclose(y_dot, (1 - np.tanh(A @ x) ** 2) * (A @ t))


def test_an_output_no_input_reaches_has_a_zero_tangent_and_adjoint_of_its_shape():
    # d/dx of a constant is 0, entry by entry: the zero has the output's shape (it was 0.0)
    _, tangent = jvp(lambda x: (2.0 * x, np.ones(3)), (1.0,), (1.0,))
    assert tangent[0] == 2.0
    assert isinstance(tangent[1], np.ndarray) and tangent[1].shape == (3,) and not tangent[1].any()
    _, pullback = vjp(lambda x: np.ones(3) + 0.0 * x[0], np.array([1.0, 2.0]))
    assert pullback(np.ones(3))[0].shape == (2,)
    assert jacfwd(lambda x: np.ones(3))(1.0).shape == (3,)


def test_hessian_vector_product_by_forward_over_reverse():
    """f(x) = sum(tanh(A x)) has H = Aᵀ diag(-2 tanh (1 - tanh²)) A (by hand)."""
    v = rng.normal(size=4)
    _, Hv = jvp(grad(loss_Ax), (x,), (v,))
    y = np.tanh(A @ x)
    H = A.T @ np.diag(-2 * y * (1 - y * y)) @ A
    assert Hv.shape == (4,) and np.allclose(Hv, H @ v, rtol=1e-12, atol=1e-14)
    assert np.allclose(jacfwd(grad(loss_Ax))(x), H, rtol=1e-12, atol=1e-14)


def test_grad_of_grad_through_matrix_rules():
    """By hand, for 2 × 2 matrices det(A + tE) = det A + t(...) + t² det E, so its second
    derivative in t is 2 det E at every t: reverse over reverse through det's rule (which uses inv)."""
    A2 = np.array([[2.0, -1.0], [0.5, 3.0]])
    E = np.array([[1.0, 2.0], [-0.5, 0.25]])
    second = grad(grad(lambda t: anp.linalg.det(A2 + t * E)))(0.3)
    assert np.isclose(second, 2 * np.linalg.det(E), rtol=1e-12)


# --- errors ---------------------------------------------------------------------------------------


def test_matmul_shape_mismatch_names_operation_node_and_shapes():
    with pytest.raises(ADError) as info:
        grad(lambda x: anp.sum(A @ x))(np.ones(3))
    text = str(info.value)
    assert "matmul" in text and "(3, 4)" in text and "(3,)" in text and "v₁" in text


def test_broadcast_mismatch_names_the_shapes():
    with pytest.raises(ADError) as info:
        grad(lambda x: anp.sum(x + np.ones(3)))(np.ones(4))
    text = str(info.value)
    assert "add" in text and "(4,)" in text and "(3,)" in text and "v₀" in text
    assert "do not broadcast" in text


def test_a_long_array_in_a_message_is_named_by_dtype_and_shape():
    with pytest.raises(ADError) as info:
        grad(lambda x: anp.sum(anp.log(x)))(-np.ones((5, 6)))
    assert "<float64 array of shape (5, 6)>" in str(info.value)


def test_grad_of_a_non_scalar_output_says_to_use_jacrev_or_vjp():
    with pytest.raises(TypeError) as info:
        grad(lambda x: anp.tanh(A @ x))(x)
    assert "jacrev" in str(info.value) and "vjp" in str(info.value) and "(3,)" in str(info.value)


@pytest.mark.parametrize("bad, words", [
    (np.array(["a", "b"]), "U1"),
    (np.array([1.0, None], dtype=object), "object"),
    (np.array([True, False]), "bool"),
])
def test_non_float_arrays_are_refused_by_name(bad, words):
    with pytest.raises((TypeError, ADError)) as info:
        grad(lambda v: anp.sum(v))(bad)
    assert words in str(info.value)


def test_nan_entries_are_refused_with_their_place():
    with pytest.raises(ADError) as info:
        grad(lambda v: anp.sum(v * v))(np.array([1.0, np.nan]))
    assert "nan" in str(info.value) and "not finite" in str(info.value)


def test_singular_matrices_are_refused_by_inv_solve_and_det_rule():
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ADError, match="singular"):
        grad(lambda S: anp.sum(anp.linalg.inv(S)))(S)
    with pytest.raises(ADError, match="singular"):
        grad(lambda S: anp.sum(anp.linalg.solve(S, np.ones(2))))(S)
    # det itself is defined (0) at a singular matrix, but Giles's rule needs A⁻¹
    assert anp.linalg.det(S) == 0.0
    with pytest.raises(ADError, match="singular") as info:
        grad(anp.linalg.det)(S)
    assert "det" in str(info.value)


def test_anp_on_plain_arrays_returns_numpy_results():
    M = np.arange(6.0).reshape(2, 3)
    assert isinstance(anp.sum(M, axis=0), np.ndarray) and np.array_equal(anp.sum(M, axis=0), M.sum(axis=0))
    assert anp.sum(M) == 15.0 and isinstance(anp.sum(M), float)
    assert np.array_equal(anp.tanh(M), np.tanh(M))
    assert np.allclose(anp.linalg.inv(np.eye(2) * 2), np.eye(2) / 2)
    assert np.array_equal(anp.concatenate([M, M], axis=1), np.concatenate([M, M], axis=1))


def test_jacobian_of_a_list_argument_with_an_array_output_puts_the_list_axis_last():
    """JAX's layout is the output's shape, then the input's: for f(v) = v0 c + 10 v1 c with c of
    shape (3,) and v a list of two numbers, J[i, j] = ∂f_i/∂v_j is c_i for j = 0 and 10 c_i for
    j = 1 (written out by hand), a (3, 2) array."""
    c = np.array([1.0, 2.0, 3.0])
    expected = np.stack([c, 10 * c], axis=-1)
    for jac in (jacrev, jacfwd):
        J = jac(lambda v: v[0] * c + 10 * v[1] * c)([1.0, 2.0])
        assert J.shape == (3, 2)
        np.testing.assert_array_equal(J, expected)
