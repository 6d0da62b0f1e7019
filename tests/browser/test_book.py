"""The built book in a real browser: every page loads cleanly and offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adlessons import forward_steps, record, reverse_steps
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther

pytestmark = pytest.mark.browser

BOOK = Path(__file__).resolve().parents[2] / "book"


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for c in toc.get("chapters", [])]


PAGES = _toc_pages()
NOTEBOOKS = [p for p in PAGES if p.startswith("notebooks/")]


def _skip_if_unwritten(book_dir: Path, page: str):
    if page.startswith("notebooks/") and not (book_dir / f"{page}.ipynb").exists():
        pytest.skip(f"{page}.ipynb is not written yet")


def test_toc_names_all_six_lessons():
    assert [Path(p).name for p in NOTEBOOKS] == [
        "01_finite_differences",
        "02_symbolic_differentiation",
        "03_computational_graphs",
        "04_forward_mode",
        "05_reverse_mode",
        "06_which_mode",
    ]
    assert PAGES[0] == "intro" and "references" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_clean_and_offline(open_page, book_dir, page):
    _skip_if_unwritten(book_dir, page)
    visit = open_page(f"{page}.html")
    visit.assert_clean()
    title = visit.page.locator("article h1").first
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
        text = (book_html / f"{page}.html").read_text(encoding="utf-8")
        assert "# check:" not in text, f"{page}: a check cell is visible"


def test_finite_differences_has_a_rendered_plotly_figure(open_page, book_dir):
    page = "notebooks/01_finite_differences"
    _skip_if_unwritten(book_dir, page)
    visit = open_page(f"{page}.html")
    plot = visit.page.locator(".js-plotly-plot").first
    plot.wait_for(state="attached", timeout=15000)
    assert plot.locator("svg").count() > 0, "plotly figure has no svg"
    assert visit.page.evaluate("typeof window.Plotly") == "object"
    visit.assert_clean()


def _widget_views(book_html: Path, page: str) -> int:
    html = (book_html / f"{page}.html").read_text(encoding="utf-8")
    return html.count('type="application/vnd.jupyter.widget-view+json"')


def test_widgets_are_saved_exactly_where_the_lessons_show_steppers(book_html):
    """Lessons 4 and 5 show two steppers each (their widget state is stored); others none."""
    views = {page: _widget_views(book_html, page) for page in NOTEBOOKS}
    assert {page: n for page, n in views.items() if n} == {
        "notebooks/04_forward_mode": 2,
        "notebooks/05_reverse_mode": 2,
    }


@pytest.mark.parametrize("page", ["notebooks/04_forward_mode", "notebooks/05_reverse_mode"])
def test_every_widget_renders(open_page, book_dir, book_html, page):
    """Each saved widget view becomes a live widget on the static page (no kernel)."""
    _skip_if_unwritten(book_dir, page)
    views = _widget_views(book_html, page)
    visit = open_page(f"{page}.html")
    visit.page.wait_for_function(
        """n => Array.from(document.querySelectorAll('.widget-subarea'))
                    .filter(e => e.children.length > 0).length >= n""",
        arg=views, timeout=20000)
    visit.assert_clean()


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
