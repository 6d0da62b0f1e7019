"""Errors that say what went wrong in the learner's terms: which operation, which value, where."""

from __future__ import annotations

import numpy as np


def describe_value(x) -> str:
    """A short text for a value in a message: its repr, or just its type if the repr is long
    or holds a memory address (``<function f at 0x7f...>``)."""
    text = repr(x)
    if isinstance(x, np.ndarray) and (len(text) > 40 or "\n" in text):
        return array_summary(x)
    if " at 0x" in text or len(text) > 40:
        return f"<{type(x).__name__}>"
    return text


def array_summary(x: np.ndarray) -> str:
    """An array too long to print, by its kind and shape: ``<float64 array of shape (5, 6)>``."""
    return f"<{x.dtype} array of shape {x.shape}>"


class ADError(Exception):
    """Base class of adlessons' errors. ``where`` says which trace node was being computed."""

    def __init__(self, message: str, where: str = ""):
        self.message = message
        self.where = where
        super().__init__(self._text())

    def _text(self) -> str:
        return f"{self.message} (while computing {self.where})" if self.where else self.message

    def at(self, where: str) -> "ADError":
        """Attach the place (e.g. ``v3 = log(v2) with v2 = -1.0``) unless a deeper level already did."""
        if not self.where:
            self.where = where
            self.args = (self._text(),)
        return self


class DomainError(ADError, ValueError):
    """An operation was given a number outside its domain (log of 0, sqrt of -1, x/0, nan ...)."""

    def __init__(self, operation: str, operands, problem: str, where: str = ""):
        self.operation = operation
        self.operands = tuple(operands) if operands is not None else None
        if self.operands is None:
            super().__init__(f"{operation}: {problem}", where)
        else:
            shown = ", ".join(describe_value(x) for x in self.operands)
            super().__init__(f"{operation}({shown}): {problem}", where)


class OperandError(ADError, TypeError):
    """An operation was given something that is not a number (a string, None, a list ...)."""

    def __init__(self, operation: str, operand, where: str = ""):
        self.operation = operation
        self.operand = operand
        super().__init__(
            f"{operation}: operand {describe_value(operand)} of type {type(operand).__name__} is not a number",
            where,
        )


class DerivativeError(DomainError, TypeError):
    """A derivative rule failed at a node of a trace (the message names the node and the rule).

    It is a ``ValueError`` like every domain error, and also a ``TypeError``, so code that
    expected the rule's own ``TypeError`` still catches it."""
