"""The package's import graph: subpackages import only those below them (docs/training.md, "Layout"), no cycles."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "binsr_train"
# Lower ranks never import higher ones; equal ranks never import each other.
RANK = {"archs": 0, "data": 0, "config": 1, "losses": 1, "metrics": 1, "weights": 2, "trainers": 3, "__main__": 4}


def _module_name(path: pathlib.Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _resolve(module: str, name: str) -> str:
    """`from module import name` names a module when module/name.py exists (e.g. `from binsr_train.trainers import
    precision`), else something defined in module."""
    candidate = f"{module}.{name}"
    return candidate if (PACKAGE.parent / f"{candidate.replace('.', '/')}.py").exists() else module


def _imports() -> dict[str, set[str]]:
    """{module: binsr_train modules it imports}, every import counted (top level, TYPE_CHECKING, inside functions)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "binsr_train":
                deps |= {_resolve(node.module, alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                deps |= {alias.name for alias in node.names if alias.name.split(".")[0] == "binsr_train"}
        graph[_module_name(path)] = deps
    return graph


def test_every_top_level_part_has_a_rank() -> None:
    parts = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.rglob("*.py")}
    assert parts - {"__init__"} == set(RANK)


def test_subpackages_import_only_downwards() -> None:
    wrong = [f"{module} -> {dep}" for module, deps in _imports().items() for dep in deps
             if module.split(".")[1] != dep.split(".")[1] and RANK[module.split(".")[1]] <= RANK[dep.split(".")[1]]]
    assert not wrong


def test_no_import_cycles() -> None:
    graph = _imports()
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        for dep in sorted(graph.get(module, ())):
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(module)

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles
