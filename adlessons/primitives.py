"""The one table of elementary operations.

Every primitive is defined exactly once, here: its name, how it is shown in graphs and
tables, how to evaluate it on plain floats, what inputs it accepts, and its local partial
derivatives.  The partials are *written with primitives* (d sin(u)/du = cos(u)), so when
they are applied to traced values they are themselves recorded, and higher derivatives
fall out.  Forward mode, reverse mode, symbolic differentiation, graph labels and trace
tables all read this table; none of them keeps derivative rules of its own.

Calling a primitive (``SIN(x)``) dispatches on what ``x`` is: plain numbers are evaluated
right away; traced values (nodes of a trace, dual numbers, symbolic expressions) are
handed to the newest of them, which records, propagates or builds the operation.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .errors import DomainError, OperandError, describe_value


class Traced:
    """Base class of values that AD machinery follows through a computation.

    Subclasses (``Node``, ``Dual``, ``Expr``) have a ``level``: when one operation mixes
    traced values of different levels, the newest (highest) level handles it and treats
    the others as constants.  This is what keeps nested derivatives apart (no
    perturbation confusion).  Operators are defined once, here, for all of them.
    """

    __slots__ = ()
    level = 0

    def lift(self, primitive: "Primitive", operands: tuple):  # pragma: no cover - abstract
        raise NotImplementedError

    def where(self, primitive: "Primitive", operands: tuple) -> str:
        """Words for error messages saying where ``primitive(*operands)`` was being computed."""
        return ""

    def __add__(self, other):
        return apply(ADD, (self, other))

    def __radd__(self, other):
        return apply(ADD, (other, self))

    def __sub__(self, other):
        return apply(SUB, (self, other))

    def __rsub__(self, other):
        return apply(SUB, (other, self))

    def __mul__(self, other):
        return apply(MUL, (self, other))

    def __rmul__(self, other):
        return apply(MUL, (other, self))

    def __truediv__(self, other):
        return apply(DIV, (self, other))

    def __rtruediv__(self, other):
        return apply(DIV, (other, self))

    def __pow__(self, other):
        return power(self, other)

    def __rpow__(self, other):
        return power(other, self)

    def __neg__(self):
        return apply(NEG, (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return ABS(self)

    # Comparisons look at the number underneath, so Python's `if` and `max` work; the branch
    # taken is what gets recorded (the derivative is that of the branch, as in autograd).
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

    __hash__ = object.__hash__  # traced values stay usable as dict keys, by identity

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


@dataclass(frozen=True, eq=False)
class Primitive:
    """One elementary operation: how to compute it and its local partial derivatives.

    ``partials[k](*operands, out)`` is d out / d operand_k, written with primitives;
    ``partial_texts[k]`` is the same rule as a formula, where ``{0}``, ``{1}`` stand for
    the operands and ``{out}`` for the result.
    """

    name: str
    arity: int
    evaluate: Callable[..., float]
    partials: tuple
    partial_texts: tuple
    symbol: str = ""  # infix symbol ("+", "*") or "" for function-call notation
    domain: Optional[Callable[..., Optional[str]]] = None

    def __call__(self, *operands):
        return apply(self, operands)

    def __repr__(self):
        return f"<primitive {self.name}>"

    def format(self, *operand_texts: str) -> str:
        """Write this operation applied to operands, e.g. ``v1 * v2`` or ``sin(v1)``."""
        if self.arity == 2 and self.symbol:
            return f"{operand_texts[0]} {self.symbol} {operand_texts[1]}"
        if self.symbol:  # prefix operator: unary minus
            return f"{self.symbol}{operand_texts[0]}"
        return f"{self.name}({', '.join(operand_texts)})"

    def partial_text(self, k: int, *operand_texts: str, out: str = "") -> str:
        """The formula of d out / d operand_k with the given operand names filled in."""
        return self.partial_texts[k].format(*operand_texts, out=out)


def primal(x):
    """The plain number underneath a traced value (digging through nested levels)."""
    while isinstance(x, Traced):
        x = x.primal
    return x


def is_number(x) -> bool:
    """Plain real numbers (int, float, numpy scalars) are constants; bool and complex are not."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def apply(primitive: Primitive, operands: tuple):
    """Apply ``primitive``: evaluate plain numbers now, or hand over to the newest traced operand."""
    owner, bad = None, None
    for x in operands:
        if isinstance(x, Traced):
            if owner is None or x.level > owner.level:
                owner = x
        elif type(x) is not float and bad is None and not is_number(x):
            bad = (x,)
    if bad is not None:
        error = OperandError(primitive.name, bad[0])
        raise error.at(owner.where(primitive, operands) if owner is not None else "")
    if owner is None:
        return evaluate_numbers(primitive, operands)
    return owner.lift(primitive, operands)


def evaluate_numbers(primitive: Primitive, operands) -> float:
    """Evaluate on plain numbers, refusing inputs outside the domain and non-finite results."""
    for x in operands:
        if not _fits_a_finite_float(x):
            raise DomainError(primitive.name, operands,
                              f"the operand {describe_value(x)} is not a finite float")
    if primitive.domain is not None:
        problem = primitive.domain(*operands)
        if problem:
            raise DomainError(primitive.name, operands, problem)
    try:
        out = primitive.evaluate(*operands)
    except OverflowError:  # math.exp(1000)
        out = math.inf
    if not _fits_a_finite_float(out):
        problem = ("the result is too large for a float" if isinstance(out, int)
                   else f"the result {out!r} is not a finite float")
        raise DomainError(primitive.name, operands, problem)
    return out


def _fits_a_finite_float(x) -> bool:
    """True for numbers that are finite floats (an int like 3 ** 1000 is too big to be one)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


# --- domain checks: return a sentence saying what is wrong, or None -----------------------


def _nonzero_divisor(x, y):
    return "division by zero" if y == 0 else None


def _positive(x):
    return None if x > 0 else f"log is defined only for positive numbers, got {x!r}"


def _nonnegative(x):
    return None if x >= 0 else f"sqrt is defined only for numbers >= 0, got {x!r}"


def _power_domain(x, y):
    if x == 0 and y < 0:
        return f"0 cannot be raised to a negative power ({y!r})"
    if x < 0 and y != int(y):
        return f"a negative base ({x!r}) to a non-integer power ({y!r}) is not a real number"
    return None


def _exp_of_log_domain(x, y):
    if x <= 0:
        return (
            f"a traced exponent needs a positive base (d/dy x**y = x**y * log(x)), got base {x!r}"
        )
    return None


def _exponent_must_be_constant(x, c, out):
    raise TypeError(
        "pow takes a constant exponent, but the exponent is traced: write x ** y, which uses "
        "rpow (d/dy x**y = x**y * log(x)) for a traced exponent"
    )


# --- the table -------------------------------------------------------------------------------
# Partials take (*operands, out).  They may use any primitive, including the one being defined.

ADD = Primitive(
    "add", 2, lambda x, y: x + y,
    partials=(lambda x, y, out: 1.0, lambda x, y, out: 1.0),
    partial_texts=("1", "1"), symbol="+",
)
SUB = Primitive(
    "sub", 2, lambda x, y: x - y,
    partials=(lambda x, y, out: 1.0, lambda x, y, out: -1.0),
    partial_texts=("1", "-1"), symbol="-",
)
MUL = Primitive(
    "mul", 2, lambda x, y: x * y,
    partials=(lambda x, y, out: y, lambda x, y, out: x),
    partial_texts=("{1}", "{0}"), symbol="*",
)
DIV = Primitive(
    "div", 2, lambda x, y: x / y,
    partials=(lambda x, y, out: 1.0 / y, lambda x, y, out: -out / y),
    partial_texts=("1/{1}", "-{out}/{1}"), symbol="/", domain=_nonzero_divisor,
)
NEG = Primitive(
    "neg", 1, lambda x: -x,
    partials=(lambda x, out: -1.0,),
    partial_texts=("-1",), symbol="-",
)
POW = Primitive(  # x ** c with a constant exponent c
    "pow", 2, lambda x, c: x ** c,
    partials=(lambda x, c, out: 0.0 if c == 0 else c * x ** (c - 1), _exponent_must_be_constant),
    partial_texts=("{1} * {0}**({1} - 1)", ""), symbol="**", domain=_power_domain,
)
RPOW = Primitive(  # x ** y with a traced exponent y: needs x > 0
    "rpow", 2, lambda x, y: x ** y,
    partials=(lambda x, y, out: y * x ** (y - 1), lambda x, y, out: out * LOG(x)),
    partial_texts=("{1} * {0}**({1} - 1)", "{out} * log({0})"), symbol="**",
    domain=_exp_of_log_domain,
)
SQUARE = Primitive(
    "square", 1, lambda x: x * x,
    partials=(lambda x, out: 2.0 * x,),
    partial_texts=("2 * {0}",),
)
SQRT = Primitive(
    "sqrt", 1, math.sqrt,
    partials=(lambda x, out: 0.5 / out,),
    partial_texts=("1 / (2 * {out})",), domain=_nonnegative,
)
EXP = Primitive(
    "exp", 1, math.exp,
    partials=(lambda x, out: out,),
    partial_texts=("{out}",),
)
LOG = Primitive(
    "log", 1, math.log,
    partials=(lambda x, out: 1.0 / x,),
    partial_texts=("1/{0}",), domain=_positive,
)
SIN = Primitive(
    "sin", 1, math.sin,
    partials=(lambda x, out: COS(x),),
    partial_texts=("cos({0})",),
)
COS = Primitive(
    "cos", 1, math.cos,
    partials=(lambda x, out: -SIN(x),),
    partial_texts=("-sin({0})",),
)
TAN = Primitive(
    "tan", 1, math.tan,
    partials=(lambda x, out: 1.0 + out * out,),
    partial_texts=("1 + {out}**2",),
)
TANH = Primitive(
    "tanh", 1, math.tanh,
    partials=(lambda x, out: 1.0 - out * out,),
    partial_texts=("1 - {out}**2",),
)
def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), written so that neither branch overflows or cancels."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


SIGMOID = Primitive(
    "sigmoid", 1, _sigmoid,
    partials=(lambda x, out: out * (1.0 - out),),
    partial_texts=("{out} * (1 - {out})",),
)
SIGN = Primitive(
    "sign", 1, lambda x: float((x > 0) - (x < 0)),
    partials=(lambda x, out: 0.0,),
    partial_texts=("0",),
)
RELU = Primitive(  # relu'(x) = sign(relu(x)): 1 for x > 0, and 0 for x <= 0 (as in PyTorch)
    "relu", 1, lambda x: x if x > 0 else 0.0,
    partials=(lambda x, out: SIGN(out),),
    partial_texts=("sign({out})",),
)
ABS = Primitive(  # convention at 0: derivative sign(0) = 0, a subgradient (PyTorch's choice; JAX uses 1)
    "abs", 1, abs,
    partials=(lambda x, out: SIGN(x),),
    partial_texts=("sign({0})",),
)

PRIMITIVES = {
    p.name: p
    for p in (ADD, SUB, MUL, DIV, NEG, POW, RPOW, SQUARE, SQRT, EXP, LOG,
              SIN, COS, TAN, TANH, SIGMOID, RELU, SIGN, ABS)
}


def power(base, exponent):
    """``base ** exponent``: a constant exponent uses POW, a traced one RPOW (which needs base > 0)."""
    if isinstance(exponent, Traced):
        return RPOW(base, exponent)
    return POW(base, exponent)


def check_finite_input(name: str, x) -> None:
    """Refuse nan, inf and non-numbers as inputs (or outputs) of differentiation, naming them."""
    if isinstance(x, Traced):
        return
    if not is_number(x):
        raise OperandError(name, x)
    if not _fits_a_finite_float(x):
        raise DomainError(name, None, f"{describe_value(x)} is not a finite number; "
                          "derivatives are taken at finite points")
