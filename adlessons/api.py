"""The public API, with JAX's names and meanings, built on recording and the two sweeps.

- ``record(f, *args)``: the evaluation trace of ``f`` at ``args``.
- ``grad(f, argnums=0)``: a function computing ∂f/∂(argument) by one reverse sweep.
- ``value_and_grad``: the same, also returning f's value.
- ``jvp(f, primals, tangents)``: f's value and its directional derivative (one forward sweep).
- ``vjp(f, *primals)``: f's value and a pullback mapping output adjoints to input adjoints.
- ``jacfwd`` / ``jacrev``: the Jacobian, column by column (one forward sweep per input entry)
  or row by row (one reverse sweep per output entry).

How arguments become inputs.  An argument is a *pytree*, as JAX calls it: a number, a NumPy
array, or a list, tuple or dict of pytrees.  Each number and each array in it (a *leaf*) is
one input of the trace:

- a NumPy array is ONE input holding the whole array (``grad`` of ``f(x)`` with ``x`` of shape
  (3, 4) returns an array of shape (3, 4));
- a list or tuple of numbers is n scalar inputs, the textbook's f: R^n -> R of the scalar
  lessons, and its derivative comes back as a 1-D NumPy array, as before;
- a dict or list of arrays gives back a dict or list of the same keys and shapes.

Integer and float32 arrays are read as float64; other kinds of arrays (bool, object, text)
are refused.  ``jacrev`` and ``jacfwd`` arrange the Jacobian as JAX does: the output's shape
followed by the input's.  Everything nests: ``grad(grad(f))`` differentiates the sweep
itself, and ``jvp(grad(f), (x,), (v,))`` is a Hessian-vector product (forward over reverse).
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .errors import DomainError, describe_value
from .forward import output_tangents, tangent_sweep
from .primitive import Traced, check_finite_input, is_number, shape_of
from .primitives import CONCATENATE, PERMUTE, RESHAPE
from .reverse import adjoint_sweep
from .tracing import Trace


# --- pytrees: the leaves of an argument, and the way back --------------------------------------


@dataclass(frozen=True)
class Tree:
    """The structure of a pytree: ``kind`` is "leaf", "list", "tuple" or "dict"; ``keys`` the
    dict's keys; ``children`` the sub-trees; ``shape`` a leaf's shape (() for a number)."""

    kind: str
    children: tuple = ()
    keys: tuple = ()
    shape: tuple = ()

    @property
    def is_vector(self) -> bool:
        """A list or tuple of numbers: the textbook's vector, given back as a 1-D array."""
        return self.kind in ("list", "tuple") and all(
            c.kind == "leaf" and c.shape == () for c in self.children)

    def rebuild(self, leaves, vector_axis: int = 0):
        """A pytree of this structure holding the next leaves of the iterator ``leaves``.  The
        entries of a vector are stacked along ``vector_axis`` (-1 for Jacobian blocks, whose
        input axes come after the output's)."""
        if self.kind == "leaf":
            return next(leaves)
        parts = [child.rebuild(leaves, vector_axis) for child in self.children]
        if self.kind == "dict":
            return dict(zip(self.keys, parts))
        if self.is_vector and _stackable(parts):
            stacked = np.array(parts, dtype=float)  # the textbook's vector
            return np.moveaxis(stacked, 0, vector_axis) if parts else stacked
        return tuple(parts) if self.kind == "tuple" else parts  # e.g. traced parts: as they came

    @property
    def leaf_shapes(self) -> list:
        if self.kind == "leaf":
            return [self.shape]
        return [s for c in self.children for s in c.leaf_shapes]

    @property
    def skeleton(self):
        """The structure without leaf shapes (shapes are compared leaf by leaf, with names)."""
        if self.kind == "leaf":
            return "leaf"
        return (self.kind, self.keys, tuple(c.skeleton for c in self.children))

    def describe(self) -> str:
        """``a number``, ``an array of shape (3, 4)``, ``a sequence of 2``, ``a dict with keys ...``."""
        if self.kind == "leaf":
            return f"an array of shape {self.shape}" if self.shape else "a number"
        if self.is_vector:
            return f"a sequence of {len(self.children)}"
        if self.kind == "dict":
            return f"a dict with keys {list(self.keys)}"
        return f"a {self.kind} of {len(self.children)}"


def _stackable(values: list) -> bool:
    """All plain numbers, or all arrays of one shape (not traced values, not pytrees)."""
    return all(is_number(v) for v in values) or all(
        isinstance(v, np.ndarray) and v.shape == values[0].shape for v in values)


def _describe_array(x: np.ndarray) -> str:
    return f"an array of shape {x.shape} and dtype {x.dtype}"


def _leaf_value(x, where: str):
    """A leaf as the trace takes it: a number, a float64 array or a traced value."""
    if isinstance(x, Traced) or is_number(x):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "iuf" and x.ndim == 0:
            return float(x)
        if x.dtype.kind in "iu" or x.dtype == np.float32 or x.dtype == np.float16:
            return x.astype(float)
        if x.dtype == np.float64:
            bad = np.argwhere(~np.isfinite(x)) if not np.isfinite(x).all() else ()
            if len(bad):
                index = tuple(int(i) for i in bad[0])
                raise DomainError(where, None, f"{_describe_array(x)} has {x[index]!r} at index {index} "
                                               f"({len(bad)} entries are not finite); derivatives are "
                                               f"taken at finite points")
            return x
        raise TypeError(f"{where} is {_describe_array(x)}: only arrays of numbers can be "
                        f"differentiated (float64; integers are read as floats)")
    raise TypeError(f"{where} is {describe_value(x)} of type {type(x).__name__}: an argument "
                    f"must be a number, a NumPy array, or a list, tuple or dict of them")


def flatten(x, name: str, leaves: list, names: list, who: str, check: bool = True) -> Tree:
    """Append the leaves of pytree ``x`` (and their names, e.g. ``params['W']``) to the lists;
    return its structure.  ``check=False`` takes leaves as they are (a seed, checked and named
    by the sweep)."""
    if isinstance(x, dict):
        keys = tuple(x)
        return Tree("dict", tuple(flatten(x[k], f"{name}[{k!r}]", leaves, names, who, check)
                                  for k in keys), keys)
    if isinstance(x, (list, tuple)):
        return Tree("list" if isinstance(x, list) else "tuple",
                    tuple(flatten(v, f"{name}[{k}]", leaves, names, who, check) for k, v in enumerate(x)))
    if isinstance(x, np.ndarray) and x.dtype == object and x.ndim == 1 and all(
            isinstance(v, Traced) or is_number(v) for v in x):
        return flatten(list(x), name, leaves, names, who, check)  # traced numbers: a vector
    if check:
        value = _leaf_value(x, f"{who}: {name}")
    else:
        value = x.astype(float) if isinstance(x, np.ndarray) and x.dtype.kind in "iu" else x
    leaves.append(value)
    names.append(name)
    return Tree("leaf", shape=shape_of(value))


# --- recording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A trace with the structures of ``f``'s differentiated arguments and of its result."""

    trace: Trace
    arguments: tuple  # one Tree per differentiated argument
    output: Tree

    def per_argument(self, per_input: list, vector_axis: int = 0) -> list:
        """Split one entry per trace input back into one pytree per differentiated argument."""
        leaves = iter(per_input)
        return [tree.rebuild(leaves, vector_axis) for tree in self.arguments]

    def outputs(self, per_output: list):
        return self.output.rebuild(iter(per_output))


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


def parameter_names(f: Callable, count: int) -> list[str]:
    """Names for f's first ``count`` arguments: its parameter names, then x1, x2, ..."""
    try:
        params = [
            p.name for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return params[:count] + [f"x{k + 1}" for k in range(len(params), count)]


def _name(f) -> str:
    return getattr(f, "__name__", "f")


def _record(f: Callable, args: tuple, argnums=None, who: str = "record") -> Recording:
    """Call ``f(*args)`` with the leaves of the differentiated arguments replaced by inputs."""
    positions = argument_positions(argnums, len(args))
    names = parameter_names(f, len(args))
    values, input_names, trees = [], [], []
    for a in positions:
        trees.append(flatten(args[a], names[a], values, input_names, who))
    trace = Trace(values, input_names)
    call_args = list(args)
    inputs = iter(trace.inputs)
    for a, tree in zip(positions, trees):
        call_args[a] = tree.rebuild(inputs)
    result = f(*call_args)
    outputs, output_names = [], []
    output_tree = flatten(result, f"the result of {_name(f)}", outputs, output_names, who)
    for k, y in enumerate(outputs):
        check_finite_input(f"output {k + 1} of {_name(f)}", y)
    trace.outputs = outputs
    return Recording(trace, tuple(trees), output_tree)


def record(f: Callable, *args, argnums=None) -> Trace:
    """Call ``f(*args)`` on traced inputs and return its evaluation trace.

    ``argnums`` says which arguments are variables (default: all); the others are passed
    through as constants.  Each number and each array of an argument is one input (see the
    module's docstring: an array is one input, a list of n numbers n inputs).  ``f`` may
    return a number, an array, or a list, tuple or dict of them; the trace's ``outputs``
    lists their leaves.
    """
    return _record(f, args, argnums).trace


def _output_values(trace: Trace) -> list:
    """The outputs' values (an output may be a constant that no input reaches)."""
    return [y.value if trace.is_variable(y) else y for y in trace.outputs]


def _per_argnums(argnums, per_argument: list):
    """``grad(f, 0)`` returns one gradient; ``grad(f, (0, 1))`` a tuple of them."""
    return tuple(per_argument) if isinstance(argnums, (tuple, list)) else per_argument[0]


def unit_vectors(n: int) -> list[list[float]]:
    """The seeds e_1 .. e_n (1.0 in place k, 0.0 elsewhere): ``jacfwd`` runs one tangent sweep
    per input's e_j, ``jacrev`` one adjoint sweep per output's e_i."""
    return [[1.0 if k == j else 0.0 for k in range(n)] for j in range(n)]


def _unit_seeds(shapes: list) -> list:
    """The unit vectors e_j over the entries of all the leaves, grouped by leaf: for leaf k, one
    seed per entry (row-major), a value per leaf, zero except a 1.0 at that entry (numbers stay
    numbers)."""
    def seed(k: int, j: int) -> list:
        values = [np.zeros(s) if s else 0.0 for s in shapes]
        if shapes[k]:
            values[k].flat[j] = 1.0
        else:
            values[k] = 1.0
        return values

    return [[seed(k, j) for j in range(int(np.prod(shape, dtype=int)))] for k, shape in enumerate(shapes)]


# --- the API ------------------------------------------------------------------------------------


def value_and_grad(f: Callable, argnums=0) -> Callable:
    """Return a function computing ``(f(*args), gradient)`` with one reverse sweep; the
    gradient has the structure and shapes of the differentiated argument(s)."""
    def value_and_grad_f(*args):
        recording = _record(f, args, argnums, "grad")
        trace, out = recording.trace, recording.output
        if out.kind != "leaf" or out.shape != ():
            returned = out.describe() if out.kind == "leaf" else f"{len(trace.outputs)} values"
            raise TypeError(
                f"grad: {_name(f)} must return a single number, but it returned {returned}; "
                f"use jacrev or jacfwd for the whole Jacobian, or vjp for a vector-Jacobian product"
            )
        adjoints = adjoint_sweep(trace, [1.0])
        grads = recording.per_argument(adjoints[: trace.n_inputs])
        return _output_values(trace)[0], _per_argnums(argnums, grads)

    return value_and_grad_f


def grad(f: Callable, argnums=0) -> Callable:
    """Return a function computing the gradient of scalar-valued ``f`` by one reverse sweep."""
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def _matching_leaves(template: Tree, x, primal: str, what: str, who: str) -> list:
    """The leaves of ``x``, which must have ``template``'s structure and leaf shapes."""
    leaves, names = [], []
    tree = flatten(x, what, leaves, names, who, check=False)
    if tree.skeleton != template.skeleton:
        raise ValueError(f"{who}: {primal} is {template.describe()} but its {what} is {tree.describe()}")
    for name, leaf, want in zip(names, leaves, template.leaf_shapes):
        if isinstance(leaf, (np.ndarray, Traced)) and shape_of(leaf) != want:
            raise ValueError(f"{who}: {name} has shape {shape_of(leaf)}, but it must have "
                             f"{primal}'s shape {want}")
    return leaves


def jvp(f: Callable, primals: Sequence, tangents: Sequence):
    """``(f(*primals), J·tangents)``: the value and the directional derivative, one forward
    sweep; each tangent has its primal's structure and shapes."""
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    recording = _record(f, tuple(primals), None, "jvp")
    flat = []
    for k, (tree, t) in enumerate(zip(recording.arguments, tangents)):
        flat.extend(_matching_leaves(tree, t, f"primal {k + 1}", "tangent", "jvp"))
    trace = recording.trace
    tangents_all = tangent_sweep(trace, flat)
    return (recording.outputs(_output_values(trace)),
            recording.outputs(output_tangents(trace, tangents_all)))


def vjp(f: Callable, *primals):
    """``(f(*primals), pullback)``; ``pullback(ȳ)`` returns a tuple of adjoints, one per primal
    (ȳ has the structure and shapes of f's result)."""
    recording = _record(f, primals, None, "vjp")
    trace = recording.trace

    def pullback(cotangent):
        ybar = _matching_leaves(recording.output, cotangent, f"the result of {_name(f)}",
                                "cotangent", "vjp")
        adjoints = adjoint_sweep(trace, ybar)
        return tuple(recording.per_argument(adjoints[: trace.n_inputs]))

    return recording.outputs(_output_values(trace)), pullback


def jacfwd(f: Callable, argnums=0) -> Callable:
    """The Jacobian by forward mode: one tangent sweep per input entry, each giving a column
    (the outputs' tangents)."""
    def column(trace: Trace, seed: list) -> list:
        return output_tangents(trace, tangent_sweep(trace, seed))

    return _jacobian(f, argnums, "jacfwd", column, by_columns=True)


def jacrev(f: Callable, argnums=0) -> Callable:
    """The Jacobian by reverse mode: one adjoint sweep per output entry, each giving a row
    (the inputs' adjoints)."""
    def row(trace: Trace, seed: list) -> list:
        return adjoint_sweep(trace, seed)[: trace.n_inputs]

    return _jacobian(f, argnums, "jacrev", row, by_columns=False)


def _jacobian(f: Callable, argnums, who: str, sweep: Callable, by_columns: bool) -> Callable:
    """The Jacobian of ``f``, one ``sweep`` per entry of the inputs (by columns) or of the
    outputs (by rows), arranged as JAX does: the output's structure outside, each argument's
    structure inside, and each block shaped output leaf's shape + input leaf's shape."""
    def jacobian(*args):
        recording = _record(f, args, argnums, who)
        trace = recording.trace
        in_shapes = [shape_of(x.value) for x in trace.inputs]
        out_shapes = [shape_of(v) for v in _output_values(trace)]
        seeded, other = (in_shapes, out_shapes) if by_columns else (out_shapes, in_shapes)
        # swept[s][j][t]: between entry j of seeded leaf s and the whole of other leaf t
        swept = [[sweep(trace, seed) for seed in seeds] for seeds in _unit_seeds(seeded)]

        def block(o: int, i: int):
            s, t = (i, o) if by_columns else (o, i)
            rows = [_dense(result[t], other[t]) for result in swept[s]]
            return _block(rows, seeded[s], other[t], by_columns)

        # per output leaf, one block per argument; a vector argument's entries are its last axis
        per_output = [recording.per_argument([block(o, i) for i in range(len(in_shapes))], vector_axis=-1)
                      for o in range(len(out_shapes))]
        return _per_argnums(argnums, [recording.outputs([p[a] for p in per_output])
                                      for a in range(len(recording.arguments))])

    return jacobian


def _block(rows: list, seeded_shape: tuple, row_shape: tuple, by_columns: bool):
    """One output leaf's by one input leaf's part of the Jacobian, shaped out_shape + in_shape,
    from one ``row`` (of ``row_shape``) per entry of the seeded leaf.  Traced rows (a Jacobian
    inside another derivative) are stacked with primitives, so that the outer derivative sees
    the stacking."""
    if not seeded_shape and not row_shape:
        return rows[0]  # d(number)/d(number): a number
    shape = seeded_shape + row_shape
    if all(not isinstance(r, Traced) for r in rows):
        stacked = np.array(rows, dtype=float).reshape(shape)
    else:
        stacked = RESHAPE(CONCATENATE(0, *(RESHAPE(r, (1,) + row_shape) for r in rows)), shape)
    if not by_columns or not seeded_shape or not row_shape:
        return stacked  # already the output's axes, then the input's
    n_in = len(seeded_shape)  # by columns the input's axes came first; move them to the end
    return PERMUTE(stacked, tuple(range(n_in, n_in + len(row_shape))) + tuple(range(n_in)))


def _dense(x, shape):
    """A derivative as an array of ``shape`` (a constant output's tangent is a plain 0.0)."""
    if isinstance(x, Traced) or not shape:
        return x
    return np.broadcast_to(np.asarray(x, dtype=float), shape)
