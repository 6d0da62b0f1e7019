"""The core reproduces published evaluation, tangent and adjoint traces.

Reference numbers are copied from the publications, never from this package's output:

- [GW] A. Griewank and A. Walther, *Evaluating Derivatives*, 2nd ed., SIAM, 2008.
  Table 1.2 (evaluation trace), Table 3.2 (tangent trace, x-dot = (1, 0)),
  Table 3.5 (adjoint / reverse sweep), for
  y = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (x1, x2) = (1.5, 0.5).
- [BPRS] A. G. Baydin, B. A. Pearlmutter, A. A. Radul and J. M. Siskind, "Automatic
  differentiation in machine learning: a survey", JMLR 18(153), 2018. Table 2 (forward
  primal and tangent trace) and Table 3 (reverse adjoint trace) for
  f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5).

The published tables are rounded to 4 ([GW]) or 3 ([BPRS]) decimals, so values are compared
as Python's own fixed-point rounding prints them (``rounded``, the rounding the books applied);
the printed equations and tables are the package's text.  Nodes are named by Griewank &
Walther's index i of v_i (inputs 1-n .. 0).
"""

import math

import pytest

import adlessons as ad
from adlessons.examples import baydin_example, griewank_walther
from function_table import by_name

DOT = "\u0307"  # combining dot above: v̇
BAR = "\u0304"  # combining macron: v̄

GW_POINT = (1.5, 0.5)  # [GW] Table 1.2: (x1, x2)
BPRS_POINT = (2.0, 5.0)  # [BPRS] Table 2: (x1, x2)


def rounded(x, digits: int = 4) -> str:
    """x to ``digits`` decimals, as the published tables print it (never '-0.0000')."""
    text = f"{float(x):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


SUBSCRIPTS = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


def v(i: int) -> str:
    """The printed name of v_i, with [GW]'s subscripts: v₋₁, v₀, v₁."""
    return "v" + str(i).translate(SUBSCRIPTS)


def vdot(i: int) -> str:
    """The printed name of v_i's tangent: v̇₄."""
    return f"v{DOT}" + str(i).translate(SUBSCRIPTS)


def vbar(i: int) -> str:
    """The printed name of v_i's adjoint: v̄₄."""
    return f"v{BAR}" + str(i).translate(SUBSCRIPTS)


def by_index(trace):
    return {node.index: node for node in trace.nodes}


GW = by_name("griewank_walther")  # the shared table's entry: value and gradient by calculus
BPRS = by_name("baydin")


# ============================================================================================
# Griewank & Walther (2008)
# ============================================================================================

# [GW] Table 1.2, the evaluation trace: i of v_i, its operation, its primitive, its value.
GW_TABLE_1_2 = [
    (-1, "x1", None, "1.5000"),
    (0, "x2", None, "0.5000"),
    (1, f"{v(-1)} / {v(0)}", "div", "3.0000"),
    (2, f"sin({v(1)})", "sin", "0.1411"),
    (3, f"exp({v(0)})", "exp", "1.6487"),
    (4, f"{v(1)} - {v(3)}", "sub", "1.3513"),
    (5, f"{v(2)} + {v(4)}", "add", "1.4924"),
    (6, f"{v(5)} * {v(4)}", "mul", "2.0166"),
]
# [GW] Table 1.2: which earlier v_j each v_i reads (its parents in the graph).
GW_PARENTS = {1: (-1, 0), 2: (1,), 3: (0,), 4: (1, 3), 5: (2, 4), 6: (5, 4)}
# [GW] Table 3.2, tangent trace with (x1-dot, x2-dot) = (1, 0).
GW_TABLE_3_2 = {-1: "1.0000", 0: "0.0000", 1: "2.0000", 2: "-1.9800",
                3: "0.0000", 4: "2.0000", 5: "0.0200", 6: "3.0118"}
# [GW] Table 3.5, adjoints at the end of the reverse sweep (y-bar = 1).
GW_TABLE_3_5 = {6: "1.0000", 5: "1.3513", 4: "2.8437", 3: "-2.8437", 2: "1.3513",
                1: "1.5059", 0: "-13.7240", -1: "3.0118"}
GW_GRADIENT = ("3.0118", "-13.7240")  # [GW] Table 3.5: x1-bar, x2-bar


@pytest.fixture
def gw_trace():
    return ad.record(griewank_walther, *GW_POINT)


def test_gw_trace_structure(gw_trace):
    assert gw_trace.n_inputs == 2
    assert [node.index for node in gw_trace.nodes] == [row[0] for row in GW_TABLE_1_2]
    nodes = by_index(gw_trace)
    for i, _, primitive, _ in GW_TABLE_1_2:
        if primitive is None:
            assert nodes[i].is_input
        else:
            assert nodes[i].primitive.name == primitive
            assert tuple(p.index for p in nodes[i].parents) == GW_PARENTS[i]
    # y = v6 [GW] Table 1.2
    assert len(gw_trace.outputs) == 1 and gw_trace.outputs[0] is nodes[6]


def test_gw_evaluation_trace_values(gw_trace):
    nodes = by_index(gw_trace)
    for i, _, _, value in GW_TABLE_1_2:
        assert rounded(nodes[i].value) == value, i
        assert abs(nodes[i].value - float(value)) < 5e-5, i


def test_gw_function_value_on_plain_floats():
    # y = v6 = 2.0166 [GW] Table 1.2, and the shared table's formula written out with math
    assert rounded(GW.value(*GW_POINT)) == "2.0166"
    assert griewank_walther(*GW_POINT) == pytest.approx(GW.value(*GW_POINT), rel=1e-15)


def test_gw_table_calculus_gives_the_published_gradient():
    # the shared table's hand-derived gradient, at the published point, is [GW] Table 3.5's
    assert tuple(rounded(d) for d in GW.first(*GW_POINT)) == GW_GRADIENT
    assert GW.points[0] == GW_POINT


def test_gw_evaluation_table_text(gw_trace):
    table = ad.evaluation_table(gw_trace)
    assert table.header == ["node", "operation", "with numbers", "value"]
    # one row per v_i of [GW] Table 1.2, then the output row y = v6
    assert [row[0] for row in table.rows] == [v(r[0]) for r in GW_TABLE_1_2] + ["y"]
    for row, (_, operation, _, value) in zip(table.rows, GW_TABLE_1_2):
        assert row[1] == operation and row[3] == value
    assert table.rows[-1] == ["y", v(6), "", "2.0166"]
    # the "with numbers" column repeats the operation with [GW] Table 1.2's values filled in
    numbers = {row[0]: row[2] for row in table.rows}
    assert numbers[v(1)] == "1.5000 / 0.5000"
    assert numbers[v(2)] == "sin(3.0000)"
    assert numbers[v(3)] == "exp(0.5000)"
    assert numbers[v(4)] == "3.0000 - 1.6487"
    assert numbers[v(5)] == "0.1411 + 1.3513"
    assert numbers[v(6)] == "1.4924 * 1.3513"
    text = str(table)
    assert text.splitlines()[0] == "Evaluation trace"
    for i, operation, _, value in GW_TABLE_1_2:
        line = next(line for line in text.splitlines() if line.split()[:1] == [v(i)])
        assert operation in line and line.endswith(value)


def test_gw_tangent_trace(gw_trace):
    steps = ad.forward_steps(gw_trace, [1.0, 0.0])  # [GW] Table 3.2 seeds x-dot = (1, 0)
    assert [s.node.index for s in steps] == [r[0] for r in GW_TABLE_1_2]
    for step in steps:
        assert rounded(step.tangent) == GW_TABLE_3_2[step.node.index], step.node.index
    # seeds first (no edges), then one term per parent of [GW] Table 1.2
    assert [s.is_seed for s in steps] == [True, True] + [False] * 6
    for step in steps[2:]:
        assert tuple(t[0].index for t in step.terms) == GW_PARENTS[step.node.index]


def test_gw_tangent_equation_v4(gw_trace):
    steps = {s.node.index: s for s in ad.forward_steps(gw_trace, [1.0, 0.0])}
    # [GW] Table 3.2: v4-dot = v1-dot - v3-dot = 2.0000 - 0.0000 = 2.0000
    assert steps[4].equation() == f"{vdot(4)} = {vdot(1)} - {vdot(3)} = 2.0000 - 0.0000 = 2.0000"
    # the other rows end with the published number
    for i, value in GW_TABLE_3_2.items():
        if i > 0:
            assert steps[i].equation().startswith(f"{vdot(i)} = ")
            assert steps[i].equation().endswith(f" = {value}")


def test_gw_tangent_table_text(gw_trace):
    table = ad.tangent_table(ad.forward_steps(gw_trace, [1.0, 0.0]))
    indices = [r[0] for r in GW_TABLE_1_2]
    assert [row[1] for row in table.rows] == [v(i) for i in indices]
    for row, i in zip(table.rows[:2], indices):  # seeds: x-dot = (1, 0)
        assert row[2].startswith(f"{vdot(i)} = {GW_TABLE_3_2[i]}"), row
    for row, i in zip(table.rows[2:], indices[2:]):
        assert row[2].endswith(f" = {GW_TABLE_3_2[i]}"), row


def test_gw_dual_numbers_give_table_3_2():
    x1, x2 = GW_POINT
    y = griewank_walther(ad.Dual(x1, 1.0), x2)  # x-dot = (1, 0), [GW] Table 3.2
    assert rounded(y.primal) == "2.0166"
    assert rounded(y.tangent) == "3.0118"


def test_gw_adjoints(gw_trace):
    adjoints = ad.adjoint_sweep(gw_trace, [1.0])
    for node in gw_trace.nodes:
        assert rounded(adjoints[node.pos]) == GW_TABLE_3_5[node.index], node.index


def test_gw_adjoint_steps(gw_trace):
    steps = ad.reverse_steps(gw_trace, [1.0])
    # one seed + one step per edge: [GW] Table 1.2 has 2+1+1+2+2+2 = 10 edges
    assert len(steps) == 1 + sum(len(p) for p in GW_PARENTS.values()) == 11
    assert steps[0].is_seed and steps[0].node.index == 6 and steps[0].adjoint == 1.0
    # every edge of the graph is walked exactly once
    walked = sorted((s.parent.index, s.child.index) for s in steps[1:])
    assert walked == sorted((p, c) for c, ps in GW_PARENTS.items() for p in ps)
    # children are visited from the last node back to the first (a reverse sweep)
    positions = [s.child.pos for s in steps[1:]]
    assert positions == sorted(positions, reverse=True)
    # the last contribution a node receives leaves the [GW] Table 3.5 adjoint
    final = {}
    for s in steps:
        final[s.node.index] = s.adjoint
    assert {k: rounded(a) for k, a in final.items()} == GW_TABLE_3_5


def test_gw_v4_adjoint_is_two_separate_steps(gw_trace):
    steps = [s for s in ad.reverse_steps(gw_trace, [1.0]) if s.node.index == 4]
    # [GW] Table 3.5: v4-bar = v6-bar * v5 = 1.4924, then v4-bar += v5-bar = 1.3513 -> 2.8437
    assert len(steps) == 2
    first, second = steps
    assert first.first and first.child.index == 6
    assert rounded(first.contribution) == "1.4924"
    assert rounded(first.adjoint) == "1.4924"
    assert first.equation().startswith(f"{vbar(4)} = ")
    assert "+=" not in first.equation()
    assert first.equation().endswith("= 1.4924")
    assert not second.first and second.child.index == 5
    assert rounded(second.contribution) == "1.3513"
    assert rounded(second.adjoint) == "2.8437"
    assert second.equation().startswith(f"{vbar(4)} += ")
    assert second.equation().endswith(f"so {vbar(4)} = 2.8437")


def test_gw_children_sum_for_v1_and_v0(gw_trace):
    steps = ad.reverse_steps(gw_trace, [1.0])
    for i, published in ((1, "1.5059"), (0, "-13.7240")):  # [GW] Table 3.5
        contributions = [s for s in steps if s.node.index == i]
        assert len(contributions) == 2  # v1 feeds v2 and v4; v0 feeds v1 and v3 [GW] Table 1.2
        assert [s.first for s in contributions] == [True, False]
        total = sum(s.contribution for s in contributions)
        assert rounded(total) == published


def test_gw_adjoint_table_text(gw_trace):
    table = ad.adjoint_table(ad.reverse_steps(gw_trace, [1.0]))
    assert len(table.rows) == 11
    assert table.rows[0][2] == f"{vbar(6)} = y{BAR} = 1.0000"
    v4_rows = [row[2] for row in table.rows if row[1] == v(4)]
    assert v4_rows[0].startswith(f"{vbar(4)} = ") and v4_rows[1].startswith(f"{vbar(4)} += ")


def test_gw_gradient_reverse_and_forward():
    g = ad.grad(griewank_walther, argnums=(0, 1))(*GW_POINT)
    assert tuple(rounded(d) for d in g) == GW_GRADIENT  # [GW] Table 3.5
    # forward mode, one sweep per direction; the x-dot = (0, 1) sweep must give x2-bar
    _, t1 = ad.jvp(griewank_walther, GW_POINT, (1.0, 0.0))
    _, t2 = ad.jvp(griewank_walther, GW_POINT, (0.0, 1.0))
    assert (rounded(t1), rounded(t2)) == GW_GRADIENT
    # beyond the 4 published decimals: the shared table's gradient, written out by calculus
    assert t1 == pytest.approx(GW.first(*GW_POINT)[0], rel=1e-14)
    assert t2 == pytest.approx(GW.first(*GW_POINT)[1], rel=1e-14)


def test_gw_second_tangent_direction_trace(gw_trace):
    # x-dot = (0, 1): the tangents written by hand from [GW] Table 1.2's operations, with math
    # (v1-dot = -v1/v0 * v0-dot, v2-dot = cos(v1) v1-dot, v3-dot = v3 v0-dot, ...).
    v1, v3 = 1.5 / 0.5, math.exp(0.5)
    v2, v4 = math.sin(v1), v1 - v3
    v5 = v2 + v4
    d1 = -v1 / 0.5
    d2 = math.cos(v1) * d1
    d3 = v3
    d4 = d1 - d3
    d5 = d2 + d4
    d6 = d5 * v4 + v5 * d4
    steps = {s.node.index: s for s in ad.forward_steps(gw_trace, [0.0, 1.0])}
    for i, expected in ((1, d1), (2, d2), (3, d3), (4, d4), (5, d5), (6, d6)):
        assert steps[i].tangent == pytest.approx(expected, rel=1e-13), i
    assert rounded(steps[6].tangent) == "-13.7240"  # = x2-bar, [GW] Table 3.5


# ============================================================================================
# Baydin, Pearlmutter, Radul & Siskind (2018)
# ============================================================================================
# Our trace numbers nodes in the order Python evaluates ln(x1) + x1*x2 - sin(x2): the sum
# v1 + v2 is recorded *before* sin(x2), so our v3/v4 are [BPRS]'s v4/v3.  We therefore map
# rows by operation (log, mul, sin, add, sub), not by v-number.

# [BPRS] Table 2, forward primal trace (3 decimals), keyed by operation.
BPRS_PRIMAL = {"x1": "2.000", "x2": "5.000", "log": "0.693", "mul": "10.000",
               "sin": "-0.959", "add": "10.693", "sub": "11.652"}
# [BPRS] Table 2, forward tangent trace with x1-dot = 1, x2-dot = 0.
BPRS_TANGENT = {"x1": "1.000", "x2": "0.000", "log": "0.500", "mul": "5.000",
                "sin": "0.000", "add": "5.500", "sub": "5.500"}
# [BPRS] Table 3, reverse adjoint trace.
BPRS_ADJOINT = {"sub": "1.000", "add": "1.000", "sin": "-1.000", "log": "1.000",
                "mul": "1.000", "x2": "1.716", "x1": "5.500"}


def by_operation(trace):
    out = {}
    for node in trace.nodes:
        key = trace.input_names[node.pos] if node.is_input else node.primitive.name
        out[key] = node
    return out


@pytest.fixture
def bprs_trace():
    return ad.record(baydin_example, *BPRS_POINT)


def test_bprs_trace_structure(bprs_trace):
    ops = by_operation(bprs_trace)
    assert sorted(ops) == sorted(BPRS_PRIMAL)
    parents = {k: tuple(bprs_trace.input_names[p.pos] if p.is_input else p.primitive.name
                        for p in ops[k].parents) for k in ops if not ops[k].is_input}
    # [BPRS] Table 2: v1 = ln v-1, v2 = v-1 * v0, v3 = sin v0, v4 = v1 + v2, v5 = v4 - v3
    assert parents == {"log": ("x1",), "mul": ("x1", "x2"), "sin": ("x2",),
                       "add": ("log", "mul"), "sub": ("add", "sin")}
    assert bprs_trace.outputs[0] is ops["sub"]


def test_bprs_primal_trace(bprs_trace):
    for key, node in by_operation(bprs_trace).items():
        assert rounded(node.value, 3) == BPRS_PRIMAL[key], key


def test_bprs_tangent_trace(bprs_trace):
    ops = by_operation(bprs_trace)
    steps = {s.node.pos: s for s in ad.forward_steps(bprs_trace, [1.0, 0.0])}
    for key, node in ops.items():
        assert rounded(steps[node.pos].tangent, 3) == BPRS_TANGENT[key], key


def test_bprs_adjoint_trace(bprs_trace):
    ops = by_operation(bprs_trace)
    adjoints = ad.adjoint_sweep(bprs_trace, [1.0])
    for key, node in ops.items():
        assert rounded(adjoints[node.pos], 3) == BPRS_ADJOINT[key], key


def test_bprs_adjoint_contributions(bprs_trace):
    ops = by_operation(bprs_trace)
    steps = ad.reverse_steps(bprs_trace, [1.0])

    def contributions(key):
        return {s.child.primitive.name: rounded(s.contribution, 3)
                for s in steps if s.node is ops[key]}

    # [BPRS] Table 3: v0-bar = v3-bar * cos v0 + v2-bar * v-1 = -0.284 + 2 = 1.716
    assert contributions("x2") == {"sin": "-0.284", "mul": "2.000"}
    # [BPRS] Table 3: v-1-bar = v2-bar * v0 + v1-bar / v-1 = 5 + 0.5 = 5.5
    assert contributions("x1") == {"mul": "5.000", "log": "0.500"}


def test_bprs_gradient():
    g = ad.grad(baydin_example, argnums=(0, 1))(*BPRS_POINT)
    assert tuple(rounded(d, 3) for d in g) == ("5.500", "1.716")  # [BPRS] Table 3
    # beyond the 3 published decimals: the shared table's (1/x1 + x2, x1 - cos x2)
    assert g[0] == pytest.approx(BPRS.first(*BPRS_POINT)[0], rel=1e-15)
    assert g[1] == pytest.approx(BPRS.first(*BPRS_POINT)[1], rel=1e-15)
    _, t = ad.jvp(baydin_example, BPRS_POINT, (1.0, 0.0))
    assert rounded(t, 3) == "5.500"  # [BPRS] Table 2, y-dot = v5-dot


def test_bprs_table_calculus_gives_the_published_numbers():
    # the shared table's hand-derived value and gradient at the published point:
    # y = 11.652 ([BPRS] Table 2), (x1-bar, x2-bar) = (5.500, 1.716) ([BPRS] Table 3)
    assert BPRS.points[0] == BPRS_POINT
    assert rounded(BPRS.value(*BPRS_POINT), 3) == "11.652"
    assert tuple(rounded(d, 3) for d in BPRS.first(*BPRS_POINT)) == ("5.500", "1.716")


def test_gw_dual_seed_both_directions():
    # Dual.seed: both inputs share one epsilon, so x-dot may be any direction
    for direction, published in (((1.0, 0.0), "3.0118"), ((0.0, 1.0), "-13.7240")):  # [GW] 3.5
        y = griewank_walther(*ad.Dual.seed(GW_POINT, direction))
        assert rounded(y.tangent) == published
    y = griewank_walther(*ad.Dual.seed(GW_POINT, (1.0, 1.0)))
    # linearity: 3.0118 - 13.7240 = -10.7122, each published number within 5e-5
    assert abs(y.tangent - (3.0118 - 13.7240)) < 1e-4
    with pytest.raises(ValueError):
        ad.Dual.seed([1.0, 2.0], [1.0])
