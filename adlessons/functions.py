"""Elementary functions for learners: ``sin(x)`` works on plain numbers and traced values alike.

Each one is just its primitive from the table; this module gives them friendly names.
"""

from .primitives import (
    ABS, COS, EXP, LOG, RELU, SIGMOID, SIGN, SIN, SQRT, SQUARE, TAN, TANH,
)

sin = SIN
cos = COS
tan = TAN
exp = EXP
log = LOG
sqrt = SQRT
tanh = TANH
sigmoid = SIGMOID
relu = RELU
square = SQUARE
sign = SIGN
absolute = ABS
