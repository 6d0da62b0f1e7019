"""Plotly figures for the lessons: rendering only.

Every number a figure draws is given by the caller (the lessons compute them with
``adlessons.numeric``); this module only decides how they look. ``show`` wraps a figure so a notebook stores it deterministically:
plotly JSON for JupyterLab, HTML with a fixed div id for the static book, and a one-line text.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Sequence

import plotly.graph_objects as go


__all__ = [
    "STYLE",
    "COLORS",
    "FigureDisplay",
    "show",
    "empty_figure",
    "finite_difference_error_figure",
    "finite_difference_relative_error_figure",
    "error_vs_step_figure",
]

EPS = sys.float_info.epsilon  # 2**-52, the spacing of floats just above 1.0

#: One colour per method, used by every figure so a reader learns them once.
COLORS = {
    "forward": "#1f5fa8",
    "central": "#d9730d",
    "complex step": "#2a8c4a",
    "reference": "#7a7a7a",
}

#: A small explicit template in the spirit of plotly's "simple_white". It is written out here
#: (rather than naming a built-in template) so stored notebook outputs do not change when a new
#: plotly release edits its built-in templates.
STYLE = go.layout.Template(
    layout=dict(
        font=dict(family="Helvetica, Arial, sans-serif", size=14, color="#222222"),
        title=dict(font=dict(size=16), x=0.0, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(COLORS.values()),
        xaxis=dict(showline=True, linecolor="#444444", ticks="outside", showgrid=True,
                   gridcolor="#ececec", zeroline=False, exponentformat="power"),
        yaxis=dict(showline=True, linecolor="#444444", ticks="outside", showgrid=True,
                   gridcolor="#ececec", zeroline=False, exponentformat="power"),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", bordercolor="#cccccc", borderwidth=1),
        margin=dict(l=80, r=30, t=70, b=60),
        hovermode="closest",
    )
)

HEIGHT = 440  # pixels; the static book needs a height, a notebook cell is happy with it
CONFIG = {"responsive": True, "displaylogo": False}
_DIV_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class FigureDisplay:
    """A plotly figure as Jupyter shows it: interactive JSON, static-book HTML and a stable one-line text."""

    def __init__(self, figure: go.Figure, div_id: str):
        if not isinstance(div_id, str) or not _DIV_ID.match(div_id):
            raise ValueError(f"show: div_id must be letters, digits, '-' or '_', starting with a letter, got {div_id!r}")
        self.figure = figure
        self.div_id = div_id

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The three representations; JupyterLab picks the plotly one, the book the HTML one."""
        as_json = json.loads(self.figure.to_json())  # plain lists and dicts, as stored in the notebook
        as_json["config"] = dict(CONFIG)
        html = self.figure.to_html(
            full_html=False, include_plotlyjs=False, div_id=self.div_id, config=CONFIG,
            default_height=f"{HEIGHT}px",
        )
        return {
            "application/vnd.plotly.v1+json": as_json,
            "text/html": html,
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        title = self.figure.layout.title.text or "untitled"
        return f"<plotly figure {self.div_id!r}: {_plain(title)}>"


def show(fig: go.Figure, div_id: str) -> FigureDisplay:
    """Wrap fig for display with a fixed div id, so re-running a notebook gives identical outputs."""
    return FigureDisplay(fig, div_id)


def finite_difference_error_figure(xs: Sequence[float], errors: Sequence[float], h: float) -> go.Figure:
    """The absolute errors of the forward difference of e^x at the points xs, on linear axes."""
    fig = empty_figure(
        title=f"Absolute error of the forward difference (e<sup>x+h</sup> − e<sup>x</sup>)/h, h = {_sci(h)}",
        xaxis_title="x",
        yaxis_title="|forward difference − e<sup>x</sup>|",
    )
    fig.add_trace(go.Scatter(x=list(xs), y=list(errors), mode="lines",
                             line=dict(color=COLORS["forward"], width=1.2)))
    fig.update_layout(showlegend=False)
    return fig


def finite_difference_relative_error_figure(xs: Sequence[float], relative: Sequence[float],
                                            h: float) -> go.Figure:
    """The same errors divided by e^x, on a log axis, with the round-off scale eps/h for comparison."""
    fig = empty_figure(
        title=f"Relative error of the same forward difference, h = {_sci(h)}",
        xaxis_title="x",
        yaxis_title="|forward difference − e<sup>x</sup>| / e<sup>x</sup>",
        yaxis_type="log",
    )
    fig.add_trace(go.Scatter(x=list(xs), y=list(relative), mode="markers", name="relative error",
                             marker=dict(color=COLORS["forward"], size=3)))
    fig.add_trace(_reference_line(xs, EPS / h, f"ε/h = {_sci(EPS / h, 2)}"))
    fig.update_yaxes(dtick=1)  # one tick per power of ten
    return fig


def error_vs_step_figure(steps: Sequence[float], errors: dict, x: float,
                         name: str = "e<sup>x</sup>") -> go.Figure:
    """Relative errors against the step h, one line per method (``numeric.relative_errors``),
    log-log: the V of truncation against round-off.  An exact 0 is drawn at eps/20."""
    floor = EPS / 20
    fig = empty_figure(
        title=f"Relative error of three derivative estimates of {name} at x = {x:g}",
        xaxis_title="step h",
        yaxis_title="relative error",
        xaxis_type="log",
        yaxis_type="log",
    )
    for method, values in errors.items():
        fig.add_trace(go.Scatter(x=list(steps), y=_drawable(values, floor), name=method,
                                 mode="lines+markers", marker=dict(size=5),
                                 line=dict(color=COLORS[method], width=2)))
    fig.add_trace(_reference_line(steps, EPS, f"ε = {_sci(EPS, 2)}"))
    fig.add_trace(_reference_line(steps, floor, "error exactly 0 (drawn here)", dash="dot"))
    return fig


def empty_figure(title: str, xaxis_title: str, yaxis_title: str, xaxis_type: str = "linear",
                 yaxis_type: str | None = "linear") -> go.Figure:
    """An empty figure in the course style (``yaxis_type=None`` leaves the y axis's type to plotly)."""
    yaxis = dict(title=dict(text=yaxis_title))
    if yaxis_type is not None:
        yaxis["type"] = yaxis_type
    fig = go.Figure()
    fig.update_layout(
        template=STYLE, title=dict(text=title), height=HEIGHT,
        xaxis=dict(title=dict(text=xaxis_title), type=xaxis_type), yaxis=yaxis,
    )
    return fig


def _reference_line(xs: Sequence[float], level: float, label: str, dash: str = "dash") -> go.Scatter:
    """A horizontal line at level across the range of xs, for comparison with the data."""
    return go.Scatter(
        x=[min(xs), max(xs)], y=[level, level], mode="lines", name=label,
        line=dict(color=COLORS["reference"], width=1.5, dash=dash), hoverinfo="name",
    )


def _drawable(values: Sequence[float], floor: float) -> list[float]:
    """Values for a log axis: an exact 0 cannot be drawn there, so it is drawn at floor."""
    return [v if v > 0 else floor for v in values]


def _sci(value: float, digits: int = 1) -> str:
    """A number in short scientific form for labels: 1e-9 -> '1e-9', 2.22e-7 -> '2.2e-7'."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent)}"


def _plain(text: str) -> str:
    """A title without HTML tags, for the one-line text representation."""
    return re.sub(r"<sup>(.*?)</sup>", r"^(\1)", re.sub(r"<br\s*/?>", " ", text))
