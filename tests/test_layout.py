"""The package tree follows the pipeline: stages import only the stages before them, with no cycles."""

import ast
import functools
import subprocess
import sys
from pathlib import Path

import storykit

ROOT = Path(storykit.__file__).resolve().parent
# The notebook series, in order; top-level modules (story, cli, ...) may import any stage.
STAGES = ("plan", "generate", "inspection", "stitch", "studio")
# Foundations every stage may use.
SHARED = {"errors", "paths", "_version", "hub", "progress", "remembered"}
# Inline playback (inspection) encodes with the one ffmpeg that export finds: a helper, not the stage.
ALLOWED = {("inspection", "stitch.ffmpeg")}


@functools.lru_cache(maxsize=None)
def _parsed(text: str) -> ast.Module:
    """A module's syntax tree, parsed once per text (four checks here walk every module)."""
    return ast.parse(text)


def _tree(path: Path) -> ast.Module:
    return _parsed(path.read_text())


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """storykit modules that `path` imports (at any depth, lazy imports included), as dotted names."""
    mod = _module(path).split(".") if _module(path) else []
    package = mod if path.name == "__init__.py" else mod[:-1]
    out = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [".".join(base + [a.name]) for a in node.names]
                out.update(n for n in names if n)
            elif node.module and node.module.startswith("storykit."):
                out.add(node.module.removeprefix("storykit."))
    return out


def _stage(module: str) -> str:
    return module.split(".")[0]


def test_every_stage_is_a_package_with_a_quick_start():
    for stage in STAGES:
        init = ROOT / stage / "__init__.py"
        doc = ast.get_docstring(_tree(init))
        assert doc and ">>>" in doc, f"{stage}/__init__.py needs a quick-start docstring"


def test_no_stage_imports_a_later_stage():
    for path in ROOT.rglob("*.py"):
        stage = _stage(_module(path))
        if stage not in STAGES:
            continue
        for target in _imports(path):
            other = _stage(target)
            if (stage, target) in ALLOWED:
                continue
            if other in STAGES:
                assert STAGES.index(other) <= STAGES.index(stage), f"{_module(path)} imports {target}"
            else:
                assert other in SHARED, f"{_module(path)} imports the top-level module {target}"


def test_modules_stay_readable_in_one_sitting():
    for path in ROOT.rglob("*.py"):
        n = len(path.read_text().splitlines())
        assert n <= 600 or "longer than 600 lines because" in path.read_text(), f"{_module(path)}: {n} lines"


def _stdlib_imports() -> set[str]:
    """The standard library modules storykit imports anywhere (module level or inside functions)."""
    names = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return {n for n in names if n.split(".")[0] in sys.stdlib_module_names and n != "__future__"}


def test_every_module_imports_on_its_own():
    # Each module imported first in a fresh interpreter: an import cycle fails here.
    modules = sorted(f"storykit.{_module(p)}" if _module(p) else "storykit" for p in ROOT.rglob("*.py"))
    modules = [m for m in modules if not m.endswith("__main__")]
    # One interpreter forks a child per module: storykit is imported afresh in each child, while the
    # libraries it sits on (numpy, Pillow, and the standard library modules it names anywhere) are
    # loaded once, in the parent (26 s -> about 2 s).
    stdlib = sorted(_stdlib_imports())
    code = (
        "import importlib, os, sys, traceback\n"
        f"import numpy, PIL.Image, {', '.join(stdlib)}\n"
        "assert not any(k == 'storykit' or k.startswith('storykit.') for k in sys.modules)\n"
        "for m in sys.argv[1:]:\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            importlib.import_module(m)\n"
        "        except BaseException:\n"
        "            print(m + ': ' + traceback.format_exc().strip().splitlines()[-1], flush=True)\n"
        "            os._exit(1)\n"
        "        os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
        "print('checked', len(sys.argv) - 1, flush=True)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.strip().splitlines()
    assert lines == [f"checked {len(modules)}"], "\n".join(lines)


def _module_graph() -> dict[str, set[str]]:
    """storykit module -> the storykit modules it imports, at any depth (function-level imports included).

    `from .x import name` counts as importing `x.name` where that is a module, else `x`.
    Edges between a package and its own submodules are left out: an `__init__` that
    re-exports its children is a facade, not a dependency.
    """
    modules = {("storykit." + _module(p)).rstrip("."): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                targets = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = targets or ([base] if base in modules else [])
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name in modules]
            else:
                continue
            graph[name].update(t for t in targets
                               if t != name and not name.startswith(t + ".") and not t.startswith(name + "."))
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back():
    # At every level: a function-level import is still an import (STYLE.md, rule 13).
    circles = _circles(_module_graph())
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_circle_check_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    # The checker itself, on a made-up package: a lazy `from .a import f` inside a function closes a circle.
    pkg = tmp_path / "storykit"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .a import f\n")  # a facade: not an edge
    (pkg / "sub" / "a.py").write_text("from . import b\n")
    (pkg / "sub" / "b.py").write_text("def g():\n    from .a import f\n")
    (pkg / "c.py").write_text("import storykit.sub.a\n")
    monkeypatch.setitem(globals(), "ROOT", pkg)
    graph = _module_graph()
    assert graph["storykit.sub.a"] == {"storykit.sub.b"} and graph["storykit.sub.b"] == {"storykit.sub.a"}
    assert graph["storykit.c"] == {"storykit.sub.a"} and graph["storykit.sub"] == set()
    assert _circles(graph) == [["storykit.sub.a", "storykit.sub.b"]]
    (pkg / "sub" / "b.py").write_text("def g():\n    return 1\n")
    assert _circles(_module_graph()) == []


def test_the_public_names_keep_working():
    for name in storykit.__all__:
        assert getattr(storykit, name) is not None
    assert callable(storykit.plan) and callable(storykit.stitch)
    from storykit.plan import Script
    from storykit.stitch import Story

    assert storykit.Script is Script and storykit.Story is Story


def test_planning_works_without_torch():
    # sys.modules[name] = None makes `import name` fail, as on a machine without it.
    code = (
        "import sys\nfor m in ('torch', 'diffusers'): sys.modules[m] = None\n"
        "import storykit\ns = storykit.plan('a quiet harbour', 'an old sailor', 'mends a net')\nprint(len(s.scenes))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "5", r.stderr
