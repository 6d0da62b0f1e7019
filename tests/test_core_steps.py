"""Sweeps as data: how many steps each sweep takes, what they produce, and reprs fit for stored
notebook outputs.

Counts are derived from the graph: a forward sweep has one step per node (inputs are seed
steps); a reverse sweep has one step per edge parent -> child that an output depends on
(edges come only from *variable* operands; constants are not variables), plus one seed per
output that is a variable.  The numbers the steps end with are the gradients written out by
calculus in the shared table (tests/function_table.py).
"""

import os
import re
import subprocess
import sys

import pytest

import adlessons as ad
from adlessons.examples import baydin_example, griewank_walther
from function_table import assert_close, by_name, size_of_numbers, unit

ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")

STEP_CASES = [by_name(name) for name in (
    "griewank_walther", "baydin", "normal_density",
    "x * x",  # two edges to the same parent
    "sin(x*y) + x/2 - 3**y",  # constants on both sides of an operation
)]
STEP_PARAMS = [pytest.param(case, case.points[0], id=case.name) for case in STEP_CASES]


def variable_edges(trace):
    return sum(1 for node in trace.intermediates for x in node.operands if trace.is_variable(x))


@pytest.mark.parametrize("case, point", STEP_PARAMS)
def test_forward_steps_one_per_node(case, point):
    trace = ad.record(case.build, *point)
    n = case.arity
    for k in range(n):
        steps = ad.forward_steps(trace, list(unit(n, k)))
        assert len(steps) == len(trace.nodes)
        assert [s.node.pos for s in steps] == list(range(len(trace.nodes)))  # recording order
        assert sum(s.is_seed for s in steps) == n
        assert sum(len(s.terms) for s in steps) == variable_edges(trace)
        # the output's tangent is df/dx_k, written out in the table
        assert_close(steps[-1].tangent, case.first(*point)[k], 1e-13, size_of_numbers(case, point))


@pytest.mark.parametrize("case, point", STEP_PARAMS)
def test_reverse_steps_one_per_edge_plus_seed(case, point):
    trace = ad.record(case.build, *point)
    steps = ad.reverse_steps(trace, [1.0])
    assert len(steps) == variable_edges(trace) + 1
    assert sum(s.is_seed for s in steps) == 1
    # the last step that touches an input leaves its adjoint: df/dx_k, written out in the table
    final = {s.node.pos: s.adjoint for s in steps}
    for k, want in enumerate(case.first(*point)):
        assert_close(final[k], want, 1e-13, size_of_numbers(case, point), f"x{k}")
    # every step's edge is a real edge of the graph
    for s in steps[1:]:  # (by identity: == on nodes compares their values)
        assert any(p is s.parent for p in s.child.parents)
        assert s.child.operands[s.slot] is s.parent
    # each node's first contribution is "=", later ones "+="
    seen = set()
    for s in steps:
        assert s.first == (s.node.pos not in seen)
        seen.add(s.node.pos)


def test_square_by_multiplication_has_two_edges_to_one_parent():
    trace = ad.record(lambda x: x * x, 3.0)
    steps = ad.reverse_steps(trace, [1.0])
    assert len(steps) == 3
    assert [s.first for s in steps] == [True, True, False]
    assert steps[-1].adjoint == 6.0  # d(x^2)/dx = 2x


def test_constants_are_not_edges():
    trace = ad.record(lambda x: 2.0 * x + 1.0, 3.0)  # v1 = 2 * v0, v2 = v1 + 1
    assert variable_edges(trace) == 2
    assert len(ad.reverse_steps(trace, [1.0])) == 3
    assert [len(n.parents) for n in trace.intermediates] == [1, 1]


def test_dead_branch_gets_no_reverse_steps():
    def f(x):
        unused = ad.exp(x) * x  # recorded, but the output does not depend on it: 2 nodes, 3 edges
        return ad.sin(x)

    trace = ad.record(f, 0.4)
    assert len(trace.intermediates) == 3 and variable_edges(trace) == 4
    steps = ad.reverse_steps(trace, [1.0])
    assert len(steps) == 2  # the seed and sin's one edge
    assert len(ad.forward_steps(trace, [1.0])) == 4  # a forward sweep visits every node


def test_several_outputs_one_seed_each():
    trace = ad.record(lambda x, y: [x * y, ad.sin(x), 5.0, x], 1.0, 2.0)
    steps = ad.reverse_steps(trace, [1.0, 1.0, 1.0, 1.0])
    seeds = [s for s in steps if s.is_seed]
    # outputs x*y, sin(x) and x are variables; 5.0 is a constant and gets no seed
    assert len(seeds) == 3
    assert len(steps) == 3 + variable_edges(trace)


def test_nested_trace_constants_are_not_inner_variables():
    inner_traces = []

    def outer(x):
        trace = ad.record(lambda y: x * y + y, 2.0)  # x is a constant of the inner trace
        inner_traces.append(trace)
        return trace.outputs[0]

    ad.grad(outer)(3.0)
    inner = inner_traces[0]
    # v1 = x * v0 has one edge (from v0; x is the outer trace's), v2 = v1 + v0 has two
    assert variable_edges(inner) == 3
    assert inner.nodes[1].parents == (inner.nodes[0],)
    assert ad.evaluation_table(inner).rows[1][1] == "3 * v₀"  # the operation column


# --- tables built from the steps -----------------------------------------------------------


def test_tables_have_one_row_per_step_and_can_be_partial():
    trace = ad.record(griewank_walther, 1.5, 0.5)
    fsteps, rsteps = ad.forward_steps(trace, [1.0, 0.0]), ad.reverse_steps(trace, [1.0])
    assert len(ad.tangent_table(fsteps).rows) == len(fsteps)
    assert len(ad.adjoint_table(rsteps).rows) == len(rsteps)
    assert len(ad.evaluation_table(trace).rows) == len(trace.nodes) + 1  # + the output row y
    partial = ad.adjoint_table(rsteps, upto=4, current=3)
    assert len(partial.rows) == 4
    lines = str(partial).splitlines()
    assert lines[-1].endswith("<--") and sum(l.endswith("<--") for l in lines) == 1
    assert "background" in partial._repr_html_()


def test_evaluation_table_negative_operands_are_parenthesised():
    # baydin: v5 = v3 - v4 with v4 = sin(5) = -0.9589.  The tangent and adjoint tables write
    # negative factors in parentheses, "(-0.9900)"; the evaluation table should not print
    # the ambiguous "10.6931 - -0.9589".
    table = ad.evaluation_table(ad.record(baydin_example, 2.0, 5.0))
    for row in table.rows:
        assert not re.search(r"[-+*/] -\d", row[2]), row


# --- reprs: deterministic, no memory addresses ---------------------------------------------


def all_reprs():
    trace = ad.record(griewank_walther, 1.5, 0.5)
    fsteps, rsteps = ad.forward_steps(trace, [1.0, 0.0]), ad.reverse_steps(trace, [1.0])
    things = [trace, *trace.nodes, ad.Dual(1.5, 1.0), ad.Dual(ad.Dual(2.0), 0.5),
              ad.evaluation_table(trace), ad.tangent_table(fsteps), ad.adjoint_table(rsteps),
              *fsteps, *rsteps, *ad.PRIMITIVES.values()]
    return [repr(t) for t in things] + [trace._repr_html_(), ad.evaluation_table(trace)._repr_html_()]


def test_reprs_have_no_memory_addresses():
    for text in all_reprs():
        assert not ADDRESS.search(text), text
        assert " at 0x" not in text and "object at" not in text


ALL_REPRS_IN_A_FRESH_PROCESS = """
import sys
sys.path.insert(0, sys.argv[1])
import test_core_steps
print(repr(test_core_steps.all_reprs()))
"""


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_reprs_are_the_same_in_a_fresh_process(hash_seed):
    # what nbval compares is made by a new kernel: ids, set order and level counters differ there
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    run = subprocess.run([sys.executable, "-c", ALL_REPRS_IN_A_FRESH_PROCESS, here],
                         capture_output=True, text=True, env=env, check=True)
    assert run.stdout.strip() == repr(all_reprs())


def test_reprs_read_well():
    trace = ad.record(griewank_walther, 1.5, 0.5)
    assert repr(trace) == "<Trace: 2 inputs, 6 intermediates, 1 output>"
    assert repr(trace.nodes[7]) == "<v₆ = v₅ * v₄ = 2.0166>"  # [GW] Table 1.2: v6 = 2.0166
    assert repr(ad.Dual(1.5, 1.0)) == "Dual(1.5000, 1.0000)"


def test_nested_node_reprs_have_no_addresses():
    texts = []

    def outer(x):
        trace = ad.record(lambda y: ad.sin(x * y), 2.0)
        texts.extend(repr(n) for n in trace.nodes)
        texts.append(repr(trace))
        texts.append(str(ad.evaluation_table(trace)))
        return trace.outputs[0]

    ad.grad(outer)(0.5)
    for text in texts:
        assert not ADDRESS.search(text), text
