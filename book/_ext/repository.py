"""The repository address, set once: ``repository.url`` (and ``branch``) in ``_config.yml``.

The launch buttons (Binder, Colab) and the repository button are built from it by the book
theme.  Text that must name it (the Colab install line) uses MyST substitutions defined
here from the same setting, so pointing the book at a fork is a one-line change:

- ``{{ repository_url }}``: the address, e.g. https://github.com/you/adlessons
- ``{{ colab_install }}``: the install line for Colab, as code:
  ``%pip install git+https://github.com/you/adlessons@main``
"""

from __future__ import annotations


def substitutions(url: str, branch: str) -> dict:
    url = url.rstrip("/")
    ref = f"@{branch}" if branch else ""
    return {
        "repository_url": url,
        "colab_install": f"`%pip install git+{url}{ref}`",
    }


def define(app, config):
    options = config.html_theme_options or {}
    url = options.get("repository_url", "")
    if not url:
        return
    values = substitutions(url, options.get("repository_branch", ""))
    config.myst_substitutions = {**values, **(config.myst_substitutions or {})}


def setup(app):
    app.connect("config-inited", define)
