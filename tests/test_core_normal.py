"""The normal density p(x; mu, sigma): three inputs, one output.

Its value, gradient and Hessian are written out by calculus in the shared table
(tests/function_table.py, entry "normal_density"), and every mode and nesting is checked
against them at the table's points in test_core_api.py.  This file checks what is special to it:
    dp/dx = -(x - mu) / sigma^2 * p    is 0 at x = mu,
and the work: forward mode needs one tangent sweep per input (three), reverse mode one
adjoint sweep for all three.
"""

import pytest

import adlessons as ad
from adlessons.examples import normal_density
from function_table import assert_close, by_name, size_of_numbers, unit

NORMAL = by_name("normal_density")
POINT = (0.5, 0.0, 1.0)


def test_x_equals_mu_gives_zero_slope_in_x_and_mu():
    # analytic: dp/dx = dp/dmu = -(x-mu)/sigma^2 p = 0 at x = mu; dp/dsigma = -p/sigma
    point = (1.3, 1.3, 0.7)
    g = ad.grad(normal_density, argnums=(0, 1, 2))(*point)
    assert g[0] == 0.0 and g[1] == 0.0
    assert g[2] == pytest.approx(-NORMAL.value(*point) / 0.7, rel=1e-13)


@pytest.mark.parametrize("point", NORMAL.points)
def test_forward_and_reverse_agree_beyond_the_reference(point):
    # the two modes multiply the same partials in a different order: they agree to rounding
    g = ad.grad(normal_density, argnums=(0, 1, 2))(*point)
    for k in range(3):
        assert ad.jvp(normal_density, point, unit(3, k))[1] == pytest.approx(g[k], rel=1e-14, abs=1e-300)
    jf = ad.jacfwd(normal_density, argnums=(0, 1, 2))(*point)
    jr = ad.jacrev(normal_density, argnums=(0, 1, 2))(*point)
    assert jf == pytest.approx(jr, rel=1e-14)


# --- counting the work: three forward sweeps against one reverse sweep ----------------------


def test_forward_steps_per_sweep_is_the_number_of_nodes():
    trace = ad.record(normal_density, *POINT)
    # the formula as written in examples.py: x-mu, square, neg, square(sigma), 2*., /, exp,
    # sigma*sqrt(2pi), / : nine operations on top of three inputs
    assert trace.n_inputs == 3
    assert len(trace.nodes) == 3 + 9
    for k in range(3):
        steps = ad.forward_steps(trace, list(unit(3, k)))
        assert len(steps) == len(trace.nodes)
        assert all(s.node is n for s, n in zip(steps, trace.nodes))
        # the last step's tangent is dp/d(input k), written out in the table
        assert_close(steps[-1].tangent, NORMAL.first(*POINT)[k], 1e-13,
                     size_of_numbers(NORMAL, POINT), f"dp/dx{k}")


def test_reverse_sweep_steps_cover_every_edge_once():
    trace = ad.record(normal_density, *POINT)
    # edges counted by hand from the nine operations above: x-mu 2, square 1, neg 1,
    # square(sigma) 1, 2*. 1, / 2, exp 1, sigma*c 1, / 2
    assert sum(len(node.parents) for node in trace.intermediates) == 12
    steps = ad.reverse_steps(trace, [1.0])
    assert len(steps) == 12 + 1  # + the seed


@pytest.mark.parametrize("run, forward, reverse", [
    (lambda: ad.grad(normal_density, argnums=(0, 1, 2))(*POINT), 0, 1),
    (lambda: ad.jacfwd(normal_density, argnums=(0, 1, 2))(*POINT), 3, 0),  # one per input
    (lambda: ad.jacrev(normal_density, argnums=(0, 1, 2))(*POINT), 0, 1),  # one per output
], ids=["grad", "jacfwd", "jacrev"])
def test_sweeps_needed_for_the_gradient(run, forward, reverse):
    with ad.count_sweeps() as sweeps:
        gradient = run()
    assert (sweeps["forward"], sweeps["reverse"]) == (forward, reverse)
    for got, want in zip(gradient, NORMAL.first(*POINT), strict=True):
        assert_close(got, want, 1e-13, size_of_numbers(NORMAL, POINT))


def test_jvp_is_one_forward_sweep():
    with ad.count_sweeps() as sweeps:
        _, tangent = ad.jvp(normal_density, POINT, (1.0, 0.0, 0.0))
    assert (sweeps["forward"], sweeps["reverse"]) == (1, 0)
    assert_close(tangent, NORMAL.first(*POINT)[0], 1e-13, size_of_numbers(NORMAL, POINT))
