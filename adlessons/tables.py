"""Trace tables, as in the textbooks: the evaluation trace, the tangent trace, the adjoint trace.

Each is built from data the core already produced (the trace's nodes, or a sweep's steps)
and shows as aligned text (``print``) and as an HTML table (in Jupyter).  ``upto`` shows
only the first rows, and ``current`` marks one row: that is how the stepper fills the
table in as it goes.
"""

from __future__ import annotations

import html
from typing import Optional, Sequence

from .presentation import format_factor, format_number, label, operand_text, operation_text
from .primitive import primal


class Table:
    """A titled table with a header and rows of text; prints as text, shows as HTML."""

    def __init__(self, title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                 current: Optional[int] = None):
        self.title = title
        self.header = list(header)
        self.rows = [list(r) for r in rows]
        self.current = current

    def __str__(self) -> str:
        widths = [max(len(str(c)) for c in col) for col in zip(self.header, *self.rows)]
        line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        body = [line(self.header), line("-" * w for w in widths)]
        body += [line(r) + ("   <--" if k == self.current else "") for k, r in enumerate(self.rows)]
        return "\n".join([self.title] + body)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        rows = []
        for k, r in enumerate(self.rows):
            style = " style='background:#fff3c4'" if k == self.current else ""
            cells = "".join(f"<td style='text-align:left;font-family:monospace'>{html.escape(str(c))}</td>"
                            for c in r)
            rows.append(f"<tr{style}>{cells}</tr>")
        return (f"<table class='adlessons-table'><caption style='text-align:left'>"
                f"{html.escape(self.title)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")

def evaluation_table(trace, digits: int = 4, upto: Optional[int] = None,
                     current: Optional[int] = None) -> Table:
    """The evaluation trace: each v_i, its operation, the operation with numbers, its value."""
    rows = []
    for node in trace.nodes[:upto]:
        if node.is_input:
            numbers = format_number(node.value, digits)
        else:
            shown = format_factor if node.primitive.symbol else format_number  # (-0.9589) in infix
            numbers = node.primitive.format(*(
                operand_text(trace, x) if not trace.is_variable(x) else shown(a, digits)
                for x, a in zip(node.operands, node.args)))
        rows.append([label(node), operation_text(node), numbers, format_number(node.value, digits)])
    for k, y in enumerate(trace.outputs if upto is None else []):
        name = "y" if len(trace.outputs) == 1 else f"y{k + 1}"
        rows.append([name, operand_text(trace, y), "", format_number(primal(y), digits)])
    return Table("Evaluation trace", ["node", "operation", "with numbers", "value"], rows, current)

def _step_table(title: str, steps: Sequence, digits: int, upto: Optional[int],
                current: Optional[int]) -> Table:
    rows = [[str(k + 1), label(step.node), step.equation(digits)]
            for k, step in enumerate(steps[:upto])]
    return Table(title, ["step", "node", "equation"], rows, current)

def tangent_table(steps: Sequence, digits: int = 4, upto: Optional[int] = None,
                  current: Optional[int] = None) -> Table:
    """The tangent trace of a forward sweep, one row per ``ForwardStep``."""
    return _step_table("Tangent trace (forward mode)", steps, digits, upto, current)

def adjoint_table(steps: Sequence, digits: int = 4, upto: Optional[int] = None,
                  current: Optional[int] = None) -> Table:
    """The adjoint trace of a reverse sweep, one row per ``ReverseStep`` (one per edge)."""
    return _step_table("Adjoint trace (reverse mode)", steps, digits, upto, current)

