"""The repository address is one setting: book/_config.yml's ``repository.url``.

A copy of the book is built with the address of a fork; its launch buttons (Binder, Colab),
its repository button and the ``{{ colab_install }}`` / ``{{ repository_url }}``
substitutions must all name the fork, and no page may name the default address unless its
own source text writes it out.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, _load_book_builder

pytestmark = pytest.mark.browser

FORK = "https://github.com/example-learner/adlessons-fork"
BRANCH = "teaching"
PROBE = "Probe of the repository setting: {{ colab_install }} at {{ repository_url }}."


def _default_address() -> str:
    config = yaml.safe_load((REPO / "book" / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


@pytest.fixture(scope="module")
def fork_book(tmp_path_factory) -> Path:
    """The book's sources copied, pointed at the fork, with a probe line in the intro; built."""
    book = tmp_path_factory.mktemp("fork") / "book"
    shutil.copytree(REPO / "book", book, symlinks=True,
                    ignore=shutil.ignore_patterns("_build", "notebooks", "__pycache__"))
    (book / "notebooks").symlink_to((REPO / "notebooks").resolve(), target_is_directory=True)
    config_file = book / "_config.yml"
    text = config_file.read_text()
    text, urls = re.subn(r"(?m)^(\s+url:\s*).*$", rf"\g<1>{FORK}", text, count=1)
    text, branches = re.subn(r"(?m)^(\s+branch:\s*).*$", rf"\g<1>{BRANCH}", text, count=1)
    assert urls == branches == 1, "repository.url and repository.branch are in _config.yml"
    config_file.write_text(text)
    with open(book / "intro.md", "a", encoding="utf-8") as intro:
        intro.write(f"\n\n{PROBE}\n")
    _load_book_builder().build(book, quiet=True)
    return book / "_build" / "html"


def test_launch_buttons_name_the_fork(fork_book):
    page = (fork_book / "notebooks" / "03_computational_graphs.html").read_text(encoding="utf-8")
    owner_repo = FORK.removeprefix("https://github.com/")
    assert f"mybinder.org/v2/gh/{owner_repo}/{BRANCH}?" in page
    assert f"colab.research.google.com/github/{owner_repo}/blob/{BRANCH}/notebooks/03_computational_graphs.ipynb" in page
    assert f'href="{FORK}"' in page  # the repository button


def test_substitutions_name_the_fork(fork_book):
    intro = (fork_book / "intro.html").read_text(encoding="utf-8")
    probe = re.search(r"Probe of the repository setting: (.*?)</p>", intro, re.DOTALL).group(1)
    code = re.search(r"<code[^>]*>(.*?)</code>", probe, re.DOTALL).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", code)) == f"%pip install git+{FORK}@{BRANCH}"
    assert html.unescape(re.sub(r"<[^>]+>", "", probe)).endswith(f" at {FORK}.")


def test_no_page_names_the_default_address_by_itself(fork_book):
    default = _default_address()
    assert default != FORK
    book = REPO / "book"
    offenders = []
    for built in sorted(fork_book.rglob("*.html")):
        relative = built.relative_to(fork_book)
        sources = [book / relative.with_suffix(suffix) for suffix in (".md", ".ipynb")]
        writes_it_out = any(s.exists() and default in s.read_text(encoding="utf-8") for s in sources)
        if default in built.read_text(encoding="utf-8") and not writes_it_out:
            offenders.append(str(relative))
    assert offenders == []
