"""The `adlessons` command: copying the lessons, keeping a learner's edits, starting JupyterLab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adlessons import cli

REPO = Path(__file__).resolve().parents[1]


def notebooks() -> list[str]:
    """The lessons in the checkout, looked up when a test runs (lessons are added while others work)."""
    return sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))

V1 = {"01_a.ipynb": b'{"v": 1, "lesson": "a"}', "02_b.ipynb": b'{"v": 1, "lesson": "b"}'}
V2 = {"01_a.ipynb": b'{"v": 2, "lesson": "a"}', "02_b.ipynb": b'{"v": 2, "lesson": "b"}'}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # argparse wraps help text to the terminal's width
    return subprocess.run([sys.executable, "-m", "adlessons", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)


# --- what ships --------------------------------------------------------------------------------


def test_every_notebook_of_the_checkout_is_a_shipped_lesson():
    names = notebooks()
    # adlessons/lessons links to notebooks/: a new lesson (07_..., 08_...) ships without a list to edit.
    shipped = cli.shipped_lessons()
    assert list(shipped) == names and names
    assert all(shipped[name] == (REPO / "notebooks" / name).read_bytes() for name in names)


# --- get ---------------------------------------------------------------------------------------


def test_get_copies_every_lesson_into_a_new_folder(tmp_path):
    names = notebooks()
    folder = tmp_path / "deep" / "lessons"
    report = cli.get_lessons(folder)
    assert report.copied == names and not (report.kept or report.updated)
    assert sorted(p.name for p in folder.glob("*.ipynb")) == names
    for name in names:
        assert (folder / name).read_bytes() == (REPO / "notebooks" / name).read_bytes()
    assert report.lines()[0].startswith(f"Copied {len(names)} lesson(s) into {folder}")


def test_get_twice_changes_nothing(tmp_path):
    cli.get_lessons(tmp_path, lessons=V1)
    report = cli.get_lessons(tmp_path, lessons=V1)
    assert report.unchanged == list(V1) and not (report.copied or report.updated or report.kept)
    assert report.lines() == [f"The lessons in {tmp_path} are up to date."]


def test_an_edited_lesson_is_kept_and_the_report_says_how_to_get_a_fresh_one(tmp_path):
    cli.get_lessons(tmp_path, lessons=V1)
    (tmp_path / "01_a.ipynb").write_bytes(b"my answers")
    report = cli.get_lessons(tmp_path, lessons=V2)  # a newer course: both lessons changed
    assert report.kept == ["01_a.ipynb"] and report.updated == ["02_b.ipynb"]
    assert (tmp_path / "01_a.ipynb").read_bytes() == b"my answers"
    assert (tmp_path / "02_b.ipynb").read_bytes() == V2["02_b.ipynb"]
    text = "\n".join(report.lines("adlessons lab"))
    assert "Kept your edited copy of 1 lesson(s): 01_a.ipynb" in text
    assert f"adlessons lab --fresh {tmp_path}" in text and "adlessons lab OTHER_FOLDER" in text
    # Kept again on the next run: the record still holds the copy as it was made.
    assert cli.get_lessons(tmp_path, lessons=V2).kept == ["01_a.ipynb"]


def test_a_lesson_that_was_not_copied_by_the_command_counts_as_edited(tmp_path):
    (tmp_path / "01_a.ipynb").write_bytes(b"copied by hand and changed")  # no record in the folder
    report = cli.get_lessons(tmp_path, lessons=V1)
    assert report.kept == ["01_a.ipynb"] and report.copied == ["02_b.ipynb"]
    assert (tmp_path / "01_a.ipynb").read_bytes() == b"copied by hand and changed"


def test_a_damaged_record_keeps_every_differing_lesson(tmp_path):
    cli.get_lessons(tmp_path, lessons=V1)
    (tmp_path / cli.RECORD_NAME).write_text("{not json")
    report = cli.get_lessons(tmp_path, lessons=V2)
    assert report.kept == ["01_a.ipynb", "02_b.ipynb"]


def test_a_new_lesson_is_added_beside_the_learners_work(tmp_path):
    cli.get_lessons(tmp_path, lessons=V1)
    (tmp_path / "01_a.ipynb").write_bytes(b"my answers")
    report = cli.get_lessons(tmp_path, lessons={**V1, "03_c.ipynb": b"{}"})
    assert report.copied == ["03_c.ipynb"] and report.kept == ["01_a.ipynb"]
    assert report.unchanged == ["02_b.ipynb"]


def test_fresh_sets_the_edited_copy_aside_under_a_free_name(tmp_path):
    cli.get_lessons(tmp_path, lessons=V1)
    (tmp_path / "01_a.ipynb").write_bytes(b"first try")
    report = cli.get_lessons(tmp_path, fresh=True, lessons=V1)
    assert report.set_aside == {"01_a.ipynb": "01_a.mine.ipynb"} and not report.kept
    assert (tmp_path / "01_a.ipynb").read_bytes() == V1["01_a.ipynb"]
    assert (tmp_path / "01_a.mine.ipynb").read_bytes() == b"first try"
    (tmp_path / "01_a.ipynb").write_bytes(b"second try")
    assert cli.get_lessons(tmp_path, fresh=True, lessons=V1).set_aside == {"01_a.ipynb": "01_a.mine-2.ipynb"}
    assert (tmp_path / "01_a.mine.ipynb").read_bytes() == b"first try"
    assert (tmp_path / "01_a.mine-2.ipynb").read_bytes() == b"second try"
    # An unchanged lesson is not set aside by --fresh.
    assert not (tmp_path / "02_b.mine.ipynb").exists()


def test_get_refuses_a_file_as_folder(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("not a folder")
    with pytest.raises(SystemExit, match=f"{target} is a file, not a folder"):
        cli.get_lessons(target, lessons=V1)


def test_main_get_defaults_to_adlessons_lessons_in_the_current_folder(tmp_path, monkeypatch, capsys):
    names = notebooks()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["get"]) == 0
    assert sorted(p.name for p in (tmp_path / "adlessons-lessons").glob("*.ipynb")) == names
    assert "Copied" in capsys.readouterr().out


def test_main_get_refuses_jupyterlab_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["get", str(tmp_path), "--", "--port", "8890"])
    assert exit_info.value.code == 2
    assert "adlessons get takes no JupyterLab options" in capsys.readouterr().err


# --- lab ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("root", [False, True])
def test_lab_copies_then_starts_jupyterlab_in_the_copy(tmp_path, monkeypatch, capsys, root):
    names = notebooks()
    started = []
    monkeypatch.setattr(cli, "jupyterlab_installed", lambda: True)
    monkeypatch.setattr(cli, "running_as_root", lambda: root)
    code = cli.main(["lab", str(tmp_path / "mine"), "--", "--no-browser", "--port", "8890"],
                    run=lambda command: started.append(command) or 7)
    assert code == 7  # JupyterLab's exit code is the command's
    assert sorted(p.name for p in (tmp_path / "mine").glob("*.ipynb")) == names
    expected = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={tmp_path / 'mine'}"]
    expected += ["--allow-root"] if root else []
    assert started == [expected + ["--no-browser", "--port", "8890"]]
    assert f"Starting JupyterLab in {tmp_path / 'mine'}" in capsys.readouterr().out


def test_lab_keeps_an_edited_lesson_and_names_itself_in_the_hint(tmp_path, monkeypatch, capsys):
    names = notebooks()
    monkeypatch.setattr(cli, "jupyterlab_installed", lambda: True)
    monkeypatch.setenv("ADLESSONS_PROG", "./course")
    cli.get_lessons(tmp_path)
    (tmp_path / names[0]).write_text("my answers")
    cli.main(["lab", str(tmp_path)], run=lambda command: 0)
    out = capsys.readouterr().out
    assert f"Kept your edited copy of 1 lesson(s): {names[0]}" in out
    assert f"./course lab --fresh {tmp_path}" in out
    assert (tmp_path / names[0]).read_text() == "my answers"


def test_lab_without_jupyterlab_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "jupyterlab_installed", lambda: False)
    started = []
    assert cli.main(["lab", str(tmp_path / "x")], run=started.append) == 1
    assert not started and not (tmp_path / "x").exists()
    assert "pip install 'adlessons[lab]'" in capsys.readouterr().err


def test_the_lab_command_uses_options_this_jupyterlab_knows(tmp_path):
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (the lab extra)")
    command = cli.lab_command(tmp_path, [])
    result = subprocess.run(command + ["--allow-root", "--help-all"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--ServerApp.root_dir" in result.stdout and "--allow-root" in result.stdout


# --- the command line itself --------------------------------------------------------------------


def test_help_lists_both_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "get" in result.stdout and "lab" in result.stdout and "--fresh" in result.stdout


@pytest.mark.parametrize("command", ["get", "lab"])
def test_help_of_each_command(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert f"usage: adlessons {command} [-h] [--fresh] [DIR]" in result.stdout
    assert "default: adlessons-lessons" in result.stdout


def test_no_command_is_an_error_with_usage():
    result = run_cli()
    assert result.returncode == 2 and "usage: adlessons" in result.stderr


def test_the_command_starts_without_drawing_or_widget_libraries(tmp_path):
    code = (
        "import sys, json\n"
        "from adlessons.cli import main\n"
        f"main(['get', {str(tmp_path)!r}])\n"
        "heavy = ('graphviz', 'plotly', 'ipywidgets', 'anywidget')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
