"""Checks for Lesson 8 (memory): ``check_snapshots_needed``, ``check_hand_schedule`` and
``check_binomial_schedule``. Each runs your answer, or schedules built from it, and measures."""

from __future__ import annotations

import math
import numbers
from typing import Callable

from adlessons import cos, grad
from adlessons.schedules import (
    ACTIONS, Reverse, Schedule, binomial, binomial_advances, count_schedule, max_steps,
    run_schedule,
)

from . import NotYet, call, correct, exercise_check, name_of

__all__ = ["check_snapshots_needed", "check_hand_schedule", "check_binomial_schedule"]


# --- exercise 1: how many snapshots? ------------------------------------------------------------

# (steps, repetitions): boundaries (N = C(s+t, s) exactly) and points in between.
_SNAPSHOT_CASES = ((2, 1), (10, 1), (6, 2), (3, 2), (100, 3), (1000, 5), (5, 10), (10_000, 7))


def _fits(steps: int, snapshots: int, repetitions: int) -> bool:
    """Measured: does the binomial schedule with these snapshots keep every step's advances
    within ``repetitions``?"""
    return count_schedule(binomial(steps, snapshots)).max_repetitions <= repetitions


@exercise_check
def check_snapshots_needed(snapshots_needed: Callable):
    """``snapshots_needed(steps, repetitions)`` must return the fewest snapshot slots with which
    a loop of ``steps`` steps can be reversed without advancing any step more than
    ``repetitions`` times. Each answer is tried: the binomial schedule with your number of
    snapshots is run and its repetitions counted, and so is the one with one snapshot fewer."""
    for steps, t in _SNAPSHOT_CASES:
        shown = f"N = {steps:,} steps and t = {t} repetition{'s' * (t != 1)}"
        got = call(snapshots_needed, steps, t, on=shown)
        if not isinstance(got, numbers.Integral) or isinstance(got, bool) or got < 1:
            raise NotYet(f"for {shown}, {name_of(snapshots_needed)} returned {got!r}: it should "
                         f"return a whole number of snapshots, at least 1 (x0 needs one).")
        if max_steps(got, t) < steps:  # Griewank's bound: no schedule at all fits
            raise NotYet(f"for {shown}, {got} snapshot{'s are' if got != 1 else ' is'} too few: "
                         f"whatever the schedule, some step must then run forward more than "
                         f"{_times(t)}.")
        if not _fits(steps, int(got), t):
            raise NotYet(f"for {shown}, the schedule with your {got} snapshots advances a step more "
                         f"than {_times(t)}.")
        if got > 1 and max_steps(got - 1, t) >= steps and _fits(steps, int(got) - 1, t):
            raise NotYet(f"for {shown}, {got} snapshots work, but {got - 1} already "
                         f"suffice{'s' * (got == 2)}: no step then runs forward more than "
                         f"{_times(t)} (measured). Is your count off by one where C(s+t, s) "
                         f"equals N exactly?")
    return correct("the fewest snapshots for eight loops and repetition limits, each tried by "
                   "running the binomial schedule.")


def _times(t: int) -> str:
    return {1: "once", 2: "twice"}.get(t, f"{t} times")


# --- exercise 2: a schedule by hand ------------------------------------------------------------

_HAND_STEPS, _HAND_SLOTS, _HAND_ADVANCES = 6, 2, 8


def _hidden_step(x):
    """The step function the check runs your schedule on (you do not need it)."""
    return x * cos(0.3 * x) + 0.1


def _hidden_loop(x):
    for _ in range(_HAND_STEPS):
        x = _hidden_step(x)
    return x


def _actions_of(answer, on: str, *args) -> list:
    """The learner's list of actions, checked for what it is made of."""
    actions = call(answer, *args, on=on)
    if actions is None or isinstance(actions, (str, bytes)) or not hasattr(actions, "__iter__"):
        raise NotYet(f"{name_of(answer)} returned {actions!r}: it should return a list of actions "
                     f"(Advance, Snapshot, Restore, Reverse from adlessons.schedules).")
    actions = list(actions)
    for k, action in enumerate(actions):
        if type(action) not in ACTIONS:
            raise NotYet(f"action {k} of {name_of(answer)} is {action!r}: a schedule is made of "
                         f"Advance, Snapshot, Restore and Reverse.")
    return actions


def _run(actions: list, steps: int, slots: int, step=None, x0=0.7):
    """Run the learner's actions on a loop; a broken schedule becomes a NotYet naming the action."""
    schedule = Schedule("your schedule", steps, slots, lambda: actions)
    try:
        if step is None:
            return count_schedule(schedule)
        return run_schedule(schedule, step, x0)
    except (ValueError, TypeError) as broken:
        raise NotYet(str(broken).replace("run_schedule: ", "")) from None


def _slots_and_reversals(actions: list, slots: int, on: str) -> None:
    used = sorted({a.slot for a in actions if hasattr(a, "slot")})
    if any(s >= slots for s in used if isinstance(s, int)):
        raise NotYet(f"{on}: your schedule uses slot {used[-1]}, but only slots 0 .. {slots - 1} "
                     f"exist ({slots} snapshots).")
    wide = [a for a in actions if type(a) is Reverse and a.stop - a.start != 1]
    if wide:
        raise NotYet(f"{on}: {wide[0]} tapes {wide[0].stop - wide[0].start} steps at once; here "
                     f"each step is reversed on its own (a tape of several steps holds more than "
                     f"a snapshot).")


@exercise_check
def check_hand_schedule(hand_schedule: Callable):
    """``hand_schedule()`` must return the actions that reverse a loop of 6 steps with 2 snapshot
    slots (slot 0 and slot 1), one step at a time, advancing only 8 steps in all. The check runs
    your actions on a step function you do not see and compares the gradient with ``grad``."""
    on = "6 steps, 2 slots"
    actions = _actions_of(hand_schedule, on)
    _slots_and_reversals(actions, _HAND_SLOTS, on)
    run = _run(actions, _HAND_STEPS, _HAND_SLOTS, step=_hidden_step)
    if not math.isclose(run.gradient, grad(_hidden_loop)(0.7), rel_tol=1e-12):
        raise NotYet("your schedule runs, but its gradient is not the loop's: is every step "
                     "reversed from its own input state?")
    if run.advances > _HAND_ADVANCES:
        raise NotYet(f"your schedule is right and advances {run.advances} steps; 8 are enough "
                     f"with two slots. Where does the second snapshot pay off most?")
    return correct(f"a valid schedule with {run.peak_snapshots} slots and {run.advances} advances, "
                   f"the fewest possible (Griewank's r·N - C(s+r, s+1) = 2·6 - C(4, 3) = 8).")


# --- exercise 3: the binomial schedule, in your own code ----------------------------------------

_BINOMIAL_CASES = ((7, 2), (10, 3), (20, 3), (35, 4), (50, 2), (2, 3), (1, 1), (64, 5))


@exercise_check
def check_binomial_schedule(binomial_schedule: Callable):
    """``binomial_schedule(steps, snapshots)`` must return the actions of a schedule that
    reverses ``steps`` steps one at a time with at most ``snapshots`` slots and the fewest
    advances. It is run for loops you do not see and its advances are counted."""
    for steps, slots in _BINOMIAL_CASES:
        on = f"N = {steps} steps with s = {slots} snapshots"
        actions = _actions_of(binomial_schedule, on, steps, slots)
        _slots_and_reversals(actions, slots, on)
        run = _run(actions, steps, slots)
        fewest = binomial_advances(steps, slots)
        if run.advances > fewest:
            raise NotYet(f"{on}: your schedule is valid and advances {run.advances} steps, but "
                         f"{fewest} are enough (Griewank's minimum). Where does the next snapshot "
                         f"go? Split so that each part needs as few repetitions as possible.")
    return correct("valid, within the snapshots, and as few advances as Griewank's minimum, for "
                   "eight loops you did not see.")
