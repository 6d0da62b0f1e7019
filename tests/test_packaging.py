"""Packaging: lesson metadata, pinned dependencies, and the wheel a pip user installs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# What JupyterLab 4's installed kernel calls itself: a lesson with anything else is marked
# modified the moment Lab opens it (see TOOLCHAIN.md, 2026-12-01).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_lesson_has_the_same_kernelspec(path):
    kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("kernelspec")
    assert kernelspec == KERNELSPEC


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_dependency():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += [req for req in extra if not req.startswith("adlessons[")]
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            pins[normalized(match.group(1))] = match.group(2)
    names = [normalized(re.match(r"[A-Za-z0-9._-]+", req).group(0)) for req in wanted]
    assert [n for n in names if n not in pins] == []
    # A dependency pinned exactly in pyproject.toml (ruff, the benchmark baselines) has that pin.
    for req in wanted:
        exact = re.match(r"^([A-Za-z0-9._-]+)==(\S+)$", req)
        if exact:
            assert pins[normalized(exact.group(1))] == exact.group(2), req


def test_build_output_and_the_lesson_copy_are_ignored_by_git():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    paths = ["build/lib/x.py", "dist/adlessons-0.1.0.tar.gz", "adlessons-lessons/01_x.ipynb"]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=REPO, capture_output=True, text=True)
    assert result.stdout.split() == paths


# --- the wheel, as a pip user gets it --------------------------------------------------------------

# What a wheel build needs from the checkout (copied, so no stale build/ in the checkout can
# leak into the wheel and the test writes nothing there).
BUILD_SOURCES = ["adlessons", "notebooks", "pyproject.toml", "README.md", "LICENSE"]


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in BUILD_SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, source / name)
    # pip builds in an isolated environment with the build requirements of pyproject.toml.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "-w", work / "dist", source])
    (built,) = (work / "dist").glob("adlessons-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_every_lesson_and_nothing_else_of_notebooks(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    lessons = sorted(n for n in names if n.startswith("adlessons/lessons/"))
    built_from = sorted((wheel.parents[1] / "source" / "notebooks").glob("*.ipynb"))  # notebooks/ as copied
    assert built_from and lessons == [f"adlessons/lessons/{p.name}" for p in built_from]
    assert "adlessons/cli.py" in names and "adlessons/__main__.py" in names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt")))
    assert "adlessons = adlessons.cli:main" in entry_points.decode()


@pytest.mark.slow
def test_a_fresh_venv_gets_the_lessons_and_runs_one(wheel, tmp_path):
    """pip install the wheel into a new venv, `adlessons get`, execute a lesson with nbconvert."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    # Only PyPI (pip's cache may serve it); the pins keep this run like the course's own.
    run([python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
         "-c", REPO / "constraints.txt", wheel, "nbconvert", "ipykernel"])
    # Nothing from the checkout may leak in: no PYTHONPATH, a folder of its own, its own Jupyter dirs.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", JUPYTER_DATA_DIR=str(tmp_path / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"), JUPYTER_PATH=str(venv / "share" / "jupyter"))
    where = run([python, "-c", "import adlessons; print(adlessons.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    assert "usage: adlessons [-h] COMMAND" in run([python, "-m", "adlessons", "--help"], cwd=tmp_path, env=env).stdout
    got = run([bin_dir / "adlessons", "get", "lessons"], cwd=tmp_path, env=env)
    with zipfile.ZipFile(wheel) as archive:  # the lessons as built (notebooks/ may change meanwhile)
        shipped = {Path(n).name: archive.read(n) for n in archive.namelist() if n.startswith("adlessons/lessons/")}
    assert f"Copied {len(shipped)} lesson(s)" in got.stdout
    assert {p.name: p.read_bytes() for p in (tmp_path / "lessons").glob("*.ipynb")} == shipped

    lesson = next((name for name in sorted(shipped) if name.startswith("03_")), min(shipped))
    run([bin_dir / "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=300", "--output", "executed.ipynb", tmp_path / "lessons" / lesson],
        cwd=tmp_path, env=env)
    executed = json.loads((tmp_path / "lessons" / "executed.ipynb").read_text(encoding="utf-8"))
    code_cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert code_cells and all(c["execution_count"] for c in code_cells)
    assert not [o for c in code_cells for o in c["outputs"] if o["output_type"] == "error"]
