"""Search excerpts that work when the book is opened from disk (file://).

Sphinx's search page shows each result with an excerpt of its page, which it gets with
``fetch()``; browsers refuse ``fetch()`` of local files, so over file:// every result came
without an excerpt and logged an error.  After the build this module writes the text of
every page (its article, without scripts, pictures or widget state) into
``_static/adlessons-search-pages.js``; on the search page ``adlessons-search.js`` answers
the search's ``fetch()`` of a page from that text when the page is a local file.  Served
over http(s) nothing changes: the real pages are fetched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PAGES_JS = "adlessons-search-pages.js"  # written into _static/ after the build
SHIM_JS = "adlessons-search.js"  # in book/_assets
BLOCKS = {"p", "div", "li", "td", "th", "tr", "pre", "h1", "h2", "h3", "h4", "br", "dd", "dt", "caption"}
DROP = ["script", "style", "svg", "img", "iframe", "noscript", "form", "button", ".headerlink",
        ".widget-subarea"]


def page_text(html: str) -> str | None:
    """The searchable part of a built page as small HTML: the article's text and the ids
    its sections are found by (what Sphinx's excerpt code reads), nothing else."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one('[role="main"] article') or soup.select_one('[role="main"]')
    if article is None:
        return None
    for selector in DROP:
        for element in article.select(selector):
            element.decompose()
    for element in article.find_all(True):
        if element.name == "section" and element.has_attr("id"):
            element.attrs = {"id": element["id"]}  # an anchor a search result may point at
        else:
            if element.name in BLOCKS:
                element.insert_after(" ")  # keep words of neighbouring blocks apart
            element.unwrap()
    text = re.sub(r"\s+", " ", article.decode_contents())
    return f'<div role="main">{text}</div>'


def write_pages(outdir: Path) -> Path:
    """Write every page's searchable text, keyed by its path in the site, as a JS file."""
    pages = {}
    for path in sorted(outdir.rglob("*.html")):
        relative = path.relative_to(outdir).as_posix()
        if relative.startswith("_") or relative in ("search.html", "genindex.html"):
            continue
        text = page_text(path.read_text(encoding="utf-8"))
        if text:
            pages[relative] = text
    body = json.dumps(pages, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    target = outdir / "_static" / PAGES_JS
    target.write_text(f"window.ADLESSONS_SEARCH_PAGES = {body};\n", encoding="utf-8")
    return target


def add_to_search_page(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file(PAGES_JS, priority=200)
        app.add_js_file(SHIM_JS, priority=201)


def after_build(app, exception):
    if exception is None and app.builder is not None and app.builder.format == "html":
        write_pages(Path(app.builder.outdir))


def setup(app):
    app.connect("html-page-context", add_to_search_page)
    app.connect("build-finished", after_build)
