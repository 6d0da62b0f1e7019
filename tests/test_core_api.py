"""The public API with JAX's meanings, every primitive against its analytic derivative,
higher-order derivatives, perturbation confusion, and very deep traces.

Every expected derivative here is an analytic formula written with ``math`` in this file
(calculus, not this package), or a hand-computed Jacobian.
"""

import math
import sys

import numpy as np
import pytest

import adlessons as ad
from adlessons import PRIMITIVES, derivative, grad, jacfwd, jacrev, jvp, value_and_grad, vjp

# Tolerance for one primitive vs its analytic derivative: both sides are a handful of correctly
# rounded libm calls, so they agree to a few ulps; 1e-13 relative leaves room for that only.
REL = 1e-13


def close(a, b, rel=REL, abs_=1e-300):
    return a == pytest.approx(b, rel=rel, abs=abs_)


# ============================================================================================
# grad, value_and_grad, jvp, vjp
# ============================================================================================


def f2(x, y):
    return x * x * y + ad.sin(y)


def df2(x, y):  # analytic gradient of x^2 y + sin y
    return 2 * x * y, x * x + math.cos(y)


def test_grad_argnums_int_and_tuple():
    x, y = 1.5, -0.7
    assert close(grad(f2)(x, y), df2(x, y)[0])  # default argnums=0
    assert close(grad(f2, argnums=1)(x, y), df2(x, y)[1])
    g = grad(f2, argnums=(0, 1))(x, y)
    assert isinstance(g, tuple) and len(g) == 2
    assert close(g[0], df2(x, y)[0]) and close(g[1], df2(x, y)[1])
    g1 = grad(f2, argnums=(1,))(x, y)
    assert isinstance(g1, tuple) and len(g1) == 1 and close(g1[0], df2(x, y)[1])
    g10 = grad(f2, argnums=(1, 0))(x, y)  # order of argnums is the order of the result
    assert close(g10[0], df2(x, y)[1]) and close(g10[1], df2(x, y)[0])


def test_grad_argnums_out_of_range():
    with pytest.raises(ValueError, match="argnums names argument 2, but the function was given 2"):
        grad(f2, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="argnums names argument -3"):
        grad(f2, argnums=-3)(1.0, 2.0)


def test_grad_negative_argnums_count_from_the_end_as_in_jax():
    x, y = 1.5, -0.7
    assert close(grad(f2, argnums=-1)(x, y), df2(x, y)[1])
    g = grad(f2, argnums=(-2, -1))(x, y)
    assert close(g[0], df2(x, y)[0]) and close(g[1], df2(x, y)[1])


@pytest.mark.parametrize("argnums", [(0, 0), (1, -1), [0, 1, 0]])
def test_grad_argnums_naming_an_argument_twice_is_refused(argnums):
    with pytest.raises(ValueError, match="names the same argument more than once"):
        grad(f2, argnums=argnums)(1.0, 2.0)


@pytest.mark.parametrize("argnums", ["0", 1.0, (0, "1")])
def test_grad_argnums_that_are_not_ints(argnums):
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        grad(f2, argnums=argnums)(1.0, 2.0)


@pytest.mark.parametrize("empty", [[], (), np.array([])])
def test_empty_vector_argument(empty):
    # an empty argument has no inputs: its gradient is empty, and the next argument keeps its own
    def f(v, y):
        return sum(v, 0.0) + y * y

    gv, gy = grad(f, argnums=(0, 1))(empty, 3.0)
    assert len(gv) == 0 and gy == 6.0
    jv, jy = jacfwd(f, argnums=(0, 1))(empty, 3.0)
    assert len(jv) == 0 and jy == 6.0
    jv, jy = jacrev(f, argnums=(0, 1))(empty, 3.0)
    assert len(jv) == 0 and jy == 6.0


def test_value_and_grad():
    x, y = 0.3, 2.0
    value, g = value_and_grad(f2)(x, y)
    assert close(value, x * x * y + math.sin(y))
    assert close(g, df2(x, y)[0])
    value, g = value_and_grad(f2, argnums=(0, 1))(x, y)
    assert close(value, x * x * y + math.sin(y))
    assert close(g[0], df2(x, y)[0]) and close(g[1], df2(x, y)[1])


def test_jvp_returns_value_and_directional_derivative():
    x, y = 0.3, 2.0
    value, tangent = jvp(f2, (x, y), (0.5, -2.0))
    assert close(value, x * x * y + math.sin(y))
    gx, gy = df2(x, y)
    assert close(tangent, 0.5 * gx - 2.0 * gy)


def test_vjp_returns_value_and_pullback_tuple():
    x, y = 0.3, 2.0
    value, pullback = vjp(f2, x, y)
    assert close(value, x * x * y + math.sin(y))
    bars = pullback(1.0)
    assert isinstance(bars, tuple) and len(bars) == 2
    gx, gy = df2(x, y)
    assert close(bars[0], gx) and close(bars[1], gy)
    bars = pullback(-3.0)  # linear in the cotangent, and the pullback can be reused
    assert close(bars[0], -3.0 * gx) and close(bars[1], -3.0 * gy)
    (only,) = vjp(ad.sin, 0.4)[1](1.0)
    assert close(only, math.cos(0.4))


def test_vjp_vector_function():
    def f(x):  # R^2 -> R^2: (x0 x1, sin x0)
        return [x[0] * x[1], ad.sin(x[0])]

    value, pullback = vjp(f, [2.0, 3.0])
    assert np.allclose(value, [6.0, math.sin(2.0)], rtol=1e-15)
    (bar,) = pullback([1.0, 10.0])  # J^T (1, 10) = (x1 + 10 cos x0, x0)
    assert bar.shape == (2,)
    assert close(bar[0], 3.0 + 10 * math.cos(2.0)) and close(bar[1], 2.0)


def test_jvp_vector_arguments():
    def f(x):
        return [x[0] * x[1], ad.sin(x[0])]

    value, tangent = jvp(f, ([2.0, 3.0],), ([1.0, 0.0],))
    assert np.allclose(value, [6.0, math.sin(2.0)], rtol=1e-15)
    assert tangent.shape == (2,)
    assert close(tangent[0], 3.0) and close(tangent[1], math.cos(2.0))


# ============================================================================================
# Jacobians
# ============================================================================================


def polar(x):  # R^2 -> R^3: (r cos t, r sin t, r^2)
    r, t = x[0], x[1]
    return [r * ad.cos(t), r * ad.sin(t), r * r]


def polar_jacobian(r, t):  # by hand
    return np.array([[math.cos(t), -r * math.sin(t)],
                     [math.sin(t), r * math.cos(t)],
                     [2 * r, 0.0]])


@pytest.mark.parametrize("jac", [jacfwd, jacrev])
@pytest.mark.parametrize("make", [list, tuple, np.array], ids=["list", "tuple", "ndarray"])
def test_jacobian_shape_and_values(jac, make):
    J = jac(polar)(make([1.7, 0.4]))
    assert isinstance(J, np.ndarray) and J.shape == (3, 2)  # (m, n)
    assert np.allclose(J, polar_jacobian(1.7, 0.4), rtol=1e-14, atol=0)


def test_jacfwd_equals_jacrev():
    def f(x):  # R^3 -> R^2
        return [x[0] * ad.exp(x[1]) - x[2], ad.log(x[0] * x[0] + x[2] * x[2]) * x[1]]

    x = np.array([0.7, -0.2, 1.9])
    Jf, Jr = jacfwd(f)(x), jacrev(f)(x)
    assert Jf.shape == Jr.shape == (2, 3)
    assert np.allclose(Jf, Jr, rtol=1e-14, atol=1e-15)
    a, b, c = x
    expected = np.array([
        [math.exp(b), a * math.exp(b), -1.0],
        [2 * a * b / (a * a + c * c), math.log(a * a + c * c), 2 * c * b / (a * a + c * c)],
    ])
    assert np.allclose(Jf, expected, rtol=1e-14, atol=0)


def test_jacobian_scalar_in_scalar_out():
    for jac in (jacfwd, jacrev):
        J = jac(ad.sin)(0.3)
        assert np.ndim(J) == 0 and close(float(J), math.cos(0.3))


def test_jacobian_scalar_in_vector_out():
    for jac in (jacfwd, jacrev):
        J = jac(lambda t: [t * t, ad.exp(t), 3.0])(0.5)
        assert np.shape(J) == (3,)
        assert np.allclose(J, [1.0, math.exp(0.5), 0.0], rtol=1e-15, atol=0)


def test_jacobian_vector_in_scalar_out_is_the_gradient():
    f = lambda x: x[0] * x[1] * x[2]  # noqa: E731
    for jac in (jacfwd, jacrev):
        J = jac(f)([2.0, 3.0, 5.0])
        assert J.shape == (3,)
        assert np.array_equal(J, [15.0, 10.0, 6.0])
    assert np.array_equal(grad(f)([2.0, 3.0, 5.0]), [15.0, 10.0, 6.0])
    assert np.array_equal(grad(f)(np.array([2.0, 3.0, 5.0])), [15.0, 10.0, 6.0])


def test_jacobian_several_argnums():
    f = lambda x, y: [x * y, x + 2 * y]  # noqa: E731
    for jac in (jacfwd, jacrev):
        Jx, Jy = jac(f, argnums=(0, 1))(2.0, 3.0)
        assert np.array_equal(Jx, [3.0, 1.0]) and np.array_equal(Jy, [2.0, 2.0])


def test_numpy_array_argument_keeps_array_semantics():
    # JAX semantics: a numpy array argument is an array inside f, so x + x and 2 * x are
    # elementwise: f(x) = x + 2x has Jacobian 3 I (2 x 2).  A Python list would instead
    # concatenate (x + x has 4 entries), silently giving a 4 x 2 "Jacobian".
    f = lambda x: x + 2.0 * x  # noqa: E731
    x = np.array([1.0, 2.0])
    for jac in (jacfwd, jacrev):
        J = jac(f)(x)
        assert np.shape(J) == (2, 2)
        assert np.array_equal(J, 3.0 * np.eye(2))


# ============================================================================================
# constants and unused inputs
# ============================================================================================


def test_constant_output_has_zero_gradient():
    assert grad(lambda x: 2.0)(3.0) == 0.0
    assert grad(lambda x, y: 2.0, argnums=(0, 1))(3.0, 4.0) == (0.0, 0.0)
    assert value_and_grad(lambda x: 2.0)(3.0) == (2.0, 0.0)
    assert jvp(lambda x: 2.0, (3.0,), (1.0,)) == (2.0, 0.0)
    assert vjp(lambda x: 2.0, 3.0)[1](1.0) == (0.0,)
    assert derivative(lambda x: 2.0, 3.0) == 0.0
    assert np.array_equal(jacfwd(lambda x: [x[0] * 0 + 1, 2.0])([1.0]), [[0.0], [0.0]])


def test_unused_input_has_zero_gradient():
    f = lambda x, y, z: x * ad.sin(z)  # noqa: E731  (y unused)
    g = grad(f, argnums=(0, 1, 2))(2.0, 5.0, 0.3)
    assert g[1] == 0.0
    assert close(g[0], math.sin(0.3)) and close(g[2], 2.0 * math.cos(0.3))
    assert jvp(f, (2.0, 5.0, 0.3), (0.0, 1.0, 0.0))[1] == 0.0
    assert np.array_equal(grad(lambda x: x[0] * 3.0)([1.0, 7.0]), [3.0, 0.0])


def test_identity_and_output_that_is_an_input():
    assert grad(lambda x: x)(3.0) == 1.0
    assert grad(lambda x, y: y, argnums=(0, 1))(3.0, 4.0) == (0.0, 1.0)
    assert jvp(lambda x: x, (3.0,), (2.5,)) == (3.0, 2.5)


def _three_to_two(v):  # f: R^3 -> R^2
    return [v[0] * v[1], ad.sin(v[2])]


@pytest.mark.parametrize("run, forward, reverse", [
    (lambda: jacfwd(_three_to_two)([1.0, 2.0, 3.0]), 3, 0),   # one sweep per input
    (lambda: jacrev(_three_to_two)([1.0, 2.0, 3.0]), 0, 2),   # one sweep per output
    (lambda: grad(f2, argnums=(0, 1))(1.0, 2.0), 0, 1),       # a whole gradient in one sweep
    (lambda: value_and_grad(f2)(1.0, 2.0), 0, 1),
    (lambda: jvp(f2, (1.0, 2.0), (1.0, 0.0)), 1, 0),
    (lambda: vjp(_three_to_two, [1.0, 2.0, 3.0])[1]([1.0, 0.0]), 0, 1),
    (lambda: grad(grad(ad.sin))(1.0), 0, 2),                   # the outer sweep runs over the inner one
    (lambda: ad.derivative(ad.sin, 1.0), 0, 0),                # dual numbers need no sweep
])
def test_count_sweeps(run, forward, reverse):
    with ad.count_sweeps() as sweeps:
        run()
    assert (sweeps["forward"], sweeps["reverse"]) == (forward, reverse)


def test_count_sweeps_counts_until_an_error():
    with pytest.raises(ad.DomainError):
        with ad.count_sweeps() as sweeps:
            jacfwd(lambda v: [v[0], v[1]])([1.0, 2.0])
            grad(ad.log)(1e-310)  # its one sweep runs, then the overflow is refused
    assert (sweeps["forward"], sweeps["reverse"]) == (2, 1)


# ============================================================================================
# elementary functions and operators on plain numbers
# ============================================================================================


def _sigmoid_by_tanh(x):  # an identity, not the package's formula: sigmoid(x) = (1 + tanh(x/2))/2
    return 0.5 * (1.0 + math.tanh(0.5 * x))


PLAIN = {  # exported name -> reference on plain floats
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "log": math.log,
    "sqrt": math.sqrt, "tanh": math.tanh, "sigmoid": _sigmoid_by_tanh,
    "relu": lambda x: max(x, 0.0), "square": lambda x: x * x,
    "sign": lambda x: math.copysign(1.0, x) if x != 0 else 0.0, "absolute": abs,
}


def test_every_exported_function_has_a_plain_reference():
    exported = {name for name in ad.__all__ if isinstance(getattr(ad, name), ad.Primitive)}
    assert exported == set(PLAIN)


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize("x", [0.5, 1.25, 3.0, 0.01])
def test_elementary_functions_accept_plain_floats(name, x):
    rel = 1e-14 if name == "sigmoid" else 1e-15  # 1 + tanh(x/2) cancels a little for x < 0
    got = getattr(ad, name)(x)
    assert isinstance(got, float)
    assert close(got, PLAIN[name](x), rel=rel)
    if name not in ("log", "sqrt"):
        assert close(getattr(ad, name)(-x), PLAIN[name](-x), rel=rel)


def test_elementary_functions_exact_on_floats():
    assert ad.sin(0.5) == math.sin(0.5)
    assert ad.cos(0.5) == math.cos(0.5)
    assert ad.tan(0.5) == math.tan(0.5)
    assert ad.exp(0.5) == math.exp(0.5)
    assert ad.log(0.5) == math.log(0.5)
    assert ad.sqrt(0.5) == math.sqrt(0.5)
    assert ad.tanh(0.5) == math.tanh(0.5)
    assert ad.sin(2) == math.sin(2)  # ints are numbers too


def test_operators_with_numbers_on_either_side():
    x0 = 1.5
    cases = [  # (f, analytic derivative at x0)
        (lambda x: 2 - x, -1.0),
        (lambda x: x - 2, 1.0),
        (lambda x: 2 + x, 1.0),
        (lambda x: x + 2, 1.0),
        (lambda x: 2 * x, 2.0),
        (lambda x: x * 2, 2.0),
        (lambda x: 2 / x, -2 / x0**2),
        (lambda x: x / 2, 0.5),
        (lambda x: 2 ** x, 2**x0 * math.log(2)),
        (lambda x: x ** 2, 2 * x0),
        (lambda x: -x, -1.0),
        (lambda x: +x, 1.0),
        (lambda x: abs(x), 1.0),
        (lambda x: abs(-x), 1.0),
    ]
    for f, d in cases:
        assert close(grad(f)(x0), d)
        assert close(jvp(f, (x0,), (1.0,))[1], d)
        assert close(derivative(f, x0), d)
        assert close(f(ad.Dual(x0, 1.0)).primal, f(x0))


# ============================================================================================
# every primitive against its analytic derivative (one table, minitorch style)
# ============================================================================================

sech2 = lambda x: 1.0 / math.cosh(x) ** 2  # noqa: E731
P = PRIMITIVES

# name -> list of (function of the inputs, analytic partials, points)
PRIMITIVE_CASES = {
    "add": [(lambda x, y: P["add"](x, y), lambda x, y: (1.0, 1.0), [(1.0, 2.0), (-3.5, 0.25)])],
    "sub": [(lambda x, y: P["sub"](x, y), lambda x, y: (1.0, -1.0), [(1.0, 2.0), (-3.5, 0.25)])],
    "mul": [(lambda x, y: P["mul"](x, y), lambda x, y: (y, x), [(1.0, 2.0), (-3.5, 0.25)])],
    "div": [(lambda x, y: P["div"](x, y), lambda x, y: (1 / y, -x / y**2),
             [(1.0, 2.0), (-3.5, 0.25), (2.0, -0.1)])],
    "neg": [(lambda x: P["neg"](x), lambda x: (-1.0,), [(1.0,), (-2.0,)])],
    "pow": [  # x ** c, constant exponent
        (lambda x: x**2, lambda x: (2 * x,), [(1.5,), (-0.7,), (0.0,)]),
        (lambda x: x**3, lambda x: (3 * x**2,), [(1.5,), (-0.7,), (0.0,)]),
        (lambda x: x**0.5, lambda x: (0.5 / math.sqrt(x),), [(2.0,), (0.01,)]),
        (lambda x: x**-1, lambda x: (-1 / x**2,), [(2.0,), (-0.3,)]),
        (lambda x: x**-2.5, lambda x: (-2.5 * x**-3.5,), [(2.0,), (0.3,)]),
        (lambda x: x**1, lambda x: (1.0,), [(2.0,), (0.0,), (-1.0,)]),
        (lambda x: x**0, lambda x: (0.0,), [(2.0,), (-1.0,), (0.0,)]),  # x**0 = 1: slope 0
    ],
    "rpow": [  # traced exponent
        (lambda x, y: x**y, lambda x, y: (y * x ** (y - 1), x**y * math.log(x)),
         [(1.5, 2.0), (0.3, -1.2), (2.0, 0.5)]),
        (lambda x: 2.0**x, lambda x: (2.0**x * math.log(2.0),), [(1.5,), (-3.0,)]),
        (lambda x: 0.5**x, lambda x: (0.5**x * math.log(0.5),), [(1.5,), (-3.0,)]),
        (lambda x: x**x, lambda x: (x**x * (math.log(x) + 1),), [(1.5,), (0.2,)]),
    ],
    "square": [(lambda x: P["square"](x), lambda x: (2 * x,), [(1.5,), (-0.7,), (0.0,)])],
    "sqrt": [(lambda x: P["sqrt"](x), lambda x: (0.5 / math.sqrt(x),), [(2.0,), (1e-6,), (9.0,)])],
    "exp": [(lambda x: P["exp"](x), lambda x: (math.exp(x),), [(0.0,), (-3.0,), (2.5,)])],
    "log": [(lambda x: P["log"](x), lambda x: (1 / x,), [(0.1,), (1.0,), (50.0,)])],
    "sin": [(lambda x: P["sin"](x), lambda x: (math.cos(x),), [(0.0,), (1.0,), (-4.0,)])],
    "cos": [(lambda x: P["cos"](x), lambda x: (-math.sin(x),), [(0.0,), (1.0,), (-4.0,)])],
    "tan": [(lambda x: P["tan"](x), lambda x: (1 / math.cos(x) ** 2,), [(0.0,), (1.0,), (-1.3,)])],
    "tanh": [(lambda x: P["tanh"](x), lambda x: (sech2(x),), [(0.0,), (1.0,), (-2.0,)])],
    "sigmoid": [(lambda x: P["sigmoid"](x),
                 lambda x: (math.exp(-x) / (1 + math.exp(-x)) ** 2,), [(0.0,), (1.0,), (-2.0,)])],
    "relu": [(lambda x: P["relu"](x), lambda x: (1.0 if x > 0 else 0.0,), [(1.5,), (-0.5,)])],
    "sign": [(lambda x: P["sign"](x), lambda x: (0.0,), [(1.5,), (-0.5,)])],
    "abs": [(lambda x: P["abs"](x), lambda x: (math.copysign(1.0, x),), [(1.5,), (-0.5,)])],
}

PRIMITIVE_PARAMS = [
    pytest.param(f, df, point, id=f"{name}-{k}-{point}")
    for name, cases in PRIMITIVE_CASES.items()
    for k, (f, df, points) in enumerate(cases)
    for point in points
]


def test_every_primitive_is_tested():
    assert set(PRIMITIVE_CASES) == set(PRIMITIVES)


@pytest.mark.parametrize("f, df, point", PRIMITIVE_PARAMS)
def test_primitive_reverse(f, df, point):
    g = grad(f, argnums=tuple(range(len(point))))(*point)
    for got, want in zip(g, df(*point)):
        assert close(got, want)


@pytest.mark.parametrize("f, df, point", PRIMITIVE_PARAMS)
def test_primitive_forward(f, df, point):
    n = len(point)
    for k, want in enumerate(df(*point)):
        seed = tuple(1.0 if j == k else 0.0 for j in range(n))
        value, tangent = jvp(f, point, seed)
        assert close(tangent, want)


@pytest.mark.parametrize("f, df, point", PRIMITIVE_PARAMS)
def test_primitive_dual(f, df, point):
    for k, want in enumerate(df(*point)):
        def along_k(t, k=k):
            args = list(point)
            args[k] = t
            return f(*args)
        assert close(derivative(along_k, point[k]), want)


# --- second derivatives of every unary primitive (the partials are written with primitives) --

SECOND = [  # (f, analytic f'', points)
    (ad.sin, lambda x: -math.sin(x), [0.3, -2.0]),
    (ad.cos, lambda x: -math.cos(x), [0.3, -2.0]),
    (ad.tan, lambda x: 2 * math.tan(x) / math.cos(x) ** 2, [0.3, -1.0]),
    (ad.exp, math.exp, [0.3, -2.0]),
    (ad.log, lambda x: -1 / x**2, [0.3, 2.0]),
    (ad.sqrt, lambda x: -0.25 * x**-1.5, [0.3, 2.0]),
    (ad.tanh, lambda x: -2 * math.tanh(x) * sech2(x), [0.3, -2.0]),
    (ad.sigmoid, lambda x: _sigmoid_by_tanh(x) * (1 - _sigmoid_by_tanh(x)) * (1 - 2 * _sigmoid_by_tanh(x)),
     [0.3, -2.0]),
    (ad.square, lambda x: 2.0, [0.3, -2.0]),
    (lambda x: x**3, lambda x: 6 * x, [0.3, -2.0]),
    (lambda x: x**2.5, lambda x: 2.5 * 1.5 * x**0.5, [0.3, 2.0]),
    (lambda x: x * ad.sin(x), lambda x: 2 * math.cos(x) - x * math.sin(x), [0.3, -2.0]),
    (lambda x: 3.0**x, lambda x: 3.0**x * math.log(3.0) ** 2, [0.3, -2.0]),
    (lambda x: -x / (1 + x * x), lambda x: -(2 * x**3 - 6 * x) / (1 + x * x) ** 3, [0.3, -2.0]),
    (abs, lambda x: 0.0, [0.3, -2.0]),
    (ad.relu, lambda x: 0.0, [0.3, -2.0]),
]


@pytest.mark.parametrize("f, d2, x", [(f, d2, x) for f, d2, xs in SECOND for x in xs])
def test_second_derivative_all_nestings(f, d2, x):
    want = d2(x)
    assert close(grad(grad(f))(x), want, rel=1e-12)  # reverse over reverse
    assert close(jvp(grad(f), (x,), (1.0,))[1], want, rel=1e-12)  # forward over reverse
    assert close(grad(lambda t: jvp(f, (t,), (1.0,))[1])(x), want, rel=1e-12)  # reverse over fwd
    assert close(derivative(lambda t: derivative(f, t), x), want, rel=1e-12)  # Dual in Dual
    assert close(jacfwd(jacrev(f))(x), want, rel=1e-12)


def test_third_and_fourth_derivative_of_x4():
    f = lambda x: x**4  # noqa: E731
    for x in (0.7, -1.3, 2.0):
        assert close(grad(grad(grad(f)))(x), 24 * x, rel=1e-12)
        assert close(grad(grad(grad(grad(f))))(x), 24.0, rel=1e-12)
    assert grad(grad(grad(grad(f))))(0.0) == 24.0


# x**1 is the line x: f' = 1, f'' = 0;  x**2: f'' = 2, f''' = 0;  x**0 = 1 is constant: f' = 0.
# At x = 0 the rule c * x**(c - 1) must not evaluate 0.0 ** -1.


def test_first_derivative_of_x1_and_second_of_x2_at_zero():
    assert grad(lambda x: x**1)(0.0) == 1.0
    assert grad(grad(lambda x: x**2))(0.0) == 2.0


def test_second_derivative_of_x1_at_zero():
    assert grad(grad(lambda x: x**1))(0.0) == 0.0


def test_third_derivative_of_x2_at_zero():
    assert grad(grad(grad(lambda x: x**2)))(0.0) == 0.0


def test_derivative_of_x0_at_zero():
    assert grad(lambda x: x**0)(0.0) == 0.0
    assert jvp(lambda x: x**0, (0.0,), (1.0,)) == (1.0, 0.0)
    assert derivative(lambda x: x**0, 0.0) == 0.0


def test_higher_order_exp_and_sin_cycle():
    for n, want in enumerate([math.sin(0.4), math.cos(0.4), -math.sin(0.4), -math.cos(0.4),
                              math.sin(0.4)]):
        f = ad.sin
        for _ in range(n):
            f = grad(f)
        assert close(f(0.4), want, rel=1e-12)
    f = ad.exp
    for _ in range(5):
        f = grad(f)
    assert close(f(0.4), math.exp(0.4), rel=1e-12)


# --- perturbation confusion: d/dx [x * d/dy (x + y)] = 1 ------------------------------------
# The inner derivative is 1 whatever x is, so the function is x and its derivative 1; a
# confused implementation mixes the two perturbations and gets 2.


@pytest.mark.parametrize("x0", [0.0, 1.0, -2.5, 7.0])
def test_perturbation_confusion(x0):
    assert grad(lambda x: x * grad(lambda y: x + y)(3.0))(x0) == 1.0
    assert grad(lambda x: x * jvp(lambda y: x + y, (3.0,), (1.0,))[1])(x0) == 1.0
    assert jvp(lambda x: x * grad(lambda y: x + y)(3.0), (x0,), (1.0,))[1] == 1.0
    assert derivative(lambda x: x * derivative(lambda y: x + y, 3.0), x0) == 1.0


# d/dy x = 0: the inner function does not depend on y, only on the outer x.
# So d/dx [x * d/dy x] = d/dx [x * 0] = 0, and the inner derivative itself is 0.


@pytest.mark.parametrize("x0", [1.0, -2.5])
def test_inner_grad_of_an_outer_variable_is_zero(x0):
    inner = []

    def outer(x):
        inner.append(grad(lambda y: x)(3.0))
        return x * inner[-1]

    assert grad(outer)(x0) == 0.0
    assert ad.primal(inner[-1]) == 0.0
    assert jvp(outer, (x0,), (1.0,))[1] == 0.0


@pytest.mark.parametrize("x0", [1.0, -2.5])
def test_inner_dual_derivative_of_an_outer_variable_is_zero(x0):
    inner = []

    def outer(x):
        inner.append(derivative(lambda y: x, 3.0))
        return x * inner[-1]

    assert derivative(outer, x0) == 0.0
    assert ad.primal(inner[-1]) == 0.0
    # the same with a function of x that is not x itself: d/dy x^2 = 0
    assert derivative(lambda x: x * derivative(lambda y: x * x, 3.0), x0) == 0.0


@pytest.mark.parametrize("x, y", [(1.5, 0.7), (-2.0, 3.0), (0.5, -1.0)])
def test_mixed_partials_x2_y3(x, y):
    f = lambda a, b: a**2 * b**3  # noqa: E731
    want = 6 * x * y**2  # d2/dxdy x^2 y^3
    assert close(grad(lambda b: grad(f, argnums=0)(x, b))(y), want, rel=1e-12)
    assert close(grad(lambda a: grad(f, argnums=1)(a, y))(x), want, rel=1e-12)
    assert close(derivative(lambda b: derivative(lambda a: f(a, b), x), y), want, rel=1e-12)
    assert close(jvp(lambda b: grad(f, argnums=0)(x, b), (y,), (1.0,))[1], want, rel=1e-12)
    hess = jacfwd(lambda v: grad(lambda w: w[0] ** 2 * w[1] ** 3)(v))([x, y])
    assert np.allclose(hess, [[2 * y**3, want], [want, 6 * x**2 * y]], rtol=1e-12, atol=0)


# ============================================================================================
# sigmoid at large |x|
# ============================================================================================


@pytest.mark.parametrize("x", [-1000.0, -745.0, -100.0, 100.0, 710.0, 1000.0])
def test_sigmoid_no_overflow(x):
    value, slope = value_and_grad(ad.sigmoid)(x)
    assert math.isfinite(value) and math.isfinite(slope)
    assert 0.0 <= value <= 1.0 and slope >= 0.0
    # right to absolute precision (relative accuracy for x << 0 is the next test)
    assert abs(value - _sigmoid_by_tanh(x)) <= 1e-15
    assert abs(slope - _sigmoid_by_tanh(x) * (1 - _sigmoid_by_tanh(x))) <= 1e-15


@pytest.mark.parametrize("x", [-20.0, -30.0, -40.0, -100.0])
def test_sigmoid_accurate_for_negative_x(x):
    # the textbook 1 / (1 + e^-x) keeps full relative accuracy here (e^100 is still a float);
    # e.g. sigmoid(-40) = 4.248e-18, so log(sigmoid(-40)) = -40 - log(1 + e^-40) is defined.
    assert close(ad.sigmoid(x), 1.0 / (1.0 + math.exp(-x)), rel=1e-12)
    assert close(ad.log(ad.sigmoid(x)), x - math.log1p(math.exp(x)), rel=1e-12)


# ============================================================================================
# no recursion: deep traces
# ============================================================================================

N_DEEP = 1_000_000


def test_million_operation_chain_through_grad():
    assert sys.getrecursionlimit() < N_DEEP  # a recursive sweep could not survive this

    def f(x):
        for _ in range(N_DEEP):
            x = x * 1.0000001
        return x

    g = grad(f)(1.0)  # about 7 s on one core: record 1e6 nodes, then one adjoint sweep
    # analytic: d/dx (1.0000001^N x) = 1.0000001^N.  The chain rounds once per product, so
    # allow N * eps ~ 2e-10 relative (observed error is ~1e-14).
    assert close(g, 1.0000001**N_DEEP, rel=2e-10)


def test_deep_sin_chain_record_and_adjoint_sweep():
    n = 200_000
    def f(x):
        for _ in range(n):
            x = ad.sin(x)
        return x
    trace = ad.record(f, 1.0)
    assert len(trace) == n + 1
    adjoints = ad.adjoint_sweep(trace, [1.0])
    # chain rule by hand with math: product of cos(x_k) along the chain
    x, d = 1.0, 1.0
    for _ in range(n):
        d *= math.cos(x)
        x = math.sin(x)
    assert close(trace.outputs[0].value, x, rel=1e-15)
    assert close(adjoints[0], d, rel=1e-9)
    tangents = ad.tangent_sweep(trace, [1.0])
    assert close(tangents[-1], d, rel=1e-9)


def test_deep_chain_with_dual_numbers():
    n = 200_000
    def f(x):
        for _ in range(n):
            x = x * 1.000001
        return x
    assert close(derivative(f, 2.0), 1.000001**n, rel=1e-10)


# ============================================================================================
# numpy scalars are numbers (primitives.is_number's docstring)
# ============================================================================================


def test_numpy_float64_scalar_is_a_number():
    assert grad(lambda x: np.float64(2.5) * x)(1.0) == 2.5
    assert grad(lambda x: x * np.float64(2.5))(1.0) == 2.5


@pytest.mark.parametrize("c", [np.float32(2.0), np.int64(2), np.int32(2)],
                         ids=["float32", "int64", "int32"])
def test_other_numpy_scalars_are_numbers(c):
    # primitives.is_number documents "Plain real numbers (int, float, numpy scalars)"
    assert grad(lambda x: x * c)(1.0) == 2.0
    assert grad(lambda x: c * x)(1.0) == 2.0


def test_integer_and_float32_arrays_as_arguments():
    f = lambda x: x[0] * x[1]  # noqa: E731
    assert np.array_equal(grad(f)(np.array([2, 3])), [3.0, 2.0])
    assert np.array_equal(grad(f)(np.array([2.0, 3.0], dtype=np.float32)), [3.0, 2.0])


# ============================================================================================
# Hessians of a vector argument, and a traced exponent from an outer derivative
# ============================================================================================


def test_hessian_every_composition():
    f = lambda v: v[0] ** 2 * v[1] ** 3 + ad.sin(v[0] * v[1])  # noqa: E731
    a, b = 1.5, 0.7
    s, c = math.sin(a * b), math.cos(a * b)
    expected = np.array([  # by hand
        [2 * b**3 - b * b * s, 6 * a * b**2 + c - a * b * s],
        [6 * a * b**2 + c - a * b * s, 6 * a * a * b - a * a * s],
    ])
    for outer in (jacfwd, jacrev):
        for inner in (jacfwd, jacrev, grad):
            H = outer(inner(f))(np.array([a, b]))
            assert H.shape == (2, 2)
            assert np.allclose(H, expected, rtol=1e-13, atol=0), (outer, inner)


def test_mixed_partial_with_traced_exponent():
    # d/dy d/dx x^y = d/dy [y x^(y-1)] = x^(y-1) (1 + y log x); at x = 2, y = 3: 4 + 12 log 2
    want = 4 + 12 * math.log(2)
    assert close(grad(lambda y: grad(lambda x: x**y)(2.0))(3.0), want, rel=1e-13)
    assert close(derivative(lambda y: derivative(lambda x: x**y, 2.0), 3.0), want, rel=1e-13)
