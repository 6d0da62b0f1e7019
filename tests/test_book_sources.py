"""What the book needs from the committed notebooks (no browser needed).

The website shows the notebooks' stored outputs without running them, so each notebook
must carry what the static page needs: widget state for every widget view, plotly
figures as HTML with a fixed div id and no plotly.js of their own, and check cells
tagged so that the book hides them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXECUTE_HINT = ("execute it with `jupyter nbconvert --to notebook --execute --inplace "
                "{path}` so the widget state is saved in metadata.widgets")


def _toc_notebooks() -> list[Path]:
    toc = yaml.safe_load((REPO / "book" / "_toc.yml").read_text())
    files = [c["file"] for c in toc.get("chapters", []) if c["file"].startswith("notebooks/")]
    return [REPO / f"{f}.ipynb" for f in files]


NOTEBOOKS = _toc_notebooks()


def _load(path: Path) -> dict:
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO)} is not written yet")
    return json.loads(path.read_text(encoding="utf-8"))


def _outputs(nb: dict):
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            yield cell, out


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def test_book_chapters_are_the_notebooks_folder():
    link = REPO / "book" / "notebooks"
    assert link.is_symlink() and Path(link.readlink()).as_posix() == "../notebooks"
    assert NOTEBOOKS and {p.parent for p in NOTEBOOKS} == {REPO / "notebooks"}
    assert [p.name[:3] for p in NOTEBOOKS] == [f"{k:02d}_" for k in range(1, len(NOTEBOOKS) + 1)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_views_have_saved_state(path):
    nb = _load(path)
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    rel = path.relative_to(REPO)
    for _, out in _outputs(nb):
        view = out.get("data", {}).get(WIDGET_VIEW)
        if view:
            assert view["model_id"] in state, (
                f"{rel}: a widget has no saved state, so the book cannot show it; "
                + EXECUTE_HINT.format(path=rel))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_plotly_figures_are_offline_html_with_fixed_ids(path):
    nb = _load(path)
    rel = path.relative_to(REPO)
    for _, out in _outputs(nb):
        data = out.get("data", {})
        if "application/vnd.plotly.v1+json" not in data:
            continue
        assert "text/html" in data, f"{rel}: a plotly figure has no text/html (the book shows HTML)"
        html = _text(data["text/html"])
        assert "Plotly.newPlot" in html
        assert "<script src=" not in html and "cdn.plot.ly" not in html, (
            f"{rel}: plotly HTML loads plotly.js itself; use include_plotlyjs=False")
        ids = re.findall(r'<div id="([^"]+)"', html)
        assert ids and not re.fullmatch(r"[0-9a-f-]{36}", ids[0]), (
            f"{rel}: plotly div id {ids[:1]} is random; pass a fixed div_id")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_check_cells_are_hidden_in_the_book(path):
    nb = _load(path)
    rel = path.relative_to(REPO)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and _text(cell["source"]).lstrip().startswith("# check:"):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "remove-cell" in tags and "check" in tags, (
                f"{rel}: check cell without tags check + remove-cell: "
                f"{_text(cell['source']).splitlines()[0]!r}")
