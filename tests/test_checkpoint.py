"""``checkpoint(f)``: the same derivatives as without the wrapper, from one node that keeps
only its inputs.

The reference is always the same computation without ``checkpoint`` (plain reverse and
forward mode, themselves tested against published and analytic values elsewhere), plus the
analytic derivative of the damping loop, prod (1 - 0.01 cos x_i), computed with ``math``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from adlessons import (
    PRIMITIVES, Trace, adjoint_sweep, count_sweeps, derivative, exp, grad, jacfwd, jacrev, jvp,
    record, reverse_steps, forward_steps, sin, tangent_sweep, vjp,
)
from adlessons.checkpointing import checkpoint, inner_trace, is_checkpoint
from adlessons.memory import measure_memory


def step(x):
    return x - 0.01 * sin(x)


def chunk(x, n=10):
    for _ in range(n):
        x = step(x)
    return x


checkpointed_chunk = checkpoint(chunk)


def plain_loop(x, chunks=5, n=10):
    for _ in range(chunks):
        x = chunk(x, n)
    return x


def checkpointed_loop(x, chunks=5, n=10):
    for _ in range(chunks):
        x = checkpointed_chunk(x, n)
    return x


def analytic_derivative(x, steps):
    product = 1.0
    for _ in range(steps):
        product *= 1 - 0.01 * math.cos(x)
        x = x - 0.01 * math.sin(x)
    return product


# --- one node -----------------------------------------------------------------------------------


def test_a_checkpointed_call_is_one_node_that_keeps_its_inputs():
    trace = record(checkpointed_loop, 1.0)
    assert len(trace.nodes) == 1 + 5  # the input and one node per chunk
    assert len(record(plain_loop, 1.0).nodes) == 1 + 5 * 10 * 3
    node = trace.nodes[1]
    assert is_checkpoint(node) and not is_checkpoint(trace.nodes[0])
    assert node.args == (1.0,) and node.value == chunk(1.0)
    assert repr(node) == "<v₁ = checkpoint(chunk)(v₀, 10) = 0.9179>"
    inside = inner_trace(node)  # re-recorded from the stored input
    assert len(inside.nodes) == 1 + 10 * 3 and inside.outputs[0].value == node.value


def test_without_tracing_it_is_an_ordinary_call():
    assert checkpointed_chunk(1.0) == chunk(1.0)
    assert checkpointed_chunk.__name__ == "chunk" and checkpointed_chunk.checkpointed is chunk


def test_the_table_of_primitives_is_untouched():
    before = dict(PRIMITIVES)
    grad(checkpointed_loop)(1.0)
    assert PRIMITIVES == before


# --- the same numbers --------------------------------------------------------------------------


def test_grad_vjp_jvp_and_dual_numbers_are_exactly_those_without_checkpoint():
    expected = grad(plain_loop)(1.0)
    assert grad(checkpointed_loop)(1.0) == expected
    assert grad(checkpointed_loop)(1.0) == pytest.approx(analytic_derivative(1.0, 50), rel=1e-13)
    value, pullback = vjp(checkpointed_loop, 1.0)
    assert value == plain_loop(1.0) and pullback(2.5) == vjp(plain_loop, 1.0)[1](2.5)
    assert jvp(checkpointed_loop, (1.0,), (0.7,)) == jvp(plain_loop, (1.0,), (0.7,))
    assert derivative(checkpointed_loop, 1.0) == derivative(plain_loop, 1.0)


def test_several_arguments_and_vector_arguments():
    def g(x, y):
        return x * sin(y) + y * exp(x)

    g_checkpointed = checkpoint(g)
    with_, without = (lambda x, y: g_checkpointed(x, y) * x), (lambda x, y: g(x, y) * x)
    assert grad(with_, (0, 1))(1.0, 2.0) == grad(without, (0, 1))(1.0, 2.0)
    assert jvp(with_, (1.0, 2.0), (1.0, 0.5)) == pytest.approx(jvp(without, (1.0, 2.0), (1.0, 0.5)),
                                                               rel=1e-15)

    def vector_with(v):
        return [g_checkpointed(v[0], v[1]), sin(v[0])]

    def vector_without(v):
        return [g(v[0], v[1]), sin(v[0])]

    assert (jacrev(vector_with)([1.0, 2.0]) == jacrev(vector_without)([1.0, 2.0])).all()
    assert np.allclose(jacfwd(vector_with)([1.0, 2.0]), jacfwd(vector_without)([1.0, 2.0]),
                       rtol=1e-15, atol=0)

    norm = checkpoint(lambda v: v[0] * v[0] + v[1] * v[1])  # a list argument: two operands
    assert (grad(lambda v: norm(v))([3.0, 4.0]) == np.array([6.0, 8.0])).all()


def test_several_operands_share_one_recomputation():
    g = checkpoint(lambda x, y: x * sin(y))
    with count_sweeps() as sweeps:
        grad(lambda x, y: g(x, y), (0, 1))(1.0, 2.0)
    assert sweeps["reverse"] == 1 + 1  # the outer sweep and ONE inner sweep for both operands


def test_nested_checkpoints():
    inner = checkpoint(lambda x: chunk(chunk(x)))
    outer = checkpoint(lambda x: inner(inner(x)))
    assert grad(lambda x: outer(outer(x)))(1.0) == grad(lambda x: chunk(x, 80))(1.0)
    trace = record(lambda x: outer(x), 1.0)
    assert len(trace.nodes) == 2
    opened = inner_trace(trace.nodes[1])
    assert len(opened.nodes) == 3 and all(is_checkpoint(n) for n in opened.intermediates)


def test_second_and_third_derivatives_forward_over_reverse_are_exact():
    """Forward over reverse (a tangent carried through the reverse sweep, the way a Hessian-vector
    product is computed) adds no node to any trace: the recomputation inside each checkpointed
    call does the same operations, in the same order, as the plain sweep."""
    assert jvp(grad(checkpointed_loop), (1.0,), (1.0,)) == jvp(grad(plain_loop), (1.0,), (1.0,))
    assert derivative(grad(checkpointed_loop), 1.0) == derivative(grad(plain_loop), 1.0)
    third = [derivative(lambda x: derivative(grad(f), x), 1.0) for f in (checkpointed_loop, plain_loop)]
    assert third[0] == third[1]


def test_reverse_over_reverse_agrees_to_rounding():
    """grad(grad(f)) records the inner sweep in an outer trace, and with checkpoints that trace
    also holds the recomputed steps: a node that one plain trace reaches by one path, summing
    (a + b) and multiplying by p, is reached along two, a p + b p.  The same value up to a few
    units in the last place, not bit for bit; the plain result is the reference."""
    for order in (2, 3):
        with_, without = checkpointed_loop, plain_loop
        for _ in range(order):
            with_, without = grad(with_), grad(without)
        assert with_(1.0) == pytest.approx(without(1.0), rel=1e-14, abs=1e-16)
    assert grad(grad(checkpointed_loop))(1.0) != grad(grad(plain_loop))(1.0)  # the rounding is real here


def test_arrays_as_single_values():
    """An array is one value of one node (the arrays core): the checkpointed call keeps it as
    its one operand and the gradient is the same array, bit for bit."""
    sum_to = PRIMITIVES["sum_to"]
    x0, weights = np.array([0.5, 1.0, 2.0]), np.array([1.0, -2.0, 0.25])
    results = []
    for inner in (chunk, checkpoint(chunk)):
        trace = Trace([x0])
        trace.outputs = [sum_to(inner(trace.nodes[0]) * weights, ())]
        results.append((adjoint_sweep(trace, [1.0])[0],
                        tangent_sweep(trace, [np.array([1.0, -1.0, 0.5])])[-1]))
    (adjoint, tangent), (adjoint_checkpointed, tangent_checkpointed) = results
    assert (adjoint == adjoint_checkpointed).all() and tangent == tangent_checkpointed


def test_arrays_through_the_api():
    """An RNN-like recurrence x <- x + 0.1 tanh(W x) on an 8-vector: grad, vjp, jvp, jacrev and
    jacfwd through checkpointed chunks equal those without, bit for bit, and so does the
    Hessian-vector product by forward over reverse; reverse over reverse agrees to rounding."""
    import adlessons.numpy as anp

    rng = np.random.default_rng(0)
    weights = rng.normal(size=(8, 8)) / 3
    x0, v = rng.normal(size=8), rng.normal(size=8)

    def rnn_chunk(x, n=5):
        for _ in range(n):
            x = x + 0.1 * anp.tanh(weights @ x)
        return x

    boxed = checkpoint(rnn_chunk)
    plain_map, boxed_map = (lambda x: rnn_chunk(rnn_chunk(x))), (lambda x: boxed(boxed(x)))
    plain_loss, boxed_loss = (lambda x: anp.sum(plain_map(x) ** 2)), (lambda x: anp.sum(boxed_map(x) ** 2))
    assert (grad(boxed_loss)(x0) == grad(plain_loss)(x0)).all()
    assert (vjp(boxed_map, x0)[1](v)[0] == vjp(plain_map, x0)[1](v)[0]).all()
    assert (jvp(boxed_map, (x0,), (v,))[1] == jvp(plain_map, (x0,), (v,))[1]).all()
    assert (jacrev(boxed_map)(x0) == jacrev(plain_map)(x0)).all()
    assert (jacfwd(boxed_map)(x0) == jacfwd(plain_map)(x0)).all()
    nested = checkpoint(lambda x: boxed(boxed(x)))
    assert (grad(lambda x: anp.sum(nested(x) ** 2))(x0) == grad(plain_loss)(x0)).all()
    hessian_vector = [jvp(grad(loss), (x0,), (v,))[1] for loss in (plain_loss, boxed_loss)]
    assert (hessian_vector[0] == hessian_vector[1]).all()  # forward over reverse: exact
    second = [grad(lambda x: anp.sum(grad(loss)(x) * v))(x0) for loss in (plain_loss, boxed_loss)]
    assert np.allclose(second[0], second[1], rtol=1e-13, atol=1e-15)  # reverse over reverse


def test_an_array_parameter_used_by_every_call():
    """W enters every checkpointed call (and so is used after each one): the state's gradient is
    exact, W's adds each call's contribution as a subtotal and agrees to rounding."""
    import adlessons.numpy as anp

    rng = np.random.default_rng(1)
    w0, x0 = rng.normal(size=(4, 4)) / 2, rng.normal(size=4)

    def rnn_chunk(x, w):
        for _ in range(3):
            x = anp.tanh(w @ x)
        return x

    boxed = checkpoint(rnn_chunk)

    def loss(x, w, inner):
        for _ in range(4):
            x = inner(x, w)
        return anp.sum(x)

    plain = grad(lambda x, w: loss(x, w, rnn_chunk), (0, 1))(x0, w0)
    with count_sweeps() as sweeps:
        checked = grad(lambda x, w: loss(x, w, boxed), (0, 1))(x0, w0)
    assert (checked[0] == plain[0]).all()
    assert np.allclose(checked[1], plain[1], rtol=1e-14, atol=1e-16)
    assert sweeps["reverse"] == 1 + 4  # one inner sweep per call serves both operands


def test_an_input_also_used_after_the_call_agrees_to_rounding():
    """x feeds the checkpointed call and the product after it: its adjoint adds the call's
    contributions as one subtotal, (a + (b + c)) instead of ((a + b) + c)."""
    sum_to = PRIMITIVES["sum_to"]
    x0 = np.array([0.5, 1.0, 2.0])
    adjoints = []
    for inner in (chunk, checkpoint(chunk)):
        trace = Trace([x0])
        trace.outputs = [sum_to(inner(trace.nodes[0]) * trace.nodes[0], ())]
        adjoints.append(adjoint_sweep(trace, [1.0])[0])
    assert np.allclose(adjoints[0], adjoints[1], rtol=1e-15, atol=0)


# --- what it costs -----------------------------------------------------------------------------


def test_the_inside_is_run_again_during_the_sweep():
    calls = []

    def counted(x):
        calls.append(1)
        return chunk(x)

    f = checkpoint(counted)
    with count_sweeps() as sweeps:
        grad(lambda x: f(f(f(x))))(1.0)
    assert len(calls) == 3 + 3  # once forward (plain numbers), once more in the sweep
    assert sweeps["reverse"] == 1 + 3


def test_checkpoints_hold_less_memory():
    def long_plain(x):
        return chunk(x, 2_000)

    segment = checkpoint(chunk)

    def long_checkpointed(x):
        for _ in range(40):
            x = segment(x, 50)
        return x

    g_plain, plain = measure_memory(grad(long_plain), 1.0)
    g_checkpointed, checkpointed = measure_memory(grad(long_checkpointed), 1.0)
    assert g_plain == g_checkpointed
    assert checkpointed.peak < 0.25 * plain.peak


def test_printed_equations_name_the_checkpoint_instead_of_expanding_it():
    trace = record(lambda x: checkpointed_chunk(x, 3) * x, 1.0)
    reverse = [s.equation() for s in reverse_steps(trace)]
    assert "v̄₀ += v̄₁·∂checkpoint(chunk)/∂v₀ = 0.9837, so v̄₀ = 1.9586" in reverse
    forward = [s.equation() for s in forward_steps(trace, [1.0])]
    assert "v̇₁ = ∂checkpoint(chunk)/∂v₀·v̇₀ = 0.9837" in forward


# --- bad input ---------------------------------------------------------------------------------


def test_checkpoint_refuses_a_non_function():
    with pytest.raises(TypeError, match=r"checkpoint: expected a function to wrap, got 3 \(int\)"):
        checkpoint(3)


def test_a_checkpointed_function_must_return_one_value():
    pair = checkpoint(lambda x: [x, 2 * x])
    with pytest.raises(TypeError, match=r"checkpoint\(<lambda>\): the function must return one "
                                        r"number or one array, got \[1.0, 2.0\] \(list\)"):
        grad(lambda x: pair(x))(1.0)


# --- the drawing --------------------------------------------------------------------------------


def test_a_checkpoint_is_drawn_as_one_box_that_opens():
    from adlessons.viz.checkpoints import draw_checkpoints

    trace = record(lambda x: checkpointed_chunk(x, 2) * x, 1.0)
    closed = draw_checkpoints(trace, open_checkpoints=False)
    opened = draw_checkpoints(trace)
    assert "cluster" not in closed.source and 'peripheries=2' in closed.source
    assert "subgraph cluster_n1_w" in opened.source
    assert opened.source.count("rounded,filled,dashed") == 1 + 2 * 3  # the box's inner nodes
    assert 'n1_w6 -> n1 ' in opened.source and 'n0 -> n1_w0 ' in opened.source
    assert "w₃ = w₀ - w₂" in opened.source  # inner names are w's, not the outer v's
    assert opened.source == draw_checkpoints(trace).source  # deterministic
    assert repr(opened) == "<graph of a trace: 1 input, 2 intermediates, 1 checkpoint opened>"


def test_nested_checkpoints_open_inside_their_box():
    from adlessons.viz.checkpoints import draw_checkpoints

    inner = checkpoint(lambda x: chunk(x, 1))
    outer = checkpoint(lambda x: inner(inner(x)))
    source = draw_checkpoints(record(lambda x: outer(x), 1.0)).source
    start = source.index("subgraph cluster_n1_w")
    assert source.index("subgraph cluster_n1_w1_u") > start  # the inner box sits in the outer one
    assert source.count("subgraph cluster_") == 3
