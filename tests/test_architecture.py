"""The package's layers point one way: no module of adlessons imports, directly or through
others, a module that imports it back (DESIGN.md, "Layers: data flows one way")."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "adlessons"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set:
    """The adlessons modules a file imports at module level or inside functions."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("adlessons"):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                              or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("adlessons"))
    found.discard(name)
    return found


def test_no_import_cycles():
    graph = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}
    # a package's __init__ gathers its modules' names: an edge into a package is an edge to
    # its __init__, which is allowed to import its own submodules (those edges are not cycles).
    def edges(module):
        return {m for m in graph.get(module, ()) if m in graph and not module.startswith(m + ".")
                and not m.startswith(module + ".")}

    for start in graph:
        if start.endswith("__init__"):
            continue
        stack, seen = [(start, (start,))], set()
        while stack:
            module, path = stack.pop()
            for nxt in edges(module):
                assert nxt != start, "import cycle: " + " -> ".join(path + (nxt,))
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + (nxt,)))


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: two modules that import each other are reported."""
    package = tmp_path / "adlessons"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import thing\n")
    (package / "b.py").write_text("from . import a\nthing = 1\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    try:
        test_no_import_cycles()
    except AssertionError as error:
        assert "import cycle" in str(error)
    else:
        raise AssertionError("a cycle a -> b -> a was not found")
