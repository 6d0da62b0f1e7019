"""Build the course website (Jupyter Book 1.x) from book/ into book/_build/html.

    python book/build.py            # build (Sphinx rebuilds only what changed)
    python book/build.py --if-stale # build only if a source changed since the last build

``./course book`` runs the first form; the browser tests' fixture uses ``ensure_built``
(the second form), so a fresh build is reused. Notebooks are not executed: the book shows
their committed outputs (``execute_notebooks: "off"`` in _config.yml).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent
STAMP_NAME = ".adlessons-sources"


def html_dir(book_dir: Path = BOOK_DIR) -> Path:
    return book_dir / "_build" / "html"


def _source_files(book_dir: Path):
    # os.walk(followlinks=True) follows book/notebooks -> ../notebooks.
    for root, dirs, files in os.walk(book_dir, followlinks=True):
        rel_root = Path(root).relative_to(book_dir)
        dirs[:] = sorted(
            d for d in dirs
            if not (rel_root == Path(".") and d == "_build")
            and not d.startswith(".") and d != "__pycache__"
        )
        for name in sorted(files):
            path = Path(root) / name
            # is_file() also skips book/notebooks while ../notebooks does not exist yet
            if not name.startswith(".") and path.is_file():
                yield path


def sources_digest(book_dir: Path = BOOK_DIR) -> str:
    """A hash of everything the site is made from: book sources, notebooks, plotly."""
    h = hashlib.sha256()
    for path in _source_files(book_dir):
        h.update(str(path.relative_to(book_dir)).encode())
        h.update(path.read_bytes())
    try:
        from importlib.metadata import version

        h.update(version("plotly").encode())
    except Exception:  # pragma: no cover - plotly missing is reported by the build
        pass
    return h.hexdigest()


def _jupyter_book() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "jupyter_book.cli.main"]


def build(book_dir: Path = BOOK_DIR, quiet: bool = False) -> Path:
    """Run ``jupyter-book build`` and return the path of index.html.

    The full log goes to _build/build.log; warnings and errors are echoed to stderr
    (unless ``quiet``), and the end of the log too if the build fails.
    """
    digest = sources_digest(book_dir)
    cmd = _jupyter_book() + ["build", str(book_dir), "--builder", "html"]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = book_dir / "_build" / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(result.stdout)
    if not quiet:
        for line in result.stdout.splitlines():
            if "WARNING" in line or "ERROR" in line:
                if not sys.stderr.isatty():
                    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
                print(line, file=sys.stderr)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-20000:])
        raise RuntimeError(f"book build failed ({' '.join(cmd)}); full log: {log}")
    index = html_dir(book_dir) / "index.html"
    if not index.exists():
        raise RuntimeError(f"book build produced no {index}; full log: {log}")
    (book_dir / "_build" / STAMP_NAME).write_text(digest + "\n")
    return index


def is_fresh(book_dir: Path = BOOK_DIR) -> bool:
    stamp = book_dir / "_build" / STAMP_NAME
    return (
        (html_dir(book_dir) / "index.html").exists()
        and stamp.exists()
        and stamp.read_text().strip() == sources_digest(book_dir)
    )


def ensure_built(book_dir: Path = BOOK_DIR, quiet: bool = True) -> Path:
    """Build unless the last build is from the current sources; return the html dir."""
    if not is_fresh(book_dir):
        build(book_dir, quiet=quiet)
    return html_dir(book_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-stale", action="store_true",
                        help="skip the build when the sources have not changed")
    parser.add_argument("--book-dir", type=Path, default=BOOK_DIR)
    args = parser.parse_args(argv)
    book_dir = args.book_dir.resolve()
    if args.if_stale and is_fresh(book_dir):
        index = html_dir(book_dir) / "index.html"
    else:
        index = build(book_dir)
    print(index.as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
