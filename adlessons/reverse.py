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

from .counting import note_sweep
from .errors import ADError
from .primitives import check_finite_input
from .tracing import Node, Trace, format_factor, format_number

BAR = "\u0304"  # combining macron: v̄


@dataclass(frozen=True)
class ReverseStep:
    """One step of an adjoint sweep.

    A seed step sets an output's adjoint (``child`` is None).  Every other step is one
    edge parent -> child of the graph, walked backwards: ``parent`` receives
    ``child_adjoint * partial``; ``adjoint`` is the parent's adjoint after the step and
    ``first`` says whether this was its first contribution (``=``) or a later one (``+=``).
    """

    parent: Node
    child: Optional[Node]
    slot: Optional[int]  # which operand of child the parent is
    partial: object
    child_adjoint: object
    contribution: object
    adjoint: object
    first: bool

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
        """E.g. ``v̄4 += v̄6 * v5 = 1.0000 * 1.4924 = 1.4924, so v̄4 = 2.8437``."""
        fmt = lambda x: format_number(x, digits)  # noqa: E731
        lhs = f"v{BAR}{self.parent.index}"
        if self.is_seed:
            return f"{lhs} = y{BAR} = {fmt(self.adjoint)}"
        child, trace = self.child, self.child.trace
        rule = child.primitive.partial_text(
            self.slot, *(trace.operand_text(x) for x in child.operands), out=child.name
        )
        c_sym = f"v{BAR}{child.index}"
        if rule == "1":
            text = f"{c_sym} = {fmt(self.child_adjoint)}"
        elif rule == "-1":
            text = f"-{c_sym} = {fmt(self.contribution)}"
        else:
            rule = f"({rule})" if rule.startswith("-") else rule
            text = (f"{c_sym} * {rule} = {format_factor(self.child_adjoint, digits)} * "
                    f"{format_factor(self.partial, digits)} = "
                    f"{fmt(self.contribution)}")
        if self.first:
            return f"{lhs} = {text}"
        return f"{lhs} += {text}, so {lhs} = {fmt(self.adjoint)}"


def adjoint_sweep(
    trace: Trace,
    output_adjoints: Sequence,
    on_step: Optional[Callable[[ReverseStep], None]] = None,
) -> list:
    """Propagate adjoints from the outputs back to every node; returns one adjoint per node.

    ``output_adjoints`` gives ȳ for each of ``trace.outputs``.  Nodes that no output
    depends on keep adjoint 0.  ``on_step`` (optional) receives a ``ReverseStep`` for each
    seed and each edge, in sweep order.
    """
    if len(output_adjoints) != len(trace.outputs):
        raise ValueError(
            f"adjoint sweep: the trace has {len(trace.outputs)} outputs but "
            f"{len(output_adjoints)} adjoints were given"
        )
    for k, ybar in enumerate(output_adjoints):
        check_finite_input(f"adjoint sweep: the adjoint of output {k + 1}", ybar)
    note_sweep("reverse")
    nodes = trace.nodes
    adjoints = [None] * len(nodes)
    for y, ybar in zip(trace.outputs, output_adjoints):
        if type(y) is Node and y.trace is trace:
            first = adjoints[y.pos] is None
            adjoints[y.pos] = ybar if first else adjoints[y.pos] + ybar
            if on_step is not None:
                on_step(ReverseStep(y, None, None, None, None, ybar, adjoints[y.pos], first))

    for pos in range(len(nodes) - 1, trace.n_inputs - 1, -1):
        vbar = adjoints[pos]
        if vbar is None:  # no output depends on this node
            continue
        node = nodes[pos]
        values, out = node.args, node.value
        partials = node.primitive.partials
        try:
            for k, x in enumerate(node.operands):
                if type(x) is Node and x.trace is trace:
                    partial = partials[k](*values, out)
                    contribution = vbar * partial
                    old = adjoints[x.pos]
                    adjoints[x.pos] = contribution if old is None else old + contribution
                    if on_step is not None:
                        on_step(ReverseStep(x, node, k, partial, vbar, contribution,
                                            adjoints[x.pos], old is None))
        except (ADError, ArithmeticError, ValueError) as error:
            raise trace.failure(error, node) from None
    adjoints = [0.0 if a is None else a for a in adjoints]
    trace.check_finite_derivatives(adjoints, "adjoint sweep", backward=True)
    return adjoints


def reverse_steps(trace: Trace, output_adjoints: Sequence = (1.0,)) -> list[ReverseStep]:
    """All steps of one adjoint sweep, as data (for tables, the stepper and tests)."""
    steps: list[ReverseStep] = []
    adjoint_sweep(trace, output_adjoints, on_step=steps.append)
    return steps
