"""Checks for the lessons' exercises: call ``lessonN.check_...(your_answer)`` and read the verdict.

Each lesson has a module (``from adlessons.exercises import lesson1``). A check runs your answer
on points and properties you do not see and returns a ``Feedback``: right, or one sentence on
what is wrong, without giving the answer away.

For writing checks: a check is a function decorated with ``@exercise_check``; inside it,
``call(answer, *args)`` runs the learner's code and ``raise NotYet("...")`` stops at the first
problem found. The decorator turns that into ``not_yet(...)``, so a stub that still raises
``NotImplementedError`` gets a clear "Not yet" instead of a traceback.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

from .feedback import Feedback, correct, not_yet

__all__ = ["Feedback", "correct", "not_yet", "NotYet", "exercise_check", "call", "name_of", "close"]


class NotYet(Exception):
    """Raised inside a check at the first problem found; its message is what the learner reads."""


def name_of(answer) -> str:
    """How a message names the learner's answer: ``your newton_sqrt`` or ``your answer``."""
    name = getattr(answer, "__name__", "")
    return f"your {name}" if name and name != "<lambda>" else "your answer"


def call(answer: Callable, *args, on: str | None = None):
    """answer(*args); if it is still a stub or raises, a NotYet that names the call and the error."""
    where = f" on {on}" if on is not None else (f" on {_short(args)}" if args else "")
    if not callable(answer):
        raise NotYet(f"{name_of(answer)} should be a function, but it is {type(answer).__name__} {answer!r}.")
    try:
        return answer(*args)
    except NotYet:
        raise
    except NotImplementedError:
        raise NotYet(f"{name_of(answer)} is not written yet (it raises NotImplementedError): "
                     f"replace `raise NotImplementedError` with your code.") from None
    except RecursionError:
        raise NotYet(f"{name_of(answer)} hit Python's recursion limit{where}: a loop does not.") from None
    except Exception as error:  # the learner's bug, reported in a sentence instead of a traceback
        raise NotYet(f"{name_of(answer)} raised {type(error).__name__}{where}: {error}") from None


def exercise_check(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Make a check return ``not_yet(message)`` for every ``NotYet`` raised while it runs."""

    @functools.wraps(check)
    def run(*args, **kwargs) -> Feedback:
        try:
            return check(*args, **kwargs)
        except NotYet as problem:
            return not_yet(str(problem))

    return run


def close(a, b, rel: float = 1e-12, abs_tol: float = 1e-14) -> bool:
    """Whether a learner's number agrees with b to ``rel`` (or ``abs_tol``); False if it is not a number."""
    try:
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_tol)
    except (TypeError, ValueError):
        return False


def _short(args: tuple) -> str:
    """Arguments as a learner would type them: (1e+08, 1e-07) -> '1e+08, 1e-07'."""
    text = ", ".join(f"{a:g}" if isinstance(a, float) else repr(a) for a in args)
    return text if len(text) <= 60 else text[:57] + "..."
