"""Benchmark: value and gradient of a scalar workload, adlessons vs plain floats vs micrograd.

The workload is one Python function, ``mlp_loss(w, relu)``: a small relu MLP (8-16-16-1)
evaluated on fixed random samples (seeded), summing a squared loss.  It is written once and
parameterised by the elementary function it uses, so the three contenders run the same body:

- plain floats: ``mlp_loss(w, float_relu)`` (the value only: the cost of the computation itself);
- adlessons:    ``value_and_grad(lambda w: mlp_loss(w, adlessons.relu))(w)``;
- micrograd:    ``mlp_loss([Value(x) for x in w], Value.relu)``, then ``.backward()``.

micrograd 0.1.0 has only + - * / ** (constant exponent) and relu, so the workload uses only
+ - * and relu (no division: micrograd computes ``a / b`` as ``a * b**-1``, which rounds
differently).  With the same operations in the same order the three values are the same
floating-point number, which the benchmark checks before timing anything, together with
the gradients (adlessons vs micrograd, 1e-9 relative).

What is reported:
- the number of recorded operations, counted from the adlessons trace
  (``len(record(f, w).nodes) - n_inputs``), and the size of micrograd's graph;
- seconds per call, min and median of R repetitions, with the garbage collector enabled
  (the realistic setting: micrograd allocates several GC-tracked objects per node, and the
  collections they trigger are part of its real cost) and disabled (timeit's convention);
- ratios, and bytes per recorded node from tracemalloc (allocations made by building the
  graph or trace and still alive afterwards, divided by the number of nodes).

The final line compares with the targets (issue 9: at least 4x faster than micrograd with GC
on and at least as fast with GC off, both medians; no more than 259 bytes per recorded node,
the figure before the core was rewritten); the exit status is 1 when a target is missed (``--no-check``:
always 0), and 2 when the correctness check fails (whatever the flags).

Run: ``python benchmarks/bench_grad.py [--repeat R] [--size S] [--no-check] [--breakdown]``.
Needs micrograd==0.1.0 (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from importlib import metadata

import adlessons
from adlessons import record, value_and_grad

try:
    from micrograd.engine import Value
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("bench_grad.py needs micrograd 0.1.0: pip install -e '.[bench]'")

SEED = 0
LAYERS = (8, 16, 16, 1)  # inputs, two relu hidden layers, one linear output
SAMPLES_PER_SIZE = 120  # size 1 gives 100,200 recorded operations
MIN_OPERATIONS = 100_000
GRAD_RTOL = 1e-9
TARGET_SPEEDUP = 4.0  # median, GC on
TARGET_SPEEDUP_GC_OFF = 1.0  # median, GC off
MAX_BYTES_PER_NODE = 259


# --- the workload: written once, parameterised by the elementary function ---------------------


def make_workload(size: float):
    """The loss function and its data: fixed random samples and starting weights (seeded)."""
    rng = random.Random(SEED)
    n_samples = max(1, round(SAMPLES_PER_SIZE * size))
    n_params = sum((n_in + 1) * n_out for n_in, n_out in zip(LAYERS, LAYERS[1:]))
    xs = [[rng.uniform(-1.0, 1.0) for _ in range(LAYERS[0])] for _ in range(n_samples)]
    ys = [rng.uniform(-1.0, 1.0) for _ in range(n_samples)]
    w0 = [rng.uniform(-0.5, 0.5) for _ in range(n_params)]
    last = len(LAYERS) - 2

    def mlp_loss(w, relu):
        """Sum over the samples of (mlp(x) - y)**2; ``w`` holds every weight and bias."""
        total = 0.0
        for x, y in zip(xs, ys):
            h, k = x, 0
            for layer, (n_in, n_out) in enumerate(zip(LAYERS, LAYERS[1:])):
                out = []
                for _ in range(n_out):
                    s = w[k]  # bias
                    k += 1
                    for i in range(n_in):
                        s = s + w[k] * h[i]
                        k += 1
                    out.append(relu(s) if layer < last else s)
                h = out
            d = h[0] - y
            total = total + d * d
        return total

    return mlp_loss, w0, n_samples


def float_relu(x):
    return x if x > 0 else 0.0


# --- the three contenders ----------------------------------------------------------------------


def contenders(mlp_loss, w0):
    adl_value_and_grad = value_and_grad(lambda w: mlp_loss(w, adlessons.relu))

    def plain():
        return mlp_loss(w0, float_relu)

    def adl():
        return adl_value_and_grad(w0)

    def mg():  # also returns the graph, to be counted and released outside the timed region
        params = [Value(x) for x in w0]
        out = mlp_loss(params, Value.relu)
        out.backward()
        return out.data, [p.grad for p in params], out

    def adl_forward():
        return record(lambda w: mlp_loss(w, adlessons.relu), w0)

    def mg_forward():
        return mlp_loss([Value(x) for x in w0], Value.relu)

    return plain, adl, mg, adl_forward, mg_forward


def micrograd_graph(out) -> list:
    """Every Value reachable from ``out`` (iteratively: the graph is deep)."""
    seen, stack = {id(out): out}, [out]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return list(seen.values())


def release(out) -> None:
    """Free a micrograd graph now, by reference counting, instead of in the next gc.collect().

    Every micrograd node is in a reference cycle (``out._backward`` is a closure holding
    ``out``), so a dropped graph is left for the cycle collector, and collecting ~700,000
    objects takes a second or more: that was most of this benchmark's wall time.  Cutting the
    cycles first makes ``gc.collect()`` between repetitions cheap.  This happens outside the
    timed region; the time to free a graph is not measured for either library.
    """
    for value in micrograd_graph(out):
        value._backward = None


# --- correctness, timing, memory ---------------------------------------------------------------


def check(plain, adl, mg):
    """Values equal, gradients equal to 1e-9 relative; returns (ok, lines, micrograd's node and op counts)."""
    lines, ok = [], True
    value_plain = plain()
    value_adl, grad_adl = adl()
    value_mg, grad_mg, out = mg()
    graph = micrograd_graph(out)
    n_mg_nodes, n_mg_ops = len(graph), sum(1 for v in graph if v._op)
    del graph
    release(out)
    del out
    if value_adl != value_plain:
        ok = False
        lines.append(f"  FAIL adlessons value {value_adl!r} != plain float value {value_plain!r}")
    if not math.isclose(value_mg, value_plain, rel_tol=1e-12):
        ok = False
        lines.append(f"  FAIL micrograd value {value_mg!r} != plain float value {value_plain!r}")
    worst, n_zero = 0.0, 0
    for k, (a, b) in enumerate(zip(grad_adl, grad_mg)):
        scale = max(abs(a), abs(b))
        if scale == 0:
            n_zero += 1
            continue
        rel = abs(a - b) / scale
        worst = max(worst, rel)
        if rel > GRAD_RTOL:
            ok = False
            lines.append(f"  FAIL d/dw[{k}]: adlessons {a!r}, micrograd {b!r} (relative {rel:.2e})")
    if len(grad_adl) != len(grad_mg):
        ok = False
        lines.append(f"  FAIL {len(grad_adl)} adlessons gradient entries, {len(grad_mg)} micrograd")
    lines.insert(0, (
        f"correctness: value {value_plain:.12g} (adlessons == plain float: "
        f"{value_adl == value_plain}; micrograd == plain float: {value_mg == value_plain}); "
        f"gradient ({len(grad_adl)} entries, {n_zero} exactly 0 in both) max relative "
        f"difference adlessons vs micrograd {worst:.1e} (<= {GRAD_RTOL:g}): {'OK' if ok else 'FAILED'}"
    ))
    return ok, lines, n_mg_nodes, n_mg_ops


def autorange(fn, at_least: float = 0.05) -> int:
    """How many calls make one timed measurement of at least ``at_least`` seconds (as timeit)."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= at_least or number >= 1 << 20:
            return number
        number *= 2


def time_all(candidates: dict, repeat: int) -> dict:
    """Seconds per call for each candidate, GC on and off, ``repeat`` times each.

    Repetitions are interleaved (rep 1 of every candidate in both modes, then rep 2, ...) so a
    slow stretch of the machine hits everyone alike.  ``gc.collect()`` before each
    measurement starts every one from the same clean heap: the previous result is freed
    there (after ``free(result)`` where given), outside the timed region.  ``candidates``
    maps a name to ``(function, free)``; the plain-float one is looped as timeit does, the
    others take long enough to time one call at a time.
    """
    numbers = {name: autorange(fn) if name == "plain" else 1 for name, (fn, _) in candidates.items()}
    times = {(name, gc_on): [] for name in candidates for gc_on in (True, False)}
    for _ in range(repeat):
        for gc_on in (True, False):
            for name, (fn, free) in candidates.items():
                number = numbers[name]
                result = None
                gc.collect()
                if not gc_on:
                    gc.disable()
                try:
                    t0 = time.perf_counter()
                    for _ in range(number):
                        result = fn()
                    elapsed = time.perf_counter() - t0
                finally:
                    gc.enable()
                if free is not None:
                    free(result)
                del result
                times[name, gc_on].append(elapsed / number)
    return times


def retained_bytes(build):
    """Bytes allocated by ``build()`` and still alive afterwards (tracemalloc), and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, result


# --- report ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (default 5)")
    parser.add_argument("--size", type=float, default=1.0,
                        help=f"workload scale: {SAMPLES_PER_SIZE} samples per unit (default 1: ~100,000 operations)")
    parser.add_argument("--no-check", action="store_true", help="print only; exit 0 even if the target is missed")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time the forward pass alone (adlessons record, micrograd graph building)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.size <= 0:
        parser.error("--repeat must be >= 1 and --size > 0")
    started = time.perf_counter()

    mlp_loss, w0, n_samples = make_workload(args.size)
    plain, adl, mg, adl_forward, mg_forward = contenders(mlp_loss, w0)

    # The workload's size, counted honestly: the operations adlessons records.
    trace = adl_forward()
    n_ops = len(trace.nodes) - trace.n_inputs
    n_adl_nodes = len(trace.nodes)
    del trace
    # micrograd's backward() orders the graph with a recursive depth-first search: one Python
    # frame per node along the longest path, which here runs through every sample's loss term
    # and passes Python's default limit (1000) for larger --size.  micrograd makes at most two
    # operations of each recorded one (a - b is a + b*(-1)), so no path is longer than
    # 2 * n_ops + 1 nodes and this limit is always enough (Python 3.11 keeps pure-Python
    # recursion off the C stack).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * n_ops + 1000))

    print(f"adlessons benchmark: value and gradient, adlessons {metadata.version('adlessons')} vs "
          f"micrograd {metadata.version('micrograd')}; Python {platform.python_version()} on "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"workload: relu MLP {'-'.join(map(str, LAYERS))}, {n_samples} samples (seed {SEED}), "
          f"{len(w0)} parameters, squared loss summed")
    print(f"  adlessons trace: {n_ops:,} recorded operations "
          f"(len(record(f, w).nodes) - n_inputs = {n_adl_nodes:,} - {n_adl_nodes - n_ops:,})"
          + ("" if n_ops >= MIN_OPERATIONS else f"  [below {MIN_OPERATIONS:,}: use --size >= 1]"))

    ok, lines, n_mg_nodes, n_mg_ops = check(plain, adl, mg)
    print(f"  micrograd graph: {n_mg_nodes:,} Values ({n_mg_ops:,} operations; the rest are the "
          f"parameters and the constants micrograd wraps in a Value, e.g. each x[i] in w*x[i])")
    print("\n".join(lines))
    if not ok:
        print("correctness check FAILED: not timing anything")
        return 2

    candidates = {"plain": (plain, None), "adlessons": (adl, None),
                  "micrograd": (mg, lambda result: release(result[2]))}
    if args.breakdown:
        candidates.update({"adlessons record": (adl_forward, None),
                           "micrograd forward": (mg_forward, release)})
    times = time_all(candidates, args.repeat)
    stat = {key: (min(ts), statistics.median(ts)) for key, ts in times.items()}

    labels = {
        "plain": "plain float f(w), value only",
        "adlessons": "adlessons value_and_grad",
        "micrograd": "micrograd forward + backward",
        "adlessons record": "  adlessons record (forward only)",
        "micrograd forward": "  micrograd forward only",
    }
    print(f"\ntime per call, seconds; {args.repeat} repetitions, gc.collect() before each")
    print(f"{'':34s} {'GC on':>19s}   {'GC off':>19s}")
    print(f"{'':34s} {'min':>9s} {'median':>9s}   {'min':>9s} {'median':>9s}")
    for name in candidates:
        on, off = stat[name, True], stat[name, False]
        print(f"{labels[name]:34s} {on[0]:9.4f} {on[1]:9.4f}   {off[0]:9.4f} {off[1]:9.4f}")

    def ratio(a, b, gc_on, which):  # time of a / time of b
        return stat[a, gc_on][which] / stat[b, gc_on][which]

    print("\nratios (value and gradient)      GC on: median   min    GC off: median   min")
    for text, a, b in (
        ("adlessons / plain float", "adlessons", "plain"),
        ("micrograd / plain float", "micrograd", "plain"),
        ("micrograd / adlessons (speedup)", "micrograd", "adlessons"),
    ):
        print(f"  {text:31s} {ratio(a, b, True, 1):9.1f}x {ratio(a, b, True, 0):6.1f}x"
              f"   {ratio(a, b, False, 1):12.1f}x {ratio(a, b, False, 0):6.1f}x")

    adl_bytes, trace = retained_bytes(adl_forward)
    adl_per_node = adl_bytes / len(trace.nodes)
    del trace
    mg_bytes, mg_out = retained_bytes(mg_forward)
    mg_per_node = mg_bytes / len(micrograd_graph(mg_out))
    release(mg_out)
    del mg_out
    print("\nmemory retained by building the graph (tracemalloc)")
    print(f"  adlessons: {adl_bytes / 1e6:7.1f} MB / {n_adl_nodes:,} nodes = {adl_per_node:5.0f} bytes/node "
          f"({adl_bytes / n_ops:.0f} bytes per workload operation)")
    print(f"  micrograd: {mg_bytes / 1e6:7.1f} MB / {n_mg_nodes:,} nodes = {mg_per_node:5.0f} bytes/node "
          f"({mg_bytes / n_ops:.0f} bytes per workload operation)")

    speedup = ratio("micrograd", "adlessons", True, 1)
    speedup_gc_off = ratio("micrograd", "adlessons", False, 1)
    met = (speedup >= TARGET_SPEEDUP and speedup_gc_off >= TARGET_SPEEDUP_GC_OFF
           and adl_per_node <= MAX_BYTES_PER_NODE)
    print(f"\n(total {time.perf_counter() - started:.1f} s)")
    comparison = f"{speedup:.1f}x faster than" if speedup >= 1 else f"{1 / speedup:.1f}x slower than"
    print(f"adlessons value_and_grad: {comparison} micrograd (median, GC on; "
          f"min {ratio('micrograd', 'adlessons', True, 0):.1f}x; GC off: median "
          f"{speedup_gc_off:.1f}x); {adl_per_node:.0f} vs {mg_per_node:.0f} bytes/node; targets "
          f">={TARGET_SPEEDUP:g}x (GC on), >={TARGET_SPEEDUP_GC_OFF:g}x (GC off), "
          f"<={MAX_BYTES_PER_NODE} bytes/node: {'MET' if met else 'MISSED'}")
    return 0 if met or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
