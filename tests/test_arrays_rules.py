"""Every array primitive's forward (jvp) and reverse (vjp) rule, against central differences.

Each case below builds a primitive's operands on random shapes (Hypothesis draws the sizes
and a seed; broadcasting included).  Three checks per case, none of which uses a derivative
rule of the package as its reference:
- the jvp, summed over the operands, equals the central difference of the primitive's own
  evaluation along a random direction;
- each operand's vjp has that operand's shape, and <vjp_k(ḡ), t_k> equals the central
  difference of <ḡ, f> along t_k alone;
- the two rules are each other's transpose: <ḡ, jvp(t)> = Σ_k <vjp_k(ḡ), t_k>.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adlessons.primitives import PRIMITIVES

H = 1e-6  # central differences: error O(H^2) relative, plus rounding O(eps / H)


def _well_conditioned(rng, n):
    return rng.normal(size=(n, n)) + n * np.eye(n)


def _distinct(rng, shape):
    """Entries far from each other's ties (for maximum): a shuffled grid plus small noise."""
    size = int(np.prod(shape))
    return (rng.permutation(size) + 0.1 * rng.uniform(size=size)).reshape(shape) - size / 2


# name -> (primitive name, operands from (rng, n, m, k)); array operands are the variables,
# everything else (axes, shapes, indices, conditions) a setting.
CASES = {
    "matmul 2d@2d": ("matmul", lambda r, n, m, k: (r.normal(size=(n, m)), r.normal(size=(m, k)))),
    "matmul 2d@1d": ("matmul", lambda r, n, m, k: (r.normal(size=(n, m)), r.normal(size=m))),
    "matmul 1d@2d": ("matmul", lambda r, n, m, k: (r.normal(size=m), r.normal(size=(m, k)))),
    "matmul 1d@1d": ("matmul", lambda r, n, m, k: (r.normal(size=m), r.normal(size=m))),
    "outer": ("outer", lambda r, n, m, k: (r.normal(size=n), r.normal(size=m))),
    "transpose": ("transpose", lambda r, n, m, k: (r.normal(size=(n, m)),)),
    "transpose 1d": ("transpose", lambda r, n, m, k: (r.normal(size=n),)),
    "permute_dims": ("permute_dims", lambda r, n, m, k: (r.normal(size=(n, m, k)), (1, 2, 0))),
    "reshape flat": ("reshape", lambda r, n, m, k: (r.normal(size=(n, m)), (n * m,))),
    "reshape -1": ("reshape", lambda r, n, m, k: (r.normal(size=(n, m, k)), (k, -1))),
    "sum all": ("sum", lambda r, n, m, k: (r.normal(size=(n, m)), None, False)),
    "sum axis 0": ("sum", lambda r, n, m, k: (r.normal(size=(n, m)), 0, False)),
    "sum axis -1 keepdims": ("sum", lambda r, n, m, k: (r.normal(size=(n, m, k)), -1, True)),
    "sum axes (0, 2)": ("sum", lambda r, n, m, k: (r.normal(size=(n, m, k)), (0, 2), False)),
    "mean all": ("mean", lambda r, n, m, k: (r.normal(size=(n, m)), None, False)),
    "mean axis 1 keepdims": ("mean", lambda r, n, m, k: (r.normal(size=(n, m)), 1, True)),
    "getitem slice": ("getitem", lambda r, n, m, k: (r.normal(size=(n + 1, m)), (slice(1, None), slice(None, None, 2)))),
    "getitem column": ("getitem", lambda r, n, m, k: (r.normal(size=(n, m)), (slice(None), m - 1))),
    "getitem entry": ("getitem", lambda r, n, m, k: (r.normal(size=(n, m)), (n - 1, 0))),
    "getitem repeated": ("getitem", lambda r, n, m, k: (r.normal(size=(n, m)), ([0, n - 1, 0],))),
    "getitem mask": ("getitem", lambda r, n, m, k: (r.normal(size=(n, m)), r.uniform(size=(n, m)) > 0.5)),
    "scatter": ("scatter", lambda r, n, m, k: (r.normal(size=(2, m)), ([0, n],), (n + 1, m))),
    "concatenate axis 0": ("concatenate", lambda r, n, m, k: (0, r.normal(size=(n, m)), r.normal(size=(k, m)))),
    "concatenate axis 1": ("concatenate", lambda r, n, m, k: (1, r.normal(size=(n, m)), r.normal(size=(n, k)),
                                                             r.normal(size=(n, 1)))),
    "broadcast_to": ("broadcast_to", lambda r, n, m, k: (r.normal(size=(1, m)), (n, m))),
    "sum_to": ("sum_to", lambda r, n, m, k: (r.normal(size=(k, n, m)), (1, m))),
    "maximum broadcast": ("maximum", lambda r, n, m, k: (_distinct(r, (n, m)), _distinct(r, (m,)) + 0.05)),
    "where broadcast": ("where", lambda r, n, m, k: (r.uniform(size=(n, m)) > 0.5, r.normal(size=(n, m)),
                                                     r.normal(size=m))),
    "inv": ("inv", lambda r, n, m, k: (_well_conditioned(r, n),)),
    "det": ("det", lambda r, n, m, k: (_well_conditioned(r, n),)),
    "solve vector": ("solve", lambda r, n, m, k: (_well_conditioned(r, n), r.normal(size=n))),
    "solve matrix": ("solve", lambda r, n, m, k: (_well_conditioned(r, n), r.normal(size=(n, k)))),
}

sizes = st.integers(1, 4)


def _variables(primitive, args):
    """The slots that are arrays (or numbers) to differentiate, not settings."""
    return [k for k in range(len(args)) if k not in primitive.static]


def _evaluate(primitive, args):
    return np.asarray(primitive.evaluate(*args), dtype=float)


def _shifted(args, slots, directions, h):
    out = list(args)
    for k, d in zip(slots, directions):
        out[k] = args[k] + h * d
    return tuple(out)


def _central(primitive, args, slots, directions):
    plus = _evaluate(primitive, _shifted(args, slots, directions, H))
    minus = _evaluate(primitive, _shifted(args, slots, directions, -H))
    return (plus - minus) / (2 * H)


def _close(a, b, scale=1.0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-6 * max(scale, 1.0))


@pytest.mark.parametrize("case", list(CASES))
@settings(max_examples=15, deadline=None)
@given(n=sizes, m=sizes, k=sizes, seed=st.integers(0, 2**16))
def test_rules_match_central_differences(case, n, m, k, seed):
    name, build = CASES[case]
    primitive = PRIMITIVES[name]
    rng = np.random.default_rng(seed)
    args = build(rng, n, m, k)
    out = primitive.evaluate(*args)
    slots = _variables(primitive, args)
    tangents = [rng.normal(size=np.shape(args[s])) for s in slots]
    cotangent = rng.normal(size=np.shape(out))
    scale = float(np.abs(out).max(initial=0.0))

    jvp = sum(np.asarray(primitive.jvp(s, t, args, out), dtype=float) for s, t in zip(slots, tangents))
    assert _close(jvp, _central(primitive, args, slots, tangents), scale), case

    total = 0.0
    for s, t in zip(slots, tangents):
        vjp = np.asarray(primitive.vjp(s, cotangent, args, out), dtype=float)
        assert vjp.shape == np.shape(args[s]), (case, s)
        along = float(np.sum(cotangent * _central(primitive, args, [s], [t])))
        assert np.isclose(np.sum(vjp * t), along, rtol=1e-6, atol=1e-6 * max(scale, 1.0)), (case, s)
        total += float(np.sum(vjp * t))
    assert np.isclose(total, float(np.sum(cotangent * jvp)), rtol=1e-10, atol=1e-10 * max(scale, 1.0)), case
