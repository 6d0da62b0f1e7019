"""Every array primitive end to end through ``grad`` and ``jvp``: first and second order, on
random shapes (broadcasting included), against two references that use none of the array rules:

- the **scalar engine**: the same computation done by NumPy on object arrays of scalar trace
  nodes, so the package records one scalar operation per multiply and add and differentiates
  those (Lessons 3 to 5); inv, det and solve, which NumPy cannot do on objects, are written out
  by cofactors for sizes up to 3;
- **central differences** of the loss (first order) and of the gradient (second order).

The loss is L = sum(G * sin(op(arrays))) with a fixed random G, so second derivatives are not
trivially zero.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlessons
import adlessons.numpy as anp
from adlessons import grad, jvp

# --- the operations, twice: through anp (the array rules) and on object arrays of scalars -----


def _objects(items, shape):
    """An object array holding ``items`` (scalar trace nodes), filled one by one so that NumPy
    never tries to look inside them."""
    out = np.empty(len(items), dtype=object)
    for i, v in enumerate(items):
        out[i] = v
    return out.reshape(shape)


def _minor(M, i, j):
    return np.delete(np.delete(M, i, axis=0), j, axis=1)


def scalar_det(M):
    """Cofactor expansion along the first row: scalar operations only."""
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    total = 0.0
    for j in range(n):
        term = M[0, j] * scalar_det(_minor(M, 0, j))
        total = total + term if j % 2 == 0 else total - term
    return total


def scalar_inv(M):
    """The adjugate divided by the determinant."""
    n, det = M.shape[0], scalar_det(M)
    if n == 1:
        return _objects([1.0 / M[0, 0]], (1, 1))
    out = np.empty((n, n), dtype=object)
    for i in range(n):
        for j in range(n):
            cofactor = scalar_det(_minor(M, j, i))
            out[i, j] = (cofactor if (i + j) % 2 == 0 else -cofactor) / det
    return out


# name -> (array operation via anp, the same on object arrays of scalars, operand shapes from n, m, k)
OPS = {
    "matmul 2d@2d": (lambda a, b: a @ b, lambda a, b: a @ b, lambda n, m, k: [(n, m), (m, k)]),
    "matmul 2d@1d": (lambda a, b: a @ b, lambda a, b: a @ b, lambda n, m, k: [(n, m), (m,)]),
    "matmul 1d@2d": (lambda a, b: a @ b, lambda a, b: a @ b, lambda n, m, k: [(m,), (m, k)]),
    "outer": (anp.outer, np.outer, lambda n, m, k: [(n,), (m,)]),
    "transpose": (lambda a: a.T, lambda a: a.T, lambda n, m, k: [(n, m)]),
    "reshape": (lambda a: anp.reshape(a, (-1,)), lambda a: a.reshape(-1), lambda n, m, k: [(n, m)]),
    "sum axis 0": (lambda a: anp.sum(a, axis=0), lambda a: a.sum(axis=0), lambda n, m, k: [(n, m)]),
    "sum keepdims": (lambda a: anp.sum(a, axis=1, keepdims=True), lambda a: a.sum(axis=1, keepdims=True),
                     lambda n, m, k: [(n, m)]),
    "mean": (lambda a: anp.mean(a, axis=-1), lambda a: a.sum(axis=-1) / a.shape[-1], lambda n, m, k: [(n, m, k)]),
    "slice": (lambda a: a[1:, ::2], lambda a: a[1:, ::2], lambda n, m, k: [(n + 1, m)]),
    "repeated index": (lambda a: a[[0, 0, -1]], lambda a: a[[0, 0, -1]], lambda n, m, k: [(n, m)]),
    "concatenate": (lambda a, b: anp.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], axis=1),
                    lambda n, m, k: [(n, m), (n, k)]),
    "stack": (lambda a, b: anp.stack([a, b]), lambda a, b: np.stack([a, b]), lambda n, m, k: [(n, m), (n, m)]),
    "broadcast add": (lambda a, b: a + b, lambda a, b: a + b, lambda n, m, k: [(n, m), (m,)]),
    "broadcast mul column": (lambda a, b: a * b, lambda a, b: a * b, lambda n, m, k: [(n, m), (n, 1)]),
    "broadcast div": (lambda a, b: a / (2.0 + b * b), lambda a, b: a / (2.0 + b * b),
                      lambda n, m, k: [(k, n, m), (m,)]),
    "broadcast_to": (lambda a: anp.broadcast_to(a, (3,) + a.shape),
                     lambda a: np.broadcast_to(a, (3,) + a.shape), lambda n, m, k: [(n, m)]),
    "exp tanh sqrt": (lambda a: anp.sqrt(1.0 + anp.exp(anp.tanh(a))),
                      lambda a: _objects([adlessons.sqrt(1.0 + adlessons.exp(adlessons.tanh(v)))
                                          for v in a.ravel()], a.shape),
                      lambda n, m, k: [(n, m)]),
    "maximum": (anp.maximum, lambda a, b: _objects([ai if ai > bj else bj for row in a
                                                    for ai, bj in zip(row, b)], a.shape),
                lambda n, m, k: [(n, m), (m,)]),
    "where": (lambda a, b: anp.where(np.arange(a.size).reshape(a.shape) % 2 == 0, a, b),
              lambda a, b: np.where(np.arange(a.size).reshape(a.shape) % 2 == 0, a, np.broadcast_to(b, a.shape)),
              lambda n, m, k: [(n, m), (m,)]),
    "inv": (anp.linalg.inv, scalar_inv, lambda n, m, k: [(min(n, 3),) * 2]),
    "det": (anp.linalg.det, scalar_det, lambda n, m, k: [(min(n, 3),) * 2]),
    "solve": (anp.linalg.solve, lambda a, b: scalar_inv(a) @ b, lambda n, m, k: [(min(n, 3),) * 2, (min(n, 3), k)]),
}


def _operands(name, n, m, k, seed):
    rng = np.random.default_rng(seed)
    out = []
    for shape in OPS[name][2](n, m, k):
        a = rng.normal(size=shape)
        if name in ("inv", "det", "solve") and len(out) == 0:
            # strictly diagonally dominant by 1: every eigenvalue is at least 1 away from 0
            # (Gershgorin), so no drawn matrix is near-singular and differences stay accurate
            a = a + np.diag(np.abs(a).sum(axis=1) + 1.0)
        if name == "maximum":  # keep entries apart: no ties, where the derivative jumps
            a = (rng.permutation(a.size).reshape(shape) + 0.3 * len(out)) / a.size
        out.append(a)
    return out


def _weights(name, args, seed):
    out_shape = np.shape(OPS[name][0](*args))
    return np.random.default_rng(seed + 1).normal(size=out_shape)


def array_loss(name, G):
    op = OPS[name][0]
    return lambda *arrays: anp.sum(G * anp.sin(op(*arrays)))


def scalar_loss(name, G, shapes):
    """The same loss on one flat list of scalars: NumPy's own algorithm on object arrays."""
    op = OPS[name][1]
    sizes = [int(np.prod(s)) for s in shapes]

    def loss(flat):
        arrays, start = [], 0
        for shape, size in zip(shapes, sizes):
            arrays.append(_objects(flat[start: start + size], shape))
            start += size
        out = np.asarray(op(*arrays), dtype=object)
        total = 0.0
        for g, v in zip(np.ravel(G).tolist(), out.ravel().tolist()):
            total = total + g * adlessons.sin(v)
        return total

    return loss


sizes = st.integers(1, 3)


@pytest.mark.parametrize("name", list(OPS))
@settings(max_examples=6, deadline=None)
@given(n=sizes, m=sizes, k=sizes, seed=st.integers(0, 2**16))
def test_first_and_second_order_match_the_scalar_engine_and_differences(name, n, m, k, seed):
    args = _operands(name, n, m, k, seed)
    G = _weights(name, args, seed)
    shapes = [a.shape for a in args]
    f = array_loss(name, G)
    argnums = tuple(range(len(args)))
    grads = grad(f, argnums=argnums)(*args)
    flat = [v for a in args for v in a.ravel().tolist()]
    f_scalar = scalar_loss(name, G, shapes)
    grad_scalar = np.asarray(grad(f_scalar)(flat), dtype=float)
    grad_flat = np.concatenate([np.ravel(g) for g in grads])
    assert all(np.shape(g) == a.shape for g, a in zip(grads, args)), name
    assert np.allclose(grad_flat, grad_scalar, rtol=1e-10, atol=1e-12), name

    # first order against central differences along a random direction
    rng = np.random.default_rng(seed + 2)
    d = [rng.normal(size=a.shape) for a in args]
    h = 1e-6
    fd = (f(*(a + h * t for a, t in zip(args, d))) - f(*(a - h * t for a, t in zip(args, d)))) / (2 * h)
    assert math.isclose(float(np.sum(grad_flat * np.concatenate([t.ravel() for t in d]))), fd,
                        rel_tol=1e-6, abs_tol=1e-7), name

    # second order: forward over reverse (a Hessian-vector product) on arrays, against the
    # scalar engine's own forward over reverse, and central differences of the gradient
    def g_all(*arrays):
        return anp.concatenate([anp.ravel(g) for g in grad(f, argnums=argnums)(*arrays)])

    _, hvp = jvp(g_all, tuple(args), tuple(d))
    d_flat = [v for t in d for v in t.ravel().tolist()]
    _, hvp_scalar = jvp(grad(f_scalar), (flat,), (d_flat,))
    assert np.allclose(hvp, np.asarray(hvp_scalar, dtype=float), rtol=1e-9, atol=1e-11), name
    g_plus = g_all(*(a + h * t for a, t in zip(args, d)))
    g_minus = g_all(*(a - h * t for a, t in zip(args, d)))
    assert np.allclose(hvp, (g_plus - g_minus) / (2 * h), rtol=1e-5, atol=1e-6), name
