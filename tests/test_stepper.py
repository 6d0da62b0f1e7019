"""The stepper widget: its frames are the core's sweep steps, one for one.

Expected final numbers are the published ones (Griewank & Walther 2008: dy/dx1 = 3.0118,
dy/dx2 = -13.7240) and the API's own ``grad`` / ``jvp`` results.
"""

import html
import json
import re

import pytest

from adlessons import forward_steps, grad, jvp, record, reverse_steps
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther, normal_density
from adlessons.tables import adjoint_table, tangent_table
from adlessons.presentation import format_number
from adlessons.presentation import label as label_of
from adlessons.viz import Stepper, stepper
from adlessons.viz.stepper import MAX_FRAMES

HIGHLIGHTED = re.compile(r'<g id="node&#45;(v(?:&#45;)?\d+)" class="node adl&#45;highlight">')


def svg_text(frame) -> str:
    """A frame's SVG with entities decoded (Graphviz writes '-' as '&#45;')."""
    return html.unescape(frame["svg"])


def highlighted(frame) -> list:
    """Names of the nodes drawn highlighted in a frame's SVG."""
    return [m.replace("&#45;", "-") for m in HIGHLIGHTED.findall(frame["svg"])]


def check_frames_follow(frames, steps, table):
    assert len(frames) == len(steps) + 1
    assert highlighted(frames[0]) == [] and frames[0]["node"] == ""
    assert "Before the sweep" in frames[0]["equation"]
    assert frames[0]["caption"] == f"start (0 of {len(steps)} steps)"
    for k, (frame, step) in enumerate(zip(frames[1:], steps), start=1):
        assert frame["equation"] == step.equation()
        assert frame["node"] == step.node.name
        assert highlighted(frame) == [step.node.name]
        assert frame["caption"] == f"step {k} of {len(steps)}"
        assert frame["table"] == table(steps, upto=k, current=k - 1)._repr_html_()


def test_reverse_frames_are_the_reverse_steps():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    steps = reverse_steps(record(griewank_walther, *GRIEWANK_WALTHER_POINT))
    assert len(s.sweeps) == 1 and s.sweeps[0]["label"] == "y"
    check_frames_follow(s.frames, steps, adjoint_table)
    assert [st.equation() for st in s.steps[0]] == [st.equation() for st in steps]


def test_reverse_final_frame_has_the_gradient():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    last = s.frames[-1]
    # published values (Griewank & Walther 2008)
    assert "3.0118" in last["table"] and "-13.7240" in last["table"]
    g = grad(griewank_walther, argnums=(0, 1))(*GRIEWANK_WALTHER_POINT)
    assert f"v̄ = {format_number(g[0])}" in svg_text(last)
    assert f"v̄ = {format_number(g[1])}" in svg_text(last)
    assert format_number(g[0]) == "3.0118" and format_number(g[1]) == "-13.7240"
    # the first frame has no adjoint yet; the seed frame knows only ȳ
    assert "v̄ = ?" in s.frames[0]["svg"] and "v̄ = 1.0000" not in s.frames[0]["svg"]
    assert s.frames[1]["svg"].count("v̄ = ?") == 7


def test_highlighted_edges_follow_the_steps():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    hot = re.compile(r'<g id="edge&#45;(v(?:&#45;)?\d+)&#45;(v\d+)&#45;\d" class="edge adl&#45;highlight">')
    for frame, step in zip(s.frames[1:], s.steps[0]):
        edges = [(a.replace("&#45;", "-"), b) for a, b in hot.findall(frame["svg"])]
        assert edges == [(step.parent.name, step.child.name)] if step.child else edges == []


def test_forward_frames_for_every_seed_direction():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT)  # forward is the default
    trace = record(griewank_walther, *GRIEWANK_WALTHER_POINT)
    assert [w["label"] for w in s.sweeps] == ["x1", "x2"]
    assert s.seed == 0
    for j, sweep in enumerate(s.sweeps):
        direction = [1.0 if k == j else 0.0 for k in range(2)]
        check_frames_follow(sweep["frames"], forward_steps(trace, direction), tangent_table)
    # the last frame of seed x1 shows dy/dx1, of seed x2 dy/dx2 (as jvp computes them)
    for j, sweep in enumerate(s.sweeps):
        direction = (1.0, 0.0) if j == 0 else (0.0, 1.0)
        _, tangent = jvp(griewank_walther, GRIEWANK_WALTHER_POINT, direction)
        last = sweep["frames"][-1]
        assert last["equation"].endswith(f"= {format_number(tangent)}")
        assert f"v̇ = {format_number(tangent)}" in svg_text(last)
    assert s.sweeps[0]["frames"][-1]["equation"].endswith("= 3.0118")
    assert s.sweeps[1]["frames"][-1]["equation"].endswith("= -13.7240")


def test_seed_by_name_or_index():
    assert stepper(griewank_walther, 1.5, 0.5, seed="x2").seed == 1
    assert stepper(griewank_walther, 1.5, 0.5, seed=1).seed == 1
    s = stepper(normal_density, 1.0, 0.0, 1.0, seed="sigma")
    assert s.seed == 2 and [w["label"] for w in s.sweeps] == ["x", "mu", "sigma"]
    assert s.frames is s.sweeps[2]["frames"]
    with pytest.raises(ValueError, match="not one of the inputs"):
        stepper(griewank_walther, 1.5, 0.5, seed="x3")
    with pytest.raises(ValueError, match="out of range"):
        stepper(griewank_walther, 1.5, 0.5, seed=2)


def test_normal_density_reverse_and_constants():
    s = stepper(normal_density, 1.0, 0.0, 1.0, mode="reverse")
    steps = reverse_steps(record(normal_density, 1.0, 0.0, 1.0))
    check_frames_follow(s.frames, steps, adjoint_table)
    g = grad(normal_density, argnums=(0, 1, 2))(1.0, 0.0, 1.0)
    for value in g:
        assert f"v̄ = {format_number(value)}" in svg_text(s.frames[-1])
    assert 'id="const-v5-0"' in svg_text(s.frames[-1])


def test_accepts_a_trace():
    trace = record(griewank_walther, *GRIEWANK_WALTHER_POINT)
    s = stepper(trace, mode="reverse")
    assert s.trace is trace and repr(s) == "Stepper(reverse mode, 11 steps, trace)"
    with pytest.raises(TypeError, match="either a trace"):
        stepper(trace, 1.0)
    with pytest.raises(ValueError, match="mode must be"):
        stepper(trace, mode="sideways")


def test_several_outputs_in_reverse_mode_give_one_sweep_per_output():
    s = stepper(lambda x, y: [x * y, x + y], 2.0, 3.0, mode="reverse", seed=1)
    assert [w["label"] for w in s.sweeps] == ["y1", "y2"] and s.seed == 1
    assert s.sweeps[0]["frames"][1]["equation"] == "v\u0304\u2081 = y\u0304 = 1.0000"
    assert s.sweeps[1]["frames"][1]["equation"] == "v\u0304\u2081 = y\u0304 = 0.0000"
    assert s.sweeps[1]["frames"][-1]["equation"] == s.steps[1][-1].equation()
    assert "so v̄₀ = 1.0000" in s.sweeps[1]["frames"][-1]["table"]  # d(x + y)/dy
    assert repr(s) == "Stepper(reverse mode, 6 steps, 2 outputs, <lambda>)"


def test_text_repr_is_stable():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    assert repr(s) == "Stepper(reverse mode, 11 steps, griewank_walther)"
    f = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT)
    assert repr(f) == "Stepper(forward mode, 8 steps per seed direction, seeds x1, x2, griewank_walther)"
    assert "0x" not in repr(s) + repr(f)


def test_text_fallback_says_what_it_plays_and_to_run_the_cell():
    """What JupyterLab shows before the cell runs (and nbval compares): informative, stable."""
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    data, _ = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == (
        "Reverse-mode stepper on griewank_walther: the adjoint sweep, 11 steps (y\u0304 = 1).\n"
        "Run this cell to step through it: each step highlights its node in the graph, shows "
        "its equation and adds a row to the adjoint trace.")
    again = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    assert again._repr_mimebundle_()[0]["text/plain"] == data["text/plain"]
    forward = stepper(normal_density, 1.0, 0.5, 2.0)._repr_mimebundle_()[0]["text/plain"]
    assert forward.startswith("Forward-mode stepper on normal_density: the tangent sweep, 12 steps "
                              "per seed direction (seed v\u0307 = 1 on one of x, mu, sigma).\nRun this cell")
    two = stepper(lambda x, y: [x * y, x + y], 2.0, 3.0, mode="reverse")._repr_mimebundle_()[0]
    assert "6 steps for each of 2 outputs" in two["text/plain"]
    assert "0x" not in data["text/plain"] + forward


def test_widget_state_holds_everything_and_is_deterministic():
    a = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    b = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    assert isinstance(a, Stepper)
    state = a.get_state()
    for key in ("sweeps", "seed", "index", "mode", "_esm", "_css"):
        assert key in state
    assert json.loads(json.dumps(state["sweeps"])) == a.sweeps  # plain JSON
    assert a.sweeps == b.sweeps
    svg = a.frames[3]["svg"]
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!--" not in svg
    assert "graphviz version" not in svg.lower()
    for cls in ("adl-next", "adl-prev", "adl-start", "adl-play", "adl-slider", "adl-seed",
                "adl-equation", "adl-graph", "adl-table"):
        assert cls in a._esm


def test_too_many_frames_is_a_clear_error():
    def chain(x):
        for _ in range(MAX_FRAMES):
            x = x * 1.001
        return x

    with pytest.raises(ValueError, match="frames"):
        stepper(chain, 1.0)


def test_each_frame_describes_its_graph_for_screen_readers():
    s = stepper(griewank_walther, *GRIEWANK_WALTHER_POINT, mode="reverse")
    labels = [html.unescape(re.match(r'<svg role="img" aria-label="([^"]*)"', f["svg"]).group(1))
              for f in s.frames]
    assert all(label.startswith("Computational graph of griewank_walther") for label in labels)
    assert "Highlighted" not in labels[0]
    for label, step in zip(labels[1:], s.steps[0]):
        assert label.endswith(f"Highlighted: {label_of(step.node)}.")
