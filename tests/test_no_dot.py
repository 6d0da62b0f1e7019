"""Drawings and steppers with no `dot` program: the WebAssembly Graphviz (the `wasm` extra).

Each test runs Python in a subprocess whose PATH has every program of this one except the
Graphviz programs, so nothing can fall back on the system Graphviz.  The DOT a drawing
makes there must be the very DOT it makes here (the tests compare DOT, never SVG layout);
the SVG must hold every node with its label lines; steppers must make all their frames;
and the lessons that draw graphs or show steppers must execute, with those outputs.

Needs the `wasm` extra (`pip install "adlessons[wasm]"`, Python 3.11+); `./course test`
installs it.  Without it the tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from adlessons import record
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther, normal_density
from adlessons.viz import backend, draw

REPO = Path(__file__).resolve().parents[1]
GRAPHVIZ_PROGRAMS = {"dot", "neato", "twopi", "circo", "fdp", "sfdp", "patchwork", "osage"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module", autouse=True)
def wasm_extra():
    if not backend.wasm_installed():
        msg = 'the WebAssembly Graphviz is not installed (pip install "adlessons[wasm]")'
        if _in_ci() and sys.version_info >= (3, 11):
            pytest.fail("CI is set but " + msg, pytrace=False)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def env_without_dot(tmp_path_factory) -> dict:
    """The environment with PATH rebuilt: each folder that holds a Graphviz program is
    replaced by a folder of links to all its other programs."""
    shadow_root = tmp_path_factory.mktemp("path-without-dot")
    folders = [str(Path(sys.executable).parent)] + os.environ.get("PATH", "").split(os.pathsep)
    path = []
    for k, folder in enumerate(f for f in folders if f):
        here = Path(folder)
        if not here.is_dir():
            continue
        if not any((here / name).exists() for name in GRAPHVIZ_PROGRAMS):
            path.append(folder)
            continue
        shadow = shadow_root / str(k)
        shadow.mkdir()
        for entry in here.iterdir():
            if entry.name not in GRAPHVIZ_PROGRAMS:
                (shadow / entry.name).symlink_to(entry)
        path.append(str(shadow))
    env = dict(os.environ, PATH=os.pathsep.join(path))
    assert shutil.which("dot", path=env["PATH"]) is None
    assert shutil.which("python", path=env["PATH"]) is not None
    return env


def _run(code: str, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    return result


DRAW_AND_STEP = """
    import json, re, shutil, html
    from adlessons import adjoint_sweep, record
    from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther, normal_density
    from adlessons.viz import backend, draw, stepper
    from adlessons.viz.graph import svg_text

    assert shutil.which("dot") is None
    out = {"backend": backend.choose(), "drawings": {}, "steppers": {}}
    gw = record(griewank_walther, *GRIEWANK_WALTHER_POINT)
    nd = record(normal_density, 1.0, 0.5, 2.0)
    for name, dot in {"gw": draw(gw), "nd": draw(nd, adjoints=adjoint_sweep(nd, [1.0]))}.items():
        svg = dot._repr_mimebundle_()["image/svg+xml"]  # what a notebook cell shows
        groups = re.findall(r'<g id="([^"]*)" class="node[^"]*">(.*?)</g>', svg, re.DOTALL)
        out["drawings"][name] = {
            "dot": dot.source, "starts": svg[:5], "aria": 'role="img" aria-label=' in svg,
            "nodes": {html.unescape(i): [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", b)]
                      for i, b in groups}}
    for name, s in {"gw reverse": stepper(griewank_walther, 1.5, 0.5, mode="reverse"),
                    "nd forward": stepper(normal_density, 1.0, 0.5, 2.0)}.items():
        out["steppers"][name] = {
            "frames": [len(w["frames"]) for w in s.sweeps],
            "steps": [len(steps) for steps in s.steps],
            "svg": all(f["svg"].startswith("<svg") for w in s.sweeps for f in w["frames"]),
            "highlighted": [len(re.findall(r'class="node adl&#45;highlight"', f["svg"]))
                            for f in s.sweeps[0]["frames"]],
        }
    print(json.dumps(out))
"""


def test_drawings_and_steppers_without_dot(env_without_dot):
    result = json.loads(_run(DRAW_AND_STEP, env_without_dot).stdout)
    assert result["backend"] == "wasm"
    gw = record(griewank_walther, *GRIEWANK_WALTHER_POINT)
    drawing = result["drawings"]["gw"]
    assert drawing["dot"] == draw(gw).source  # the same DOT as with (or without) a system dot
    assert drawing["starts"] == "<svg " and drawing["aria"]
    # every node drawn, each with its label lines: operation and value (G&W 2008, Table 1.2)
    assert sorted(drawing["nodes"]) == sorted(f"node-{n.name}" for n in gw.nodes)
    assert drawing["nodes"]["node-v1"] == ["v₁ = v₋₁ / v₀", "3.0000"]
    assert drawing["nodes"]["node-v6"] == ["v₆ = v₅ * v₄", "2.0166"]
    density = result["drawings"]["nd"]
    nd = record(normal_density, 1.0, 0.5, 2.0)
    assert sorted(k for k in density["nodes"] if k.startswith("node-")) == sorted(
        f"node-{n.name}" for n in nd.nodes)
    assert len(density["nodes"]["node-v9"]) == 3 and density["nodes"]["node-v9"][2] == "v̄ = 1.0000"

    reverse = result["steppers"]["gw reverse"]
    assert reverse["steps"] == [11] and reverse["frames"] == [12] and reverse["svg"]
    assert reverse["highlighted"] == [0] + [1] * 11  # the start, then one node per step
    forward = result["steppers"]["nd forward"]
    assert forward["frames"] == [13, 13, 13] and forward["svg"]  # one sweep per input


def _lessons_that_draw() -> list[Path]:
    """Lessons whose code draws a graph or shows a stepper (found by reading them)."""
    found = []
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        if "draw(" in code or "stepper(" in code:
            found.append(path)
    return found


LESSONS = _lessons_that_draw()


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_executes_with_its_graphs_without_dot(env_without_dot, tmp_path, lesson):
    executed = tmp_path / lesson.name
    _run(f"""
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({str(lesson)!r}, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                       resources={{"metadata": {{"path": {str(lesson.parent)!r}}}}}).execute()
        nbformat.write(nb, {str(executed)!r})
    """, env_without_dot)
    nb = json.loads(executed.read_text(encoding="utf-8"))
    stored = json.loads(lesson.read_text(encoding="utf-8"))

    def shown(notebook, mime):
        return [o["data"][mime] for c in notebook["cells"] if c["cell_type"] == "code"
                for o in c.get("outputs", []) if mime in o.get("data", {})]

    graphs = shown(nb, "image/svg+xml")
    views = shown(nb, "application/vnd.jupyter.widget-view+json")
    # as many drawings and widgets as the committed lesson shows, each one really drawn
    assert len(graphs) == len(shown(stored, "image/svg+xml"))
    assert len(views) == len(shown(stored, "application/vnd.jupyter.widget-view+json"))
    assert graphs or views
    for svg in graphs:
        svg = "".join(svg)
        assert svg.startswith("<svg ") and 'class="node"' in svg
    if views:
        state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        for view in views:
            model = state[view["model_id"]]["state"]
            if "sweeps" in model:  # a stepper: every frame has its graph
                frames = [f for sweep in model["sweeps"] for f in sweep["frames"]]
                assert frames and all(f["svg"].startswith("<svg ") for f in frames)
