"""The built book in a real browser: every page loads cleanly and offline, and what each page
shows (plotly figures, widgets, steppers, trace tables, graphs, search) works there.

The checks are per page and generic: a page is tested for the figures and widgets its own
notebook stores, so a new lesson is covered as soon as it is in the table of contents.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from adlessons import forward_steps, record, reverse_steps
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther

from stepper_fit import FIT_JS, check_fits_the_screen

pytestmark = pytest.mark.browser

BOOK = Path(__file__).resolve().parents[2] / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for c in toc.get("chapters", [])]


PAGES = _toc_pages()
NOTEBOOKS = [p for p in PAGES if p.startswith("notebooks/")]


def _skip_if_unwritten(book_dir: Path, page: str):
    if page.startswith("notebooks/") and not (book_dir / f"{page}.ipynb").exists():
        pytest.skip(f"{page}.ipynb is not written yet")


def _stored(book_dir: Path, page: str, mime: str) -> int:
    """How many outputs of this MIME type the page's notebook stores."""
    path = book_dir / f"{page}.ipynb"
    if not path.exists():
        return 0
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum(mime in o.get("data", {}) for c in cells if c["cell_type"] == "code"
               for o in c.get("outputs", []))


def _page_html(book_html: Path, page: str) -> str:
    return (book_html / f"{page}.html").read_text(encoding="utf-8")


# --- pages and contents ----------------------------------------------------------------------


def test_toc_lists_every_lesson_in_order(book_dir):
    """Every notebooks/NN_topic.ipynb is a chapter, in lesson order (the table may name a
    lesson still being written: such a page is skipped by the build and these tests)."""
    lessons = sorted(p.stem for p in (book_dir / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    chapters = [Path(p).name for p in NOTEBOOKS]
    assert [c for c in chapters if c in lessons] == lessons
    assert chapters == sorted(chapters) and len(lessons) >= 6
    assert PAGES[0] == "intro" and PAGES[-1] == "references"


@pytest.mark.parametrize("page", PAGES + ["search"])
def test_page_loads_clean_and_offline(open_page, book_dir, page):
    _skip_if_unwritten(book_dir, page)
    visit = open_page(f"{page}.html")
    visit.assert_clean()
    title = visit.page.locator("main h1 >> visible=true").first
    assert title.is_visible(), f"{page}: no visible title"


def test_no_cdn_left_in_pages(book_html):
    """No page names a CDN script, stylesheet or font (links to Binder/Colab are fine)."""
    cdns = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "fonts.googleapis.com",
            "cdn.plot.ly", "polyfill.io")
    offenders = []
    for html in sorted(book_html.rglob("*.html")):
        text = html.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{html.relative_to(book_html)}: {c}" for c in cdns if c in text]
    assert not offenders, "\n".join(offenders)


def test_check_cells_are_hidden(book_html, book_dir):
    """Cells tagged remove-cell (the `# check:` cells) never reach the page."""
    written = [p for p in NOTEBOOKS if (book_dir / f"{p}.ipynb").exists()]
    if not written:
        pytest.skip("no notebooks written yet")
    for page in written:
        assert "# check:" not in _page_html(book_html, page), f"{page}: a check cell is visible"


# --- plotly figures and widgets, per page ------------------------------------------------------


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_every_plotly_figure_of_the_notebook_is_drawn(open_page, book_dir, book_html, page):
    _skip_if_unwritten(book_dir, page)
    stored = _stored(book_dir, page, PLOTLY)
    html = _page_html(book_html, page)
    assert html.count('class="plotly-graph-div"') == stored, "each figure has its HTML on the page"
    if not stored:
        return
    visit = open_page(f"{page}.html")
    visit.page.wait_for_function(
        "n => [...document.querySelectorAll('.plotly-graph-div')].filter(d => d.querySelector('svg.main-svg')).length >= n",
        arg=stored, timeout=30000)
    assert visit.page.evaluate("typeof window.Plotly") == "object"
    visit.assert_clean()


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_every_widget_of_the_notebook_renders(open_page, book_dir, book_html, page):
    """Each widget the notebook shows is saved with its state and is live on the static page."""
    _skip_if_unwritten(book_dir, page)
    stored = _stored(book_dir, page, WIDGET_VIEW)
    html = _page_html(book_html, page)
    assert html.count(f'type="{WIDGET_VIEW}"') == stored
    if not stored:
        return
    nb = json.loads((book_dir / f"{page}.ipynb").read_text(encoding="utf-8"))
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if WIDGET_VIEW in out.get("data", {}):
                assert out["data"][WIDGET_VIEW]["model_id"] in state, "widget state saved"
    visit = open_page(f"{page}.html")
    visit.page.wait_for_function(
        """n => Array.from(document.querySelectorAll('.widget-subarea'))
                    .filter(e => e.children.length > 0).length >= n""",
        arg=stored, timeout=30000)
    visit.assert_clean()


def _pages_with_steppers(book_dir: Path) -> list[str]:
    pages = []
    for page in NOTEBOOKS:
        path = book_dir / f"{page}.ipynb"
        if path.exists() and '"sweeps"' in path.read_text(encoding="utf-8"):
            pages.append(page)
    return pages


STEPPER_PAGES = _pages_with_steppers(BOOK)

# The first stepper of each sweep lesson plays Griewank & Walther's example; the core's
# own sweep (seed x-dot = (1, 0) for forward mode, y-bar = 1 for reverse) says what it shows.
LESSON_SWEEPS = {
    "notebooks/04_forward_mode": lambda trace: forward_steps(trace, (1.0, 0.0)),
    "notebooks/05_reverse_mode": reverse_steps,
}


@pytest.mark.parametrize("page", sorted(LESSON_SWEEPS))
def test_lesson_stepper_advances_on_click(open_page, book_dir, stepper_view, page):
    """On the static page (no kernel), next moves the highlight to another node."""
    _skip_if_unwritten(book_dir, page)
    steps = LESSON_SWEEPS[page](record(griewank_walther, *GRIEWANK_WALTHER_POINT))
    visit = open_page(f"{page}.html")
    widget = visit.page.locator(".adl-stepper").first
    widget.locator(".adl-graph svg").wait_for(timeout=20000)
    start = stepper_view(widget)
    assert start["highlighted"] == [] and start["caption"].startswith("start")

    widget.locator(".adl-next").click()
    first = stepper_view(widget)
    assert first["highlighted"] == [f"node-{steps[0].node.name}"]
    assert first["equation"] == steps[0].equation()

    widget.locator(".adl-next").click()
    second = stepper_view(widget)
    assert second["highlighted"] == [f"node-{steps[1].node.name}"] != first["highlighted"]
    assert second["equation"] == steps[1].equation() != first["equation"]
    assert second["caption"] == f"step 2 of {len(steps)}"
    visit.assert_clean()


# --- what a reader sees at laptop and phone size ---------------------------------------------------


def _header_bottom(page) -> int:
    """The height of the book's sticky header (what covers the top of the window once the
    page is scrolled)."""
    return page.evaluate("""() => Math.ceil(Math.max(0, ...[...document.querySelectorAll(
        '.bd-header-article, header.bd-header')].map(e => {
            const s = getComputedStyle(e);
            return s.position === 'sticky' || s.position === 'fixed' ? e.getBoundingClientRect().height : 0;
        })))""")


def _steppers(visit):
    widgets = visit.page.locator(".adl-stepper")
    widgets.first.locator(".adl-graph svg").wait_for(timeout=30000)
    return [widgets.nth(k) for k in range(widgets.count())]


@pytest.mark.parametrize("page", STEPPER_PAGES)
def test_steppers_fit_a_laptop_screen(open_page, page, tmp_path):
    """1366x768: at every step, controls, the highlighted node and the table's current row
    are on screen together (the stepper's top just under the book's header)."""
    visit = open_page(f"{page}.html", viewport=LAPTOP)
    header = _header_bottom(visit.page)
    assert header < 100
    for widget in _steppers(visit):
        seen = check_fits_the_screen(visit.page, widget, header)
        if widget.locator(".adl-seed option").count() > 1:  # forward mode: another seed too
            widget.locator(".adl-seed").select_option("1")
            seen += check_fits_the_screen(visit.page, widget, header)
        assert min(m["label"] for m in seen) >= 9.9, "node labels at least 10 px"
    visit.assert_clean()


@pytest.mark.parametrize("page", STEPPER_PAGES)
def test_stepper_labels_readable_at_phone_width(open_page, page):
    """390x844: node labels at least 10.5 px (the graph pane scrolls sideways instead, and
    follows the step's node); the widget stays inside the page."""
    visit = open_page(f"{page}.html", viewport=PHONE)
    for widget in _steppers(visit):
        widget.scroll_into_view_if_needed()
        for _ in range(4):
            widget.locator(".adl-next").click()
        m = widget.evaluate(FIT_JS)
        assert m["label"] >= 10.5, f"labels {m['label']:.1f} px"
        assert m["widget"][3] <= PHONE["width"]
        assert m["node"][2] >= m["graphPane"][2] - 1 and m["node"][3] <= m["graphPane"][3] + 1
    visit.assert_clean()


CELL_GAPS_JS = """table => [...table.querySelectorAll('tr')].map(tr => {
    const texts = [...tr.children].map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const r = range.getBoundingClientRect();
        return r.width ? [r.left, r.right] : null;
    });
    const gaps = [];
    for (let k = 0; k + 1 < texts.length; k++) {
        if (texts[k] && texts[k + 1]) gaps.push(texts[k + 1][0] - texts[k][1]);
    }
    return gaps;
}).flat()"""


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
@pytest.mark.parametrize("page", NOTEBOOKS)
def test_trace_tables_keep_their_columns_apart(open_page, book_dir, book_html, page, viewport):
    """Under the book theme a trace table's columns have space between them (they used to
    run together: ``1.5000 / 0.50003.0000``)."""
    _skip_if_unwritten(book_dir, page)
    if "adlessons-table" not in _page_html(book_html, page):
        pytest.skip("no trace table on this page")
    visit = open_page(f"{page}.html", viewport=viewport)
    tables = visit.page.locator(".output > table.adlessons-table")
    assert tables.count() > 0
    for k in range(tables.count()):
        gaps = tables.nth(k).evaluate(CELL_GAPS_JS)
        assert gaps and min(gaps) >= 8, f"table {k}: text of neighbouring cells {min(gaps):.1f} px apart"


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_graph_images_are_described(book_dir, book_html, page):
    """A drawing's alt text says what it shows (the function's trace), not its file name."""
    _skip_if_unwritten(book_dir, page)
    images = re.findall(r'<img alt="([^"]*)" src="([^"]*\.svg)"', _page_html(book_html, page))
    images = [(alt, src) for alt, src in images if "_images/" in src]
    if not images and not _stored(book_dir, page, "image/svg+xml"):
        pytest.skip("no drawings on this page")
    assert len(images) == _stored(book_dir, page, "image/svg+xml")
    for alt, src in images:
        assert alt != src and not alt.endswith(".svg"), f"{src}: alt text is its path"
        assert alt.startswith(("Computational graph of", "A trace with")), alt


# --- search ---------------------------------------------------------------------------------------


def test_search_shows_excerpts_offline(open_page):
    """Search over file:// lists pages with an excerpt of each, and logs no error."""
    visit = open_page("search.html?q=adjoint")
    visit.page.wait_for_function(
        "() => document.querySelector('#search-results') && "
        "/found \\d+ page/i.test(document.querySelector('#search-results').textContent)",
        timeout=30000)
    visit.page.wait_for_timeout(500)
    results = visit.page.evaluate("""() => [...document.querySelectorAll('#search-results li')].map(li => ({
        title: li.querySelector('a').textContent,
        excerpt: (li.querySelector('p.context') || {textContent: ''}).textContent}))""")
    assert any(r["title"].startswith("Lesson 5") for r in results), results
    assert results and all("adjoint" in r["excerpt"].lower() for r in results), results
    visit.assert_clean()


# --- exercises: hints and worked solutions collapsed, opened by a click -------------------------


def _exercise_pages() -> list[str]:
    """The lessons whose notebooks have exercise cells (every lesson, today)."""
    pages = []
    for page in NOTEBOOKS:
        path = BOOK / f"{page}.ipynb"
        if path.exists() and any("exercise" in c.get("metadata", {}).get("tags", [])
                                 for c in json.loads(path.read_text(encoding="utf-8"))["cells"]):
            pages.append(page)
    return pages


@pytest.mark.parametrize("page", _exercise_pages())
def test_hints_and_solutions_start_collapsed_and_open_on_a_click(open_page, book_dir, page):
    visit = open_page(f"{page}.html")
    page_ = visit.page
    dropdowns = page_.locator("details.sd-dropdown")
    titles = [t.strip() for t in dropdowns.locator("summary").all_inner_texts()]
    assert any(t.startswith("Hint") for t in titles), (page, titles)
    assert any(t.startswith("Worked solution") for t in titles), (page, titles)
    # nothing is open when the page loads: no hint, no worked solution, no solution code
    assert page_.locator("details.sd-dropdown[open]").count() == 0
    solution_code = page_.locator(".tag_solution details.hide")
    assert solution_code.count() > 0 and page_.locator(".tag_solution details.hide[open]").count() == 0
    # a click on the first hint opens it, and its text becomes visible
    hint = dropdowns.filter(has=page_.locator("summary", has_text="Hint")).first
    body = hint.locator(".sd-summary-content")
    assert not body.is_visible()
    hint.locator("summary").click()
    page_.wait_for_timeout(200)
    assert hint.get_attribute("open") is not None and body.is_visible()
    assert body.inner_text().strip(), f"{page}: the opened hint is empty"
    visit.assert_clean()
