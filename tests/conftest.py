"""Shared test set-up: browser tests skip with a reason when their tools are not installed.

`pip install -e ".[unit]"` is enough for the unit tests; the browser tests (tests/browser)
also need Playwright and Jupyter Book (`pip install -e ".[test]"`) and a Chromium. Where
one is missing they are skipped and say why; with CI set they fail instead, so a CI run
can never pass by skipping them.
"""

from __future__ import annotations

import os
from importlib.util import find_spec

import pytest

BROWSER_TOOLS = {"playwright": "Playwright", "jupyter_book": "Jupyter Book"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_browser_tools() -> list[str]:
    return [name for module, name in BROWSER_TOOLS.items() if find_spec(module) is None]


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is None:
        return
    missing = missing_browser_tools()
    if missing:
        msg = (f"browser test needs {' and '.join(missing)}: pip install -e \".[test]\" "
               "(./course test installs everything)")
        if in_ci():
            pytest.fail("CI is set but the " + msg, pytrace=False)
        pytest.skip(msg)
