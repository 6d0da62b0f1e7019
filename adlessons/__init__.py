"""adlessons: automatic differentiation, small enough to read.

Start with ``grad``::

    >>> from adlessons import grad, sin
    >>> grad(lambda x: x * sin(x))(1.0)   # sin(1) + cos(1)
    1.3817732906760363

Drawing (``draw``) and the step-by-step player (``stepper``) live in ``adlessons.viz``; they
are importable from here too, loaded on first use (they bring in Graphviz and widgets).
"""

from .api import grad, jacfwd, jacrev, jvp, record, unit_vectors, value_and_grad, vjp
from .checkpointing import checkpoint
from .counting import count_sweeps
from .errors import ADError, DerivativeError, DomainError, OperandError
from .forward import Dual, ForwardStep, derivative, forward_steps, tangent_sweep
from .functions import absolute, cos, exp, log, relu, sigmoid, sign, sin, sqrt, square, tan, tanh
from .primitive import Primitive, primal
from .primitives import PRIMITIVES
from .reverse import ReverseStep, adjoint_sweep, reverse_steps
from .tables import adjoint_table, evaluation_table, tangent_table
from .tracing import Node, Trace

__all__ = [
    "grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "unit_vectors",
    "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "square", "sign", "absolute",
    "record", "Trace", "Node", "primal",
    "tangent_sweep", "forward_steps", "ForwardStep", "Dual", "derivative",
    "adjoint_sweep", "reverse_steps", "ReverseStep",
    "evaluation_table", "tangent_table", "adjoint_table", "count_sweeps",
    "PRIMITIVES", "Primitive", "ADError", "DomainError", "DerivativeError", "OperandError",
    "checkpoint", "draw", "stepper",
]


def __getattr__(name):
    """``from adlessons import draw, stepper`` loads the drawing layer only when asked for."""
    if name in ("draw", "stepper"):
        from . import viz

        return getattr(viz, name)
    raise AttributeError(f"module 'adlessons' has no attribute {name!r}")
