"""Drawing an evaluation trace as a computational graph, with Graphviz.

``draw(trace)`` returns a ``graphviz.Digraph`` that Jupyter shows as SVG.  The layout is the
textbook one: inputs on one rank at the bottom, the output at the top, an arrow for each
operand a node was computed from.  Colour says role, as in torchviz:

- inputs v(1-n) .. v0: light blue,
- intermediates v1 .. vl: white,
- outputs: light green,
- constants (plain numbers the function used): small grey boxes, one per occurrence.

Optional overlays write a sweep's state under each node's value: ``tangents`` (v̇) and
``adjoints`` (v̄), lists aligned with ``trace.nodes`` as ``tangent_sweep`` and
``adjoint_sweep`` return them; ``None`` means "not computed yet" and shows as ``?``.
``highlight_node`` and ``highlight_edges`` (``(parent_pos, child_pos)`` pairs, as in a
step's ``edges``) stand out in orange: that is how the stepper shows one step of a sweep
(in reverse mode with ``highlight_backward=True``: the arrowhead points down the edge, the
way the adjoint travels).

This module only draws: every number comes from the trace or from the caller.

The DOT source is deterministic (the tests compare it): node ids come from positions
(``n0``, ``n1`` ... for trace nodes, ``c7_1`` for the constant in operand slot 1 of
node 7), and everything is emitted in recording order.  In the SVG, node ``v3`` has the
element id ``node-v3`` and the highlighted node and edges carry the class ``adl-highlight``.

Each drawing carries a description for screen readers and the book's image alt text
(``alt_text``: the function's name when given, then its evaluation trace line by line); the
SVG gets it as ``role="img"`` and ``aria-label``.  The SVG is laid out by the system
Graphviz when there is one, else by Graphviz compiled to WebAssembly (see ``backend``).

Traces larger than ``max_nodes`` are not laid out (Graphviz would take minutes on a
million nodes): ``draw`` then returns a one-box summary graph instead of raising, so a
notebook cell still shows something useful.  Look at such traces with ``evaluation_table``
or draw a smaller instance of the function.
"""

from __future__ import annotations

import html
import re
from typing import Optional, Sequence

import graphviz

from ..presentation import BAR, DOT, format_number, label, operand_text, operation_text
from ..tracing import Node, Trace
from .backend import GraphvizNotFound, WASM, choose, render_svg

__all__ = ["draw", "svg_text", "TraceGraph", "PALETTE"]

#: Colours by role (fill, border, text).  Restrained, so the highlight is what stands out.
PALETTE = {
    "input": ("#dbe9f6", "#1f5fa8", "#10243f"),
    "intermediate": ("#ffffff", "#6b6b6b", "#222222"),
    "output": ("#d4edda", "#2a8c4a", "#0f3d1e"),
    "constant": ("#efefef", "#b5b5b5", "#555555"),
    "highlight": ("#ffe8a3", "#d9730d", "#222222"),
    "edge": "#8a8a8a",
    "constant_edge": "#bdbdbd",
    "highlight_edge": "#d9730d",
    "tangent": "#1f5fa8",
    "adjoint": "#b8432f",
    "unknown": "#a8a8a8",
}

FONT = "Helvetica,Arial,sans-serif"

_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->|<title>.*?</title>", re.DOTALL)
_SIZE = re.compile(r'^<svg width="([\d.]+)pt" height="([\d.]+)pt"')

#: Operations listed in a drawing's description before it says "and N more".
DESCRIBE_AT_MOST = 40


def svg_text(dot: graphviz.Digraph, scale: float = 1.0, backend: Optional[str] = None) -> str:
    """Render a Digraph to SVG and strip what varies or does not belong inline: the XML
    prolog and doctype, comments (Graphviz's version banner) and hover titles ("n3"); the
    drawing's ``alt_text``, if any, becomes the SVG's accessible name."""
    svg = render_svg(dot.source, backend)
    svg = re.sub(r"\n\s*\n+", "\n", _PROLOG.sub("", svg)).strip()
    svg = _SIZE.sub(lambda m: f'<svg width="{float(m.group(1)) * scale:.0f}pt" '
                               f'height="{float(m.group(2)) * scale:.0f}pt"', svg, count=1)
    svg = _style_lines(svg, getattr(dot, "line_styles", {}))
    alt = getattr(dot, "alt_text", "")
    if alt and svg.startswith("<svg "):
        svg = f'<svg role="img" aria-label="{html.escape(alt, quote=True)}" ' + svg[len("<svg "):]
    return svg


class TraceGraph(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw`` returns: shows as cleaned SVG in Jupyter and has
    a stable text form (no memory address), so stored notebook outputs do not vary.  Without
    any Graphviz it shows how to install one instead of a picture."""

    description = "graph"
    alt_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_styles = {}  # SVG node id -> (colour, bold) per label line; see _style_lines

    def __repr__(self) -> str:
        return f"<{self.description}>"

    def _repr_image_svg_xml(self) -> str:
        return svg_text(self)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound as missing:
            return {"text/plain": f"{self!r}\n{missing}"}

    def pipe(self, format=None, *args, encoding=None, **kwargs):
        """As ``graphviz.Digraph.pipe``; SVG also without a system ``dot`` (WebAssembly Graphviz)."""
        if (format or self.format) == "svg" and not args and not kwargs and choose() == WASM:
            svg = render_svg(self.source, WASM)
            return svg if encoding else svg.encode("utf-8")
        return super().pipe(format, *args, encoding=encoding, **kwargs)


HIGHLIGHT_CLASS = "adl-highlight"


def _node_id(pos: int) -> str:
    return f"n{pos}"


def _constant_id(pos: int, slot: int) -> str:
    return f"c{pos}_{slot}"


def _resolve_position(trace: Trace, which) -> Optional[int]:
    """``highlight_node`` may be a node of the trace, its position, or its name ('v3')."""
    if which is None:
        return None
    if isinstance(which, Node):
        if not trace.is_variable(which):
            raise ValueError(f"draw: highlight_node {which.name} is not a node of this trace")
        return which.pos
    if isinstance(which, str):
        for node in trace.nodes:
            if node.name == which:
                return node.pos
        raise ValueError(f"draw: the trace has no node named {which!r}")
    if isinstance(which, int) and not isinstance(which, bool) and 0 <= which < len(trace.nodes):
        return which
    raise ValueError(f"draw: highlight_node must be a node, its name or its position, got {which!r}")


def _check_overlay(trace: Trace, overlay, what: str):
    if overlay is not None and len(overlay) != len(trace.nodes):
        raise ValueError(
            f"draw: {what} must have one entry per trace node ({len(trace.nodes)}), got {len(overlay)}"
        )


def _overlay_text(symbol: str, value, digits: int) -> str:
    return f"{symbol} = {'?' if value is None else format_number(value, digits)}"


def _label(lines: Sequence[tuple]) -> str:
    """A plain Graphviz label, one line per (text, colour, bold) tuple: each line becomes one
    SVG text element.  (Not an HTML-like label: the WebAssembly Graphviz is built without
    the XML parser those need.)  ``svg_text`` then gives each line its colour and weight."""
    return "\\n".join(text.replace("\\", "\\\\") for text, _, _ in lines)


#: Node boxes: at least this wide (inches), with this much room left and right of the text.
MIN_WIDTH, SIDE_MARGIN = 1.35, 0.1
#: Graphviz measures a plain label in the regular font, but the first line is drawn bold
#: (up to a tenth wider). The box's side margins absorb that for lines up to about 140 pt;
#: a longer first line gets a box from this generous estimate of bold Helvetica's character
#: widths, in ems (space; other ASCII; subscripts and accents), so it stays inside.
BOLD_EM = {" ": 0.28, "ascii": 0.58, "other": 0.45}
BOLD_FITS_PT = 140


def _box_width(lines: Sequence[tuple], fontsize: float = 12) -> Optional[str]:
    """A ``width`` for a node whose bold line would not fit the box Graphviz measures, else None."""
    def ems(text):
        return sum(BOLD_EM[" "] if c == " " else BOLD_EM["ascii" if c.isascii() else "other"] for c in text)

    bold_pt = max((ems(text) for text, _, is_bold in lines if is_bold), default=0) * fontsize
    if bold_pt <= BOLD_FITS_PT:
        return None
    return f"{bold_pt / 72 + 2 * SIDE_MARGIN * 0.6:.2f}"


_NODE_GROUP = re.compile(r'<g id="([^"]*)" class="node[^"]*">.*?</g>', re.DOTALL)
_TEXT_TAG = re.compile(r"<text\b[^>]*>")
_FILL = re.compile(r'\sfill="[^"]*"')


def _style_lines(svg: str, styles: dict) -> str:
    """Give each label line in the SVG the colour and weight ``draw`` chose for it
    (``styles``: SVG node id -> one (colour, bold) pair per line)."""
    def restyle(group):
        wanted = styles.get(html.unescape(group.group(1)))
        texts = _TEXT_TAG.findall(group.group(0))
        if not wanted or len(texts) != len(wanted):
            return group.group(0)  # not a node we styled, or laid out differently: leave it
        lines = iter(wanted)

        def one(tag):
            colour, bold = next(lines)
            tag = tag.group(0)
            if colour:
                tag = _FILL.sub("", tag)[:-1] + f' fill="{colour}">'
            if bold:
                tag = tag[:-1] + ' font-weight="bold">'
            return tag

        return _TEXT_TAG.sub(one, group.group(0))

    return _NODE_GROUP.sub(restyle, svg)


def summary(trace: Trace, max_nodes: int) -> TraceGraph:
    """The one-box graph ``draw`` returns for a trace too large to lay out."""
    n = len(trace.nodes)
    dot = TraceGraph("trace", graph_attr={"fontname": FONT})
    dot.description = f"summary of a trace with {n} nodes (too large to draw)"
    dot.alt_text = f"A trace with {n} nodes, too large to draw as a graph."
    text = (f"trace with {n} nodes: too large to draw (max_nodes={max_nodes});\n"
            f"see evaluation_table, or draw a smaller instance of the function")
    dot.node("summary", text, shape="box", style="rounded,filled", fillcolor=PALETTE["constant"][0],
             color=PALETTE["constant"][1], fontname=FONT, fontsize="12", id="trace-too-large")
    return dot


def alt_text(trace: Trace, name: Optional[str] = None, highlight: Optional[int] = None) -> str:
    """What the drawing shows, in words: the function and its evaluation trace, node by node."""
    lines = [f"{label(node)} = {operation_text(node)} = {format_number(node.value)}"
             for node in trace.nodes[:DESCRIBE_AT_MOST]]
    if len(trace.nodes) > DESCRIBE_AT_MOST:
        lines.append(f"and {len(trace.nodes) - DESCRIBE_AT_MOST} more nodes")
    outputs = [label(y) for y in trace.outputs if trace.is_variable(y)]
    text = (f"Computational graph of {name or 'the traced function'}, inputs at the bottom, "
            f"output at the top: {'; '.join(lines)}.")
    if outputs:
        text += f" Output{'s' * (len(outputs) > 1)}: {', '.join(outputs)}."
    if highlight is not None:
        text += f" Highlighted: {label(trace.nodes[highlight])}."
    return text


def draw(
    trace: Trace,
    *,
    name: Optional[str] = None,
    values: bool = True,
    tangents: Optional[Sequence] = None,
    adjoints: Optional[Sequence] = None,
    highlight_node=None,
    highlight_edges: Sequence = (),
    highlight_backward: bool = False,
    max_nodes: int = 300,
    digits: int = 4,
) -> TraceGraph:
    """The computational graph of ``trace`` (see the module docstring for the conventions).

    Returns a ``graphviz.Digraph``; in Jupyter it shows as SVG, ``.source`` is the DOT text.
    ``name`` (the function's name) goes into the drawing's description, ``alt_text``.
    A trace with more than ``max_nodes`` nodes gives a one-box summary graph (no error).
    ``highlight_backward=True`` puts the highlighted edges' arrowheads at the parent end, as
    an adjoint travels (the DOT edge still reads parent -> child).
    """
    if len(trace.nodes) > max_nodes:  # len() is O(1): nothing here walks a huge trace
        return summary(trace, max_nodes)
    _check_overlay(trace, tangents, "tangents")
    _check_overlay(trace, adjoints, "adjoints")
    current = _resolve_position(trace, highlight_node)
    hot_edges = {(int(p), int(c)) for p, c in highlight_edges}
    outputs = {y.pos for y in trace.outputs if trace.is_variable(y)}

    dot = TraceGraph(
        "trace",
        graph_attr={"rankdir": "BT", "nodesep": "0.3", "ranksep": "0.42", "fontname": FONT,
                    "bgcolor": "white", "pad": "0.15"},
        node_attr={"fontname": FONT, "fontsize": "12", "shape": "box", "style": "rounded,filled",
                   "width": str(MIN_WIDTH), "height": "0.5", "margin": f"{SIDE_MARGIN},0.05",
                   "penwidth": "1.2"},
        edge_attr={"color": PALETTE["edge"], "arrowsize": "0.7", "penwidth": "1.2"},
    )

    # Inputs on one rank, at the bottom (rankdir=BT puts the minimum rank at the bottom).
    with dot.subgraph(name="inputs") as rank:
        rank.attr(rank="min")
        for node in trace.inputs:
            rank.node(_node_id(node.pos))

    for node in trace.nodes:
        role = "input" if node.is_input else "output" if node.pos in outputs else "intermediate"
        fill, border, ink = PALETTE["highlight" if node.pos == current else role]
        lines = [(f"{label(node)} = {operation_text(node)}", ink, True)]
        if values:
            lines.append((format_number(node.value, digits), ink, False))
        for overlay, symbol, colour in ((tangents, "v" + DOT, "tangent"),
                                        (adjoints, "v" + BAR, "adjoint")):
            if overlay is not None:
                known = overlay[node.pos] is not None
                lines.append((_overlay_text(symbol, overlay[node.pos], digits),
                              PALETTE[colour if known else "unknown"], False))
        attrs = {"fillcolor": fill, "color": border, "id": f"node-{node.name}"}
        if node.pos in outputs:
            attrs["peripheries"] = "2"
        if node.pos == current:
            attrs.update({"penwidth": "3", "class": HIGHLIGHT_CLASS})
        width = _box_width(lines)
        if width:
            attrs["width"] = width
        dot.node(_node_id(node.pos), _label(lines), fontcolor=ink, **attrs)
        dot.line_styles[attrs["id"]] = [(colour, bold) for _, colour, bold in lines]

        for slot, x in enumerate(node.operands):
            if trace.is_variable(x):
                hot = (x.pos, node.pos) in hot_edges
                edge = {"id": f"edge-{x.name}-{node.name}-{slot}"}
                if hot:
                    edge.update({"color": PALETTE["highlight_edge"], "penwidth": "3.2",
                                 "arrowsize": "0.9", "class": HIGHLIGHT_CLASS})
                    if highlight_backward:
                        edge["dir"] = "back"
                dot.edge(_node_id(x.pos), _node_id(node.pos), **edge)
            else:
                cid = _constant_id(node.pos, slot)
                c_fill, c_border, c_ink = PALETTE["constant"]
                dot.node(cid, operand_text(trace, x), shape="box", style="filled", fillcolor=c_fill,
                         color=c_border, fontcolor=c_ink, fontsize="10", width="0.3",
                         height="0.25", margin="0.05,0.02", id=f"const-{node.name}-{slot}")
                dot.edge(cid, _node_id(node.pos), color=PALETTE["constant_edge"], style="dashed",
                         arrowsize="0.5", id=f"edge-const-{node.name}-{slot}")
    inner = len(trace.nodes) - trace.n_inputs
    dot.description = (f"graph of a trace: {trace.n_inputs} input{'s' * (trace.n_inputs != 1)}, "
                       f"{inner} intermediate{'s' * (inner != 1)}")
    dot.alt_text = alt_text(trace, name, current)
    return dot

