"""The public API, with JAX's names and meanings, built on ``record`` and the two sweeps.

- ``grad(f, argnums=0)``: a function computing ∂f/∂(argument) by one reverse sweep.
- ``value_and_grad``: the same, also returning f's value.
- ``jvp(f, primals, tangents)``: f's value and its directional derivative (one forward sweep).
- ``vjp(f, *primals)``: f's value and a pullback mapping output adjoints to input adjoints.
- ``jacfwd`` / ``jacrev``: the Jacobian, column by column (n forward sweeps) or row by row
  (m reverse sweeps).

Arguments are numbers or 1-D sequences of numbers; a vector argument's derivative comes
back as a numpy array.  Everything nests: ``grad(grad(f))`` differentiates the sweep itself.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .forward import output_tangents, tangent_sweep
from .primitives import is_number
from .reverse import adjoint_sweep
from .tracing import Trace, is_sequence, record


def _pack(values: list):
    """A numpy float array when every entry is a plain number (nested AD keeps a list)."""
    return np.array(values, dtype=float) if all(is_number(v) for v in values) else list(values)


def _per_argument(trace: Trace, per_input: list):
    """Split a list with one entry per trace input back into one entry per argument."""
    out = []
    for _, start, size in trace.argument_layout:
        out.append(per_input[start] if size is None else _pack(per_input[start: start + size]))
    return out


def _outputs(trace: Trace, per_output: list):
    return _pack(per_output) if trace.output_is_sequence else per_output[0]


def unit_vectors(n: int) -> list[list[float]]:
    """The seeds e_1 .. e_n (1.0 in place k, 0.0 elsewhere): ``jacfwd`` runs one tangent sweep
    per input's e_j, ``jacrev`` one adjoint sweep per output's e_i."""
    return [[1.0 if k == j else 0.0 for k in range(n)] for j in range(n)]


def _one_argument(argnums) -> bool:
    """``grad(f, 0)`` returns one gradient; ``grad(f, (0, 1))`` a tuple of them."""
    return not isinstance(argnums, (tuple, list))


def _output_value(trace: Trace, y):
    """An output's number (an output may be a constant that no input reaches)."""
    return y.value if trace.is_variable(y) else y


def _scalar_output_trace(f: Callable, args, argnums, who: str) -> Trace:
    trace = record(f, *args, argnums=argnums)
    if trace.output_is_sequence:
        raise TypeError(
            f"{who}: {getattr(f, '__name__', 'f')} must return a single number, but it returned "
            f"{len(trace.outputs)} values; use jacrev or jacfwd for functions with several outputs"
        )
    return trace


def value_and_grad(f: Callable, argnums=0) -> Callable:
    """Return a function computing ``(f(*args), gradient)`` with one reverse sweep."""
    def value_and_grad_f(*args):
        trace = _scalar_output_trace(f, args, argnums, "grad")
        adjoints = adjoint_sweep(trace, [1.0])
        grads = _per_argument(trace, adjoints[: trace.n_inputs])
        value = _output_value(trace, trace.outputs[0])
        return value, (grads[0] if _one_argument(argnums) else tuple(grads))

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
    trace = record(f, *primals)
    tangents_all = tangent_sweep(trace, flat_tangents)
    values = [_output_value(trace, y) for y in trace.outputs]
    return _outputs(trace, values), _outputs(trace, output_tangents(trace, tangents_all))


def vjp(f: Callable, *primals):
    """``(f(*primals), pullback)``; ``pullback(ȳ)`` returns a tuple of adjoints, one per primal."""
    trace = record(f, *primals)
    values = [_output_value(trace, y) for y in trace.outputs]

    def pullback(cotangent):
        ybar = list(cotangent) if trace.output_is_sequence else [cotangent]
        adjoints = adjoint_sweep(trace, ybar)
        return tuple(_per_argument(trace, adjoints[: trace.n_inputs]))

    return _outputs(trace, values), pullback


def _jacobian(trace: Trace, rows: list, one_argument: bool):
    """Arrange J[i][j] (output i, input j) as JAX does: output shape + input shape."""
    results = []
    for _, start, size in trace.argument_layout:
        columns = range(start, start + (1 if size is None else size))
        block = [[rows[i][j] for j in columns] for i in range(len(rows))]
        if size is None:
            block = [row[0] for row in block]
            results.append(_pack(block) if trace.output_is_sequence else block[0])
        elif trace.output_is_sequence:
            results.append(np.array(block, dtype=float) if all(
                is_number(v) for row in block for v in row) else block)
        else:
            results.append(_pack(block[0]))
    return results[0] if one_argument else tuple(results)


def jacfwd(f: Callable, argnums=0) -> Callable:
    """The Jacobian by forward mode: one tangent sweep per input (n sweeps for f: R^n -> R^m)."""
    def jacobian(*args):
        trace = record(f, *args, argnums=argnums)
        n = trace.n_inputs
        columns = [output_tangents(trace, tangent_sweep(trace, seed)) for seed in unit_vectors(n)]
        rows = [[columns[j][i] for j in range(n)] for i in range(len(trace.outputs))]
        return _jacobian(trace, rows, _one_argument(argnums))

    return jacobian


def jacrev(f: Callable, argnums=0) -> Callable:
    """The Jacobian by reverse mode: one adjoint sweep per output (m sweeps for f: R^n -> R^m)."""
    def jacobian(*args):
        trace = record(f, *args, argnums=argnums)
        m = len(trace.outputs)
        rows = [adjoint_sweep(trace, seed)[: trace.n_inputs] for seed in unit_vectors(m)]
        return _jacobian(trace, rows, _one_argument(argnums))

    return jacobian
