"""Measured memory: what a trace holds and what a computation needs at its peak.

Reference numbers come from outside the code under test: ``sys.getsizeof`` of the objects a
node is made of (a lower bound for a node's bytes), node counts worked out by hand (the loop
x <- x - 0.01 sin x records mul, sin and sub: 3 nodes per step), and ratios (a loop twice as
long holds twice the tape). No absolute byte count is asserted: they differ between Python
versions.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc

import pytest

from adlessons import derivative, grad, record, sin, vjp
from adlessons.memory import measure_memory, release, tape_memory


def damp(x, steps):
    for _ in range(steps):
        x = x - 0.01 * sin(x)
    return x


def test_tape_memory_counts_nodes_and_bytes_that_grow_linearly():
    short = tape_memory(damp, 1.0, 1_000, argnums=0)
    long = tape_memory(damp, 1.0, 4_000, argnums=0)
    assert short.nodes == 1 + 3 * 1_000 and long.nodes == 1 + 3 * 4_000
    assert long.bytes / short.bytes == pytest.approx(long.nodes / short.nodes, rel=0.03)


def test_a_node_takes_at_least_its_own_objects():
    trace = record(damp, 1.0, 10, argnums=0)
    node = trace.nodes[-1]
    own = sys.getsizeof(node) + sys.getsizeof(node.args) + sys.getsizeof(node.value)
    measured = tape_memory(damp, 1.0, 1_000, argnums=0)
    assert own < measured.bytes_per_node < 10 * own


def test_measure_memory_against_getsizeof():
    size = 100_000
    values, use = measure_memory(lambda: [float(k) + 0.5 for k in range(size)])
    expected = sys.getsizeof(values) + size * sys.getsizeof(0.5)
    assert use.held == pytest.approx(expected, rel=0.02)
    assert use.peak >= use.held


def test_reverse_mode_peak_grows_with_the_loop_dual_numbers_stay_flat():
    """The dual numbers' peak is Python's free lists being refilled after the collection
    measure_memory starts with: a constant, the same for 2,000 and 8,000 steps."""
    rev = [measure_memory(grad(damp), 1.0, k)[1].peak for k in (1_000, 3_000)]
    fwd = [measure_memory(lambda k=k: derivative(lambda x: damp(x, k), 1.0))[1].peak
           for k in (2_000, 4_000)]
    assert rev[1] / rev[0] == pytest.approx(3, rel=0.05)
    assert fwd[1] == pytest.approx(fwd[0], rel=0.05)
    assert fwd[1] < 0.5 * rev[1]


def test_grad_keeps_nothing_a_pullback_keeps_the_tape():
    tape = tape_memory(damp, 1.0, 2_000, argnums=0)
    _, after_grad = measure_memory(grad(damp), 1.0, 2_000)
    (_, pullback), after_vjp = measure_memory(vjp, lambda x: damp(x, 2_000), 1.0)
    assert after_grad.held < 0.01 * tape.bytes
    assert after_vjp.held == pytest.approx(tape.bytes, rel=0.1)
    assert pullback(1.0) == (grad(damp)(1.0, 2_000),)  # and it can be swept again


def test_release_frees_a_trace_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        trace = record(damp, 1.0, 8_000, argnums=0)
        holding = tracemalloc.get_traced_memory()[0] - before
        del trace  # a cycle (node.trace <-> trace.nodes): nothing is freed yet
        leaked = tracemalloc.get_traced_memory()[0] - before
        trace = record(damp, 1.0, 8_000, argnums=0)
        release(trace)
        del trace  # no cycle left: freed at once (to Python's free lists, at most ~0.3 MB)
        freed = tracemalloc.get_traced_memory()[0] - before - leaked
    finally:
        tracemalloc.stop()
        gc.enable()
        gc.collect()
    assert leaked > 0.9 * holding
    assert abs(freed) < 0.06 * holding


def test_measure_memory_refuses_a_non_function():
    with pytest.raises(TypeError, match=r"measure_memory: expected a function to call, got 3 \(int\)"):
        measure_memory(3)
