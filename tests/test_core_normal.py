"""The normal density p(x; mu, sigma): three inputs, one output.

The references are the analytic formulas, written here with ``math`` (not with adlessons):
    p            = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))
    dp/dx        = -(x - mu) / sigma^2 * p
    dp/dmu       =  (x - mu) / sigma^2 * p
    dp/dsigma    = ((x - mu)^2 / sigma^3 - 1 / sigma) * p
Forward mode needs one tangent sweep per input (three), reverse mode one adjoint sweep.
"""

import math

import pytest

import adlessons as ad
import adlessons.api
from adlessons.examples import normal_density

POINTS = [
    (0.0, 0.0, 1.0),      # the standard normal at its mean
    (1.3, 1.3, 0.7),      # x = mu: dp/dx = dp/dmu = 0
    (-2.5, 0.5, 1.5),     # negative x
    (0.01, 0.0, 0.05),    # small sigma
    (-0.002, -0.0035, 1e-3),  # very small sigma (x - mu = sigma would make dp/dsigma = 0: ill-conditioned)
    (3.0, -1.0, 2.0),
    (-7.0, -4.0, 0.9),    # far in the tail
]


def p_math(x, mu, s):
    return math.exp(-((x - mu) ** 2) / (2 * s * s)) / (s * math.sqrt(2 * math.pi))


def grad_math(x, mu, s):
    p = p_math(x, mu, s)
    return (-(x - mu) / s**2 * p, (x - mu) / s**2 * p, ((x - mu) ** 2 / s**3 - 1 / s) * p)


# Tolerance: the package and the formula above evaluate the same real function in a different
# order of floating point operations; each side is accurate to a few ulps per operation
# (about 10 operations), so 1e-13 relative is generous yet far below any real error.
REL = 1e-13


@pytest.mark.parametrize("point", POINTS)
def test_value(point):
    assert normal_density(*point) == pytest.approx(p_math(*point), rel=REL)
    value, _ = ad.value_and_grad(normal_density, argnums=(0, 1, 2))(*point)
    assert value == pytest.approx(p_math(*point), rel=REL)


@pytest.mark.parametrize("point", POINTS)
def test_gradient_reverse(point):
    g = ad.grad(normal_density, argnums=(0, 1, 2))(*point)
    expected = grad_math(*point)
    assert len(g) == 3
    for got, want in zip(g, expected):
        assert got == pytest.approx(want, rel=REL, abs=1e-300)


@pytest.mark.parametrize("point", POINTS)
def test_gradient_forward_one_sweep_per_input(point):
    expected = grad_math(*point)
    for k in range(3):
        seed = tuple(1.0 if j == k else 0.0 for j in range(3))
        value, tangent = ad.jvp(normal_density, point, seed)
        assert value == pytest.approx(p_math(*point), rel=REL)
        assert tangent == pytest.approx(expected[k], rel=REL, abs=1e-300)


@pytest.mark.parametrize("point", POINTS)
def test_forward_and_reverse_agree(point):
    g = ad.grad(normal_density, argnums=(0, 1, 2))(*point)
    for k in range(3):
        seed = tuple(1.0 if j == k else 0.0 for j in range(3))
        assert ad.jvp(normal_density, point, seed)[1] == pytest.approx(g[k], rel=1e-14, abs=1e-300)
    jf = ad.jacfwd(normal_density, argnums=(0, 1, 2))(*point)
    jr = ad.jacrev(normal_density, argnums=(0, 1, 2))(*point)
    assert jf == pytest.approx(jr, rel=1e-14)


def test_x_equals_mu_gives_zero_slope_in_x_and_mu():
    # analytic: dp/dx = dp/dmu = -(x-mu)/sigma^2 p = 0 at x = mu; dp/dsigma = -p/sigma
    g = ad.grad(normal_density, argnums=(0, 1, 2))(1.3, 1.3, 0.7)
    assert g[0] == 0.0 and g[1] == 0.0
    assert g[2] == pytest.approx(-p_math(1.3, 1.3, 0.7) / 0.7, rel=REL)


def test_dual_numbers():
    x, mu, s = -2.5, 0.5, 1.5
    expected = grad_math(x, mu, s)
    assert ad.derivative(lambda t: normal_density(t, mu, s), x) == pytest.approx(expected[0], rel=REL)
    assert ad.derivative(lambda t: normal_density(x, t, s), mu) == pytest.approx(expected[1], rel=REL)
    assert ad.derivative(lambda t: normal_density(x, mu, t), s) == pytest.approx(expected[2], rel=REL)


# --- counting the work: three forward sweeps against one reverse sweep ----------------------


def test_forward_steps_per_sweep_is_the_number_of_nodes():
    trace = ad.record(normal_density, 0.5, 0.0, 1.0)
    # the formula as written in examples.py: x-mu, square, neg, square(sigma), 2*., /, exp,
    # sigma*sqrt(2pi), / : nine operations on top of three inputs
    assert trace.n_inputs == 3
    assert len(trace.nodes) == 3 + 9
    for k in range(3):
        seed = [1.0 if j == k else 0.0 for j in range(3)]
        steps = ad.forward_steps(trace, seed)
        assert len(steps) == len(trace.nodes)
        assert [s.node for s in steps] == trace.nodes


def test_reverse_sweep_steps_cover_every_edge_once():
    trace = ad.record(normal_density, 0.5, 0.0, 1.0)
    edges = sum(len(node.parents) for node in trace.intermediates)
    steps = ad.reverse_steps(trace, [1.0])
    assert len(steps) == edges + 1  # + the seed


@pytest.fixture
def sweep_counter(monkeypatch):
    counts = {"tangent": 0, "adjoint": 0}
    real_tangent, real_adjoint = adlessons.api.tangent_sweep, adlessons.api.adjoint_sweep

    def tangent(*a, **k):
        counts["tangent"] += 1
        return real_tangent(*a, **k)

    def adjoint(*a, **k):
        counts["adjoint"] += 1
        return real_adjoint(*a, **k)

    monkeypatch.setattr(adlessons.api, "tangent_sweep", tangent)
    monkeypatch.setattr(adlessons.api, "adjoint_sweep", adjoint)
    return counts


def test_grad_needs_one_reverse_sweep(sweep_counter):
    g = ad.grad(normal_density, argnums=(0, 1, 2))(0.5, 0.0, 1.0)
    assert sweep_counter == {"tangent": 0, "adjoint": 1}
    assert g == pytest.approx(grad_math(0.5, 0.0, 1.0), rel=REL)


def test_jacfwd_needs_three_forward_sweeps(sweep_counter):
    j = ad.jacfwd(normal_density, argnums=(0, 1, 2))(0.5, 0.0, 1.0)
    assert sweep_counter == {"tangent": 3, "adjoint": 0}
    assert j == pytest.approx(grad_math(0.5, 0.0, 1.0), rel=REL)


def test_jacrev_needs_one_reverse_sweep(sweep_counter):
    ad.jacrev(normal_density, argnums=(0, 1, 2))(0.5, 0.0, 1.0)
    assert sweep_counter == {"tangent": 0, "adjoint": 1}


def test_jvp_is_one_forward_sweep(sweep_counter):
    ad.jvp(normal_density, (0.5, 0.0, 1.0), (1.0, 0.0, 0.0))
    assert sweep_counter == {"tangent": 1, "adjoint": 0}
