"""NumPy's names for adlessons' primitives: ``import adlessons.numpy as anp``.

As ``autograd.numpy`` and ``jax.numpy`` do, this module lets a learner write ordinary NumPy
code (``anp.tanh(X @ W + b)``, ``anp.sum(z, axis=1)``) that works on plain arrays (and then
returns NumPy's results) and on traced values (and then is recorded, so ``grad`` can sweep
back through it).  Every function here is one primitive of ``adlessons.primitives`` or a
short combination of them: no derivative rule lives in this file.

Arithmetic is float64: integer and boolean arrays given as plain data are read as floats.
"""

from __future__ import annotations

import numpy as _np

from . import primitives as _p
from .primitive import Traced as _Traced
from .primitive import shape_of as _shape_of

# Constants and array makers are NumPy's own: they hold data, not operations to differentiate.
pi, e, inf, nan, newaxis, float64 = _np.pi, _np.e, _np.inf, _np.nan, _np.newaxis, _np.float64
array, asarray, zeros, ones, eye, arange, linspace, full = (
    _np.array, _np.asarray, _np.zeros, _np.ones, _np.eye, _np.arange, _np.linspace, _np.full)


def _operand(x):
    """Plain data as float64 (lists, integer and boolean arrays); numbers and traced values unchanged."""
    if isinstance(x, (_Traced, float)):
        return x
    if isinstance(x, _np.ndarray):
        return x.astype(float) if x.dtype.kind in "biu" else x
    if isinstance(x, (list, tuple)):
        return _np.asarray(x, dtype=float)
    return x


def _elementwise(primitive, doc: str):
    def function(*xs):
        return primitive(*map(_operand, xs))

    function.__name__ = primitive.name
    function.__doc__ = doc
    return function


# --- elementwise: each is one primitive, applied entry by entry (broadcasting included) --------
add = _elementwise(_p.ADD, "x + y, entry by entry.")
subtract = _elementwise(_p.SUB, "x - y, entry by entry.")
multiply = _elementwise(_p.MUL, "x * y, entry by entry.")
divide = true_divide = _elementwise(_p.DIV, "x / y, entry by entry.")
negative = _elementwise(_p.NEG, "-x, entry by entry.")
exp = _elementwise(_p.EXP, "e**x, entry by entry.")
log = _elementwise(_p.LOG, "The natural logarithm, entry by entry.")
sin = _elementwise(_p.SIN, "sin(x), entry by entry.")
cos = _elementwise(_p.COS, "cos(x), entry by entry.")
tan = _elementwise(_p.TAN, "tan(x), entry by entry.")
tanh = _elementwise(_p.TANH, "tanh(x), entry by entry.")
sqrt = _elementwise(_p.SQRT, "The square root, entry by entry.")
square = _elementwise(_p.SQUARE, "x**2, entry by entry.")
absolute = abs = _elementwise(_p.ABS, "|x|, entry by entry (derivative sign(x), 0 at 0).")
sign = _elementwise(_p.SIGN, "-1, 0 or 1, entry by entry (derivative 0).")
maximum = _elementwise(_p.MAXIMUM, "The larger of x and y, entry by entry (a tie splits the derivative).")


def power(x, y):
    """x ** y, entry by entry."""
    return _operand(x) ** _operand(y)


def minimum(x, y):
    """The smaller of x and y, entry by entry: -maximum(-x, -y)."""
    return -maximum(-_operand(x), -_operand(y))


def where(condition, x, y):
    """x where ``condition`` holds, else y (``condition``: booleans, e.g. ``z > 0``, a constant)."""
    return _p.WHERE(_np.asarray(condition, dtype=bool), _operand(x), _operand(y))


# --- structural: whole-array operations ------------------------------------------------------


def matmul(a, b):
    """The matrix product a @ b of 1-D and 2-D arrays (a vector is a row on the left, a column
    on the right)."""
    return _p.MATMUL(_operand(a), _operand(b))


def dot(a, b):
    """NumPy's dot for up to two dimensions: a product of numbers, or ``matmul``."""
    a, b = _operand(a), _operand(b)
    if len(_shape_of(a)) == 0 or len(_shape_of(b)) == 0:
        return a * b
    return matmul(a, b)


def outer(a, b):
    """The outer product a bᵀ of two vectors."""
    return _p.OUTER(_operand(a), _operand(b))


def transpose(x, axes=None):
    """The axes reversed (xᵀ for a matrix), or permuted as ``axes`` says."""
    x = _operand(x)
    shape = _shape_of(x)  # None for a formula, whose shape is not known
    if axes is None or shape is not None and tuple(axes) == tuple(reversed(range(len(shape)))):
        return _p.TRANSPOSE(x)
    return _p.PERMUTE(x, tuple(int(a) for a in axes))


def reshape(x, shape):
    """The same entries in a new shape (row by row, as NumPy's default order)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _p.RESHAPE(_operand(x), shape)


def ravel(x):
    """The entries as a vector."""
    return reshape(x, (-1,))


def expand_dims(x, axis: int):
    """A new axis of size 1 at ``axis``."""
    x = _operand(x)
    shape = list(_shape_of(x))
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(x, tuple(shape))


def squeeze(x, axis=None):
    """The axes of size 1 removed (all of them, or the one given)."""
    x = _operand(x)
    shape = _shape_of(x)
    axes = [a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)] if axis is not None \
        else [k for k, n in enumerate(shape) if n == 1]
    return reshape(x, tuple(n for k, n in enumerate(shape) if k not in axes))


def broadcast_to(x, shape):
    """x repeated along new or size-1 axes to ``shape`` (the adjoint sums back)."""
    return _p.BROADCAST_TO(_operand(x), tuple(shape))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """The sum of the entries, over all axes or the ones given."""
    return _p.SUM(_operand(x), _axis(axis), bool(keepdims))


def mean(x, axis=None, keepdims=False):
    """The mean of the entries, over all axes or the ones given."""
    return _p.MEAN(_operand(x), _axis(axis), bool(keepdims))


def concatenate(arrays, axis=0):
    """The arrays joined along an existing axis."""
    return _p.CONCATENATE(int(axis), *map(_operand, arrays))


def stack(arrays, axis=0):
    """The arrays (all of one shape) joined along a new axis."""
    return concatenate([expand_dims(_operand(a), axis) for a in arrays], axis=axis)


def trace(x):
    """The sum of the diagonal entries of a square matrix."""
    x = _operand(x)
    n = _shape_of(x)[0]
    return sum(_p.INDEX(x, (_np.arange(n), _np.arange(n))))


def shape(x) -> tuple:
    """The shape of an array, number or traced value."""
    return _shape_of(_operand(x))


def ndim(x) -> int:
    return len(shape(x))


def zeros_like(x):
    return _np.zeros(shape(x))


def ones_like(x):
    return _np.ones(shape(x))


# --- linear algebra (Giles 2008's rules) -------------------------------------------------------
class linalg:  # noqa: N801 - NumPy's name: anp.linalg.inv as np.linalg.inv
    """numpy.linalg's names for the matrix primitives."""

    @staticmethod
    def inv(a):
        """The inverse matrix A⁻¹ (Giles 2008: Ā = -A⁻ᵀ C̄ A⁻ᵀ)."""
        return _p.INV(_operand(a))

    @staticmethod
    def det(a):
        """The determinant det A (Giles 2008: Ā = C̄ det(A) A⁻ᵀ)."""
        return _p.DET(_operand(a))

    @staticmethod
    def solve(a, b):
        """The solution C of A C = B (Giles 2008: B̄ = A⁻ᵀ C̄, Ā = -B̄ Cᵀ)."""
        return _p.SOLVE(_operand(a), _operand(b))
