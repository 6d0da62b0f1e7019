"""Pictures of checkpointing: a schedule as the classic time/step diagram, the memory versus
recomputation trade-off, and a trace whose checkpointed calls can be opened.

Rendering only. A schedule's picture is read off its actions (``adlessons.schedules``); the
numbers of the trade-off come from runs the caller measured; an opened checkpoint is the
trace ``adlessons.checkpointing.inner_trace`` records again from the node's stored inputs.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import plotly.graph_objects as go

from ..checkpointing import inner_trace, is_checkpoint
from ..presentation import constant_text, format_number, subscript
from ..primitive import primal
from ..schedules import Advance, Restore, Reverse, Schedule, ScheduleRun, Snapshot
from ..tracing import Trace
from .graph import FONT, PALETTE, TraceGraph, draw
from .plots import empty_figure

__all__ = ["schedule_figure", "tradeoff_figure", "draw_checkpoints", "SCHEDULE_COLORS"]

#: One colour per kind of action, in every schedule picture.
SCHEDULE_COLORS = {
    "advance": "#1f5fa8",
    "reverse": "#d9730d",
    "snapshot": "#2a8c4a",
    "restore": "#7a7a7a",
}


# --- the time/step diagram -----------------------------------------------------------------------


def schedule_figure(schedule: Schedule, title: Optional[str] = None) -> go.Figure:
    """Griewank's picture of a reversal schedule: the loop's states 0 .. N across, time going
    down. An advance is a thin line to the right (one time unit per step), a reversal a dashed
    line to the right (taping) and a thick one back to the left (the sweep), a snapshot a dot
    with a faint line below it for as long as it is kept, a restore a dotted jump back."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule_figure: expected a Schedule, got {type(schedule).__name__}")
    lines = {kind: ([], []) for kind in ("advance", "taping", "reverse", "restore", "kept")}
    dots = ([], [])
    kept_since: dict = {}  # slot -> (position, time it was taken)
    time, position = 0, 0

    def segment(kind, x0, t0, x1, t1):
        xs, ts = lines[kind]
        xs.extend([x0, x1, None])
        ts.extend([t0, t1, None])

    for action in schedule:
        if type(action) is Advance:
            length = action.stop - action.start
            segment("advance", action.start, time, action.stop, time + length)
            time, position = time + length, action.stop
        elif type(action) is Snapshot:
            if action.slot in kept_since:
                _keep(segment, *kept_since[action.slot], time)
            kept_since[action.slot] = (action.position, time)
            dots[0].append(action.position)
            dots[1].append(time)
        elif type(action) is Restore:
            segment("restore", position, time, action.position, time)
            position = action.position
        elif type(action) is Reverse:
            length = action.stop - action.start
            segment("taping", action.start, time, action.stop, time + length)
            segment("reverse", action.stop, time + length, action.start, time + 2 * length)
            time, position = time + 2 * length, action.start
    for start_position, start_time in kept_since.values():
        _keep(segment, start_position, start_time, time)

    fig = empty_figure(title or f"Schedule {schedule.name}: time flows down",
                       "state x<sub>i</sub> of the loop", "time (steps run)", yaxis_type=None)
    styles = {
        "kept": dict(color="rgba(42,140,74,0.25)", width=4),
        "advance": dict(color=SCHEDULE_COLORS["advance"], width=1.5),
        "taping": dict(color=SCHEDULE_COLORS["reverse"], width=1.2, dash="dash"),
        "reverse": dict(color=SCHEDULE_COLORS["reverse"], width=3.5),
        "restore": dict(color=SCHEDULE_COLORS["restore"], width=1.2, dash="dot"),
    }
    names = {"kept": "snapshot kept", "advance": "advance (no tape)",
             "taping": "tape a stretch", "reverse": "sweep back (reverse)", "restore": "restore"}
    for kind in ("kept", "advance", "taping", "reverse", "restore"):
        xs, ts = lines[kind]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ts, mode="lines", name=names[kind], line=styles[kind],
                                     hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=dots[0], y=dots[1], mode="markers", name="snapshot taken",
                             marker=dict(color=SCHEDULE_COLORS["snapshot"], size=8),
                             hovertemplate="snapshot of x%{x} at time %{y}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[-0.5, schedule.steps + 0.5], dtick=_tick(schedule.steps))
    return fig


def _keep(segment, position, start, stop):
    segment("kept", position, start, position, stop)


def _tick(n: int) -> int:
    """A tick spacing that gives at most about a dozen ticks."""
    for tick in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if n / tick <= 12:
            return tick
    return 10 ** len(str(n // 10))


# --- memory versus recomputation -----------------------------------------------------------------


def tradeoff_figure(curves: Mapping[str, Sequence[ScheduleRun]], steps: int,
                    labels: Optional[Mapping[str, Sequence[str]]] = None) -> go.Figure:
    """Forward steps recomputed against values held at the peak (snapshots plus the nodes of
    the tape being swept), one curve per family of schedules, from runs the caller made."""
    fig = empty_figure(f"Memory against recomputation, reversing a loop of {steps:,} steps",
                       "values held at the peak (snapshots + nodes on the tape)",
                       "forward steps recomputed (advances)", xaxis_type="log", yaxis_type=None)
    colours = ["#7a7a7a", "#1f5fa8", "#d9730d", "#2a8c4a", "#8e44ad"]
    for k, (name, runs) in enumerate(curves.items()):
        texts = list(labels[name]) if labels and name in labels else [""] * len(runs)
        fig.add_trace(go.Scatter(
            x=[r.peak_values for r in runs], y=[r.advances for r in runs],
            mode="lines+markers" if len(runs) > 1 else "markers", name=name, text=texts,
            line=dict(color=colours[k % len(colours)], width=2),
            marker=dict(size=7 if len(runs) > 1 else 11, color=colours[k % len(colours)]),
            hovertemplate=name + " %{text}<br>%{x} values held<br>%{y} advances<extra></extra>",
        ))
    return fig


# --- a trace with checkpointed calls -------------------------------------------------------------


_INNER_LETTERS = "wuzqrs"


def draw_checkpoints(trace: Trace, open_checkpoints: bool = True, name: Optional[str] = None,
                     digits: int = 4, max_nodes: int = 300) -> TraceGraph:
    """``draw(trace)``, with each checkpointed call marked as a box of its own (a double purple
    border); with ``open_checkpoints`` each box is opened: the trace inside it, recorded again
    from the node's stored inputs, is drawn as a cluster (nested calls nest). Inside a box the
    nodes are named w₀, w₁ ... (u, z ... one level deeper), so they are not confused with the
    outer trace's v's."""
    dot = draw(trace, name=name, digits=digits, max_nodes=max_nodes)
    if len(trace.nodes) > max_nodes:  # draw gave its one-box summary: nothing to mark or open
        return dot
    boxes = [node for node in trace.nodes if is_checkpoint(node)]
    if not boxes:
        return dot
    for node in boxes:
        dot.node(f"n{node.pos}", color="#8e44ad", peripheries="2", penwidth="1.6")
    if open_checkpoints:
        opened = []
        for node in boxes:
            _open(dot, dot, node, "n", 0, digits, opened)
        dot.alt_text += (" Opened checkpoints, re-recorded from their stored inputs: "
                         + "; ".join(opened) + ".")
        dot.description += f", {len(boxes)} checkpoint{'s' * (len(boxes) != 1)} opened"
    else:
        dot.description += f", {len(boxes)} closed checkpoint{'s' * (len(boxes) != 1)}"
    return dot


def _open(dot, container, node, enclosing: str, depth: int, digits: int, opened: list) -> None:
    """Draw the inside of checkpointed ``node`` (whose trace's nodes have ids ``enclosing`` +
    position) as a cluster in ``container``, wired to its operands and to its own box."""
    inside = inner_trace(node)
    letter = _INNER_LETTERS[depth % len(_INNER_LETTERS)]
    node_id = f"{enclosing}{node.pos}"
    prefix = f"{node_id}_{letter}"

    def name(inner_node):
        return f"{letter}{subscript(inner_node.index)}"

    def operand(x):
        return name(x) if inside.is_variable(x) else constant_text(primal(x))

    opened.append(f"{node.primitive.name} with {len(inside.nodes)} nodes")
    with container.subgraph(name=f"cluster_{prefix}") as box:
        box.attr(label=f"inside {node.primitive.name}: recorded again from its inputs",
                 style="rounded,dashed", color="#8e44ad", fontcolor="#5b2c6f", fontname=FONT,
                 fontsize="11")
        for inner_node in inside.nodes:
            text = inside.input_names[inner_node.pos] if inner_node.is_input else \
                inner_node.primitive.format(*(operand(x) for x in inner_node.operands))
            fill, border, ink = PALETTE["input" if inner_node.is_input else "intermediate"]
            extra = {"color": "#8e44ad", "peripheries": "2"} if is_checkpoint(inner_node) else {}
            box.node(f"{prefix}{inner_node.pos}",
                     f"{name(inner_node)} = {text}\\n{format_number(inner_node.value, digits)}",
                     **{"fillcolor": fill, "color": border, "fontcolor": ink,
                        "style": "rounded,filled,dashed", "id": f"node-{prefix}{inner_node.pos}",
                        **extra})
            for x in inner_node.parents:
                dot.edge(f"{prefix}{x.pos}", f"{prefix}{inner_node.pos}")
        for inner_node in inside.nodes:  # nested checkpoints open inside this box
            if is_checkpoint(inner_node):
                _open(dot, box, inner_node, prefix, depth + 1, digits, opened)
    for k, outer in enumerate(node.operands):  # the stored inputs go into the box ...
        if node.trace.is_variable(outer):
            dot.edge(f"{enclosing}{outer.pos}", f"{prefix}{k}", style="dashed", color="#8e44ad",
                     arrowsize="0.5")
    y = inside.outputs[0]
    if inside.is_variable(y):  # ... and its output is the box's value
        dot.edge(f"{prefix}{y.pos}", node_id, style="dashed", color="#8e44ad", arrowsize="0.5")
