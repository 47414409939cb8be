"""The layering rules of README's Architecture section, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "cogs")

# module prefix -> prefixes it must never import (even inside a function)
FORBIDDEN = {
    "bot.db": ("bot.services", "bot.cli", "bot.scheduling", "bot.discord_app", "bot.app", "cogs"),
    "bot.services": ("bot.cli", "bot.discord_app", "bot.app", "cogs"),
    "bot.analysis": ("bot.services", "bot.cli", "bot.db", "bot.discord_app", "cogs"),
    "bot.ingest": ("bot.services", "bot.cli", "bot.db", "bot.discord_app", "cogs"),
    "bot.scheduling": ("bot.cli", "bot.discord_app", "cogs"),
    "bot.app": ("bot.cli", "bot.discord_app", "cogs"),
    "bot.domain": ("bot.",),
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    files = [
        p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    ]
    modules = {_module(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges = set()
        for target in _imports(path, module):
            # A name imported from a module counts as that module.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # A module importing its own package (or itself) runs nothing new.
            if target and target != module and not module.startswith(target + "."):
                edges.add(target)
        graph[module] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_cycles_even_through_imports_inside_functions() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_layers_below_it(layer: str) -> None:
    graph = _graph()
    wrong = [
        (module, target)
        for module, targets in graph.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target == f or target.startswith(f) for f in FORBIDDEN[layer])
    ]
    assert wrong == []


def test_only_the_discord_layer_imports_discord() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        module = _module(path)
        if module.startswith("bot.discord_app"):
            continue
        if any(t == "discord" or t.startswith("discord.") for t in _imports(path, module)):
            offenders.append(module)
    assert offenders == []
