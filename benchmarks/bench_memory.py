"""Benchmark: memory and time of reversing a long loop, store-all vs √N vs binomial checkpointing.

Two recurrences of N = 10,000 steps (``--steps``), each reversed (x̄_N = 1 pulled back to
x̄_0) by three schedules of ``adlessons.schedules``, all carried out by ``run_schedule`` with the
same tape (``taped_vjp``, freed right after its sweep):

- store all: ``store_all(N)``, one tape of all N steps (plain reverse mode, as ``grad`` does);
- √N: ``every_kth(N)``, keep x_0, x_k, x_2k, ... (k = 100) and tape one stretch of k at a time;
- binomial: ``binomial(N, 10)``, Griewank's schedule with 10 snapshot slots, one step at a time.

The scalar recurrence is x <- x - 0.01 sin(x); the array one is RNN-like, x <- x + 0.01 tanh(W x)
on a vector of 64 float64 entries with a fixed 64x64 matrix W (``adlessons.numpy``: a matmul and
three elementwise operations per step, each node holding an array). A fourth row uses
``checkpoint`` instead of a schedule: the loop as 100 checkpointed calls of 100 steps, pulled
back by ``vjp`` in one sweep.

Correctness first: every schedule's gradient must equal plain reverse mode's (the whole loop
recorded and swept once) exactly, bit for bit; if not, the script exits with status 2 and
times nothing.

What is reported, per recurrence and schedule:
- peak traced memory: the most bytes allocated at once during the run, above what was
  allocated before it (``tracemalloc``, via ``adlessons.memory.measure_memory``; one run each,
  with the per-step repetition counts switched off, as they are bookkeeping of the lesson);
- time: min and median of R runs (``--repeat``, default 5), interleaved (run 1 of every
  schedule, then run 2, ...), ``gc.collect()`` before each, the collector on;
- the counts the executor measured: advances (forward steps recomputed), peak snapshots;
- ratios against store-all measured in the same run.

Targets (scalar and array alike): √N peak memory <= 5 % of store-all's with <= 2.2x its time
(median); binomial with s = 10 peak memory <= 1 % of store-all's. The last line says MET or
MISSED; exit status 1 when missed (``--no-check``: always 0).

Run: ``python benchmarks/bench_memory.py [--steps N] [--repeat R] [--no-check]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time

import numpy as np

import adlessons
import adlessons.numpy as anp
from adlessons import checkpoint, sin, vjp
from adlessons.memory import measure_memory
from adlessons.schedules import binomial, every_kth, run_schedule, store_all

SNAPSHOTS = 10
ARRAY_SIZE = 64
TARGETS = {"sqrt_memory": 0.05, "sqrt_time": 2.2, "binomial_memory": 0.01}


def scalar_step(x):
    return x - 0.01 * sin(x)


WEIGHTS = np.random.default_rng(1).normal(size=(ARRAY_SIZE, ARRAY_SIZE)) / ARRAY_SIZE ** 0.5


def array_step(x):
    return x + 0.01 * anp.tanh(WEIGHTS @ x)


def loop(step, x, steps):
    for _ in range(steps):
        x = step(x)
    return x


def pulled_back(f, x0):
    """x̄_0 for x̄_N = 1 (ones, for an array state): f recorded on one trace and swept back once."""
    value, pullback = vjp(f, x0)
    return pullback(np.ones_like(value) if np.ndim(value) else 1.0)[0]


def plain_reverse(step, x0, steps):
    """The reference: the whole loop recorded on one trace and swept back once."""
    return pulled_back(lambda x: loop(step, x, steps), x0)


def checkpointed(step, steps, chunk):
    """x -> the loop, as steps // chunk checkpointed calls of ``chunk`` steps each."""
    segment = checkpoint(lambda x: loop(step, x, chunk))

    def f(x):
        for _ in range(steps // chunk):
            x = segment(x)
        return x

    return f


def candidates(step, x0, steps):
    """The schedules to compare, each a function of no arguments returning (gradient, counts)."""
    k = round(steps ** 0.5)
    runs = {}
    for name, schedule in (("store all", store_all(steps)), ("√N (every k-th)", every_kth(steps)),
                           (f"binomial (s = {SNAPSHOTS})", binomial(steps, SNAPSHOTS))):
        runs[name] = (lambda s=schedule: _run(s, step, x0))
    f = checkpointed(step, steps, k)
    runs[f"checkpoint(f), {steps // k} calls"] = lambda: (pulled_back(f, x0), None)
    return runs


def _run(schedule, step, x0):
    run = run_schedule(schedule, step, x0, count_repetitions=False)
    return run.gradient, run


def check(runs: dict, reference) -> bool:
    ok = True
    for name, run in runs.items():
        gradient, _ = run()
        same = np.array_equal(np.asarray(gradient), np.asarray(reference))
        print(f"  {name:<26} gradient equals plain reverse mode bit for bit: {same}")
        ok = ok and same
    return ok


def measure(runs: dict, repeat: int) -> dict:
    """Peak memory (one traced run each) and times (interleaved repetitions), per schedule."""
    results = {}
    for name, run in runs.items():
        (_, counts), use = measure_memory(run)
        results[name] = {"peak": use.peak, "counts": counts, "times": []}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run()
            results[name]["times"].append(time.perf_counter() - start)
    return results


def report(title: str, results: dict) -> dict:
    base = results["store all"]
    base_peak, base_time = base["peak"], statistics.median(base["times"])
    print(f"\n{title}")
    print(f"  {'schedule':<26} {'peak memory':>12} {'vs store all':>13} {'time (median)':>14} "
          f"{'min':>8} {'vs store all':>13} {'advances':>9} {'snapshots':>10}")
    ratios = {}
    for name, r in results.items():
        median, best = statistics.median(r["times"]), min(r["times"])
        memory_ratio, time_ratio = r["peak"] / base_peak, median / base_time
        ratios[name] = (memory_ratio, time_ratio)
        counts = r["counts"]
        advances = f"{counts.advances:,}" if counts else "-"
        snapshots = f"{counts.peak_snapshots}" if counts else "-"
        print(f"  {name:<26} {r['peak'] / 1e6:>9.3f} MB {100 * memory_ratio:>11.2f} % "
              f"{median:>12.3f} s {best:>7.3f}s {time_ratio:>12.2f}x {advances:>9} {snapshots:>10}")
    return ratios


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps of each loop (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    parser.add_argument("--no-check", action="store_true", help="print only; exit 0 even if a target is missed")
    args = parser.parse_args(argv)
    print(f"adlessons {adlessons.__file__}; Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f}; N = {args.steps:,} steps, k = "
          f"{round(args.steps ** 0.5)}, s = {SNAPSHOTS}")

    rng = np.random.default_rng(0)
    workloads = {
        "scalar recurrence x <- x - 0.01 sin(x)": (scalar_step, 1.0),
        f"array recurrence x <- x + 0.01 tanh(W x), {ARRAY_SIZE} entries":
            (array_step, rng.uniform(-1.0, 1.0, ARRAY_SIZE)),
    }
    verdicts = []
    for title, (step, x0) in workloads.items():
        runs = candidates(step, x0, args.steps)
        print(f"\nchecking {title}")
        if not check(runs, plain_reverse(step, x0, args.steps)):
            print("correctness check FAILED: nothing timed")
            return 2
        ratios = report(title, measure(runs, args.repeat))
        sqrt_memory, sqrt_time = ratios["√N (every k-th)"]
        binomial_memory, _ = ratios[f"binomial (s = {SNAPSHOTS})"]
        met = (sqrt_memory <= TARGETS["sqrt_memory"] and sqrt_time <= TARGETS["sqrt_time"]
               and binomial_memory <= TARGETS["binomial_memory"])
        verdicts.append(met)
        print(f"  targets: √N memory {100 * sqrt_memory:.2f} % (<= 5 %), time {sqrt_time:.2f}x "
              f"(<= 2.2x); binomial memory {100 * binomial_memory:.2f} % (<= 1 %): "
              f"{'MET' if met else 'MISSED'}")
    met = all(verdicts)
    print(f"\nbench_memory: targets {'MET' if met else 'MISSED'} for both recurrences")
    return 0 if met or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
