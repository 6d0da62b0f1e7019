"""Checkpointing schedules: the counts measured while running against Griewank's published
results, against an independent dynamic programme, and against an exhaustive search; the
gradients against plain reverse mode and against the analytic derivative.

References (outside the code under test):
- Griewank 1992, "Achieving logarithmic growth of temporal and spatial complexity in reverse
  automatic differentiation", and Griewank & Walther 2000, "Algorithm 799: revolve", ACM TOMS
  26(1): with s snapshots and no step advanced more than t times, at most
  beta(s, t) = C(s+t, s) steps can be reversed; for beta(s, r-1) < N <= beta(s, r) the fewest
  forward steps are r*N - C(s+r, s+1) (written out below, not imported from the package).
- The dynamic programme ``fewest_advances`` below: the recurrence "advance m steps, keep
  x_m, reverse the far part with one slot less, then the near part with all slots", minimised
  over m, written here from that description only.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pytest

from adlessons import grad, sin
from adlessons.schedules import (
    Advance, Restore, Reverse, Schedule, Snapshot, binomial, binomial_advances, count_schedule,
    every_kth, max_steps, repetitions_needed, run_schedule, search_schedules, store_all,
)


def griewank_fewest_advances(n: int, s: int) -> int:
    """The published closed form (Griewank 1992; Griewank & Walther 2000), written out here."""
    r = 0
    while math.comb(s + r, s) < n:
        r += 1
    return r * n - math.comb(s + r, s + 1)


@lru_cache(maxsize=None)
def fewest_advances(n: int, s: int) -> int:
    """Dynamic programme: the fewest advances to reverse n steps, x_0 held in one of s slots."""
    if n == 1:
        return 0
    if s == 1:  # only x_0: advance to the last unreversed step each time
        return (n - 1) + fewest_advances(n - 1, 1)
    return min(m + fewest_advances(n - m, s - 1) + fewest_advances(m, s) for m in range(1, n))


def step(x):
    return x - 0.01 * sin(x)


def loop(x, n):
    for _ in range(n):
        x = step(x)
    return x


# --- the published numbers --------------------------------------------------------------------


def test_the_closed_form_agrees_with_the_dynamic_programme():
    for s in range(1, 8):
        for n in range(1, 250):
            assert griewank_fewest_advances(n, s) == fewest_advances(n, s), (n, s)


def test_a_variant_with_c_s_plus_t_over_s_minus_1_is_not_the_minimum():
    """t*N - C(s+t, s-1) (a form that circulates) disagrees with every search: N = 3, s = 1
    needs 3 advances (worked by hand: x0 -> x2, reverse 2; x0 -> x1, reverse 1; reverse 0),
    the variant says 5; at N = 1 it is even negative."""
    def variant(n, s):
        t = repetitions_needed(n, s)
        return t * n - math.comb(s + t, s - 1)

    assert variant(3, 1) == 5 and fewest_advances(3, 1) == 3
    assert variant(1, 2) < 0
    assert count_schedule(search_schedules(3, 1)).advances == 3


def test_binomial_numbers():
    # beta(s, t) = C(s+t, s): beta(1, t) = t + 1 (one snapshot: x0 only), beta(s, 1) = s + 1
    assert [max_steps(1, t) for t in range(5)] == [1, 2, 3, 4, 5]
    assert [max_steps(s, 1) for s in range(1, 6)] == [2, 3, 4, 5, 6]
    assert max_steps(10, 7) == math.comb(17, 10) == 19448
    assert repetitions_needed(10_000, 10) == 7  # C(16, 10) = 8008 < 10000 <= 19448
    assert binomial_advances(10_000, 10) == 7 * 10_000 - math.comb(17, 11)


@pytest.mark.parametrize("s", range(1, 11))
def test_binomial_schedule_counts_equal_the_published_minimum(s):
    for n in list(range(1, 130)) + [200, 500, 1000]:
        run = count_schedule(binomial(n, s))
        assert run.advances == griewank_fewest_advances(n, s), (n, s)
        assert run.taped == n and run.longest_tape == 1
        assert run.peak_snapshots <= s
        assert run.max_repetitions == repetitions_needed(n, s)


@pytest.mark.parametrize("s,t", [(s, t) for s in range(1, 7) for t in range(1, 6)])
def test_binomial_reverses_c_s_plus_t_steps_with_t_repetitions(s, t):
    """Griewank's bound on a table of (s, t): at N = C(s+t, s) no step is advanced more than
    t times; one step more and some step must be advanced t + 1 times."""
    n = math.comb(s + t, s)
    assert count_schedule(binomial(n, s)).max_repetitions == t
    assert count_schedule(binomial(n + 1, s)).max_repetitions == t + 1


@pytest.mark.parametrize("s,t", [(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (3, 1), (4, 1)])
def test_the_bound_is_tight_by_exhaustive_search(s, t):
    n = math.comb(s + t, s)
    found = search_schedules(n, s, max_repetitions=t)
    assert found is not None and count_schedule(found).max_repetitions <= t
    assert search_schedules(n + 1, s, max_repetitions=t) is None


def test_exhaustive_search_agrees_with_the_binomial_schedule():
    for n in range(1, 10):
        for s in range(1, 5):
            best = count_schedule(search_schedules(n, s))
            assert best.advances == count_schedule(binomial(n, s)).advances == fewest_advances(n, s)
            assert best.peak_snapshots <= s


def test_exhaustive_search_on_cases_worked_by_hand():
    # n = 2, s = 1: x0 -> x1 (1 advance), reverse 1, restore x0, reverse 0.
    assert count_schedule(search_schedules(2, 1)).advances == 1
    # n = 4, s = 2: x0 -> x2, keep x2, x2 -> x3, reverse 3, restore x2, reverse 2,
    # restore x0, x0 -> x1, reverse 1, restore x0, reverse 0: 2 + 1 + 1 = 4 advances.
    assert count_schedule(search_schedules(4, 2)).advances == 4
    assert count_schedule(search_schedules(1, 1)).advances == 0


# --- the executor -----------------------------------------------------------------------------


def test_a_small_schedule_step_by_step():
    schedule = binomial(3, 1)
    assert [str(a) for a in schedule] == [
        "snapshot x0 into slot 0", "advance x0 → x2", "reverse step 2", "restore x0 from slot 0",
        "advance x0 → x1", "reverse step 1", "restore x0 from slot 0", "reverse step 0",
    ]
    run = count_schedule(schedule)
    assert run.repetitions == (2, 1, 0)  # step 0 advanced twice, step 1 once, step 2 never
    assert schedule.actions == list(schedule)  # a schedule can be walked again


def test_every_kth_and_store_all_counts():
    run = count_schedule(every_kth(10_000))  # k = 100
    assert run.peak_snapshots == 99 and run.longest_tape == 100
    assert run.advances == 10_000 - 100  # every step once, except the last stretch's
    assert run.max_repetitions == 1
    run = count_schedule(store_all(50))
    assert (run.advances, run.peak_snapshots, run.longest_tape) == (0, 0, 50)
    assert count_schedule(every_kth(10, 4)).longest_tape == 4  # stretches 4, 4, 2


@pytest.mark.parametrize("schedule", [store_all(60), every_kth(60), every_kth(60, 7), binomial(60, 1),
                                      binomial(60, 3), binomial(60, 100), search_schedules(8, 2)],
                         ids=str)
def test_gradients_equal_plain_reverse_mode_exactly(schedule):
    n = schedule.steps
    plain = grad(loop)(1.0, n)
    run = run_schedule(schedule, step, 1.0)
    assert run.gradient == plain  # the same operations in the same order
    assert run.value == loop(1.0, n)
    # the analytic derivative: d x_N / d x_0 = prod (1 - 0.01 cos x_i)
    x, product = 1.0, 1.0
    for _ in range(n):
        product *= 1 - 0.01 * math.cos(x)
        x = x - 0.01 * math.sin(x)
    assert run.gradient == pytest.approx(product, rel=1e-13)


def test_values_held_count_snapshots_and_tape_nodes():
    # a step of the damping loop records 3 nodes (mul, sin, sub) on top of its input
    assert run_schedule(store_all(100), step, 1.0).peak_values == 1 + 3 * 100
    assert run_schedule(every_kth(100, 10), step, 1.0).peak_values == 9 + (1 + 3 * 10)
    assert run_schedule(binomial(100, 3), step, 1.0).peak_values == 3 + (1 + 3)
    assert count_schedule(store_all(50)).peak_values == 50  # a dry run counts one per step


def test_counts_measured_on_a_real_step_equal_the_dry_run():
    calls = []

    def counted(x):
        calls.append(1)
        return step(x)

    run = run_schedule(binomial(40, 3), counted, 0.5)
    assert len(calls) == run.advances + run.taped  # every call of step is counted once
    assert run.advances == count_schedule(binomial(40, 3)).advances


def test_a_hand_written_vjp():
    """The executor works with any vjp(f, x) -> (f(x), pullback): here one that knows the
    derivative of n steps of x -> 2x is 2^n."""
    def doubling_vjp(f, x):
        y = f(x)
        return y, lambda ybar: (ybar * (y / x),)

    run = run_schedule(binomial(10, 2), lambda x: 2.0 * x, 1.0, vjp=doubling_vjp)
    assert run.value == 1024.0 and run.gradient == 1024.0


# --- bad input --------------------------------------------------------------------------------


def test_bad_builders_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"binomial: needs at least 1 snapshot slot \(it holds x0\), got 0"):
        binomial(10, 0)
    with pytest.raises(ValueError, match="binomial: the loop needs at least 1 step, got 0"):
        binomial(0, 3)
    with pytest.raises(ValueError, match="every_kth: the loop needs at least 1 step, got -2"):
        every_kth(-2)
    with pytest.raises(TypeError, match=r"store_all: steps must be a whole number, got 2.5 \(float\)"):
        store_all(2.5)
    with pytest.raises(TypeError, match=r"binomial: snapshots must be a whole number, got True"):
        binomial(5, True)
    with pytest.raises(ValueError, match=r"every_kth: k \(the stretch length\) must be at most 10, got 11"):
        every_kth(10, 11)
    with pytest.raises(ValueError, match="search_schedules: needs at least 1 snapshot"):
        search_schedules(4, 0)


def test_run_schedule_refuses_a_non_function_and_a_non_schedule():
    with pytest.raises(TypeError, match=r"run_schedule: step must be a function state -> state, got 3 \(int\)"):
        run_schedule(binomial(3, 1), 3, 1.0)
    with pytest.raises(TypeError, match=r"run_schedule: expected a Schedule .*got \[1, 2\]"):
        run_schedule([1, 2], step, 1.0)


def _schedule(actions, steps=3, snapshots=2):
    return Schedule("hand-made", steps, snapshots, lambda: actions)


@pytest.mark.parametrize("actions,message", [
    ([Restore(0, 0)], r"action 0 of hand-made \(restore x0 from slot 0\): slot 0 holds nothing"),
    ([Snapshot(0, 0), Advance(0, 2), Restore(0, 1)], r"action 2 .*: slot 0 holds x0"),
    ([Advance(0, 1), Reverse(0, 3)], r"action 1 .*: the current state is x1"),
    ([Advance(0, 2), Reverse(2, 3), Reverse(1, 2)],
     r"action 2 .*: the current state was used up by a reverse; restore one first"),
    ([Advance(0, 1), Reverse(1, 2)], r"action 1 .*: the next steps to reverse end at step 2"),
    ([Advance(0, 5)], r"action 0 .*: a loop of 3 steps has states x0 .. x3"),
    ([Snapshot(-1, 0)], r"a slot is a whole number"),
    (["advance"], r"action 0 of hand-made is 'advance', not Advance, Snapshot, Restore or Reverse"),
    ([Advance(0, 2), Reverse(2, 3)], r"hand-made ended with steps 0 .. 1 not reversed"),
])
def test_a_broken_schedule_is_refused_at_the_action_that_breaks(actions, message):
    with pytest.raises((ValueError, TypeError), match=message):
        run_schedule(_schedule(actions), step, 1.0)


# --- the picture --------------------------------------------------------------------------------


def test_the_time_step_diagram_of_a_small_schedule():
    """binomial(3, 1) worked by hand: keep x0; advance 0->2 (times 0-2); tape step 2 (2-3) and
    sweep back (3-4); jump back to x0; advance 0->1 (4-5); tape and sweep step 1 (5-7); jump
    back; tape and sweep step 0 (7-9). x0's snapshot is kept from time 0 to 9."""
    from adlessons.viz.checkpoints import schedule_figure

    lines = {t.name: (list(t.x), list(t.y)) for t in schedule_figure(binomial(3, 1)).data}
    assert lines["advance (no tape)"] == ([0, 2, None, 0, 1, None], [0, 2, None, 4, 5, None])
    assert lines["tape a stretch"] == ([2, 3, None, 1, 2, None, 0, 1, None],
                                       [2, 3, None, 5, 6, None, 7, 8, None])
    assert lines["sweep back (reverse)"] == ([3, 2, None, 2, 1, None, 1, 0, None],
                                             [3, 4, None, 6, 7, None, 8, 9, None])
    assert lines["restore"] == ([2, 0, None, 1, 0, None], [4, 4, None, 7, 7, None])
    assert lines["snapshot kept"] == ([0, 0, None], [0, 9, None])
    assert lines["snapshot taken"] == ([0], [0])


def test_the_tradeoff_figure_plots_what_the_runs_counted():
    from adlessons.viz.checkpoints import tradeoff_figure

    runs = [count_schedule(binomial(100, s)) for s in (2, 5)]
    trace, = tradeoff_figure({"binomial": runs}, 100).data
    assert list(trace.x) == [r.peak_values for r in runs] and list(trace.y) == [r.advances for r in runs]
