"""Forward mode: tangents carried along with values.

Two ways to the same numbers.  ``Dual`` numbers carry (value, tangent) through a
computation as it runs.  ``tangent_sweep`` walks a recorded trace from the inputs to the
outputs, setting each v̇_i = Σ_j (∂v_i/∂v_j) v̇_j.  Either way one sweep gives the
derivative along one input direction; a full gradient of f: R^n -> R needs n sweeps.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Callable, Optional, Sequence

from . import presentation
from .counting import note_sweep
from .errors import ADError, DomainError, describe_value
from .primitive import Primitive, Traced, check_finite_input, is_number, primal, zeros_like
from .tracing import Node, Trace, check_finite_derivatives, new_level, sweep_failure


def tangent_sweep(trace: Trace, input_tangents: Sequence,
                  on_step: Optional[Callable[["ForwardStep"], None]] = None) -> list:
    """Propagate tangents from the inputs to every node; returns one tangent per node.

    The recurrence, node by node: v̇_i = Σ_j ∂v_i/∂v_j · v̇_j over v_i's parents v_j.
    ``on_step`` (optional) receives a ``ForwardStep`` for every node, in sweep order.
    """
    check_seeds(trace.input_names, input_tangents, "tangent sweep", "input", "tangent")
    note_sweep("forward")
    tangents = [None] * len(trace.nodes)  # None: not computed yet
    for node, seed in zip(trace.inputs, input_tangents):
        tangents[node.pos] = seed
        if on_step is not None:
            on_step(ForwardStep.of(node, tangents))
    node = None
    try:
        for node in trace.intermediates:
            tangent = None  # no term yet: the first is taken as it is, not added to a zero
            for slot, parent in enumerate(node.operands):
                if trace.is_variable(parent):
                    term = node.primitive.jvp(slot, tangents[parent.pos], node.args, node.value)
                    tangent = term if tangent is None else tangent + term
            tangents[node.pos] = tangent
            if on_step is not None:  # a table or the stepper is watching
                on_step(ForwardStep.of(node, tangents))
    except Exception as error:  # name the node whose rule failed
        raise sweep_failure(error, node) from None
    check_finite_derivatives(trace, tangents, "tangent sweep")
    return tangents


def forward_steps(trace: Trace, input_tangents: Sequence) -> list["ForwardStep"]:
    """All steps of one tangent sweep, as data (for tables, the stepper and tests)."""
    steps: list[ForwardStep] = []
    tangent_sweep(trace, input_tangents, on_step=steps.append)
    return steps


def output_tangents(trace: Trace, tangents: list) -> list:
    """The tangents of the trace's outputs (a zero of its shape for an output that is a constant)."""
    return [tangents[y.pos] if trace.is_variable(y) else zeros_like(y) for y in trace.outputs]


def check_seeds(names: Sequence[str], seeds: Sequence, sweep: str, what: str, seed: str) -> None:
    """One seed per input (or output), each a finite number or array: checked before a sweep."""
    if len(seeds) != len(names):
        raise ValueError(f"{sweep}: the trace has {len(names)} {what}s but {len(seeds)} "
                         f"{seed}s were given")
    for name, s in zip(names, seeds):
        check_finite_input(f"{sweep}: the {seed} of {what} {name}", s)


@dataclass(frozen=True)
class ForwardStep:
    """One step of a tangent sweep: ``node``'s tangent from its parents' tangents.

    ``terms`` holds, for each edge parent -> node, ``(parent, slot, partial, parent_tangent)``
    where ``slot`` says which operand of ``node`` the parent is and ``partial`` is the local
    partial (None for a structural primitive, which has no single partial).  A seed step (an
    input's tangent set from the direction) has no terms.
    """

    node: Node
    terms: tuple
    tangent: object

    @classmethod
    def of(cls, node: Node, tangents: list) -> "ForwardStep":
        """The step a sweep just took at ``node``, with the partial of each edge it used."""
        rows = []
        for slot, parent in enumerate(node.operands):
            if not node.trace.is_variable(parent):
                continue
            partial = node.primitive.partial(slot, node.args, node.value)
            rows.append((parent, slot, partial, tangents[parent.pos]))
        return cls(node, tuple(rows), tangents[node.pos])

    @property
    def is_seed(self) -> bool:
        return self.node.is_input

    @property
    def edges(self) -> tuple:
        return tuple((parent.pos, self.node.pos) for parent, *_ in self.terms)

    def equation(self, digits: int = 4) -> str:
        """E.g. ``v̇₄ = v̇₁ - v̇₃ = 2.0000 - 0.0000 = 2.0000`` (see ``presentation``)."""
        return presentation.forward_equation(self, digits)


class Dual(Traced):
    """A dual number v + v̇ε (with ε² = 0): a value and its tangent, computed together.

    Each ``Dual`` made by ``Dual(x, 1.0)`` gets its own level, so nested derivatives do
    not mix up their ε's (the perturbation confusion of naive dual numbers).  Inputs that
    belong to ONE derivative must share a level: make them with ``Dual.seed``.
    """

    __slots__ = ("primal", "tangent", "level")

    def __init__(self, primal, tangent=1.0, level: int | None = None):
        self.primal = primal
        self.tangent = tangent
        self.level = new_level() if level is None else level

    @classmethod
    def seed(cls, primals: Sequence, tangents: Sequence) -> list["Dual"]:
        """Dual numbers for several inputs of one function, sharing one level (one ε)."""
        if len(primals) != len(tangents):
            raise ValueError(f"Dual.seed: {len(primals)} primals but {len(tangents)} tangents")
        level = new_level()
        return [cls(p, t, level) for p, t in zip(primals, tangents)]

    def process_primitive(self, primitive: Primitive, operands: tuple) -> "Dual":
        """The value as usual, the tangent by the table's rule: Σ_k ∂out/∂x_k · ẋ_k."""
        mine = [isinstance(x, Dual) and x.level == self.level for x in operands]
        primals = tuple(x.primal if m else x for x, m in zip(operands, mine))
        out = primitive(*primals)
        try:
            terms = [primitive.jvp(k, x.tangent, primals, out)
                     for k, (x, m) in enumerate(zip(operands, mine)) if m]
            tangent = reduce(operator.add, terms)
        except Exception as error:
            shown = ", ".join(describe_value(primal(p)) for p in primals)
            problem = error.message if isinstance(error, ADError) else f"{type(error).__name__}: {error}"
            raise DomainError(primitive.name, None, f"the derivative is undefined at ({shown}): "
                              f"{problem}") from None
        return Dual(out, tangent, self.level)

    def __repr__(self) -> str:
        return (f"Dual({presentation.format_number(self.primal)}, "
                f"{presentation.format_number(self.tangent)})")


def derivative(f: Callable, x):
    """f'(x) for f: R -> R by one forward pass with a dual number seeded with tangent 1."""
    check_finite_input("derivative: the point x", x)
    x = Dual(x, 1.0)
    y = f(x)
    if isinstance(y, Dual) and y.level == x.level:
        return y.tangent
    if isinstance(y, Traced) or is_number(y):
        return 0.0  # f did not depend on x (y may still be a dual number of an enclosing derivative)
    raise TypeError(
        f"derivative: {getattr(f, '__name__', 'f')} must return one number, but it returned "
        f"{describe_value(y)} of type {type(y).__name__}; for several outputs use jacfwd or jvp"
    )
