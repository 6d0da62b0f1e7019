"""The public API, with JAX's names and meanings, built on recording and the two sweeps.

- ``record(f, *args)``: the evaluation trace of ``f`` at ``args``.
- ``grad(f, argnums=0)``: a function computing ∂f/∂(argument) by one reverse sweep.
- ``value_and_grad``: the same, also returning f's value.
- ``jvp(f, primals, tangents)``: f's value and its directional derivative (one forward sweep).
- ``vjp(f, *primals)``: f's value and a pullback mapping output adjoints to input adjoints.
- ``jacfwd`` / ``jacrev``: the Jacobian, column by column (n forward sweeps) or row by row
  (m reverse sweeps).

Arguments are numbers or 1-D sequences of numbers: a sequence of n numbers is n scalar
inputs, as in the textbook's f: R^n -> R, and its derivative comes back as a numpy array.
This module is where arguments become a trace's inputs and results come back in the
arguments' shapes.  Everything nests: ``grad(grad(f))`` differentiates the sweep itself.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .errors import describe_value
from .forward import output_tangents, tangent_sweep
from .primitive import check_finite_input, is_number
from .reverse import adjoint_sweep
from .tracing import Trace


# --- from arguments to inputs, and back ---------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A trace together with how ``f``'s arguments map onto its inputs.

    ``layout`` has one ``(position, start, size)`` per differentiated argument: the argument
    at ``position`` is inputs ``start .. start + size`` (``size`` None for a single number).
    """

    trace: Trace
    layout: tuple
    output_is_sequence: bool

    def per_argument(self, per_input: list) -> list:
        """Split a list with one entry per trace input back into one entry per argument."""
        return [per_input[start] if size is None else _pack(per_input[start: start + size])
                for _, start, size in self.layout]

    def outputs(self, per_output: list):
        return _pack(per_output) if self.output_is_sequence else per_output[0]


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


def _parameter_names(f: Callable, count: int) -> list[str]:
    try:
        params = [
            p.name for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return params[:count] + [f"x{k + 1}" for k in range(len(params), count)]


def _record(f: Callable, args: tuple, argnums=None) -> Recording:
    """Call ``f(*args)`` with the differentiated arguments replaced by a trace's inputs."""
    positions = argument_positions(argnums, len(args))
    names = _parameter_names(f, len(args))
    values, input_names, layout = [], [], []
    for a in positions:
        if is_sequence(args[a]):
            layout.append((a, len(values), len(args[a])))
            values.extend(args[a])
            input_names.extend(f"{names[a]}[{k}]" for k in range(len(args[a])))
        else:
            layout.append((a, len(values), None))
            values.append(args[a])
            input_names.append(names[a])

    trace = Trace(values, input_names)
    call_args = list(args)
    for a, start, size in layout:
        if size is None:
            call_args[a] = trace.nodes[start]
        elif isinstance(args[a], np.ndarray):  # arrays keep elementwise arithmetic
            call_args[a] = np.array(trace.nodes[start: start + size], dtype=object)
        else:
            call_args[a] = list(trace.nodes[start: start + size])

    result = f(*call_args)
    output_is_sequence = is_sequence(result)
    trace.outputs = list(result) if output_is_sequence else [result]
    for k, y in enumerate(trace.outputs):
        check_finite_input(f"output {k + 1} of {getattr(f, '__name__', 'f')}", y)
    return Recording(trace, tuple(layout), output_is_sequence)


def record(f: Callable, *args, argnums=None) -> Trace:
    """Call ``f(*args)`` on traced inputs and return its evaluation trace.

    ``argnums`` says which arguments are variables (default: all); the others are passed
    through as constants.  An argument may be a number or a 1-D sequence of numbers (each
    entry becomes one input).  ``f`` may return a number or a sequence of numbers; the
    trace's ``outputs`` lists them.
    """
    return _record(f, args, argnums).trace


def _pack(values: list):
    """A numpy float array when every entry is a plain number (nested AD keeps a list)."""
    return np.array(values, dtype=float) if all(is_number(v) for v in values) else list(values)


def _output_values(trace: Trace) -> list:
    """The outputs' values (an output may be a constant that no input reaches)."""
    return [y.value if trace.is_variable(y) else y for y in trace.outputs]


def _one_argument(argnums) -> bool:
    """``grad(f, 0)`` returns one gradient; ``grad(f, (0, 1))`` a tuple of them."""
    return not isinstance(argnums, (tuple, list))


def unit_vectors(n: int) -> list[list[float]]:
    """The seeds e_1 .. e_n (1.0 in place k, 0.0 elsewhere): ``jacfwd`` runs one tangent sweep
    per input's e_j, ``jacrev`` one adjoint sweep per output's e_i."""
    return [[1.0 if k == j else 0.0 for k in range(n)] for j in range(n)]


# --- the API ------------------------------------------------------------------------------------


def value_and_grad(f: Callable, argnums=0) -> Callable:
    """Return a function computing ``(f(*args), gradient)`` with one reverse sweep."""
    def value_and_grad_f(*args):
        recording = _record(f, args, argnums)
        if recording.output_is_sequence:
            raise TypeError(
                f"grad: {getattr(f, '__name__', 'f')} must return a single number, but it returned "
                f"{len(recording.trace.outputs)} values; use jacrev or jacfwd for functions with "
                f"several outputs"
            )
        trace = recording.trace
        adjoints = adjoint_sweep(trace, [1.0])
        grads = recording.per_argument(adjoints[: trace.n_inputs])
        return _output_values(trace)[0], (grads[0] if _one_argument(argnums) else tuple(grads))

    return value_and_grad_f


def grad(f: Callable, argnums=0) -> Callable:
    """Return a function computing the gradient of scalar-valued ``f`` by one reverse sweep."""
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def _flat_tangents(primals: Sequence, tangents: Sequence) -> list:
    """The tangents as one flat list, after checking each has its primal's shape."""
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    flat = []
    for k, (x, t) in enumerate(zip(primals, tangents)):
        x_size = len(x) if is_sequence(x) else None
        t_size = len(t) if is_sequence(t) else None
        if x_size != t_size:
            def shape(size):
                return "a number" if size is None else f"a sequence of {size}"
            raise ValueError(
                f"jvp: primal {k + 1} is {shape(x_size)} but its tangent is {shape(t_size)}"
            )
        flat.extend([t] if t_size is None else t)
    return flat


def jvp(f: Callable, primals: Sequence, tangents: Sequence):
    """``(f(*primals), J·tangents)``: the value and the directional derivative, one forward sweep."""
    flat_tangents = _flat_tangents(primals, tangents)
    recording = _record(f, tuple(primals))
    trace = recording.trace
    tangents_all = tangent_sweep(trace, flat_tangents)
    return (recording.outputs(_output_values(trace)),
            recording.outputs(output_tangents(trace, tangents_all)))


def vjp(f: Callable, *primals):
    """``(f(*primals), pullback)``; ``pullback(ȳ)`` returns a tuple of adjoints, one per primal."""
    recording = _record(f, primals)
    trace = recording.trace

    def pullback(cotangent):
        ybar = list(cotangent) if recording.output_is_sequence else [cotangent]
        adjoints = adjoint_sweep(trace, ybar)
        return tuple(recording.per_argument(adjoints[: trace.n_inputs]))

    return recording.outputs(_output_values(trace)), pullback


def _jacobian(recording: Recording, rows: list, one_argument: bool):
    """Arrange J[i][j] (output i, input j) as JAX does: output shape + input shape."""
    results = []
    for _, start, size in recording.layout:
        columns = range(start, start + (1 if size is None else size))
        block = [[rows[i][j] for j in columns] for i in range(len(rows))]
        if size is None:
            column = [row[0] for row in block]
            results.append(_pack(column) if recording.output_is_sequence else column[0])
        elif recording.output_is_sequence:
            results.append(np.array(block, dtype=float) if all(
                is_number(v) for row in block for v in row) else block)
        else:
            results.append(_pack(block[0]))
    return results[0] if one_argument else tuple(results)


def jacfwd(f: Callable, argnums=0) -> Callable:
    """The Jacobian by forward mode: one tangent sweep per input (n sweeps for f: R^n -> R^m)."""
    def jacobian(*args):
        recording = _record(f, args, argnums)
        trace = recording.trace
        n = trace.n_inputs
        columns = [output_tangents(trace, tangent_sweep(trace, seed)) for seed in unit_vectors(n)]
        rows = [[columns[j][i] for j in range(n)] for i in range(len(trace.outputs))]
        return _jacobian(recording, rows, _one_argument(argnums))

    return jacobian


def jacrev(f: Callable, argnums=0) -> Callable:
    """The Jacobian by reverse mode: one adjoint sweep per output (m sweeps for f: R^n -> R^m)."""
    def jacobian(*args):
        recording = _record(f, args, argnums)
        trace = recording.trace
        rows = [adjoint_sweep(trace, seed)[: trace.n_inputs]
                for seed in unit_vectors(len(trace.outputs))]
        return _jacobian(recording, rows, _one_argument(argnums))

    return jacobian
