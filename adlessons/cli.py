"""The `adlessons` command: copy the lessons into a folder of your own and open them in JupyterLab.

    adlessons get [DIR] [--fresh]                copy the lesson notebooks into DIR
    adlessons lab [DIR] [--fresh] [-- OPTIONS]   copy them if needed, then start JupyterLab in DIR

You work in the copy, never in the notebooks that ship with the package (or sit in a
checkout), so an update of the course can never clash with your own edits: a lesson you
have changed is kept as it is, and the command says how to get a fresh one. This module
imports nothing beyond the standard library and starts no drawing or widget code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DEFAULT_FOLDER = "adlessons-lessons"
RECORD_NAME = ".adlessons-copy.json"  # in the copy: the digest of each lesson as it was copied


def digest(data: bytes) -> str:
    """A fingerprint of a file's bytes, to tell whether a copy was changed since it was made."""
    return hashlib.sha256(data).hexdigest()


def shipped_lessons() -> dict[str, bytes]:
    """Every lesson notebook that ships with the package (adlessons/lessons/*.ipynb), by file name."""
    folder = resources.files("adlessons") / "lessons"
    lessons = {}
    if folder.is_dir():
        lessons = {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith(".ipynb")}
    if not lessons:
        raise SystemExit("adlessons: no lesson notebooks found in the installed package "
                         f"({folder}); reinstall it: pip install --force-reinstall adlessons")
    return dict(sorted(lessons.items()))


def kept_name(folder: Path, name: str) -> Path:
    """A free name beside a lesson for the learner's own version of it: NN_topic.mine.ipynb, .mine-2, ..."""
    stem = name[: -len(".ipynb")]
    candidate, n = folder / f"{stem}.mine.ipynb", 2
    while candidate.exists():
        candidate, n = folder / f"{stem}.mine-{n}.ipynb", n + 1
    return candidate


@dataclass
class CopyReport:
    """What `get_lessons` did to each lesson in the folder."""

    folder: Path
    copied: list[str] = field(default_factory=list)     # new in the folder
    updated: list[str] = field(default_factory=list)    # untouched by the learner, replaced by a newer version
    unchanged: list[str] = field(default_factory=list)  # already the current version
    kept: list[str] = field(default_factory=list)       # edited by the learner: left as it was
    set_aside: dict[str, str] = field(default_factory=dict)  # --fresh: lesson -> where the edited copy went

    def lines(self, command: str = "adlessons get") -> list[str]:
        """The report in sentences, for the terminal; `command` is the one to re-run with --fresh."""
        out = []
        if self.copied:
            out.append(f"Copied {len(self.copied)} lesson(s) into {self.folder}: {', '.join(self.copied)}")
        if self.updated:
            out.append(f"Updated {len(self.updated)} lesson(s) you had not changed: {', '.join(self.updated)}")
        for name, mine in self.set_aside.items():
            out.append(f"Fresh copy of {name}; your edited version is now {mine}")
        if self.kept:
            out.append(f"Kept your edited copy of {len(self.kept)} lesson(s): {', '.join(self.kept)}")
            out.append(f"  For fresh copies run: {command} --fresh {self.folder}")
            out.append("  (your edited versions are then kept beside them as NN_topic.mine.ipynb),")
            out.append(f"  or get the lessons into a new folder: {command} OTHER_FOLDER")
        if not (self.copied or self.updated or self.set_aside or self.kept):
            out.append(f"The lessons in {self.folder} are up to date.")
        return out


def get_lessons(folder: Path, fresh: bool = False, lessons: dict[str, bytes] | None = None) -> CopyReport:
    """Copy the lessons into `folder` without ever overwriting a lesson the learner has edited.

    A lesson counts as edited when its bytes match neither the shipped lesson nor the copy
    this command made (recorded in the folder's .adlessons-copy.json). With `fresh`, an
    edited lesson is renamed to NN_topic.mine.ipynb and a fresh copy takes its place.
    """
    lessons = shipped_lessons() if lessons is None else lessons
    if folder.exists() and not folder.is_dir():
        raise SystemExit(f"adlessons get: {folder} is a file, not a folder; choose another DIR")
    folder.mkdir(parents=True, exist_ok=True)
    record_path = folder / RECORD_NAME
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):  # no record yet (or a damaged one): every differing lesson counts as edited
        record = {}
    report = CopyReport(folder)
    for name, data in lessons.items():
        target = folder / name
        if not target.exists():
            report.copied.append(name)
        else:
            current = target.read_bytes()
            if current == data:
                report.unchanged.append(name)
                record[name] = digest(data)
                continue
            if record.get(name) == digest(current):
                report.updated.append(name)
            elif fresh:
                mine = kept_name(folder, name)
                target.rename(mine)
                report.set_aside[name] = mine.name
            else:
                report.kept.append(name)
                continue
        target.write_bytes(data)
        record[name] = digest(data)
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return report


def running_as_root() -> bool:
    """True for the root user, whom JupyterLab refuses unless told --allow-root."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(folder: Path, lab_options: list[str]) -> list[str]:
    """The command that starts JupyterLab in `folder` with this Python (and its adlessons)."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if running_as_root():
        command.append("--allow-root")
    return command + lab_options


def jupyterlab_installed() -> bool:
    """Whether this Python can start JupyterLab (looked up without importing it)."""
    from importlib.util import find_spec

    return find_spec("jupyterlab") is not None


def parser() -> argparse.ArgumentParser:
    """The command line: `adlessons get` and `adlessons lab`."""
    p = argparse.ArgumentParser(
        prog="adlessons",
        description="Copy the adlessons lessons (Jupyter notebooks on automatic differentiation) "
                    "into a folder of your own, and open them in JupyterLab.",
        epilog="A lesson you have edited is never overwritten: it is kept, and the command says "
               "so. --fresh replaces it by a fresh copy and keeps your version beside it as "
               "NN_topic.mine.ipynb; or give a new DIR.")
    commands = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in [
        ("get", "copy the lessons into DIR (new lessons are added, lessons you edited are kept)"),
        ("lab", "copy the lessons into DIR if needed, then start JupyterLab there "
                "(options after --, e.g. -- --port 8890 --no-browser, go to JupyterLab)"),
    ]:
        usage = f"adlessons {name} [-h] [--fresh] [DIR]" + (" [-- JUPYTERLAB_OPTIONS]" if name == "lab" else "")
        sub = commands.add_parser(name, help=help_text, description=help_text, usage=usage)
        sub.add_argument("folder", metavar="DIR", nargs="?", default=DEFAULT_FOLDER,
                         help=f"the folder for your copy of the lessons (default: {DEFAULT_FOLDER})")
        sub.add_argument("--fresh", action="store_true",
                         help="replace lessons you edited by fresh copies; your versions are "
                              "kept beside them as NN_topic.mine.ipynb")
    return p


def split_at_double_dash(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split a command line at `--`: adlessons' own arguments before it, JupyterLab's after it."""
    if "--" not in argv:
        return argv, []
    at = argv.index("--")
    return argv[:at], argv[at + 1:]


def start(command: list[str]) -> int:
    """Hand this process over to JupyterLab, so Ctrl-C reaches Lab alone (Windows: run it and wait)."""
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)


def main(argv: list[str] | None = None, run=start) -> int:
    """Run the command line; `run` starts JupyterLab (tests pass a stand-in)."""
    ours, lab_options = split_at_double_dash(sys.argv[1:] if argv is None else list(argv))
    args = parser().parse_args(ours)
    if args.command == "get" and lab_options:
        parser().error("adlessons get takes no JupyterLab options (they belong to adlessons lab)")
    if args.command == "lab" and not jupyterlab_installed():
        print("adlessons lab: JupyterLab is not installed in this Python "
              f"({sys.executable}). Install it with: pip install 'adlessons[lab]'\n"
              "  (or open the lessons from `adlessons get` in any Jupyter you have)", file=sys.stderr)
        return 1
    folder = Path(args.folder).expanduser().resolve()
    report = get_lessons(folder, fresh=args.fresh)
    # ./course sets ADLESSONS_PROG, so that its hints name ./course lab rather than adlessons lab.
    print("\n".join(report.lines(f"{os.environ.get('ADLESSONS_PROG', 'adlessons')} {args.command}")))
    if args.command == "get":
        return 0
    command = lab_command(folder, lab_options)
    print(f"Starting JupyterLab in {folder} (stop it with Ctrl-C)", flush=True)
    try:
        return run(command)
    except KeyboardInterrupt:
        return 130
