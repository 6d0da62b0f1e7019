"""A step-by-step player for the tangent and adjoint sweeps: an anywidget.

``stepper(griewank_walther, 1.5, 0.5, mode="reverse")`` records the function, asks the core
for the steps of its sweep (``forward_steps`` or ``reverse_steps``) and turns each step into
a frame: the graph drawn by ``draw`` with that step's node and edges highlighted and the
tangents or adjoints known so far written in, the step's own ``equation()``, and the trace
table filled in up to that step.  Nothing here computes a derivative: every number on
screen is one the core's steps carry.

All frames are computed in Python when the widget is made and stored in synced traits, so
the widget state saved in a notebook holds everything and the player works without a
kernel (in the static book, in nbviewer).  In forward mode there is one sweep per seed
direction (v̇ = 1 on one input, 0 on the others); the frames of every direction are
precomputed and a drop-down switches between them.  In reverse mode ȳ = 1; a function
with several outputs gets one sweep per output.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Union

import anywidget
import traitlets

from ..api import record, unit_vectors
from ..forward import forward_steps
from ..reverse import reverse_steps
from ..tables import adjoint_table, tangent_table
from ..tracing import Trace
from .graph import PALETTE, draw, svg_text

__all__ = ["stepper", "Stepper", "MAX_FRAMES"]

#: More frames than this is no longer a lesson one clicks through (and the notebook grows).
MAX_FRAMES = 400

_ESM = r"""
function el_(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Button icons as inline SVG: no icon font, and no glyph a learner's fonts might lack.
const ICONS = {
  start: "M3 2h2v12H3z M14 2v12L6 8z",
  prev: "M12 2v12L4 8z",
  next: "M4 2v12l8-6z",
  play: "M4 2v12l9-6z",
  pause: "M3 2h3.5v12H3z M9.5 2H13v12H9.5z",
};

function icon(name) {
  return '<svg class="adl-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">' +
    '<path fill="currentColor" d="' + ICONS[name] + '"/></svg>';
}

function button(cls, name, title, text) {
  const b = el_("button", "adl-btn " + cls);
  b.innerHTML = icon(name) + (text ? "<span>" + text + "</span>" : "");
  b.type = "button";
  b.title = title;
  b.setAttribute("aria-label", title);
  return b;
}

function render({ model, el }) {
  const root = el_("div", "adl-stepper");
  root.tabIndex = 0;
  const head = el_("div", "adl-head");
  const title = el_("div", "adl-title");
  const caption = el_("div", "adl-caption");
  head.append(title, caption);

  const bar = el_("div", "adl-toolbar");
  const start = button("adl-start", "start", "back to the start");
  const prev = button("adl-prev", "prev", "previous step");
  const play = button("adl-play", "play", "play / pause", "play");
  const next = button("adl-next", "next", "next step", "next");
  const slider = el_("input", "adl-slider");
  slider.type = "range";
  slider.min = 0;
  slider.step = 1;
  slider.setAttribute("aria-label", "step");
  const seedBox = el_("label", "adl-seed-box");
  const seedText = el_("span", "adl-seed-text");
  const seed = el_("select", "adl-seed");
  seedBox.append(seedText, seed);
  bar.append(start, prev, play, next, slider, seedBox);

  // The step's equation sits full width under the toolbar, so it stays in view however
  // wide the graph is; the graph and the table share the row below (wrapping if narrow).
  const equation = el_("div", "adl-equation");
  const body = el_("div", "adl-body");
  const graph = el_("div", "adl-graph");
  const table = el_("div", "adl-table");
  body.append(graph, table);
  const legend = el_("div", "adl-legend");
  root.append(head, bar, equation, body, legend);
  el.appendChild(root);

  let timer = null;

  const sweeps = () => model.get("sweeps") || [];
  const sweep = () => sweeps()[Math.min(model.get("seed"), sweeps().length - 1)] || { frames: [] };
  const frames = () => sweep().frames;
  const clamp = (i) => Math.max(0, Math.min(i, frames().length - 1));

  function fillSeeds() {
    seed.textContent = "";
    sweeps().forEach((s, k) => {
      const o = el_("option", "", s.label);
      o.value = String(k);
      seed.appendChild(o);
    });
    seedText.textContent = model.get("seed_text") + " ";
    seedBox.style.display = sweeps().length > 1 ? "" : "none";
  }

  function show() {
    const fs = frames();
    if (!fs.length) return;
    const i = clamp(model.get("index"));
    const f = fs[i];
    title.textContent = model.get("title");
    caption.textContent = f.caption;
    graph.innerHTML = f.svg;
    equation.textContent = f.equation;
    table.innerHTML = f.table;
    legend.innerHTML = model.get("legend");
    slider.max = String(fs.length - 1);
    slider.value = String(i);
    seed.value = String(model.get("seed"));
    start.disabled = prev.disabled = i === 0;
    next.disabled = i === fs.length - 1;
    root.dataset.node = f.node;
    root.dataset.index = String(i);
    const row = table.querySelector("tbody tr:nth-child(" + i + ")");
    if (row) {  // keep the current row in view without scrolling the page
      const top = row.offsetTop, bottom = top + row.offsetHeight;
      if (top < table.scrollTop || bottom > table.scrollTop + table.clientHeight) {
        table.scrollTop = Math.max(0, bottom - table.clientHeight + 8);
      }
    }
  }

  function go(i) {
    model.set("index", clamp(i));
    model.save_changes();
    show();
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.innerHTML = icon("play") + "<span>play</span>";
    play.classList.remove("adl-playing");
  }

  function toggle() {
    if (timer !== null) return stop();
    if (clamp(model.get("index")) >= frames().length - 1) go(0);
    play.innerHTML = icon("pause") + "<span>pause</span>";
    play.classList.add("adl-playing");
    timer = setInterval(() => {
      const i = clamp(model.get("index"));
      if (i >= frames().length - 1) stop();
      else go(i + 1);
    }, model.get("interval"));
  }

  start.addEventListener("click", () => { stop(); go(0); });
  prev.addEventListener("click", () => { stop(); go(model.get("index") - 1); });
  next.addEventListener("click", () => { stop(); go(model.get("index") + 1); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", () => { stop(); go(Number(slider.value)); });
  seed.addEventListener("change", () => {
    model.set("seed", Number(seed.value));
    model.save_changes();
    show();
  });
  root.addEventListener("keydown", (e) => {
    if (e.target === seed) return;
    if (e.key === "ArrowRight") { stop(); go(model.get("index") + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { stop(); go(model.get("index") - 1); e.preventDefault(); }
  });

  const onSweeps = () => { fillSeeds(); show(); };
  model.on("change:index", show);
  model.on("change:seed", show);
  model.on("change:sweeps", onSweeps);
  fillSeeds();
  show();
  return () => {
    stop();
    model.off("change:index", show);
    model.off("change:seed", show);
    model.off("change:sweeps", onSweeps);
  };
}

export default { render };
"""

_CSS = r"""
.adl-stepper { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 1100px;
  border: 1px solid #ddd; border-radius: 8px; padding: 10px 12px; background: #fff; outline: none; }
.adl-stepper:focus-visible { box-shadow: 0 0 0 2px #f2c14e; }
.adl-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.adl-title { font-weight: bold; font-size: 15px; }
.adl-caption { font-size: 14px; color: #555; font-variant-numeric: tabular-nums; }
.adl-toolbar { display: flex; align-items: center; gap: 6px; margin: 8px 0; flex-wrap: wrap; }
.adl-btn { font-size: 14px; min-width: 34px; height: 30px; padding: 0 9px; cursor: pointer;
  border: 1px solid #bbb; border-radius: 5px; background: #f7f7f7; color: #333;
  display: inline-flex; align-items: center; gap: 5px; }
.adl-icon { display: block; }
.adl-btn:hover:not(:disabled) { background: #fff3c4; border-color: #d9730d; }
.adl-btn:disabled { opacity: 0.4; cursor: default; }
.adl-next { background: #fdf0dc; border-color: #d9730d; color: #8a4500; font-weight: bold; }
.adl-play { min-width: 78px; }
.adl-playing { background: #fff3c4; }
.adl-slider { flex: 1 1 160px; min-width: 120px; accent-color: #d9730d; }
.adl-seed-box { font-size: 14px; color: #333; margin-left: 8px; }
.adl-seed { font-size: 14px; padding: 2px 4px; }
.adl-body { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
.adl-graph { flex: 0 1 auto; min-width: 240px; max-width: 100%; }
.adl-graph svg { max-width: 100%; height: auto; display: block; }
.adl-equation { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 15px;
  background: #fff8e1; border-left: 4px solid #d9730d; padding: 8px 10px; margin: 2px 0 10px 0;
  white-space: pre-wrap; word-break: break-word; min-height: 1.4em; }
.adl-table { flex: 1 1 380px; min-width: 300px; max-height: 520px; overflow: auto;
  font-size: 14px; }
.adl-table table { border-collapse: collapse; width: 100%; }
.adl-table caption { font-weight: bold; padding-bottom: 4px; }
.adl-table th { border-bottom: 2px solid #ccc; padding: 3px 6px; background: #fafafa;
  position: sticky; top: 0; }
.adl-table td { border-bottom: 1px solid #eee; padding: 3px 6px; vertical-align: top; }
.adl-legend { font-size: 12px; color: #555; margin-top: 6px; }
.adl-key { display: inline-block; width: 11px; height: 11px; border-radius: 3px;
  border: 1px solid #888; vertical-align: -1px; margin: 0 3px 0 10px; }
"""

#: The stepper shows the graph a little larger than Graphviz's natural size (CSS still
#: shrinks it to fit a narrow page).
SVG_SCALE = 1.2


def _legend(mode: str) -> str:
    def key(role, text):
        fill, border, _ = PALETTE[role]
        return (f"<span class='adl-key' style='background:{fill};border-color:{border}'></span>"
                f"{text}")

    what = "tangent v\u0307" if mode == "forward" else "adjoint v\u0304"
    return (key("input", "input") + key("intermediate", "intermediate") + key("output", "output")
            + key("constant", "constant") + key("highlight", "this step") +
            f" &nbsp;·&nbsp; ? = {what} not computed yet")


def _steps(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def _frames_for(trace: Trace, steps: list, mode: str, digits: int, start_text: str) -> list:
    """One frame per step plus the starting frame; each frame as the JS front end reads it."""
    n = len(steps)
    table = tangent_table if mode == "forward" else adjoint_table
    known = [None] * len(trace.nodes)
    jobs = [(None, list(known))]
    for step in steps:
        known[step.node.pos] = step.tangent if mode == "forward" else step.adjoint
        jobs.append((step, list(known)))

    def drawing(job):
        step, overlay = job
        kind = "tangents" if mode == "forward" else "adjoints"
        return svg_text(scale=SVG_SCALE, dot=draw(
            trace, digits=digits, max_nodes=len(trace.nodes), **{kind: overlay},
            highlight_node=None if step is None else step.node,
            highlight_edges=() if step is None else step.edges,
            highlight_backward=mode == "reverse",
        ))

    workers = min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # each drawing is one `dot` process
        svgs = list(pool.map(drawing, jobs))

    frames = []
    for k, ((step, _), svg) in enumerate(zip(jobs, svgs)):
        frames.append({
            "svg": svg,
            "equation": start_text if step is None else step.equation(digits),
            "table": table(steps, digits, upto=k, current=k - 1 if k else None)._repr_html_(),
            "caption": f"step {k} of {n}" if k else f"start (0 of {_steps(n)})",
            "node": "" if step is None else step.node.name,
        })
    return frames


class Stepper(anywidget.AnyWidget):
    """Frames of a tangent or adjoint sweep, played in the browser (see ``stepper``).

    Synced state: ``sweeps`` (one entry per seed direction, each ``{"label", "frames"}``),
    ``seed`` (which sweep is shown), ``index`` (which frame).  ``steps`` keeps the core's
    step objects of every sweep, for reading in Python.
    """

    _esm = _ESM
    _css = _CSS

    sweeps = traitlets.List().tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    mode = traitlets.Unicode("forward").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    seed_text = traitlets.Unicode("").tag(sync=True)
    legend = traitlets.Unicode("").tag(sync=True)
    interval = traitlets.Int(1000).tag(sync=True)  # milliseconds per step when playing

    def __init__(self, trace: Trace, sweep_steps: list, labels: list, *, mode: str, name: str,
                 seed: int = 0, digits: int = 4, **kwargs):
        what = "tangent" if mode == "forward" else "adjoint"
        sweeps = []
        for steps, label in zip(sweep_steps, labels):
            start = (f"Before the sweep: every value v is known, no {what} is computed yet"
                     + (f" (seed direction: {label})." if mode == "forward" else "."))
            sweeps.append({"label": label, "frames": _frames_for(trace, steps, mode, digits, start)})
        super().__init__(
            sweeps=sweeps, seed=seed, index=0, mode=mode,
            title=f"{'Forward' if mode == 'forward' else 'Reverse'} mode on {name}",
            seed_text="seed v\u0307 = 1 on" if mode == "forward" else "y\u0304 = 1 for",
            legend=_legend(mode), **kwargs,
        )
        self.trace = trace
        self.function_name = name
        self.steps = sweep_steps  # the core's steps, one list per seed direction

    @property
    def frames(self) -> list:
        """The frames of the seed direction currently selected."""
        return self.sweeps[self.seed]["frames"]

    def __repr__(self) -> str:
        n = len(self.steps[0])
        if self.mode == "forward":
            labels = ", ".join(s["label"] for s in self.sweeps)
            return (f"Stepper(forward mode, {_steps(n)} per seed direction, seeds {labels}, "
                    f"{self.function_name})")
        more = f", {len(self.sweeps)} outputs" if len(self.sweeps) > 1 else ""
        return f"Stepper(reverse mode, {_steps(n)}{more}, {self.function_name})"


def _seed_position(seed, names: list, what: str) -> int:
    if seed is None:
        return 0
    if isinstance(seed, str):
        if seed in names:
            return names.index(seed)
        raise ValueError(f"stepper: seed {seed!r} is not one of the {what}s {names}")
    if isinstance(seed, int) and not isinstance(seed, bool):
        if 0 <= seed < len(names):
            return seed
        raise ValueError(f"stepper: seed {seed} is out of range: there are {len(names)} {what}s")
    raise TypeError(f"stepper: seed must be an index or a name, got {seed!r}")


def stepper(f_or_trace: Union[Callable, Trace], *args, mode: str = "forward", seed=None,
            digits: int = 4) -> Stepper:
    """A widget that plays the tangent (``mode="forward"``) or adjoint (``"reverse"``) sweep.

    ``stepper(f, 1.5, 0.5)`` records ``f`` at those arguments; ``stepper(trace)`` uses a
    trace recorded before.  Forward mode: ``seed`` says which input gets tangent 1 (its
    index or name; default the first), the others 0; the drop-down offers every input.
    Reverse mode: ȳ = 1 (for a function with several outputs, ``seed`` picks the output).
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"stepper: mode must be 'forward' or 'reverse', got {mode!r}")
    if isinstance(f_or_trace, Trace):
        if args:
            raise TypeError("stepper: give either a trace, or a function and its arguments")
        trace, name = f_or_trace, "trace"
    elif callable(f_or_trace):
        trace = record(f_or_trace, *args)
        name = getattr(f_or_trace, "__name__", "f")
    else:
        raise TypeError(f"stepper: expected a function or a Trace, got {f_or_trace!r}")

    if mode == "forward":
        names = list(trace.input_names)
        position = _seed_position(seed, names, "input")
        n = trace.n_inputs
        directions = unit_vectors(n)
        count = n * (len(trace.nodes) + 1)
    else:
        m = len(trace.outputs)
        names = ["y"] if m == 1 else [f"y{k + 1}" for k in range(m)]
        position = _seed_position(seed, names, "output")
        directions = unit_vectors(m)
        count = m * (sum(len(node.parents) for node in trace.intermediates) + 2)
    if count > MAX_FRAMES:
        raise ValueError(
            f"stepper: this trace ({len(trace.nodes)} nodes) would need about {count} frames "
            f"(limit {MAX_FRAMES}); step through a smaller function, or look at the whole sweep "
            f"with tangent_table / adjoint_table"
        )
    sweep = forward_steps if mode == "forward" else reverse_steps
    steps = [sweep(trace, d) for d in directions]
    return Stepper(trace, steps, names, mode=mode, name=name, seed=position, digits=digits)
