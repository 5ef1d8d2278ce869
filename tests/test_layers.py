"""The house rule (README, "Layout"): three layers with imports pointing one way, and no import
cycle between modules. Read from the source, every import counted, lazy ones inside functions
included, so a cycle cannot hide behind a deferred import.

    base    eval/base/                      errors, IO, config, signatures, paths, model assets
    models  summarizer/ and eval/ scorers   generation, training, ROUGE, BERTScore, checks, consistency
    app     CLIs, commands, pipeline,       python -m summarizer / python -m eval, eval run/score,
            reports, Ray scale-out          report.md/html, --ray
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("eval", "summarizer")
APP = (
    "eval.cli",
    "eval.__main__",
    "eval.commands",
    "eval.pipeline",
    "eval.report",
    "eval.distributed",
    "summarizer.cli",
    "summarizer.__main__",
    "summarizer.commands",
)
RANK = {"base": 0, "models": 1, "app": 2}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def layer(module: str) -> str:
    if module == "eval" or module.startswith("eval.base"):
        return "base"
    if any(module == a or module.startswith(a + ".") for a in APP):
        return "app"
    return "models"


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (`from pkg import sub` counts as pkg.sub, and so
    does a string naming a module, as the lazy registries hand to importlib)."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        resources = {
            id(a)
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "files"
            for a in n.args
        }  # data, not code
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets.update(subs or [base])
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in resources
            ):
                # "pkg.module" or "pkg.module:Name" in a table for importlib: a lazy import too
                targets.add(node.value.partition(":")[0])
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(root):
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph()


def test_the_graph_is_read():
    assert "eval.base.io" in GRAPH["summarizer.runlog"]
    assert "eval.pipeline" in GRAPH["eval.commands.score"]
    assert "eval.consistency.ngram" in GRAPH["eval.consistency.registry"]  # by name, for importlib
    assert all(layer(m) for m in GRAPH)


def test_no_import_cycles():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    upward = [t for t in sorted(GRAPH[module]) if RANK[layer(t)] > RANK[layer(module)]]
    assert upward == [], f"{module} ({layer(module)}) imports a higher layer: {upward}"


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("eval.base.io", "base"),
        ("eval", "base"),
        ("eval.rouge", "models"),
        ("summarizer.train", "models"),
        ("eval.consistency.nli", "models"),
        ("eval.pipeline", "app"),
        ("eval.commands.run", "app"),
        ("summarizer.cli", "app"),
        ("eval.report", "app"),
    ],
)
def test_layer_table(module, expected):
    assert layer(module) == expected


def test_cycle_finder_finds_a_lazy_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
