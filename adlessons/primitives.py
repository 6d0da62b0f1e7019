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
from .primitive import PRIMITIVES, Primitive, power, shape_of  # noqa: F401 (re-exported)


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
