"""The package's floors (docs/CONVENTIONS.md, "Floors"): every import in src/syco, at the top
of a module or inside a function, points down a floor or stays on its own, and no two
packages import each other, directly or round a longer circle.

Why: an upward import ties a lower layer to the code that uses it (the models floor that
needed the runner to plan a chapter, a model spec that needed the PM trainer), so a change
at the top reaches the bottom and import order starts to matter."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "syco"

# Bottom to top. A name is a module or a package (its whole subtree); the longest match wins.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("syco", "syco.errors", "syco.paths", "syco.secrets", "syco.quiet", "syco.stats",
              "syco.project", "syco.cache", "syco.keyfile", "syco.paper")),
    ("data", ("syco.data",)),
    ("models", ("syco.models",)),
    ("records", ("syco.results", "syco.plots")),
    ("judges/pm", ("syco.judges", "syco.pm")),
    ("tasks", ("syco.tasks",)),
    ("top", ("syco.runner", "syco.book", "syco.cli")),
]  # fmt: skip
FLOOR_OF = {name: i for i, (_, names) in enumerate(FLOORS) for name in names}
TOP = len(FLOORS) - 1


def is_command(module: str) -> bool:
    """A package's command-line module (`cli`, `*_cli`) is the top floor: it wires its
    package into `syco`, and may reach anything (e.g. `syco results --precision` writes
    the book's precision table)."""
    last = module.rsplit(".", 1)[-1]
    return last == "cli" or last.endswith("_cli")


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _owner(name: str) -> str:
    """The longest floor entry that `name` is, or lies under."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in FLOOR_OF:
            return ".".join(parts[:k])
    raise AssertionError(f"{name} is on no floor: add it to FLOORS (and docs/CONVENTIONS.md)")


def floor(module: str) -> int:
    return TOP if is_command(module) else FLOOR_OF[_owner(module)]


def unit(module: str) -> str:
    """What the circle check compares: a base module, a package under `syco`, or a command
    module on its own (it belongs to the command line, not to its package)."""
    if is_command(module):
        return module
    owner = _owner(module)
    return owner if FLOOR_OF[owner] == 0 else ".".join(module.split(".")[:2])


def resolve(name: str, known: dict[str, Path]) -> str:
    """The deepest module that `name` (a module, or a name inside one) refers to."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in known:
            return ".".join(parts[:k])
    return name


def imports(module: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file, at any depth: top level,
    inside functions and classes, under `if TYPE_CHECKING`, and `importlib.import_module`
    of a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([base] if base else [])])
            names = [f"{base}.{a.name}" for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        out += [(resolve(n, known), node.lineno) for n in names if n.split(".")[0] == "syco"]
    return out


def edges() -> list[tuple[str, str, int]]:
    known = modules()
    return [(m, target, line) for m, p in known.items() for target, line in imports(m, p, known)]


def test_every_module_is_on_a_floor() -> None:
    for module in modules():
        floor(module)  # raises for a module no floor names


def test_no_import_points_up_a_floor() -> None:
    up = [
        f"{m}:{line} imports {t} ({FLOORS[floor(m)][0]} -> {FLOORS[floor(t)][0]})"
        for m, t, line in edges()
        if floor(t) > floor(m)
    ]
    assert up == [], "imports pointing up a floor (docs/CONVENTIONS.md, Floors):\n" + "\n".join(up)


def test_no_circle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], str] = {}
    for m, t, line in edges():
        a, b = unit(m), unit(t)
        if a != b:
            graph.setdefault(a, set()).add(b)
            where.setdefault((a, b), f"{m}:{line} -> {t}")
    circles = []
    for start in sorted(graph):  # depth-first search for a path back to `start`
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    circles.append(path + [start])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    shown = {
        " -> ".join(c)
        + "  ("
        + "; ".join(where[(a, b)] for a, b in zip(c, c[1:], strict=False))
        + ")"
        for c in circles
    }
    assert not shown, "import circles between packages:\n" + "\n".join(sorted(shown))


# -- the checker itself, on hand-written modules ------------------------------------------
@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A throwaway `syco` tree: write modules into it, then run the checks on it."""
    root = tmp_path / "src"

    def write(name: str, text: str) -> None:
        path = root / Path(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.parents:
            if parent == root:
                break
            (parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")

    monkeypatch.setattr(sys.modules[__name__], "SRC", root)
    monkeypatch.setattr(sys.modules[__name__], "PKG", root / "syco")
    return write


def test_checker_finds_a_lazy_upward_import(fake) -> None:
    fake("syco.models.plan", "def f():\n    from syco.runner.execute import run_chapter\n")
    fake("syco.runner.execute", "def run_chapter(): ...\n")
    with pytest.raises(AssertionError, match=r"syco.models.plan:2 imports syco.runner.execute"):
        test_no_import_points_up_a_floor()


def test_checker_finds_a_circle_on_one_floor(fake) -> None:
    fake("syco.judges.a", "from syco.pm import b\n")
    fake("syco.pm.b", "import typing\nif typing.TYPE_CHECKING:\n    from syco.judges.a import x\n")
    test_no_import_points_up_a_floor()  # same floor: not upward
    with pytest.raises(AssertionError, match=r"syco.judges -> syco.pm -> syco.judges"):
        test_no_circle_between_packages()


def test_checker_reads_relative_imports_and_commands(fake) -> None:
    fake("syco.data.load", "from ..models import registry\n")
    fake("syco.models.registry", "")
    fake("syco.results.cli", "from syco.book import precision\n")  # a command: top floor
    fake("syco.book.precision", "from syco.results import store\n")
    fake("syco.results.store", "")
    test_no_circle_between_packages()
    with pytest.raises(AssertionError, match=r"syco.data.load:1 imports syco.models.registry"):
        test_no_import_points_up_a_floor()
