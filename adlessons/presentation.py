"""How the core's data is written for a learner: numbers, node names, operations, equations.

The core computes and this module writes; nothing here computes a derivative.  Names follow
Griewank & Walther: v₋₁, v₀ for inputs and v₁ .. v_l for intermediates, with subscripts so
that ``v̄₋₁`` can never be misread as "v̄ minus 1".

Every formula a learner reads is printed from its rule: a derivative rule of the primitive
table, applied to symbols (``adlessons.symbolic``) instead of numbers, and printed by the
one printer ``symbolic.to_text``.  No rule is written twice as text.
"""

from __future__ import annotations

from .errors import describe_value
from .primitive import Primitive, is_number, primal, shape_of
from .primitives import DIV, MUL, NEG
from .symbolic import Expr, symbol, to_text

DOT = "\u0307"  # combining dot above: v̇, a tangent
BAR = "\u0304"  # combining macron: v̄, an adjoint
_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


# --- numbers and values ------------------------------------------------------------------------


def format_number(x, digits: int = 4) -> str:
    """Fixed-point text of a number as in the textbook tables (never '-0.0000')."""
    x = primal(x)
    if shape_of(x) != ():
        return format_shape(shape_of(x))
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_factor(x, digits: int = 4) -> str:
    """A number as a factor in a product: negative ones in parentheses, ``(-0.9900)``."""
    text = format_number(x, digits)
    return f"({text})" if text.startswith("-") else text


def format_shape(shape: tuple) -> str:
    """An array's shape as a learner writes it: ``(3×4)``, ``(5)``."""
    return "(" + "×".join(str(n) for n in shape) + ")"


def value_text(x) -> str:
    """A value in a message: a number as Python writes it (``-1.0``), an array by its shape."""
    x = primal(x)
    return f"array {format_shape(shape_of(x))}" if shape_of(x) else repr(x)


def constant_text(value) -> str:
    """A constant operand as written in an operation: ``2``, ``(-0.5)``, ``1.0000001``."""
    if not is_number(value):
        return format_shape(shape_of(value)) if shape_of(value) else describe_value(value)
    text = f"{value:.6g}"
    if float(text) != value and float(text).is_integer():  # 1.0000001 must not read as 1
        text = repr(float(value))
    return f"({text})" if value < 0 else text


# --- names ----------------------------------------------------------------------------------


def subscript(index: int) -> str:
    return str(index).translate(_SUBSCRIPT)


def label(node, accent: str = "") -> str:
    """``v₃``; with ``accent=DOT`` the tangent ``v̇₃``, with ``accent=BAR`` the adjoint ``v̄₃``."""
    return f"v{accent}{subscript(node.index)}"


def operand_text(trace, x) -> str:
    """A variable's label, or a constant's value."""
    return label(x) if trace.is_variable(x) else constant_text(primal(x))


def operation_text(node) -> str:
    """The right-hand side of ``node``'s equation, e.g. ``v₁ * v₂``, or ``x1`` for an input."""
    if node.is_input:
        return node.trace.input_names[node.pos]
    return node.primitive.format(*(operand_text(node.trace, x) for x in node.operands))


def describe(node) -> str:
    """``v₃ = sin(v₁)``, with the shape for an array node: ``v₃ = v₁ @ v₂  (3×4)``."""
    text = f"{label(node)} = {operation_text(node)}"
    shape = shape_of(node.value)
    return f"{text}  {format_shape(shape)}" if shape else text


def describe_operation(trace, primitive: Primitive, operands: tuple) -> str:
    """An operation that failed before it became a node, with its operands' values."""
    name = f"v{subscript(len(trace.nodes) - trace.n_inputs + 1)}"
    text = f"{name} = {primitive.format(*(operand_text(trace, x) for x in operands))}"
    shown = []
    for x in operands:
        if trace.is_variable(x):
            text_of_value = f"{label(x)} = {value_text(x.value)}"
            if text_of_value not in shown:
                shown.append(text_of_value)
    return text + (" with " + ", ".join(shown) if shown else "")


# --- rules printed from the table ---------------------------------------------------------------


def operand_symbols(node) -> tuple:
    """The operands of ``node`` as symbols named by their labels (constants stay numbers)."""
    trace = node.trace
    return tuple(symbol(label(x), shape_of(x.value)) if trace.is_variable(x) else primal(x)
                 for x in node.operands)


def _symbols(primitive: Primitive, names: tuple) -> tuple:
    return tuple(symbol(n) for n in (names or ("u", "w", "z")[: primitive.arity or 1]))


def rule_text(primitive: Primitive, slot: int, *operand_names: str, out: str = "out") -> str:
    """The local partial ∂out/∂operand_slot of an elementwise primitive, printed from its rule:
    ``rule_text(SIN, 0, "u")`` is ``cos(u)``."""
    if not primitive.is_elementwise:
        raise ValueError(f"rule_text: {primitive.name} is structural: it has no local partial "
                         f"per entry; vjp_text prints its reverse rule")
    return to_text(primitive.partial(slot, _symbols(primitive, operand_names), symbol(out)))


def vjp_text(primitive: Primitive, slot: int, *operand_names: str, out: str = "out",
             cotangent: str = "ḡ") -> str:
    """Operand ``slot``'s share of the adjoint, printed from the rule: for mul's first operand
    ``ḡ * w``; for a structural primitive its own vjp rule."""
    return to_text(primitive.vjp(slot, symbol(cotangent), _symbols(primitive, operand_names),
                                 symbol(out)))


def _partial_expr(node, slot: int):
    return node.primitive.partial(slot, operand_symbols(node), symbol(label(node)))


def _split_sign(expr):
    """(negative, magnitude) of a rule's formula, read from its structure: ``-v₁ / v₀`` is
    negative with magnitude ``v₁ / v₀``; ``cos(v₁)`` is positive."""
    if is_number(expr):
        return expr < 0, abs(expr)
    if isinstance(expr, Expr) and expr.primitive is NEG:
        return True, expr.operands[0]
    if isinstance(expr, Expr) and expr.primitive in (MUL, DIV):
        negative, first = _split_sign(expr.operands[0])
        if negative:
            return True, Expr(expr.primitive, (first, expr.operands[1]))
    return False, expr


def _times(factor, name: str) -> str:
    """``factor * name`` printed, leaving out a factor of 1."""
    if is_number(factor) and factor == 1:
        return name
    return to_text(Expr(MUL, (factor, symbol(name))))


def forward_equation(step, digits: int = 4) -> str:
    """E.g. ``v̇₁ = 1 / v₀ * v̇₋₁ - v₁ / v₀ * v̇₀ = 2.0000 * 1.0000 - 6.0000 * 0.0000 = 2.0000``."""
    node = step.node
    lhs = label(node, DOT)
    if step.is_seed:
        return (f"{lhs} = {format_number(step.tangent, digits)}   "
                f"(seed for {node.trace.input_names[node.pos]})")
    if not node.primitive.is_elementwise:
        symbols = " + ".join(to_text(node.primitive.jvp_rules[slot](
            symbol(label(parent, DOT)), *operand_symbols(node), symbol(label(node))))
            for parent, slot, _, _ in step.terms)
        return f"{lhs} = {symbols} = {format_number(step.tangent, digits)}"
    symbols, numbers = [], []
    for k, (parent, slot, partial, parent_tangent) in enumerate(step.terms):
        negative, magnitude = _split_sign(_partial_expr(node, slot))
        shown_partial = magnitude if is_number(magnitude) else symbol(format_factor(
            -partial if negative else partial, digits))
        bare = k == 0 and not negative and is_number(magnitude) and magnitude == 1  # just "v̇₁"
        tangent_text = (format_number if bare else format_factor)(parent_tangent, digits)
        sign = (" - " if k else "-") if negative else (" + " if k else "")
        symbols.append(sign + _times(magnitude, label(parent, DOT)))
        numbers.append(sign + _times(shown_partial, tangent_text))
    return (f"{lhs} = {''.join(symbols)} = {''.join(numbers)} = "
            f"{format_number(step.tangent, digits)}")


def reverse_equation(step, digits: int = 4) -> str:
    """E.g. ``v̄₄ += v̄₆ * v₅ = 1.0000 * 1.4924 = 1.4924, so v̄₄ = 2.8437``."""
    lhs = label(step.parent, BAR)
    if step.is_seed:
        return f"{lhs} = y{BAR} = {format_number(step.adjoint, digits)}"
    child = step.child
    child_adjoint = label(child, BAR)
    if not child.primitive.is_elementwise:
        formula = to_text(child.primitive.vjp_rules[step.slot](
            symbol(child_adjoint, shape_of(child.value)), *operand_symbols(child), symbol(label(child))))
        text = f"{formula} = {format_number(step.contribution, digits)}"
    else:
        partial_expr = _partial_expr(child, step.slot)
        negative, magnitude = _split_sign(partial_expr)
        if is_number(partial_expr) and abs(partial_expr) == 1:
            text = f"{'-' if negative else ''}{child_adjoint} = {format_number(step.contribution, digits)}"
        else:
            product = (f"{child_adjoint} * ({to_text(partial_expr)})" if negative
                       else to_text(Expr(MUL, (symbol(child_adjoint), partial_expr))))
            text = (f"{product} = {format_factor(step.child_adjoint, digits)} * "
                    f"{format_factor(step.partial, digits)} = {format_number(step.contribution, digits)}")
    if step.first:
        return f"{lhs} = {text}"
    return f"{lhs} += {text}, so {lhs} = {format_number(step.adjoint, digits)}"
