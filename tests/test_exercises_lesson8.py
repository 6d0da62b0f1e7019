"""Lesson 8's exercise checks accept the notebook's worked solutions and refuse typical wrong
answers with a message that helps; a stub gets a "Not yet", not a traceback.

The worked solutions are taken from notebooks/08_memory.ipynb itself (its import cell and the
cells tagged ``solution``), so the tests check what learners read; they are written there
independently of the package's own ``binomial``, from Griewank's C(s+t, s)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import pathlib

from adlessons.exercises import lesson8
from adlessons.schedules import Advance, Restore, Reverse, Snapshot, every_kth

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "08_memory.ipynb"


def _code_cells() -> list[dict]:
    return [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def _worked_solutions() -> dict:
    """The names defined by the notebook's import cell and its solution cells (the calls of the
    checks left out: the tests make them)."""
    code = _code_cells()
    program = ["".join(code[0]["source"])]
    for cell in code:
        if "solution" in cell["metadata"].get("tags", []):
            program.append("\n".join(line for line in "".join(cell["source"]).splitlines()
                                     if not line.startswith("lesson8.check_")))
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):  # solutions print what they show the learner
        exec(compile("\n\n".join(program), "08_memory[solutions]", "exec"), namespace)
    return namespace


SOLUTIONS = _worked_solutions()
snapshots_needed, hand_schedule, binomial_schedule = (
    SOLUTIONS[name] for name in ("snapshots_needed", "hand_schedule", "binomial_schedule"))


def stub(*args):
    raise NotImplementedError


# --- exercise 1 ---------------------------------------------------------------------------------


def test_snapshots_needed():
    assert lesson8.check_snapshots_needed(snapshots_needed).ok


def test_snapshots_needed_off_by_one_at_the_boundary():
    def strict(steps, repetitions):  # C(s+t, s) > N instead of >= N
        s = 1
        while math.comb(s + repetitions, s) <= steps:
            s += 1
        return s

    verdict = lesson8.check_snapshots_needed(strict)
    assert not verdict.ok
    assert ("for N = 2 steps and t = 1 repetition, 2 snapshots work, but 1 already suffices: no "
            "step then runs forward more than once (measured)") in verdict.message
    assert "off by one where C(s+t, s) equals N exactly" in verdict.message


def test_snapshots_needed_too_few():
    verdict = lesson8.check_snapshots_needed(lambda steps, t: max(1, steps // (10 * t)))
    assert not verdict.ok
    assert "too few: whatever the schedule, some step must then run forward more than" in verdict.message


def test_snapshots_needed_not_a_number_and_stub():
    assert "should return a whole number of snapshots" in lesson8.check_snapshots_needed(
        lambda steps, t: None).message
    verdict = lesson8.check_snapshots_needed(stub)
    assert not verdict.ok and "not written yet" in verdict.message


# --- exercise 2 ---------------------------------------------------------------------------------


def test_hand_schedule():
    verdict = lesson8.check_hand_schedule(hand_schedule)
    assert verdict.ok and "2·6 - C(4, 3) = 8" in verdict.message


def test_hand_schedule_with_too_many_advances():
    def naive():  # x0 only: advance from x0 to every step in turn (15 advances)
        actions = [Snapshot(0, 0)]
        for last in range(5, 0, -1):
            actions += [Advance(0, last), Reverse(last, last + 1), Restore(0, 0)]
        return actions + [Reverse(0, 1)]

    verdict = lesson8.check_hand_schedule(naive)
    assert not verdict.ok
    assert "your schedule is right and advances 15 steps; 8 are enough" in verdict.message


def test_hand_schedule_broken_restore_third_slot_and_tape():
    broken = hand_schedule()
    broken[5] = Restore(1, 2)  # slot 1 holds x3
    verdict = lesson8.check_hand_schedule(lambda: broken)
    assert not verdict.ok and "action 5 of your schedule (restore x2 from slot 1): slot 1 holds x3" in verdict.message
    third = [Snapshot(2, 0)] + hand_schedule()[1:]
    assert "uses slot 2, but only slots 0 .. 1 exist" in lesson8.check_hand_schedule(lambda: third).message
    wide = lambda: [Reverse(0, 6)]  # noqa: E731
    assert "tapes 6 steps at once" in lesson8.check_hand_schedule(wide).message


def test_hand_schedule_wrong_things_and_stub():
    assert "should return a list of actions" in lesson8.check_hand_schedule(lambda: None).message
    assert "a schedule is made of Advance" in lesson8.check_hand_schedule(lambda: ["advance"]).message
    unfinished = lambda: hand_schedule()[:-1]  # noqa: E731
    assert "ended with steps 0 .. 0 not reversed" in lesson8.check_hand_schedule(unfinished).message
    assert "not written yet" in lesson8.check_hand_schedule(stub).message


# --- exercise 3 ---------------------------------------------------------------------------------


def test_binomial_schedule():
    assert lesson8.check_binomial_schedule(binomial_schedule).ok


def test_binomial_schedule_with_the_split_in_the_middle():
    def halves(steps, snapshots):  # bisection: valid, but not the fewest advances
        def reverse(start, stop, slot, slots):
            while stop - start > 1:
                if slots == 1:
                    yield Advance(start, stop - 1)
                    yield Reverse(stop - 1, stop)
                    stop -= 1
                else:
                    middle = (start + stop) // 2
                    yield Advance(start, middle)
                    yield Snapshot(slot + 1, middle)
                    yield from reverse(middle, stop, slot + 1, slots - 1)
                    stop = middle
                yield Restore(slot, start)
            yield Reverse(start, start + 1)

        return [Reverse(0, 1)] if steps == 1 else [Snapshot(0, 0), *reverse(0, steps, 0, snapshots)]

    verdict = lesson8.check_binomial_schedule(halves)
    assert not verdict.ok
    assert "your schedule is valid and advances" in verdict.message
    assert "are enough (Griewank's minimum)" in verdict.message


def test_binomial_schedule_with_every_kth_and_stub():
    verdict = lesson8.check_binomial_schedule(lambda steps, s: list(every_kth(steps)))
    assert not verdict.ok  # tapes stretches of k steps, and more slots than allowed
    assert "but only slots 0 .." in verdict.message or "tapes" in verdict.message
    assert "not written yet" in lesson8.check_binomial_schedule(stub).message


# --- the notebook's own cells -------------------------------------------------------------------


def test_the_notebooks_worked_solutions_pass_and_the_layout_is_the_courses():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"] == {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    stubs, solutions = [], []
    for cell in _code_cells():
        tags, source = cell["metadata"].get("tags", []), "".join(cell["source"])
        if tags == ["exercise"]:
            stubs.append(cell)
            assert "raise NotImplementedError" in source and "lesson8.check_" in source
        elif "solution" in tags:
            assert tags == ["solution", "hide-input"] and cell["metadata"]["jupyter"]["source_hidden"]
            solutions.append(cell)
            stored = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
            assert "Correct:" in stored  # the stored verdict of the worked solution
        elif "check" in tags:
            assert tags == ["check", "remove-cell"] and cell["metadata"]["jupyter"]["source_hidden"]
            assert source.startswith("# check:")
    assert len(stubs) == len(solutions) == 3
    assert lesson8.check_snapshots_needed(SOLUTIONS["snapshots_needed"]).ok
    assert lesson8.check_hand_schedule(SOLUTIONS["hand_schedule"]).ok
    assert lesson8.check_binomial_schedule(SOLUTIONS["binomial_schedule"]).ok
    for cell in stubs:  # the stored output of a stub is a "Not yet", not a traceback
        stored = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
        assert stored.startswith("Not yet:") and "not written yet" in stored
