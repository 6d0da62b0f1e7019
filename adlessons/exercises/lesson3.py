"""Checks for Lesson 3 (computational graphs): call each on your answer,
e.g. ``lesson3.check_shared_nodes(shared_nodes)``.
"""

from __future__ import annotations

import math
import numbers

from .. import cos, exp, grad, record, sin, sqrt
from ..examples import GRIEWANK_WALTHER_POINT, griewank_walther, logistic_map
from ..presentation import label
from ..primitive import is_number
from . import NotYet, call, correct, exercise_check, name_of

__all__ = ["check_shared_nodes", "check_toy_constants", "check_newton_sqrt"]


# Exercise 1: traces the learner does not see (text, function, point).
_SHARED_CASES = [
    ("x * x + y", lambda x, y: x * x + y, (1.5, -2.0)),
    ("2 * x + x / 3", lambda x: 2 * x + x / 3, (0.6,)),
    ("exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * sqrt(2 * pi))",
     lambda x, mu, sigma: exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * sqrt(2 * math.pi)), (1.0, 0.5, 2.0)),
    ("logistic_map(x, 5)", lambda x: logistic_map(x, 5), (0.3,)),
    ("Griewank & Walther's y", griewank_walther, GRIEWANK_WALTHER_POINT),
    ("x * max(sin(x), cos(x))", lambda x: x * max(sin(x), cos(x)), (0.3,)),
]


@exercise_check
def check_shared_nodes(shared_nodes):
    """Exercise 1: shared_nodes(trace) lists the nodes with two or more children (nodes or their names)."""
    for text, f, point in _SHARED_CASES:
        trace = record(f, *point)
        try:
            answer = call(shared_nodes, trace, on=f"the trace of `{text}`")
        except NotYet as problem:
            said = str(problem)
            if "AttributeError" in said and ("'int' object" in said or "'float' object" in said):
                raise NotYet(f"{problem}. Operands include constants, plain numbers that are not nodes: "
                             f"`node.parents` holds only the operands that are variables.") from None
            raise
        if answer is None or isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
            raise NotYet(f"{name_of(shared_nodes)} returned {answer!r} for the trace of `{text}`: it should "
                         f"return a list of nodes (or of their names).")
        by_label = {name: node for node in trace.nodes for name in (label(node), node.name)}  # v₋₁ or v-1
        listed = set()
        for item in answer:
            node = by_label.get(item) if isinstance(item, str) else item
            if not any(node is n for n in trace.nodes):
                raise NotYet(f"{name_of(shared_nodes)} lists {item!r} for the trace of `{text}`, which is not a "
                             f"node of that trace.")
            listed.add(node.pos)
        for node in trace.nodes:
            children = trace.children(node)
            if node.pos in listed and len(children) < 2:
                uses = sum(1 for child in children for operand in child.operands if operand is node)
                if len(children) == 1 and uses > 1:
                    why = (f"it has one child, which uses it {'twice' if uses == 2 else f'{uses} times'}: "
                           f"count the nodes that use it, not the uses")
                else:
                    why = f"it has {len(children)} {'child' if len(children) == 1 else 'children'}"
                raise NotYet(f"for the trace of `{text}` you list {label(node)}, but {why}.")
            if node.pos not in listed and len(children) >= 2:
                kind = "an input" if node.is_input else "an intermediate"
                raise NotYet(f"for the trace of `{text}` your list misses {label(node)} ({kind}), which has "
                             f"{len(children)} children.")
    return correct(f"your function finds exactly the shared nodes in {len(_SHARED_CASES)} traces you did not see "
                   f"(constants, a node used twice by one operation, inputs and unused nodes among them).")


# Exercise 2: functions with constants on either side of every operator.
_CONSTANT_CASES = [
    ("2 * x + y * 3 - 1", lambda x, y: 2 * x + y * 3 - 1, (1.5, -0.5)),
    ("1 / x - y / 4 + (5 - y)", lambda x, y: 1 / x - y / 4 + (5 - y), (0.8, 2.0)),
    ("0.5 * (x + 2 / x)", lambda x: 0.5 * (x + 2 / x), (1.3,)),
    ("x * y + 1.5", lambda x, y: x * y + 1.5, (2.0, 3.0)),
]


def _is_toy(x) -> bool:
    """A tape entry (anything with a value and a position), as opposed to a constant."""
    return hasattr(x, "value") and hasattr(x, "pos")


@exercise_check
def check_toy_constants(toy_record_with_constants):
    """Exercise 2: your toy recorder, on functions with constants, writes the trace that ``record`` writes."""
    who = name_of(toy_record_with_constants)
    for text, f, point in _CONSTANT_CASES:
        try:
            tape = call(toy_record_with_constants, f, *point, on=f"`{text}`")
        except NotYet as problem:
            if "unsupported operand" in str(problem):
                raise NotYet(f"{problem}. With a number on the left of an operator, Python asks the right "
                             f"operand's reflected method (__radd__, __rsub__, ...).") from None
            raise
        try:
            tape = list(tape)
        except TypeError:
            raise NotYet(f"{who} returned {tape!r} for `{text}`: it should return the tape, a list.") from None
        trace = record(f, *point)
        n_operations = len(trace.intermediates)
        if any(not (_is_toy(v) and hasattr(v, "op") and hasattr(v, "operands")) for v in tape):
            raise NotYet(f"the tape {who} returned for `{text}` holds something other than ToyVars "
                         f"(with .value, .op, .operands and .pos).")
        if len(tape) != len(trace.nodes):
            extra = " The constants went on the tape as if they were variables." if len(tape) > len(trace.nodes) else ""
            raise NotYet(f"your tape for `{text}` has {len(tape)} entries, but the function has "
                         f"{trace.n_inputs} {'input' if trace.n_inputs == 1 else 'inputs'} and performs "
                         f"{n_operations} operations.{extra}")
        for k, (entry, node) in enumerate(zip(tape, trace.nodes)):
            op = "input" if node.is_input else node.primitive.name
            if entry.op != op:
                raise NotYet(f"entry {k} of your tape for `{text}` is {entry.op!r}, but the operation performed "
                             f"there is {op!r}.")
            if not (isinstance(entry.value, numbers.Real) and math.isclose(entry.value, node.value, rel_tol=1e-14)):
                raise NotYet(f"entry {k} of your tape for `{text}` ({op}) has the value {entry.value!r}, but the "
                             f"function computes {node.value!r} there: with a constant on the left, is the "
                             f"order of the operands kept?")
            variables = [u.pos for u in entry.operands if _is_toy(u)]
            if variables != [u.pos for u in node.operands if trace.is_variable(u)]:
                raise NotYet(f"entry {k} of your tape for `{text}` ({op}) points to the wrong tape entries as "
                             f"its operands.")
            constants = [u for u in entry.operands if not _is_toy(u)]
            if constants != [u for u in node.operands if not trace.is_variable(u)]:
                raise NotYet(f"entry {k} of your tape for `{text}` ({op}) does not keep its constant among its "
                             f"operands; a derivative needs it later (the partial of c * x with respect to x is c).")
    return correct(f"on {len(_CONSTANT_CASES)} functions with constants on either side your tape is the trace "
                   f"`record` writes: same operations, operands and values, and no constant on the tape.")


# Exercise 3: values of a the learner does not see, small and large.
_NEWTON_POINTS = [3.0, 0.5, 77.0, 12345.678, 1e5]


@exercise_check
def check_newton_sqrt(newton_sqrt):
    """Exercise 3: newton_sqrt(a) gives sqrt(a) on floats, and AD through its loop gives 1/(2 sqrt(a))."""
    who = name_of(newton_sqrt)
    for a in _NEWTON_POINTS:
        value = call(newton_sqrt, a, on=f"a = {a:g}")
        if not is_number(value):
            raise NotYet(f"{who}({a:g}) returned {value!r}: it should return a number.")
        if not math.isclose(value, math.sqrt(a), rel_tol=1e-10):
            raise NotYet(f"{who}({a:g}) is off from the square root by {abs(value / math.sqrt(a) - 1):.1e} "
                         f"(relative): does the loop stop only when the condition says so?")
    def derivative_through_the_loop(a):
        return grad(newton_sqrt)(a)

    derivative_through_the_loop.__name__ = getattr(newton_sqrt, "__name__", "answer")
    for a in _NEWTON_POINTS:
        slope = call(derivative_through_the_loop, a, on=f"a traced value a = {a:g} (recording it for AD)")
        exact = 1 / (2 * math.sqrt(a))  # d sqrt(a)/da, by calculus
        if not math.isclose(slope, exact, rel_tol=1e-8):
            raise NotYet(f"AD through {who} at a = {a:g} gives the derivative {slope:.6g}, but the square root's "
                         f"slope there is {exact:.6g}: does every step of the loop compute with a traced value?")
    return correct(f"at {len(_NEWTON_POINTS)} values of a your loop gives the square root, and AD through the "
                   f"recorded loop gives its derivative 1/(2 sqrt(a)).")
