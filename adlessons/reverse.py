"""Reverse mode: adjoints swept back from the output.

The adjoint v̄_j = ∂y/∂v_j says how much the output moves when v_j does.  The sweep starts
with ȳ (1 for a gradient) and visits the trace backwards; each node v_i passes
v̄_i · ∂v_i/∂v_j to each of its parents v_j.  A node with several children receives
several contributions and sums them (the children-sum rule).  One sweep gives the
derivative of one output with respect to every input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from . import presentation
from .counting import note_sweep
from .forward import check_seeds
from .primitive import zeros_like
from .tracing import Node, Trace, check_finite_derivatives, sweep_failure


def adjoint_sweep(trace: Trace, output_adjoints: Sequence,
                  on_step: Optional[Callable[["ReverseStep"], None]] = None) -> list:
    """Propagate adjoints from the outputs back to every node; returns one adjoint per node.

    The recurrence, edge by edge from the last node back: v̄_j += v̄_i · ∂v_i/∂v_j.
    ``output_adjoints`` gives ȳ for each of ``trace.outputs``.  Nodes that no output
    depends on get adjoint 0 (of their value's shape).  ``on_step`` (optional) receives a
    ``ReverseStep`` for each seed and each edge, in sweep order.
    """
    names = [f"{k + 1}" for k in range(len(trace.outputs))]
    check_seeds(names, output_adjoints, "adjoint sweep", "output", "adjoint")
    note_sweep("reverse")
    # None until a node's first contribution arrives, which is stored as it is (not added to a zero)
    adjoints = [None] * len(trace.nodes)
    for y, ybar in zip(trace.outputs, output_adjoints):
        if trace.is_variable(y):
            old = adjoints[y.pos]
            adjoints[y.pos] = ybar if old is None else old + ybar
            if on_step is not None:
                on_step(ReverseStep.of(y, None, None, ybar, adjoints, old is None))
    node = None
    try:
        for node in reversed(trace.intermediates):
            vbar = adjoints[node.pos]
            if vbar is None:  # no output depends on this node
                continue
            for slot, parent in enumerate(node.operands):
                if not trace.is_variable(parent):
                    continue  # a constant: no adjoint
                contribution = node.primitive.vjp(slot, vbar, node.args, node.value)
                old = adjoints[parent.pos]
                adjoints[parent.pos] = contribution if old is None else old + contribution
                if on_step is not None:  # a table or the stepper is watching
                    on_step(ReverseStep.of(parent, node, slot, contribution, adjoints, old is None))
    except Exception as error:  # name the node whose rule failed
        raise sweep_failure(error, node) from None
    adjoints = [zeros_like(node.value) if a is None else a for node, a in zip(trace.nodes, adjoints)]
    check_finite_derivatives(trace, adjoints, "adjoint sweep", backward=True)
    return adjoints


def reverse_steps(trace: Trace, output_adjoints: Sequence = (1.0,)) -> list["ReverseStep"]:
    """All steps of one adjoint sweep, as data (for tables, the stepper and tests)."""
    steps: list[ReverseStep] = []
    adjoint_sweep(trace, output_adjoints, on_step=steps.append)
    return steps


@dataclass(frozen=True)
class ReverseStep:
    """One step of an adjoint sweep.

    A seed step sets an output's adjoint (``child`` is None).  Every other step is one
    edge parent -> child of the graph, walked backwards: ``parent`` receives
    ``contribution`` (for an elementwise child, ``child_adjoint * partial``); ``adjoint`` is
    the parent's adjoint after the step and ``first`` says whether this was its first
    contribution (``=``) or a later one (``+=``).
    """

    parent: Node
    child: Optional[Node]
    slot: Optional[int]  # which operand of child the parent is
    partial: object  # the local partial (None for a seed or a structural child)
    child_adjoint: object
    contribution: object
    adjoint: object
    first: bool

    @classmethod
    def of(cls, parent: Node, child: Optional[Node], slot: Optional[int], contribution,
           adjoints: list, first: bool) -> "ReverseStep":
        """The step a sweep just took along ``child``'s operand ``slot``."""
        partial = child_adjoint = None
        if child is not None:
            child_adjoint = adjoints[child.pos]
            partial = child.primitive.partial(slot, child.args, child.value)
        return cls(parent, child, slot, partial, child_adjoint, contribution,
                   adjoints[parent.pos], first)

    @property
    def node(self) -> Node:
        """The node whose adjoint this step changes."""
        return self.parent

    @property
    def is_seed(self) -> bool:
        return self.child is None

    @property
    def edges(self) -> tuple:
        return () if self.child is None else ((self.parent.pos, self.child.pos),)

    def equation(self, digits: int = 4) -> str:
        """E.g. ``v̄₄ += v̄₆ * v₅ = 1.0000 * 1.4924 = 1.4924, so v̄₄ = 2.8437``."""
        return presentation.reverse_equation(self, digits)
