"""Checks for the lessons' exercises: call ``lessonN.check_...(your_answer)`` and read the verdict.

Each lesson has a module (``adlessons.exercises.lesson1`` ...). A check runs your answer on
points and properties you do not see and returns a ``Feedback``: right, or one sentence on
what is wrong, without giving the answer away.
"""

from .feedback import Feedback, correct, not_yet

__all__ = ["Feedback", "correct", "not_yet"]
