"""Symbolic differentiation, and why it swells.

An ``Expr`` is a formula: a symbol, or a primitive applied to sub-formulas and numbers.
Writing Python with symbols (``x = symbol("x"); e = 4 * x * (1 - x)``) builds formulas
through the same operators and the same primitive table as tracing does.  ``diff(e, x)``
applies the table's partials, which are written with primitives, so applied to formulas
they build the derivative formula.

Python keeps references, so a formula is really a graph that shares its subformulas.
Printed out, every shared piece is written again: ``tree_size`` counts that expanded
size, ``dag_size`` counts distinct subformulas.  The gap between them is expression
swell; keeping the sharing (as AD does with its trace) is what avoids it.
"""

from __future__ import annotations

from typing import Iterator, Mapping

from .primitive import Primitive, Traced, evaluate_plain, is_number
from .primitives import ADD, DIV, MUL, NEG, POW, SUB


class Expr(Traced):
    """A formula: a symbol (``primitive`` is None) or ``primitive(*operands)``.

    A symbol may carry a ``shape`` (for printing array rules, which read their operands'
    shapes); a formula built from symbols has no shape of its own (None)."""

    __slots__ = ("primitive", "operands", "name", "shape")
    level = 0  # formulas are older than any trace: a trace treats them as constants

    def __init__(self, primitive: Primitive | None, operands: tuple = (), name: str = "",
                 shape: tuple | None = None):
        self.primitive = primitive
        self.operands = operands
        self.name = name
        self.shape = shape

    @property
    def primal(self):
        raise TypeError(
            f"the formula {self} has no value until its symbols get numbers: use evaluate(expr, x=...)"
        )

    def process_primitive(self, primitive: Primitive, operands: tuple):
        """A primitive applied to a formula builds a bigger formula."""
        return simplify(primitive, operands)

    # A formula has no number to compare, so == means "the same formula object".
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def __str__(self) -> str:
        return to_text(self)

    def __repr__(self) -> str:
        return f"Expr({to_text(self)})"


def symbol(name: str, shape: tuple = ()) -> Expr:
    """A named variable for building formulas (of the given shape, a number by default)."""
    return Expr(None, (), name, shape)


def _is(x, number: float) -> bool:
    return is_number(x) and x == number


def simplify(primitive: Primitive, operands: tuple):
    """Build ``primitive(*operands)``, dropping only the trivial parts (x*1, x+0, x*0, x**1).

    These are the simplifications any hand calculation makes; everything else is left
    as it is, so the size of a derivative honestly shows how the rules grow it.
    """
    a = operands[0]
    b = operands[1] if len(operands) > 1 else None
    if primitive is MUL:
        if _is(a, 0) or _is(b, 0):
            return 0.0
        if _is(a, 1):
            return b
        if _is(b, 1):
            return a
    elif primitive is ADD:
        if _is(a, 0):
            return b
        if _is(b, 0):
            return a
    elif primitive is SUB:
        if _is(b, 0):
            return a
        if _is(a, 0):
            return simplify(NEG, (b,))
    elif primitive is DIV and _is(b, 1):
        return a
    elif primitive is POW and _is(b, 1):
        return a
    elif primitive is NEG and isinstance(a, Expr) and a.primitive is NEG:
        return a.operands[0]
    return Expr(primitive, tuple(operands))


def postorder(root) -> Iterator[Expr]:
    """Every distinct ``Expr`` object under ``root``, children before parents (no recursion).

    A formula is a graph: the same subformula may be reached along several paths, so a
    node is yielded only once all of its operands have been (the marker ``True`` on the
    stack means "my operands are done").
    """
    if not isinstance(root, Expr):
        return
    done = set()
    stack = [(root, False)]
    while stack:
        expr, operands_done = stack.pop()
        if id(expr) in done:
            continue
        if operands_done:
            done.add(id(expr))
            yield expr
            continue
        stack.append((expr, True))
        for x in reversed(expr.operands):
            if isinstance(x, Expr) and id(x) not in done:
                stack.append((x, False))


def diff(expr, wrt: Expr):
    """The derivative of ``expr`` with respect to the symbol ``wrt``, by the table's chain rule.

    The result is a formula, or a plain number when every partial turned out to be a number.

    Each distinct subformula is differentiated once (memoised by object), and the result
    reuses the original subformulas: the derivative shares structure with ``expr``.
    """
    if not isinstance(expr, Expr):
        return 0.0
    derivative = {}
    for e in postorder(expr):
        if e.primitive is None:
            derivative[id(e)] = 1.0 if e.name == wrt.name else 0.0  # symbols are their names
            continue
        total = 0.0
        for k, x in enumerate(e.operands):
            if isinstance(x, Expr):
                dx = derivative[id(x)]
                if not _is(dx, 0):
                    total = total + _partial(e, k) * dx
        derivative[id(e)] = total
    return derivative[id(expr)]


def _partial(e: Expr, k: int):
    """∂e/∂(operand k) as a formula, from the table's rule."""
    if not e.primitive.is_elementwise:
        raise TypeError(
            f"diff: {e.primitive.name} is an array operation: symbolic differentiation here works "
            f"on formulas of numbers, whose every operation has a partial; differentiate array "
            f"code with grad, jvp or vjp")
    return e.primitive.partial(k, e.operands, e)


def evaluate(expr, values: Mapping[str, float] | None = None, **named: float) -> float:
    """The number a formula stands for, given numbers for its symbols (by name)."""
    values = {**(values or {}), **named}
    if not isinstance(expr, Expr):
        return float(expr)
    result = {}
    for e in postorder(expr):
        if e.primitive is None:
            if e.name not in values:
                raise KeyError(f"evaluate: no value given for the symbol {e.name!r}")
            result[id(e)] = float(values[e.name])
        else:
            args = tuple(result[id(x)] if isinstance(x, Expr) else x for x in e.operands)
            result[id(e)] = evaluate_plain(e.primitive, args)
    return result[id(expr)]


def tree_size(expr) -> int:
    """How many operations and leaves the formula has when written out in full (shared parts repeated)."""
    if not isinstance(expr, Expr):
        return 1
    size = {}
    for e in postorder(expr):
        size[id(e)] = 1 + sum(size[id(x)] if isinstance(x, Expr) else 1 for x in e.operands)
    return size[id(expr)]


def dag_size(expr) -> int:
    """How many distinct subformulas (operations, symbols and numbers) the formula has.

    Equal subformulas count once even when they were built separately: this is the size
    of the formula as a graph that shares everything it can.  Each distinct subformula
    gets a number, and a formula's key is its operation plus its operands' numbers.
    """
    if not isinstance(expr, Expr):
        return 1
    number_of, distinct, constants = {}, {}, set()
    for e in postorder(expr):
        if e.primitive is None:
            key = ("symbol", e.name)
        else:
            parts = []
            for x in e.operands:
                if isinstance(x, Expr):
                    parts.append(number_of[id(x)])
                else:
                    parts.append(("number", x))
                    constants.add(x)
            key = (e.primitive.name, tuple(parts))
        number_of[id(e)] = distinct.setdefault(key, len(distinct))
    return len(distinct) + len(constants)


def to_text(expr) -> str:
    """The formula written out in full, with only the parentheses precedence needs."""
    if not isinstance(expr, Expr):
        return f"{expr:g}" if is_number(expr) else str(expr)
    text, prec = {}, {}
    for e in postorder(expr):
        if e.primitive is None:
            text[id(e)], prec[id(e)] = e.name, 9
            continue
        p = e.primitive.precedence
        parts = []
        for k, x in enumerate(e.operands):
            if isinstance(x, Expr):
                t, q = text[id(x)], prec[id(x)]
            else:
                t, q = to_text(x), (9 if not is_number(x) or x >= 0 else 0)
            # parenthesise weaker operands; right operands of - and / at equal strength; and a
            # negation or a quotient on the right (a * (-b), a * (b / c)) for the eye
            right_strict = k == 1 and e.primitive.name in ("sub", "div", "pow", "rpow")
            for_the_eye = k == 1 and isinstance(x, Expr) and (
                x.primitive is NEG or (e.primitive is MUL and x.primitive is DIV))
            if q < p or (q == p and right_strict) or (p == 4 and k == 0 and q == 4) or for_the_eye:
                t = f"({t})"
            parts.append(t)
        if e.primitive.symbol or e.primitive.notation:
            t = e.primitive.format(*parts)
            t = t.replace(" ** ", "**") if e.primitive.symbol == "**" else t
        else:
            t = e.primitive.format(*(text[id(x)] if isinstance(x, Expr) else to_text(x)
                                     for x in e.operands))
        text[id(e)], prec[id(e)] = t, p
    return text[id(expr)]


__all__ = ["Expr", "symbol", "diff", "evaluate", "tree_size", "dag_size", "to_text",
           "postorder", "simplify"]
