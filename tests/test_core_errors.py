"""Bad inputs give clear errors: the operation, the node (v-number) and the value.

The tests read ``str(error)``, not only the type: the message is what the learner sees.
"""

import math
import re

import pytest

import adlessons as ad
from adlessons import DomainError, OperandError, grad, jacfwd, jacrev, jvp, value_and_grad, vjp

ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


def message(excinfo):
    text = str(excinfo.value)
    assert not ADDRESS.search(text), f"memory address in error message: {text}"
    return text


# --- domain errors while recording: operation, v-number, value ------------------------------


def test_log_of_zero():
    with pytest.raises(DomainError) as e:
        grad(ad.log)(0.0)
    text = message(e)
    assert "log" in text and "v₁ = log(v₀)" in text and "0.0" in text
    assert "positive" in text
    assert e.value.operation == "log"


def test_log_of_negative_names_the_right_node():
    with pytest.raises(DomainError) as e:
        grad(lambda x: ad.log(x - 3.0))(1.0)  # v₁ = x - 3 = -2, v₂ = log(v₁)
    text = message(e)
    assert "v₂ = log(v₁)" in text and "v₁ = -2.0" in text and "log" in text
    assert isinstance(e.value, ValueError)


def test_sqrt_of_negative():
    with pytest.raises(DomainError) as e:
        jvp(lambda x: ad.sqrt(x * 2.0), (-0.5,), (1.0,))  # v₁ = -1.0, v₂ = sqrt(v₁)
    text = message(e)
    assert "sqrt" in text and "v₂ = sqrt(v₁)" in text and "-1.0" in text


def test_division_by_zero():
    with pytest.raises(DomainError) as e:
        grad(lambda x: x / (x - 1.0))(1.0)  # v₁ = x - 1 = 0, v₂ = v₀ / v₁
    text = message(e)
    assert "division by zero" in text and "v₂ = v₀ / v₁" in text and "v₁ = 0.0" in text
    with pytest.raises(DomainError) as e:
        grad(lambda x: 2.0 / x)(0.0)
    text = message(e)
    assert "division by zero" in text and "v₁ = 2 / v₀" in text and "v₀ = 0.0" in text


def test_division_by_zero_on_plain_numbers():
    with pytest.raises(DomainError) as e:
        ad.PRIMITIVES["div"](1.0, 0.0)
    assert "division by zero" in message(e)


@pytest.mark.parametrize("bad, type_name", [("a", "str"), (None, "None")])
def test_non_number_operand(bad, type_name):
    for f, op in [(lambda x: x + bad, "add"), (lambda x: bad * x, "mul"),
                  (lambda x: x / bad, "div"), (lambda x: ad.sin(x) - bad, "sub")]:
        with pytest.raises(OperandError) as e:
            grad(f)(1.0)
        assert isinstance(e.value, TypeError)
        text = message(e)
        assert op in text and type_name in text and "not a number" in text
        assert re.search(r"v[₋₀-₉]+ = ", text), text  # names the node being computed
    with pytest.raises(OperandError) as e:
        ad.sin(bad)
    assert "sin" in message(e) and type_name in str(e.value)


def test_non_number_operand_with_dual():
    with pytest.raises(OperandError) as e:
        ad.derivative(lambda x: x + "a", 1.0)
    assert "add" in message(e) and "str" in str(e.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_inf_inputs(bad):
    calls = [
        lambda: grad(ad.sin)(bad),
        lambda: value_and_grad(ad.sin)(bad),
        lambda: jvp(ad.sin, (bad,), (1.0,)),
        lambda: vjp(ad.sin, bad),
        lambda: jacfwd(ad.sin)(bad),
        lambda: jacrev(ad.sin)(bad),
    ]
    for call in calls:
        with pytest.raises(DomainError) as e:
            call()
        text = message(e)
        assert "input x" in text and repr(bad) in text and "finite" in text


def test_nan_in_a_vector_argument_names_the_entry():
    with pytest.raises(DomainError) as e:
        jacfwd(lambda v: [v[0] * v[1]])([1.0, float("nan")])
    text = message(e)
    assert "input v[1]" in text and "nan" in text
    with pytest.raises(DomainError) as e:
        grad(lambda a, b: a * b, argnums=1)(1.0, float("inf"))
    assert "input b" in message(e)


def test_non_finite_result():
    with pytest.raises(DomainError) as e:
        grad(ad.exp)(1000.0)
    text = message(e)
    assert "exp" in text and "v₁ = exp(v₀)" in text and "1000.0" in text and "finite" in text
    with pytest.raises(DomainError) as e:
        ad.exp(1000.0)
    assert "exp" in message(e) and "finite" in str(e.value)


# --- derivative undefined -------------------------------------------------------------------


@pytest.mark.parametrize("f, name", [(ad.sqrt, "sqrt"), (lambda x: x**0.5, "pow")],
                         ids=["sqrt", "x**0.5"])
def test_derivative_undefined_at_zero(f, name):
    assert f(0.0) == 0.0  # the value is fine ...
    for call in (lambda: grad(f)(0.0), lambda: jvp(f, (0.0,), (1.0,)),
                 lambda: jacrev(f)(0.0), lambda: jacfwd(f)(0.0)):
        with pytest.raises(DomainError) as e:  # ... its derivative is not
            call()
        text = message(e)
        assert "derivative" in text and name in text and "v₁" in text and "0.0" in text


@pytest.mark.parametrize("f, name", [(ad.sqrt, "sqrt"), (lambda x: x**0.5, "pow")],
                         ids=["sqrt", "x**0.5"])
def test_derivative_undefined_at_zero_with_dual(f, name):
    with pytest.raises(DomainError) as e:
        ad.derivative(f, 0.0)
    text = message(e)
    assert "derivative" in text and name in text


def test_negative_base_to_non_integer_power():
    with pytest.raises(DomainError) as e:
        grad(lambda x: x**0.5)(-1.0)
    text = message(e)
    assert "pow" in text and "negative base" in text and "-1.0" in text and "v₁" in text
    assert grad(lambda x: x**3)(-2.0) == 12.0  # integer powers of negatives are fine: 3 x^2


@pytest.mark.parametrize("base", [-2.0, 0.0])
def test_traced_exponent_needs_positive_base(base):
    with pytest.raises(DomainError) as e:
        grad(lambda x: base**x)(1.0)
    text = message(e)
    assert "positive base" in text and repr(base) in text and "v₁" in text
    with pytest.raises(DomainError) as e:
        grad(lambda x: x**x)(base)
    assert "positive base" in message(e)


def test_grad_of_vector_valued_function():
    with pytest.raises(TypeError) as e:
        grad(lambda x: [x, 2 * x])(1.0)
    text = message(e)
    assert "jacrev" in text and "2 values" in text
    with pytest.raises(TypeError) as e:
        value_and_grad(lambda v: v)([1.0, 2.0])
    assert "jacrev" in message(e)


@pytest.mark.parametrize("fn", [math.sin, math.exp, float])
def test_math_functions_on_traced_values(fn):
    with pytest.raises(TypeError) as e:
        grad(lambda x: fn(x))(0.5)
    text = message(e)
    assert "adlessons.sin" in text
    with pytest.raises(TypeError) as e:
        ad.derivative(lambda x: fn(x), 0.5)
    assert "adlessons.sin" in message(e)


def test_jvp_wrong_number_of_tangents():
    with pytest.raises(ValueError) as e:
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
    text = message(e)
    assert "2 primals" in text and "1 tangents" in text
    with pytest.raises(ValueError) as e:
        jvp(lambda v: v[0] * v[1], ([1.0, 2.0],), ([1.0],))
    text = message(e)
    assert "primal 1 is a sequence of 2 but its tangent is a sequence of 1" in text


def test_jvp_tangents_must_match_each_argument_not_only_in_total():
    # 3 tangent entries for 3 inputs, but split 1 + 2 where the primals are split 2 + 1
    with pytest.raises(ValueError) as e:
        jvp(lambda v, w: v[0] * v[1] * w, ([1.0, 2.0], 3.0), (1.0, [1.0, 0.0]))
    assert "primal 1 is a sequence of 2 but its tangent is a number" in message(e)


@pytest.mark.parametrize("bad", [None, "1.0", math.nan, math.inf])
def test_bad_tangent_is_named(bad):
    with pytest.raises((DomainError, OperandError)) as e:
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0, bad))
    assert "tangent of input y" in message(e) and repr(bad) in message(e)


@pytest.mark.parametrize("bad", [None, "1.0", math.nan, -math.inf])
def test_bad_cotangent_is_named(bad):
    _, pullback = vjp(lambda x: [x, 2.0 * x], 1.0)
    with pytest.raises((DomainError, OperandError)) as e:
        pullback([1.0, bad])
    assert "adjoint of output 2" in message(e) and repr(bad) in message(e)


def test_derivative_at_a_non_finite_point():
    with pytest.raises(DomainError) as e:
        ad.derivative(ad.sin, math.nan)
    assert "derivative" in message(e) and "nan" in message(e)


def test_sweeps_check_their_seed_lengths():
    trace = ad.record(lambda x, y: x * y, 1.0, 2.0)
    with pytest.raises(ValueError, match="2 inputs but 1 tangents"):
        ad.tangent_sweep(trace, [1.0])
    with pytest.raises(ValueError, match="1 outputs but 2 adjoints"):
        ad.adjoint_sweep(trace, [1.0, 1.0])


def test_errors_deep_in_nested_derivatives():
    with pytest.raises(DomainError) as e:
        grad(grad(ad.log))(0.0)
    assert "log" in message(e)
    with pytest.raises(DomainError) as e:
        ad.derivative(lambda x: ad.derivative(ad.log, x), 0.0)
    assert "log" in message(e)


# --- conventions at non-differentiable points (documented in primitives.py) ----------------


def test_abs_at_zero_has_derivative_zero():
    # primitives.py: "convention at 0: derivative sign(0) = 0, a subgradient (PyTorch's choice)"
    assert grad(abs)(0.0) == 0.0
    assert grad(ad.absolute)(0.0) == 0.0
    assert jvp(abs, (0.0,), (1.0,)) == (0.0, 0.0)
    assert ad.derivative(abs, 0.0) == 0.0
    assert grad(abs)(1e-300) == 1.0 and grad(abs)(-1e-300) == -1.0


def test_relu_at_zero_has_derivative_zero():
    # primitives.py: "relu'(x) = sign(relu(x)): 1 for x > 0, and 0 for x <= 0 (as in PyTorch)"
    assert grad(ad.relu)(0.0) == 0.0
    assert jvp(ad.relu, (0.0,), (1.0,)) == (0.0, 0.0)
    assert ad.derivative(ad.relu, 0.0) == 0.0
    assert grad(ad.relu)(1e-300) == 1.0 and grad(ad.relu)(-1e-300) == 0.0


# --- no memory addresses in any message -----------------------------------------------------


@pytest.mark.parametrize("bad", [grad(ad.sin), object(), lambda t: t, math.sin, [1.0]],
                         ids=["grad-function", "object", "lambda", "builtin", "list"])
def test_no_memory_address_when_the_operand_is_an_object(bad):
    # A learner forgetting to call a function: x * grad(f) instead of x * grad(f)(x).
    with pytest.raises(OperandError) as e:
        grad(lambda x: x * bad)(1.0)
    text = str(e.value)
    assert "mul" in text and "not a number" in text and "v₁ = v₀ * " in text
    assert not ADDRESS.search(text), text


# --- the operation in a message reads as the operation that failed --------------------------


def test_negative_constant_base_is_parenthesised():
    # (-2.0) ** x failed; "v₁ = -2 ** v₀" would read as -(2 ** v₀), a different operation.
    with pytest.raises(DomainError) as e:
        grad(lambda x: (-2.0) ** x)(1.0)
    text = message(e)
    assert "= -2 ** v₀" not in text
    assert re.search(r"\(-2(\.0)?\) \*\* v₀", text), text


def test_each_operand_value_is_named_once():
    with pytest.raises(DomainError) as e:
        grad(lambda x: x**x)(0.0)  # v₁ = v₀ ** v₀: one variable, shown once
    text = message(e)
    assert "v₁ = v₀ ** v₀" in text
    assert text.count("v₀ = 0.0") == 1, text


# --- non-finite operands and results, on plain numbers and in traces ------------------------


@pytest.mark.parametrize("fn", [ad.sign, ad.relu, ad.sin, ad.exp, ad.absolute])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_operand_is_refused_not_passed_through(fn, bad):
    # sign(nan) used to be 0 and relu(nan) 0: a silent wrong answer
    with pytest.raises(DomainError) as e:
        fn(bad)
    text = message(e)
    assert text.startswith(f"{fn.name}({bad!r})") and "not a finite float" in text


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_non_finite_constant_exponent_names_the_node(bad):
    with pytest.raises(DomainError) as e:
        grad(lambda x: x ** bad)(2.0)
    text = message(e)
    assert f"v₁ = v₀ ** {bad!r}" in text and "not a finite float" in text


def test_integer_power_too_large_for_a_float():
    # 3 ** 1000 is an exact Python int with 478 digits, which no float can hold
    with pytest.raises(DomainError) as e:
        grad(lambda x: x ** 1000)(3)
    text = message(e)
    assert "pow(3, 1000)" in text and "too large for a float" in text and "v₁ = v₀ ** 1000" in text


def test_adjoint_overflow_names_the_operation_it_came_through():
    # d log(x)/dx = 1/x overflows at x = 1e-310 (a subnormal); the message points at the log
    with pytest.raises(DomainError) as e:
        grad(ad.log)(1e-310)
    text = message(e)
    assert "overflowed to inf" in text and "passed back through v₁ = log(v₀)" in text


def test_tangent_overflow_names_the_operation():
    with pytest.raises(DomainError) as e:
        jvp(ad.log, (1e-310,), (1.0,))
    assert "overflowed to inf at v₁ = log(v₀)" in message(e)


def test_pow_primitive_called_with_a_traced_exponent():
    # ``x ** y`` picks rpow for a traced exponent; calling pow directly must say so
    pow_with_constant_exponent = ad.PRIMITIVES["pow"]
    with pytest.raises(TypeError) as e:
        grad(lambda y: pow_with_constant_exponent(2.0, y))(1.0)
    assert "pow takes a constant exponent" in message(e) and "x ** y" in message(e)
