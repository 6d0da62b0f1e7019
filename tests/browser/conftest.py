"""Browser tests: the built book, opened in headless Chromium through Playwright.

Every test under tests/browser/ is marked ``browser``. Fixtures:

* ``book_html``: the book's html dir, built once per session (reused when
  book/_build is already built from the current sources). ``ADLESSONS_BOOK_DIR``
  may point at another book source dir (used to try the set-up on stand-in notebooks).
* ``browser``: Playwright Chromium from ``$ADLESSONS_CHROMIUM``, ``/usr/bin/chromium``
  or the first of chromium/chromium-browser/google-chrome on PATH. Never a
  Playwright-downloaded browser. Missing: the tests are skipped, unless CI is set,
  where they fail.
* ``open_page``: ``open_page("intro.html")`` opens a page of the book via file:// (a
  query may follow: ``"search.html?q=adjoint"``; ``viewport={"width": 390, "height": 844}``
  sets the window, default 1280x900) and returns a ``PageVisit`` (``.page`` plus the console errors, page errors, failed
  requests and requests that tried to leave the site), for asserting that a page is
  clean and offline.
* ``stepper_view``: ``stepper_view(locator)`` reads what a reader sees in one stepper
  (highlighted node ids, equation, caption, table text, step index).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    candidates = [os.environ.get("ADLESSONS_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in
                   ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")]
    candidates.append("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def _load_book_builder():
    spec = importlib.util.spec_from_file_location("adlessons_book_build", REPO / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        msg = ("no Chromium found (set ADLESSONS_CHROMIUM, or install it: "
               "apt-get install chromium; ./course test does this)")
        if _in_ci():
            pytest.fail("CI is set but " + msg, pytrace=False)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def book_dir() -> Path:
    return Path(os.environ.get("ADLESSONS_BOOK_DIR", REPO / "book")).resolve()


@pytest.fixture(scope="session")
def book_html(book_dir) -> Path:
    builder = _load_book_builder()
    return builder.ensure_built(book_dir, quiet=True)


@dataclass
class PageVisit:
    page: object
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"request leaving the site: {u}" for u in self.outside_requests]
                + [f"failed request: {u}" for u in self.failed_requests])

    def assert_clean(self):
        problems = self.problems()
        assert not problems, f"{self.url}:\n  " + "\n  ".join(problems)


@pytest.fixture
def open_page(browser, book_html):
    """Open a book page by its path relative to the html dir; record what goes wrong."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    contexts = []

    def _open(relpath: str, wait_ms: int = 500, viewport: dict | None = None) -> PageVisit:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        path, _, query = relpath.partition("?")
        url = (book_html / path).as_uri() + (f"?{query}" if query else "")
        visit = PageVisit(page=page, url=url)

        def on_console(msg):
            if msg.type == "error":
                visit.console_errors.append(msg.text)

        def on_request(request):
            if not request.url.startswith(LOCAL_SCHEMES):
                visit.outside_requests.append(request.url)

        def on_failed(request):
            if request.url.startswith(LOCAL_SCHEMES):
                visit.failed_requests.append(f"{request.url} ({request.failure})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        # Nothing may leave the site; abort at once instead of waiting for a timeout.
        context.route("**/*", lambda route: route.abort()
                      if not route.request.url.startswith(LOCAL_SCHEMES) else route.continue_())
        page.goto(url, wait_until="load", timeout=60000)
        # Every request is a local file, so "load" has them all but scripts' late ones. On a
        # loaded 2-core machine Chromium sometimes never reports a quiet network on heavy
        # pages (plotly, widget state) although no request is open; the tests wait for what
        # they look at themselves, so a missing "networkidle" is no failure.
        try:
            page.wait_for_load_state("networkidle", timeout=20000)
        except PlaywrightTimeout:
            pass
        # MathJax typesets after load; wait for it where the page has it.
        page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
        }""")
        page.wait_for_timeout(wait_ms)
        return visit

    yield _open
    for context in contexts:
        context.close()


STEPPER_VIEW_JS = """root => ({
    highlighted: [...root.querySelectorAll('.adl-graph svg g.node.adl-highlight')].map(g => g.id),
    equation: root.querySelector('.adl-equation').textContent,
    caption: root.querySelector('.adl-caption').textContent,
    table: root.querySelector('.adl-table').textContent,
    index: root.dataset.index,
})"""


@pytest.fixture(scope="session")
def stepper_view():
    """What the reader sees in a stepper (a Playwright locator on its ``.adl-stepper``)."""
    return lambda widget: widget.evaluate(STEPPER_VIEW_JS)
