"""What a primitive is, and how applying one is dispatched.

A ``Primitive`` is one elementary operation: a name, how to evaluate it on plain values, and
its derivative rule written with other primitives.  The table of all of them is
``adlessons.primitives``; this module holds only the machinery that the table relies on:

- ``Primitive``: the record of one operation, and its two derivative interfaces, ``jvp``
  (one edge's share of the output's tangent) and ``vjp`` (one edge's share of an operand's
  adjoint).  An elementwise primitive states its local partials and both are derived from
  them; a structural one (matmul, sum, ...) states a jvp and a vjp rule per operand.
- ``Traced``: the base class of values that AD follows (trace nodes, dual numbers, symbolic
  formulas).  Python's operators on them are primitives of the table.
- ``apply``: plain values are evaluated at once; when a traced value is among the operands,
  the newest one processes the primitive (records it, propagates a tangent, builds a formula).
"""

from __future__ import annotations

import math
import numbers
from math import isfinite
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .errors import DomainError, OperandError, array_summary, describe_value

#: Every primitive by name; each ``Primitive`` adds itself when it is made (see the table).
PRIMITIVES: dict = {}


@dataclass(frozen=True, eq=False)
class Primitive:
    """One elementary operation: how to compute it and how to differentiate it.

    ``partials[k](*args, out)`` is the local partial d out / d operand_k of an elementwise
    primitive, written with primitives.  A structural primitive gives instead
    ``jvp_rules[k](tangent_k, *args, out)`` and ``vjp_rules[k](cotangent, *args, out)``.
    ``static`` lists operand slots that are settings (a shape, an axis), not numbers.
    """

    name: str
    evaluate: Callable
    partials: Optional[tuple] = None
    jvp_rules: Optional[tuple] = None
    vjp_rules: Optional[tuple] = None
    arity: Optional[int] = -1  # -1: the number of rules; None: any number of operands
    symbol: str = ""  # infix ("+", "@") or prefix ("-") operator; "" writes name(...)
    precedence: int = 9  # how tightly the symbol binds when printed (9: a name or a call)
    notation: str = ""  # a format string instead, e.g. "{0}ᵀ"
    static: tuple = ()
    domain: Optional[Callable[..., Optional[str]]] = None
    register: bool = True  # False for one made at run time (a checkpointed call): not a table entry

    def __post_init__(self):
        if self.arity == -1:
            rules = self.partials if self.partials is not None else self.vjp_rules
            object.__setattr__(self, "arity", len(rules))
        if self.register:
            PRIMITIVES[self.name] = self

    @property
    def is_elementwise(self) -> bool:
        return self.partials is not None

    def __call__(self, *operands):
        return apply(self, operands)

    def __repr__(self):
        return f"<primitive {self.name}>"

    def partial(self, slot: int, args: tuple, out):
        """The local partial ∂out/∂operand_slot of an elementwise primitive (None for a
        structural one, which has a rule per operand instead of one number per entry)."""
        return self.partials[slot](*args, out) if self.partials is not None else None

    def jvp(self, slot: int, tangent, args: tuple, out):
        """Operand ``slot``'s term of the output's tangent: ∂out/∂operand · tangent."""
        if self.partials is None:
            return self.jvp_rules[slot](tangent, *args, out)
        term = self.partial(slot, args, out) * tangent
        if type(term) is float:  # a number has no shape to match
            return term
        return match_shape(term, shape_of(out))

    def vjp(self, slot: int, cotangent, args: tuple, out):
        """Operand ``slot``'s share of the adjoint: cotangent · ∂out/∂operand."""
        if self.partials is None:
            return self.vjp_rules[slot](cotangent, *args, out)
        contribution = cotangent * self.partial(slot, args, out)
        if type(contribution) is float:  # a number has no shape to match
            return contribution
        return match_shape(contribution, shape_of(args[slot]))

    def format(self, *operand_texts: str) -> str:
        """This operation applied to operands, e.g. ``v₁ * v₂``, ``-v₁`` or ``sin(v₁)``."""
        if self.notation:
            return self.notation.format(*operand_texts)
        if self.symbol and len(operand_texts) == 2:
            return f"{operand_texts[0]} {self.symbol} {operand_texts[1]}"
        if self.symbol:
            return f"{self.symbol}{operand_texts[0]}"
        return f"{self.name}({', '.join(operand_texts)})"


def match_shape(x, shape: tuple):
    """``x`` summed or broadcast to ``shape``: a broadcast operand's adjoint is summed back to
    the operand's own shape, and a tangent is spread to the output's shape."""
    have = shape_of(x)
    if have == shape or have is None or shape is None:  # None: a formula's shape is not known
        return x
    if len(have) > len(shape) or any(h != s and h != 1 for h, s in zip(have[::-1], shape[::-1])):
        return PRIMITIVES["sum_to"](x, shape)
    return PRIMITIVES["broadcast_to"](x, shape)


# --- traced values --------------------------------------------------------------------------


class Traced:
    """Base class of values that AD machinery follows through a computation.

    Subclasses (``Node``, ``Dual``, ``Expr``) have a ``level``: when one operation mixes
    traced values of different levels, the newest (highest) level processes it and treats
    the others as constants.  This keeps nested derivatives apart (no perturbation
    confusion).  Python's operators on traced values are the table's primitives.

    ``==`` and ``<`` compare the numbers underneath, so a function's ``if x == 0:`` runs as
    on floats (the branch taken is what gets recorded); hashing is by identity, so traced
    values are usable as dict keys even when two hold equal numbers, as PyTorch tensors are.
    Code that means "the same node" writes ``is``.
    """

    __slots__ = ()
    level = 0

    def process_primitive(self, primitive: Primitive, operands: tuple):  # pragma: no cover
        """Handle ``primitive(*operands)`` for this kind of traced value."""
        raise NotImplementedError

    def where(self, primitive: Primitive, operands: tuple) -> str:
        """Words for error messages saying where ``primitive(*operands)`` was being computed."""
        return ""

    @property
    def shape(self) -> tuple:
        return shape_of(primal(self))

    def __add__(self, other):
        return apply(PRIMITIVES["add"], (self, other))

    def __radd__(self, other):
        return apply(PRIMITIVES["add"], (other, self))

    def __sub__(self, other):
        return apply(PRIMITIVES["sub"], (self, other))

    def __rsub__(self, other):
        return apply(PRIMITIVES["sub"], (other, self))

    def __mul__(self, other):
        return apply(PRIMITIVES["mul"], (self, other))

    def __rmul__(self, other):
        return apply(PRIMITIVES["mul"], (other, self))

    def __truediv__(self, other):
        return apply(PRIMITIVES["div"], (self, other))

    def __rtruediv__(self, other):
        return apply(PRIMITIVES["div"], (other, self))

    def __pow__(self, other):
        return power(self, other)

    def __rpow__(self, other):
        return power(other, self)

    def __neg__(self):
        return apply(PRIMITIVES["neg"], (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return apply(PRIMITIVES["abs"], (self,))

    # Array syntax: each is a structural primitive of the table.
    def __matmul__(self, other):
        return apply(PRIMITIVES["matmul"], (self, other))

    def __rmatmul__(self, other):
        return apply(PRIMITIVES["matmul"], (other, self))

    def __getitem__(self, index):
        return apply(PRIMITIVES["getitem"], (self, Index(index)))

    def __iter__(self):
        if not shape_of(self):
            raise TypeError("a traced number is not a sequence: only traced arrays can be iterated over")
        return (self[k] for k in range(shape_of(self)[0]))

    def __len__(self):
        if not shape_of(self):
            raise TypeError("len() of a traced number: only traced arrays have a length")
        return shape_of(self)[0]

    @property
    def T(self):
        return apply(PRIMITIVES["transpose"], (self,))

    @property
    def ndim(self) -> int:
        return len(shape_of(self))

    @property
    def size(self) -> int:
        return int(np.prod(shape_of(self), dtype=int))

    def reshape(self, *shape):
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``: NumPy takes the shape either way."""
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        return apply(PRIMITIVES["reshape"], (self, tuple(shape)))

    def sum(self, axis=None, keepdims=False):
        return apply(PRIMITIVES["sum"], (self, axis, keepdims))

    def mean(self, axis=None, keepdims=False):
        return apply(PRIMITIVES["mean"], (self, axis, keepdims))

    def __lt__(self, other):
        return primal(self) < primal(other)

    def __le__(self, other):
        return primal(self) <= primal(other)

    def __gt__(self, other):
        return primal(self) > primal(other)

    def __ge__(self, other):
        return primal(self) >= primal(other)

    def __eq__(self, other):
        return primal(self) == primal(other)

    def __ne__(self, other):
        return primal(self) != primal(other)

    __hash__ = object.__hash__

    def __bool__(self):
        return bool(primal(self))

    def __index__(self):
        raise TypeError(
            "a traced value cannot be used as a whole number (in range(), as an index, ...): "
            "if this argument is a count, not a variable, leave it out of argnums "
            "(e.g. record(f, x, n, argnums=0))"
        )

    def __float__(self):
        raise TypeError(
            "a traced value cannot become a plain float: that would drop its derivative. "
            "Use adlessons' functions (adlessons.sin, not math.sin), or primal(x) to read the number"
        )

    # NumPy on traced values: np.sin(x) and np.float64(2) * x use the table's primitive when
    # there is one; anything else gets a sentence saying what to use, not an error from deep
    # inside NumPy.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = _NUMPY_NAMES.get(ufunc.__name__, ufunc.__name__)
        if method == "__call__" and not kwargs and ufunc is np.power:
            return power(*inputs)
        if method == "__call__" and not kwargs and name in PRIMITIVES:
            return PRIMITIVES[name](*inputs)
        raise TypeError(
            f"numpy.{ufunc.__name__} cannot follow a traced value's derivative: use "
            f"adlessons.numpy (import adlessons.numpy as anp) or adlessons' own functions"
        )

    def __array_function__(self, func, types, args, kwargs):
        raise TypeError(
            f"numpy.{func.__name__} cannot follow a traced value's derivative: use "
            f"adlessons.numpy.{func.__name__} (import adlessons.numpy as anp) instead"
        )


#: NumPy's names for the table's primitives, where they differ.
_NUMPY_NAMES = {"subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
                "negative": "neg", "absolute": "abs"}


# An index is a setting (a static operand) of the indexing primitive; it prints as written.


class Index:
    """An index (``x[1:, 0]``'s ``(slice(1, None), 0)``) that prints as it was written: ``1:, 0``."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key.key if isinstance(key, Index) else key

    def __repr__(self) -> str:
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        return ", ".join(_index_text(k) for k in parts)


def _index_text(k) -> str:
    if isinstance(k, slice):
        text = ":".join("" if v is None else str(v) for v in (k.start, k.stop))
        return text + ("" if k.step is None else f":{k.step}")
    if k is Ellipsis:
        return "..."
    if k is None:
        return "None"
    if isinstance(k, (list, np.ndarray)) and np.size(k) > 6:
        return array_summary(np.asarray(k))
    return repr(np.asarray(k).tolist()) if isinstance(k, np.ndarray) else repr(k)


def power(base, exponent):
    """``base ** exponent``: a constant exponent uses pow, a traced one rpow (base > 0)."""
    if isinstance(exponent, Traced):
        return PRIMITIVES["rpow"](base, exponent)
    return PRIMITIVES["pow"](base, exponent)


# --- applying a primitive ---------------------------------------------------------------------


def apply(primitive: Primitive, operands: tuple):
    """Apply ``primitive``: evaluate plain values now, or hand over to the newest traced operand."""
    owner = None
    for x in operands:
        if isinstance(x, Traced) and (owner is None or x.level > owner.level):
            owner = x
    if owner is None:
        return evaluate_plain(primitive, operands)
    return owner.process_primitive(primitive, operands)


def evaluate_plain(primitive: Primitive, operands: tuple, known_finite: tuple = ()):
    """Evaluate on plain values, refusing non-numbers, inputs outside the domain and
    non-finite results, each with a sentence that names the operation and the value.
    ``known_finite`` names operand slots already checked (a trace's nodes' values)."""
    arrays = False
    for k, x in enumerate(operands):
        if type(x) is float and isfinite(x) or k in primitive.static:
            continue  # the usual case, checked first
        if k in known_finite:
            arrays = arrays or isinstance(x, np.ndarray)
            continue
        if not is_plain_value(x):
            raise OperandError(primitive.name, x)
        if not is_finite(x):
            raise DomainError(primitive.name, operands, f"the operand {describe_value(x)} is {_not_finite(x)}")
        arrays = arrays or isinstance(x, np.ndarray)
    if primitive.domain is not None:
        problem = primitive.domain(*operands)
        if problem:
            raise DomainError(primitive.name, operands, problem)
    try:
        if arrays:
            with np.errstate(all="ignore"):  # overflow is reported below, as for numbers
                out = primitive.evaluate(*operands)
        else:
            out = primitive.evaluate(*operands)
    except OverflowError:  # math.exp(1000)
        out = math.inf
    except ValueError as error:  # NumPy's, e.g. shapes that do not broadcast together
        if not arrays:
            raise
        raise DomainError(primitive.name, operands, _array_problem(primitive, operands, error)) from None
    if type(out) is float and isfinite(out) or is_finite(out):
        return out
    problem = ("the result is too large for a float" if isinstance(out, int)
               else f"the result {describe_value(out)} is {_not_finite(out)}")
    raise DomainError(primitive.name, operands, problem)


def _array_problem(primitive: Primitive, operands: tuple, error: ValueError) -> str:
    """NumPy's complaint in words that name the shapes (broadcasting is the usual one)."""
    arrays = [x for k, x in enumerate(operands) if k not in primitive.static]
    shown = shapes_text(*arrays)
    if primitive.is_elementwise:
        try:
            np.broadcast_shapes(*map(shape_of, arrays))
        except ValueError:
            return (f"the shapes {shown} do not broadcast together (NumPy's rule: compared from "
                    f"the last axis, each pair of lengths must be equal or one of them 1)")
    return f"NumPy refused operands of shapes {shown}: {error}"


def _not_finite(x) -> str:
    return "not all finite (it has inf or nan entries)" if isinstance(x, np.ndarray) else "not a finite float"


# --- plain values ----------------------------------------------------------------------------


def primal(x):
    """The plain value underneath a traced value (digging through nested levels)."""
    while isinstance(x, Traced):
        x = x.primal
    return x


def is_number(x) -> bool:
    """Plain real numbers (int, float, numpy scalars) are constants; bool and complex are not."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def is_plain_value(x) -> bool:
    """A real number, or a NumPy array of floats: the values a primitive evaluates on."""
    return is_number(x) or (isinstance(x, np.ndarray) and x.dtype.kind == "f")


def is_finite(x) -> bool:
    """True for finite numbers and arrays whose entries are all finite (3 ** 1000 is not a
    finite float)."""
    if isinstance(x, np.ndarray):
        return x.dtype.kind == "f" and bool(np.isfinite(x).all())
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def shape_of(x) -> tuple:
    """The shape of a value: () for a number, ``x.shape`` for arrays and traced values."""
    return getattr(x, "shape", ())


def shapes_text(*xs) -> str:
    """The operands' shapes for a message: ``(3, 4) and (3,)``."""
    return " and ".join(str(shape_of(x)) for x in xs)


def zeros_like(value):
    """A zero of ``value``'s shape: 0.0 for a number, an array of zeros for an array (the
    derivative of something that does not depend on the variable)."""
    shape = shape_of(value)
    return np.zeros(shape) if shape else 0.0


def check_finite_input(name: str, x) -> None:
    """Refuse nan, inf and non-numbers as inputs (or outputs) of differentiation, naming them."""
    if isinstance(x, Traced):
        return
    if not is_plain_value(x):
        raise OperandError(name, x)
    if not is_finite(x):
        problem = "has inf or nan entries" if isinstance(x, np.ndarray) else "is not a finite number"
        raise DomainError(name, None, f"{describe_value(x)} {problem}; "
                          "derivatives are taken at finite points")
