"""The four bugs of issue 9, found by running peer projects' tests against the package.

1. ``sign`` (and so the derivatives of ``abs``, ``absolute`` and ``relu``) raised a bare numpy
   TypeError at a ``numpy.float64`` point, and every entry of an ndarray argument is one:
   ``grad(lambda x: abs(x))(np.float64(2.0))``.
2. ``derivative(f, x)`` silently returned 0.0 when ``f`` returned a list.
3. An unexpected exception inside a derivative rule escaped raw, without naming the operation
   and the node (the sweeps caught only ADError, ArithmeticError and ValueError).
4. ``grad(grad(sqrt))(0.0)`` reported a division, not the sqrt whose derivative rule divided.

Expected derivatives come from the shared table (tests/function_table.py: written out by
calculus) or from calculus in a comment; the message tests read the text a learner sees.
"""

import dataclasses
import re

import numpy as np
import pytest

import adlessons as ad
from adlessons import PRIMITIVES, Primitive, derivative, grad, jacfwd, jacrev, jvp
from function_table import assert_close, cases_at_points

ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
SUBSCRIPTS = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


def node_name(i: int) -> str:
    """A pattern for v_i as printed: v2 today, v₂ once names print with subscripts."""
    return rf"v({re.escape(str(i))}|{str(i).translate(SUBSCRIPTS)})(?![0-9₀-₉])"


def full_text(error: BaseException) -> str:
    """The message, notes included (PEP 678), with no memory address in it."""
    text = "\n".join([str(error), *getattr(error, "__notes__", [])])
    assert not ADDRESS.search(text), f"memory address in error message: {text}"
    return text


# --- 1. abs, absolute, relu and sign at numpy.float64 points and ndarray entries -----------------

KINKED = lambda case: case.primitive in ("abs", "relu", "sign")  # noqa: E731


def test_the_reported_call():
    assert grad(lambda x: abs(x))(np.float64(2.0)) == 1.0  # d|x|/dx = sign(x) = 1 at x = 2


@pytest.mark.parametrize("case, point", cases_at_points(KINKED))
def test_kinked_functions_at_numpy_float64_points(case, point):
    x = np.float64(point[0])
    want = case.first(*point)[0]  # 1, -1 or 0: exact
    assert_close(case.build(x), case.value(*point), 0.0, 0.0, f"{case.name} value")
    assert grad(case.build)(x) == want
    assert jvp(case.build, (x,), (np.float64(1.0),))[1] == want
    assert derivative(case.build, x) == want
    assert grad(grad(case.build))(x) == case.second(*point)[0][0]  # 0 away from the kink


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_kinked_functions_at_ndarray_entries(dtype):
    def f(v):
        return abs(v[0]) + ad.relu(v[1]) + ad.absolute(v[2]) + ad.sign(v[3]) + ad.relu(v[4])

    v = np.array([2, -3, -1, 4, 5], dtype=dtype)
    # d/dv: sign(2) = 1, relu'(-3) = 0, sign(-1) = -1, sign' = 0, relu'(5) = 1
    want = [1.0, 0.0, -1.0, 0.0, 1.0]
    assert f(v) == 2 + 0 + 1 + 1 + 5
    assert np.array_equal(grad(f)(v), want)
    assert np.array_equal(jacfwd(f)(v), want)
    assert np.array_equal(jacrev(f)(v), want)
    assert np.array_equal(jacfwd(jacrev(f))(v.astype(float)), np.zeros((5, 5)))


def test_conventions_at_zero_hold_for_numpy_float64():
    # primitives.py: abs'(0) = sign(0) = 0 and relu'(0) = 0 (PyTorch's choice), as for a float 0.0
    zero = np.float64(0.0)
    assert grad(abs)(zero) == 0.0 and grad(ad.absolute)(zero) == 0.0
    assert grad(ad.relu)(zero) == 0.0 and ad.sign(zero) == 0.0


# --- 2. derivative of a function that does not return one number --------------------------------


@pytest.mark.parametrize("result", [
    lambda x: [x, 2.0 * x],
    lambda x: (x, 2.0 * x),
    lambda x: [x],
    lambda x: np.array([x, 2.0 * x], dtype=object),
], ids=["list", "tuple", "list-of-one", "ndarray"])
def test_derivative_of_a_function_returning_several_values_is_refused(result):
    with pytest.raises((TypeError, ValueError)) as e:
        derivative(result, 1.0)
    text = full_text(e.value)
    assert "derivative" in text, text
    assert re.search(r"list|tuple|ndarray|sequence|values|single number|one number", text), text


def test_derivative_of_a_function_returning_a_list_inside_another_derivative():
    with pytest.raises((TypeError, ValueError)) as e:
        derivative(lambda x: derivative(lambda y: [x * y, y], 1.0), 2.0)
    assert "derivative" in full_text(e.value)


@pytest.mark.parametrize("result", ["a", None], ids=["str", "None"])
def test_derivative_of_a_function_returning_a_non_number_is_refused(result):
    # the same silent 0.0 as for a list: f returned no number at all
    with pytest.raises((TypeError, ValueError)) as e:
        derivative(lambda x: result, 1.0)
    assert "derivative" in full_text(e.value)


def test_derivative_still_gives_zero_for_a_constant_and_works_nested():
    assert derivative(lambda x: 2.0, 3.0) == 0.0  # f does not depend on x: f' = 0
    # d/dx [x * d/dy (x y)] = d/dx [x * x] = 2x = 4 at x = 2
    assert derivative(lambda x: x * derivative(lambda y: x * y, 1.0), 2.0) == 4.0


# --- 3. an unexpected exception inside a derivative rule names the operation and the node ---------

RULE_FAILURES = [TypeError("rule bug"), KeyError("rule bug"), RuntimeError("rule bug"),
                 AttributeError("rule bug"), IndexError("rule bug")]


@pytest.fixture
def broken_rule(monkeypatch):
    """A primitive ``broken_rule(x) = 2x`` whose derivative rule raises ``failure``; made for the
    test only (a primitive may add itself to PRIMITIVES when made: monkeypatch takes it out)."""
    monkeypatch.setitem(PRIMITIVES, "broken_rule", None)  # restored (removed) after the test

    def make(failure: Exception) -> Primitive:
        def rule(x, out):
            raise failure

        fields = {f.name for f in dataclasses.fields(Primitive)}
        settings = dict(name="broken_rule", evaluate=lambda x: 2.0 * x, partials=(rule,))
        if "arity" in fields:
            settings["arity"] = 1
        if "partial_texts" in fields:  # the old interface (removed by the refactor)
            settings["partial_texts"] = ("2",)
        return Primitive(**settings)

    return make


def original_is_kept(error: BaseException, failure: Exception) -> bool:
    """The rule's own error is in the message or in the chain of causes (not swallowed)."""
    seen, e = [], error
    while e is not None and len(seen) < 10:
        seen.append(e)
        e = e.__cause__ or e.__context__
    return "rule bug" in full_text(error) or any(e is failure for e in seen)


@pytest.mark.parametrize("failure", RULE_FAILURES, ids=lambda f: type(f).__name__)
@pytest.mark.parametrize("sweep", [
    lambda f: grad(f)(0.5),
    lambda f: jvp(f, (0.5,), (1.0,)),
    lambda f: jacrev(f)(0.5),
    lambda f: jacfwd(f)(0.5),
    lambda f: grad(grad(f))(0.5),
], ids=["grad", "jvp", "jacrev", "jacfwd", "grad-grad"])
def test_unexpected_error_in_a_rule_names_operation_and_node(broken_rule, failure, sweep):
    broken = broken_rule(failure)
    with pytest.raises(Exception) as e:
        sweep(lambda x: broken(ad.sin(x)))  # v1 = sin(v0), v2 = broken_rule(v1)
    text = full_text(e.value)
    assert "broken_rule" in text, text
    assert re.search(node_name(2), text), text
    assert original_is_kept(e.value, failure), text


@pytest.mark.parametrize("failure", RULE_FAILURES, ids=lambda f: type(f).__name__)
def test_unexpected_error_in_a_rule_with_dual_numbers_names_the_operation(broken_rule, failure):
    broken = broken_rule(failure)
    with pytest.raises(Exception) as e:
        derivative(lambda x: broken(ad.sin(x)), 0.5)
    text = full_text(e.value)
    assert "broken_rule" in text, text
    assert original_is_kept(e.value, failure), text


def test_a_working_rule_of_the_same_shape_differentiates(broken_rule):
    # the fixture's primitive is sound apart from its rule: with a good rule, d(2 sin x)/dx = 2 cos x
    twice = broken_rule(RuntimeError("unused"))
    good = dataclasses.replace(twice, partials=(lambda x, out: 2.0,))
    assert_close(grad(lambda x: good(ad.sin(x)))(0.5), 2 * np.cos(0.5), 1e-15)


# --- 4. the derivative of sqrt at 0 names sqrt, at every nesting ---------------------------------
# d/dx sqrt(x) = 1 / (2 sqrt(x)) is undefined at 0; its rule divides by sqrt's output, and the
# message must name the sqrt (whose derivative it is), not only the division inside the rule.

SQRT_NESTINGS = [
    lambda: grad(grad(ad.sqrt))(0.0),
    lambda: jvp(grad(ad.sqrt), (0.0,), (1.0,)),
    lambda: grad(lambda x: jvp(ad.sqrt, (x,), (1.0,))[1])(0.0),
    lambda: jacfwd(jacrev(ad.sqrt))(0.0),
    lambda: grad(lambda x: derivative(ad.sqrt, x))(0.0),
    lambda: derivative(lambda x: derivative(ad.sqrt, x), 0.0),
    lambda: grad(grad(lambda x: ad.sqrt(x * x + x)))(0.0),  # sqrt deeper in: v3 = sqrt(v2)
]


@pytest.mark.parametrize("call", SQRT_NESTINGS, ids=[
    "grad-grad", "jvp-grad", "grad-jvp", "jacfwd-jacrev", "grad-dual", "dual-dual", "inner-sqrt"])
def test_second_derivative_of_sqrt_at_zero_names_sqrt(call):
    with pytest.raises(ad.ADError) as e:
        call()
    text = full_text(e.value)
    assert "sqrt" in text, text
    assert "derivative" in text.lower(), text


def test_first_derivative_of_sqrt_at_zero_still_names_sqrt():
    with pytest.raises(ad.ADError) as e:
        grad(ad.sqrt)(0.0)
    text = full_text(e.value)
    assert "sqrt" in text and re.search(node_name(1), text), text


def test_sqrt_second_derivative_away_from_zero_is_unharmed():
    # d2/dx2 sqrt(x) = -x^(-3/2) / 4: at x = 4, -1/32
    assert grad(grad(ad.sqrt))(4.0) == pytest.approx(-1 / 32, rel=1e-15)
    assert derivative(lambda x: derivative(ad.sqrt, x), 4.0) == pytest.approx(-1 / 32, rel=1e-15)
