"""Recording: operator overloading turns a Python function into an evaluation trace.

A ``Trace`` is Griewank & Walther's evaluation trace (a Wengert list): the n inputs are
v(1-n) .. v0 and every elementary operation the function performs appends one
intermediate v1 .. vl.  Recording order is a topological order (an operation can only
use values computed before it), so the sweeps are plain loops over a list: no recursion,
and a chain of a million operations is an ordinary input.

Constants (plain numbers, or traced values of an enclosing, older trace) are not
variables: they get no v-number and no derivative.
"""

from __future__ import annotations

import inspect
import itertools
import math
import operator
from typing import Callable, Sequence

import numpy as np

from .errors import ADError, DomainError, describe_value
from .primitives import (
    Primitive, Traced, apply, check_finite_input, evaluate_numbers, is_number, primal,
)

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh level, higher than every level handed out before (see ``Traced``)."""
    return next(_levels)


def format_number(x, digits: int = 4) -> str:
    """Fixed-point text of a number as in the textbook tables (never '-0.0000')."""
    x = primal(x)
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_factor(x, digits: int = 4) -> str:
    """A number as a factor in a product: negative ones in parentheses, ``(-0.9900)``."""
    text = format_number(x, digits)
    return f"({text})" if text.startswith("-") else text


class Node(Traced):
    """One entry v_i of a trace: its value, the primitive that made it, and its operands."""

    __slots__ = ("trace", "level", "pos", "value", "primitive", "operands", "args")

    def __init__(self, trace: "Trace", pos: int, value, primitive, operands: tuple, args: tuple):
        self.trace = trace
        self.level = trace.level
        self.pos = pos  # position in trace.nodes (recording order)
        self.value = value
        self.primitive = primitive  # None for an input
        self.operands = operands  # nodes of this trace, or constants
        self.args = args  # the operands' values: what the primitive was evaluated on

    @property
    def primal(self):
        return self.value

    @property
    def index(self) -> int:
        """Griewank & Walther's i in v_i: 1-n .. 0 for the inputs, 1 .. l for the rest."""
        return self.pos - self.trace.n_inputs + 1

    @property
    def name(self) -> str:
        return f"v{self.index}"

    @property
    def is_input(self) -> bool:
        return self.primitive is None

    @property
    def parents(self) -> tuple:
        """The operands that are variables of the same trace (the graph's incoming edges)."""
        return tuple(x for x in self.operands if self.trace.is_variable(x))

    def lift(self, primitive: Primitive, operands: tuple) -> "Node":
        return self.trace.record(primitive, operands)

    def where(self, primitive: Primitive, operands: tuple) -> str:
        return self.trace.describe_operation(primitive, operands, self.trace.next_name())

    def __repr__(self) -> str:
        return f"<{self.trace.describe(self)} = {format_number(self.value)}>"


class Trace:
    """An evaluation trace: ``nodes`` in recording order, the first ``n_inputs`` are inputs."""

    def __init__(self, input_values: Sequence, input_names: Sequence[str] | None = None):
        self.level = new_level()
        self.nodes: list[Node] = []
        self.outputs: list = []
        self.input_names = list(input_names) if input_names else [
            f"x{k + 1}" for k in range(len(input_values))
        ]
        for k, value in enumerate(input_values):
            check_finite_input(f"input {self.input_names[k]}", value)
            self.nodes.append(Node(self, k, value, None, (), ()))
        self.n_inputs = len(self.nodes)

    @property
    def inputs(self) -> list[Node]:
        return self.nodes[: self.n_inputs]

    @property
    def intermediates(self) -> list[Node]:
        return self.nodes[self.n_inputs:]

    def children(self, node: Node) -> list[Node]:
        """The nodes that use ``node`` as an operand (the graph's outgoing edges), in order."""
        return [c for c in self.nodes[node.pos + 1:] if any(x is node for x in c.operands)]

    def is_variable(self, x) -> bool:
        """True for nodes of this trace; everything else is a constant here."""
        return type(x) is Node and x.trace is self

    def record(self, primitive: Primitive, operands: tuple) -> Node:
        """Evaluate ``primitive`` on the operands' values and append the result as a new node."""
        plain = True  # are all operand values plain numbers (no traced values of older levels)?
        values = []
        for x in operands:
            if type(x) is Node and x.trace is self:
                x = x.value
            if type(x) is not float and type(x) is not int:
                plain = False
            values.append(x)
        values = tuple(values)
        try:
            value = evaluate_numbers(primitive, values) if plain else apply(primitive, values)
        except ADError as error:
            where = self.describe_operation(primitive, operands, self.next_name())
            raise error.at(where).with_traceback(None) from None
        node = Node(self, len(self.nodes), value, primitive, operands, values)
        self.nodes.append(node)
        return node

    # --- words for tables, graphs and error messages -------------------------------------

    def next_name(self) -> str:
        """The name the next recorded node will get."""
        return f"v{len(self.nodes) - self.n_inputs + 1}"

    def check_finite_derivatives(self, derivatives: list, what: str, backward: bool = False) -> None:
        """Refuse an inf or nan tangent/adjoint (a derivative that overflowed), naming the
        operation where it appeared: the first bad node of a forward sweep, or the uses of
        the last bad node of a backward one.  Only the inputs' (or outputs') entries are
        checked unless one is bad, so the check costs nothing on the usual path."""
        def bad(d):
            return is_number(d) and not math.isfinite(d)

        ends = derivatives[: self.n_inputs] + [derivatives[y.pos] for y in self.outputs
                                                if self.is_variable(y)]
        if not any(bad(d) for d in ends):
            return
        in_sweep_order = reversed(self.nodes) if backward else self.nodes
        first = next(n for n in in_sweep_order if bad(derivatives[n.pos]))
        where = f"{first.name} = {primal(first.value)!r}"
        if backward:  # the adjoint came from first's children, whose own adjoints are finite
            uses = "; ".join(self.describe(c) for c in self.children(first)[:3])
            where += f", passed back through {uses}"
        else:
            where = f"{self.describe(first)} with {where}"
        raise DomainError(what, None, f"the derivative overflowed to "
                          f"{derivatives[first.pos]!r} at {where}")

    def failure(self, error: Exception, node: Node) -> ADError:
        """Turn an error raised while differentiating ``node`` into one that names it."""
        if not isinstance(error, ADError):
            values = ", ".join(f"{x.name} = {primal(x.value)!r}" for x in node.parents)
            error = DomainError(node.primitive.name, None,
                                f"the derivative is undefined at {values} ({error})")
        return error.at(f"the derivative of {self.describe(node)}").with_traceback(None)

    def operand_text(self, x) -> str:
        """A variable's name, or a constant's value."""
        if self.is_variable(x):
            return x.name
        value = primal(x)
        if not is_number(value):
            return describe_value(value)
        text = f"{value:.6g}"
        if float(text) != value and float(text).is_integer():  # 1.0000001 must not read as 1
            text = repr(float(value))
        return f"({text})" if value < 0 else text

    def operation_text(self, node: Node) -> str:
        """The right-hand side of ``node``'s equation, e.g. ``v1 * v2`` or ``x1`` for an input."""
        if node.is_input:
            return self.input_names[node.pos]
        return node.primitive.format(*(self.operand_text(x) for x in node.operands))

    def describe(self, node: Node) -> str:
        """``v3 = sin(v1)``."""
        return f"{node.name} = {self.operation_text(node)}"

    def describe_operation(self, primitive: Primitive, operands: tuple, name: str) -> str:
        """Text for an operation that failed before it became a node, with its operand values."""
        text = f"{name} = {primitive.format(*(self.operand_text(x) for x in operands))}"
        shown = []
        for x in operands:
            value_text = f"{x.name} = {primal(x.value)!r}" if self.is_variable(x) else None
            if value_text and value_text not in shown:
                shown.append(value_text)
        return text + (" with " + ", ".join(shown) if shown else "")

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return (
            f"<Trace: {self.n_inputs} inputs, {len(self.nodes) - self.n_inputs} intermediates, "
            f"{len(self.outputs)} output{'s' if len(self.outputs) != 1 else ''}>"
        )

    def _repr_html_(self) -> str:
        from .tables import evaluation_table

        return evaluation_table(self)._repr_html_()


# --- recording a Python function ------------------------------------------------------------


def _parameter_names(f: Callable, count: int) -> list[str]:
    try:
        params = [
            p.name for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return params[:count] + [f"x{k + 1}" for k in range(len(params), count)]


def is_sequence(x) -> bool:
    """Lists, tuples and 1-D arrays of numbers are vector arguments."""
    return isinstance(x, (list, tuple)) or (hasattr(x, "ndim") and getattr(x, "ndim", 0) == 1)


def argument_positions(argnums, n_args: int) -> tuple:
    """``argnums`` (None for all, an int, or a tuple of ints; negative ones count from the
    end, as in JAX) as a tuple of distinct positions ``0 <= a < n_args``."""
    if argnums is None:
        return tuple(range(n_args))
    try:
        if isinstance(argnums, (tuple, list)):
            given = tuple(operator.index(a) for a in argnums)
        else:
            given = (operator.index(argnums),)
    except TypeError:
        raise TypeError(
            f"argnums must be an int or a tuple of ints, got {describe_value(argnums)}"
        ) from None
    positions = []
    for a in given:
        if not -n_args <= a < n_args:
            raise ValueError(f"argnums names argument {a}, but the function was given {n_args}")
        positions.append(a % n_args)
    if len(set(positions)) < len(positions):
        raise ValueError(f"argnums {argnums!r} names the same argument more than once")
    return tuple(positions)


def record(f: Callable, *args, argnums=None) -> Trace:
    """Call ``f(*args)`` on traced inputs and return its evaluation trace.

    ``argnums`` says which arguments are variables (default: all); the others are passed
    through as constants.  An argument may be a number or a 1-D sequence of numbers (each
    entry becomes one input).  ``f`` may return a number or a sequence of numbers; the
    trace's ``outputs`` lists them (``output_is_sequence`` says which it was).
    """
    argnums = argument_positions(argnums, len(args))
    names = _parameter_names(f, len(args))
    values, input_names, layout = [], [], []
    for a in argnums:
        arg = args[a]
        if is_sequence(arg):
            layout.append((a, len(values), len(arg)))
            values.extend(arg)
            input_names.extend(f"{names[a]}[{k}]" for k in range(len(arg)))
        else:
            layout.append((a, len(values), None))
            values.append(arg)
            input_names.append(names[a])

    trace = Trace(values, input_names)
    call_args = list(args)
    for a, start, size in layout:
        inputs = trace.nodes[start: start + (1 if size is None else size)]
        if size is None:
            call_args[a] = inputs[0]
        elif isinstance(args[a], np.ndarray):  # arrays keep elementwise arithmetic
            call_args[a] = np.array(inputs, dtype=object)
        else:
            call_args[a] = list(inputs)
    trace.argument_layout = layout  # which inputs belong to which argument

    result = f(*call_args)
    trace.output_is_sequence = is_sequence(result)
    outputs = list(result) if trace.output_is_sequence else [result]
    for k, y in enumerate(outputs):
        check_finite_input(f"output {k + 1} of {getattr(f, '__name__', 'f')}", y)
    trace.outputs = outputs
    return trace
