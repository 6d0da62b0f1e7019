"""``checkpoint(f)``: trade memory for recomputation (JAX's ``jax.checkpoint``, also ``remat``).

Recording a call ``g(x)`` normally appends every operation inside ``g`` to the trace, and all
of it stays until the reverse sweep is done. ``checkpoint(g)(x)`` appends ONE node instead:
its operands are g's inputs, its value g's output, and nothing of the inside is kept. When a
sweep reaches that node, its derivative rule records ``g`` again from the stored inputs and
sweeps through that fresh inner trace, which is dropped right afterwards::

    step = checkpoint(chunk)          # chunk: a function of the state
    grad(lambda x: step(step(x)))(1.0)  # same number as without checkpoint, less memory

The rules use the package's own ``Trace`` and sweeps, so they are recorded like any other
rule when a derivative is differentiated again (``grad(grad(f))``), and nested checkpoints
work. The results equal those without the wrapper: the same operations, in the same order,
for first derivatives and for forward over reverse (``jvp(grad(f))``, dual numbers through
``grad``). Three cases agree to rounding instead: reverse over reverse (``grad(grad(f))``
records the recomputed steps in the outer trace beside the first recording, so sums the plain
trace forms at one node are formed along two paths); a traced argument of ``g`` also used after
the call (its adjoint adds g's contributions as one subtotal rather than one by one); and the
tangent of a ``g`` with several traced arguments (one inner sweep per argument, then summed).

Arguments that are not traced (a step count, a setting) are constants of the call: they are
built into the node's operation. A list of traced values counts as that many operands.
``g`` must return one value (a number or an array).
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from .api import parameter_names
from .errors import describe_value
from .forward import output_tangents, tangent_sweep
from .memory import release
from .primitive import Primitive, Traced, is_plain_value, zeros_like
from .presentation import constant_text
from .reverse import adjoint_sweep
from .symbolic import Expr, symbol, to_text
from .tracing import Node, Trace

__all__ = ["checkpoint", "is_checkpoint", "inner_trace", "Inside"]


def checkpoint(f: Callable) -> Callable:
    """Wrap ``f`` so that, while recording, a call to it is one node that keeps only its
    inputs; its derivative re-records ``f`` from them when a sweep needs it."""
    if not callable(f):
        raise TypeError(f"checkpoint: expected a function to wrap, got {describe_value(f)} "
                        f"({type(f).__name__})")
    name = f"checkpoint({getattr(f, '__name__', 'f')})"

    @functools.wraps(f)
    def checkpointed(*args):
        operands, rebuild, shown = _traced_operands(args)
        if not operands:  # nothing is being traced: an ordinary call
            return f(*args)
        inside = Inside(f, rebuild, name, _input_names(f, args))
        primitive = Primitive(
            name, evaluate=inside, arity=None, notation=f"{name}({', '.join(shown)})",
            jvp_rules=tuple(inside.jvp_rule(k) for k in range(len(operands))),
            vjp_rules=tuple(inside.vjp_rule(k) for k in range(len(operands))),
            register=False,  # one call is not an entry of the table
        )
        return primitive(*operands)

    checkpointed.checkpointed = f
    return checkpointed


class Inside:
    """What a checkpointed node knows about its inside: the function, and how to record it
    again from the node's stored inputs. It is the node's primitive's ``evaluate``."""

    def __init__(self, f: Callable, rebuild: Callable, name: str, input_names: list):
        self.f = f
        self.rebuild = rebuild  # operands -> f's full argument list (constants filled in)
        self.name = name
        self.input_names = input_names
        self._last = None  # (key objects, input adjoints): a 1-entry cache, see pullback

    def __call__(self, *values):
        """Evaluate on plain values: just run ``f``, recording nothing."""
        out = self.f(*self.rebuild(values))
        if not (is_plain_value(out) or isinstance(out, Traced)):
            raise TypeError(f"{self.name}: the function must return one number or one array, "
                            f"got {describe_value(out)} ({type(out).__name__})")
        return out

    def record(self, values) -> Trace:
        """Record ``f`` again, from ``values`` (the node's stored inputs): the inner trace."""
        trace = Trace(list(values), self.input_names)
        trace.outputs = [self.f(*self.rebuild(trace.nodes))]
        return trace

    def pullback(self, cotangent, values) -> list:
        """The adjoints of all inputs for output adjoint ``cotangent``: one inner sweep.
        The sweep asks once per operand; the last answer is kept (a 1-entry cache, held as
        long as the node) so that a call with several operands is recomputed once, not
        once per operand."""
        key = (cotangent, *values)
        if self._last is not None and len(self._last[0]) == len(key) and all(
                a is b for a, b in zip(self._last[0], key)):
            return self._last[1]
        trace = self.record(values)
        adjoints = adjoint_sweep(trace, [cotangent])[: trace.n_inputs]
        release(trace)  # the inner trace goes as soon as it has been swept
        self._last = (key, adjoints)
        return adjoints

    def pushforward(self, slot: int, tangent, values):
        """The output's tangent when only operand ``slot`` moves, by ``tangent``: one inner
        tangent sweep of a fresh recording."""
        trace = self.record(values)
        seeds = [tangent if k == slot else zeros_like(v) for k, v in enumerate(values)]
        tangent = output_tangents(trace, tangent_sweep(trace, seeds))[0]
        release(trace)
        return tangent

    def vjp_rule(self, slot: int) -> Callable:
        def vjp(cotangent, *values_and_out):
            values = values_and_out[:-1]
            if _symbolic(cotangent, *values):  # printing the rule: name it, do not expand it
                return symbol(f"{to_text(cotangent)}·∂{self.name}/∂{to_text(values[slot])}")
            return self.pullback(cotangent, values)[slot]
        return vjp

    def jvp_rule(self, slot: int) -> Callable:
        def jvp(tangent, *values_and_out):
            values = values_and_out[:-1]
            if _symbolic(tangent, *values):
                return symbol(f"∂{self.name}/∂{to_text(values[slot])}·{to_text(tangent)}")
            return self.pushforward(slot, tangent, values)
        return jvp


def is_checkpoint(node) -> bool:
    """True for a trace node made by calling a ``checkpoint``-wrapped function."""
    return type(node) is Node and node.primitive is not None and isinstance(node.primitive.evaluate, Inside)


def inner_trace(node) -> Trace:
    """The trace inside a checkpointed node, recorded again from its stored inputs (as the
    reverse sweep does): to look inside the box."""
    if not is_checkpoint(node):
        raise ValueError(f"inner_trace: {describe_value(node)} is not a checkpointed call")
    return node.primitive.evaluate.record(node.args)


# --- arguments --------------------------------------------------------------------------------


def _traced_operands(args: tuple):
    """The traced values among ``args`` (entries of lists count one by one), a function that
    puts operands back into the argument list, and how each argument reads in the node's
    operation ("{0}" for an operand, the value for a constant)."""
    operands, places, shown = [], [], []
    for position, a in enumerate(args):
        if isinstance(a, Traced):
            places.append((position, None))
            shown.append(f"{{{len(operands)}}}")
            operands.append(a)
        elif _is_vector(a) and any(isinstance(x, Traced) for x in a):
            entries = []
            for k, x in enumerate(a):
                if isinstance(x, Traced):
                    places.append((position, k))
                    entries.append(f"{{{len(operands)}}}")
                    operands.append(x)
                else:
                    entries.append(_escaped(constant_text(x)))
            shown.append("[" + ", ".join(entries) + "]")
        else:
            shown.append(_escaped(constant_text(a) if is_plain_value(a) else describe_value(a)))

    def rebuild(values) -> list:
        full = [list(a) if _is_vector(a) else a for a in args]
        for (position, k), v in zip(places, values):
            if k is None:
                full[position] = v
            else:
                full[position][k] = v
        for position, a in enumerate(args):  # vectors go back in their own type
            if isinstance(a, tuple):
                full[position] = tuple(full[position])
            elif isinstance(a, np.ndarray) and a.dtype == object:
                full[position] = np.array(full[position], dtype=object)
        return full

    return operands, rebuild, shown


def _input_names(f: Callable, args: tuple) -> list:
    """Names for the inner trace's inputs: f's parameter names, ``v[k]`` for list entries."""
    params = parameter_names(f, len(args))
    names = []
    for position, a in enumerate(args):
        base = params[position]
        if isinstance(a, Traced):
            names.append(base)
        elif _is_vector(a):
            names.extend(f"{base}[{k}]" for k, x in enumerate(a) if isinstance(x, Traced))
    return names


def _is_vector(a) -> bool:
    return isinstance(a, (list, tuple)) or (isinstance(a, np.ndarray) and a.dtype == object)


def _escaped(text: str) -> str:
    """Text that goes into a format string unchanged."""
    return text.replace("{", "{{").replace("}", "}}")


def _symbolic(*xs) -> bool:
    return any(isinstance(x, Expr) for x in xs)
