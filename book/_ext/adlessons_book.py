"""Sphinx glue that keeps the adlessons book offline.

* plotly: pages whose HTML calls ``Plotly.newPlot`` (a notebook output made with
  ``fig.to_html(include_plotlyjs=False, div_id=...)``) get ``plotly.min.js``.
  The file is copied from the installed ``plotly`` package, so the browser
  library always matches the Python library that wrote the figure.
* ipywidgets/anywidget: myst-nb adds the scripts named in ``nb_ipywidgets_js``
  (see ``_config.yml``) to pages that carry widget state; they point at the
  vendored copies in ``_vendor/``. Nothing here needs to change for that.

* thebe: Jupyter Book always loads sphinx-thebe, which names a CDN URL for thebe in
  every page. Launching live code in the page is off (``launch_buttons.thebe: false``),
  so its scripts are dropped from the pages.

* the book's own stylesheet (``_assets/adlessons-book.css``: trace tables), search
  excerpts over file:// (``offline_search``), alt text for graphs (``graph_alt``) and the
  repository address as MyST substitutions (``repository``): see those modules.

No file is fetched from the network at build or view time.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import graph_alt
import offline_search
import repository

PLOTLY_JS = "plotly/plotly.min.js"  # relative to the output's _static/


def _plotly_source() -> Path:
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise FileNotFoundError(
            f"plotly.min.js not found at {path}; is the 'plotly' package installed?"
        )
    return path


def _is_thebe(script) -> bool:
    name = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return "sphinx-thebe" in name or "THEBE_JS_URL" in body


def _drop_thebe(context):
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if isinstance(files, list):
            files[:] = [f for f in files if not _is_thebe(f)]


def _page_assets(app, pagename, templatename, context, doctree):
    _drop_thebe(context)
    body = context.get("body") or ""
    if "Plotly.newPlot" in body or "Plotly.react" in body:
        # Before require.js (myst-nb's widget scripts use the default 500), so
        # plotly never sees an AMD loader and always sets window.Plotly.
        app.add_js_file(PLOTLY_JS, priority=300)


def _copy_plotly(app, exception):
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    target = Path(app.builder.outdir) / "_static" / PLOTLY_JS
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_plotly_source(), target)


def setup(app):
    _plotly_source()  # fail early, with a clear message
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _copy_plotly)
    app.add_css_file("adlessons-book.css")
    for module in (offline_search, graph_alt, repository):
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
