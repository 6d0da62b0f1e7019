"""What a check says back: right, or one sentence on what is wrong (never the answer itself)."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The verdict of an exercise check. ``ok`` is True when the answer passed; ``message``
    says why it passed or, helpfully but without giving the answer away, what is wrong."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return f"{'Correct' if self.ok else 'Not yet'}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, mark = ("#1e7b34", "&#10003;") if self.ok else ("#a3361f", "&#10007;")
        return (f"<div class='adl-feedback' style='color:{colour}'><b>{mark} "
                f"{'Correct' if self.ok else 'Not yet'}:</b> {html.escape(self.message)}</div>")


def correct(message: str = "your answer passes every check.") -> Feedback:
    """A passing verdict."""
    return Feedback(True, message)


def not_yet(message: str) -> Feedback:
    """A failing verdict: ``message`` names what is wrong (which input, which node, what kind
    of value was expected), never the expected answer."""
    return Feedback(False, message)
