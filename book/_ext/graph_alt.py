"""Alt text for the graphs: what each drawing shows, not the file it was saved to.

myst-nb writes each ``image/svg+xml`` output to a file and shows it with ``<img>``, whose
alt text would be that file's path.  ``adlessons.viz`` gives every drawing a description
(the function and its evaluation trace) as the SVG's ``aria-label``; this module copies it
into the image's alt text when the page is read.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes

ARIA_LABEL = re.compile(r'<svg\b[^>]*?\saria-label="([^"]*)"')


def description(svg_file: Path) -> str | None:
    """The ``aria-label`` of an SVG file's root element, or None."""
    try:
        head = svg_file.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return None
    match = ARIA_LABEL.search(head)
    return html.unescape(match.group(1)) if match else None


def _svg_path(app, image) -> Path | None:
    uri = image.get("candidates", {}).get("*") or image.get("uri", "")
    if not uri.endswith(".svg"):
        return None
    path = Path(uri.lstrip("/"))
    return path if path.is_absolute() else Path(app.srcdir) / path


def describe_images(app, doctree):
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        path = _svg_path(app, image)
        text = description(path) if path is not None else None
        if text:
            image["alt"] = text


def setup(app):
    app.connect("doctree-read", describe_images)
