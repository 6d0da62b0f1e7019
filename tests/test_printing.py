"""Printed rules and equations mean what they say.

Every formula a learner reads is printed from a derivative rule of the table
(``adlessons.presentation``).  These tests read the printed TEXT back into a formula (Python's
``ast`` on the text, each name a symbol, each call a primitive of the table) and evaluate it
with ``adlessons.symbolic.evaluate``:

- each elementwise primitive's printed rule (``presentation.rule_text``), at the operands of
  real recordings of the shared table's entries, equals the primitive's partial there, and
  the derivative written out by calculus in the table (tests/function_table.py);
- a changed printed rule (sin's shown as ``sin(u)``, tan's as ``1 - out**2``, any rule negated)
  fails that check;
- each step's equation (forward and reverse) evaluates, at the trace's values, tangents and
  adjoints, to the number the step produced, and its numbers part to its printed result.
"""

import ast
import functools
import math
import re

import numpy as np
import pytest

import adlessons as ad
from adlessons import PRIMITIVES
from adlessons.presentation import rule_text
from adlessons.symbolic import evaluate, symbol
from function_table import FUNCTIONS, by_name, size_of_numbers, unit

# --- reading printed text back into a formula ------------------------------------------------------

ACCENTS = {"": "", "\u0307": "dot_", "\u0304": "bar_"}  # v, v̇ (tangent), v̄ (adjoint)
FROM_SUBSCRIPTS = str.maketrans("₋₀₁₂₃₄₅₆₇₈₉", "-0123456789")
LABEL = re.compile("v([\u0307\u0304]?)([₋₀-₉]+)")


def identifier(accent: str, index: int) -> str:
    """An ASCII name for v_i, v̇_i or v̄_i (Python's ast reads no subscript digits)."""
    return f"v_{ACCENTS[accent]}{'m' if index < 0 else ''}{abs(index)}"


def ascii_labels(text: str) -> str:
    return LABEL.sub(lambda m: identifier(m.group(1), int(m.group(2).translate(FROM_SUBSCRIPTS))), text)


def formula_from_text(text: str):
    """The printed text as a formula: names become symbols, calls become primitives of the table.

    Only what a printed rule may contain is accepted (numbers, names, + - * / **, unary minus,
    calls of primitives); anything else is a ValueError.  Nothing is ``eval``-ed."""
    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):  # where's condition
            return np.array(node.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            a, b = build(node.left), build(node.right)
            operations = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                          ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}
            if type(node.op) in operations:
                return operations[type(node.op)]()
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in PRIMITIVES and not node.keywords):
            return PRIMITIVES[node.func.id](*(build(a) for a in node.args))
        raise ValueError(f"not a printed formula: {ast.dump(node)}")

    return build(ast.parse(ascii_labels(text), mode="eval"))


def value_of_text(text: str, values: dict) -> float:
    return evaluate(formula_from_text(text), values)


def test_reading_text_back():
    assert value_of_text("w * u**(w - 1)", {"u": 2.0, "w": 3.0}) == 12.0
    assert value_of_text("-out / w + cos(u)", {"u": 0.0, "w": 2.0, "out": 4.0}) == -1.0
    assert value_of_text("v̄₄ * (-v₋₁ / v₀)", {"v_bar_4": 2.0, "v_m1": 3.0, "v_0": 1.5}) == -4.0
    with pytest.raises(ValueError):
        formula_from_text("__import__('os')")


# --- samples: the operands of real recordings of the table's entries -------------------------------


@functools.lru_cache(maxsize=None)
def _one_operation_recordings() -> dict:
    """primitive -> (entry, point, node) for every recording of a table entry that is a single
    operation: there the node's partials are the entry's partial derivatives."""
    found = {}
    for case in FUNCTIONS:
        for point in case.points:
            trace = ad.record(case.build, *point)
            if len(trace.intermediates) == 1:
                node = trace.intermediates[0]
                found.setdefault(node.primitive, []).append((case, point, node))
    return found


def samples_of(primitive) -> list:
    """(entry, point, node): the one-operation recordings of the table that apply ``primitive``."""
    return _one_operation_recordings().get(primitive, [])


ELEMENTWISE = [p for p in PRIMITIVES.values() if p.is_elementwise]
SLOTS = [pytest.param(p, k, id=f"{p.name}-{k}") for p in ELEMENTWISE for k in range(p.arity)
         if k not in p.static  # a setting (where's condition) has no rule
         and not (p.name == "pow" and k == 1)]  # pow's exponent is a constant: no rule (below)
NAMES = ("u", "w", "z")


def names_and_values(node):
    """Operand names for the printer (u, w; a constant operand is printed as its number) and
    the values the names stand for (``out`` is the result)."""
    names, values = [], {"out": node.value}
    for k, x in enumerate(node.operands):
        if node.trace.is_variable(x):
            names.append(NAMES[k])
            values[NAMES[k]] = node.args[k]
        elif isinstance(node.args[k], np.ndarray) and node.args[k].dtype == bool and node.args[k].ndim == 0:
            names.append(str(bool(node.args[k])))  # where's condition: True or False
        else:
            names.append(f"({node.args[k]!r})")
    return names, values


def mismatches(print_rule, primitive, slot) -> list:
    """Where the printed rule, read back and evaluated, differs from the primitive's partial."""
    found = []
    for case, point, node in samples_of(primitive):
        names, values = names_and_values(node)
        text = print_rule(*names)
        want = primitive.partials[slot](*node.args, node.value)  # the rule, applied to numbers
        try:
            got = value_of_text(text, values)
        except ad.ADError as error:  # e.g. a wrong rule 1 / out where out = log(1) = 0
            found.append((case.name, point, text, str(error), want))
            continue
        if not math.isclose(got, want, rel_tol=1e-14, abs_tol=1e-300):
            found.append((case.name, point, text, got, want))
    return found


def test_every_elementwise_primitive_has_samples():
    for primitive in ELEMENTWISE:
        assert samples_of(primitive), primitive.name


@pytest.mark.parametrize("primitive, slot", SLOTS)
def test_printed_rule_evaluates_to_the_partial(primitive, slot):
    assert mismatches(lambda *names: rule_text(primitive, slot, *names, out="out"), primitive, slot) == []


@pytest.mark.parametrize("primitive, slot", SLOTS)
def test_printed_rule_evaluates_to_the_calculus_of_the_table(primitive, slot):
    # where operand `slot` is an input used once, d out / d operand is the entry's d f / d x_j
    checked = 0
    for case, point, node in samples_of(primitive):
        x = node.operands[slot]
        if node.trace.is_variable(x) and sum(y is x for y in node.operands) == 1:
            names, values = names_and_values(node)
            got = value_of_text(rule_text(primitive, slot, *names, out="out"), values)
            want = case.first(*point)[x.pos]
            assert abs(got - want) <= 1e-13 * (abs(want) + size_of_numbers(case, point)), (
                case.name, point, got, want)
            checked += 1
    assert checked > 0


def test_pow_has_no_rule_for_its_constant_exponent():
    with pytest.raises(TypeError, match="pow takes a constant exponent"):
        rule_text(PRIMITIVES["pow"], 1, "u", "w")


# --- a changed printed rule fails the check --------------------------------------------------------
# Wrong rules a printer (or a hand-written text) could show; {0}, {1} are the operand names.

WRONG_RULES = {
    ("sin", 0): "sin({0})",  # the two examples of issue 9
    ("tan", 0): "1 - out**2",
    ("cos", 0): "sin({0})",
    ("exp", 0): "{0}",
    ("log", 0): "1 / out",
    ("sqrt", 0): "1 / out",
    ("tanh", 0): "1 + out**2",
    ("sigmoid", 0): "out * (1 + out)",
    ("relu", 0): "sign({0})",
    ("abs", 0): "sign(out)",
    ("sign", 0): "1",
    ("square", 0): "{0}",
    ("neg", 0): "1",
    ("add", 1): "-1",
    ("sub", 1): "1",
    ("mul", 0): "{0}",
    ("div", 1): "out / {1}",
    ("pow", 0): "{1} * {0}**{1}",
    ("rpow", 1): "out * log({1})",
}


@pytest.mark.parametrize("name, slot", sorted(WRONG_RULES))
def test_a_wrong_printed_rule_is_caught(name, slot):
    wrong = WRONG_RULES[(name, slot)]
    assert mismatches(lambda *names: wrong.format(*names), PRIMITIVES[name], slot)


@pytest.mark.parametrize("primitive, slot", SLOTS)
def test_a_negated_printed_rule_is_caught(primitive, slot):
    if all(primitive.partials[slot](*node.args, node.value) == 0 for _, _, node in samples_of(primitive)):
        pytest.skip(f"{primitive.name}'s rule is 0 at every sample: its negation is the same rule")
    negated = lambda *names: f"-({rule_text(primitive, slot, *names, out='out')})"  # noqa: E731
    assert mismatches(negated, primitive, slot)


# --- step equations evaluate to the numbers the steps produced -------------------------------------


def is_scalar_trace(trace) -> bool:
    return all(isinstance(n.value, float) for n in trace.nodes)


EQUATION_CASES = [pytest.param(case, id=case.name) for case in FUNCTIONS
                  if is_scalar_trace(ad.record(case.build, *case.points[0]))]


def trace_values(trace, tangents, adjoints) -> dict:
    """Values for every label an equation may print: v_i, v̇_i, v̄_i."""
    values = {}
    for node in trace.nodes:
        values[identifier("", node.index)] = node.value
        values[identifier("\u0307", node.index)] = tangents[node.pos]
        values[identifier("\u0304", node.index)] = adjoints[node.pos]
    return values


def printed_tolerance(symbolic_part: str) -> float:
    """Constants in a printed formula are rounded to 6 significant digits (``2 ** x``'s rule
    shows log 2 as 0.693147): then the formula is good to 5e-6 (log 3 = 1.09861), else to rounding."""
    return 1e-5 if re.search(r"\d\.\d", symbolic_part) else 1e-12


def numbers_agree(numbers_text: str, printed_result: str) -> bool:
    """The numbers part (4-decimal factors) evaluates to the printed result within its rounding:
    each factor is off by at most 5e-5, so a sum of products by at most 1e-4 * sum |factors|."""
    factors = [float(t) for t in re.findall(r"\d+\.\d+", numbers_text)]
    return abs(value_of_text(numbers_text, {}) - float(printed_result)) <= 1e-4 * (sum(factors) + 1)


@pytest.mark.parametrize("case", EQUATION_CASES)
def test_forward_equations_evaluate_to_their_tangents(case):
    point = case.points[0]
    trace = ad.record(case.build, *point)
    for k in range(case.arity):
        steps = ad.forward_steps(trace, list(unit(case.arity, k)))
        values = trace_values(trace, [s.tangent for s in steps], [0.0] * len(trace.nodes))
        for step in steps:
            if step.is_seed:
                continue
            lhs, symbolic_part, numbers, result = step.equation().split(" = ")
            assert LABEL.fullmatch(lhs) and lhs.startswith("v\u0307"), step.equation()
            got = value_of_text(symbolic_part, values)
            assert math.isclose(got, step.tangent, rel_tol=printed_tolerance(symbolic_part),
                                abs_tol=1e-300), step.equation()
            assert numbers_agree(numbers, result), step.equation()


@pytest.mark.parametrize("case", EQUATION_CASES)
def test_reverse_equations_evaluate_to_their_contributions(case):
    point = case.points[0]
    trace = ad.record(case.build, *point)
    steps = ad.reverse_steps(trace, [1.0])
    adjoints = ad.adjoint_sweep(trace, [1.0])
    values = trace_values(trace, [0.0] * len(trace.nodes), adjoints)
    for step in steps:
        if step.is_seed:
            continue
        # "v̄₄ += v̄₆ * v₅ = 1.0000 * 1.4924 = 1.4924, so v̄₄ = 2.8437" or "v̄₂ = v̄₅ = 1.3513"
        text, _, total = step.equation().partition(", so ")
        lhs, rest = re.split(r" \+?= ", text, maxsplit=1)
        symbolic_part, *numbers, contribution = rest.split(" = ")
        assert LABEL.fullmatch(lhs) and lhs.startswith("v\u0304"), step.equation()
        got = value_of_text(symbolic_part, values)
        assert math.isclose(got, step.contribution, rel_tol=printed_tolerance(symbolic_part),
                            abs_tol=1e-300), step.equation()
        for part in numbers:
            assert numbers_agree(part, contribution), step.equation()
        assert abs(float(contribution) - step.contribution) <= 5e-5, step.equation()
        assert (" += " in text) == (not step.first), step.equation()
        if total:  # after a later contribution, the sum so far
            assert abs(float(total.split(" = ")[1]) - step.adjoint) <= 5e-5, step.equation()


# Negative numbers after an operator read as arithmetic ("1.6245 * -0.2217"); the tables and
# the stepper write them in parentheses, "(-0.2217)", as Griewank & Walther do.
NEGATIVE_FACTOR = re.compile(r"[*/+-] -\d")


def test_no_bare_negative_factor_in_any_equation():
    bad = []
    for case in FUNCTIONS:
        trace = ad.record(case.build, *case.points[0])
        if not is_scalar_trace(trace):
            continue
        steps = ad.reverse_steps(trace, [1.0])
        for k in range(case.arity):
            steps += ad.forward_steps(trace, list(unit(case.arity, k)))
        bad += [s.equation() for s in steps if NEGATIVE_FACTOR.search(s.equation().split(" = ", 2)[-1])]
    assert bad == []


def test_mixed_signs_read_consistently():
    # issue 9's example: v1 = v-1 / v0 of Griewank & Walther's function at (1.5, 0.5), x-dot = (1, 0);
    # d v1 / d v0 = -v1 / v0 is negative: "- v₁ / v₀ * v̇₀" in the formula, "- 6.0000 * 0.0000" in numbers
    trace = ad.record(by_name("griewank_walther").build, 1.5, 0.5)
    step = ad.forward_steps(trace, [1.0, 0.0])[2]
    assert step.equation() == "v̇₁ = 1 / v₀ * v̇₋₁ - v₁ / v₀ * v̇₀ = 2.0000 * 1.0000 - 6.0000 * 0.0000 = 2.0000"
