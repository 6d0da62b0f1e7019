"""Measuring memory: what a trace holds, and what a computation needs at its peak.

The numbers are measured, not estimated: Python's ``tracemalloc`` counts every block of
memory the interpreter allocates while it traces, so "bytes" here means what the objects
really took on this machine and this Python version (another version gives somewhat
different numbers; the ratios between two measurements are what carries over)::

    tape = tape_memory(f, 1.0)         # TapeMemory(nodes=..., bytes=...)
    result, use = measure_memory(grad(f), 1.0)
    use.peak, use.held                 # bytes at the worst moment; bytes the result keeps
"""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass
from typing import Callable

from .errors import describe_value
from .api import record

__all__ = ["MemoryUse", "TapeMemory", "measure_memory", "tape_memory", "release"]


@dataclass(frozen=True)
class MemoryUse:
    """Bytes a call needed: ``peak``, the most it had allocated at once (above what was
    allocated before the call), and ``held``, what is still allocated once it has returned:
    the memory its result keeps alive."""

    peak: int
    held: int


@dataclass(frozen=True)
class TapeMemory:
    """What a recorded trace holds: its ``nodes`` and the ``bytes`` they take, measured."""

    nodes: int
    bytes: int

    @property
    def bytes_per_node(self) -> float:
        return self.bytes / self.nodes


def measure_memory(f: Callable, *args):
    """Call ``f(*args)`` while tracemalloc counts allocations; return ``(result, MemoryUse)``.

    Garbage is collected before the call and again before ``held`` is read, so ``held``
    counts only what the result really keeps alive (a trace's nodes refer to each other
    in cycles, which only the garbage collector frees). If tracemalloc was already
    tracing, its peak is reset."""
    if not callable(f):
        raise TypeError(f"measure_memory: expected a function to call, got {describe_value(f)} "
                        f"({type(f).__name__})")
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = f(*args)
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        if started_here:
            tracemalloc.stop()
    return result, MemoryUse(peak=peak - before, held=after - before)


def tape_memory(f: Callable, *args, argnums=None) -> TapeMemory:
    """Record ``f(*args)`` and measure the trace it leaves: how many nodes, how many bytes."""
    trace, use = measure_memory(lambda: record(f, *args, argnums=argnums))
    return TapeMemory(nodes=len(trace.nodes), bytes=use.held)


def release(trace) -> None:
    """Free a trace's nodes now, not later. A trace and its nodes refer to each other (each
    node knows its trace), a cycle that only Python's cycle collector frees, some time
    after the last use; emptying the trace breaks the cycle, so the nodes go at once.
    (PyTorch's ``backward()`` frees its graph in the same spirit, unless
    ``retain_graph=True``.) The trace cannot be swept again afterwards."""
    trace.nodes.clear()
    trace.outputs.clear()
