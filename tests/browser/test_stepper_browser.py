"""The stepper in a real browser, the way a reader of an exported notebook meets it.

A notebook showing two steppers is written and executed here (nbclient, widget state stored
in the notebook's metadata), exported to HTML with nbconvert, and opened in headless
Chromium.  No kernel is running: the buttons must work from the widget state alone.

nbconvert's HTML loads RequireJS, the widget manager and anywidget's front end from CDNs,
which are not reachable here (and a test should not depend on them).  Every request of the
page goes through Playwright's router: the page itself and those three scripts are served
from local files, everything else is refused.  The local files are the book's vendored
copies (``book/_vendor``, taken from the npm registry by ``book/_vendor/update.sh``); when
they are absent, the test set-up takes the same pinned versions from the npm registry once
with ``npm pack`` into a cache directory.  Nothing is downloaded while a page is open.

Chromium and the ``browser`` fixture come from ``tests/browser/conftest.py`` (skipped when
there is no Chromium, failing when CI is set).  ``ADLESSONS_SCREENSHOTS=DIR`` keeps the
screenshots there (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from adlessons import forward_steps, record, reverse_steps
from adlessons.examples import griewank_walther
from stepper_fit import FIT_JS, check_fits_the_screen, inside, scroll_to

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "book" / "_vendor"
PINS = {  # as in book/_vendor/update.sh
    "requirejs": "2.3.8",
    "@jupyter-widgets/html-manager": "1.0.15",
    "anywidget": "0.11.0",
}
ORIGIN = "http://adlessons.test"
PAGE = f"{ORIGIN}/stepper.html"

NOTEBOOK_CELLS = [
    "from adlessons.examples import griewank_walther, normal_density\nfrom adlessons.viz import stepper",
    'stepper(griewank_walther, 1.5, 0.5, mode="reverse")',
    "stepper(griewank_walther, 1.5, 0.5)",
    'stepper(normal_density, 1.0, 0.5, 2.0, mode="reverse")',  # the tallest lesson stepper
    # long bold first lines (an input with a long name)
    "from adlessons import exp\n\ndef growth(learning_rate_schedule_of_the_optimiser):\n"
    "    return exp(learning_rate_schedule_of_the_optimiser)\n\nstepper(growth, 0.5, mode='reverse')",
]
N_STEPPERS = len(NOTEBOOK_CELLS) - 1
LESSON_LIKE = 3  # the first three are lesson steppers: they must fit the screen


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(msg: str):
    if _in_ci():
        pytest.fail("CI is set but " + msg, pytrace=False)
    pytest.skip(msg)


# --- the widget front end, from local files ------------------------------------------------


def _npm_pack(cache: Path) -> Path:
    """Unpack the pinned npm packages into ``cache`` (once); returns the folder of packages."""
    done = cache / "complete"
    if done.exists():
        return cache
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("book/_vendor is missing and there is no npm to fetch the widget JS")
    cache.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PINS.items()]
    result = subprocess.run([npm, "pack", "--silent", *specs], cwd=cache, capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        _unavailable(f"`npm pack {' '.join(specs)}` failed: {result.stderr.strip()[:500]}")
    for name in PINS:
        tgz = next(cache.glob(name.replace("@", "").replace("/", "-") + "-*.tgz"))
        with tarfile.open(tgz) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(cache / name.replace("/", "__"), **safe)
    done.write_text("\n".join(specs) + "\n")
    return cache


@pytest.fixture(scope="module")
def widget_js() -> dict:
    """Local paths of require.js, the html-manager's dist folder and anywidget's index.js."""
    book = {
        "require.js": VENDOR / "requirejs" / "require.js",
        "html-manager": VENDOR / "html-manager",
        "anywidget.js": VENDOR / "anywidget" / "index.js",
    }
    if all(p.exists() for p in book.values()) and (book["html-manager"] / "embed-amd.js").exists():
        return book
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    cache = _npm_pack(base / "adlessons" / "widget-js" / "-".join(PINS.values()))
    return {
        "require.js": cache / "requirejs" / "package" / "require.js",
        "html-manager": cache / "@jupyter-widgets__html-manager" / "package" / "dist",
        "anywidget.js": cache / "anywidget" / "package" / "dist" / "index.js",
    }


# --- the notebook, executed and exported ------------------------------------------------------


@pytest.fixture(scope="module")
def exported_html(tmp_path_factory) -> str:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    work = tmp_path_factory.mktemp("stepper_notebook")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    # The kernel spec runs `python`: make it this interpreter (the one with adlessons).
    env_path = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env_path
    try:
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                         store_widget_state=True,
                                         resources={"metadata": {"path": str(work)}})
        client.execute()
    finally:
        os.environ["PATH"] = env_path
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    steppers = [m for m in state.values() if m["model_name"] == "AnyModel"]
    assert len(steppers) == N_STEPPERS, "the widget state of every stepper is stored in the notebook"
    assert all(m["state"]["sweeps"] for m in steppers)
    out = nb.cells[1].outputs[0]["data"]
    assert out["text/plain"].startswith("Reverse-mode stepper on griewank_walther: the adjoint sweep, 11 steps")
    assert out["application/vnd.jupyter.widget-view+json"]["model_id"] in state
    nbformat.write(nb, work / "stepper.ipynb")
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    (work / "stepper.html").write_text(html, encoding="utf-8")
    return html


# --- the page -----------------------------------------------------------------------------------


def _local_file(url: str, js: dict):
    """The local file standing in for ``url``, or None (then the request is refused)."""
    if re.search(r"/require(\.min)?\.js$", url):
        return js["require.js"]
    m = re.search(r"/@jupyter-widgets/html-manager@[^/]*/dist/([\w.-]+)$", url)
    if m and (js["html-manager"] / m.group(1)).is_file():
        return js["html-manager"] / m.group(1)
    if re.search(r"/anywidget@[^/]*/dist/index\.js$", url):
        return js["anywidget.js"]
    return None


# Refused and harmless: MathJax (no formulas on this page) and the widget manager's first
# probe for a module next to the page (it then asks the CDN, which we serve).
HARMLESS = (re.compile(r"/mathjax/"), re.compile(rf"^{re.escape(ORIGIN)}/anywidget\.js$"))


@pytest.fixture
def viewport():
    return {"width": 1200, "height": 900}


@pytest.fixture
def page(browser, exported_html, widget_js, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    served, refused, errors = [], [], []

    def route(r):
        url = r.request.url
        if url == PAGE:
            return r.fulfill(body=exported_html, content_type="text/html; charset=utf-8")
        path = _local_file(url, widget_js)
        if path is not None:
            served.append(url)
            ctype = "application/javascript" if path.suffix == ".js" else None
            return r.fulfill(path=str(path), content_type=ctype)
        refused.append(url)
        return r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(PAGE, wait_until="load")
    page.wait_for_selector(".adl-stepper .adl-graph svg", timeout=30_000)
    page.wait_for_function(f"document.querySelectorAll('.adl-stepper .adl-graph svg').length == {N_STEPPERS}")
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"
    assert any("html-manager" in u for u in served) and any("anywidget" in u for u in served)
    unexpected = [u for u in refused if not any(p.search(u) for p in HARMLESS)]
    assert not unexpected, f"requests refused: {unexpected}"


def _screenshot(page, tmp_path, name: str) -> Path:
    folder = Path(os.environ.get("ADLESSONS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_reverse_stepper_steps_through_the_adjoint_sweep(page, stepper_view, tmp_path):
    steps = reverse_steps(record(griewank_walther, 1.5, 0.5))
    widget = page.locator(".adl-stepper").nth(0)
    start = stepper_view(widget)
    assert start["highlighted"] == [] and start["caption"] == f"start (0 of {len(steps)} steps)"
    assert widget.locator(".adl-seed-box").is_hidden()  # one output: no seed choice

    widget.locator(".adl-next").click()
    first = stepper_view(widget)
    assert first["highlighted"] == [f"node-{steps[0].node.name}"] == ["node-v6"]
    assert first["equation"] == steps[0].equation()

    widget.locator(".adl-next").click()
    second = stepper_view(widget)
    assert second["highlighted"] == [f"node-{steps[1].node.name}"] == ["node-v5"]
    assert second["equation"] == steps[1].equation() != first["equation"]
    assert second["caption"] == f"step 2 of {len(steps)}"

    widget.locator(".adl-prev").click()
    assert stepper_view(widget) == first

    for _ in range(4):  # from step 1 to step 5
        widget.locator(".adl-next").click()
    fifth = stepper_view(widget)
    assert fifth["highlighted"] == [f"node-{steps[4].node.name}"]
    assert fifth["equation"] == steps[4].equation()
    assert fifth["equation"].startswith("v\u0304\u2084 += ")  # the children-sum rule at work
    _screenshot(page, tmp_path, "stepper_reverse_step5.png")

    # the slider jumps to the end: the gradient is in the table (published values)
    widget.locator(".adl-slider").evaluate(
        "s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    last = stepper_view(widget)
    assert last["equation"] == steps[-1].equation()
    assert "3.0118" in last["table"] and "-13.7240" in last["table"]
    assert widget.locator(".adl-next").is_disabled()

    widget.locator(".adl-start").click()
    assert stepper_view(widget) == start


def test_play_advances_by_itself(page, stepper_view):
    widget = page.locator(".adl-stepper").nth(0)
    widget.locator(".adl-play").click()
    page.wait_for_function(
        "() => Number(document.querySelectorAll('.adl-stepper')[0].dataset.index) >= 2",
        timeout=5_000)
    widget.locator(".adl-play").click()  # pause
    index = stepper_view(widget)["index"]
    page.wait_for_timeout(1_300)
    assert stepper_view(widget)["index"] == index


def test_forward_stepper_switches_seed_direction(page, stepper_view, tmp_path):
    trace = record(griewank_walther, 1.5, 0.5)
    widget = page.locator(".adl-stepper").nth(1)
    seed = widget.locator(".adl-seed")
    assert seed.locator("option").all_text_contents() == ["x1", "x2"]
    for _ in range(3):
        widget.locator(".adl-next").click()
    along_x1 = forward_steps(trace, [1.0, 0.0])
    assert stepper_view(widget)["equation"] == along_x1[2].equation()

    seed.select_option("1")  # seed v̇ = 1 on x2: same step, other numbers
    along_x2 = forward_steps(trace, [0.0, 1.0])
    now = stepper_view(widget)
    assert now["equation"] == along_x2[2].equation()
    assert now["highlighted"] == [f"node-{along_x2[2].node.name}"]
    _screenshot(page, tmp_path, "stepper_forward_seed_x2.png")

    widget.locator(".adl-slider").evaluate(
        "s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    assert stepper_view(widget)["equation"].endswith("= -13.7240")  # dy/dx2, published
    seed.select_option("0")
    assert stepper_view(widget)["equation"].endswith("= 3.0118")  # dy/dx1, published


# --- fit, labels, focus, announcements -----------------------------------------------------------

@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}], ids=["laptop-1366x768"])
def test_every_stepper_fits_a_laptop_screen(page, tmp_path):
    for k in range(LESSON_LIKE):
        widget = page.locator(".adl-stepper").nth(k)
        seen = check_fits_the_screen(page, widget)
        assert seen[0]["widget"][1] - seen[0]["widget"][0] <= 768, "the whole stepper fits in the window"
        assert min(m["label"] for m in seen) >= 9.9, "node labels at least 10 px"
    widget = page.locator(".adl-stepper").nth(LESSON_LIKE - 1)
    scroll_to(widget)
    _screenshot(page, tmp_path, "stepper_density_1366x768.png")


LABELS_OUTSIDE_JS = """root => [...root.querySelectorAll('.adl-graph g.node')].flatMap(g => {
    const shape = g.querySelector('path, polygon, ellipse').getBBox();
    return [...g.querySelectorAll('text')].map(t => t.getBBox())
        .filter(b => b.x < shape.x || b.x + b.width > shape.x + shape.width)
        .map(() => g.id);
})"""


def test_bold_first_lines_stay_inside_their_boxes(page):
    """The first label line is drawn bold, wider than Graphviz measured it: it must still
    fit its node's box (in this browser's fonts)."""
    for k in range(N_STEPPERS):
        widget = page.locator(".adl-stepper").nth(k)
        widget.locator(".adl-next").click()
        assert widget.evaluate(LABELS_OUTSIDE_JS) == []


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["phone-390x844"])
def test_labels_stay_readable_at_phone_width(page, stepper_view, tmp_path):
    for k in range(LESSON_LIKE):
        widget = page.locator(".adl-stepper").nth(k)
        scroll_to(widget)
        for _ in range(5):
            widget.locator(".adl-next").click()
        m = widget.evaluate(FIT_JS)
        assert m["label"] >= 10.5, f"stepper {k}: node labels {m['label']:.1f} px at phone width"
        assert m["widget"][3] <= 390 + 1, "the widget is no wider than the phone"
        # the graph pane scrolls instead; it keeps the step's node in view
        assert inside(m["node"], m["graphPane"]), (k, m)
    _screenshot(page, tmp_path, "stepper_density_390x844.png")


def test_focus_stays_in_the_stepper_when_a_button_disables_itself(page):
    widget = page.locator(".adl-stepper").nth(0)
    n = int(widget.locator(".adl-slider").get_attribute("max"))
    widget.locator(".adl-next").focus()
    for _ in range(n):
        page.keyboard.press("Enter")
    assert widget.locator(".adl-next").is_disabled()
    focused = "() => document.activeElement && document.activeElement.className"
    assert "adl-prev" in page.evaluate(focused)  # not lost to the page
    page.keyboard.press("Enter")  # and it works from there: one step back
    assert widget.evaluate("e => e.dataset.index") == str(n - 1)
    widget.locator(".adl-start").focus()
    page.keyboard.press("Enter")
    assert widget.evaluate("e => e.dataset.index") == "0"
    assert widget.locator(".adl-start").is_disabled()
    assert "adl-next" in page.evaluate(focused)


def test_caption_equation_and_graph_are_announced(page):
    widget = page.locator(".adl-stepper").nth(0)
    for part in (".adl-caption", ".adl-equation"):
        assert widget.locator(part).get_attribute("aria-live") == "polite"
        assert widget.locator(part).get_attribute("aria-atomic") == "true"
    assert widget.get_attribute("aria-label") == "Reverse mode on griewank_walther"
    widget.locator(".adl-next").click()
    svg = widget.locator(".adl-graph svg")
    assert svg.get_attribute("role") == "img"
    label = svg.get_attribute("aria-label")
    assert label.startswith("Computational graph of griewank_walther") and label.endswith("Highlighted: v\u2086.")
    assert widget.locator(".adl-slider").get_attribute("aria-valuetext") == "step 1 of 11"
