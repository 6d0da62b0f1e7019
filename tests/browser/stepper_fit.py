"""Measuring a stepper on screen: shared by the book's and the exported notebook's tests.

``check_fits_the_screen(page, widget, header)`` steps a stepper from its start to its end
with the stepper's top just under the page's header, and asserts at every step that the
controls, the highlighted node and the table's current row are all on screen and not
scrolled out of their panes.  ``FIT_JS`` measures one frame: boxes as (top, bottom, left,
right) in CSS px, and ``label``, the height a 12 pt node label is drawn at.
"""

from __future__ import annotations

FIT_JS = """root => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; };
    const hot = root.querySelector('.adl-graph g.node.adl-highlight');
    const i = Number(root.dataset.index);
    const row = i ? root.querySelector('.adl-table tbody tr:nth-child(' + i + ')') : null;
    const svg = root.querySelector('.adl-graph svg');
    const view = svg.viewBox.baseVal;
    return {
        index: i,
        widget: box(root), toolbar: box(root.querySelector('.adl-toolbar')),
        equation: box(root.querySelector('.adl-equation')),
        node: hot ? box(hot) : null, row: row ? box(row) : null,
        graphPane: box(root.querySelector('.adl-graph')), tablePane: box(root.querySelector('.adl-table')),
        // a 12 pt node label, in CSS px as drawn: the viewBox is in points
        label: 12 * svg.getBoundingClientRect().width / view.width,
    };
}"""


def inside(inner, outer, slack: float = 1.0) -> bool:
    top, bottom, left, right = inner
    o_top, o_bottom, o_left, o_right = outer
    return (top >= o_top - slack and bottom <= o_bottom + slack
            and left >= o_left - slack and right <= o_right + slack)


def scroll_to(widget, top: int = 0):
    """Scroll the page so the widget's top is ``top`` px below the window's top."""
    widget.evaluate("(e, top) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - top)", top)


def check_fits_the_screen(page, widget, header: int = 0) -> list:
    """Step through the whole sweep shown (see the module docstring); returns each frame's
    measurements."""
    if widget.evaluate("e => e.dataset.index") != "0":
        widget.locator(".adl-start").click()
    scroll_to(widget, header)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    screen = [header, height, 0, width]
    seen = []
    n = int(widget.locator(".adl-slider").get_attribute("max"))
    for k in range(n + 1):
        if k:
            widget.locator(".adl-next").click()
        m = widget.evaluate(FIT_JS)
        assert m["index"] == k
        assert inside(m["toolbar"], screen) and inside(m["equation"], screen), (k, m)
        if k:
            assert m["node"] and inside(m["node"], screen) and inside(m["node"], m["graphPane"]), (k, m)
            assert m["row"] and inside(m["row"], screen) and inside(m["row"], m["tablePane"], 2), (k, m)
        seen.append(m)
    return seen
