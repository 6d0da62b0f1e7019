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
from ..presentation import BAR, DOT
from ..reverse import reverse_steps
from ..tables import adjoint_table, tangent_table
from ..tracing import Trace
from .backend import SYSTEM, choose
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

// Layout: the graph and the table side by side when the widget is wide enough, else one
// above the other.  The graph is scaled to fit the window's height (so controls, graph and
// the current table row are on screen together) but never so small that its labels drop
// below min_label_px; then its pane scrolls, following the highlighted node.
const SIDE_BY_SIDE = 620;   // px of widget width
const TABLE_MIN = 250;      // px: the table's narrowest column in side-by-side mode
const PAGE_CHROME = 90;     // px of the window kept free for a page's header
const PANE_MARGIN = 24;     // px kept free in a scrolling pane (JupyterLab's notebook)
const PT = 4 / 3;           // CSS px per pt

function render({ model, el }) {
  const root = el_("div", "adl-stepper");
  root.tabIndex = 0;
  root.setAttribute("role", "group");
  const head = el_("div", "adl-head");
  const title = el_("div", "adl-title");
  const caption = el_("div", "adl-caption");
  caption.setAttribute("aria-live", "polite");
  caption.setAttribute("aria-atomic", "true");
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
  // wide the graph is; the graph and the table share the row below (or stack if narrow).
  const equation = el_("div", "adl-equation");
  equation.setAttribute("aria-live", "polite");
  equation.setAttribute("aria-atomic", "true");
  const body = el_("div", "adl-body");
  const graph = el_("div", "adl-graph");
  const table = el_("div", "adl-table");
  table.tabIndex = 0;  // scrollable: reachable by keyboard
  body.append(graph, table);
  const legend = el_("div", "adl-legend");
  root.append(head, bar, equation, body, legend);
  el.appendChild(root);

  let timer = null;
  let chrome = null;  // height of everything but the graph/table row, measured once per width

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

  // The height the stepper may fill: JupyterLab's notebook pane (which scrolls, under
  // Lab's bars), else the window less a page header (the book's).
  function roomHeight() {
    for (let e = root.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      const scrolls = /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
      if (e.classList.contains("jp-WindowedPanel-outer") || (scrolls && e.clientHeight >= 200)) {
        return Math.min(e.clientHeight, window.innerHeight) - PANE_MARGIN;
      }
    }
    return window.innerHeight - PAGE_CHROME;
  }

  function fit() {
    const svg = graph.querySelector("svg");
    const width = body.clientWidth;
    if (!svg || !width) return;  // not on screen yet: the resize observer calls again
    const side = width >= SIDE_BY_SIDE;
    root.classList.toggle("adl-side", side);
    root.classList.toggle("adl-stacked", !side);
    if (chrome === null) chrome = root.offsetHeight - body.offsetHeight;
    const room = Math.max(220, roomHeight() - chrome);
    const box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    const w = parseFloat(svg.getAttribute("width")) * PT, h = parseFloat(svg.getAttribute("height")) * PT;
    if (!(w > 0 && h > 0)) return;
    const gap = 16;
    const across = side ? width - TABLE_MIN - gap : width;
    let scale = Math.min(1, across / w, room / h);
    // a label of label_pt points in the viewBox's units must stay min_label_px tall
    // (a little larger on a narrow screen, where the graph pane scrolls sideways anyway)
    const label = model.get("min_label_px") * (side ? 1 : 1.1);
    const least = box.length === 4 && box[2] > 0 ? label * box[2] / (model.get("label_pt") * w) : 0;
    scale = Math.max(scale, Math.min(1, least));
    svg.setAttribute("width", (w * scale).toFixed(1) + "px");
    svg.setAttribute("height", (h * scale).toFixed(1) + "px");
    graph.style.width = side ? Math.min(w * scale, across) + 1 + "px" : "";
    graph.style.maxHeight = side ? room + "px" : Math.min(h * scale, room) + 24 + "px";
    table.style.maxHeight = (side ? Math.max(room, 200)
      : Math.max(140, Math.min(320, window.innerHeight * 0.35))) + "px";
  }

  function follow() {
    // the highlighted node and the current table row in view, without scrolling the page
    const hot = graph.querySelector("g.node.adl-highlight");
    if (hot) {
      const p = graph.getBoundingClientRect(), r = hot.getBoundingClientRect();
      if (r.left < p.left || r.right > p.right) graph.scrollLeft += (r.left + r.right - p.left - p.right) / 2;
      if (r.top < p.top || r.bottom > p.bottom) graph.scrollTop += (r.top + r.bottom - p.top - p.bottom) / 2;
    }
    const row = table.querySelector("tbody tr:nth-child(" + clamp(model.get("index")) + ")");
    if (row) {
      const headH = (table.querySelector("thead") || { offsetHeight: 0 }).offsetHeight;
      const top = row.offsetTop, bottom = top + row.offsetHeight;
      if (top - headH < table.scrollTop || bottom > table.scrollTop + table.clientHeight) {
        table.scrollTop = Math.max(0, bottom - table.clientHeight + 8);
      }
    }
  }

  function show() {
    const fs = frames();
    if (!fs.length) return;
    const i = clamp(model.get("index"));
    const f = fs[i];
    const focused = document.activeElement;
    title.textContent = model.get("title");
    root.setAttribute("aria-label", model.get("title"));
    caption.textContent = f.caption;
    graph.innerHTML = f.svg;
    equation.textContent = f.equation;
    table.innerHTML = f.table;
    legend.innerHTML = model.get("legend");
    slider.max = String(fs.length - 1);
    slider.value = String(i);
    slider.setAttribute("aria-valuetext", f.caption);
    seed.value = String(model.get("seed"));
    start.disabled = prev.disabled = i === 0;
    next.disabled = i === fs.length - 1;
    // A button that just disabled itself must not drop the keyboard focus to the page:
    // at the end it passes to "previous", at the start to "next".
    if (focused && focused.disabled && root.contains(focused)) {
      (i === 0 ? next : prev).focus();
    }
    root.dataset.node = f.node;
    root.dataset.index = String(i);
    fit();
    follow();
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
    if (e.target === seed || e.target === slider) return;
    if (e.key === "ArrowRight") { stop(); go(model.get("index") + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { stop(); go(model.get("index") - 1); e.preventDefault(); }
  });

  let lastWidth = 0;
  const onResize = () => {
    if (body.clientWidth !== lastWidth) { lastWidth = body.clientWidth; chrome = null; }
    fit();
    follow();
  };
  const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(onResize);
  if (observer) observer.observe(root);
  window.addEventListener("resize", onResize);

  const onSweeps = () => { fillSeeds(); show(); };
  model.on("change:index", show);
  model.on("change:seed", show);
  model.on("change:sweeps", onSweeps);
  fillSeeds();
  show();
  return () => {
    stop();
    if (observer) observer.disconnect();
    window.removeEventListener("resize", onResize);
    model.off("change:index", show);
    model.off("change:seed", show);
    model.off("change:sweeps", onSweeps);
  };
}

export default { render };
"""

_CSS = r"""
.adl-stepper { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 1100px;
  border: 1px solid #ddd; border-radius: 8px; padding: 8px 12px; background: #fff; outline: none;
  box-sizing: border-box; }
.adl-stepper:focus-visible, .adl-table:focus-visible { box-shadow: 0 0 0 2px #f2c14e; outline: none; }
.adl-head { display: flex; justify-content: space-between; align-items: baseline; gap: 4px 12px;
  flex-wrap: wrap; }
.adl-title { font-weight: bold; font-size: 15px; }
.adl-caption { font-size: 14px; color: #555; font-variant-numeric: tabular-nums; }
.adl-toolbar { display: flex; align-items: center; gap: 6px; margin: 6px 0; flex-wrap: wrap; }
.adl-btn { font-size: 14px; min-width: 34px; height: 30px; padding: 0 9px; cursor: pointer;
  border: 1px solid #bbb; border-radius: 5px; background: #f7f7f7; color: #333;
  display: inline-flex; align-items: center; gap: 5px; }
.adl-btn:focus-visible { outline: 2px solid #d9730d; outline-offset: 1px; }
.adl-icon { display: block; }
.adl-btn:hover:not(:disabled) { background: #fff3c4; border-color: #d9730d; }
.adl-btn:disabled { opacity: 0.4; cursor: default; }
.adl-next { background: #fdf0dc; border-color: #d9730d; color: #8a4500; font-weight: bold; }
.adl-play { min-width: 78px; }
.adl-playing { background: #fff3c4; }
.adl-slider { flex: 1 1 120px; min-width: 100px; accent-color: #d9730d; }
.adl-seed-box { font-size: 14px; color: #333; }
.adl-seed { font-size: 14px; padding: 2px 4px; }
.adl-equation { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 14px;
  background: #fff8e1; border-left: 4px solid #d9730d; padding: 6px 10px; margin: 2px 0 8px 0;
  white-space: pre-wrap; word-break: break-word; min-height: 1.4em; }
.adl-body { display: flex; gap: 16px; align-items: flex-start; }
.adl-stacked .adl-body { flex-direction: column; gap: 8px; }
.adl-graph { flex: 0 0 auto; max-width: 100%; overflow: auto; }
.adl-stacked .adl-graph { align-self: stretch; }
.adl-graph svg { display: block; margin: 0 auto; }
.adl-table { flex: 1 1 260px; min-width: 0; overflow: auto; font-size: 13px; }
.adl-stacked .adl-table { align-self: stretch; flex: 0 0 auto; }
.adl-table table { border-collapse: collapse; width: 100%; }
.adl-table caption { font-weight: bold; padding-bottom: 4px; text-align: left; }
.adl-table th { border-bottom: 2px solid #ccc; padding: 3px 6px; background: #fafafa;
  position: sticky; top: 0; text-align: left; }
.adl-table td { border-bottom: 1px solid #eee; padding: 3px 6px; vertical-align: top;
  word-break: break-word; }
.adl-legend { font-size: 12px; color: #555; margin-top: 6px; }
.adl-key { display: inline-block; width: 11px; height: 11px; border-radius: 3px;
  border: 1px solid #888; vertical-align: -1px; margin: 0 3px 0 10px; }
"""

#: The stepper shows the graph a little larger than Graphviz's natural size (the front end
#: shrinks it to fit the window, down to labels MIN_LABEL_PX tall).
SVG_SCALE = 1.2
LABEL_PT = 12  # the node label font size draw() uses, in points of the SVG's viewBox
MIN_LABEL_PX = 10


def _legend(mode: str) -> str:
    def key(role, text):
        fill, border, _ = PALETTE[role]
        return (f"<span class='adl-key' style='background:{fill};border-color:{border}'></span>"
                f"{text}")

    what = f"tangent v{DOT}" if mode == "forward" else f"adjoint v{BAR}"
    return (key("input", "input") + key("intermediate", "intermediate") + key("output", "output")
            + key("constant", "constant") + key("highlight", "this step") +
            f" &nbsp;·&nbsp; ? = {what} not computed yet")


def _steps(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def _frames_for(trace: Trace, steps: list, mode: str, digits: int, start_text: str,
                name: str) -> list:
    """One frame per step plus the starting frame; each frame as the JS front end reads it."""
    n = len(steps)
    backend = choose()  # one Graphviz for every frame; with none, an error says how to get one
    table = tangent_table if mode == "forward" else adjoint_table
    known = [None] * len(trace.nodes)
    jobs = [(None, list(known))]
    for step in steps:
        known[step.node.pos] = step.tangent if mode == "forward" else step.adjoint
        jobs.append((step, list(known)))

    def drawing(job):
        step, overlay = job
        kind = "tangents" if mode == "forward" else "adjoints"
        return svg_text(scale=SVG_SCALE, backend=backend, dot=draw(
            trace, name=name, digits=digits, max_nodes=len(trace.nodes), **{kind: overlay},
            highlight_node=None if step is None else step.node,
            highlight_edges=() if step is None else step.edges,
            highlight_backward=mode == "reverse",
        ))

    # each system drawing is one `dot` process, so they run side by side; the WebAssembly
    # Graphviz renders in this process, one drawing at a time
    workers = min(8, os.cpu_count() or 1) if backend == SYSTEM else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
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
    label_pt = traitlets.Float(LABEL_PT).tag(sync=True)
    min_label_px = traitlets.Float(MIN_LABEL_PX).tag(sync=True)  # smallest label when fitted

    def __init__(self, trace: Trace, sweep_steps: list, labels: list, *, mode: str, name: str,
                 seed: int = 0, digits: int = 4, **kwargs):
        what = "tangent" if mode == "forward" else "adjoint"
        sweeps = []
        for steps, label in zip(sweep_steps, labels):
            start = (f"Before the sweep: every value v is known, no {what} is computed yet"
                     + (f" (seed direction: {label})." if mode == "forward" else "."))
            frames = _frames_for(trace, steps, mode, digits, start, name)
            sweeps.append({"label": label, "frames": frames})
        super().__init__(
            sweeps=sweeps, seed=seed, index=0, mode=mode,
            title=f"{'Forward' if mode == 'forward' else 'Reverse'} mode on {name}",
            seed_text=f"seed v{DOT} = 1 on" if mode == "forward" else f"y{BAR} = 1 for",
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

    def fallback_text(self) -> str:
        """What a notebook shows where the widget cannot be drawn (e.g. JupyterLab before
        the cell runs): what the stepper plays, and to run the cell."""
        n = len(self.steps[0])
        if self.mode == "forward":
            labels = ", ".join(s["label"] for s in self.sweeps)
            what = (f"Forward-mode stepper on {self.function_name}: the tangent sweep, "
                    f"{_steps(n)} per seed direction (seed v{DOT} = 1 on one of {labels}).")
            table = "the tangent trace"
        else:
            outputs = f" for each of {len(self.sweeps)} outputs" if len(self.sweeps) > 1 else ""
            what = (f"Reverse-mode stepper on {self.function_name}: the adjoint sweep, "
                    f"{_steps(n)}{outputs} (y{BAR} = 1).")
            table = "the adjoint trace"
        return (f"{what}\nRun this cell to step through it: each step highlights its node in "
                f"the graph, shows its equation and adds a row to {table}.")

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/plain": self.fallback_text()}, metadata


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
