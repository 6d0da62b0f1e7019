"""Benchmark: the gradient of an MLP on whole arrays, adlessons vs hand-written NumPy vs HIPS autograd.

The workload is one Python function, ``mlp_loss(params, X, Y, np_)``: a 784-256-10 MLP (tanh
hidden layer, softmax cross-entropy averaged over a batch of 256, float64), on data made with a
fixed seed.  It is written once and takes the NumPy-like module as a parameter, so every
contender runs the same body:

- NumPy forward:        ``mlp_loss(params, X, Y, numpy)``  (the value only);
- adlessons forward:    ``mlp_loss(params, X, Y, adlessons.numpy)`` on plain arrays (the package's
                        own forward pass: the baseline of the target);
- adlessons:            ``value_and_grad(lambda p: mlp_loss(p, X, Y, adlessons.numpy))(params)``;
- hand NumPy:           the same forward pass and its backward pass written out by hand
                        (``hand_value_and_grad``): what a gradient costs with no AD machinery;
- HIPS autograd 1.9.1:  ``autograd.value_and_grad(lambda p: mlp_loss(p, X, Y, autograd.numpy))``.

Before timing anything it checks that every gradient (all weights and biases) agrees with the
hand-written one, entry by entry to 1e-10 relative to the largest entry, and that the hand-written
gradient agrees with a central difference along a random direction; exit status 2 if not.

What it prints: seconds per call (min and median of R interleaved repetitions), the ratios
against the baselines measured in the same run, the peak memory of one call (tracemalloc: NumPy
registers its array buffers with it), and the same at a 10x bigger batch, to show what recording
costs when the arrays grow (a trace has as many nodes at batch 2560 as at 256, so its overhead
must not grow with the batch).  Targets: adlessons value_and_grad <= 2.5x the package's forward
pass and no slower than HIPS autograd's value_and_grad.  Ratios are of the fastest of R runs
(timeit's convention: on a shared machine the least disturbed run is the best estimate of a
cost; the medians are printed beside them for the spread); exit status 1 when missed
(``--no-check``: always 0), 3 when the package's array core is not there to measure.

Run: ``python benchmarks/bench_arrays.py [--repeat R] [--batch B] [--threads T] [--no-check]``.
Needs autograd==1.9.1 (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import sys


def _set_blas_threads(argv) -> None:
    """BLAS threads must be fixed before NumPy is imported: one by default, so that the
    contenders share one core alike on a busy machine (``--threads T`` to change it)."""
    threads = "1"
    for k, a in enumerate(argv):
        if a == "--threads" and k + 1 < len(argv):
            threads = argv[k + 1]
        elif a.startswith("--threads="):
            threads = a.split("=", 1)[1]
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = threads


if __name__ == "__main__":
    _set_blas_threads(sys.argv[1:])

import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from importlib import metadata  # noqa: E402

import numpy as np  # noqa: E402

try:
    import autograd
    import autograd.numpy as agnp
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("bench_arrays.py needs autograd 1.9.1: pip install -e '.[bench]'")

SEED = 0
SIZES = (784, 256, 10)  # inputs, tanh hidden units, classes
BATCH = 256
BIG = 10  # the bigger batch is BIG x --batch
GRAD_RTOL = 1e-10
TARGET_FORWARD_RATIO = 2.5
NAMES = ("W1", "b1", "W2", "b2")


# --- the workload: written once, parameterised by the NumPy-like module -----------------------


def mlp_loss(params, X, Y, np_):
    """Mean softmax cross-entropy of a tanh MLP: log sum_k exp(z_k) - z_label, averaged.

    The logits need no max-shift: |tanh| <= 1 and the weights are small, so |z| < 10 here
    and exp cannot overflow (``make_data`` asserts the bound).
    """
    h = np_.tanh(X @ params["W1"] + params["b1"])
    z = h @ params["W2"] + params["b2"]
    return np_.mean(np_.log(np_.sum(np_.exp(z), axis=1)) - np_.sum(Y * z, axis=1))


def make_data(batch: int, seed: int = SEED):
    """Inputs, one-hot labels and starting parameters (NumPy seed), as float64 arrays."""
    n_in, n_hidden, n_out = SIZES
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    params = {
        "W1": rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in),
        "b1": 0.1 * rng.normal(size=n_hidden),
        "W2": rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden),
        "b2": 0.1 * rng.normal(size=n_out),
    }
    bound = np.abs(params["W2"]).sum(axis=0).max() + np.abs(params["b2"]).max()
    assert bound < 30, f"logits could reach {bound}: exp might overflow without a max-shift"
    return params, X, Y


def hand_value_and_grad(params, X, Y):
    """The loss and its gradient with the backward pass written out by hand (no AD)."""
    W1, b1, W2, b2 = (params[k] for k in NAMES)
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    value = np.mean(np.log(s[:, 0]) - np.sum(Y * z, axis=1))
    dz = (e / s - Y) / X.shape[0]  # d loss / d z: (softmax - one-hot) / batch
    dh = dz @ W2.T
    da = dh * (1.0 - h * h)  # tanh' = 1 - tanh^2
    return value, {"W1": X.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}


# --- the contenders ----------------------------------------------------------------------------


def package_contenders(params, X, Y):
    """adlessons' forward pass and value_and_grad, or the reason they cannot run yet."""
    try:
        import adlessons.numpy as anp
        from adlessons import value_and_grad
    except ImportError as error:
        return None, f"adlessons.numpy is not there yet ({error})"
    adl_vg = value_and_grad(lambda p: mlp_loss(p, X, Y, anp))
    try:  # one call, to find out whether the array core exists
        value, grads = adl_vg(params)
        float(value)
        [np.asarray(grads[k]) for k in NAMES]
    except Exception as error:  # noqa: BLE001 - any failure means: not measurable yet
        return None, f"value_and_grad on arrays failed: {type(error).__name__}: {error}"
    found = {
        "adlessons forward": lambda: mlp_loss(params, X, Y, anp),
        "adlessons value_and_grad": lambda: adl_vg(params),
    }
    recorder = package_recorder(params, X, Y)
    if recorder is not None:
        found["adlessons record"] = recorder
    return found, None


def package_recorder(params, X, Y):
    """Recording the loss into a trace, without sweeping back (None if record takes no arrays)."""
    try:
        import adlessons.numpy as anp
        from adlessons import record

        def loss(W1, b1, W2, b2):
            return mlp_loss(dict(zip(NAMES, (W1, b1, W2, b2))), X, Y, anp)

        arrays = [params[k] for k in NAMES]
        record(loss, *arrays)
        return lambda: record(loss, *arrays)
    except Exception:  # noqa: BLE001 - only informative
        return None


def contenders(params, X, Y):
    """Every contender as a zero-argument function, and why the package's are missing (or None)."""
    ag_vg = autograd.value_and_grad(lambda p: mlp_loss(p, X, Y, agnp))
    found = {
        "NumPy forward": lambda: mlp_loss(params, X, Y, np),
        "hand NumPy value_and_grad": lambda: hand_value_and_grad(params, X, Y),
        "autograd value_and_grad": lambda: ag_vg(params),
    }
    package, missing = package_contenders(params, X, Y)
    if package:
        found.update(package)
    return found, missing


# --- correctness, timing, memory ---------------------------------------------------------------


def check(candidates, params, X, Y):
    """Every gradient against the hand one; the hand one against a central difference."""
    lines, ok = [], True
    value_hand, grad_hand = hand_value_and_grad(params, X, Y)
    # The hand gradient against an independent method: a central difference of the plain NumPy
    # loss along a random direction d, which must equal <grad, d> (error O(eps^2) + rounding).
    rng = np.random.default_rng(SEED + 1)
    d = {k: rng.normal(size=params[k].shape) for k in NAMES}
    eps = 1e-5
    shifted = lambda t: mlp_loss({k: params[k] + t * d[k] for k in NAMES}, X, Y, np)  # noqa: E731
    fd = (shifted(eps) - shifted(-eps)) / (2 * eps)
    exact = sum(float(np.sum(grad_hand[k] * d[k])) for k in NAMES)
    rel = abs(fd - exact) / abs(exact)
    ok &= rel < 1e-7
    lines.append(f"  hand gradient . d = {exact:.10f}, central difference {fd:.10f} "
                 f"(relative {rel:.1e} < 1e-7): {'OK' if rel < 1e-7 else 'FAILED'}")
    value_np = candidates["NumPy forward"]()
    if not np.isclose(value_np, value_hand, rtol=1e-14):
        ok = False
        lines.append(f"  FAIL NumPy forward {value_np!r} != hand value {value_hand!r}")
    for name in ("autograd value_and_grad", "adlessons value_and_grad"):
        if name not in candidates:
            continue
        value, grads = candidates[name]()
        worst = 0.0
        for k in NAMES:
            g, ref = np.asarray(grads[k], dtype=float), grad_hand[k]
            if g.shape != ref.shape:
                ok = False
                lines.append(f"  FAIL {name}: d/d{k} has shape {g.shape}, expected {ref.shape}")
                continue
            worst = max(worst, float(np.abs(g - ref).max() / np.abs(ref).max()))
        good = worst <= GRAD_RTOL and np.isclose(float(value), value_hand, rtol=1e-13)
        ok &= good
        lines.append(f"  {name}: value {float(value):.12f}, gradient max difference from the hand "
                     f"one {worst:.1e} of its largest entry (<= {GRAD_RTOL:g}): {'OK' if good else 'FAILED'}")
    if "adlessons forward" in candidates:
        value = float(candidates["adlessons forward"]())
        good = np.isclose(value, value_hand, rtol=1e-13)
        ok &= good
        lines.append(f"  adlessons forward on plain arrays: {value:.12f}: {'OK' if good else 'FAILED'}")
    lines.insert(0, f"correctness: loss {value_hand:.12f} (hand NumPy)")
    return ok, lines


def time_all(candidates: dict, repeat: int) -> dict:
    """Seconds per call for each candidate, ``repeat`` times, interleaved (rep 1 of everyone,
    then rep 2, ...) so a busy stretch of the machine slows all alike; each measurement loops
    the call until it takes at least 0.2 s (as timeit does) after a ``gc.collect()``."""
    numbers = {}
    for name, fn in candidates.items():
        fn()  # warm up
        t0 = time.perf_counter()
        fn()
        numbers[name] = max(1, round(0.2 / max(time.perf_counter() - t0, 1e-6)))
    times = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            times[name].append((time.perf_counter() - t0) / numbers[name])
    return times


def peak_bytes(fn) -> int:
    """The most memory one call of ``fn`` held at once beyond what existed before (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return peak - before


# --- report ------------------------------------------------------------------------------------

LABELS = {
    "NumPy forward": "NumPy forward (value only)",
    "adlessons forward": "adlessons forward (anp, plain arrays)",
    "adlessons record": "adlessons record (traced forward)",
    "hand NumPy value_and_grad": "hand NumPy forward + backward",
    "autograd value_and_grad": "HIPS autograd value_and_grad",
    "adlessons value_and_grad": "adlessons value_and_grad",
}


def measure(batch: int, repeat: int, show_check: bool):
    params, X, Y = make_data(batch)
    candidates, missing = contenders(params, X, Y)
    ok, lines = check(candidates, params, X, Y)
    if show_check:
        print("\n".join(lines))
    if not ok:
        return None, missing
    times = time_all(candidates, repeat)
    stat = {name: (min(ts), statistics.median(ts)) for name, ts in times.items()}
    memory = {name: peak_bytes(fn) for name, fn in candidates.items()}
    data_bytes = X.nbytes + Y.nbytes + sum(params[k].nbytes for k in NAMES)
    # nodes in the adlessons trace of the loss (one per array operation)
    nodes = len(candidates["adlessons record"]().nodes) if "adlessons record" in candidates else None
    return dict(stat=stat, memory=memory, data_bytes=data_bytes, nodes=nodes), missing


def print_table(batch: int, result: dict) -> None:
    stat, memory = result["stat"], result["memory"]
    print(f"\nbatch {batch}: time per call (ms) and peak memory of one call "
          f"(data: {result['data_bytes'] / 1e6:.1f} MB)")
    print(f"  {'':40s} {'min':>8s} {'median':>8s}   {'peak MB':>8s}")
    for name in LABELS:
        if name in stat:
            lo, med = stat[name]
            print(f"  {LABELS[name]:40s} {1e3 * lo:8.2f} {1e3 * med:8.2f}   {memory[name] / 1e6:8.1f}")
    if result["nodes"] is not None:
        print(f"  adlessons trace: {result['nodes']} nodes")


def ratio_lines(result: dict) -> list:
    """``(text, median ratio, min ratio)`` for every pair that can be formed."""
    stat = result["stat"]
    pairs = [
        ("hand NumPy f+b / NumPy forward", "hand NumPy value_and_grad", "NumPy forward"),
        ("autograd v&g / NumPy forward", "autograd value_and_grad", "NumPy forward"),
        ("adlessons forward / NumPy forward", "adlessons forward", "NumPy forward"),
        ("adlessons record / adlessons forward", "adlessons record", "adlessons forward"),
        ("adlessons v&g / adlessons forward", "adlessons value_and_grad", "adlessons forward"),
        ("adlessons v&g / hand NumPy f+b", "adlessons value_and_grad", "hand NumPy value_and_grad"),
        ("adlessons v&g / autograd v&g", "adlessons value_and_grad", "autograd value_and_grad"),
    ]
    return [(text, stat[a][0] / stat[b][0], stat[a][1] / stat[b][1])
            for text, a, b in pairs if a in stat and b in stat]


def print_ratios(batch: int, result: dict) -> None:
    print(f"\nratios of the fastest runs (of medians in brackets), batch {batch}")
    for text, lo, med in ratio_lines(result):
        print(f"  {text:36s} {lo:6.2f}x  ({med:.2f}x)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="repetitions per measurement (default 9)")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"batch size (default {BATCH})")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (default 1; set before NumPy is imported)")
    parser.add_argument("--no-check", action="store_true", help="print only; exit 0 even if a target is missed")
    parser.add_argument("--no-big", action="store_true", help=f"skip the {BIG}x bigger batch")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.batch < 1:
        parser.error("--repeat and --batch must be >= 1")
    started = time.perf_counter()
    try:
        version = metadata.version("adlessons")
    except metadata.PackageNotFoundError:
        version = "(not installed)"
    print(f"adlessons array benchmark: adlessons {version}, autograd {metadata.version('autograd')}, "
          f"NumPy {np.__version__}; Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    print(f"workload: MLP {'-'.join(map(str, SIZES))}, tanh, softmax cross-entropy, float64, "
          f"batch {args.batch}, data seed {SEED}; gradient of W1, b1, W2, b2 "
          f"({sum(a * b + b for a, b in zip(SIZES, SIZES[1:])):,} parameters)")

    small, missing = measure(args.batch, args.repeat, show_check=True)
    if small is None:
        print("correctness check FAILED: not timing anything")
        return 2
    if missing:
        print(f"  adlessons contenders skipped: {missing}")
    print_table(args.batch, small)
    print_ratios(args.batch, small)

    big = None
    if not args.no_big:
        big, _ = measure(BIG * args.batch, max(3, args.repeat // 2), show_check=False)
        if big is None:
            print(f"correctness check FAILED at batch {BIG * args.batch}")
            return 2
        print_table(BIG * args.batch, big)
        print(f"\nwhat a {BIG}x bigger batch costs (fastest time at {BIG * args.batch} / at {args.batch})")
        for name in LABELS:
            if name in big["stat"]:
                print(f"  {LABELS[name]:40s} {big['stat'][name][0] / small['stat'][name][0]:6.1f}x"
                      f"   peak memory {big['memory'][name] / small['memory'][name]:5.1f}x")
        for name in ("autograd value_and_grad", "adlessons value_and_grad"):
            if name in big["stat"]:
                over = [1e3 * (r["stat"][name][0] - r["stat"]["hand NumPy value_and_grad"][0])
                        for r in (small, big)]
                print(f"  {LABELS[name]} minus hand NumPy (bookkeeping + the array work of "
                      f"unfused rules): {over[0]:.2f} ms at {args.batch}, {over[1]:.2f} ms at {BIG * args.batch}")
        if "adlessons record" in big["stat"]:
            over = [1e3 * (r["stat"]["adlessons record"][0] - r["stat"]["adlessons forward"][0])
                    for r in (small, big)]
            print(f"  recording overhead (adlessons record minus its forward pass, same array work): "
                  f"{over[0]:.2f} ms at {args.batch}, {over[1]:.2f} ms at {BIG * args.batch}; trace "
                  f"{small['nodes']} nodes at {args.batch}, {big['nodes']} at {BIG * args.batch}")
        print_ratios(BIG * args.batch, big)

    print(f"\n(total {time.perf_counter() - started:.1f} s)")
    stat = small["stat"]
    if "adlessons value_and_grad" not in stat:
        print(f"adlessons value_and_grad on arrays: NOT MEASURED ({missing})")
        return 0 if args.no_check else 3
    vs_forward = stat["adlessons value_and_grad"][0] / stat["adlessons forward"][0]
    vs_autograd = stat["adlessons value_and_grad"][0] / stat["autograd value_and_grad"][0]
    met = vs_forward <= TARGET_FORWARD_RATIO and vs_autograd <= 1.0
    print(f"adlessons value_and_grad: {vs_forward:.2f}x its forward pass (target <= {TARGET_FORWARD_RATIO:g}), "
          f"{vs_autograd:.2f}x HIPS autograd's time (target <= 1), peak memory "
          f"{small['memory']['adlessons value_and_grad'] / 1e6:.1f} MB vs autograd "
          f"{small['memory']['autograd value_and_grad'] / 1e6:.1f} MB, hand NumPy "
          f"{small['memory']['hand NumPy value_and_grad'] / 1e6:.1f} MB: {'MET' if met else 'MISSED'}")
    return 0 if met or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
