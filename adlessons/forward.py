"""Forward mode: tangents carried along with values.

Two ways to the same numbers.  ``Dual`` numbers carry (value, tangent) through a
computation as it runs.  ``tangent_sweep`` walks a recorded trace from the inputs to the
outputs, setting each v̇_i = Σ_j (∂v_i/∂v_j) v̇_j.  Either way one sweep gives the
derivative along one input direction; a full gradient of f: R^n -> R needs n sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .counting import note_sweep
from .errors import ADError, DomainError, describe_value
from .primitives import Primitive, Traced, check_finite_input, primal
from .tracing import Node, Trace, format_factor, format_number, new_level

DOT = "\u0307"  # combining dot above: v̇


@dataclass(frozen=True)
class ForwardStep:
    """One step of a tangent sweep: ``node``'s tangent from its parents' tangents.

    ``terms`` holds, for each edge parent -> node, ``(parent, slot, partial, parent_tangent)``
    where ``slot`` says which operand of ``node`` the parent is.
    A seed step (an input's tangent set from the direction) has no terms.
    """

    node: Node
    terms: tuple
    tangent: object

    @property
    def is_seed(self) -> bool:
        return self.node.is_input

    @property
    def edges(self) -> tuple:
        return tuple((parent.pos, self.node.pos) for parent, *_ in self.terms)

    def equation(self, digits: int = 4) -> str:
        """E.g. ``v̇4 = v̇1 - v̇3 = 2.0000 - 0.0000 = 2.0000``."""
        node, trace = self.node, self.node.trace
        lhs = f"v{DOT}{node.index}"
        if self.is_seed:
            return f"{lhs} = {format_number(self.tangent, digits)}   (seed for {trace.input_names[node.pos]})"
        symbols, numbers = [], []
        for k, (parent, slot, partial, parent_tangent) in enumerate(self.terms):
            rule = node.primitive.partial_text(
                slot, *(trace.operand_text(x) for x in node.operands), out=node.name
            )
            t_sym, t_num = f"v{DOT}{parent.index}", format_factor(parent_tangent, digits)
            sign = " + " if k else ""
            if rule == "1":
                symbols.append(f"{sign}{t_sym}")
                numbers.append(f"{sign}{format_number(parent_tangent, digits) if not k else t_num}")
            elif rule == "-1":
                symbols.append(f" - {t_sym}" if k else f"-{t_sym}")
                numbers.append(f" - {t_num}" if k else f"-{t_num}")
            elif rule.startswith("-") and k:
                symbols.append(f" - {rule[1:]} * {t_sym}")
                numbers.append(f"{sign}{format_factor(partial, digits)} * {t_num}")
            else:
                symbols.append(f"{sign}{rule} * {t_sym}")
                numbers.append(f"{sign}{format_factor(partial, digits)} * {t_num}")
        return (f"{lhs} = {''.join(symbols)} = {''.join(numbers)} = "
                f"{format_number(self.tangent, digits)}")


def tangent_sweep(
    trace: Trace,
    input_tangents: Sequence,
    on_step: Optional[Callable[[ForwardStep], None]] = None,
) -> list:
    """Propagate tangents from the inputs to every node; returns one tangent per node.

    ``on_step`` (optional) receives a ``ForwardStep`` for every node, in sweep order.
    """
    if len(input_tangents) != trace.n_inputs:
        raise ValueError(
            f"tangent sweep: the trace has {trace.n_inputs} inputs but "
            f"{len(input_tangents)} tangents were given"
        )
    for name, t in zip(trace.input_names, input_tangents):
        check_finite_input(f"tangent sweep: the tangent of input {name}", t)
    note_sweep("forward")
    nodes = trace.nodes
    tangents = [None] * len(nodes)
    for node, t in zip(trace.inputs, input_tangents):
        tangents[node.pos] = t
        if on_step is not None:
            on_step(ForwardStep(node, (), t))
    for node in trace.intermediates:
        values = node.args
        partials = node.primitive.partials
        tangent, terms = None, []
        try:
            for k, x in enumerate(node.operands):
                if type(x) is Node and x.trace is trace:
                    partial = partials[k](*values, node.value)
                    term = partial * tangents[x.pos]
                    tangent = term if tangent is None else tangent + term
                    if on_step is not None:
                        terms.append((x, k, partial, tangents[x.pos]))
        except (ADError, ArithmeticError, ValueError) as error:
            raise trace.failure(error, node) from None
        tangents[node.pos] = tangent
        if on_step is not None:
            on_step(ForwardStep(node, tuple(terms), tangent))
    trace.check_finite_derivatives(tangents, "tangent sweep")
    return tangents


def forward_steps(trace: Trace, input_tangents: Sequence) -> list[ForwardStep]:
    """All steps of one tangent sweep, as data (for tables, the stepper and tests)."""
    steps: list[ForwardStep] = []
    tangent_sweep(trace, input_tangents, on_step=steps.append)
    return steps


def output_tangents(trace: Trace, tangents: list) -> list:
    """The tangents of the trace's outputs (0 for an output that is a constant)."""
    return [tangents[y.pos] if trace.is_variable(y) else 0.0 for y in trace.outputs]


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

    def lift(self, primitive: Primitive, operands: tuple) -> "Dual":
        """Apply ``primitive``: the value as usual, the tangent by the chain rule from the table."""
        mine = [isinstance(x, Dual) and x.level == self.level for x in operands]
        primals = tuple(x.primal if m else x for x, m in zip(operands, mine))
        out = primitive(*primals)
        tangent = None
        try:
            for k, (x, m) in enumerate(zip(operands, mine)):
                if m:
                    term = primitive.partials[k](*primals, out) * x.tangent
                    tangent = term if tangent is None else tangent + term
        except (ADError, ArithmeticError, ValueError) as error:
            shown = ", ".join(describe_value(primal(p)) for p in primals)
            raise DomainError(primitive.name, None,
                              f"the derivative is undefined at ({shown}) ({error})") from None
        return Dual(out, tangent, self.level)

    def __repr__(self) -> str:
        return f"Dual({format_number(self.primal)}, {format_number(self.tangent)})"


def derivative(f: Callable, x):
    """f'(x) by one forward pass with a dual number seeded with tangent 1."""
    check_finite_input("derivative: the point x", x)
    x = Dual(x, 1.0)
    y = f(x)
    if isinstance(y, Dual) and y.level == x.level:
        return y.tangent
    return 0.0  # f did not depend on x (y may still be a dual number of an enclosing derivative)
