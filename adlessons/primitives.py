"""The one table of elementary operations.

Each primitive is defined once, here: its name, how to evaluate it (on floats and on float
arrays), and its derivative rule written with other primitives (d sin(u)/du = cos(u)).
Three interpreters read the same rule:

- evaluate: plain numbers go straight through ``evaluate``;
- differentiate: the sweeps apply the rule to numbers (or, for higher derivatives, to traced
  values, which records the rule itself);
- print: ``adlessons.presentation`` applies the rule to symbols and prints the formula a
  learner reads in tables, graphs and the stepper.

An elementwise primitive lists its local partials ``partials[k](*operands, out)``; its
forward (jvp) and reverse (vjp) rules follow from them, elementwise, with a broadcast
operand's adjoint summed back to its shape.  A structural primitive (it moves or combines
entries) lists a jvp and a vjp rule per operand instead.  What a primitive *is* and how it is
applied lives in ``adlessons.primitive``; the domain checks in ``adlessons.domains``; the few
evaluations that need more than an operator or a math function in ``adlessons.kernels``.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from . import domains
from .kernels import on_numbers_or_arrays, relu, sigmoid, sign, sum_to
from .primitive import PRIMITIVES, Index, Primitive, power, shape_of  # noqa: F401 (re-exported)


# --- the table -------------------------------------------------------------------------------
# Partials take (*operands, out) and may use any primitive, including the one being defined.

ADD = Primitive("add", operator.add, symbol="+", precedence=1,
                partials=(lambda x, y, out: 1.0, lambda x, y, out: 1.0))
SUB = Primitive("sub", operator.sub, symbol="-", precedence=1,
                partials=(lambda x, y, out: 1.0, lambda x, y, out: -1.0))
MUL = Primitive("mul", operator.mul, symbol="*", precedence=2,
                partials=(lambda x, y, out: y, lambda x, y, out: x))
DIV = Primitive("div", operator.truediv, symbol="/", precedence=2, domain=domains.nonzero_divisor,
                partials=(lambda x, y, out: 1.0 / y, lambda x, y, out: -out / y))
NEG = Primitive("neg", operator.neg, symbol="-", precedence=3,
                partials=(lambda x, out: -1.0,))
POW = Primitive("pow", operator.pow, symbol="**", precedence=4, domain=domains.real_power,
                partials=(lambda x, c, out: 0.0 if c == 0 else c * x ** (c - 1),  # x ** c, c constant
                          domains.constant_exponent))
RPOW = Primitive("rpow", operator.pow, symbol="**", precedence=4, domain=domains.positive_base,
                 partials=(lambda x, y, out: y * x ** (y - 1),  # x ** y, y traced
                           lambda x, y, out: out * LOG(x)))
SQUARE = Primitive("square", lambda x: x * x,
                   partials=(lambda x, out: 2.0 * x,))
SQRT = Primitive("sqrt", on_numbers_or_arrays(math.sqrt, np.sqrt), domain=domains.nonnegative,
                 partials=(lambda x, out: 0.5 / out,))
EXP = Primitive("exp", on_numbers_or_arrays(math.exp, np.exp),
                partials=(lambda x, out: out,))
LOG = Primitive("log", on_numbers_or_arrays(math.log, np.log), domain=domains.positive,
                partials=(lambda x, out: 1.0 / x,))
SIN = Primitive("sin", on_numbers_or_arrays(math.sin, np.sin),
                partials=(lambda x, out: COS(x),))
COS = Primitive("cos", on_numbers_or_arrays(math.cos, np.cos),
                partials=(lambda x, out: -SIN(x),))
TAN = Primitive("tan", on_numbers_or_arrays(math.tan, np.tan),
                partials=(lambda x, out: 1.0 + out * out,))
TANH = Primitive("tanh", on_numbers_or_arrays(math.tanh, np.tanh),
                 partials=(lambda x, out: 1.0 - out * out,))
SIGMOID = Primitive("sigmoid", sigmoid,
                    partials=(lambda x, out: out * (1.0 - out),))
SIGN = Primitive("sign", sign,
                 partials=(lambda x, out: 0.0,))
RELU = Primitive("relu", relu,  # relu'(x) = sign(relu(x)): 1 for x > 0, 0 for x <= 0 (as PyTorch)
                 partials=(lambda x, out: SIGN(out),))
ABS = Primitive("abs", abs,  # abs'(0) = sign(0) = 0, a subgradient (PyTorch's choice; JAX gives 1)
                partials=(lambda x, out: SIGN(x),))

# Structural primitives: each states its forward and reverse rule per operand.  The shape
# operand is a setting (static), not a variable.  These two carry broadcasting: every
# elementwise rule uses them to give an adjoint its operand's shape back.
SUM_TO = Primitive(
    "sum_to", sum_to, arity=2, static=(1,),
    jvp_rules=(lambda t, x, shape, out: SUM_TO(t, shape), None),
    vjp_rules=(lambda g, x, shape, out: BROADCAST_TO(g, shape_of(x)), None),
)
BROADCAST_TO = Primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape), arity=2, static=(1,),
    jvp_rules=(lambda t, x, shape, out: BROADCAST_TO(t, shape), None),
    vjp_rules=(lambda g, x, shape, out: SUM_TO(g, shape_of(x)), None),
)

# === structural primitives: arrays (the arrays issue) ===========================================
# Each moves, combines or reduces whole arrays, so it has no single local partial per operand:
# it states a forward rule jvp_rules[k](tangent, *args, out) and a reverse rule
# vjp_rules[k](cotangent, *args, out) per operand, written with primitives (so that higher order
# works on arrays too, and presentation can print them).  Settings (an axis, a shape, an index)
# are static operands: their rule is None.  Models: HIPS autograd's numpy_vjps.py (one rule per
# operand), autodidax's jvp and transpose rules; Giles 2008 for inv, det and solve.  Their
# domain checks (shapes that line up, axes that exist, invertible matrices) are in domains.py.


def _ndim(x) -> int:
    return len(shape_of(x))


def _as_float(x):
    """A 0-d result is a plain float, so that scalar code meets the numbers it always met."""
    return float(x) if np.ndim(x) == 0 else x


MATMUL = Primitive(
    "matmul", lambda a, b: _as_float(np.matmul(a, b)), symbol="@", precedence=2, domain=domains.matmul_shapes,
    # C = A B:  Ċ = Ȧ B + A Ḃ;  Ā = C̄ Bᵀ,  B̄ = Aᵀ C̄  (1-D operands: the outer or inner product)
    jvp_rules=(lambda t, a, b, out: MATMUL(t, b), lambda t, a, b, out: MATMUL(a, t)),
    vjp_rules=(lambda g, a, b, out: _matmul_adjoint_left(g, a, b),
               lambda g, a, b, out: _matmul_adjoint_right(g, a, b)),
)


def _matmul_adjoint_left(g, a, b):
    """Ā for C = A B: C̄ Bᵀ; for a vector B it is the outer product C̄ Bᵀ, for a vector A, B C̄."""
    if _ndim(a) == 1 and _ndim(b) == 1:
        return MUL(g, b)
    if _ndim(a) == 1:
        return MATMUL(b, g)
    if _ndim(b) == 1:
        return OUTER(g, b)
    return MATMUL(g, TRANSPOSE(b))


def _matmul_adjoint_right(g, a, b):
    """B̄ for C = A B: Aᵀ C̄; for a vector A it is the outer product A C̄ᵀ."""
    if _ndim(a) == 1 and _ndim(b) == 1:
        return MUL(g, a)
    if _ndim(a) == 1:
        return OUTER(a, g)
    return MATMUL(TRANSPOSE(a), g)


OUTER = Primitive(  # u vᵀ: (u vᵀ)ij = u_i v_j
    "outer", np.outer, notation="{0} {1}ᵀ", precedence=2, domain=domains.outer_shapes,
    jvp_rules=(lambda t, u, v, out: OUTER(t, v), lambda t, u, v, out: OUTER(u, t)),
    vjp_rules=(lambda g, u, v, out: MATMUL(g, v), lambda g, u, v, out: MATMUL(u, g)),
)

TRANSPOSE = Primitive(  # axes reversed: Aᵀ for a matrix, a vector unchanged
    "transpose", lambda x: _as_float(np.transpose(x)), notation="{0}ᵀ", precedence=9,
    jvp_rules=(lambda t, x, out: TRANSPOSE(t),),
    vjp_rules=(lambda g, x, out: TRANSPOSE(g),),
)


def _inverse_permutation(axes):
    inverse = [0] * len(axes)
    for k, a in enumerate(axes):
        inverse[a] = k
    return tuple(inverse)


PERMUTE = Primitive(  # numpy.transpose(x, axes) with the axes given
    "permute_dims", lambda x, axes: np.transpose(x, axes), static=(1,), arity=2,
    jvp_rules=(lambda t, x, axes, out: PERMUTE(t, axes), None),
    vjp_rules=(lambda g, x, axes, out: PERMUTE(g, _inverse_permutation(axes)), None),
)


RESHAPE = Primitive(
    "reshape", lambda x, shape: _as_float(np.reshape(x, shape)), static=(1,), arity=2,
    domain=domains.reshape_fits,
    jvp_rules=(lambda t, x, shape, out: RESHAPE(t, shape_of(out)), None),
    vjp_rules=(lambda g, x, shape, out: RESHAPE(g, shape_of(x)), None),
)


def _axes(axis, ndim: int) -> tuple:
    """An ``axis`` setting (None, an int, or a tuple; negative counts from the end) as sorted axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def _kept_shape(x, axis) -> tuple:
    """The shape of a reduction over ``axis`` with keepdims=True: a 1 where an axis was reduced."""
    shape, axes = shape_of(x), _axes(axis, _ndim(x))
    return tuple(1 if k in axes else n for k, n in enumerate(shape))


def _spread_back(g, x, axis, keepdims):
    """A reduction's adjoint: ḡ given its reduced axes back (as size 1), then broadcast to x's
    shape (a number, the reduction of every axis, broadcasts as it is)."""
    if not keepdims and axis is not None:
        g = RESHAPE(g, _kept_shape(x, axis))
    return BROADCAST_TO(g, shape_of(x))


class _Reduction(Primitive):
    """A reduction prints as NumPy code does: ``sum(v₂)``, ``sum(v₂, axis=1, keepdims=True)``."""

    def format(self, x_text: str, axis_text: str = "None", keepdims_text: str = "False") -> str:
        settings = ("" if axis_text == "None" else f", axis={axis_text}") + (
            ", keepdims=True" if keepdims_text == "True" else "")
        return f"{self.name}({x_text}{settings})"


def _count(x, axis) -> int:
    shape = shape_of(x)
    return int(np.prod([shape[a] for a in _axes(axis, len(shape))], dtype=int))


SUM = _Reduction(
    "sum", lambda x, axis, keepdims: _as_float(np.sum(x, axis=axis, keepdims=keepdims)),
    static=(1, 2), arity=3, domain=domains.axis_exists,
    jvp_rules=(lambda t, x, axis, keepdims, out: SUM(t, axis, keepdims), None, None),
    vjp_rules=(lambda g, x, axis, keepdims, out: _spread_back(g, x, axis, keepdims), None, None),
)
MEAN = _Reduction(
    "mean", lambda x, axis, keepdims: _as_float(np.mean(x, axis=axis, keepdims=keepdims)),
    static=(1, 2), arity=3, domain=domains.axis_exists,
    jvp_rules=(lambda t, x, axis, keepdims, out: MEAN(t, axis, keepdims), None, None),
    vjp_rules=(lambda g, x, axis, keepdims, out: _spread_back(DIV(g, _count(x, axis)), x, axis, keepdims),
               None, None),
)


def _key(index):
    return index.key if isinstance(index, Index) else index


INDEX = Primitive(  # x[index]; the adjoint scatters back into zeros of x's shape
    "getitem", lambda x, index: _as_float(np.asarray(x)[_key(index)]), static=(1,), arity=2,
    notation="{0}[{1}]", precedence=9, domain=domains.index_fits,
    jvp_rules=(lambda t, x, index, out: INDEX(t, index), None),
    vjp_rules=(lambda g, x, index, out: SCATTER(g, index, shape_of(x)), None),
)


def _scatter(g, index, shape):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices add up)."""
    out = np.zeros(shape)
    np.add.at(out, _key(index), g)
    return _as_float(out)


SCATTER = Primitive(  # the transpose of indexing: g put back where x[index] came from
    "scatter", _scatter, static=(1, 2), arity=3, notation="scatter({0}, [{1}], {2})",
    jvp_rules=(lambda t, g, index, shape, out: SCATTER(t, index, shape), None, None),
    vjp_rules=(lambda h, g, index, shape, out: INDEX(h, index), None, None),
)


class PerSlot(tuple):
    """The rules of a primitive with any number of operands: ``rules[k]`` is ``rule(k, ...)``."""

    def __new__(cls, rule):
        self = super().__new__(cls, ())
        self.rule = rule
        return self

    def __getitem__(self, k):
        return lambda *args: self.rule(k, *args)


def _block(k: int, axis: int, xs) -> tuple:
    """The index of operand k's block (slot k, after the axis) inside the concatenation."""
    ndim = _ndim(xs[0])
    axis = axis % ndim
    start = sum(shape_of(x)[axis] for x in xs[: k - 1])
    return Index((slice(None),) * axis + (slice(start, start + shape_of(xs[k - 1])[axis]),))


CONCATENATE = Primitive(  # concatenate(axis, x1, x2, ...): the axis comes first, a setting
    "concatenate", lambda axis, *xs: np.concatenate(xs, axis=axis), static=(0,), arity=None,
    domain=domains.concatenate_shapes,
    jvp_rules=PerSlot(lambda k, t, axis, *rest: SCATTER(t, _block(k, axis, rest[:-1]), shape_of(rest[-1]))),
    vjp_rules=PerSlot(lambda k, g, axis, *rest: INDEX(g, _block(k, axis, rest[:-1]))),
)


MAXIMUM = Primitive(  # elementwise; at a tie each operand gets half the derivative (as JAX)
    "maximum", lambda x, y: _as_float(np.maximum(x, y)),
    partials=(lambda x, y, out: 0.5 * (1.0 + SIGN(x - y)), lambda x, y, out: 0.5 * (1.0 - SIGN(x - y))),
)


WHERE = Primitive(  # where(condition, x, y): the condition is a setting, x and y elementwise
    "where", lambda condition, x, y: _as_float(np.where(condition, x, y)), static=(0,), domain=domains.boolean_condition,
    partials=(None, lambda c, x, y, out: WHERE(c, 1.0, 0.0), lambda c, x, y, out: WHERE(c, 0.0, 1.0)),
)


# --- Giles 2008: inverse, determinant, solve ------------------------------------------------------


INV = Primitive(  # C = A⁻¹ (Giles 2008):  Ċ = -C Ȧ C,  Ā = -Cᵀ C̄ Cᵀ
    "inv", np.linalg.inv, domain=lambda a: domains.invertible(a, "inv"),
    jvp_rules=(lambda t, a, out: NEG(MATMUL(MATMUL(out, t), out)),),
    vjp_rules=(lambda g, a, out: NEG(MATMUL(MATMUL(TRANSPOSE(out), g), TRANSPOSE(out))),),
)


DET = Primitive(  # C = det A (Giles 2008):  Ċ = C tr(A⁻¹ Ȧ),  Ā = C̄ C A⁻ᵀ; the rules need A⁻¹
    "det", lambda a: float(np.linalg.det(a)), domain=lambda a: domains.square_matrix(a, "det"),
    jvp_rules=(lambda t, a, out: MUL(out, SUM(MUL(TRANSPOSE(INV(a)), t), None, False)),),
    vjp_rules=(lambda g, a, out: MUL(MUL(g, out), TRANSPOSE(INV(a))),),
)


def _solve_adjoint_b(g, a):
    """B̄ = A⁻ᵀ C̄ for C = A⁻¹ B."""
    return SOLVE(TRANSPOSE(a), g)


def _solve_adjoint_a(g, a, out):
    """Ā = -B̄ Cᵀ for C = A⁻¹ B (an outer product when B is a vector)."""
    bbar = _solve_adjoint_b(g, a)
    return NEG(OUTER(bbar, out) if _ndim(out) == 1 else MATMUL(bbar, TRANSPOSE(out)))


SOLVE = Primitive(  # C = A⁻¹ B (Giles 2008):  Ċ = A⁻¹ (Ḃ - Ȧ C);  B̄ = A⁻ᵀ C̄,  Ā = -B̄ Cᵀ
    "solve", np.linalg.solve, domain=domains.solve_shapes,
    jvp_rules=(lambda t, a, b, out: NEG(SOLVE(a, MATMUL(t, out))), lambda t, a, b, out: SOLVE(a, t)),
    vjp_rules=(lambda g, a, b, out: _solve_adjoint_a(g, a, out), lambda g, a, b, out: _solve_adjoint_b(g, a)),
)
