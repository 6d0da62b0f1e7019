"""Machinery built inside the lesson notebooks must agree with the package.

Lesson 4 (notebooks/04_forward_mode.ipynb) builds a naive, untagged dual number class in the
cell tagged ``naive-dual`` to show perturbation confusion.  These tests run that very cell and
check that (1) on ordinary, un-nested derivatives it agrees with ``adlessons.derivative`` and
with the tangent sweep, and (2) on the nested example it gives the confused answer 2 while the
package gives the true 1, so the lesson's story stays true if either side changes.
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

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_forward_mode.ipynb"


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
