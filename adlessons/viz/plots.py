"""Plotly figures for the lessons: rendering only.

Every number a figure draws comes from ``adlessons.numeric`` (or from the caller); this module
only decides how it looks. ``show`` wraps a figure so a notebook stores it deterministically:
plotly JSON for JupyterLab, HTML with a fixed div id for the static book, and a one-line text.
"""

from __future__ import annotations

import cmath
import json
import math
import re
import sys
from typing import Callable, Sequence

import plotly.graph_objects as go

from .. import numeric

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


def finite_difference_error_figure(x: Sequence[float], h: float = 1e-9) -> go.Figure:
    """|(e^(x+h) - e^x)/h - e^x| against x, on linear axes: flat, then shaky as e^x grows."""
    xs = [float(v) for v in x]
    errors = [abs(numeric.forward_difference(math.exp, v, h) - math.exp(v)) for v in xs]
    fig = empty_figure(
        title=f"Absolute error of the forward difference (e<sup>x+h</sup> − e<sup>x</sup>)/h, h = {_sci(h)}",
        xaxis_title="x",
        yaxis_title="|forward difference − e<sup>x</sup>|",
    )
    fig.add_trace(go.Scatter(
        x=xs, y=errors, mode="lines", name="absolute error",
        line=dict(color=COLORS["forward"], width=1.2),
        hovertemplate="x = %{x:.2f}<br>error = %{y:.3g}<extra></extra>",
    ))
    fig.update_layout(showlegend=False)
    return fig


def finite_difference_relative_error_figure(x: Sequence[float], h: float = 1e-9) -> go.Figure:
    """The same error divided by e^x, on a log axis, with the round-off scale eps/h drawn for comparison."""
    xs = [float(v) for v in x]
    relative = [abs(numeric.forward_difference(math.exp, v, h) - math.exp(v)) / math.exp(v) for v in xs]
    fig = empty_figure(
        title=f"Relative error of the same forward difference, h = {_sci(h)}",
        xaxis_title="x",
        yaxis_title="|forward difference − e<sup>x</sup>| / e<sup>x</sup>",
        yaxis_type="log",
    )
    fig.add_trace(go.Scatter(
        x=xs, y=_drawable(relative, floor=EPS), mode="markers", name="relative error",
        marker=dict(color=COLORS["forward"], size=3),
        hovertemplate="x = %{x:.2f}<br>relative error = %{y:.2g}<extra></extra>",
    ))
    fig.add_trace(_reference_line(xs, EPS / h, f"ε/h = {_sci(EPS / h, 2)}"))
    fig.update_yaxes(dtick=1)  # one tick per power of ten
    return fig


def error_vs_step_figure(
    x: float = 1.0,
    steps: Sequence[float] | None = None,
    f: Callable[[float], float] = math.exp,
    f_complex: Callable[[complex], complex] = cmath.exp,
    derivative: Callable[[float], float] = math.exp,
    name: str = "e<sup>x</sup>",
) -> go.Figure:
    """Relative error of forward, central and complex-step derivatives against h, log-log: the V of truncation vs round-off."""
    hs = [float(h) for h in (steps if steps is not None else default_steps())]
    exact = derivative(x)
    if exact == 0:
        raise ValueError(f"error_vs_step_figure: the derivative at x = {x!r} is 0, so a relative error is undefined")
    methods = {
        "forward": lambda h: numeric.forward_difference(f, x, h),
        "central": lambda h: numeric.central_difference(f, x, h),
        "complex step": lambda h: numeric.complex_step(f_complex, x, h),
    }
    floor = EPS / 20
    fig = empty_figure(
        title=f"Relative error of three derivative estimates of {name} at x = {x:g}",
        xaxis_title="step h",
        yaxis_title="relative error",
        xaxis_type="log",
        yaxis_type="log",
    )
    for method, estimate in methods.items():
        errors = [abs(estimate(h) - exact) / abs(exact) for h in hs]
        fig.add_trace(go.Scatter(
            x=hs, y=_drawable(errors, floor), mode="lines+markers", name=method,
            line=dict(color=COLORS[method], width=2), marker=dict(size=5),
            hovertemplate=method + "<br>h = %{x:.1e}<br>relative error = %{y:.2g}<extra></extra>",
        ))
    fig.add_trace(_reference_line(hs, EPS, f"ε = {_sci(EPS, 2)}"))
    fig.add_trace(_reference_line(hs, floor, "error exactly 0 (drawn here)", dash="dot"))
    return fig


def default_steps() -> list[float]:
    """Steps h = 10^(-k/4) from 1e-1 down to 1e-20: four per decade."""
    return [10.0 ** (-k / 4) for k in range(4, 81)]


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
