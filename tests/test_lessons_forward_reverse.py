"""Machinery built inside the lesson notebooks must agree with the package.

Lesson 4 (notebooks/04_forward_mode.ipynb) builds a naive, untagged dual number class in the
cell tagged ``naive-dual`` to show perturbation confusion.  These tests run that very cell and
check that (1) on ordinary, un-nested derivatives it agrees with ``adlessons.derivative`` and
with the tangent sweep, and (2) on the nested example it gives the confused answer 2 while the
package gives the true 1, so the lesson's story stays true if either side changes.

Lesson 5 (notebooks/05_reverse_mode.ipynb) has the learner build a reverse mode on a toy
recorder (the cell tagged ``toy-engine``, and the worked solutions of Section 6).  That engine
must agree with ``adlessons.grad``, handle a 100,000-step chain, and build the same graphs as
the nodes the exercise checks (``adlessons.exercises.lesson5``) build for themselves.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlessons
from adlessons import derivative, jvp
from adlessons.examples import griewank_walther

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_forward_mode.ipynb"
LESSON5 = NOTEBOOK.with_name("05_reverse_mode.ipynb")


def _cell_source(path: Path, tag: str) -> str:
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{path.name}: expected exactly one cell tagged {tag!r}, got {len(cells)}"
    source = cells[0]["source"]
    return "".join(source) if isinstance(source, list) else source


@pytest.fixture(scope="module")
def naive():
    namespace: dict = {}
    exec(compile(_cell_source(NOTEBOOK, "naive-dual"), f"{NOTEBOOK.name}[naive-dual]", "exec"),
         namespace)
    return namespace


# Polynomials written with + and * only (all NaiveDual supports), constants on either side.
POLYNOMIALS = {
    "cubic": lambda x: x * x * x + 2 * x,
    "constant_left": lambda x: 3.0 + 0.5 * x * x,
    "product": lambda x: (x + 1.0) * (2.0 * x + (-3.0)) * x,
    "square_of_sum": lambda x: (x * x + x) * (x * x + x),
    "constant": lambda x: 4.0,
}

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", sorted(POLYNOMIALS))
@settings(max_examples=60, deadline=None)
@given(x=finite)
def test_naive_dual_agrees_with_package_on_first_derivatives(naive, name, x):
    f = POLYNOMIALS[name]
    ours = naive["naive_derivative"](f, x)
    package = derivative(f, x)
    by_jvp = jvp(f, (x,), (1.0,))[1] if name != "constant" else 0.0
    assert math.isclose(ours, package, rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(ours, by_jvp, rel_tol=1e-12, abs_tol=1e-9)


@settings(max_examples=60, deadline=None)
@given(a=finite, at=finite, b=finite, bt=finite)
def test_naive_dual_arithmetic_is_dual_arithmetic(naive, a, at, b, bt):
    NaiveDual = naive["NaiveDual"]
    s = NaiveDual(a, at) + NaiveDual(b, bt)
    p = NaiveDual(a, at) * NaiveDual(b, bt)
    assert (s.value, s.tangent) == (a + b, at + bt)
    assert (p.value, p.tangent) == (a * b, a * bt + at * b)
    # the package's Dual, with both operands at one level, gives the same pairs
    x = adlessons.Dual(a, at)
    y = adlessons.Dual(b, bt, level=x.level)
    assert math.isclose((x * y).tangent, p.tangent, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose((x + y).tangent, s.tangent, rel_tol=1e-12, abs_tol=1e-12)


def test_perturbation_confusion_naive_two_tagged_one(naive):
    nd = naive["naive_derivative"]
    # d/dx [x * d/dy (x + y)] at x = y = 1 is 1 (Siskind & Pearlmutter 2005); one shared ε gives 2
    assert nd(lambda x: x * nd(lambda y: x + y, 1.0), 1.0) == 2.0
    assert derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0) == 1.0
    assert adlessons.grad(lambda x: x * adlessons.grad(lambda y: x + y)(1.0))(1.0) == 1.0


@pytest.mark.parametrize("x", [-2.0, 0.5, 3.0])
def test_naive_dual_confusion_is_systematic(naive, x):
    """With one ε, the inner derivative of x + y always reads 2 instead of 1 (so f' = 2, not 1)."""
    nd = naive["naive_derivative"]
    assert nd(lambda u: u * nd(lambda y: u + y, 1.0), x) == 2.0
    assert derivative(lambda u: u * derivative(lambda y: u + y, 1.0), x) == 1.0


# --- Lesson 5: the reverse mode the learner builds ---------------------------------------------------

def _lesson5_engine() -> dict:
    """The scaffold and the worked solutions of Lesson 5's Section 6 (local partials, order, sweep)."""
    cells = [c for c in json.loads(LESSON5.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    wanted = ("lesson5.check_local_partials(", "lesson5.check_topological_order(",
              "lesson5.check_backward(")
    sources = ["import math"]
    for cell in cells:
        source = "".join(cell["source"])
        tags = cell["metadata"].get("tags", [])
        if "toy-engine" in tags or ("solution" in tags and any(w in source for w in wanted)):
            sources.append("\n".join(line for line in source.splitlines()
                                      if not line.startswith("lesson5.")))
    assert len(sources) == 5, "expected the scaffold and three solution cells"
    namespace: dict = {}
    exec(compile("\n\n".join(sources), f"{LESSON5.name}[engine]", "exec"), namespace)
    return namespace


ENGINE = _lesson5_engine()


def mixed(x, y, sin, exp):
    """Constants on both sides, a node used three times, every operation of the toy."""
    s = x * y
    return s - exp(x) / (y * y + 1.0) + sin(s) * (2.0 - s)


def _engine_gradient(function, *point):
    inputs = [ENGINE["ToyVar"](v) for v in point]
    y = function(*inputs, sin=ENGINE["toy_sin"], exp=ENGINE["toy_exp"])
    ENGINE["backward"](y)
    return y.value, [v.grad for v in inputs]


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-3, 3), y=st.one_of(st.floats(0.2, 3), st.floats(-3, -0.2)))
def test_lesson5_engine_agrees_with_grad(x, y):
    gw_value, gw_grad = _engine_gradient(lambda a, b, sin, exp: ENGINE["gw_toy"](a, b), x, y)
    assert gw_value == griewank_walther(x, y)
    for mine, package in zip(gw_grad, adlessons.grad(griewank_walther, argnums=(0, 1))(x, y)):
        assert math.isclose(mine, package, rel_tol=1e-12, abs_tol=1e-12)
    value, gradient = _engine_gradient(mixed, x, y)
    package_value, package_gradient = adlessons.value_and_grad(
        lambda a, b: mixed(a, b, adlessons.sin, adlessons.exp), argnums=(0, 1))(x, y)
    assert value == package_value
    for mine, package in zip(gradient, package_gradient):
        assert math.isclose(mine, package, rel_tol=1e-12, abs_tol=1e-12)


def test_lesson5_engine_runs_a_100000_step_chain():
    # y = x · a^N at x = 0.5, a = 1: ∂y/∂x = 1 and ∂y/∂a = N·x = N/2, exact in floats
    ToyVar = ENGINE["ToyVar"]
    x, a = ToyVar(0.5), ToyVar(1.0)
    y = x
    for _ in range(100_000):
        y = y * a
    ENGINE["backward"](y)
    assert (x.grad, a.grad) == (1.0, 50_000.0)


def test_lesson5_checks_build_the_graphs_the_lesson_builds():
    """The checks' own nodes and the lesson's ToyVar make the same graph of every test function."""
    from adlessons.exercises import lesson5

    toy_sin, toy_exp = ENGINE["toy_sin"], ENGINE["toy_exp"]

    def uneven_toy(x):
        u = toy_sin(x)
        return u * toy_exp(toy_exp(u))

    def shared_toy(x, w):
        return x * x + w * toy_sin(x)

    # each test function of the checks written with the toy's sin and exp (G&W: the lesson's gw_toy)
    as_toy = {griewank_walther: ENGINE["gw_toy"], lesson5._uneven: uneven_toy, lesson5._shared: shared_toy}
    order = ENGINE["topological_order"]
    for title, function, point in lesson5._CASES:
        checks_graph = lesson5._Graph(title, function, point)
        toy_y = as_toy[function](*(ENGINE["ToyVar"](v) for v in point))
        ours, theirs = order(toy_y), order(checks_graph.y)
        assert [(v.op, v.value) for v in ours] == [(v.op, v.value) for v in theirs], title
        position = {id(v): k for k, v in enumerate(ours)}
        position_theirs = {id(v): k for k, v in enumerate(theirs)}
        assert [[position[id(u)] for u in v.operands] for v in ours] == [
            [position_theirs[id(u)] for u in v.operands] for v in theirs], title
