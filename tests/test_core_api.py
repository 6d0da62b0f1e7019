"""The public API with JAX's meanings; every entry of the shared table of test functions
(tests/function_table.py: every primitive, the operators, composites) in every mode and every
nesting; higher-order derivatives, perturbation confusion, and very deep traces.

Every expected derivative is written out by calculus with ``math`` (in the table, or here),
or is a hand-computed Jacobian; none is taken from the package.
"""

import math
import sys

import numpy as np
import pytest

import adlessons as ad
from adlessons import PRIMITIVES, derivative, grad, jacfwd, jacrev, jvp, value_and_grad, vjp
from function_table import (
    FUNCTIONS, along, assert_close, by_name, cases, size_of_numbers, unit,
)

# Tolerance for one primitive vs its analytic derivative: both sides are a handful of correctly
# rounded libm calls, so they agree to a few ulps; 1e-13 relative leaves room for that only.
REL = 1e-13


def close(a, b, rel=REL, abs_=1e-300):
    return a == pytest.approx(b, rel=rel, abs=abs_)


# ============================================================================================
# grad, value_and_grad, jvp, vjp
# ============================================================================================

F2 = by_name("x**2*y + sin(y)")  # from the table: its gradient df2 is written out there
f2, df2 = F2.build, F2.first


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
# the shared table (tests/function_table.py): every primitive, the operators, composites
# ============================================================================================
# Each entry's value, gradient and Hessian are written out by calculus in the table; here the
# package's plain evaluation, reverse mode, forward mode, dual numbers and every nesting of
# them must reproduce those numbers.  Tolerances are relative to the size of the numbers
# involved (|f| + sum |df| + sum |d2f|, see size_of_numbers): both sides are a handful of
# correctly rounded operations, so 1e-13 (first order) and 1e-12 (second order) leave room
# for rounding only.


def test_every_primitive_has_a_table_entry():
    assert {case.primitive for case in FUNCTIONS} >= set(PRIMITIVES)


def test_every_exported_function_is_a_primitive_of_the_table():
    exported = [value for name, value in vars(ad).items() if name in ad.__all__]  # no lazy imports
    functions = [f for f in exported if isinstance(f, ad.Primitive)]
    assert len(functions) == 12  # sin cos tan exp log sqrt tanh sigmoid relu square sign absolute
    assert all(any(f is p for p in PRIMITIVES.values()) for f in functions)


@pytest.mark.parametrize("case", cases(lambda case: case.primitive is not None))
def test_table_entry_records_the_primitive_it_names(case):
    trace = ad.record(case.build, *case.points[0])
    assert case.primitive in [node.primitive.name for node in trace.intermediates]


@pytest.mark.parametrize("case", cases())
def test_value_on_plain_floats(case):
    for point in case.points:
        got = case.build(*point)
        assert isinstance(got, float), type(got)
        # 1e-15 absolute: cos by the half-angle identity loses relative accuracy where cos x ~ 0
        assert_close(got, case.value(*point), 1e-13, 1e-2, f"{case.name} at {point}")


@pytest.mark.parametrize("case", cases())
def test_reverse_mode(case):
    for point in case.points:
        n, size = case.arity, size_of_numbers(case, point)
        value, gradient = value_and_grad(case.build, argnums=tuple(range(n)))(*point)
        assert_close(value, case.value(*point), 1e-13, 1e-2, f"{case.name} at {point} value")
        for k, want in enumerate(case.first(*point)):
            assert_close(gradient[k], want, REL, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases())
def test_forward_mode_one_sweep_per_input(case):
    for point in case.points:
        n, size = case.arity, size_of_numbers(case, point)
        for k, want in enumerate(case.first(*point)):
            value, tangent = jvp(case.build, point, unit(n, k))
            assert_close(value, case.value(*point), 1e-13, 1e-2, f"{case.name} at {point} value")
            assert_close(tangent, want, REL, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases())
def test_dual_numbers(case):
    for point in case.points:
        size = size_of_numbers(case, point)
        for k, want in enumerate(case.first(*point)):
            got = derivative(along(case.build, point, k), point[k])
            assert_close(got, want, REL, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases(lambda case: case.arity > 1))
def test_directional_derivative_and_pullback(case):
    for point in case.points:
        # J v and w J for a direction that is no unit vector: linear combinations of the gradient
        n, size = case.arity, size_of_numbers(case, point)
        direction = tuple(0.5 - 1.5 * k for k in range(n))
        want = sum(d * v for d, v in zip(case.first(*point), direction))
        assert_close(jvp(case.build, point, direction)[1], want, REL, size, f"{case.name} at {point} J v")
        value, pullback = vjp(case.build, *point)
        for k, got in enumerate(pullback(-3.0)):  # the pullback is linear in the cotangent
            assert_close(got, -3.0 * case.first(*point)[k], REL, 3 * size, f"{case.name} at {point} w J")


# --- second derivatives: every nesting of the two modes and of dual numbers ------------------


def reverse_over_reverse(f, point, i, j):
    return grad(lambda *x: grad(f, argnums=i)(*x), argnums=j)(*point)


def forward_over_reverse(f, point, i, j):
    return jvp(lambda *x: grad(f, argnums=i)(*x), point, unit(len(point), j))[1]


def reverse_over_forward(f, point, i, j):
    return grad(lambda *x: jvp(f, x, unit(len(point), i))[1], argnums=j)(*point)


def dual_in_dual(f, point, i, j):
    def d_dxi_at(t):  # d f / d x_i, with x_j moved to t
        moved = list(point)
        moved[j] = t
        return derivative(along(f, tuple(moved), i), moved[i])

    return derivative(d_dxi_at, point[j])


NESTINGS = [reverse_over_reverse, forward_over_reverse, reverse_over_forward, dual_in_dual]


@pytest.mark.parametrize("case", cases())
def test_second_derivatives_every_nesting(case):
    for point in case.points:
        n, size = case.arity, size_of_numbers(case, point)
        hessian = case.second(*point)
        for nesting in NESTINGS:
            for i in range(n):
                for j in range(n):
                    got = nesting(case.build, point, i, j)
                    assert_close(got, hessian[i][j], 1e-12, size, f"{case.name} at {point} {nesting.__name__} H[{i}][{j}]")


@pytest.mark.parametrize("case", cases())
def test_hessian_of_a_vector_argument_every_composition(case):
    for point in case.points[:1]:  # the nestings above cover the other points
        f = lambda v: case.build(*v)  # noqa: E731  one vector argument
        hessian, size = np.array(case.second(*point)), size_of_numbers(case, point)
        for outer in (jacfwd, jacrev):
            for inner in (jacfwd, jacrev, grad):
                H = outer(inner(f))(np.array(point))
                assert np.shape(H) == hessian.shape, (outer, inner)
                assert np.all(np.abs(H - hessian) <= 1e-12 * (np.abs(hessian) + size)), (outer, inner, H)


def test_third_and_fourth_derivative_of_x4():
    f = by_name("x**4").build
    for x in (0.7, -1.3, 2.0):
        assert close(grad(grad(grad(f)))(x), 24 * x, rel=1e-12)  # d3/dx3 x^4 = 24 x
        assert close(grad(grad(grad(grad(f))))(x), 24.0, rel=1e-12)
    assert grad(grad(grad(grad(f))))(0.0) == 24.0


def test_third_derivative_of_x2_at_zero():
    # the rule c * x**(c - 1) must not evaluate 0.0 ** -1 on the way to d3/dx3 x^2 = 0
    assert grad(grad(grad(by_name("x**2").build)))(0.0) == 0.0


def test_higher_order_exp_and_sin_cycle():
    # d^n/dx^n sin = cos, -sin, -cos, sin for n = 1 .. 4; d^n/dx^n exp = exp
    for n, want in enumerate([math.cos(0.4), -math.sin(0.4), -math.cos(0.4), math.sin(0.4)], 1):
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


# ============================================================================================
# sigmoid at large |x|
# ============================================================================================


@pytest.mark.parametrize("x", [-1000.0, -745.0, -100.0, 100.0, 710.0, 1000.0])
def test_sigmoid_no_overflow(x):
    value, slope = value_and_grad(ad.sigmoid)(x)
    assert math.isfinite(value) and math.isfinite(slope)
    assert 0.0 <= value <= 1.0 and slope >= 0.0
    # right to absolute precision (relative accuracy for x << 0 is the next test), against
    # the identity sigmoid(x) = (1 + tanh(x/2)) / 2, which cannot overflow
    s = 0.5 * (1.0 + math.tanh(0.5 * x))
    assert abs(value - s) <= 1e-15
    assert abs(slope - s * (1 - s)) <= 1e-15


@pytest.mark.parametrize("x", [-20.0, -30.0, -40.0, -100.0])
def test_sigmoid_accurate_for_negative_x(x):
    # the textbook 1 / (1 + e^-x) keeps full relative accuracy here (e^100 is still a float);
    # e.g. sigmoid(-40) = 4.248e-18, so log(sigmoid(-40)) = -40 - log(1 + e^-40) is defined.
    assert close(ad.sigmoid(x), 1.0 / (1.0 + math.exp(-x)), rel=1e-12)
    assert close(ad.log(ad.sigmoid(x)), x - math.log1p(math.exp(x)), rel=1e-12)


# ============================================================================================
# no recursion: deep traces
# ============================================================================================

# A recursive sweep overflows Python's stack near 1000 nodes (sys.getrecursionlimit()); the
# fast tests go 5 times past it, the slow ones to the sizes DESIGN.md promises.
FAST_DEPTH = 5_000


@pytest.mark.parametrize("n", [FAST_DEPTH, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_long_multiplication_chain_through_grad(n):
    assert sys.getrecursionlimit() < n  # a recursive sweep could not survive this

    def f(x):
        for _ in range(n):
            x = x * 1.0000001
        return x

    g = grad(f)(1.0)  # 10^6 nodes: about 7 s on one core (record, then one adjoint sweep)
    # analytic: d/dx (1.0000001^N x) = 1.0000001^N.  The chain rounds once per product, so
    # allow N * eps relative (2e-10 for N = 10^6; the observed error is ~1e-14).
    assert close(g, 1.0000001**n, rel=max(n * 2.2e-16, 1e-13))


@pytest.mark.parametrize("n", [FAST_DEPTH, pytest.param(200_000, marks=pytest.mark.slow)])
def test_deep_sin_chain_record_and_both_sweeps(n):
    def f(x):
        for _ in range(n):
            x = ad.sin(x)
        return x

    trace = ad.record(f, 1.0)
    assert len(trace.nodes) == n + 1
    # chain rule by hand with math: d/dx sin(sin(... x)) is the product of cos(x_k) along the chain
    x, d = 1.0, 1.0
    for _ in range(n):
        d *= math.cos(x)
        x = math.sin(x)
    assert close(ad.adjoint_sweep(trace, [1.0])[0], d, rel=1e-9)
    assert close(ad.tangent_sweep(trace, [1.0])[-1], d, rel=1e-9)


@pytest.mark.parametrize("n", [FAST_DEPTH, pytest.param(200_000, marks=pytest.mark.slow)])
def test_deep_chain_with_dual_numbers(n):
    def f(x):
        for _ in range(n):
            x = x * 1.000001
        return x

    assert close(derivative(f, 2.0), 1.000001**n, rel=1e-10)  # d/dx (c^n x) = c^n


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
