"""Tests for adlessons.numeric against references from outside the code: the shared table's
derivatives written out by calculus (tests/function_table.py), Taylor-series error terms, and
evaluation counts measured by the test's own counter.

The table tests check the table too: its hand-written gradients and Hessians must agree with
central differences and the complex step of its hand-written values, so a slip in the table's
calculus fails here before it can make a wrong rule pass elsewhere.
"""

import cmath
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adlessons import numeric
from function_table import HYPOTHESIS, along, assert_close, cases, is_smooth, size_of_numbers

EPS = 2.0 ** -52


def cube(x):
    return x ** 3


# --- the shared table against three numerical methods ------------------------------------------


def step_at(x: float, relative: float) -> float:
    """A difference step scaled to |x|, so that x - h stays inside (0, inf) for x > 0 and the
    truncation error stays small where the function varies on the scale of x (sqrt near 0)."""
    return relative * abs(x) if x != 0 else relative


def scale_at(case, point) -> float:
    """The numbers involved, plus 1e-3: where f, f' and f'' all vanish (x**3 at 0) a difference
    quotient keeps its truncation error, h^2/6 |f'''| ~ 1e-10 (the table has no f''')."""
    return size_of_numbers(case, point) + 1e-3


@pytest.mark.parametrize("case", cases())
def test_central_difference_of_the_table_value_is_its_first_derivative(case):
    for point in case.points:
        # error about h^2/6 |f'''| + eps |f| / h with h = 1e-5 |x|: far below 1e-6 of the numbers involved
        size = scale_at(case, point)
        for k, want in enumerate(case.first(*point)):
            h = step_at(point[k], 1e-5)
            got = numeric.central_difference(along(case.value, point, k), point[k], h)
            assert_close(got, want, 1e-6, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases())
def test_central_difference_of_the_table_gradient_is_its_hessian(case):
    for point in case.points:
        size = scale_at(case, point)
        hessian = case.second(*point)
        for i in range(case.arity):
            for j in range(case.arity):
                assert_close(hessian[i][j], hessian[j][i], 1e-14, size, f"{case.name} at {point} symmetric")
                partial_i = along(lambda *x, i=i: case.first(*x)[i], point, j)
                got = numeric.central_difference(partial_i, point[j], step_at(point[j], 1e-5))
                assert_close(got, hessian[i][j], 1e-6, size, f"{case.name} at {point} d2/dx{i}dx{j}")


@pytest.mark.parametrize("case", cases(is_smooth))
def test_complex_step_of_the_table_function_is_its_first_derivative(case):
    for point in case.points:
        # no subtraction: accurate to a few ulps of the numbers involved
        size = scale_at(case, point)
        assert_close(complex(case.complex(*point)).real, case.value(*point), 1e-13, size, f"{case.name} at {point} value")
        for k, want in enumerate(case.first(*point)):
            got = numeric.complex_step(along(case.complex, point, k), point[k])
            assert_close(got, want, 1e-13, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases())
def test_forward_difference_of_the_table_value(case):
    for point in case.points:
        # the best a forward difference does is about sqrt(eps) ~ 1.5e-8 of the numbers involved
        size = scale_at(case, point)
        for k, want in enumerate(case.first(*point)):
            got = numeric.forward_difference(along(case.value, point, k), point[k], step_at(point[k], 1e-8))
            assert_close(got, want, 1e-5, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases(lambda case: case.arity > 1))
def test_gradient_by_differences_of_the_table_functions(case):
    for point in case.points:
        result = numeric.gradient_by_differences(lambda v: case.value(*v), point, h=1e-6, scheme="central")
        assert result.evaluations == 2 * case.arity
        size = scale_at(case, point)
        for k, want in enumerate(case.first(*point)):
            assert_close(result.gradient[k], want, 1e-5, size, f"{case.name} at {point} d/dx{k}")


@pytest.mark.parametrize("case", cases(lambda case: case.arity > 1 and is_smooth(case)))
def test_gradient_by_complex_step_of_the_table_functions(case):
    for point in case.points:
        result = numeric.gradient_by_complex_step(lambda v: case.complex(*v), point)
        assert result.evaluations == case.arity
        size = scale_at(case, point)
        for k, want in enumerate(case.first(*point)):
            assert_close(result.gradient[k], want, 1e-13, size, f"{case.name} at {point} d/dx{k}")


def relative_error(estimate, exact):
    return abs(estimate - exact) / abs(exact)


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.3, 1.0, 2.5, 4.0, 100.0])
@pytest.mark.parametrize("h", [1e-20, 1e-100, 1e-10])
def test_complex_step_of_sin_is_cos_to_about_one_ulp(x, h):
    assert relative_error(numeric.complex_step(cmath.sin, x, h), math.cos(x)) <= 1e-15


def test_complex_step_default_step_is_tiny_and_still_exact():
    # h = 1e-20 would make any difference quotient at x = 1 return exactly 0
    assert numeric.forward_difference(math.exp, 1.0, 1e-20) == 0.0
    assert relative_error(numeric.complex_step(cmath.exp, 1.0), math.e) <= EPS


# Truncation error: Taylor's theorem gives the leading term, which the estimate must follow.

@pytest.mark.parametrize("x", [-1.0, 0.5, 2.0])
def test_forward_difference_error_is_h_over_2_times_second_derivative(x):
    for h in [1e-2, 1e-3, 1e-4]:
        error = numeric.forward_difference(math.exp, x, h) - math.exp(x)
        leading = h / 2 * math.exp(x)  # f'' = exp
        # next Taylor term is h^2/6 f'''; round-off is about eps f / h
        assert abs(error - leading) <= h ** 2 / 6 * math.exp(x) * 1.1 + 10 * EPS * math.exp(x) / h


def test_forward_difference_of_cube_has_exact_error_3xh_plus_h_squared():
    # ((x+h)^3 - x^3)/h - 3x^2 = 3xh + h^2: the first term is h/2 f''(x) with f'' = 6x
    x, h = 2.0, 1e-3
    error = numeric.forward_difference(cube, x, h) - 3 * x ** 2
    assert abs(error - (h / 2 * 6 * x + h ** 2)) < 1e-9


def test_forward_difference_error_halves_with_h():  # O(h)
    e = [abs(numeric.forward_difference(math.sin, 1.0, h) - math.cos(1.0)) for h in (1e-3, 5e-4)]
    assert e[0] / e[1] == pytest.approx(2.0, rel=0.01)


@pytest.mark.parametrize("x", [-1.0, 0.5, 2.0])
def test_central_difference_error_is_h_squared_over_6_times_third_derivative(x):
    for h in [1e-2, 1e-3]:
        error = numeric.central_difference(math.sin, x, h) - math.cos(x)
        leading = h ** 2 / 6 * -math.cos(x)  # f''' = -cos
        assert abs(error - leading) <= h ** 4 / 120 * 1.1 + 10 * EPS / h


def test_central_difference_error_quarters_when_h_halves():  # O(h^2)
    e = [abs(numeric.central_difference(math.exp, 1.0, h) - math.e) for h in (1e-2, 5e-3)]
    assert e[0] / e[1] == pytest.approx(4.0, rel=0.01)


def test_round_off_dominates_for_small_h():
    # below the optimal step the forward error grows as h shrinks (eps |f| / h)
    errors = [abs(numeric.forward_difference(math.exp, 1.0, h) - math.e) for h in (1e-8, 1e-11, 1e-14)]
    assert errors[0] < errors[1] < errors[2]


# Gradients and their cost.

def sum_of_weighted_squares(x):
    return sum((i + 1) * xi ** 2 for i, xi in enumerate(x))


def gradient_of_sum_of_weighted_squares(x):
    return [2 * (i + 1) * xi for i, xi in enumerate(x)]


X5 = [0.5, -1.0, 2.0, 0.25, 3.0]


@pytest.mark.parametrize("scheme, expected_evaluations, tolerance", [("forward", 6, 1e-5), ("central", 10, 1e-8)])
def test_gradient_by_differences_counts_evaluations_for_n_5(scheme, expected_evaluations, tolerance):
    calls = []

    def f(x):
        calls.append(list(x))
        return sum_of_weighted_squares(x)

    result = numeric.gradient_by_differences(f, X5, h=1e-7 if scheme == "forward" else 1e-5, scheme=scheme)
    assert result.evaluations == expected_evaluations == len(calls)
    gradient, evaluations = result  # unpacks as a pair
    assert evaluations == expected_evaluations
    assert gradient == pytest.approx(gradient_of_sum_of_weighted_squares(X5), rel=tolerance, abs=tolerance)


def test_gradient_by_differences_moves_one_coordinate_at_a_time_and_leaves_x_alone():
    seen = []
    x = list(X5)
    numeric.gradient_by_differences(lambda y: seen.append(list(y)) or 0.0, x, h=0.5)
    assert x == X5
    assert seen[0] == X5  # f(x) first, once
    for i, y in enumerate(seen[1:]):
        assert [yj - xj for yj, xj in zip(y, X5)] == [0.5 if j == i else 0.0 for j in range(5)]


@given(n=st.integers(min_value=1, max_value=30), scheme=st.sampled_from(["forward", "central"]))
@settings(max_examples=40, **HYPOTHESIS)
def test_gradient_cost_is_n_plus_1_or_2n(n, scheme):
    calls = [0]

    def f(x):
        calls[0] += 1
        return sum(x)

    result = numeric.gradient_by_differences(f, [1.0] * n, scheme=scheme)
    assert result.evaluations == calls[0] == (n + 1 if scheme == "forward" else 2 * n)
    assert result.gradient == pytest.approx([1.0] * n, rel=1e-6)


def test_gradient_by_complex_step_matches_the_analytic_gradient_in_n_evaluations():
    # f = x0 * exp(x1) + sin(x2) * x0, gradient by hand: (exp(x1) + sin(x2), x0 exp(x1), x0 cos(x2))
    calls = [0]

    def f(x):
        calls[0] += 1
        return x[0] * cmath.exp(x[1]) + cmath.sin(x[2]) * x[0]

    x = [0.7, -1.3, 2.1]
    exact = [math.exp(x[1]) + math.sin(x[2]), x[0] * math.exp(x[1]), x[0] * math.cos(x[2])]
    result = numeric.gradient_by_complex_step(f, x)
    assert result.evaluations == calls[0] == 3
    for estimate, e in zip(result.gradient, exact):
        assert relative_error(estimate, e) <= 4 * EPS
    assert x == [0.7, -1.3, 2.1]  # the point itself is not moved


def test_gradient_by_complex_step_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"gradient_by_complex_step: x\[0\] must be a finite real number, got x\[0\] = inf"):
        numeric.gradient_by_complex_step(sum, [math.inf])
    with pytest.raises(ValueError, match=r"gradient_by_complex_step: x must have at least one coordinate"):
        numeric.gradient_by_complex_step(sum, [])

    def real_only(x):
        return math.exp(x[0])

    with pytest.raises(TypeError, match=r"real_only does not accept the complex number"):
        numeric.gradient_by_complex_step(real_only, [1.0])


def test_counted_function_counts_calls_and_passes_results_through():
    counted = numeric.CountedFunction(math.exp)
    assert [counted(0.0), counted(1.0)] == [1.0, math.e] and counted.calls == 2
    assert counted.__name__ == "exp"


# Hypothesis: the complex step is exact for polynomials with random coefficients.

def horner(coefficients, z):
    value = 0
    for a in reversed(coefficients):
        value = value * z + a
    return value


def moderate(limit):
    """0 or a float with magnitude in [1e-6, limit]. Tinier numbers are a real limit of the complex
    step, not tested here: h * f'(x) with h = 1e-20 underflows once |f'(x)| is below about 1e-288."""
    magnitudes = st.floats(min_value=1e-6, max_value=limit)
    return st.just(0.0) | magnitudes | magnitudes.map(lambda a: -a)


@given(coefficients=st.lists(moderate(10.0), min_size=1, max_size=8), x=moderate(3.0))
@settings(max_examples=150, **HYPOTHESIS)
def test_complex_step_differentiates_random_polynomials(coefficients, x):
    derived = [k * a for k, a in enumerate(coefficients)][1:]
    exact = horner(derived, x)
    # rounding in Horner's rule is relative to the sum of the magnitudes of the terms
    scale = sum(abs(c) * abs(x) ** k for k, c in enumerate(derived))
    # the truncation error is about h^2/6 |p'''(x)|: it shows only when p'(x) is ~0 (e.g. x^3 at 0)
    h = 1e-20
    truncation = h ** 2 * sum(abs(a) * k ** 3 * (abs(x) + 1) ** k for k, a in enumerate(coefficients))
    estimate = numeric.complex_step(lambda z: horner(coefficients, z), x, h)
    assert abs(estimate - exact) <= 8 * len(coefficients) * EPS * scale + truncation


@given(a=st.floats(-1e3, 1e3), b=st.floats(-1e3, 1e3), c=st.floats(-1e3, 1e3), x=st.floats(-10, 10))
@settings(max_examples=100, **HYPOTHESIS)
def test_central_difference_has_no_truncation_error_on_quadratics(a, b, c, x):
    h = 1e-3
    estimate = numeric.central_difference(lambda t: a * t * t + b * t + c, x, h)
    # only round-off remains: a few eps times the size of f's values (and of the rounding of x +- h),
    # divided by h; a truncation error would be about |a| h, many orders of magnitude larger
    size = abs(a) * (abs(x) + h) ** 2 + abs(b) * (abs(x) + h) + abs(c)
    assert abs(estimate - (2 * a * x + b)) <= 8 * EPS * size / h + 1e-12


# Errors: which function, which value.

DIFFERENCES = [numeric.forward_difference, numeric.central_difference]


@pytest.mark.parametrize("method", DIFFERENCES + [numeric.complex_step], ids=lambda m: m.__name__)
@pytest.mark.parametrize("h", [0.0, -1e-8, float("nan"), float("inf"), "tiny"])
def test_bad_step_is_a_value_error_naming_method_and_h(method, h):
    f = cmath.exp if method is numeric.complex_step else math.exp
    with pytest.raises(ValueError, match=rf"^{method.__name__}: the step h .* got h = {h!r}"):
        method(f, 1.0, h)


@pytest.mark.parametrize("method", DIFFERENCES + [numeric.complex_step], ids=lambda m: m.__name__)
@pytest.mark.parametrize("x", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_point_is_a_value_error_naming_method_and_x(method, x):
    with pytest.raises(ValueError, match=rf"^{method.__name__}: x must be a finite real number, got x = {x!r}"):
        method(cmath.exp, x, 1e-8)


@pytest.mark.parametrize("method", DIFFERENCES, ids=lambda m: m.__name__)
def test_non_finite_value_of_f_is_a_value_error_naming_f_and_value(method):
    def blows_up(t):
        return math.inf if t > 1.0 else 1.0

    with pytest.raises(ValueError, match=rf"^{method.__name__}: blows_up returned the non-finite value inf at 1\.0"):
        method(blows_up, 1.0, 1e-3)


def test_complex_step_non_finite_value_names_f_and_value():
    def nan_function(z):
        return complex(float("nan"), 0.0)

    with pytest.raises(ValueError, match=r"^complex_step: nan_function returned the non-finite value"):
        numeric.complex_step(nan_function, 1.0)


def test_complex_step_explains_functions_that_reject_complex_numbers():
    with pytest.raises(TypeError, match=r"complex_step: exp does not accept the complex number .*cmath\.exp"):
        numeric.complex_step(math.exp, 1.0)


def test_gradient_errors():
    with pytest.raises(ValueError, match=r"gradient_by_differences: scheme must be 'forward' or 'central', got 'backward'"):
        numeric.gradient_by_differences(sum, [1.0], scheme="backward")
    with pytest.raises(ValueError, match=r"gradient_by_differences: the step h .* got h = 0"):
        numeric.gradient_by_differences(sum, [1.0], h=0)
    with pytest.raises(ValueError, match=r"gradient_by_differences: x\[1\] must be a finite real number, got x\[1\] = nan"):
        numeric.gradient_by_differences(sum, [1.0, float("nan")])
    with pytest.raises(ValueError, match=r"gradient_by_differences: x must have at least one coordinate"):
        numeric.gradient_by_differences(sum, [])
    with pytest.raises(ValueError, match=r"gradient_by_differences: <lambda> returned the non-finite value nan at \[1\.0, 2\.0\]"):
        numeric.gradient_by_differences(lambda x: float("nan"), [1.0, 2.0])
