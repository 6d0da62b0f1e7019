"""Checkpointing schedules for reversing a loop, as data: what to store, what to recompute.

A loop of N steps, x_{i+1} = step(x_i) for i = 0 .. N-1, is differentiated backwards: the
adjoint x̄_N is pulled back through step N-1, then N-2, ... to x̄_0. Reversing step i needs
its input x_i, so the states must be kept, or recomputed from an earlier state that was kept.
A *schedule* says, in order, what to do; it is a list of four kinds of action:

- ``Advance(a, b)``: run steps a .. b-1 on plain values (nothing taped): x_a -> x_b;
- ``Snapshot(slot, i)``: keep a copy of the current state x_i in a slot;
- ``Restore(slot, i)``: continue from the copy of x_i kept in that slot;
- ``Reverse(a, b)``: tape steps a .. b-1 from the current state x_a and sweep back through
  them: x̄_b -> x̄_a. The tape lives only for this one action.

Three schedules: ``store_all`` (tape everything, the plain reverse mode), ``every_kth``
(keep every k-th state, k ≈ √N, re-tape one stretch at a time: Chen et al. 2016) and
``binomial`` (Griewank's optimal schedule for a given number of snapshots, the one that
Griewank & Walther's *revolve* carries out: Griewank 1992; Griewank & Walther 2000).
``run_schedule`` carries a schedule out on a real step function and COUNTS while it runs;
``search_schedules`` finds the cheapest schedule by trying them all, for small loops.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from .errors import describe_value
from .memory import release
from .reverse import adjoint_sweep
from .tracing import Trace

__all__ = [
    "Advance", "Snapshot", "Restore", "Reverse", "Schedule", "ScheduleRun",
    "store_all", "every_kth", "binomial", "run_schedule", "count_schedule", "taped_vjp",
    "search_schedules", "max_steps", "repetitions_needed", "binomial_advances",
]


# --- the four actions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Advance:
    """Run steps ``start`` .. ``stop``-1 on plain values, taping nothing: x_start -> x_stop."""

    start: int
    stop: int

    def __str__(self) -> str:
        return f"advance x{self.start} → x{self.stop}"


@dataclass(frozen=True)
class Snapshot:
    """Keep a copy of the current state x_position in ``slot`` (overwriting what it held)."""

    slot: int
    position: int

    def __str__(self) -> str:
        return f"snapshot x{self.position} into slot {self.slot}"


@dataclass(frozen=True)
class Restore:
    """Make the copy of x_position kept in ``slot`` the current state again."""

    slot: int
    position: int

    def __str__(self) -> str:
        return f"restore x{self.position} from slot {self.slot}"


@dataclass(frozen=True)
class Reverse:
    """Tape steps ``start`` .. ``stop``-1 from the current state and sweep back: x̄_stop -> x̄_start."""

    start: int
    stop: int

    def __str__(self) -> str:
        if self.stop == self.start + 1:
            return f"reverse step {self.start}"
        return f"reverse steps {self.start}..{self.stop - 1}"


ACTIONS = (Advance, Snapshot, Restore, Reverse)


class Schedule:
    """A named list of actions that reverses a loop of ``steps`` steps using at most
    ``snapshots`` slots. Iterating it yields the actions one at a time (they are made as they
    are needed, so a long schedule costs no memory until you ask for ``.actions``)."""

    def __init__(self, name: str, steps: int, snapshots: int, make: Callable[[], Iterable]):
        self.name = name
        self.steps = steps
        self.snapshots = snapshots
        self._make = make

    def __iter__(self) -> Iterator:
        return iter(self._make())

    @property
    def actions(self) -> list:
        """All actions, as a list."""
        return list(self)

    def __repr__(self) -> str:
        return f"<Schedule {self.name}: {self.steps} steps, {self.snapshots} snapshot slots>"


# --- three schedules --------------------------------------------------------------------------


def store_all(steps: int) -> Schedule:
    """Plain reverse mode: tape all steps in one go and sweep back through the whole tape."""
    _check_steps("store_all", steps)
    return Schedule(f"store_all({steps})", steps, 0, lambda: [Reverse(0, steps)])


def every_kth(steps: int, k: int | None = None) -> Schedule:
    """Keep every k-th state (k = round(√steps) unless given) on a first pass; then re-tape one
    stretch of k steps at a time, from the last stretch back to the first (Chen et al. 2016)."""
    _check_steps("every_kth", steps)
    if k is None:
        k = max(1, round(math.sqrt(steps)))
    _check_count("every_kth", "k (the stretch length)", k, low=1, high=steps)
    starts = list(range(0, steps, k))

    def actions():
        for slot, start in enumerate(starts[:-1]):  # the first pass, keeping each stretch's start
            yield Snapshot(slot, start)
            yield Advance(start, start + k)
        yield Reverse(starts[-1], steps)  # the last stretch is taped straight away
        for slot in range(len(starts) - 2, -1, -1):
            yield Restore(slot, starts[slot])
            yield Reverse(starts[slot], starts[slot] + k)

    return Schedule(f"every_kth({steps}, k={k})", steps, len(starts) - 1, actions)


def binomial(steps: int, snapshots: int) -> Schedule:
    """Griewank's binomial schedule: the fewest forward steps for reversing ``steps`` steps one
    at a time with ``snapshots`` slots (one of which holds x_0)."""
    _check_steps("binomial", steps)
    _check_count("binomial", "snapshots", snapshots, low=1)

    def actions():
        if steps == 1:
            yield Reverse(0, 1)
            return
        yield Snapshot(0, 0)
        yield from _binomial_range(0, steps, slot=0, slots=snapshots)

    return Schedule(f"binomial({steps}, s={snapshots})", steps, snapshots, actions)


def _binomial_range(start: int, stop: int, slot: int, slots: int) -> Iterator:
    """Reverse steps start .. stop-1. x_start is current and kept in ``slot``; ``slots`` counts
    it and the free slots after it. Split at m, reverse the far part with one slot less,
    then the near part with the same slots: each split is Griewank's optimal one."""
    while stop - start > 1:
        if slots == 1:  # no free slot: run up to the last step, reverse it, start again
            yield Advance(start, stop - 1)
            yield Reverse(stop - 1, stop)
            stop -= 1
        else:
            middle = start + _binomial_split(stop - start, slots)
            yield Advance(start, middle)
            if stop - middle > 1:  # a far part of one step is reversed at once: no copy needed
                yield Snapshot(slot + 1, middle)
            yield from _binomial_range(middle, stop, slot + 1, slots - 1)
            stop = middle
        yield Restore(slot, start)
    yield Reverse(start, start + 1)


def _binomial_split(length: int, slots: int) -> int:
    """Where to put the next snapshot: the near part (length m) must be reversible with one
    repetition fewer than the whole, m <= β(s, r-1), and the far part with one slot fewer,
    length - m >= β(s-1, r-1). The largest such m is optimal (checked against an exhaustive
    search in tests/test_schedules.py)."""
    r = repetitions_needed(length, slots)
    return min(max_steps(slots, r - 1), length - max_steps(slots - 1, r - 1))


# --- the binomial numbers --------------------------------------------------------------------


def max_steps(snapshots: int, repetitions: int) -> int:
    """β(s, t) = C(s+t, s): the most steps that s snapshots can reverse when no step may be run
    forward more than t times (Griewank 1992; Griewank & Walther 2000)."""
    if snapshots < 0 or repetitions < 0:
        return 0
    return math.comb(snapshots + repetitions, snapshots)


def repetitions_needed(steps: int, snapshots: int) -> int:
    """The smallest t with β(s, t) >= steps: how often the busiest step must be run forward."""
    t = 0
    while max_steps(snapshots, t) < steps:
        t += 1
    return t


def binomial_advances(steps: int, snapshots: int) -> int:
    """The fewest forward steps (advances, not counting each step's taped run when it is
    reversed) that reverse ``steps`` steps with ``snapshots`` slots: r·N - C(s+r, s+1), where r
    is ``repetitions_needed(N, s)`` (Griewank 1992; Griewank & Walther 2000)."""
    r = repetitions_needed(steps, snapshots)
    return r * steps - math.comb(snapshots + r, snapshots + 1)


# --- carrying a schedule out -----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRun:
    """What running a schedule gave and what it cost, counted while it ran.

    ``advances``: steps run forward without taping (the recomputation); ``taped``: steps run
    forward on a tape (each step once, when it is reversed); ``peak_snapshots``: the most
    slots in use at once; ``longest_tape``: the most steps on one tape; ``peak_values``: the
    most values held at once, snapshots plus the nodes of the tape being swept (a snapshot
    holds one state, a node one value; a pullback that does not say how many nodes its tape
    has counts one per step); ``repetitions[i]``: how often step i was advanced (None if not
    counted)."""

    value: object
    gradient: object
    advances: int
    taped: int
    peak_snapshots: int
    longest_tape: int
    peak_values: int
    repetitions: tuple | None

    @property
    def max_repetitions(self) -> int:
        """How often the busiest step was advanced."""
        if self.repetitions is None:
            raise ValueError("max_repetitions: this run did not count repetitions "
                             "(run_schedule(..., count_repetitions=True) does)")
        return max(self.repetitions, default=0)


def run_schedule(schedule: Schedule, step: Callable, x0, seed=None, vjp: Callable | None = None,
                 count_repetitions: bool = True) -> ScheduleRun:
    """Reverse the loop x_{i+1} = step(x_i) from x_0 by following ``schedule``; returns the
    loop's value x_N, the gradient x̄_0 (from x̄_N = ``seed``, 1.0 by default) and the counts.

    ``Reverse`` records a stretch of steps and sweeps back through it with ``vjp(f, x)``,
    which returns ``(f(x), pullback)`` as JAX's and adlessons' ``vjp`` do; the default,
    ``taped_vjp``, frees the tape as soon as it has been swept. A state is a number or an
    array (one input of the tape)."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"run_schedule: expected a Schedule (from store_all, every_kth, binomial "
                        f"...), got {describe_value(schedule)}")
    if not callable(step):
        raise TypeError(f"run_schedule: step must be a function state -> state, got "
                        f"{describe_value(step)} ({type(step).__name__})")
    if vjp is None:
        vjp = taped_vjp
    n = schedule.steps
    state, position = x0, 0  # the current state and which x_i it is (None once consumed)
    slots: dict = {}  # slot -> (position, state)
    frontier = n  # steps frontier .. n-1 are reversed; x̄_frontier is known
    adjoint, value = seed, None
    advances = taped = peak_snapshots = longest_tape = peak_values = 0
    repetitions = array("l", [0]) * n if count_repetitions else None

    for number, action in enumerate(schedule):
        def refuse(problem: str):
            raise ValueError(f"run_schedule: action {number} of {schedule.name} ({action}): {problem}")

        if type(action) is Advance:
            if position != action.start:
                refuse(_where(position))
            if not action.start <= action.stop <= n:
                refuse(f"a loop of {n} steps has states x0 .. x{n}")
            for i in range(action.start, action.stop):
                state = step(state)
                if repetitions is not None:
                    repetitions[i] += 1
            advances += action.stop - action.start
            position = action.stop
        elif type(action) is Snapshot:
            if position != action.position:
                refuse(_where(position))
            if type(action.slot) is not int or action.slot < 0:
                refuse("a slot is a whole number 0, 1, 2, ...")
            slots[action.slot] = (position, state)
            peak_snapshots = max(peak_snapshots, len(slots))
            peak_values = max(peak_values, len(slots))
        elif type(action) is Restore:
            kept = slots.get(action.slot)
            if kept is None:
                refuse(f"slot {action.slot} holds nothing")
            if kept[0] != action.position:
                refuse(f"slot {action.slot} holds x{kept[0]}")
            position, state = kept
        elif type(action) is Reverse:
            if position != action.start:
                refuse(_where(position))
            if action.stop != frontier or action.start >= action.stop:
                refuse(f"the next steps to reverse end at step {frontier - 1}" if frontier
                       else "every step is already reversed")
            length = action.stop - action.start
            y, pullback = vjp(_stretch(step, length), state)
            if frontier == n:
                value = y
                if adjoint is None:
                    adjoint = _ones_like(y)
            tape_nodes = getattr(pullback, "tape_nodes", length)
            adjoint = _only(pullback(adjoint))
            del pullback  # the tape of this stretch goes now
            taped += length
            longest_tape = max(longest_tape, length)
            peak_values = max(peak_values, len(slots) + tape_nodes)
            frontier, position, state = action.start, None, None
        else:
            raise TypeError(f"run_schedule: action {number} of {schedule.name} is "
                            f"{describe_value(action)}, not Advance, Snapshot, Restore or Reverse")
    if frontier != 0:
        raise ValueError(f"run_schedule: {schedule.name} ended with steps 0 .. {frontier - 1} "
                         "not reversed")
    return ScheduleRun(value, adjoint, advances, taped, peak_snapshots, longest_tape, peak_values,
                       None if repetitions is None else tuple(repetitions))


def taped_vjp(f: Callable, x):
    """``(f(x), pullback)`` for a state x (a number or an array): f is recorded on a tape of
    its own, and the pullback sweeps back through it once, then frees it (as PyTorch's
    ``backward()`` frees its graph): a schedule holds one stretch's tape at a time."""
    tape = Trace([x], ["x"])
    y = f(tape.nodes[0])
    tape.outputs = [y]
    value = y.value if tape.is_variable(y) else y

    def pullback(cotangent):
        if not tape.nodes:
            raise RuntimeError("taped_vjp: this tape was freed after its sweep; record again")
        adjoint = adjoint_sweep(tape, [cotangent])[0]
        release(tape)
        return (adjoint,)

    pullback.tape_nodes = len(tape.nodes)  # what this tape holds, for run_schedule's count
    return value, pullback


def count_schedule(schedule: Schedule) -> ScheduleRun:
    """Run ``schedule`` on a loop whose state is just its position (step = i -> i + 1), to
    count what it costs without computing anything else."""
    def position_vjp(f, x):
        return f(x), lambda ybar: (ybar,)

    return run_schedule(schedule, _next_position, 0, seed=0.0, vjp=position_vjp)


def _next_position(i: int) -> int:
    return i + 1


def _stretch(step: Callable, length: int) -> Callable:
    """The function x -> step(step(...step(x))) that runs ``length`` steps."""
    def stretch(x):
        for _ in range(length):
            x = step(x)
        return x
    return stretch


def _where(position) -> str:
    return "the current state was used up by a reverse; restore one first" if position is None \
        else f"the current state is x{position}"


def _only(adjoints):
    """The one adjoint of a one-argument pullback (JAX's pullbacks return a tuple)."""
    return adjoints[0] if isinstance(adjoints, tuple) and len(adjoints) == 1 else adjoints


def _ones_like(y):
    """The default seed x̄_N: 1 for a number, ones for an array."""
    shape = getattr(y, "shape", ())
    return np.ones(shape) if shape else 1.0


# --- trying every schedule (small loops only) --------------------------------------------------


def search_schedules(steps: int, snapshots: int, max_repetitions: int | None = None) -> Schedule | None:
    """The schedule with the fewest forward steps among ALL schedules made of one-step actions
    (advance one step, snapshot, drop a snapshot, restore, reverse one step), found by
    Dijkstra's search over every state a run can be in; None if no schedule keeps every step's
    advances within ``max_repetitions``. Exponential: for loops of a dozen steps or so.

    Two moves are never needed and are left out: advancing past the next step to reverse
    (no schedule can come back from there without a restore) and keeping a snapshot of a
    state whose step is already reversed."""
    _check_steps("search_schedules", steps)
    _check_count("search_schedules", "snapshots", snapshots, low=1)
    if max_repetitions is not None:
        _check_count("search_schedules", "max_repetitions", max_repetitions, low=0)
    # a state: (current position or None, positions kept, steps left to reverse, advances per step)
    start = (0, frozenset(), steps, (0,) * steps if max_repetitions is not None else ())
    cost = {start: 0}
    came_from = {start: None}
    tie = itertools.count()
    queue = [(0, next(tie), start)]
    while queue:
        spent, _, state = heapq.heappop(queue)
        if spent > cost[state]:
            continue
        if state[2] == 0:
            return _schedule_from_path(state, came_from, steps, snapshots, max_repetitions)
        for move, new, price in _moves(state, snapshots, max_repetitions):
            if new not in cost or spent + price < cost[new]:
                cost[new] = spent + price
                came_from[new] = (state, move)
                heapq.heappush(queue, (spent + price, next(tie), new))
    return None


def _moves(state, snapshots: int, cap: int | None):
    """Every move from a state: (move, new state, forward steps it costs)."""
    position, kept, todo, reps = state
    if position is not None and position + 1 < todo and (cap is None or reps[position] < cap):
        new_reps = reps if cap is None else reps[:position] + (reps[position] + 1,) + reps[position + 1:]
        yield ("advance",), (position + 1, kept, todo, new_reps), 1
    if position is not None and position not in kept and len(kept) < snapshots:
        yield ("snapshot",), (position, kept | {position}, todo, reps), 0
    for q in sorted(kept):
        yield ("drop", q), (position, kept - {q}, todo, reps), 0
        if q != position:
            yield ("restore", q), (q, kept, todo, reps), 0
    if position == todo - 1:
        still = frozenset(q for q in kept if q < todo - 1)
        yield ("reverse",), (None, still, todo - 1, reps[: todo - 1]), 0


def _schedule_from_path(end, came_from, steps, snapshots, cap) -> Schedule:
    """Turn the search's path of moves into a Schedule's actions, giving each kept state a slot."""
    moves, state = [], end
    while came_from[state] is not None:
        state, move = came_from[state]
        moves.append(move)
    moves.reverse()
    actions, slot_of, position, todo = [], {}, 0, steps
    for move in moves:
        if move[0] == "advance":
            if actions and type(actions[-1]) is Advance:
                actions[-1] = Advance(actions[-1].start, position + 1)
            else:
                actions.append(Advance(position, position + 1))
            position += 1
        elif move[0] == "snapshot":
            slot = min(set(range(snapshots)) - set(slot_of.values()))
            slot_of[position] = slot
            actions.append(Snapshot(slot, position))
        elif move[0] == "drop":
            del slot_of[move[1]]
        elif move[0] == "restore":
            position = move[1]
            actions.append(Restore(slot_of[position], position))
        else:
            actions.append(Reverse(todo - 1, todo))
            todo -= 1
            slot_of = {q: s for q, s in slot_of.items() if q < todo}
            position = None
    name = f"search_schedules({steps}, s={snapshots}" + ("" if cap is None else f", t={cap}") + ")"
    return Schedule(name, steps, snapshots, lambda: list(actions))


# --- input checks ----------------------------------------------------------------------------


def _check_steps(who: str, steps) -> None:
    _check_count(who, "steps", steps, low=1)


def _check_count(who: str, what: str, value, low: int, high: int | None = None) -> None:
    """Refuse a count that is not a whole number in [low, high], naming the function and value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{who}: {what} must be a whole number, got {describe_value(value)} "
                        f"({type(value).__name__})")
    if value < low:
        need = {"steps": "the loop needs at least 1 step",
                "snapshots": "needs at least 1 snapshot slot (it holds x0)"}.get(what, f"{what} must be at least {low}")
        raise ValueError(f"{who}: {need}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{who}: {what} must be at most {high}, got {value}")
