"""Checks for Lesson 5 (reverse mode): the reverse mode you build yourself, and the exercises.

Build it yourself: ``check_local_partials``, ``check_topological_order`` and ``check_backward``
test the three pieces of your engine on graphs you do not see (against ``adlessons``' adjoint
sweep, ``adlessons.grad`` and central differences); ``check_training`` checks the line fit you
train with it. Exercises: ``check_sigma_contributions``, ``check_sweeps_for_jacobian`` and
``check_damp_gradient``.

Your engine works on nodes with four attributes, as the lesson's ``ToyVar`` has them: ``value``,
``op`` (``"input"``, ``"const"``, ``"add"``, ``"sub"``, ``"mul"``, ``"div"``, ``"sin"`` or
``"exp"``), ``operands`` (a tuple of nodes) and ``grad`` (0.0 until ``backward`` fills it in).
The checks build their own graphs of such nodes.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np

import adlessons
from adlessons import PRIMITIVES, adjoint_sweep, count_sweeps, exp, jacfwd, jacrev, record, reverse_steps, sin
from adlessons.examples import griewank_walther, normal_density
from adlessons.numeric import central_difference
from adlessons.presentation import label
from adlessons.primitive import is_number

from . import NotYet, call, close, correct, exercise_check, name_of

__all__ = [
    "check_local_partials", "check_topological_order", "check_backward", "check_training",
    "least_squares_loss", "check_sigma_contributions", "check_sweeps_for_jacobian",
    "check_damp_gradient", "CHAIN_STEPS",
]

CHAIN_STEPS = 100_000  # the chain a sweep must handle without recursion


def _two_numbers(result, answer, where: str, what: str) -> tuple[float, float]:
    """The learner's result as two floats, or a NotYet saying what was expected."""
    try:
        first, second = result
        if is_number(first) and is_number(second):
            return float(first), float(second)
    except (TypeError, ValueError):
        pass
    raise NotYet(f"{where} {name_of(answer)} returned {result!r}: it should return two numbers, "
                 f"{what}.")


_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _count(k: int) -> str:
    return _WORDS.get(k, str(k))


def _names(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- the nodes the checks build (the protocol of the lesson's ToyVar) ------------------------

class _Var:
    """A node as the lesson's ToyVar has it: value, op, operands, and the adjoint slot grad."""

    def __init__(self, value, op="input", operands=()):
        self.value, self.op, self.operands = value, op, operands
        self.grad = 0.0

    def __repr__(self) -> str:
        return f"<node {self.op} = {self.value:.4f}>"


class _Logged(_Var):
    """A node whose every change of ``grad`` is written to ``_Logged.log`` as (node, new value)."""

    log: list = []

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value
        _Logged.log.append((self, value))


def _nodes_like(trace, node_type=_Var) -> list:
    """The trace's nodes rebuilt as the check's nodes, in recording order; op is the primitive's
    name ("add", "sin", ...). The test graphs have no constants, so every operand is a node."""
    nodes = []
    for node in trace.nodes:
        if node.is_input:
            nodes.append(node_type(node.value))
        else:
            operands = tuple(nodes[u.pos] for u in node.operands)
            nodes.append(node_type(node.value, node.primitive.name, operands))
    return nodes


# The test graphs, written with adlessons' sin and exp: recorded, they give the reference trace
# (and the check's nodes, rebuilt from it); on floats, central differences.

def _uneven(x):
    """u = sin(x) has one child right below y and one three levels down: breadth-first fails."""
    u = sin(x)
    return u * exp(exp(u))


def _shared(x, w):
    """x * x uses x twice in one node, and w * sin(x) once more: three edges into x."""
    return x * x + w * sin(x)


_CASES = (
    ("Griewank & Walther's example", griewank_walther, (0.8, 1.7)),  # v4 = v1 - v3 has two children
    ("y = u·exp(exp(u)) with u = sin(x)", _uneven, (0.6,)),
    ("y = x·x + w·sin(x)", _shared, (1.3, -0.9)),
)
_OPERAND_WORDS = ("first", "second")


class _Graph:
    """One test graph: adlessons' trace of it (the reference), and the same graph of the check's nodes."""

    def __init__(self, title: str, function: Callable, point: tuple, node_type=_Var):
        self.title, self.function, self.point, self.n_inputs = title, function, point, len(point)
        self.trace = record(function, *point)
        self.nodes = _nodes_like(self.trace, node_type)
        self.y = self.nodes[self.trace.outputs[0].pos]
        self.adjoints = adjoint_sweep(self.trace, [1.0])
        self.steps = [s for s in reverse_steps(self.trace) if not s.is_seed]
        self._position = {id(node): pos for pos, node in enumerate(self.nodes)}

    def position(self, node) -> int:
        return self._position[id(node)]

    def name_at(self, pos: int) -> str:
        """Griewank & Walther's name of the node at ``pos``, as the lesson prints it: v₋₁, v₀, v₄."""
        return label(self.trace.nodes[pos])

    def name(self, node) -> str:
        return self.name_at(self.position(node))

    def children(self, pos: int) -> list[int]:
        """The positions of node ``pos``'s children, once per edge (x * x counts twice)."""
        return [s.child.pos for s in self.steps if s.parent.pos == pos]

    def contributions(self, pos: int) -> list[float]:
        return [s.contribution for s in self.steps if s.parent.pos == pos]


def _chain():
    """y = x · a · a · ... · a with CHAIN_STEPS multiplications; x = 0.5 and a = 1.0."""
    x, a = _Var(0.5), _Var(1.0)
    y = x
    for _ in range(CHAIN_STEPS):
        y = _Var(y.value * a.value, "mul", (y, a))
    return x, a, y


# --- build it yourself, part 1: the local partials --------------------------------------------

_PARTIAL_POINTS = {
    "add": [(0.7, -1.3), (2.5, 0.4)],
    "sub": [(0.7, -1.3), (-2.5, 0.4)],
    "mul": [(0.7, -1.3), (2.5, 0.4)],
    "div": [(0.7, -1.3), (-2.5, 0.4)],
    "sin": [(0.7,), (-2.1,)],
    "exp": [(0.7,), (-1.6,)],
}


def _node_for(op: str, values: tuple) -> _Var:
    """A node ``op`` of fresh inputs with these values, its value from the primitive table."""
    return _Var(PRIMITIVES[op](*values), op, tuple(_Var(v) for v in values))


@exercise_check
def check_local_partials(local_partials: Callable):
    """``local_partials(v)`` must return ∂v/∂u for each operand u of node v, in operand order;
    compared with the package's primitive table at points you do not see."""
    for op, points in _PARTIAL_POINTS.items():
        for values in points:
            node = _node_for(op, values)
            shown = ", ".join(f"{v:g}" for v in values)
            where = f"a '{op}' node with operand value{'s' if len(values) > 1 else ''} {shown}"
            got = call(local_partials, node, on=where)
            try:
                got = [float(g) for g in got]
            except (TypeError, ValueError):
                raise NotYet(f"for {where} {name_of(local_partials)} returned {got!r}: it should "
                             f"return a tuple with one number per operand.") from None
            expected = [PRIMITIVES[op].partials[k](*values, node.value) for k in range(len(values))]
            if len(got) != len(expected):
                raise NotYet(f"for {where} {name_of(local_partials)} returned {len(got)} number(s), "
                             f"but the node has {len(expected)} operand(s): one partial each.")
            if len(got) == 2 and not close(got[0], got[1]) and close(got[0], expected[1]) \
                    and close(got[1], expected[0]):
                raise NotYet(f"for {where} your two partials are in the wrong order: the first is "
                             f"the partial with respect to the first operand.")
            for k, (g, e) in enumerate(zip(got, expected)):
                if not close(g, e):
                    if close(g, -e):
                        raise NotYet(f"for {where} your partial with respect to the "
                                     f"{_OPERAND_WORDS[k]} operand has the wrong sign.")
                    raise NotYet(f"for {where} your partial with respect to the "
                                 f"{_OPERAND_WORDS[k]} operand is wrong.")
    return correct("every local partial of add, sub, mul, div, sin and exp is right, at points you "
                   "did not see.")


# --- build it yourself, part 2: the order of the sweep ----------------------------------------

def _check_order(order, graph: _Graph, answer) -> None:
    """A NotYet if ``order`` is not a topological order of ``graph``'s nodes."""
    on = f"on {graph.title},"
    if order is None or isinstance(order, (str, bytes)):
        raise NotYet(f"{on} {name_of(answer)} returned {order!r}: it should return a list of the "
                     f"nodes y depends on.")
    try:
        order = list(order)
    except TypeError:
        raise NotYet(f"{on} {name_of(answer)} returned {type(order).__name__}, not a list of "
                     f"nodes.") from None
    seen: dict[int, int] = {}
    for node in order:
        if id(node) not in graph._position:
            raise NotYet(f"{on} your order contains {node!r}, which is not a node of y's graph.")
        seen[id(node)] = seen.get(id(node), 0) + 1
    for node in graph.nodes:
        count = seen.get(id(node), 0)
        if count == 0:
            raise NotYet(f"{on} {graph.name(node)} is missing from your order: every node y "
                         f"depends on must be in it.")
        if count > 1:
            raise NotYet(f"{on} {graph.name(node)} appears {count} times in your order: a node "
                         f"reached along several paths is still listed once.")
    where = {id(node): k for k, node in enumerate(order)}
    if all(where[id(u)] > where[id(v)] for v in order for u in v.operands):
        raise NotYet(f"{on} your order runs backwards (y first): list every node after its "
                     f"operands; the backward sweep walks the list in reverse.")
    for v in order:
        for u in v.operands:
            if where[id(u)] > where[id(v)]:
                raise NotYet(f"{on} {graph.name(v)} comes before its operand {graph.name(u)} in "
                             f"your order, so a backward sweep would visit {graph.name(u)} before "
                             f"its child {graph.name(v)} had passed it a contribution.")


@exercise_check
def check_topological_order(topological_order: Callable):
    """``topological_order(y)`` must list every node y depends on once, each after its operands,
    without recursion (it is also run on a chain of CHAIN_STEPS steps)."""
    for title, function, point in _CASES:
        graph = _Graph(title, function, point)
        _check_order(call(topological_order, graph.y, on=title), graph, topological_order)
    chain = f"a chain of {CHAIN_STEPS:,} steps"
    x, a, y = _chain()
    order = call(topological_order, y, on=chain)
    order = list(order) if order is not None else []
    if len(order) != CHAIN_STEPS + 2 or order[-1] is not y or {id(v) for v in order[:2]} != {
            id(x), id(a)}:
        raise NotYet(f"on {chain} your order does not list each of the {CHAIN_STEPS + 2:,} nodes "
                     f"once, the two inputs first and y last.")
    return correct(f"every node once, each after its operands, on three graphs you did not see and "
                   f"on {chain} (no recursion).")


# --- build it yourself, part 3: the backward sweep --------------------------------------------

def _check_not_visited_early(graph: _Graph) -> None:
    """From the log of grad writes: a node that passed a contribution on before receiving all its own.

    A node v has been swept back once an operand u whose only child is v receives a contribution
    (every node with several children in the test graphs has such an operand, or is an input).
    If v's own grad changes after that moment, v was visited too early.
    """
    log = [id(node) for node, value in _Logged.log if value != 0.0]  # zeroing writes do not count
    first_write, last_write, writes = {}, {}, {}
    for t, key in enumerate(log):
        first_write.setdefault(key, t)
        last_write[key] = t
        writes[key] = writes.get(key, 0) + 1
    for pos, v in enumerate(graph.nodes):
        for u in v.operands:
            if graph.children(graph.position(u)) != [pos]:
                continue
            if writes.get(id(u), 0) > 1:
                raise NotYet(f"on {graph.title}, {graph.name(v)} was swept back more than once: "
                             f"{graph.name(u)}, used by {graph.name(v)} alone, received "
                             f"{writes[id(u)]} contributions. Is a node in your order twice?")
            passed = first_write.get(id(u))
            if passed is not None and last_write.get(id(v), -1) > passed:
                raise NotYet(f"on {graph.title}, {graph.name(v)} passed its contribution on to "
                             f"{graph.name(u)} before all of its children had passed theirs to it "
                             f"(its grad changed again afterwards): the sweep must visit a node "
                             f"only after all of its children.")


def _contributions_summed(got: float, parts: list[float]) -> int:
    """How many of a node's contributions its grad holds, if it holds only some of them (else 0)."""
    for size in range(1, len(parts)):
        for subset in itertools.combinations(parts, size):
            if close(got, sum(subset)):
                return size
    return 0


def _check_adjoints(graph: _Graph) -> None:
    """The first node, from y backwards, whose grad differs from the adjoint, and a likely cause."""
    for pos in range(len(graph.nodes) - 1, -1, -1):
        node, expected = graph.nodes[pos], graph.adjoints[pos]
        got, name = node.grad, graph.name(node)
        if is_number(got) and close(got, expected):
            continue
        on = f"on {graph.title},"
        if not is_number(got):
            raise NotYet(f"{on} the grad of {name} is {got!r}, not a number.")
        children = graph.children(pos)
        received = _contributions_summed(got, graph.contributions(pos))
        if received:
            distinct = sorted(set(children))
            if len(distinct) == len(children):
                uses = (f"has {_count(len(children))} children "
                        f"({_names(graph.name_at(c) for c in distinct)})")
            else:
                uses = (f"is used {_count(len(children))} times (by "
                        f"{_names(graph.name_at(c) for c in distinct)})")
            what = "one contribution" if received == 1 else f"{_count(received)} contributions"
            raise NotYet(f"{on} {name} {uses} but received {what}: its grad must hold the sum "
                         f"of what every use passes it.")
        if children and any(close(got, k * expected) for k in range(2, 6)):
            raise NotYet(f"{on} the grad of {name} is a multiple of its adjoint: it received more "
                         f"contributions than it has uses. Is a node swept back more than once?")
        if len(children) == 1:
            child = graph.nodes[children[0]]
            slot = next(k for k, u in enumerate(child.operands) if u is node)
            raise NotYet(f"{on} the grad of {name} is wrong although its only child "
                         f"{graph.name(child)} has the right one: look at the local partial of the "
                         f"'{child.op}' node {graph.name(child)} with respect to its "
                         f"{_OPERAND_WORDS[slot]} operand.")
        raise NotYet(f"{on} the grad of {name} is wrong.")


def _gradient_check(graph: _Graph) -> None:
    """The inputs' grads against ``adlessons.grad`` and against central differences."""
    got = [node.grad for node in graph.nodes[: graph.n_inputs]]
    package = adlessons.grad(graph.function, argnums=tuple(range(graph.n_inputs)))(*graph.point)
    for k, (mine, reference) in enumerate(zip(got, package)):
        def along_input_k(t, k=k):
            return graph.function(*graph.point[:k], t, *graph.point[k + 1:])

        point = graph.point[k]
        central = central_difference(along_input_k, point, 1e-6 * max(1.0, abs(point)))
        if not close(mine, reference):
            raise NotYet(f"on {graph.title}, your gradient disagrees with adlessons.grad in input "
                         f"{k + 1}.")
        if not close(mine, central, rel=1e-6, abs_tol=1e-8):
            raise NotYet(f"on {graph.title}, your gradient disagrees with central differences in "
                         f"input {k + 1}.")


@exercise_check
def check_backward(backward: Callable):
    """``backward(y)`` must set ``v.grad = ∂y/∂v`` for every node y depends on.

    Checked node by node against adlessons' adjoint sweep, and for the inputs against
    ``adlessons.grad`` and central differences, on three graphs you do not see and on a chain of
    CHAIN_STEPS steps.
    """
    for title, function, point in _CASES:
        graph = _Graph(title, function, point, node_type=_Logged)
        _Logged.log.clear()
        call(backward, graph.y, on=title)
        if all(node.grad == 0.0 for node in graph.nodes):
            raise NotYet(f"on {title}, after backward(y) every node's grad is still 0.0: the sweep "
                         f"starts from the seed ȳ = 1 and stores each adjoint in its node's grad.")
        if not close(graph.y.grad, 1.0):
            raise NotYet(f"on {title}, after backward(y) y.grad is {graph.y.grad!r}: the sweep "
                         f"starts from the seed ȳ = ∂y/∂y = 1.")
        _check_not_visited_early(graph)
        _check_adjoints(graph)
        _gradient_check(graph)
    chain = f"a chain of {CHAIN_STEPS:,} steps y = x·a·a·…·a"
    x, a, y = _chain()
    call(backward, y, on=chain)
    if a.grad == 0.5:
        raise NotYet(f"on {chain}, the input a is used by every step, but its grad holds one "
                     f"contribution only.")
    # y = x a^N at x = 0.5, a = 1: ∂y/∂x = a^N = 1 and ∂y/∂a = N x a^(N-1) = N/2, exact in floats
    if x.grad != 1.0 or a.grad != CHAIN_STEPS * 0.5:
        raise NotYet(f"on {chain}, your grads of x and a are wrong.")
    return correct(f"every adjoint matches, node by node, on three graphs you did not see; the "
                   f"gradients agree with adlessons.grad and with central differences; and a "
                   f"chain of {CHAIN_STEPS:,} steps runs without recursion.")


# --- build it yourself, part 4: training ------------------------------------------------------

def _descent(xs, ys, steps: int, learning_rate: float, accumulate: bool = False):
    """Gradient descent on the mean squared error of w·x + b from w = b = 0, with the gradient by
    hand: ∂L/∂w = 2·mean(r·x), ∂L/∂b = 2·mean(r), r = w·x + b - y. ``accumulate`` models the
    classic bug in which the gradients of earlier steps keep adding up."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w = b = gw_sum = gb_sum = 0.0
    losses = []
    for _ in range(steps):
        r = w * xs + b - ys
        losses.append(float(np.mean(r * r)))
        gw, gb = 2.0 * float(np.mean(r * xs)), 2.0 * float(np.mean(r))
        if accumulate:
            gw_sum, gb_sum = gw_sum + gw, gb_sum + gb
            gw, gb = gw_sum, gb_sum
        w, b = w - learning_rate * gw, b - learning_rate * gb
    return losses, w, b


def least_squares_loss(xs, ys) -> float:
    """The smallest mean squared error any line reaches on the data (numpy's least squares)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    design = np.stack([xs, np.ones_like(xs)], axis=1)
    (w, b), *_ = np.linalg.lstsq(design, ys, rcond=None)
    r = w * xs + b - ys
    return float(np.mean(r * r))


def _trained(train, xs, ys, steps: int, learning_rate: float, label: str) -> list[float]:
    """The learner's losses for one run of ``train``, after comparing it with gradient descent."""
    on = f"{label} (steps = {steps}, learning_rate = {learning_rate:g})"
    result = call(train, xs, ys, steps, learning_rate, on=on)
    try:
        losses, w, b = result
        losses = [float(v) for v in losses]
        w, b = float(w), float(b)
    except (TypeError, ValueError):
        raise NotYet(f"on {on} {name_of(train)} returned {result!r}: it should return "
                     f"(losses, w, b).") from None
    if len(losses) != steps:
        raise NotYet(f"on {on} {name_of(train)} returned {len(losses)} losses: one loss per step, "
                     f"computed before that step's update.")
    expected, w_ref, b_ref = _descent(xs, ys, steps, learning_rate)
    if all(close(g, e, rel=1e-9) for g, e in zip(losses, expected)):
        if not (close(w, w_ref, rel=1e-9) and close(b, b_ref, rel=1e-9)):
            raise NotYet(f"on {on} your losses are right, but the w and b returned are not the "
                         f"parameters after the last update.")
        return losses
    if not close(losses[0], expected[0], rel=1e-9):
        raise NotYet(f"on {on} your first loss, at w = b = 0, is not the mean squared error of "
                     f"that line on the data.")
    accumulated, *_ = _descent(xs, ys, steps, learning_rate, accumulate=True)
    if all(close(g, e, rel=1e-9) for g, e in zip(losses, accumulated)):
        raise NotYet(f"on {on}, from the second step on each gradient still holds the gradients of "
                     f"the steps before it: every step needs fresh adjoints.")
    if losses[1] > losses[0]:
        raise NotYet(f"on {on} your loss grows at the first step: the update must move the "
                     f"parameters against the gradient.")
    step = next(k for k, (g, e) in enumerate(zip(losses, expected)) if not close(g, e, rel=1e-9))
    raise NotYet(f"on {on} your losses follow gradient descent with the exact gradient up to "
                 f"step {step}, then differ: check the gradients your backward gives w and b.")


_HIDDEN_DATA = ([-0.8, -0.1, 0.4, 0.9, 1.5], [1.9, 0.7, -0.2, -1.1, -2.6])


@exercise_check
def check_training(train: Callable, xs, ys, steps: int, learning_rate: float,
                   tolerance: float = 0.01):
    """``train(xs, ys, steps, learning_rate)`` must run gradient descent on the mean squared error
    of the line w·x + b from w = b = 0, with your ``backward``, and return ``(losses, w, b)``.

    Compared step by step with gradient descent using the gradient by hand, on data you do not see
    and on the lesson's; after ``steps`` steps on the lesson's data the loss must be within
    ``tolerance`` (relative) of the least-squares minimum.
    """
    _trained(train, *_HIDDEN_DATA, 6, 0.2, "a small data set you do not see")
    losses = _trained(train, xs, ys, steps, learning_rate, "the lesson's data")
    best, final = least_squares_loss(xs, ys), losses[-1]
    if not final <= (1 + tolerance) * best:
        raise NotYet(f"after {steps} steps the loss is {final:.6f}, not yet within {tolerance:.0%} "
                     f"of the least-squares minimum {best:.6f}.")
    return correct(f"your training follows gradient descent step by step, and after {steps} steps "
                   f"the loss {final:.4f} is within {tolerance:.0%} of the least-squares minimum "
                   f"{best:.4f}.")


# --- exercise 1: the children-sum rule in the normal density ----------------------------------

_DENSITY_POINTS = ((0.3, -0.2, 0.7), (2.0, 1.1, 1.5), (-1.0, 0.4, 0.9))


def _sigma_parts(point):
    """σ's two contributions in one reverse sweep of the density: (through σ², through σ·√(2π))."""
    trace = record(normal_density, *point)
    parts = {s.child.primitive.name: s.contribution for s in reverse_steps(trace)
             if not s.is_seed and s.parent.pos == 2}
    return parts["square"], parts["mul"]


@exercise_check
def check_sigma_contributions(sigma_contributions: Callable):
    """``sigma_contributions(x, mu, sigma)`` must return σ̄'s two contributions in the normal
    density's reverse sweep: (the one from v₄ = σ², the one from v₈ = σ·√(2π))."""
    for point in _DENSITY_POINTS:
        where = f"at (x, mu, sigma) = ({point[0]:g}, {point[1]:g}, {point[2]:g})"
        got = call(sigma_contributions, *point, on=where[3:])
        first, second = _two_numbers(got, sigma_contributions, where,
                                     "the contribution through v₄ = σ² and the one through "
                                     "v₈ = σ·√(2π)")
        square_part, product_part = _sigma_parts(point)
        if close(first, square_part) and close(second, product_part):
            continue
        if close(first, product_part) and close(second, square_part):
            raise NotYet(f"{where} your two contributions are swapped: the first is the one "
                         f"through v₄ = σ².")
        if close(first + second, square_part + product_part):
            raise NotYet(f"{where} your two contributions add up to ∂p/∂σ but are split wrongly "
                         f"between the two children.")
        if not close(first, square_part):
            if close(first * 2 * point[2], square_part):
                raise NotYet(f"{where} your contribution through v₄ = σ² is v̄₄ alone: it still "
                             f"needs v₄'s local partial with respect to σ.")
            raise NotYet(f"{where} your contribution through v₄ = σ² is wrong.")
        if close(second * math.sqrt(2 * math.pi), product_part):
            raise NotYet(f"{where} your contribution through v₈ = σ·√(2π) is v̄₈ alone: it still "
                         f"needs v₈'s local partial with respect to σ.")
        raise NotYet(f"{where} your contribution through v₈ = σ·√(2π) is wrong.")
    return correct("both contributions are right at points you did not see, and they add up to "
                   "∂p/∂σ.")


# --- exercise 2: how many sweeps a Jacobian needs ---------------------------------------------

def _family(n: int, m: int) -> Callable:
    """A function R^n -> R^m whose every output depends on every input."""
    def f(x):
        return [adlessons.sin(sum((x[j] * (i + j + 1) for j in range(1, n)), x[0] * (i + 1)))
                for i in range(m)]
    return f


_SHAPES = ((1, 3), (3, 1), (2, 5), (4, 4), (6, 2))


@exercise_check
def check_sweeps_for_jacobian(sweeps_for_jacobian: Callable):
    """``sweeps_for_jacobian(n, m)`` must return (forward sweeps of jacfwd, reverse sweeps of
    jacrev) for the Jacobian of a function R^n -> R^m; compared with the sweeps counted."""
    for n, m in _SHAPES:
        f, x = _family(n, m), [0.1 * (j + 1) for j in range(n)]
        with count_sweeps() as by_jacfwd:
            jacfwd(f)(x)
        with count_sweeps() as by_jacrev:
            jacrev(f)(x)
        measured = (by_jacfwd["forward"], by_jacrev["reverse"])
        shape = f"f: R^{n} -> R^{m}"
        got = call(sweeps_for_jacobian, n, m, on=f"(n, m) = ({n}, {m})")
        forward, reverse = _two_numbers(got, sweeps_for_jacobian, f"for {shape}",
                                        "(forward sweeps, reverse sweeps)")
        if (forward, reverse) == measured:
            continue
        if (reverse, forward) == measured:
            raise NotYet(f"for {shape} your two counts are swapped: which sweep gives a column of "
                         f"the Jacobian, and which a row?")
        if forward != measured[0]:
            raise NotYet(f"for {shape} your count of forward sweeps is wrong: a forward sweep "
                         f"pushes one input direction.")
        raise NotYet(f"for {shape} your count of reverse sweeps is wrong: a reverse sweep starts "
                     f"from one output's adjoint.")
    return correct("your counts match the sweeps jacfwd and jacrev really run, for five shapes.")


# --- exercise 3: reverse mode through a loop, by hand -----------------------------------------

def _damp(x, a, k):
    for _ in range(k):
        x = x - a * adlessons.sin(x)
    return x


def _loop_slips(x0: float, a: float, k: int) -> dict:
    """What the classic slips give, each computed by hand with floats."""
    xs = [x0]
    for _ in range(k):
        xs.append(xs[-1] - a * math.sin(xs[-1]))
    at_result = at_no_identity = 1.0
    for j in reversed(range(k)):
        at_result *= 1.0 - a * math.cos(xs[j + 1])   # partial taken at the step's result
        at_no_identity *= -a * math.cos(xs[j])        # the 1 of 1 - a cos x_j forgotten
    xbar, one_step = 1.0, []
    for j in reversed(range(k)):
        one_step.append(-xbar * math.sin(xs[j]))      # step j's contribution to ā
        xbar *= 1.0 - a * math.cos(xs[j])
    return {"at_result": at_result, "no_identity": at_no_identity, "one_step": one_step,
            "sign": -sum(one_step)}


_LOOP_CASES = ((0.3, 0.2, 1), (1.0, 0.05, 10), (2.0, 0.3, 25), (-0.7, 0.1, 1000), (1.2, 0.4, 0))


@exercise_check
def check_damp_gradient(damp_gradient: Callable):
    """``damp_gradient(x0, a, k)`` must return (∂x_k/∂x0, ∂x_k/∂a) for x_(j+1) = x_j - a·sin(x_j),
    by hand with floats: a forward loop that keeps the iterates, then a backward loop. Compared
    with ``adlessons.grad`` for loops of 0 to 1,000 steps."""
    for x0, a, k in _LOOP_CASES:
        where = f"at (x0, a, k) = ({x0:g}, {a:g}, {k})"
        with count_sweeps() as sweeps:
            got = call(damp_gradient, x0, a, k, on=where[3:])
        if sweeps["forward"] or sweeps["reverse"]:
            raise NotYet(f"{name_of(damp_gradient)} ran a sweep of the package: write the backward "
                         f"loop yourself, with plain floats.")
        dx0, da = _two_numbers(got, damp_gradient, where, "(∂x_k/∂x0, ∂x_k/∂a)")
        ref_x0, ref_a = adlessons.grad(_damp, argnums=(0, 1))(x0, a, k)
        slips = _loop_slips(x0, a, k)
        if not close(dx0, ref_x0, rel=1e-10):
            if close(dx0, slips["at_result"], rel=1e-10):
                raise NotYet(f"{where} your ∂x_k/∂x0 takes each step's local partial at the step's "
                             f"result; the partial of x_(j+1) = x_j - a·sin(x_j) needs its operand.")
            if close(dx0, slips["no_identity"], rel=1e-10):
                raise NotYet(f"{where} your ∂x_k/∂x0 misses part of each step's local partial "
                             f"∂x_(j+1)/∂x_j: it has two terms.")
            raise NotYet(f"{where} your ∂x_k/∂x0 is wrong.")
        if not close(da, ref_a, rel=1e-10):
            if k > 1 and any(close(da, part, rel=1e-10) for part in slips["one_step"]):
                raise NotYet(f"{where} your ∂x_k/∂a holds one step's contribution only: a is used "
                             f"by all {k} steps, so it has {k} children.")
            if k and close(da, slips["sign"], rel=1e-10):
                raise NotYet(f"{where} your ∂x_k/∂a has the wrong sign.")
            raise NotYet(f"{where} your ∂x_k/∂a is wrong.")
    return correct("both derivatives agree with adlessons.grad for loops of 0 to 1,000 steps.")
