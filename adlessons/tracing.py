"""Recording: operator overloading turns a computation into an evaluation trace.

A ``Trace`` is Griewank & Walther's evaluation trace (a Wengert list): the n inputs are
v₁₋ₙ .. v₀ and every elementary operation performed on them appends one intermediate
v₁ .. v_l.  Recording order is a topological order (an operation can only use values
computed before it), so the sweeps are plain loops over a list: no recursion, and a chain
of a million operations is an ordinary input.

Constants (plain numbers, or traced values of an enclosing, older trace) are not
variables: they get no v-number and no derivative.  How a Python function's arguments
become inputs is the API's business (``adlessons.api.record``).
"""

from __future__ import annotations

import itertools
from math import isfinite
from typing import Sequence

from . import presentation, tables
from .errors import ADError, DerivativeError, DomainError, describe_value
from .primitive import Primitive, Traced, apply, check_finite_input, evaluate_plain, is_finite

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh level, higher than every level handed out before (see ``Traced``)."""
    return next(_levels)


class Node(Traced):
    """One entry v_i of a trace: its value, the primitive that made it, and its operands.

    ``args`` are the operands' values (what the primitive was evaluated on); the operands
    that are variables of this trace are the graph's incoming edges (``parents``).
    """

    __slots__ = ("trace", "pos", "value", "primitive", "operands", "args")

    def __init__(self, trace: "Trace", pos: int, value, primitive: Primitive | None = None,
                 operands: tuple = (), args: tuple = ()):
        self.trace = trace
        self.pos = pos  # position in trace.nodes (recording order)
        self.value = value
        self.primitive = primitive  # None for an input
        self.operands = operands  # nodes of this trace, or constants
        self.args = args

    @property
    def primal(self):
        return self.value

    @property
    def level(self) -> int:
        return self.trace.level

    @property
    def index(self) -> int:
        """Griewank & Walther's i in v_i: 1-n .. 0 for the inputs, 1 .. l for the rest."""
        return self.pos - self.trace.n_inputs + 1

    @property
    def name(self) -> str:
        """An identifier ('v3', 'v-1') for ids and look-ups; ``presentation.label`` writes v₋₁."""
        return f"v{self.index}"

    @property
    def is_input(self) -> bool:
        return self.primitive is None

    @property
    def parents(self) -> tuple:
        """The operands that are variables of this trace (the graph's incoming edges)."""
        return tuple(x for x in self.operands if self.trace.is_variable(x))

    def process_primitive(self, primitive: Primitive, operands: tuple) -> "Node":
        """A primitive applied to a node is recorded in the node's trace."""
        return self.trace.record(primitive, operands)

    def where(self, primitive: Primitive, operands: tuple) -> str:
        return presentation.describe_operation(self.trace, primitive, operands)

    def __repr__(self) -> str:
        return f"<{presentation.describe(self)} = {presentation.format_number(self.value)}>"


class Trace:
    """An evaluation trace: ``nodes`` in recording order, the first ``n_inputs`` are inputs,
    and ``outputs`` the results (nodes, or constants no input reached)."""

    def __init__(self, input_values: Sequence, input_names: Sequence[str] | None = None):
        self.level = new_level()
        self.input_names = list(input_names) if input_names else [
            f"x{k + 1}" for k in range(len(input_values))
        ]
        self.nodes: list[Node] = []
        for k, value in enumerate(input_values):
            check_finite_input(f"input {self.input_names[k]}", value)
            self.nodes.append(Node(self, k, value))
        self.n_inputs = len(self.nodes)
        self.outputs: list = []

    @property
    def inputs(self) -> list[Node]:
        return self.nodes[: self.n_inputs]

    @property
    def intermediates(self) -> list[Node]:
        return self.nodes[self.n_inputs:]

    def is_variable(self, x) -> bool:
        """True for nodes of this trace; everything else is a constant here."""
        return type(x) is Node and x.trace is self

    def children(self, node: Node) -> list[Node]:
        """The nodes that use ``node`` as an operand (the graph's outgoing edges), in order."""
        return [c for c in self.nodes[node.pos + 1:] if any(p is node for p in c.parents)]

    def record(self, primitive: Primitive, operands: tuple) -> Node:
        """Evaluate ``primitive`` on the operands' values and append the result as a new node."""
        args, floats_only = [], True
        for x in operands:
            value = x.value if self.is_variable(x) else x
            floats_only = floats_only and type(value) is float
            args.append(value)
        args = tuple(args)
        try:
            value = _evaluate(self, primitive, operands, args, floats_only)
        except ADError as error:
            where = presentation.describe_operation(self, primitive, operands)
            raise error.at(where).with_traceback(None) from None
        node = Node(self, len(self.nodes), value, primitive, operands, args)
        self.nodes.append(node)
        return node

    def __len__(self) -> int:
        return len(self.nodes)

    def _repr_html_(self) -> str:
        """In Jupyter a trace shows as its evaluation table."""
        return tables.evaluation_table(self)._repr_html_()

    def __repr__(self) -> str:
        return (
            f"<Trace: {_count(self.n_inputs, 'input')}, "
            f"{_count(len(self.nodes) - self.n_inputs, 'intermediate')}, "
            f"{_count(len(self.outputs), 'output')}>"
        )


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' if n != 1 else ''}"


def _evaluate(trace: Trace, primitive: Primitive, operands: tuple, args: tuple, floats_only: bool):
    """The new node's value.  Floats in and a finite float out, with no domain to check, is
    the usual case and is taken directly (recording takes about a third less time so, measured
    with benchmarks/bench_grad.py).  Values of an older trace go to ``apply`` (that trace
    records the operation too); other plain values to ``evaluate_plain``, which need not check
    again that the trace's own nodes are finite: each was checked when it was recorded."""
    if floats_only and primitive.domain is None:
        try:
            value = primitive.evaluate(*args)
            if type(value) is float and isfinite(value):
                return value
        except OverflowError:
            pass  # evaluate_plain says what went wrong
    if any(isinstance(x, Traced) for x in args):
        return apply(primitive, args)
    nodes = tuple(k for k, x in enumerate(operands) if trace.is_variable(x))
    return evaluate_plain(primitive, args, known_finite=nodes)


# --- what goes wrong in a sweep, named --------------------------------------------------------


def sweep_failure(error: Exception, node: Node) -> ADError:
    """An error raised while differentiating ``node``, as one that names the node and its rule."""
    values = ", ".join(f"{presentation.label(x)} = {presentation.value_text(x.value)}"
                       for x in node.parents)
    problem = error.message if isinstance(error, ADError) else f"{type(error).__name__}: {error}"
    if isinstance(error, ADError) and error.where:
        problem += f" (in {error.where})"
    return DerivativeError(node.primitive.name, None,
                           f"its derivative rule failed at {values}: {problem}",
                           where=f"the derivative of {presentation.describe(node)}")


def check_finite_derivatives(trace: Trace, derivatives: list, what: str, backward: bool = False) -> None:
    """Refuse an inf or nan tangent/adjoint (a derivative that overflowed), naming the
    operation where it appeared: the first bad node of a forward sweep, or the uses of the
    last bad node of a backward one.  Only the inputs' and outputs' entries are looked at
    unless one is bad, so the check costs nothing on the usual path."""
    def bad(d):
        return not isinstance(d, Traced) and not is_finite(d)

    ends = derivatives[: trace.n_inputs] + [derivatives[y.pos] for y in trace.outputs
                                            if trace.is_variable(y)]
    if not any(bad(d) for d in ends):
        return
    in_sweep_order = reversed(trace.nodes) if backward else trace.nodes
    first = next(n for n in in_sweep_order if bad(derivatives[n.pos]))
    where = f"{presentation.label(first)} = {presentation.value_text(first.value)}"
    if backward:  # the adjoint came from first's children, whose own adjoints are finite
        uses = "; ".join(presentation.describe(c) for c in trace.children(first)[:3])
        where += f", passed back through {uses}"
    else:
        where = f"{presentation.describe(first)} with {where}"
    raise DomainError(what, None, f"the derivative overflowed to "
                      f"{describe_value(derivatives[first.pos])} at {where}")
